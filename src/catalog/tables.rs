//! Tables: plain and partitioned, partitions included, with partitioning, inheritance,
//! storage, owner, row-level security flags, comment and grants. Their columns, constraints,
//! indexes, policies and triggers are added by the modules of those kinds.

use super::{estimated_rows, get, optional_name, Catalog, Code, Notes, Reader, UnknownCode};
use crate::model::{PartitionOf, QualifiedName, Table, TableKind};
use anyhow::Result;
use indexmap::IndexMap;
use postgres::Row;

const QUERY: &str = include_str!("queries/tables.sql");

impl TryFrom<Code> for TableKind {
    type Error = UnknownCode;

    fn try_from(code: Code) -> Result<Self, UnknownCode> {
        match code.value {
            'r' => Ok(TableKind::Regular),
            'p' => Ok(TableKind::Partitioned),
            _ => Err(code.unknown()),
        }
    }
}

/// Tables by oid, in schema then name order.
pub(super) fn load(reader: &mut Reader, notes: &Notes) -> Result<IndexMap<u32, Table>> {
    let mut tables = IndexMap::new();
    for row in reader.rows(QUERY, "tables")? {
        let oid: u32 = get(&row, "oid")?;
        tables.insert(oid, read(&row, oid, notes)?);
    }
    Ok(tables)
}

fn read(row: &Row, oid: u32, notes: &Notes) -> Result<Table> {
    let name = QualifiedName::new(get::<String>(row, "schema")?, get::<String>(row, "name")?);
    let kind = TableKind::try_from(Code::read(row, "relkind")?).map_err(|e| e.for_object(&name))?;
    let partition_of = optional_name(row, "parent_schema", "parent_name")?
        .zip(get::<Option<String>>(row, "bound")?)
        .map(|(parent, bound)| PartitionOf { parent, bound });
    Ok(Table {
        kind,
        unlogged: get(row, "unlogged")?,
        partition_key: get(row, "partition_key")?,
        partition_of,
        inherits: parents(row)?,
        options: get(row, "options")?,
        owner: get(row, "owner")?,
        columns: Vec::new(),
        constraints: Vec::new(),
        indexes: Vec::new(),
        rls_enabled: get(row, "rls_enabled")?,
        rls_forced: get(row, "rls_forced")?,
        policies: Vec::new(),
        triggers: Vec::new(),
        comment: notes.comment(Catalog::Class, oid, 0),
        grants: notes.grants(Catalog::Class, oid, 0),
        estimated_rows: estimated_rows(get(row, "reltuples")?),
        size_bytes: get(row, "size_bytes")?,
        name,
    })
}

/// Inheritance parents in `inhseqno` order (partitions have none: see `partition_of`).
fn parents(row: &Row) -> Result<Vec<QualifiedName>> {
    let schemas: Vec<String> = get(row, "inherits_schemas")?;
    let names: Vec<String> = get(row, "inherits_names")?;
    Ok(schemas
        .into_iter()
        .zip(names)
        .map(|(schema, name)| QualifiedName::new(schema, name))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relkinds_become_table_kinds() {
        let code = |value| Code {
            column: "relkind",
            value,
        };
        assert_eq!(TableKind::try_from(code('r')).unwrap(), TableKind::Regular);
        assert_eq!(
            TableKind::try_from(code('p')).unwrap(),
            TableKind::Partitioned
        );
        let err = TableKind::try_from(code('x')).unwrap_err();
        assert_eq!(err.to_string(), "unknown relkind 'x'");
    }
}
