-- Default privileges (ALTER DEFAULT PRIVILEGES), one row per owner, schema (NULL for the
-- defaults of every schema), kind of object, privilege and grantee, in catalog order.
SELECT pg_get_userbyid(d.defaclrole)::text AS owner,
       n.nspname::text AS schema,
       CASE d.defaclobjtype WHEN 'r' THEN 'TABLES' WHEN 'S' THEN 'SEQUENCES'
            WHEN 'f' THEN 'FUNCTIONS' WHEN 'T' THEN 'TYPES' ELSE 'SCHEMAS' END AS objects,
       a.privilege_type::text AS privilege,
       CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee)::text END AS grantee,
       a.is_grantable AS grantable
  FROM pg_default_acl d
  LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace
 CROSS JOIN LATERAL aclexplode(d.defaclacl) AS a
 ORDER BY d.oid, 2, 3
