//! Names as statements write them, and the qualified names they stand for: `search_path`
//! resolution, routine signatures, and the names PostgreSQL chooses for unnamed parts.

use super::fold::Folder;
use crate::model::{is_builtin_type, normalize_type, split_identifiers, QualifiedName};
use pg_query::protobuf::{FunctionParameter, FunctionParameterMode, Node, RangeVar, TypeName};
use pg_query::NodeEnum;

/// The strings of a list of `String` nodes (`schema`, `name`), or `None` if any is not one.
pub(super) fn strings(nodes: &[Node]) -> Option<Vec<String>> {
    nodes
        .iter()
        .map(|n| match n.node.as_ref()? {
            NodeEnum::String(s) => Some(s.sval.clone()),
            _ => None,
        })
        .collect()
}

/// The name parts of an object node: a `List` of strings, a `String`, or a `TypeName`.
pub(super) fn object_parts(node: &Node) -> Option<Vec<String>> {
    match node.node.as_ref()? {
        NodeEnum::List(list) => strings(&list.items),
        NodeEnum::String(s) => Some(vec![s.sval.clone()]),
        NodeEnum::TypeName(t) => strings(&t.names),
        _ => None,
    }
}

/// `[schema,] name` of a relation as written.
pub(super) fn range_var_parts(rv: &RangeVar) -> Vec<String> {
    let mut parts = Vec::with_capacity(2);
    if !rv.schemaname.is_empty() {
        parts.push(rv.schemaname.clone());
    }
    parts.push(rv.relname.clone());
    parts
}

/// Splits a dotted name written as SQL text (`public."My Table"`) as PostgreSQL reads it
/// (`split_identifiers`); `None` when malformed or longer than three parts.
pub(super) fn dotted_parts(text: &str) -> Option<Vec<String>> {
    split_identifiers(text, '.').filter(|parts| (1..=3).contains(&parts.len()))
}

impl Folder {
    /// The name an object gets when a statement creates it: as written, or in the first
    /// usable schema of the search path. `None` for temporary objects and malformed names.
    pub(super) fn created_name(&self, parts: &[String]) -> Option<QualifiedName> {
        let name = match parts {
            [name] => QualifiedName::new(self.search_path.creation_schema(), name.clone()),
            [schema, name] | [_, schema, name] => QualifiedName::new(schema.clone(), name.clone()),
            _ => return None,
        };
        (!name.schema.starts_with("pg_temp")).then_some(name)
    }

    /// The name an existing object is found by: as written, else the first schema of the
    /// search path where a migration declared that name, else the first usable schema.
    pub(super) fn existing_name(&self, parts: &[String]) -> Option<QualifiedName> {
        match parts {
            [name] => {
                let schema = self
                    .search_path
                    .schemas()
                    .find(|schema| {
                        self.is_declared_name(&QualifiedName::new(*schema, name.clone()))
                    })
                    .unwrap_or_else(|| self.search_path.creation_schema());
                Some(QualifiedName::new(schema, name.clone()))
            }
            [schema, name] | [_, schema, name] => {
                Some(QualifiedName::new(schema.clone(), name.clone()))
            }
            _ => None,
        }
    }

    /// A type as `format_type` spells it in a signature: built-in types by their standard
    /// name, user types schema-qualified and quoted where needed, `[]` for arrays.
    pub(super) fn type_text(&self, type_name: &TypeName) -> String {
        let names = strings(&type_name.names).unwrap_or_default();
        let mut text = match names.as_slice() {
            // A bare `char` can only come from the quoted `"char"`; `char(n)` arrives as bpchar.
            [name] if name == "char" => "\"char\"".to_string(),
            [schema, name] if schema == "pg_catalog" && name == "char" => "\"char\"".to_string(),
            [schema, name] if schema == "pg_catalog" => normalize_type(name),
            [name] if is_builtin_type(name) => normalize_type(name),
            _ if type_name.pct_type => format!("{}%TYPE", names.join(".")),
            _ => match self.existing_name(&names) {
                Some(name) => name.to_sql(),
                None => names.join("."),
            },
        };
        if !type_name.array_bounds.is_empty() {
            text.push_str("[]");
        }
        text
    }

    /// The signature of a routine from its parameters (`FunctionParameter` or `TypeName`
    /// nodes): the input argument types, `IN`, `INOUT` and `VARIADIC`, as `proargtypes`
    /// holds them for functions and procedures alike.
    pub(super) fn signature(&self, parameters: &[Node]) -> String {
        let types: Vec<String> = parameters
            .iter()
            .filter_map(|p| match p.node.as_ref()? {
                NodeEnum::FunctionParameter(p) if is_input(p) => {
                    Some(self.type_text(p.arg_type.as_ref()?))
                }
                NodeEnum::TypeName(t) => Some(self.type_text(t)),
                _ => None,
            })
            .collect();
        types.join(", ")
    }
}

impl Folder {
    /// The argument types of an `ObjectWithArgs` (`DROP FUNCTION f(uuid)`, `COMMENT ON
    /// OPERATOR public.~~~ (NONE, bigint)`) as a signature: an operator's missing operand is
    /// an empty node, `NONE` as `Operator::signature` writes it.
    pub(super) fn argument_types(&self, arguments: &[Node]) -> String {
        let types: Vec<String> = arguments
            .iter()
            .filter_map(|a| match a.node.as_ref() {
                None => Some("NONE".to_string()),
                Some(NodeEnum::TypeName(t)) => Some(self.type_text(t)),
                Some(_) => None,
            })
            .collect();
        types.join(", ")
    }
}

fn is_input(parameter: &FunctionParameter) -> bool {
    !matches!(
        FunctionParameterMode::try_from(parameter.mode),
        Ok(FunctionParameterMode::FuncParamOut | FunctionParameterMode::FuncParamTable)
    )
}

/// PostgreSQL's longest identifier, in bytes (`NAMEDATALEN - 1`).
const MAX_IDENTIFIER: usize = 63;

/// The name PostgreSQL makes from a table name, an optional middle part and a label
/// (`makeObjectName`): `t_pkey`, `t_user_id_fkey`, the longer part cut first to fit 63 bytes.
pub(super) fn object_name(name1: &str, name2: Option<&str>, label: &str) -> String {
    let overhead = label.len() + 1 + usize::from(name2.is_some());
    let available = MAX_IDENTIFIER.saturating_sub(overhead);
    let mut len1 = name1.len();
    let mut len2 = name2.map_or(0, str::len);
    while len1 + len2 > available {
        if len1 > len2 {
            len1 -= 1;
        } else {
            len2 -= 1;
        }
    }
    let mut name = clip(name1, len1).to_string();
    if let Some(name2) = name2 {
        name.push('_');
        name.push_str(clip(name2, len2));
    }
    name.push('_');
    name.push_str(label);
    name
}

/// Column names joined with `_` for a generated name, stopping once past the identifier
/// limit, as `ChooseIndexNameAddition` does.
pub(super) fn column_names_part(columns: &[String]) -> String {
    let mut joined = String::new();
    for column in columns {
        if !joined.is_empty() {
            joined.push('_');
        }
        joined.push_str(column);
        if joined.len() > MAX_IDENTIFIER {
            break;
        }
    }
    joined
}

/// The longest prefix of `text` of at most `len` bytes that ends on a character boundary.
fn clip(text: &str, len: usize) -> &str {
    let mut end = len.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn makes_object_names_like_postgres() {
        assert_eq!(object_name("t", None, "pkey"), "t_pkey");
        assert_eq!(
            object_name("orders", Some("user_id"), "fkey"),
            "orders_user_id_fkey"
        );
        let long = "a".repeat(70);
        let name = object_name(&long, Some("col"), "fkey");
        assert_eq!(name, format!("{}_col_fkey", "a".repeat(54)));
        assert_eq!(name.len(), 63);
        let name = object_name(&"é".repeat(40), None, "pkey");
        assert_eq!(name, format!("{}_pkey", "é".repeat(29)));
    }

    #[test]
    fn splits_dotted_names() {
        assert_eq!(dotted_parts("Public.T").unwrap(), ["public", "t"]);
        assert_eq!(
            dotted_parts("\"My.Schema\".\"a\"\"b\"").unwrap(),
            ["My.Schema", "a\"b"]
        );
        assert_eq!(dotted_parts("seq").unwrap(), ["seq"]);
        assert_eq!(dotted_parts("a..b"), None);
        assert_eq!(dotted_parts("a.b.c.d"), None);
        assert_eq!(dotted_parts("\"open"), None);
    }

    #[test]
    fn joins_column_names() {
        let columns = ["a".to_string(), "b".to_string()];
        assert_eq!(column_names_part(&columns), "a_b");
        let long = ["x".repeat(60), "y".repeat(10), "z".to_string()];
        assert_eq!(
            column_names_part(&long),
            format!("{}_{}", "x".repeat(60), "y".repeat(10))
        );
    }
}
