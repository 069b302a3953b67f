-- Routines of the managed schemas ($1) that belong to an extension and whose privileges
-- were changed after the extension was created (their ACL is not the one pg_init_privs
-- recorded), in extension and name order. Their grants are in grants.sql's rows.
SELECT e.extname::text AS extension,
       p.oid AS objid,
       p.prokind = 'p' AS procedure,
       format('%I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)) AS target
  FROM pg_depend d
  JOIN pg_extension e ON e.oid = d.refobjid
  JOIN pg_proc p ON p.oid = d.objid
  JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE d.classid = 'pg_proc'::regclass AND d.refclassid = 'pg_extension'::regclass
   AND d.deptype = 'e' AND n.nspname = ANY($1)
   AND p.proacl IS DISTINCT FROM (SELECT i.initprivs FROM pg_init_privs i
                                   WHERE i.objoid = p.oid AND i.classoid = 'pg_proc'::regclass
                                     AND i.objsubid = 0)
 ORDER BY 1, 4
