-- Tables (plain and partitioned, partitions included) of the managed schemas ($1),
-- without the tables that belong to an extension. The storage parameters of a table's
-- TOAST table come with its own, prefixed `toast.` as CREATE TABLE takes them.
--
-- cluster_index names the index ALTER TABLE ... CLUSTER ON marked (at most one).
--
-- size_bytes is the catalog's estimate, as reltuples is: the pages of the table, its TOAST
-- table and their indexes as the last VACUUM, ANALYZE or CREATE INDEX counted them. Measuring
-- the files (pg_total_relation_size) would open every table and index, which costs seconds
-- at ten thousand tables.
--
-- replica_index names the index a REPLICA IDENTITY USING INDEX points at. When that index
-- was dropped, relreplident stays 'i' with no index (the table then behaves as NOTHING, and
-- pg_dump prints nothing for it).
SELECT c.oid,
       n.nspname::text AS schema,
       c.relname::text AS name,
       c.relkind,
       c.relpersistence = 'u' AS unlogged,
       CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END AS partition_key,
       pn.nspname::text AS parent_schema,
       pc.relname::text AS parent_name,
       CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END AS bound,
       ARRAY(SELECT hn.nspname::text
               FROM pg_inherits h
               JOIN pg_class hc ON hc.oid = h.inhparent
               JOIN pg_namespace hn ON hn.oid = hc.relnamespace
              WHERE h.inhrelid = c.oid AND NOT c.relispartition
              ORDER BY h.inhseqno) AS inherits_schemas,
       ARRAY(SELECT hc.relname::text
               FROM pg_inherits h
               JOIN pg_class hc ON hc.oid = h.inhparent
              WHERE h.inhrelid = c.oid AND NOT c.relispartition
              ORDER BY h.inhseqno) AS inherits_names,
       COALESCE(c.reloptions, '{}')
         || ARRAY(SELECT 'toast.' || o FROM unnest(toast.reloptions) AS o) AS options,
       pg_get_userbyid(c.relowner)::text AS owner,
       c.relrowsecurity AS rls_enabled,
       c.relforcerowsecurity AS rls_forced,
       c.relreplident AS replica_identity,
       (SELECT ic.relname::text
          FROM pg_index i
          JOIN pg_class ic ON ic.oid = i.indexrelid
         WHERE i.indrelid = c.oid AND i.indisreplident) AS replica_index,
       (SELECT ic.relname::text
          FROM pg_index i
          JOIN pg_class ic ON ic.oid = i.indexrelid
         WHERE i.indrelid = c.oid AND i.indisclustered) AS cluster_index,
       c.reltuples,
       (c.relpages::int8 + COALESCE(toast.relpages, 0)
        + COALESCE((SELECT sum(ic.relpages)::int8
                      FROM pg_index i
                      JOIN pg_class ic ON ic.oid = i.indexrelid
                     WHERE i.indrelid IN (c.oid, c.reltoastrelid)), 0))
         * current_setting('block_size')::int8 AS size_bytes
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_class toast ON toast.oid = c.reltoastrelid
  LEFT JOIN pg_inherits pi ON pi.inhrelid = c.oid AND c.relispartition
  LEFT JOIN pg_class pc ON pc.oid = pi.inhparent
  LEFT JOIN pg_namespace pn ON pn.oid = pc.relnamespace
 WHERE c.relkind IN ('r', 'p')
   AND n.nspname = ANY($1)
   AND NOT EXISTS (SELECT 1 FROM pg_depend e
                    WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid AND e.deptype = 'e')
 ORDER BY n.nspname, c.relname
