-- Indexes of the tables and materialized views of the managed schemas ($1) that do not
-- back one of the table's own constraints (primary key, unique, exclusion). A unique index
-- that a foreign key merely points at is kept: that key's conindid names it too, but its
-- conrelid is the referencing table.
--
-- pg_get_indexdef prints an index of a partitioned table as `CREATE INDEX ... ON ONLY ...`,
-- which builds an invalid index on the parent alone (pg_dump attaches each partition's
-- index afterwards). The ONLY is taken out, so that the statement builds the partitions'
-- indexes too, as creating the index did in the first place; those come back with
-- inherited = true.
--
-- An invalid index (a CREATE INDEX CONCURRENTLY that failed) is left out, as pg_dump does,
-- except on a partitioned table, whose index stays invalid until every partition has one.
SELECT i.indexrelid AS oid,
       i.indrelid AS table_oid,
       ic.relname::text AS name,
       CASE WHEN c.relkind = 'p' AND starts_with(d.definition, d.only_prefix)
            THEN d.plain_prefix || substr(d.definition, length(d.only_prefix) + 1)
            ELSE d.definition END AS definition,
       EXISTS (SELECT 1 FROM pg_inherits h WHERE h.inhrelid = i.indexrelid) AS inherited
  FROM pg_index i
  JOIN pg_class ic ON ic.oid = i.indexrelid
  JOIN pg_class c ON c.oid = i.indrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
 CROSS JOIN LATERAL (
       SELECT pg_get_indexdef(i.indexrelid) AS definition,
              x.head || ' ON ONLY ' AS only_prefix,
              x.head || ' ON ' AS plain_prefix
         FROM (SELECT 'CREATE ' || CASE WHEN i.indisunique THEN 'UNIQUE ' ELSE '' END
                      || 'INDEX ' || quote_ident(ic.relname) AS head) AS x) AS d
 WHERE c.relkind IN ('r', 'p', 'm')
   AND n.nspname = ANY($1)
   AND (i.indisvalid OR c.relkind = 'p')
   AND NOT EXISTS (SELECT 1 FROM pg_constraint con
                    WHERE con.conindid = i.indexrelid
                      AND con.conrelid = i.indrelid
                      AND con.contype IN ('p', 'u', 'x'))
   AND NOT EXISTS (SELECT 1 FROM pg_depend e
                    WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid AND e.deptype = 'e')
 ORDER BY i.indrelid, ic.relname
