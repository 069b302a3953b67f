//! Views and materialized views: the query as `pg_get_viewdef(oid, false)` prints it (every
//! parenthesis kept, as pg_dump reads it, so it replays to the same query), options
//! (`security_invoker`, `check_option`, `security_barrier`), owner, comments, grants and
//! the index CLUSTER uses.
//! Indexes, INSTEAD OF triggers and rules are added by their own modules.

use super::{estimated_rows, get, Catalog, Code, Notes, Reader, UnknownCode};
use crate::model::{QualifiedName, View};
use anyhow::Result;
use indexmap::IndexMap;
use postgres::Row;

const QUERY: &str = include_str!("queries/views.sql");

/// Whether a relkind is a materialized view (`m`) rather than a view (`v`).
fn is_materialized(code: Code) -> Result<bool, UnknownCode> {
    match code.value {
        'v' => Ok(false),
        'm' => Ok(true),
        _ => Err(code.unknown()),
    }
}

/// Views by oid, in schema then name order.
pub(super) fn load(reader: &mut Reader, notes: &Notes) -> Result<IndexMap<u32, View>> {
    let mut views = IndexMap::new();
    for row in reader.rows(QUERY, "views")? {
        let oid: u32 = get(&row, "oid")?;
        views.insert(oid, read(&row, oid, notes)?);
    }
    Ok(views)
}

fn read(row: &Row, oid: u32, notes: &Notes) -> Result<View> {
    let name = QualifiedName::new(get::<String>(row, "schema")?, get::<String>(row, "name")?);
    let materialized =
        is_materialized(Code::read(row, "relkind")?).map_err(|e| e.for_object(&name))?;
    let numbers: Vec<i16> = get(row, "column_numbers")?;
    let names: Vec<String> = get(row, "column_names")?;
    let column_comments = numbers
        .into_iter()
        .zip(names)
        .filter_map(|(attnum, column)| {
            let comment = notes.comment(Catalog::Class, oid, i32::from(attnum))?;
            Some((column, comment))
        })
        .collect();
    Ok(View {
        materialized,
        definition: get(row, "definition")?,
        options: get(row, "options")?,
        owner: get(row, "owner")?,
        comment: notes.comment(Catalog::Class, oid, 0),
        column_comments,
        grants: notes.grants(Catalog::Class, oid, 0),
        indexes: Vec::new(),
        clustered_on: get(row, "cluster_index")?,
        triggers: Vec::new(),
        rules: Vec::new(),
        estimated_rows: estimated_rows(get(row, "reltuples")?),
        size_bytes: get(row, "size_bytes")?,
        name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relkinds_tell_materialized_views() {
        let code = |value| Code {
            column: "relkind",
            value,
        };
        assert!(!is_materialized(code('v')).unwrap());
        assert!(is_materialized(code('m')).unwrap());
        let err = is_materialized(code('r')).unwrap_err();
        assert_eq!(err.to_string(), "unknown relkind 'r'");
    }
}
