-- Every installed extension, whatever schema it lives in.
SELECT e.extname::text AS name,
       n.nspname::text AS schema,
       e.extversion AS version
  FROM pg_extension e
  JOIN pg_namespace n ON n.oid = e.extnamespace
 ORDER BY e.extname
