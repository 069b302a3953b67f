//! Rewrite rules on tables and views (`CREATE RULE ... AS ON INSERT TO t DO INSTEAD ...`),
//! without a view's `_RETURN` rule, which is its query.
//!
//! The definition is `pg_get_ruledef(oid, false)`, as pg_dump reads it: the whole
//! `CREATE RULE` statement, schema-qualified, without its final semicolon.

use super::{get, Catalog, Code, Notes, Owner, Reader, Relations, UnknownCode};
use crate::model::Rule;
use anyhow::Result;
use postgres::Row;

const QUERY: &str = include_str!("queries/rules.sql");

/// `pg_rewrite.ev_enabled`: fires on origin (the default), disabled, on replica, always.
fn enabled(code: Code) -> Result<char, UnknownCode> {
    match code.value {
        'O' | 'D' | 'R' | 'A' => Ok(code.value),
        _ => Err(code.unknown()),
    }
}

/// Adds its rules to every table and view, in name order.
pub(super) fn load(reader: &mut Reader, notes: &Notes, relations: &mut Relations) -> Result<()> {
    for row in reader.rows(QUERY, "rules")? {
        let rule = read(&row, notes)?;
        let part = format!("rule {}", rule.name);
        match relations.owner(get(&row, "relation_oid")?, &part)? {
            Owner::Table(table) => table.rules.push(rule),
            Owner::View(view) => view.rules.push(rule),
        }
    }
    Ok(())
}

fn read(row: &Row, notes: &Notes) -> Result<Rule> {
    let oid: u32 = get(row, "oid")?;
    let name: String = get(row, "name")?;
    let enabled =
        enabled(Code::read(row, "enabled")?).map_err(|e| e.for_object(format!("rule {name}")))?;
    let definition: String = get(row, "definition")?;
    Ok(Rule {
        definition: definition.trim_end().trim_end_matches(';').to_string(),
        enabled,
        comment: notes.comment(Catalog::Rule, oid, 0),
        name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ev_enabled_codes_are_checked() {
        let code = |value| Code {
            column: "ev_enabled",
            value,
        };
        assert_eq!(enabled(code('D')).unwrap(), 'D');
        let err = enabled(code('x')).unwrap_err();
        assert_eq!(err.to_string(), "unknown ev_enabled 'x'");
    }
}
