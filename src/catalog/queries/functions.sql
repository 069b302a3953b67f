-- Functions, procedures, aggregates and window functions of the managed schemas ($1),
-- without those that belong to an extension and without the constructors PostgreSQL makes
-- for a range type (they depend on it with deptype 'i'). Aggregates have no
-- pg_get_functiondef.
SELECT p.oid,
       n.nspname::text AS schema,
       p.proname::text AS name,
       p.prokind,
       oidvectortypes(p.proargtypes) AS argument_types,
       pg_get_function_identity_arguments(p.oid) AS identity_arguments,
       CASE WHEN p.prokind = 'a' THEN '' ELSE pg_get_functiondef(p.oid) END AS definition,
       l.lanname::text AS language,
       pg_get_userbyid(p.proowner)::text AS owner
  FROM pg_proc p
  JOIN pg_namespace n ON n.oid = p.pronamespace
  JOIN pg_language l ON l.oid = p.prolang
 WHERE n.nspname = ANY($1)
   AND NOT EXISTS (SELECT 1 FROM pg_depend e
                    WHERE e.classid = 'pg_proc'::regclass AND e.objid = p.oid AND e.deptype IN ('e', 'i'))
 ORDER BY n.nspname, p.proname, oidvectortypes(p.proargtypes) COLLATE "C"
