-- User triggers on the tables, views and materialized views of the managed schemas ($1):
-- not the internal ones (foreign keys), not the clones a partition gets from its parent.
-- $2 is false for a summary read: the definition is then empty.
SELECT t.oid,
       t.tgrelid AS table_oid,
       t.tgname::text AS name,
       CASE WHEN $2 THEN pg_get_triggerdef(t.oid, false) ELSE '' END AS definition,
       fn.nspname::text AS function_schema,
       f.proname::text AS function_name,
       t.tgenabled AS enabled,
       t.tgconstraint <> 0 AS is_constraint
  FROM pg_trigger t
  JOIN pg_class c ON c.oid = t.tgrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_proc f ON f.oid = t.tgfoid
  JOIN pg_namespace fn ON fn.oid = f.pronamespace
 WHERE c.relkind IN ('r', 'p', 'v', 'm')
   AND n.nspname = ANY($1)
   AND NOT t.tgisinternal
   AND t.tgparentid = 0
   AND NOT EXISTS (SELECT 1 FROM pg_depend e
                    WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid AND e.deptype = 'e')
 ORDER BY t.tgrelid, t.tgname
