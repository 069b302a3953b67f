//! Row-level security policies: command, permissive or restrictive, roles, and the USING
//! and WITH CHECK expressions as `pg_get_expr` prints them.

use super::{get, table_of, Catalog, Code, Notes, Reader, UnknownCode};
use crate::model::{Policy, PolicyCommand, Table};
use anyhow::Result;
use indexmap::IndexMap;
use postgres::Row;

const QUERY: &str = include_str!("queries/policies.sql");

impl TryFrom<Code> for PolicyCommand {
    type Error = UnknownCode;

    fn try_from(code: Code) -> Result<Self, UnknownCode> {
        match code.value {
            '*' => Ok(PolicyCommand::All),
            'r' => Ok(PolicyCommand::Select),
            'a' => Ok(PolicyCommand::Insert),
            'w' => Ok(PolicyCommand::Update),
            'd' => Ok(PolicyCommand::Delete),
            _ => Err(code.unknown()),
        }
    }
}

/// Adds its policies to every table, in name order.
pub(super) fn load(
    reader: &mut Reader,
    notes: &Notes,
    tables: &mut IndexMap<u32, Table>,
) -> Result<()> {
    reader.each_row_at_detail(QUERY, "policies", |row| {
        let name: String = get(&row, "name")?;
        let table = table_of(tables, get(&row, "table_oid")?, &format!("policy {name}"))?;
        let policy = read(&row, name, table, notes)?;
        table.policies.push(policy);
        Ok(())
    })?;
    Ok(())
}

fn read(row: &Row, name: String, table: &Table, notes: &Notes) -> Result<Policy> {
    let oid: u32 = get(row, "oid")?;
    let command = PolicyCommand::try_from(Code::read(row, "polcmd")?)
        .map_err(|e| e.for_object(format!("policy {name} on {}", table.name)))?;
    Ok(Policy {
        command,
        permissive: get(row, "permissive")?,
        roles: get(row, "roles")?,
        using: get(row, "using_expr")?,
        with_check: get(row, "with_check")?,
        comment: notes.comment(Catalog::Policy, oid, 0),
        name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polcmds_become_commands() {
        let code = |value| Code {
            column: "polcmd",
            value,
        };
        assert_eq!(
            PolicyCommand::try_from(code('*')).unwrap(),
            PolicyCommand::All
        );
        assert_eq!(
            PolicyCommand::try_from(code('r')).unwrap(),
            PolicyCommand::Select
        );
        assert_eq!(
            PolicyCommand::try_from(code('a')).unwrap(),
            PolicyCommand::Insert
        );
        assert_eq!(
            PolicyCommand::try_from(code('w')).unwrap(),
            PolicyCommand::Update
        );
        assert_eq!(
            PolicyCommand::try_from(code('d')).unwrap(),
            PolicyCommand::Delete
        );
        let err = PolicyCommand::try_from(code('q')).unwrap_err();
        assert_eq!(err.to_string(), "unknown polcmd 'q'");
    }
}
