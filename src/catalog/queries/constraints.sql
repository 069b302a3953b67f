-- Table constraints of the managed schemas ($1). Domain constraints are read with the
-- types (types.sql); NOT NULL, which PostgreSQL 18 also keeps here (contype 'n'), is read
-- with the columns. A constraint that a partition or an inheritance child only has because
-- its parent has it comes back with is_local = false.
SELECT con.oid,
       con.conrelid AS table_oid,
       con.conname::text AS name,
       con.contype,
       pg_get_constraintdef(con.oid, true) AS definition,
       con.convalidated AS validated,
       con.condeferrable AS deferrable,
       con.condeferred AS initially_deferred,
       fn.nspname::text AS references_schema,
       fc.relname::text AS references_name,
       con.conislocal AND con.conparentid = 0 AS is_local
  FROM pg_constraint con
  JOIN pg_class c ON c.oid = con.conrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_class fc ON fc.oid = con.confrelid
  LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace
 WHERE c.relkind IN ('r', 'p')
   AND con.contype <> 'n'
   AND n.nspname = ANY($1)
   AND NOT EXISTS (SELECT 1 FROM pg_depend e
                    WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid AND e.deptype = 'e')
 ORDER BY con.conrelid, con.conname
