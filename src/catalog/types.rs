//! User-defined types: enums (values in `enumsortorder`), domains (base type, collation,
//! default, NOT NULL, CHECK constraints), composite types made by `CREATE TYPE ... AS` and
//! ranges. Array types, the row types of tables and views, and extension types are not read.

use super::{get, get_type, optional_name, Catalog, Code, Notes, Reader, UnknownCode};
use crate::model::{QualifiedName, TypeBody, TypeDef};
use anyhow::Result;
use indexmap::IndexMap;
use postgres::Row;

const QUERY: &str = include_str!("queries/types.sql");

/// `pg_type.typtype` of the types pgdrift reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TypeKind {
    Enum,
    Domain,
    Composite,
    Range,
}

impl TryFrom<Code> for TypeKind {
    type Error = UnknownCode;

    fn try_from(code: Code) -> Result<Self, UnknownCode> {
        match code.value {
            'e' => Ok(TypeKind::Enum),
            'd' => Ok(TypeKind::Domain),
            'c' => Ok(TypeKind::Composite),
            'r' => Ok(TypeKind::Range),
            _ => Err(code.unknown()),
        }
    }
}

/// Types by name, in schema then name order.
pub(super) fn load(reader: &mut Reader, notes: &Notes) -> Result<IndexMap<QualifiedName, TypeDef>> {
    let mut types = IndexMap::new();
    for row in reader.rows(QUERY, "types")? {
        let oid: u32 = get(&row, "oid")?;
        let name = QualifiedName::new(get::<String>(&row, "schema")?, get::<String>(&row, "name")?);
        let kind = TypeKind::try_from(Code::read(&row, "typtype")?)
            .map_err(|e| e.for_object(format!("type {name}")))?;
        let def = TypeDef {
            name: name.clone(),
            body: body(&row, kind)?,
            owner: get(&row, "owner")?,
            comment: notes.comment(Catalog::Type, oid, 0),
            grants: notes.grants(Catalog::Type, oid, 0),
        };
        types.insert(name, def);
    }
    Ok(types)
}

fn body(row: &Row, kind: TypeKind) -> Result<TypeBody> {
    Ok(match kind {
        TypeKind::Enum => TypeBody::Enum {
            values: get(row, "enum_values")?,
        },
        TypeKind::Domain => TypeBody::Domain {
            base_type: get_type(row, "base_type")?,
            collation: optional_name(row, "collation_schema", "collation_name")?,
            default: get(row, "default")?,
            not_null: get(row, "not_null")?,
            constraints: pairs(row, "constraint_names", "constraint_defs")?,
        },
        TypeKind::Composite => TypeBody::Composite {
            attributes: pairs(row, "attribute_names", "attribute_types")?,
        },
        TypeKind::Range => TypeBody::Range {
            subtype: get_type(row, "range_subtype")?,
            definition: get(row, "range_definition")?,
        },
    })
}

/// Zips two parallel `text[]` columns.
fn pairs(row: &Row, first: &str, second: &str) -> Result<Vec<(String, String)>> {
    let a: Vec<String> = get(row, first)?;
    let b: Vec<String> = get(row, second)?;
    Ok(a.into_iter().zip(b).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typtypes_are_checked() {
        let code = |value| Code {
            column: "typtype",
            value,
        };
        assert_eq!(TypeKind::try_from(code('e')).unwrap(), TypeKind::Enum);
        assert_eq!(TypeKind::try_from(code('r')).unwrap(), TypeKind::Range);
        let err = TypeKind::try_from(code('m')).unwrap_err();
        assert_eq!(err.to_string(), "unknown typtype 'm'");
    }
}
