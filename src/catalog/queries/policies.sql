-- Row-level security policies on the tables of the managed schemas ($1). Role 0 is PUBLIC.
-- $2 is false for a summary read: the expressions are then left out.
SELECT p.oid,
       p.polrelid AS table_oid,
       p.polname::text AS name,
       p.polcmd,
       p.polpermissive AS permissive,
       ARRAY(SELECT r.name
               FROM (SELECT CASE WHEN u.oid = 0 THEN 'public' ELSE pg_get_userbyid(u.oid)::text END
                       FROM unnest(p.polroles) AS u(oid)) AS r(name)
              ORDER BY r.name COLLATE "C") AS roles,
       CASE WHEN $2 THEN pg_get_expr(p.polqual, p.polrelid) END AS using_expr,
       CASE WHEN $2 THEN pg_get_expr(p.polwithcheck, p.polrelid) END AS with_check
  FROM pg_policy p
  JOIN pg_class c ON c.oid = p.polrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p')
   AND n.nspname = ANY($1)
   AND NOT EXISTS (SELECT 1 FROM pg_depend e
                    WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid AND e.deptype = 'e')
 ORDER BY p.polrelid, p.polname
