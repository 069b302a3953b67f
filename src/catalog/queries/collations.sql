-- Collations of the managed schemas ($1), without those that belong to an extension, with
-- the options of CREATE COLLATION as pg_dump writes them: the provider, deterministic when
-- it is not, and the locale (one for ICU, LC_COLLATE and LC_CTYPE for libc, as one locale
-- when they are the same). The ICU locale is read from the row as JSON, so that the query
-- runs where the column is named colliculocale (PostgreSQL 15 and 16) and where it is named
-- colllocale (17 and later). The version is the library's, which a new database records
-- for itself; the encoding is left to the database's.
SELECT c.oid,
       n.nspname::text AS schema,
       c.collname::text AS name,
       pg_get_userbyid(c.collowner)::text AS owner,
       concat_ws(', ',
         'provider = ' || CASE c.collprovider WHEN 'i' THEN 'icu' WHEN 'c' THEN 'libc'
                                               WHEN 'b' THEN 'builtin' ELSE 'default' END,
         CASE WHEN NOT c.collisdeterministic THEN 'deterministic = false' END,
         CASE WHEN c.collprovider IN ('i', 'b')
              THEN 'locale = ' || quote_literal(COALESCE(to_jsonb(c) ->> 'colllocale',
                                                         to_jsonb(c) ->> 'colliculocale', ''))
              WHEN c.collcollate = c.collctype
              THEN 'locale = ' || quote_literal(c.collcollate)
              ELSE 'lc_collate = ' || quote_literal(c.collcollate)
                   || ', lc_ctype = ' || quote_literal(c.collctype) END,
         CASE WHEN c.collprovider = 'i' AND to_jsonb(c) ->> 'collicurules' IS NOT NULL
              THEN 'rules = ' || quote_literal(to_jsonb(c) ->> 'collicurules') END
       ) AS definition
  FROM pg_collation c
  JOIN pg_namespace n ON n.oid = c.collnamespace
 WHERE n.nspname = ANY($1)
   AND NOT EXISTS (SELECT 1 FROM pg_depend e
                    WHERE e.classid = 'pg_collation'::regclass AND e.objid = c.oid AND e.deptype = 'e')
 ORDER BY n.nspname, c.collname
