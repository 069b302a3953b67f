-- Functions, procedures, aggregates and window functions of the managed schemas ($1),
-- without those that belong to an extension and without the constructors PostgreSQL makes
-- for a range type (they depend on it with deptype 'i').
--
-- pg_get_functiondef prints nothing for an aggregate: its CREATE AGGREGATE is put together
-- from the agg_* columns (pg_aggregate), which are empty for every other routine. Functions
-- and types are printed as regproc and format_type print them under the snapshot's
-- search_path (pg_catalog only), so they come out qualified outside pg_catalog.
SELECT p.oid,
       n.nspname::text AS schema,
       p.proname::text AS name,
       p.prokind,
       oidvectortypes(p.proargtypes) AS argument_types,
       pg_get_function_identity_arguments(p.oid) AS identity_arguments,
       CASE WHEN p.prokind = 'a' THEN '' ELSE pg_get_functiondef(p.oid) END AS definition,
       l.lanname::text AS language,
       pg_get_userbyid(p.proowner)::text AS owner,
       p.proparallel AS parallel,
       a.aggkind AS agg_kind,
       a.aggtransfn::text AS agg_transfn,
       format_type(a.aggtranstype, NULL) AS agg_transtype,
       a.aggtransspace AS agg_transspace,
       a.agginitval AS agg_initval,
       CASE WHEN a.aggfinalfn <> 0 THEN a.aggfinalfn::text END AS agg_finalfn,
       a.aggfinalextra AS agg_finalextra,
       a.aggfinalmodify AS agg_finalmodify,
       CASE WHEN a.aggcombinefn <> 0 THEN a.aggcombinefn::text END AS agg_combinefn,
       CASE WHEN a.aggserialfn <> 0 THEN a.aggserialfn::text END AS agg_serialfn,
       CASE WHEN a.aggdeserialfn <> 0 THEN a.aggdeserialfn::text END AS agg_deserialfn,
       CASE WHEN a.aggmtransfn <> 0 THEN a.aggmtransfn::text END AS agg_mtransfn,
       CASE WHEN a.aggminvtransfn <> 0 THEN a.aggminvtransfn::text END AS agg_minvtransfn,
       CASE WHEN a.aggmtranstype <> 0 THEN format_type(a.aggmtranstype, NULL) END AS agg_mtranstype,
       a.aggmtransspace AS agg_mtransspace,
       a.aggminitval AS agg_minitval,
       CASE WHEN a.aggmfinalfn <> 0 THEN a.aggmfinalfn::text END AS agg_mfinalfn,
       a.aggmfinalextra AS agg_mfinalextra,
       a.aggmfinalmodify AS agg_mfinalmodify,
       'OPERATOR(' || quote_ident(opn.nspname) || '.' || op.oprname || ')' AS agg_sortop
  FROM pg_proc p
  JOIN pg_namespace n ON n.oid = p.pronamespace
  JOIN pg_language l ON l.oid = p.prolang
  LEFT JOIN pg_aggregate a ON a.aggfnoid = p.oid
  LEFT JOIN pg_operator op ON op.oid = a.aggsortop
  LEFT JOIN pg_namespace opn ON opn.oid = op.oprnamespace
 WHERE n.nspname = ANY($1)
   AND NOT EXISTS (SELECT 1 FROM pg_depend e
                    WHERE e.classid = 'pg_proc'::regclass AND e.objid = p.oid AND e.deptype IN ('e', 'i'))
 ORDER BY n.nspname, p.proname, oidvectortypes(p.proargtypes) COLLATE "C"
