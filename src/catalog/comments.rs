//! Comments (`COMMENT ON ...`) on every object kind, read in one query and handed out by
//! oid while the objects are built.

use super::{get, Catalog, Reader};
use anyhow::Result;
use std::collections::HashMap;

const QUERY: &str = include_str!("queries/comments.sql");

/// `(catalog, oid, objsubid)` → comment.
pub(super) fn load(reader: &mut Reader) -> Result<HashMap<(Catalog, u32, i32), String>> {
    let mut comments = HashMap::new();
    reader.each_row(QUERY, "comments", |row| {
        let catalog = Catalog::try_from(get::<&str>(&row, "catalog")?)?;
        let oid: u32 = get(&row, "objoid")?;
        let subid: i32 = get(&row, "objsubid")?;
        comments.insert((catalog, oid, subid), get(&row, "description")?);
        Ok(())
    })?;
    Ok(comments)
}
