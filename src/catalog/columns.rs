//! Columns of tables, in attnum order: type, collation, NOT NULL, default, identity,
//! generated expression, whether the table declares it itself, storage, compression,
//! statistics target, attribute options, comment and column grants.

use super::{get, get_type, optional_name, table_of, Catalog, Code, Notes, Reader, UnknownCode};
use crate::model::{
    Column, Compression, Identity, IdentityKind, QualifiedName, Sequence, Storage, Table,
};
use anyhow::{anyhow, Result};
use indexmap::IndexMap;
use postgres::Row;
use std::collections::HashMap;

const QUERY: &str = include_str!("queries/columns.sql");

impl TryFrom<Code> for IdentityKind {
    type Error = UnknownCode;

    fn try_from(code: Code) -> Result<Self, UnknownCode> {
        match code.value {
            'a' => Ok(IdentityKind::Always),
            'd' => Ok(IdentityKind::ByDefault),
            _ => Err(code.unknown()),
        }
    }
}

impl TryFrom<Code> for Storage {
    type Error = UnknownCode;

    fn try_from(code: Code) -> Result<Self, UnknownCode> {
        match code.value {
            'p' => Ok(Storage::Plain),
            'e' => Ok(Storage::External),
            'x' => Ok(Storage::Extended),
            'm' => Ok(Storage::Main),
            _ => Err(code.unknown()),
        }
    }
}

impl TryFrom<Code> for Compression {
    type Error = UnknownCode;

    fn try_from(code: Code) -> Result<Self, UnknownCode> {
        match code.value {
            'p' => Ok(Compression::Pglz),
            'l' => Ok(Compression::Lz4),
            _ => Err(code.unknown()),
        }
    }
}

/// Identity sequences by the `(table, column)` they belong to.
type IdentitySequences<'s> = HashMap<(&'s QualifiedName, &'s str), &'s Sequence>;

/// Adds its columns to every table.
pub(super) fn load(
    reader: &mut Reader,
    notes: &Notes,
    sequences: &[Sequence],
    tables: &mut IndexMap<u32, Table>,
) -> Result<()> {
    let identities: IdentitySequences = sequences
        .iter()
        .filter(|s| s.is_identity)
        .filter_map(|s| s.owned_by.as_ref().map(|(t, c)| ((t, c.as_str()), s)))
        .collect();
    reader.each_row(QUERY, "columns", |row| {
        let oid: u32 = get(&row, "table_oid")?;
        let name: String = get(&row, "name")?;
        let table = table_of(tables, oid, &format!("column {name}"))?;
        let column = read(&row, oid, name, &table.name, &identities, notes)?;
        if table.columns.is_empty() {
            // Grown one column at a time, the vector could hold room for twice as many.
            let count: i64 = get(&row, "column_count")?;
            table
                .columns
                .reserve_exact(usize::try_from(count).unwrap_or(0));
        }
        table.columns.push(column);
        Ok(())
    })
}

fn read(
    row: &Row,
    table_oid: u32,
    name: String,
    table: &QualifiedName,
    identities: &IdentitySequences,
    notes: &Notes,
) -> Result<Column> {
    let attnum: i16 = get(row, "attnum")?;
    let object = || format!("column {name} of {table}");
    let identity = match Code::read(row, "identity")?.non_empty() {
        None => None,
        Some(code) => {
            let kind = IdentityKind::try_from(code).map_err(|e| e.for_object(object()))?;
            let sequence = identities
                .get(&(table, name.as_str()))
                .ok_or_else(|| anyhow!("{} is an identity column without a sequence", object()))?;
            Some(Box::new(Identity {
                kind,
                sequence: (*sequence).clone(),
            }))
        }
    };
    let generated = match Code::read(row, "generated_kind")?.non_empty() {
        None => None,
        Some(Code { value: 's', .. }) => get(row, "generated")?,
        Some(code) => return Err(code.unknown().for_object(object())),
    };
    let storage = match get::<Option<i8>>(row, "storage")? {
        None => None,
        Some(_) => Some(code(row, "storage", &object)?),
    };
    let compression = match Code::read(row, "compression")?.non_empty() {
        None => None,
        Some(c) => Some(Compression::try_from(c).map_err(|e| e.for_object(object()))?),
    };
    Ok(Column {
        type_sql: get_type(row, "type_sql")?,
        collation: optional_name(row, "collation_schema", "collation_name")?,
        not_null: get(row, "not_null")?,
        default: get(row, "default")?,
        identity,
        generated,
        is_local: get(row, "is_local")?,
        storage,
        type_storage: code(row, "type_storage", &object)?,
        compression,
        statistics: get(row, "statistics")?,
        options: get(row, "options")?,
        comment: notes.comment(Catalog::Class, table_oid, i32::from(attnum)),
        grants: notes.grants(Catalog::Class, table_oid, attnum),
        name,
    })
}

/// A storage code of the row.
fn code(row: &Row, column: &'static str, object: &impl Fn() -> String) -> Result<Storage> {
    Storage::try_from(Code::read(row, column)?).map_err(|e| e.for_object(object()))
}
