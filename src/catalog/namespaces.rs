//! The managed schemas themselves: owner, comment and the privileges granted on them beyond
//! those a new schema has, read in one query.

use super::{get, Reader};
use crate::model::{Grant, Namespace};
use anyhow::Result;

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
                    grants: Vec::new(),
                });
                namespaces.last_mut().expect("just pushed")
            }
        };
        if let Some(grantee) = get::<Option<String>>(&row, "grantee")? {
            namespace.grants.push(Grant {
                grantee,
                privilege: get(&row, "privilege")?,
                grantable: get(&row, "grantable")?,
            });
        }
    }
    Ok(namespaces)
}
