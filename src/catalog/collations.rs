//! Collations made by `CREATE COLLATION` in the managed schemas, with the options that
//! create them again.

use super::{get, Catalog, Notes, Reader};
use crate::model::{Collation, QualifiedName};
use anyhow::Result;
use indexmap::IndexMap;

const QUERY: &str = include_str!("queries/collations.sql");

/// Collations by name, in schema then name order.
pub(super) fn load(
    reader: &mut Reader,
    notes: &Notes,
) -> Result<IndexMap<QualifiedName, Collation>> {
    let mut collations = IndexMap::new();
    for row in reader.rows(QUERY, "collations")? {
        let oid: u32 = get(&row, "oid")?;
        let name = QualifiedName::new(get::<String>(&row, "schema")?, get::<String>(&row, "name")?);
        let collation = Collation {
            name: name.clone(),
            definition: get(&row, "definition")?,
            owner: get(&row, "owner")?,
            comment: notes.comment(Catalog::Collation, oid, 0),
        };
        collations.insert(name, collation);
    }
    Ok(collations)
}
