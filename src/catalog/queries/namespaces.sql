-- The managed schemas ($1) themselves, in the order given: owner, comment, and the
-- privileges granted on them, one row per privilege (a schema without any comes once, with
-- no grantee), in the order of the ACL.
--
-- Privileges are read relative to those the schema has as soon as it exists, which is what
-- pg_dump prints schema privileges against: its owner's, and for a schema with initial
-- privileges (public, with USAGE for PUBLIC) those. What production grants beyond them is
-- what a new database needs; what it revoked from them is not read (a platform may grant
-- more on its own schemas than a migration should take away).
--
-- Every new database has public with the comment 'standard public schema'; that comment is
-- read as no comment, since there is nothing to reproduce.
WITH managed AS (
  SELECT n.oid, n.nspname, n.nspowner, m.position,
         COALESCE(n.nspacl, acldefault('n', n.nspowner)) AS acl,
         COALESCE(ip.initprivs, acldefault('n', n.nspowner)) AS baseline
    FROM unnest($1::text[]) WITH ORDINALITY AS m(name, position)
    JOIN pg_namespace n ON n.nspname = m.name
    LEFT JOIN pg_init_privs ip ON ip.classoid = 'pg_namespace'::regclass
         AND ip.objoid = n.oid AND ip.objsubid = 0
)
SELECT s.nspname::text AS name,
       pg_get_userbyid(s.nspowner)::text AS owner,
       CASE WHEN s.nspname = 'public' AND d.description = 'standard public schema' THEN NULL
            ELSE d.description END AS comment,
       g.grantee,
       g.privilege,
       g.grantable
  FROM managed s
  LEFT JOIN pg_description d ON d.classoid = 'pg_namespace'::regclass
       AND d.objoid = s.oid AND d.objsubid = 0
  LEFT JOIN LATERAL (
       SELECT CASE WHEN acl.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(acl.grantee)::text END
                AS grantee,
              acl.privilege_type AS privilege,
              acl.is_grantable AS grantable,
              item.position,
              acl.bit
         FROM unnest(s.acl) WITH ORDINALITY AS item(entry, position)
        CROSS JOIN LATERAL aclexplode(ARRAY[item.entry]) WITH ORDINALITY
              AS acl(grantor, grantee, privilege_type, is_grantable, bit)
        WHERE acl.grantee <> s.nspowner
          AND NOT EXISTS (SELECT 1 FROM aclexplode(s.baseline) AS b
                           WHERE b.grantee = acl.grantee
                             AND b.privilege_type = acl.privilege_type
                             AND b.is_grantable = acl.is_grantable)) AS g ON true
 ORDER BY s.position, g.position, g.bit
