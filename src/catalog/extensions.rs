//! Installed extensions, in every schema: their objects are never drift. Privileges changed
//! on their routines in the managed schemas (`GRANT ... ON ALL FUNCTIONS IN SCHEMA public`
//! reaches them) are read with them.

use super::{get, Catalog, Notes, Reader};
use crate::model::{Extension, MemberGrants};
use anyhow::Result;

const QUERY: &str = include_str!("queries/extensions.sql");
const MEMBERS: &str = include_str!("queries/extension_members.sql");

pub(super) fn load(reader: &mut Reader, notes: &Notes) -> Result<Vec<Extension>> {
    let mut extensions = reader
        .rows_unfiltered(QUERY, "extensions")?
        .iter()
        .map(|row| {
            Ok(Extension {
                name: get(row, "name")?,
                schema: get(row, "schema")?,
                version: get(row, "version")?,
                member_grants: Vec::new(),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    for row in reader.rows(MEMBERS, "privileges of extension routines")? {
        let name: String = get(&row, "extension")?;
        let oid: u32 = get(&row, "objid")?;
        let procedure: bool = get(&row, "procedure")?;
        let grants = notes.grants(Catalog::Proc, oid, 0);
        if let Some(ext) = extensions.iter_mut().find(|e| e.name == name) {
            ext.member_grants.push(MemberGrants {
                kind: if procedure { "PROCEDURE" } else { "FUNCTION" }.into(),
                target: get(&row, "target")?,
                grants,
            });
        }
    }
    Ok(extensions)
}
