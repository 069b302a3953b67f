//! Sequences, standalone and owned (serial, `OWNED BY`, identity columns), with their
//! options, owning column, comment and grants. Identity sequences are also handed to their
//! column (`Column::identity`).

use super::{get, get_type, optional_name, Catalog, Notes, Reader};
use crate::model::{QualifiedName, Sequence};
use anyhow::Result;
use postgres::Row;

const QUERY: &str = include_str!("queries/sequences.sql");

/// Sequences in schema then name order.
pub(super) fn load(reader: &mut Reader, notes: &Notes) -> Result<Vec<Sequence>> {
    reader
        .rows(QUERY, "sequences")?
        .iter()
        .map(|row| read(row, notes))
        .collect()
}

fn read(row: &Row, notes: &Notes) -> Result<Sequence> {
    let oid: u32 = get(row, "oid")?;
    let owner_column: Option<String> = get(row, "owner_column")?;
    Ok(Sequence {
        name: QualifiedName::new(get::<String>(row, "schema")?, get::<String>(row, "name")?),
        data_type: get_type(row, "data_type")?,
        start: get(row, "start")?,
        increment: get(row, "increment")?,
        min_value: get(row, "min_value")?,
        max_value: get(row, "max_value")?,
        cache: get(row, "cache")?,
        cycle: get(row, "cycle")?,
        owned_by: optional_name(row, "owner_schema", "owner_table")?.zip(owner_column),
        is_identity: get(row, "is_identity")?,
        comment: notes.comment(Catalog::Class, oid, 0),
        grants: notes.grants(Catalog::Class, oid, 0),
    })
}
