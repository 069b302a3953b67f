-- The managed schemas ($1) themselves, in the order given: owner, comment, and the
-- privileges to revoke and to grant on them, one row per privilege (a schema without any
-- comes once, with no grantee): the revokes first, then the grants in the order of the ACL.
--
-- Privileges are read relative to those the schema has as soon as it exists, as pg_dump
-- prints schema privileges: its owner's, and for a schema with initial privileges (public,
-- with USAGE for PUBLIC) those. Like pg_dump, they are compared entry by entry (grantee,
-- grantor and privileges): an initial entry production does not have as it is (public's
-- USAGE for PUBLIC revoked, or CREATE granted to PUBLIC beside it) is revoked whole, and
-- each entry of production's ACL that is not an initial one is granted whole. Revoking an
-- entry whole before granting it again puts it where production's ACL has it, after the
-- grants that came before. The owner's own entry, and the initial owner's when the
-- schema changed hands, are left out: ownership is not reproduced. Nothing else is ever revoked: a platform may grant more on its own schemas
-- than a migration should take away.
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
       g.revoke,
       g.grantee,
       g.privilege,
       g.grantable
  FROM managed s
  LEFT JOIN pg_description d ON d.classoid = 'pg_namespace'::regclass
       AND d.objoid = s.oid AND d.objsubid = 0
  LEFT JOIN LATERAL (
       SELECT changed.revoke,
              CASE WHEN acl.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(acl.grantee)::text END
                AS grantee,
              acl.privilege_type AS privilege,
              acl.is_grantable AS grantable,
              changed.position,
              acl.bit
         FROM (SELECT true AS revoke, item.entry, item.position
                 FROM unnest(s.baseline) WITH ORDINALITY AS item(entry, position)
                WHERE NOT item.entry = ANY (s.acl)
               UNION ALL
               SELECT false, item.entry, item.position
                 FROM unnest(s.acl) WITH ORDINALITY AS item(entry, position)
                WHERE NOT item.entry = ANY (s.baseline)) AS changed
        CROSS JOIN LATERAL aclexplode(ARRAY[changed.entry]) WITH ORDINALITY
              AS acl(grantor, grantee, privilege_type, is_grantable, bit)
        WHERE acl.grantee <> s.nspowner
          -- The initial owner's own entry (public's pg_database_owner) goes with ownership.
          AND NOT (changed.revoke AND acl.grantee = acl.grantor)) AS g ON true
 ORDER BY s.position, g.revoke DESC, g.position, g.bit
