//! Explicit privileges (`GRANT ...`) on relations, their columns, routines and types, read
//! in one query and handed out by oid while the objects are built.

use super::{get, Catalog, Reader};
use crate::model::Grant;
use anyhow::Result;
use std::collections::HashMap;

const QUERY: &str = include_str!("queries/grants.sql");

/// `(catalog, oid, attnum)` → grants, in ACL order (the order pg_dump prints them in).
pub(super) fn load(reader: &mut Reader) -> Result<HashMap<(Catalog, u32, i16), Vec<Grant>>> {
    let mut grants: HashMap<_, Vec<Grant>> = HashMap::new();
    reader.each_row(QUERY, "privileges", |row| {
        let catalog = Catalog::try_from(get::<&str>(&row, "catalog")?)?;
        let oid: u32 = get(&row, "objid")?;
        let attnum: i16 = get(&row, "attnum")?;
        grants
            .entry((catalog, oid, attnum))
            .or_default()
            .push(Grant {
                grantee: get(&row, "grantee")?,
                privilege: get(&row, "privilege")?,
                grantable: get(&row, "grantable")?,
            });
        Ok(())
    })?;
    Ok(grants)
}
