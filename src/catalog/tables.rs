//! Tables: plain and partitioned, partitions included, with partitioning, inheritance,
//! storage, owner, row-level security flags, replica identity, the index CLUSTER uses,
//! comment and grants. Their columns, constraints, indexes, policies, triggers and rules are
//! added by the modules of those kinds.

use super::{estimated_rows, get, optional_name, Catalog, Code, Notes, Reader, UnknownCode};
use crate::model::{PartitionOf, QualifiedName, ReplicaIdentity, Table, TableKind};
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

/// The tables of the managed schemas and the replica identities that are not the default.
pub(super) struct Tables {
    /// By oid, in schema then name order.
    pub(super) by_oid: IndexMap<u32, Table>,
    pub(super) replica_identities: IndexMap<QualifiedName, ReplicaIdentity>,
}

pub(super) fn load(reader: &mut Reader, notes: &Notes) -> Result<Tables> {
    let mut tables = Tables {
        by_oid: IndexMap::new(),
        replica_identities: IndexMap::new(),
    };
    reader.each_row(QUERY, "tables", |row| {
        let oid: u32 = get(&row, "oid")?;
        let table = read(&row, oid, notes)?;
        let identity = replica_identity(
            Code::read(&row, "replica_identity")?,
            get(&row, "replica_index")?,
        )
        .map_err(|e| e.for_object(&table.name))?;
        if identity != ReplicaIdentity::Default {
            tables
                .replica_identities
                .insert(table.name.clone(), identity);
        }
        tables.by_oid.insert(oid, table);
        Ok(())
    })?;
    Ok(tables)
}

/// `relreplident` and the index of `USING INDEX`. An identity index that was dropped leaves
/// the default, as pg_dump shows it.
fn replica_identity(code: Code, index: Option<String>) -> Result<ReplicaIdentity, UnknownCode> {
    match code.value {
        'd' => Ok(ReplicaIdentity::Default),
        'f' => Ok(ReplicaIdentity::Full),
        'n' => Ok(ReplicaIdentity::Nothing),
        'i' => Ok(index.map_or(ReplicaIdentity::Default, ReplicaIdentity::Index)),
        _ => Err(code.unknown()),
    }
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
        clustered_on: get(row, "cluster_index")?,
        policies: Vec::new(),
        triggers: Vec::new(),
        rules: Vec::new(),
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

    #[test]
    fn relreplidents_become_replica_identities() {
        let code = |value| Code {
            column: "replica_identity",
            value,
        };
        assert_eq!(
            replica_identity(code('f'), None).unwrap(),
            ReplicaIdentity::Full
        );
        assert_eq!(
            replica_identity(code('i'), Some("t_key".into())).unwrap(),
            ReplicaIdentity::Index("t_key".into())
        );
        assert_eq!(
            replica_identity(code('i'), None).unwrap(),
            ReplicaIdentity::Default,
            "the index was dropped"
        );
        let err = replica_identity(code('z'), None).unwrap_err();
        assert_eq!(err.to_string(), "unknown replica_identity 'z'");
    }
}
