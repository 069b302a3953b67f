-- Enum, domain, composite and range types of the managed schemas ($1). Left out: array
-- types, the row types of tables and views (only composite types made by CREATE TYPE, whose
-- relation has relkind 'c'), multiranges, base and pseudo types, and types that belong to an
-- extension. Each row fills the columns of its own kind; the others are empty.
SELECT t.oid,
       n.nspname::text AS schema,
       t.typname::text AS name,
       t.typtype,
       pg_get_userbyid(t.typowner)::text AS owner,
       ARRAY(SELECT e.enumlabel::text FROM pg_enum e
              WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder) AS enum_values,
       CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END AS base_type,
       cn.nspname::text AS collation_schema,
       co.collname::text AS collation_name,
       pg_get_expr(t.typdefaultbin, 0) AS "default",
       t.typnotnull AS not_null,
       ARRAY(SELECT dc.conname::text FROM pg_constraint dc
              WHERE dc.contypid = t.oid AND dc.contype = 'c' ORDER BY dc.conname) AS constraint_names,
       ARRAY(SELECT pg_get_constraintdef(dc.oid, true) FROM pg_constraint dc
              WHERE dc.contypid = t.oid AND dc.contype = 'c' ORDER BY dc.conname) AS constraint_defs,
       ARRAY(SELECT a.attname::text FROM pg_attribute a
              WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped
              ORDER BY a.attnum) AS attribute_names,
       ARRAY(SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
              WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped
              ORDER BY a.attnum) AS attribute_types,
       format_type(r.rngsubtype, NULL) AS range_subtype,
       concat_ws(', ',
         'subtype = ' || format_type(r.rngsubtype, NULL),
         'multirange_type_name = ' || format_type(r.rngmultitypid, NULL),
         CASE WHEN NOT opc.opcdefault
              THEN 'subtype_opclass = ' || quote_ident(opn.nspname) || '.' || quote_ident(opc.opcname) END,
         CASE WHEN r.rngcollation <> 0 AND r.rngcollation <> st.typcollation
              THEN 'collation = ' || quote_ident(rcn.nspname) || '.' || quote_ident(rco.collname) END,
         CASE WHEN r.rngcanonical <> 0 THEN 'canonical = ' || r.rngcanonical::regproc::text END,
         CASE WHEN r.rngsubdiff <> 0 THEN 'subtype_diff = ' || r.rngsubdiff::regproc::text END
       ) AS range_definition
  FROM pg_type t
  JOIN pg_namespace n ON n.oid = t.typnamespace
  LEFT JOIN pg_class rel ON rel.oid = t.typrelid
  LEFT JOIN pg_collation co ON t.typtype = 'd' AND co.oid = t.typcollation
       AND t.typcollation <> (SELECT b.typcollation FROM pg_type b WHERE b.oid = t.typbasetype)
  LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
  LEFT JOIN pg_range r ON r.rngtypid = t.oid
  LEFT JOIN pg_type st ON st.oid = r.rngsubtype
  LEFT JOIN pg_opclass opc ON opc.oid = r.rngsubopc
  LEFT JOIN pg_namespace opn ON opn.oid = opc.opcnamespace
  LEFT JOIN pg_collation rco ON rco.oid = r.rngcollation
  LEFT JOIN pg_namespace rcn ON rcn.oid = rco.collnamespace
 WHERE n.nspname = ANY($1)
   AND (t.typtype IN ('e', 'd', 'r') OR (t.typtype = 'c' AND rel.relkind = 'c'))
   AND NOT EXISTS (SELECT 1 FROM pg_depend e
                    WHERE e.classid = 'pg_type'::regclass AND e.objid = t.oid AND e.deptype = 'e')
 ORDER BY n.nspname, t.typname
