-- Publications that publish something of the managed schemas ($1): every table, tables of
-- a managed schema, or one of its tables. One row per publication and member table (NULL
-- columns for a publication without table members), in name order.
SELECT p.pubname::text AS name,
       p.puballtables AS all_tables,
       concat_ws(', ', CASE WHEN p.pubinsert THEN 'insert' END,
                       CASE WHEN p.pubupdate THEN 'update' END,
                       CASE WHEN p.pubdelete THEN 'delete' END,
                       CASE WHEN p.pubtruncate THEN 'truncate' END) AS publish,
       p.pubviaroot AS via_root,
       ARRAY(SELECT n.nspname::text FROM pg_publication_namespace pn
               JOIN pg_namespace n ON n.oid = pn.pnnspid
              WHERE pn.pnpubid = p.oid AND n.nspname = ANY($1)
              ORDER BY 1) AS schemas,
       n.nspname::text AS table_schema,
       c.relname::text AS table_name,
       pg_get_expr(r.prqual, r.prrelid) AS filter,
       ARRAY(SELECT a.attname::text FROM unnest(r.prattrs) WITH ORDINALITY AS k(num, ord)
               JOIN pg_attribute a ON a.attrelid = r.prrelid AND a.attnum = k.num
              ORDER BY k.ord) AS columns
  FROM pg_publication p
  LEFT JOIN pg_publication_rel r
         ON r.prpubid = p.oid
        AND r.prrelid IN (SELECT c2.oid FROM pg_class c2 JOIN pg_namespace n2 ON n2.oid = c2.relnamespace
                           WHERE n2.nspname = ANY($1))
  LEFT JOIN pg_class c ON c.oid = r.prrelid
  LEFT JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE p.puballtables
    OR EXISTS (SELECT 1 FROM pg_publication_namespace pn JOIN pg_namespace n3 ON n3.oid = pn.pnnspid
                WHERE pn.pnpubid = p.oid AND n3.nspname = ANY($1))
    OR r.prrelid IS NOT NULL
 ORDER BY p.pubname, n.nspname, c.relname
