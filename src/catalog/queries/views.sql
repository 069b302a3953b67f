-- Views and materialized views of the managed schemas ($1), without those that belong to
-- an extension. pg_get_viewdef without pretty-printing keeps every parenthesis, as pg_dump
-- does, so the text replays to the same query. cluster_index names the index of a
-- materialized view that ALTER TABLE ... CLUSTER ON marked.
SELECT c.oid,
       n.nspname::text AS schema,
       c.relname::text AS name,
       c.relkind,
       pg_get_viewdef(c.oid, false) AS definition,
       COALESCE(c.reloptions, '{}') AS options,
       pg_get_userbyid(c.relowner)::text AS owner,
       ARRAY(SELECT a.attnum FROM pg_attribute a
              WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
              ORDER BY a.attnum) AS column_numbers,
       ARRAY(SELECT a.attname::text FROM pg_attribute a
              WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
              ORDER BY a.attnum) AS column_names,
       (SELECT ic.relname::text
          FROM pg_index i
          JOIN pg_class ic ON ic.oid = i.indexrelid
         WHERE i.indrelid = c.oid AND i.indisclustered) AS cluster_index,
       c.reltuples,
       pg_total_relation_size(c.oid) AS size_bytes
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('v', 'm')
   AND n.nspname = ANY($1)
   AND NOT EXISTS (SELECT 1 FROM pg_depend e
                    WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid AND e.deptype = 'e')
 ORDER BY n.nspname, c.relname
