//! Every relation, type and routine name a statement mentions, found by walking its whole
//! parse tree generically (its serde form), so that no statement kind is forgotten. It may
//! over-approximate (a CTE name looks like a table); it must not miss a table.

use super::fold::Folder;
use super::names::dotted_parts;
use super::tree::Tree;
use crate::model::{is_builtin_type, normalize_type, QualifiedName};
use pg_query::protobuf::ObjectType;
use pg_query::NodeEnum;

/// A name as written (one to three parts), and whether it names a type (so that built-in
/// types can be left out) or an operator (whose name is symbols).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Mention {
    pub(super) parts: Vec<String>,
    pub(super) is_type: bool,
    pub(super) is_operator: bool,
}

impl Mention {
    pub(super) fn object(parts: Vec<String>) -> Self {
        Mention {
            parts,
            is_type: false,
            is_operator: false,
        }
    }

    pub(super) fn of_type(parts: Vec<String>) -> Self {
        Mention {
            is_type: true,
            ..Mention::object(parts)
        }
    }

    fn operator(parts: Vec<String>) -> Self {
        Mention {
            is_operator: true,
            ..Mention::object(parts)
        }
    }
}

impl Folder {
    /// Records in `History::references` every name `node` mentions, for the current file.
    pub(super) fn reference_all(&mut self, node: &NodeEnum) {
        let Some(tree) = Tree::of(node) else {
            return;
        };
        let mut mentions = Vec::new();
        collect(&tree, &mut mentions);
        for mention in mentions {
            self.reference(&mention);
        }
    }

    pub(super) fn reference(&mut self, mention: &Mention) {
        let parts = mention.parts.as_slice();
        let builtin = match parts {
            [schema, _] => schema == "pg_catalog",
            [name] => mention.is_type && is_builtin_type(&normalize_type(name)),
            _ => false,
        };
        // An unqualified operator is most often a built-in one (`=`): it counts only when a
        // migration declared an operator of that name.
        let is_name = if mention.is_operator {
            parts.len() > 1 || self.declared_operator(&parts[0])
        } else {
            parts
                .last()
                .is_some_and(|name| name.chars().any(|c| c.is_alphanumeric() || c == '_'))
        };
        if builtin || !is_name {
            return;
        }
        if let Some(name) = self.existing_name(parts) {
            self.note_reference(name);
        }
    }

    /// Does a migration declare an operator `name` in a schema of the search path?
    fn declared_operator(&self, name: &str) -> bool {
        self.search_path
            .schemas()
            .any(|schema| self.is_declared_name(&QualifiedName::new(schema, name)))
    }

    pub(super) fn note_reference(&mut self, name: QualifiedName) {
        let file = self.file;
        let files = self.history.references.entry(name).or_default();
        if files.last() != Some(&file) {
            files.push(file);
        }
    }
}

fn collect(value: &Tree, out: &mut Vec<Mention>) {
    if let Tree::Map(_) = value {
        inspect(value, out);
    }
    value.children().for_each(|item| collect(item, out));
}

/// The names one tree node carries, recognised by its fields.
fn inspect(map: &Tree, out: &mut Vec<Mention>) {
    if map.contains_key("relpersistence") {
        // RangeVar: FROM items, DML targets, FK targets, DDL relations.
        let schema = map.get("schemaname").and_then(Tree::as_str).unwrap_or("");
        if let Some(name) = map.get("relname").and_then(Tree::as_str) {
            let mut parts = vec![name.to_string()];
            if !schema.is_empty() {
                parts.insert(0, schema.to_string());
            }
            out.push(Mention::object(parts));
        }
    }
    if map.contains_key("array_bounds") {
        // TypeName: `t.col%TYPE` names the table t.
        if let Some(mut names) = map.get("names").and_then(node_strings) {
            if map.get("pct_type").and_then(Tree::as_bool) == Some(true) {
                names.pop();
                out.push(Mention::object(names));
            } else {
                out.push(Mention::of_type(names));
            }
        }
    }
    // An operator in an expression (A_Expr), a user's one as much as `=`.
    if map.contains_key("rexpr") {
        if let Some(names) = map.get("name").and_then(node_strings) {
            out.push(Mention::operator(names));
        }
    }
    // Function calls and definitions, trigger functions, ObjectWithArgs, DefineStmt.
    // An operator's name is symbols only (`CREATE OPERATOR`, `DROP OPERATOR`).
    for key in ["funcname", "objname", "defnames"] {
        if let Some(names) = map.get(key).and_then(node_strings) {
            let symbols = names
                .last()
                .is_some_and(|n| !n.chars().any(|c| c.is_alphanumeric() || c == '_'));
            out.push(if symbols {
                Mention::operator(names)
            } else {
                Mention::object(names)
            });
        }
    }
    // `COLLATE name` (CollateClause), in a column, a domain or an expression.
    if let Some(names) = map.get("collname").and_then(node_strings) {
        out.push(Mention::object(names));
    }
    // Enum, range and domain names given as name lists.
    for key in ["domainname", "type_name"] {
        if let Some(names) = map.get(key).and_then(node_strings) {
            out.push(Mention::of_type(names));
        }
    }
    object_lists(map, out);
    relation_constants(map, out);
    // `ALTER SEQUENCE s OWNED BY t.col` (and `CREATE SEQUENCE ... OWNED BY`).
    if map.get("defname").and_then(Tree::as_str) == Some("owned_by") {
        if let Some(mut names) = map
            .get("arg")
            .and_then(|a| a.path(&["node", "List", "items"]))
            .and_then(node_strings)
        {
            names.pop();
            out.push(Mention::object(names));
        }
    }
}

/// Objects given as name lists in `DROP`, `COMMENT`, `GRANT`, `ALTER ... OWNER` and
/// `ALTER ... SET SCHEMA` (`RangeVar`, `TypeName` and `ObjectWithArgs` items are found by
/// `inspect`). For a column, trigger, policy, rule or constraint, the list ends with the
/// part's own name, after its relation's.
fn object_lists(map: &Tree, out: &mut Vec<Mention>) {
    let object_type = ["remove_type", "objtype", "rename_type", "object_type"]
        .iter()
        .find_map(|key| map.get(key).and_then(Tree::as_i64))
        .and_then(|t| ObjectType::try_from(i32::try_from(t).ok()?).ok());
    let Some(object_type) = object_type else {
        return;
    };
    use ObjectType as T;
    let strip_last = match object_type {
        T::ObjectTable | T::ObjectView | T::ObjectMatview | T::ObjectSequence => false,
        T::ObjectForeignTable | T::ObjectIndex | T::ObjectType | T::ObjectDomain => false,
        T::ObjectCollation => false,
        T::ObjectColumn | T::ObjectTrigger | T::ObjectPolicy | T::ObjectRule => true,
        T::ObjectTabconstraint => true,
        _ => return,
    };
    let objects = map.get("objects").and_then(Tree::as_array);
    let items = objects.into_iter().flatten().chain(map.get("object"));
    for item in items {
        let Some(mut names) = item.path(&["node", "List", "items"]).and_then(node_strings) else {
            continue;
        };
        if strip_last {
            names.pop();
        }
        out.push(Mention::object(names));
    }
}

/// Relations named by string constants: `'t'::regclass`, `nextval('t_id_seq')`.
fn relation_constants(map: &Tree, out: &mut Vec<Mention>) {
    let literal = if map.contains_key("arg") && map.contains_key("type_name") {
        let names = map
            .get("type_name")
            .and_then(|t| t.get("names"))
            .and_then(node_strings);
        let is_regclass = names.is_some_and(|n| n.last().is_some_and(|n| n == "regclass"));
        map.get("arg")
            .filter(|_| is_regclass)
            .and_then(constant_string)
    } else if let Some(name) = map.get("funcname").and_then(node_strings) {
        let sequence_call = matches!(
            name.last().map(String::as_str),
            Some("nextval" | "currval" | "setval")
        );
        let first = map.get("args").and_then(|a| a.item(0));
        first.filter(|_| sequence_call).and_then(constant_string)
    } else {
        None
    };
    if let Some(parts) = literal.and_then(dotted_parts) {
        out.push(Mention::object(parts));
    }
}

/// The strings of an array of `String` nodes, or `None` if it is not one.
fn node_strings(value: &Tree) -> Option<Vec<String>> {
    let items = value.as_array()?;
    if items.is_empty() {
        return None;
    }
    items
        .iter()
        .map(|item| {
            item.path(&["node", "String", "sval"])?
                .as_str()
                .map(str::to_string)
        })
        .collect()
}

fn constant_string(node: &Tree) -> Option<&str> {
    node.path(&["node", "AConst", "val", "Sval", "sval"])?
        .as_str()
}
