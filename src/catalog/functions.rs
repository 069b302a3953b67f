//! Functions, procedures, aggregates and window functions, keyed by kind, name and
//! signature. The definition is `pg_get_functiondef`'s whole `CREATE OR REPLACE` statement,
//! or for an aggregate, which it cannot print, the one `aggregates` puts together.

use super::{aggregates, get, get_type, Catalog, Code, Notes, Reader, UnknownCode};
use crate::model::{normalize_type, Function, ObjectKey, ObjectKind, QualifiedName, RoutineKind};
use anyhow::Result;
use indexmap::IndexMap;
use postgres::Row;

const QUERY: &str = include_str!("queries/functions.sql");

impl TryFrom<Code> for RoutineKind {
    type Error = UnknownCode;

    fn try_from(code: Code) -> Result<Self, UnknownCode> {
        match code.value {
            'f' => Ok(RoutineKind::Function),
            'p' => Ok(RoutineKind::Procedure),
            'a' => Ok(RoutineKind::Aggregate),
            'w' => Ok(RoutineKind::Window),
            _ => Err(code.unknown()),
        }
    }
}

/// The object kind a routine is reported as: procedures apart, every other routine is
/// a function.
pub(super) fn object_kind(kind: RoutineKind) -> ObjectKind {
    match kind {
        RoutineKind::Procedure => ObjectKind::Procedure,
        RoutineKind::Function | RoutineKind::Aggregate | RoutineKind::Window => {
            ObjectKind::Function
        }
    }
}

/// A routine's signature from `oidvectortypes(proargtypes)`: each type normalised, joined
/// with `, `. User types come out schema-qualified (the snapshot's search_path is
/// pg_catalog only).
pub(super) fn signature(argument_types: &str) -> String {
    if argument_types.is_empty() {
        return String::new();
    }
    argument_types
        .split(", ")
        .map(normalize_type)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Routines by key, in schema, name and argument order.
pub(super) fn load(reader: &mut Reader, notes: &Notes) -> Result<IndexMap<ObjectKey, Function>> {
    let mut functions = IndexMap::new();
    for row in reader.rows(QUERY, "functions")? {
        let function = read(&row, notes)?;
        let key = ObjectKey::routine(
            object_kind(function.kind),
            function.name.clone(),
            function.signature.clone(),
        );
        functions.insert(key, function);
    }
    Ok(functions)
}

fn read(row: &Row, notes: &Notes) -> Result<Function> {
    let oid: u32 = get(row, "oid")?;
    let name = QualifiedName::new(get::<String>(row, "schema")?, get::<String>(row, "name")?);
    let signature = signature(&get_type(row, "argument_types")?);
    let kind = RoutineKind::try_from(Code::read(row, "prokind")?)
        .map_err(|e| e.for_object(format!("{name}({signature})")))?;
    let identity_arguments: String = get(row, "identity_arguments")?;
    let definition = match kind {
        RoutineKind::Aggregate => aggregates::definition(row, &name, &identity_arguments)?,
        _ => get(row, "definition")?,
    };
    Ok(Function {
        kind,
        signature,
        identity_arguments,
        definition,
        language: get(row, "language")?,
        owner: get(row, "owner")?,
        comment: notes.comment(Catalog::Proc, oid, 0),
        grants: notes.grants(Catalog::Proc, oid, 0),
        name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_normalise_each_argument() {
        assert_eq!(signature(""), "");
        assert_eq!(signature("integer, text"), "integer, text");
        assert_eq!(
            signature("character varying, timestamp(3) with time zone, public.mood[]"),
            "character varying, timestamp with time zone, public.mood[]"
        );
        assert_eq!(signature("public.\"Mood\""), "public.\"Mood\"");
    }

    #[test]
    fn prokinds_become_routine_kinds() {
        let code = |value| Code {
            column: "prokind",
            value,
        };
        assert_eq!(
            RoutineKind::try_from(code('a')).unwrap(),
            RoutineKind::Aggregate
        );
        assert_eq!(
            object_kind(RoutineKind::try_from(code('p')).unwrap()),
            ObjectKind::Procedure
        );
        assert_eq!(
            object_kind(RoutineKind::try_from(code('w')).unwrap()),
            ObjectKind::Function
        );
        let err = RoutineKind::try_from(code('x')).unwrap_err();
        assert_eq!(err.to_string(), "unknown prokind 'x'");
    }
}
