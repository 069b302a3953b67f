-- Explicit privileges on the relations (tables, views, sequences), their columns and the
-- routines of the managed schemas ($1), one row per grantee and privilege. Grantee 0 is
-- PUBLIC. The owner's own privileges are implicit and left out.
SELECT g.catalog,
       g.objid,
       g.attnum,
       CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(g.grantee)::text END AS grantee,
       g.privilege_type AS privilege,
       g.is_grantable AS grantable
  FROM (SELECT 'pg_class' AS catalog, c.oid AS objid, 0::int2 AS attnum, c.relowner AS owner, acl.*
          FROM pg_class c
          JOIN pg_namespace n ON n.oid = c.relnamespace
         CROSS JOIN LATERAL aclexplode(c.relacl) AS acl
         WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S') AND n.nspname = ANY($1)
        UNION ALL
        SELECT 'pg_class', c.oid, a.attnum, c.relowner, acl.*
          FROM pg_attribute a
          JOIN pg_class c ON c.oid = a.attrelid
          JOIN pg_namespace n ON n.oid = c.relnamespace
         CROSS JOIN LATERAL aclexplode(a.attacl) AS acl
         WHERE c.relkind IN ('r', 'p', 'v', 'm') AND n.nspname = ANY($1)
           AND a.attnum > 0 AND NOT a.attisdropped
        UNION ALL
        SELECT 'pg_proc', p.oid, 0::int2, p.proowner, acl.*
          FROM pg_proc p
          JOIN pg_namespace n ON n.oid = p.pronamespace
         CROSS JOIN LATERAL aclexplode(p.proacl) AS acl
         WHERE n.nspname = ANY($1)) AS g
 WHERE NOT (g.grantor = g.owner AND g.grantee = g.owner)
 ORDER BY g.catalog, g.objid, g.attnum,
          CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(g.grantee)::text END COLLATE "C",
          g.privilege_type COLLATE "C"
