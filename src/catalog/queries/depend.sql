-- What the objects of the managed schemas ($1) need, read from pg_depend.
--
-- `holder` lists every dependent object pgdrift models, as the pg_depend key
-- (classid, objid, objsubid) it is recorded under, with the relation, type or routine that
-- owns it and the part of that owner it is (a column, constraint, index, policy, trigger,
-- rule, or the whole object: a view's rules, its query among them, are the view's).
-- `target` names every relation, type, routine and collation outside pg_catalog and
-- information_schema: an index stands for its table, an array type for its element, a row
-- type for its relation and a multirange for its range. Routines carry their argument types,
-- operators their operand types (left_type is NULL for a prefix operator).
--
-- An operator class is no kind of the model, and the one an index uses may come from an
-- extension (pg_trgm's gin_trgm_ops): the index then needs that extension. An operator
-- class stands for its first support function outside pg_catalog (by amprocnum, those for
-- the class's own input type first), which is a routine of the same extension
-- (gin_trgm_ops: gin_extract_value_trgm(text, internal)), so that the index part depends on
-- a routine in the extension's schema.
--
-- Left out: extension membership ('e', 'x'), internal links ('i': a view's rule to the view,
-- an identity sequence to its column, an array to its element), and the links of a
-- partition's cloned indexes and constraints to their parents ('P', 'S'). Sequences hold no
-- dependencies here; their owning column is read with the sequences.
WITH rel AS (
  SELECT c.oid, c.relkind
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE c.relkind IN ('r', 'p', 'v', 'm', 'c')
     AND n.nspname = ANY($1)
     AND NOT EXISTS (SELECT 1 FROM pg_depend e
                      WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid AND e.deptype = 'e')
),
holder (classid, objid, objsubid, owner_class, owner_oid, part, part_name) AS (
  -- A relation and its columns, those of them that pg_depend records anything for (most
  -- columns have a built-in type, which is pinned and never recorded).
  SELECT DISTINCT 'pg_class'::regclass, r.oid, d.objsubid, 'pg_class'::regclass, r.oid,
         CASE WHEN d.objsubid > 0 AND r.relkind IN ('r', 'p') THEN 'column' ELSE 'whole' END,
         CASE WHEN d.objsubid > 0 AND r.relkind IN ('r', 'p') THEN a.attname::text END
    FROM rel r
    JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = r.oid
    LEFT JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum = d.objsubid
         AND d.objsubid > 0 AND NOT a.attisdropped
   WHERE d.objsubid = 0 OR a.attnum IS NOT NULL
  UNION ALL
  SELECT 'pg_class'::regclass, i.indexrelid, 0, 'pg_class'::regclass, r.oid,
         CASE WHEN con.oid IS NULL THEN 'index' ELSE 'constraint' END,
         COALESCE(con.conname, ic.relname)::text
    FROM rel r
    JOIN pg_index i ON i.indrelid = r.oid
    JOIN pg_class ic ON ic.oid = i.indexrelid
    LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid
         AND con.contype IN ('p', 'u', 'x')
  UNION ALL
  SELECT 'pg_attrdef'::regclass, ad.oid, 0, 'pg_class'::regclass, r.oid, 'column', a.attname::text
    FROM rel r
    JOIN pg_attrdef ad ON ad.adrelid = r.oid
    JOIN pg_attribute a ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum
  UNION ALL
  SELECT 'pg_constraint'::regclass, con.oid, 0, 'pg_class'::regclass, r.oid, 'constraint', con.conname::text
    FROM rel r
    JOIN pg_constraint con ON con.conrelid = r.oid
  UNION ALL
  SELECT 'pg_policy'::regclass, p.oid, 0, 'pg_class'::regclass, r.oid, 'policy', p.polname::text
    FROM rel r
    JOIN pg_policy p ON p.polrelid = r.oid
  UNION ALL
  SELECT 'pg_trigger'::regclass, t.oid, 0, 'pg_class'::regclass, r.oid, 'trigger', t.tgname::text
    FROM rel r
    JOIN pg_trigger t ON t.tgrelid = r.oid
   WHERE NOT t.tgisinternal AND t.tgparentid = 0
  UNION ALL
  SELECT 'pg_rewrite'::regclass, rw.oid, 0, 'pg_class'::regclass, r.oid,
         CASE WHEN r.relkind IN ('r', 'p') THEN 'rule' ELSE 'whole' END,
         CASE WHEN r.relkind IN ('r', 'p') THEN rw.rulename::text END
    FROM rel r
    JOIN pg_rewrite rw ON rw.ev_class = r.oid
   WHERE r.relkind IN ('r', 'p', 'v', 'm')
  UNION ALL
  SELECT 'pg_proc'::regclass, p.oid, 0, 'pg_proc'::regclass, p.oid, 'whole', NULL
    FROM pg_proc p
    JOIN pg_namespace n ON n.oid = p.pronamespace
   WHERE n.nspname = ANY($1)
     AND NOT EXISTS (SELECT 1 FROM pg_depend e
                      WHERE e.classid = 'pg_proc'::regclass AND e.objid = p.oid AND e.deptype IN ('e', 'i'))
  UNION ALL
  SELECT 'pg_operator'::regclass, o.oid, 0, 'pg_operator'::regclass, o.oid, 'whole', NULL
    FROM pg_operator o
    JOIN pg_namespace n ON n.oid = o.oprnamespace
   WHERE n.nspname = ANY($1)
     AND NOT EXISTS (SELECT 1 FROM pg_depend e
                      WHERE e.classid = 'pg_operator'::regclass AND e.objid = o.oid AND e.deptype = 'e')
  UNION ALL
  SELECT 'pg_type'::regclass, t.oid, 0, 'pg_type'::regclass, t.oid, 'whole', NULL
    FROM pg_type t
    JOIN pg_namespace n ON n.oid = t.typnamespace
   WHERE t.typtype IN ('e', 'd', 'r')
     AND n.nspname = ANY($1)
     AND NOT EXISTS (SELECT 1 FROM pg_depend e
                      WHERE e.classid = 'pg_type'::regclass AND e.objid = t.oid AND e.deptype = 'e')
  UNION ALL
  SELECT 'pg_constraint'::regclass, con.oid, 0, 'pg_type'::regclass, t.oid, 'constraint', con.conname::text
    FROM pg_type t
    JOIN pg_namespace n ON n.oid = t.typnamespace
    JOIN pg_constraint con ON con.contypid = t.oid
   WHERE n.nspname = ANY($1)
     AND NOT EXISTS (SELECT 1 FROM pg_depend e
                      WHERE e.classid = 'pg_type'::regclass AND e.objid = t.oid AND e.deptype = 'e')
),
rel_key AS (
  SELECT c.oid,
         CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized_view'
                        WHEN 'S' THEN 'sequence' WHEN 'c' THEN 'type' ELSE 'table' END AS kind,
         n.nspname::text AS schema, c.relname::text AS name
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE c.relkind IN ('r', 'p', 'f', 'v', 'm', 'S', 'c')
     AND n.nspname NOT IN ('pg_catalog', 'information_schema')
),
target (classid, objid, kind, schema, name, argument_types, left_type, right_type) AS (
  SELECT 'pg_class'::regclass, c.oid, k.kind, k.schema, k.name, NULL::oidvector, NULL::text, NULL::text
    FROM pg_class c
    LEFT JOIN pg_index i ON i.indexrelid = c.oid
    JOIN rel_key k ON k.oid = COALESCE(i.indrelid, c.oid)
  UNION ALL
  SELECT 'pg_type'::regclass, t.oid, COALESCE(k.kind, 'type'),
         COALESCE(k.schema, n.nspname::text), COALESCE(k.name, b.typname::text), NULL, NULL, NULL
    FROM pg_type t
    LEFT JOIN pg_type elem ON elem.typarray = t.oid
    LEFT JOIN pg_range mr ON mr.rngmultitypid = COALESCE(elem.oid, t.oid)
    JOIN pg_type b ON b.oid = COALESCE(mr.rngtypid, elem.oid, t.oid)
    JOIN pg_namespace n ON n.oid = b.typnamespace
    LEFT JOIN rel_key k ON k.oid = b.typrelid
   WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
  UNION ALL
  SELECT 'pg_proc'::regclass, p.oid, CASE WHEN p.prokind = 'p' THEN 'procedure' ELSE 'function' END,
         n.nspname::text, p.proname::text, p.proargtypes, NULL, NULL
    FROM pg_proc p
    JOIN pg_namespace n ON n.oid = p.pronamespace
   WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
  UNION ALL
  SELECT 'pg_collation'::regclass, co.oid, 'collation', n.nspname::text, co.collname::text, NULL,
         NULL, NULL
    FROM pg_collation co
    JOIN pg_namespace n ON n.oid = co.collnamespace
   WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
  UNION ALL
  SELECT 'pg_operator'::regclass, o.oid, 'operator', n.nspname::text, o.oprname::text, NULL,
         CASE WHEN o.oprleft <> 0 THEN format_type(o.oprleft, NULL) END,
         format_type(o.oprright, NULL)
    FROM pg_operator o
    JOIN pg_namespace n ON n.oid = o.oprnamespace
   WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
  UNION ALL
  SELECT 'pg_opclass'::regclass, opc.oid, 'function', f.schema, f.name, f.argument_types, NULL, NULL
    FROM pg_opclass opc
   CROSS JOIN LATERAL (
         SELECT n.nspname::text AS schema, p.proname::text AS name, p.proargtypes AS argument_types
           FROM pg_amproc ap
           JOIN pg_proc p ON p.oid = ap.amproc
           JOIN pg_namespace n ON n.oid = p.pronamespace
          WHERE ap.amprocfamily = opc.opcfamily
            AND n.nspname NOT IN ('pg_catalog', 'information_schema')
          ORDER BY ap.amproclefttype = opc.opcintype AND ap.amprocrighttype = opc.opcintype DESC,
                   ap.amprocnum, ap.amproclefttype, ap.amprocrighttype
          LIMIT 1) AS f
)
-- Two kinds of rows: each dependency edge (`edge`: the holder's owner and part, and the
-- object it needs, as catalog keys) and each object a key may name (`target`). The names are
-- joined to the edges by the reader: done here, the join would rescan `target` for every
-- edge when the planner misjudges the edge count.
SELECT 'edge' AS row_kind,
       h.owner_class::oid AS class, h.owner_oid AS objid,
       d.refclassid AS ref_class, d.refobjid AS ref_objid,
       h.part, h.part_name,
       NULL::text AS kind, NULL::text AS schema, NULL::text AS name, NULL::text AS arguments,
       NULL::text AS left_type, NULL::text AS right_type
  FROM holder h
  JOIN pg_depend d ON d.classid = h.classid AND d.objid = h.objid AND d.objsubid = h.objsubid
 WHERE d.deptype NOT IN ('e', 'x', 'i', 'P', 'S')
   -- A part's link to its own relation (a constraint or default to the table's columns, a
   -- policy to its table) says nothing the model does not know.
   AND NOT (d.refclassid = h.owner_class AND d.refobjid = h.owner_oid)
UNION ALL
SELECT 'target', t.classid::oid, t.objid, NULL, NULL, NULL, NULL,
       t.kind, t.schema, t.name, oidvectortypes(t.argument_types), t.left_type, t.right_type
  FROM target t
