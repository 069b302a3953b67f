-- Operators of the managed schemas ($1), without those that belong to an extension and
-- without shell operators: a name that another operator's COMMUTATOR or NEGATOR made and
-- that no CREATE OPERATOR completed has no function (oprcode = 0), and pg_dump leaves it out
-- too. Functions come as regproc prints them under the snapshot's search_path (qualified
-- unless in pg_catalog), operators as OPERATOR(schema.symbols), types as format_type.
SELECT o.oid,
       n.nspname::text AS schema,
       o.oprname::text AS name,
       CASE WHEN o.oprleft <> 0 THEN format_type(o.oprleft, NULL) END AS left_type,
       format_type(o.oprright, NULL) AS right_type,
       o.oprcode::regproc::text AS function,
       (SELECT 'OPERATOR(' || quote_ident(cn.nspname) || '.' || c.oprname || ')'
          FROM pg_operator c
          JOIN pg_namespace cn ON cn.oid = c.oprnamespace
         WHERE c.oid = o.oprcom) AS commutator,
       (SELECT 'OPERATOR(' || quote_ident(gn.nspname) || '.' || g.oprname || ')'
          FROM pg_operator g
          JOIN pg_namespace gn ON gn.oid = g.oprnamespace
         WHERE g.oid = o.oprnegate) AS negator,
       CASE WHEN o.oprrest <> 0 THEN o.oprrest::regproc::text END AS restrict,
       CASE WHEN o.oprjoin <> 0 THEN o.oprjoin::regproc::text END AS join,
       o.oprcanhash AS hashes,
       o.oprcanmerge AS merges,
       pg_get_userbyid(o.oprowner)::text AS owner
  FROM pg_operator o
  JOIN pg_namespace n ON n.oid = o.oprnamespace
 WHERE n.nspname = ANY($1)
   AND o.oprcode <> 0
   AND NOT EXISTS (SELECT 1 FROM pg_depend e
                    WHERE e.classid = 'pg_operator'::regclass AND e.objid = o.oid AND e.deptype = 'e')
 ORDER BY n.nspname, o.oprname, o.oprleft, o.oprright
