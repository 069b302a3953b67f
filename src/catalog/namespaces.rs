//! The managed schemas themselves: owner, comment and how their privileges differ from those
//! a new schema has, read in one query; and which schemas of a list exist.

use super::{get, Reader};
use crate::model::{quote_ident, Grant, Namespace};
use anyhow::{bail, Result};

const QUERY: &str = include_str!("queries/namespaces.sql");

/// The managed schemas that exist, in the order they were given.
pub(super) fn load(reader: &mut Reader) -> Result<Vec<Namespace>> {
    let mut namespaces: Vec<Namespace> = Vec::new();
    for row in reader.rows(QUERY, "schemas")? {
        let name: String = get(&row, "name")?;
        let namespace = match namespaces.last_mut() {
            Some(last) if last.name == name => last,
            _ => {
                namespaces.push(Namespace {
                    name,
                    owner: get(&row, "owner")?,
                    comment: get(&row, "comment")?,
                    revokes: Vec::new(),
                    grants: Vec::new(),
                });
                namespaces.last_mut().expect("just pushed")
            }
        };
        if let Some(grantee) = get::<Option<String>>(&row, "grantee")? {
            let grant = Grant {
                grantee,
                privilege: get(&row, "privilege")?,
                grantable: get(&row, "grantable")?,
            };
            if get(&row, "revoke")? {
                namespace.revokes.push(grant);
            } else {
                namespace.grants.push(grant);
            }
        }
    }
    Ok(namespaces)
}

/// Fails, naming them, when some of the reader's schemas do not exist.
pub(super) fn check_exist(reader: &mut Reader) -> Result<()> {
    let rows = reader.rows(
        "SELECT s FROM unnest($1::text[]) AS s WHERE NOT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = s)",
        "schemas",
    )?;
    let unknown: Vec<String> = rows.iter().map(|r| quote_ident(r.get(0))).collect();
    if !unknown.is_empty() {
        bail!(
            "schema {} does not exist in production: check --schema or `schemas` in pgdrift.toml",
            unknown.join(", ")
        );
    }
    Ok(())
}

/// The reader's schemas that exist, in name order.
pub(super) fn existing(reader: &mut Reader) -> Result<Vec<String>> {
    let rows = reader.rows(
        "SELECT nspname::text FROM pg_namespace WHERE nspname = ANY($1) ORDER BY 1",
        "schemas",
    )?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}
