//! User triggers on tables and views (INSTEAD OF triggers go on the view), without internal
//! triggers (foreign keys) and without the clones a partition gets from its parent.
//!
//! The definition is `pg_get_triggerdef(oid, false)`, as pg_dump reads it: the whole
//! `CREATE [CONSTRAINT] TRIGGER` statement, schema-qualified, which replays as it is.

use super::{get, Catalog, Code, Notes, Owner, Reader, Relations, UnknownCode};
use crate::model::{QualifiedName, Trigger};
use anyhow::Result;
use postgres::Row;

const QUERY: &str = include_str!("queries/triggers.sql");

/// `pg_trigger.tgenabled`: fires on origin (the default), disabled, on replica, always.
fn enabled(code: Code) -> Result<char, UnknownCode> {
    match code.value {
        'O' | 'D' | 'R' | 'A' => Ok(code.value),
        _ => Err(code.unknown()),
    }
}

/// Adds its triggers to every table and view, in name order.
pub(super) fn load(reader: &mut Reader, notes: &Notes, relations: &mut Relations) -> Result<()> {
    reader.each_row_at_detail(QUERY, "triggers", |row| {
        let trigger = read(&row, notes)?;
        let part = format!("trigger {}", trigger.name);
        match relations.owner(get(&row, "table_oid")?, &part)? {
            Owner::Table(table) => table.triggers.push(trigger),
            Owner::View(view) => view.triggers.push(trigger),
        }
        Ok(())
    })?;
    Ok(())
}

fn read(row: &Row, notes: &Notes) -> Result<Trigger> {
    let oid: u32 = get(row, "oid")?;
    let name: String = get(row, "name")?;
    let enabled = enabled(Code::read(row, "enabled")?)
        .map_err(|e| e.for_object(format!("trigger {name}")))?;
    Ok(Trigger {
        definition: get(row, "definition")?,
        function: QualifiedName::new(
            get::<String>(row, "function_schema")?,
            get::<String>(row, "function_name")?,
        ),
        enabled,
        is_constraint: get(row, "is_constraint")?,
        comment: notes.comment(Catalog::Trigger, oid, 0),
        name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tgenabled_codes_are_checked() {
        let code = |value| Code {
            column: "tgenabled",
            value,
        };
        assert_eq!(enabled(code('D')).unwrap(), 'D');
        let err = enabled(code('z')).unwrap_err();
        assert_eq!(err.to_string(), "unknown tgenabled 'z'");
    }
}
