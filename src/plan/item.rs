//! The units an import renders. Each is idempotent on its own: applied to a database that
//! already has it, it changes nothing.

use crate::model::{ObjectKey, Part, QualifiedName};
use serde::Serialize;
use std::collections::BTreeMap;

/// One thing an import file creates.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "item", rename_all = "snake_case")]
pub enum Item {
    /// `CREATE SCHEMA IF NOT EXISTS`.
    Schema { name: String },
    /// `CREATE EXTENSION IF NOT EXISTS name WITH SCHEMA schema`.
    Extension { name: String, schema: String },
    /// `CREATE COLLATION IF NOT EXISTS`, with its comment.
    Collation { name: QualifiedName },
    /// An enum, domain, composite or range type, guarded. For an enum, `omit_values` are
    /// values a later migration adds (`ALTER TYPE ... ADD VALUE`), left out here.
    Type {
        name: QualifiedName,
        omit_values: Vec<String>,
    },
    /// A sequence not owned by a column, with its options, comment and grants.
    Sequence { name: QualifiedName },
    /// A function or procedure (`CREATE OR REPLACE`), with its comment and grants.
    Function { key: ObjectKey },
    /// A table: `CREATE TABLE IF NOT EXISTS` with the columns it has at this point in
    /// history, the sequences its columns own, row level security flags, table and column
    /// comments and grants.
    Table(TableItem),
    /// One constraint, index, policy or trigger of a table (with its comment), guarded:
    /// constraints by a lookup in pg_constraint, policies in pg_policy, indexes with
    /// `IF NOT EXISTS`, triggers with `CREATE OR REPLACE` (constraint triggers guarded).
    /// Parts always run where the table has its production name.
    TablePart { table: QualifiedName, part: Part },
    /// A view or materialized view with its indexes, triggers, comments and grants.
    View { name: QualifiedName },
    /// An operator, guarded by a lookup in pg_operator, with its comment.
    Operator { key: ObjectKey },
    /// An event trigger, guarded by a lookup in pg_event_trigger, then enabled as production
    /// has it, with its comment.
    EventTrigger { key: ObjectKey },
    /// A publication, created where it is missing, and the imported `tables` of it added
    /// where they are not published yet.
    Publication {
        name: String,
        tables: Vec<QualifiedName>,
    },
    /// Production's `ALTER DEFAULT PRIVILEGES` for the managed schemas. It runs after every
    /// other item, so that the objects the import creates have only the privileges their
    /// own files give them, as in production.
    DefaultPrivileges,
}

impl Item {
    /// `schema app`, `publication supabase_realtime`: for the items that belong to no
    /// object.
    pub fn database_label(&self) -> Option<String> {
        match self {
            Item::Schema { name } => Some(format!("schema {name}")),
            Item::Extension { name, .. } => Some(format!("extension {name}")),
            Item::Publication { name, .. } => Some(format!("publication {name}")),
            Item::DefaultPrivileges => Some("default privileges".into()),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TableItem {
    /// The table's name in production.
    pub name: QualifiedName,
    /// The name to create it under: differs when a later migration renames the table.
    pub as_name: QualifiedName,
    /// Production column name → the name it has when this item runs (a later migration
    /// renames the column). Columns not listed keep their name.
    pub column_names: BTreeMap<String, String>,
    /// Columns left out because a later migration adds them.
    pub omit_columns: Vec<String>,
    /// Constraints written inside `CREATE TABLE` (in catalog order); the table's other
    /// constraints are parts of their own.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub constraints: Vec<String>,
}

impl TableItem {
    /// Set when a later migration renames the table: the item must then do nothing where
    /// the production name exists, so that applied to production it does not create the
    /// table again under its old name.
    pub fn renamed_later(&self) -> Option<&QualifiedName> {
        (self.as_name != self.name).then_some(&self.name)
    }
}

impl TableItem {
    /// A table created under its production name with all its columns.
    pub fn whole(name: QualifiedName) -> Self {
        TableItem {
            as_name: name.clone(),
            name,
            column_names: BTreeMap::new(),
            omit_columns: Vec::new(),
            constraints: Vec::new(),
        }
    }
}
