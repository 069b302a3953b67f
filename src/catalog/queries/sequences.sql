-- Sequences of the managed schemas ($1), standalone and owned: the column that owns one
-- comes from pg_depend (deptype 'a' for serial and OWNED BY, 'i' for identity columns).
SELECT c.oid,
       n.nspname::text AS schema,
       c.relname::text AS name,
       format_type(s.seqtypid, NULL) AS data_type,
       s.seqstart AS start,
       s.seqincrement AS increment,
       s.seqmin AS min_value,
       s.seqmax AS max_value,
       s.seqcache AS cache,
       s.seqcycle AS cycle,
       tn.nspname::text AS owner_schema,
       tc.relname::text AS owner_table,
       a.attname::text AS owner_column,
       COALESCE(d.deptype = 'i', false) AS is_identity
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_sequence s ON s.seqrelid = c.oid
  LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid
       AND d.refclassid = 'pg_class'::regclass AND d.refobjsubid > 0 AND d.deptype IN ('a', 'i')
  LEFT JOIN pg_class tc ON tc.oid = d.refobjid
  LEFT JOIN pg_namespace tn ON tn.oid = tc.relnamespace
  LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
 WHERE c.relkind = 'S'
   AND n.nspname = ANY($1)
   AND NOT EXISTS (SELECT 1 FROM pg_depend e
                    WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid AND e.deptype = 'e')
 ORDER BY n.nspname, c.relname
