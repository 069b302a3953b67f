-- Table constraints of the managed schemas ($1). Domain constraints are read with the
-- types (types.sql); NOT NULL, which PostgreSQL 18 also keeps here (contype 'n'), is read
-- with the columns. A constraint that a partition or an inheritance child only has because
-- its parent has it comes back with is_local = false.
--
-- pg_get_constraintdef leaves out the storage parameters of the index behind a primary key
-- or unique constraint (an exclusion constraint's definition has them). They are put back
-- as ALTER TABLE takes them, `WITH (fillfactor='80')` (each value quoted unless it is a
-- plain identifier, as the server prints reloptions), before DEFERRABLE.
--
-- $2 is false for a summary read: the definition is then empty.
SELECT con.oid,
       con.conrelid AS table_oid,
       con.conname::text AS name,
       con.contype,
       CASE WHEN NOT $2 THEN ''
            WHEN con.contype IN ('p', 'u') AND ic.reloptions IS NOT NULL
            THEN left(d.definition, length(d.definition) - length(d.deferral))
                 || ' WITH ('
                 || (SELECT string_agg(split_part(r.option, '=', 1) || '='
                                       || CASE WHEN quote_ident(v) = v THEN v ELSE quote_literal(v) END,
                                       ', ' ORDER BY r.position)
                       FROM unnest(ic.reloptions) WITH ORDINALITY AS r(option, position),
                            substr(r.option, strpos(r.option, '=') + 1) AS v)
                 || ')' || d.deferral
            ELSE d.definition END AS definition,
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
  LEFT JOIN pg_class ic ON ic.oid = con.conindid AND con.contype IN ('p', 'u')
 CROSS JOIN LATERAL (
       SELECT CASE WHEN $2 THEN pg_get_constraintdef(con.oid, true) END AS definition,
              CASE WHEN con.condeferrable THEN ' DEFERRABLE' ELSE '' END
              || CASE WHEN con.condeferred THEN ' INITIALLY DEFERRED' ELSE '' END AS deferral) AS d
 WHERE c.relkind IN ('r', 'p')
   AND con.contype <> 'n'
   AND n.nspname = ANY($1)
   AND NOT EXISTS (SELECT 1 FROM pg_depend e
                    WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid AND e.deptype = 'e')
 ORDER BY con.conrelid, con.conname
