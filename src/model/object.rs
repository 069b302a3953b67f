//! Keys that name one object across the catalog, the history and the report.

use super::QualifiedName;
use serde::Serialize;
use std::fmt;

/// The kinds pgdrift reports. The JSON names are part of the command-line contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectKind {
    Table,
    View,
    MaterializedView,
    Function,
    Procedure,
    Type,
    Sequence,
}

impl ObjectKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectKind::Table => "table",
            ObjectKind::View => "view",
            ObjectKind::MaterializedView => "materialized_view",
            ObjectKind::Function => "function",
            ObjectKind::Procedure => "procedure",
            ObjectKind::Type => "type",
            ObjectKind::Sequence => "sequence",
        }
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

/// One object: its kind, its name and, for routines, its input argument types
/// (normalised with `normalize_type`, joined with `, `).
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

    /// `public.users`, or `public.is_member(uuid, text)` for a routine.
    pub fn display_name(&self) -> String {
        match &self.signature {
            Some(sig) => format!("{}({})", self.name, sig),
            None => self.name.to_string(),
        }
    }
}

impl fmt::Display for ObjectKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind, self.display_name())
    }
}
