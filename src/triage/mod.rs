//! The policy's two other ways out of drift, besides import: drop a table after backing
//! its rows up (`drop`), or record it as managed elsewhere (`mark-system`). This module
//! works out what a drop would break and what it may take along; `backup` writes the rows.

pub mod backup;
pub mod code;

use crate::drift::Report;
use crate::history::History;
use crate::model::{ConstraintKind, ObjectKey, ObjectKind, QualifiedName, Schema, TableKind};
use anyhow::{bail, Result};
use std::collections::BTreeSet;

/// The drop of some drifted tables: the order to drop them in, and the drifted objects
/// that only they use, which go with them.
#[derive(Clone, Debug, Default)]
pub struct DropPlan {
    pub order: Vec<QualifiedName>,
    pub orphans: Vec<ObjectKey>,
}

/// Plans the drop of `tables`, or refuses it, naming what kept needs them: pgdrift never
/// drops with CASCADE.
pub fn plan_drop(
    prod: &Schema,
    history: &History,
    report: &Report,
    tables: &[QualifiedName],
) -> Result<DropPlan> {
    let dropped: BTreeSet<QualifiedName> = tables.iter().cloned().collect();
    let mut problems = Vec::new();
    for table in tables {
        let deps = dependents(prod, history, table, &dropped);
        if !deps.is_empty() {
            let mut list: Vec<String> = deps.iter().take(5).map(|d| d.to_string()).collect();
            if deps.len() > 5 {
                list.push(format!("and {} more", deps.len() - 5));
            }
            problems.push(format!("{table} is needed by {}", list.join(", ")));
        }
    }
    if !problems.is_empty() {
        bail!(
            "cannot drop without CASCADE: {}; drop or import those first, import the table instead, or drop them together (nothing was written)",
            problems.join("; ")
        );
    }
    let drifted: BTreeSet<ObjectKey> = report.drifted.iter().map(|e| e.key.clone()).collect();
    Ok(DropPlan {
        order: drop_order(prod, tables),
        orphans: orphans(prod, &drifted, &dropped),
    })
}

/// The table as a query reads its own rows: `ONLY t` (not its inheritance children, which
/// are tables of their own), or `t` for a partitioned table, whose rows are its partitions'.
pub fn own_rows(prod: &Schema, table: &QualifiedName) -> String {
    match prod.tables.get(table) {
        Some(t) if t.kind == TableKind::Partitioned => table.to_string(),
        _ => format!("ONLY {table}"),
    }
}

/// Something that needs a table to exist.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Dependent {
    ForeignKey {
        table: QualifiedName,
        constraint: String,
    },
    Object(ObjectKey),
    Child(QualifiedName),
    Migration(String),
}

impl std::fmt::Display for Dependent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Dependent::ForeignKey { table, constraint } => {
                write!(f, "table {table} (foreign key {constraint})")
            }
            Dependent::Object(key) => write!(f, "{key}"),
            Dependent::Child(table) => write!(f, "table {table} (inherits from it)"),
            Dependent::Migration(file) => write!(f, "migration {file} (names it)"),
        }
    }
}

/// What keeps `table` from being dropped alone, when the tables of `dropped` go too:
/// foreign keys from other tables, views and routines built on it, inheritance children,
/// and migrations that name it (a replay would fail there without the table).
pub fn dependents(
    prod: &Schema,
    history: &History,
    table: &QualifiedName,
    dropped: &BTreeSet<QualifiedName>,
) -> Vec<Dependent> {
    let mut out = Vec::new();
    let gone =
        |n: &QualifiedName| n == table || dropped.contains(n) || is_partition_of(prod, n, table);
    for t in prod.tables.values().filter(|t| !gone(&t.name)) {
        for c in &t.constraints {
            if c.kind == ConstraintKind::ForeignKey
                && c.is_local
                && c.references.as_ref() == Some(table)
            {
                out.push(Dependent::ForeignKey {
                    table: t.name.clone(),
                    constraint: c.name.clone(),
                });
            }
        }
        if t.inherits.contains(table) {
            out.push(Dependent::Child(t.name.clone()));
        }
    }
    let key = ObjectKey::relation(ObjectKind::Table, table.clone());
    let mut objects = BTreeSet::new();
    for d in &prod.dependencies {
        if d.to == key && d.from.kind != ObjectKind::Table && objects.insert(d.from.clone()) {
            out.push(Dependent::Object(d.from.clone()));
        }
    }
    if let Some(files) = history.references.get(table) {
        for &i in files {
            if let Some(file) = history.files.get(i) {
                let name = file
                    .path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned());
                let dep = Dependent::Migration(name.unwrap_or_default());
                if !out.contains(&dep) {
                    out.push(dep);
                }
            }
        }
    }
    out
}

fn is_partition_of(prod: &Schema, name: &QualifiedName, parent: &QualifiedName) -> bool {
    let mut current = name;
    while let Some(p) = prod
        .tables
        .get(current)
        .and_then(|t| t.partition_of.as_ref())
    {
        if &p.parent == parent {
            return true;
        }
        current = &p.parent;
    }
    false
}

/// Drifted functions, types and sequences that only the tables of `dropped` use (trigger
/// functions, enum types of their columns, sequences their defaults draw from without
/// owning them): nothing is left that needs them once the tables are gone.
pub fn orphans(
    prod: &Schema,
    drifted: &BTreeSet<ObjectKey>,
    dropped: &BTreeSet<QualifiedName>,
) -> Vec<ObjectKey> {
    let from_dropped = |k: &ObjectKey| k.kind == ObjectKind::Table && dropped.contains(&k.name);
    let mut out: Vec<ObjectKey> = Vec::new();
    for d in &prod.dependencies {
        let candidate = &d.to;
        if !from_dropped(&d.from)
            || !matches!(
                candidate.kind,
                ObjectKind::Function
                    | ObjectKind::Procedure
                    | ObjectKind::Type
                    | ObjectKind::Sequence
            )
            || !drifted.contains(candidate)
            || out.contains(candidate)
        {
            continue;
        }
        let used_elsewhere = prod
            .dependencies
            .iter()
            .any(|o| &o.to == candidate && !from_dropped(&o.from));
        let used_by_kept_trigger = prod.tables.values().any(|t| {
            !dropped.contains(&t.name)
                && t.triggers
                    .iter()
                    .any(|tr| candidate.kind.is_routine() && tr.function == candidate.name)
        });
        let owned = candidate.kind == ObjectKind::Sequence
            && prod
                .sequences
                .get(&candidate.name)
                .is_some_and(|s| s.owned_by.is_some());
        if !used_elsewhere && !used_by_kept_trigger && !owned {
            out.push(candidate.clone());
        }
    }
    // Routines first (a function may use a type), then types, then sequences.
    out.sort_by_key(|k| match k.kind {
        ObjectKind::Function | ObjectKind::Procedure => 0,
        ObjectKind::Type => 1,
        _ => 2,
    });
    out
}

/// The tables of `dropped` in an order that drops each before the tables it references.
pub fn drop_order(prod: &Schema, dropped: &[QualifiedName]) -> Vec<QualifiedName> {
    let mut left: Vec<QualifiedName> = dropped.to_vec();
    let mut out = Vec::new();
    while !left.is_empty() {
        // A table no other remaining table references goes first.
        let next = left
            .iter()
            .position(|t| {
                !left.iter().any(|o| {
                    o != t
                        && prod.tables.get(o).is_some_and(|ot| {
                            ot.constraints
                                .iter()
                                .any(|c| c.references.as_ref() == Some(t))
                        })
                })
            })
            .unwrap_or(0);
        out.push(left.remove(next));
    }
    out
}
