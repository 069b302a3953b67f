-- Privileges on the relations (tables, views, sequences), their columns, the routines and
-- the types of the managed schemas ($1), one row per grantee and privilege. Grantee 0 is
-- PUBLIC. The owner's own privileges are implicit and left out.
--
-- Rows come in the order of the ACL array (then privilege by privilege within one entry),
-- because that is the order pg_dump prints GRANTs in: replaying them in this order gives
-- the same array, and so the same dump.
--
-- A routine without an ACL has the default one, which lets PUBLIC execute it, and a type
-- the one that lets PUBLIC use it. They are read as that default, so that a routine whose
-- EXECUTE was revoked from PUBLIC (an explicit ACL without PUBLIC) can be told from one
-- nobody touched. Relations have no such default for anyone but their owner. Types are
-- those types.sql reads (array types and the row types of relations have no ACL of their
-- own to dump).
SELECT o.catalog,
       o.objid,
       o.attnum,
       CASE WHEN acl.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(acl.grantee)::text END AS grantee,
       acl.privilege_type AS privilege,
       acl.is_grantable AS grantable
  FROM (SELECT 'pg_class' AS catalog, c.oid AS objid, 0::int2 AS attnum, c.relowner AS owner,
               c.relacl AS acl
          FROM pg_class c
          JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S') AND n.nspname = ANY($1)
        UNION ALL
        SELECT 'pg_class', c.oid, a.attnum, c.relowner, a.attacl
          FROM pg_attribute a
          JOIN pg_class c ON c.oid = a.attrelid
          JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relkind IN ('r', 'p', 'v', 'm') AND n.nspname = ANY($1)
           AND a.attnum > 0 AND NOT a.attisdropped
        UNION ALL
        SELECT 'pg_proc', p.oid, 0::int2, p.proowner, COALESCE(p.proacl, acldefault('f', p.proowner))
          FROM pg_proc p
          JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE n.nspname = ANY($1)
        UNION ALL
        SELECT 'pg_type', t.oid, 0::int2, t.typowner, COALESCE(t.typacl, acldefault('T', t.typowner))
          FROM pg_type t
          JOIN pg_namespace n ON n.oid = t.typnamespace
          LEFT JOIN pg_class rel ON rel.oid = t.typrelid
         WHERE n.nspname = ANY($1)
           AND (t.typtype IN ('e', 'd', 'r') OR (t.typtype = 'c' AND rel.relkind = 'c'))) AS o
 CROSS JOIN LATERAL unnest(o.acl) WITH ORDINALITY AS item(entry, position)
 CROSS JOIN LATERAL aclexplode(ARRAY[item.entry]) WITH ORDINALITY
       AS acl(grantor, grantee, privilege_type, is_grantable, bit)
 WHERE NOT (acl.grantor = o.owner AND acl.grantee = o.owner)
 ORDER BY o.catalog, o.objid, o.attnum, item.position, acl.bit
