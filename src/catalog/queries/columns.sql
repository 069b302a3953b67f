-- Columns of the tables of the managed schemas ($1), in attnum order. Tables that belong
-- to an extension are left out, as in tables.sql.
--
-- storage is the column's own only when it is not its type's (type_storage), as pg_dump
-- compares them. A default cannot name a column, so it is printed without its table
-- (relid 0), which spares the server opening every table; a generated column's expression
-- names columns and needs the table. Attribute options named pg_... are not the user's: a
-- server build may keep its own there (pg_attver), which ALTER COLUMN SET does not take.
-- column_count is the number of the table's columns read: room for them all is made once.
SELECT a.attrelid AS table_oid,
       count(*) OVER (PARTITION BY a.attrelid) AS column_count,
       a.attnum,
       a.attname::text AS name,
       format_type(a.atttypid, a.atttypmod) AS type_sql,
       cn.nspname::text AS collation_schema,
       co.collname::text AS collation_name,
       a.attnotnull AS not_null,
       CASE WHEN a.attgenerated = '' THEN pg_get_expr(ad.adbin, 0) END AS "default",
       a.attidentity AS identity,
       a.attgenerated AS generated_kind,
       CASE WHEN a.attgenerated <> '' THEN pg_get_expr(ad.adbin, ad.adrelid) END AS generated,
       a.attislocal AS is_local,
       NULLIF(a.attstorage, t.typstorage) AS storage,
       t.typstorage AS type_storage,
       a.attcompression AS compression,
       CASE WHEN a.attstattarget >= 0 THEN a.attstattarget::int4 END AS statistics,
       ARRAY(SELECT o FROM unnest(a.attoptions) AS o
              WHERE o NOT LIKE 'pg\_%') AS options
  FROM pg_attribute a
  JOIN pg_class c ON c.oid = a.attrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_type t ON t.oid = a.atttypid
  LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
  LEFT JOIN pg_collation co ON co.oid = a.attcollation AND a.attcollation <> t.typcollation
  LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
 WHERE c.relkind IN ('r', 'p')
   AND n.nspname = ANY($1)
   AND a.attnum > 0
   AND NOT a.attisdropped
   AND NOT EXISTS (SELECT 1 FROM pg_depend e
                    WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid AND e.deptype = 'e')
 ORDER BY a.attrelid, a.attnum
