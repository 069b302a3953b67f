//! Keys that name one object across the catalog, the history and the report.

use super::QualifiedName;
use serde::Serialize;
use std::fmt;

/// Every kind of thing pgdrift names, in one vocabulary: the objects a report lists (tables
/// to sequences, the kinds of an `ObjectKey`), and the parts inside them that a migration
/// adds or a difference is about. The JSON names are part of the command-line contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectKind {
    Table,
    View,
    MaterializedView,
    Function,
    Procedure,
    Type,
    Collation,
    Sequence,
    /// `CREATE OPERATOR`; its key's signature holds the operand types.
    Operator,
    /// `CREATE EVENT TRIGGER`; its key's schema is its function's.
    EventTrigger,
    Extension,
    /// A value of an enum type.
    EnumValue,
    /// An attribute of a composite type.
    Attribute,
    Column,
    /// Of a table, or of a domain.
    Constraint,
    Index,
    /// `ENABLE` or `FORCE ROW LEVEL SECURITY`.
    Rls,
    Policy,
    Trigger,
    /// A rewrite rule (`CREATE RULE`).
    Rule,
    /// `COMMENT ON`.
    Comment,
    /// `GRANT`.
    Grant,
}

impl ObjectKind {
    pub const ALL: [ObjectKind; 22] = [
        ObjectKind::Table,
        ObjectKind::View,
        ObjectKind::MaterializedView,
        ObjectKind::Function,
        ObjectKind::Procedure,
        ObjectKind::Type,
        ObjectKind::Collation,
        ObjectKind::Sequence,
        ObjectKind::Operator,
        ObjectKind::EventTrigger,
        ObjectKind::Extension,
        ObjectKind::EnumValue,
        ObjectKind::Attribute,
        ObjectKind::Column,
        ObjectKind::Constraint,
        ObjectKind::Index,
        ObjectKind::Rls,
        ObjectKind::Policy,
        ObjectKind::Trigger,
        ObjectKind::Rule,
        ObjectKind::Comment,
        ObjectKind::Grant,
    ];

    /// The kind `as_str` names `name`.
    pub fn from_name(name: &str) -> Option<ObjectKind> {
        ObjectKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ObjectKind::Table => "table",
            ObjectKind::View => "view",
            ObjectKind::MaterializedView => "materialized_view",
            ObjectKind::Function => "function",
            ObjectKind::Procedure => "procedure",
            ObjectKind::Type => "type",
            ObjectKind::Collation => "collation",
            ObjectKind::Sequence => "sequence",
            ObjectKind::Operator => "operator",
            ObjectKind::EventTrigger => "event_trigger",
            ObjectKind::Extension => "extension",
            ObjectKind::EnumValue => "enum_value",
            ObjectKind::Attribute => "attribute",
            ObjectKind::Column => "column",
            ObjectKind::Constraint => "constraint",
            ObjectKind::Index => "index",
            ObjectKind::Rls => "rls",
            ObjectKind::Policy => "policy",
            ObjectKind::Trigger => "trigger",
            ObjectKind::Rule => "rule",
            ObjectKind::Comment => "comment",
            ObjectKind::Grant => "grant",
        }
    }

    /// The objects a report lists as tracked, drifted, missing or system, each on its own:
    /// tables, views, materialized views, functions, procedures, types, collations,
    /// sequences, operators and event triggers.
    pub fn is_object(self) -> bool {
        self.is_relation()
            || self.is_routine()
            || matches!(
                self,
                ObjectKind::Type
                    | ObjectKind::Collation
                    | ObjectKind::Operator
                    | ObjectKind::EventTrigger
            )
    }

    /// Tables, views, materialized views and sequences share one namespace (`pg_class`).
    pub fn is_relation(self) -> bool {
        matches!(
            self,
            ObjectKind::Table
                | ObjectKind::View
                | ObjectKind::MaterializedView
                | ObjectKind::Sequence
        )
    }

    pub fn is_routine(self) -> bool {
        matches!(self, ObjectKind::Function | ObjectKind::Procedure)
    }
}

impl fmt::Display for ObjectKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One object: its kind (one that `ObjectKind::is_object`, or an extension), its name
/// and, for routines, its input argument types (normalised with `normalize_type`, joined
/// with `, `).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct ObjectKey {
    pub kind: ObjectKind,
    #[serde(flatten)]
    pub name: QualifiedName,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
}

impl ObjectKey {
    pub fn relation(kind: ObjectKind, name: QualifiedName) -> Self {
        ObjectKey {
            kind,
            name,
            signature: None,
        }
    }

    pub fn routine(kind: ObjectKind, name: QualifiedName, signature: impl Into<String>) -> Self {
        ObjectKey {
            kind,
            name,
            signature: Some(signature.into()),
        }
    }

    /// `public.users`, or `public.is_member(uuid, text)` for a routine, `public.=~=(numeric,
    /// numeric)` for an operator (its symbols are not quoted), and an event trigger's name
    /// alone (it belongs to no schema).
    pub fn display_name(&self) -> String {
        let name = match self.kind {
            ObjectKind::Operator => super::operator_sql(&self.name),
            ObjectKind::EventTrigger => super::quote_ident(&self.name.name),
            _ => self.name.to_string(),
        };
        match &self.signature {
            Some(sig) => format!("{name}({sig})"),
            None => name,
        }
    }
}

impl fmt::Display for ObjectKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind, self.display_name())
    }
}

#[cfg(test)]
mod tests {
    use super::ObjectKind;

    #[test]
    fn json_names_are_the_printed_names() {
        use ObjectKind::*;
        for kind in ObjectKind::ALL {
            let json = serde_json::to_value(kind).unwrap();
            assert_eq!(json, kind.as_str(), "{kind:?}");
            assert_eq!(ObjectKind::from_name(kind.as_str()), Some(kind));
        }
        assert_eq!(ObjectKind::from_name("operator"), Some(Operator));
        assert_eq!(ObjectKind::from_name("publication"), None);
        let objects: Vec<ObjectKind> = ObjectKind::ALL
            .into_iter()
            .filter(|k| k.is_object())
            .collect();
        assert_eq!(
            objects,
            [
                Table,
                View,
                MaterializedView,
                Function,
                Procedure,
                Type,
                Collation,
                Sequence,
                Operator,
                EventTrigger
            ]
        );
    }
}
