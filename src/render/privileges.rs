//! Privileges exactly as production has them, whatever the database the file runs in
//! grants by default.
//!
//! Supabase runs `ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ... TO anon,
//! authenticated, service_role` on tables, sequences and functions, so an object created by
//! a migration starts with grants production may have revoked. The statements therefore
//! take every privilege away first (from PUBLIC, from every role production grants to, and
//! for those kinds from the API roles where they exist), then grant production's privileges
//! in the order of its ACL, which is the order pg_dump prints them in.

use crate::model::Grant;
use serde::Serialize;

/// The roles Supabase's default privileges grant to.
const API_ROLES: [&str; 3] = ["anon", "authenticated", "service_role"];

/// The context of `grants.sql.tera` for one object.
#[derive(Serialize)]
pub(super) struct Privileges {
    /// `TABLE`, `SEQUENCE`, `FUNCTION`, `PROCEDURE`, `TYPE` or `SCHEMA`.
    kind: &'static str,
    /// The object as SQL: `public.t`, `public.f(a integer)`.
    target: String,
    /// Roles production grants to, PUBLIC aside, in order of first appearance.
    grantees: Vec<String>,
    /// The API roles that are not among `grantees`.
    api_roles: Vec<&'static str>,
    grants: Vec<GrantGroup>,
    /// False to only grant: for a column added to a table whose privileges are set.
    revoke: bool,
}

/// One GRANT statement: privileges, on the object or on some of its columns, to roles.
#[derive(Serialize, PartialEq, Eq)]
struct GrantGroup {
    privileges: Vec<String>,
    /// Empty for privileges on the object itself.
    columns: Vec<String>,
    grantees: Vec<String>,
    grant_option: bool,
}

impl Privileges {
    /// Privileges on an object, then on its columns (`(column name, grants)`).
    pub(super) fn new<'g>(
        kind: &'static str,
        target: String,
        grants: &[Grant],
        columns: impl IntoIterator<Item = (String, &'g [Grant])>,
    ) -> Privileges {
        let mut groups = group(grants);
        let mut column_groups: Vec<GrantGroup> = Vec::new();
        let mut batch_start = 0;
        for (column, grants) in columns {
            let own = group(grants);
            if own.is_empty() {
                continue;
            }
            // Columns granted exactly alike share statements: `SELECT (a, b)`.
            let batch = &mut column_groups[batch_start..];
            let alike = batch.len() == own.len()
                && batch.iter().zip(&own).all(|(b, o)| {
                    (&b.privileges, &b.grantees, b.grant_option)
                        == (&o.privileges, &o.grantees, o.grant_option)
                });
            if alike {
                batch
                    .iter_mut()
                    .for_each(|b| b.columns.push(column.clone()));
            } else {
                batch_start = column_groups.len();
                column_groups.extend(own.into_iter().map(|g| GrantGroup {
                    columns: vec![column.clone()],
                    ..g
                }));
            }
        }
        groups.extend(column_groups);
        let mut grantees: Vec<String> = Vec::new();
        for g in groups.iter().flat_map(|g| &g.grantees) {
            if g != "PUBLIC" && !grantees.contains(g) {
                grantees.push(g.clone());
            }
        }
        let api_roles = API_ROLES
            .into_iter()
            .filter(|r| !grantees.iter().any(|g| g == r))
            .collect();
        Privileges {
            kind,
            target,
            grantees,
            api_roles,
            grants: groups,
            revoke: true,
        }
    }

    /// Without the guarded revokes from the API roles: for objects Supabase's default
    /// privileges grant them nothing on (types).
    pub(super) fn without_api_roles(self) -> Privileges {
        Privileges {
            api_roles: Vec::new(),
            ..self
        }
    }

    /// Only the GRANTs, without taking anything away first.
    pub(super) fn without_revoke(self) -> Privileges {
        Privileges {
            revoke: false,
            ..self
        }
    }
}

/// Grants in ACL order as statements that rebuild the same ACL: a grantee's consecutive
/// privileges in one statement, then consecutive grantees with the same privileges in one
/// statement (each grantee is appended to the ACL in the order named).
fn group(grants: &[Grant]) -> Vec<GrantGroup> {
    let mut entries: Vec<GrantGroup> = Vec::new();
    for grant in grants {
        match entries.last_mut() {
            Some(last)
                if last.grantees == [grant.grantee.as_str()]
                    && last.grant_option == grant.grantable =>
            {
                last.privileges.push(grant.privilege.clone());
            }
            _ => entries.push(GrantGroup {
                privileges: vec![grant.privilege.clone()],
                columns: Vec::new(),
                grantees: vec![grant.grantee.clone()],
                grant_option: grant.grantable,
            }),
        }
    }
    let mut groups: Vec<GrantGroup> = Vec::new();
    for entry in entries {
        match groups.last_mut() {
            Some(last)
                if last.privileges == entry.privileges
                    && last.grant_option == entry.grant_option
                    && !last.grantees.contains(&entry.grantees[0]) =>
            {
                last.grantees.extend(entry.grantees);
            }
            _ => groups.push(entry),
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(grantee: &str, privilege: &str, grantable: bool) -> Grant {
        Grant {
            grantee: grantee.into(),
            privilege: privilege.into(),
            grantable,
        }
    }

    fn summary(p: &Privileges) -> Vec<String> {
        p.grants
            .iter()
            .map(|g| {
                format!(
                    "{:?} {:?} {:?} {}",
                    g.privileges, g.columns, g.grantees, g.grant_option
                )
            })
            .collect()
    }

    #[test]
    fn groups_keep_acl_order_and_revoke_from_every_grantee() {
        let table = [
            grant("authenticated", "INSERT", false),
            grant("authenticated", "SELECT", false),
            grant("service_role", "INSERT", false),
            grant("service_role", "SELECT", false),
            grant("PUBLIC", "SELECT", false),
            grant("writer", "UPDATE", true),
            grant("writer", "SELECT", false),
        ];
        let alike = [
            grant("reader", "SELECT", false),
            grant("writer", "SELECT", false),
        ];
        let other = [grant("reader", "UPDATE", false)];
        let p = Privileges::new(
            "TABLE",
            "public.t".into(),
            &table,
            [
                ("a".to_string(), &alike[..]),
                ("b".to_string(), &alike[..]),
                ("c".to_string(), &[][..]),
                ("d".to_string(), &other[..]),
                ("e".to_string(), &alike[..]),
            ],
        );
        assert_eq!(
            p.grantees,
            ["authenticated", "service_role", "writer", "reader"]
        );
        assert_eq!(p.api_roles, ["anon"]);
        assert_eq!(
            summary(&p),
            [
                r#"["INSERT", "SELECT"] [] ["authenticated", "service_role"] false"#,
                r#"["SELECT"] [] ["PUBLIC"] false"#,
                r#"["UPDATE"] [] ["writer"] true"#,
                r#"["SELECT"] [] ["writer"] false"#,
                r#"["SELECT"] ["a", "b"] ["reader", "writer"] false"#,
                r#"["UPDATE"] ["d"] ["reader"] false"#,
                r#"["SELECT"] ["e"] ["reader", "writer"] false"#,
            ]
        );
    }

    #[test]
    fn a_grantee_named_twice_stays_in_two_statements() {
        let grants = [
            grant("a", "SELECT", false),
            grant("b", "SELECT", false),
            grant("a", "SELECT", false),
        ];
        let p = Privileges::new("TABLE", "public.t".into(), &grants, []);
        assert_eq!(
            summary(&p),
            [
                r#"["SELECT"] [] ["a", "b"] false"#,
                r#"["SELECT"] [] ["a"] false"#,
            ]
        );
    }
}
