//! Table constraints (primary key, unique, foreign key, check, exclusion, constraint
//! triggers) with their definition as `pg_get_constraintdef` prints it.
//!
//! A constraint that a partition or an inheritance child has only because its parent has it
//! is kept, with `is_local = false`: it comes back with the parent's constraint and must not
//! be created on its own.

use super::{get, optional_name, table_of, Catalog, Code, Notes, Reader, UnknownCode};
use crate::model::{Constraint, ConstraintKind, Table};
use anyhow::Result;
use indexmap::IndexMap;
use postgres::Row;

const QUERY: &str = include_str!("queries/constraints.sql");

impl TryFrom<Code> for ConstraintKind {
    type Error = UnknownCode;

    fn try_from(code: Code) -> Result<Self, UnknownCode> {
        match code.value {
            'p' => Ok(ConstraintKind::PrimaryKey),
            'u' => Ok(ConstraintKind::Unique),
            'f' => Ok(ConstraintKind::ForeignKey),
            'c' => Ok(ConstraintKind::Check),
            'x' => Ok(ConstraintKind::Exclusion),
            't' => Ok(ConstraintKind::Trigger),
            _ => Err(code.unknown()),
        }
    }
}

/// Adds its constraints to every table, in name order.
pub(super) fn load(
    reader: &mut Reader,
    notes: &Notes,
    tables: &mut IndexMap<u32, Table>,
) -> Result<()> {
    reader.each_row_at_detail(QUERY, "constraints", |row| {
        let name: String = get(&row, "name")?;
        let table = table_of(
            tables,
            get(&row, "table_oid")?,
            &format!("constraint {name}"),
        )?;
        let constraint = read(&row, name, table, notes)?;
        table.constraints.push(constraint);
        Ok(())
    })?;
    Ok(())
}

fn read(row: &Row, name: String, table: &Table, notes: &Notes) -> Result<Constraint> {
    let oid: u32 = get(row, "oid")?;
    let kind = ConstraintKind::try_from(Code::read(row, "contype")?)
        .map_err(|e| e.for_object(format!("constraint {name} of {}", table.name)))?;
    Ok(Constraint {
        kind,
        definition: get(row, "definition")?,
        validated: get(row, "validated")?,
        deferrable: get(row, "deferrable")?,
        initially_deferred: get(row, "initially_deferred")?,
        references: optional_name(row, "references_schema", "references_name")?,
        is_local: get(row, "is_local")?,
        comment: notes.comment(Catalog::Constraint, oid, 0),
        name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contypes_become_constraint_kinds() {
        let code = |value| Code {
            column: "contype",
            value,
        };
        let kinds: Vec<_> = "pufcxt"
            .chars()
            .map(|c| ConstraintKind::try_from(code(c)).unwrap())
            .collect();
        assert_eq!(
            kinds,
            [
                ConstraintKind::PrimaryKey,
                ConstraintKind::Unique,
                ConstraintKind::ForeignKey,
                ConstraintKind::Check,
                ConstraintKind::Exclusion,
                ConstraintKind::Trigger,
            ]
        );
        let err = ConstraintKind::try_from(code('n')).unwrap_err();
        assert_eq!(err.to_string(), "unknown contype 'n'");
    }
}
