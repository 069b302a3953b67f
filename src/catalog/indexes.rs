//! Indexes that do not back a constraint (those come with their constraint), with the
//! whole `CREATE INDEX` statement from `pg_get_indexdef`. Indexes of materialized views go
//! on the view.

use super::{get, Catalog, Notes, Owner, Reader, Relations};
use crate::model::Index;
use anyhow::Result;

const QUERY: &str = include_str!("queries/indexes.sql");

/// Adds its indexes to every table and materialized view, in name order.
pub(super) fn load(reader: &mut Reader, notes: &Notes, relations: &mut Relations) -> Result<()> {
    reader.each_row(QUERY, "indexes", |row| {
        let oid: u32 = get(&row, "oid")?;
        let index = Index {
            name: get(&row, "name")?,
            definition: get(&row, "definition")?,
            inherited: get(&row, "inherited")?,
            comment: notes.comment(Catalog::Class, oid, 0),
        };
        let part = format!("index {}", index.name);
        match relations.owner(get(&row, "table_oid")?, &part)? {
            Owner::Table(table) => table.indexes.push(index),
            Owner::View(view) => view.indexes.push(index),
        }
        Ok(())
    })?;
    Ok(())
}
