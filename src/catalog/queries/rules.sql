-- Rewrite rules on the tables, views and materialized views of the managed schemas ($1),
-- without a view's own _RETURN rule (its query) and without the relations that belong to
-- an extension. pg_get_ruledef gives the whole CREATE RULE statement, schema-qualified (the
-- snapshot's search_path is empty), as pg_dump reads it.
SELECT r.oid,
       r.ev_class AS relation_oid,
       r.rulename::text AS name,
       pg_get_ruledef(r.oid, false) AS definition,
       r.ev_enabled AS enabled
  FROM pg_rewrite r
  JOIN pg_class c ON c.oid = r.ev_class
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p', 'v', 'm')
   AND r.rulename <> '_RETURN'
   AND n.nspname = ANY($1)
   AND NOT EXISTS (SELECT 1 FROM pg_depend e
                    WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid AND e.deptype = 'e')
 ORDER BY r.ev_class, r.rulename
