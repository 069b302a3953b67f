//! What an import writes, in which order and where in history: the items, their dependency
//! order, the slot in history of each, and the files they are grouped into.

pub mod catchup;
mod graph;
mod inline;
mod item;
mod place;
mod select;
pub mod version;

pub use graph::parts_of;
pub use item::{Item, TableItem};
pub use select::{objects, resolve_table, Selection};

use crate::history::History;
use crate::model::{ObjectKey, Part, QualifiedName, Schema};
use anyhow::Result;

/// One file an import writes.
#[derive(Clone, Debug)]
pub struct PlannedFile {
    pub version: String,
    /// `<version>_import_<table>.sql`.
    pub file_name: String,
    pub title: String,
    pub description: String,
    /// Objects to drop first, as the replay of the history has them (catch-up files).
    pub drops: Vec<Item>,
    pub items: Vec<Item>,
    /// The history gap it goes in: before migration `slot`, or after all when it equals
    /// the number of migrations.
    pub slot: usize,
}

/// Where an import's files go and what each holds.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    pub files: Vec<PlannedFile>,
}

/// `--single-file NAME`: one file for each place in history instead of one per table.
#[derive(Clone, Debug, Default)]
pub struct Options {
    pub single_file: Option<String>,
    /// An import of all drift: also the database's own items (see `graph::build`).
    pub everything: bool,
    /// Parts of tables outside the managed schemas to import (see `Schema::app_parts`); the
    /// model given to `build` holds those tables.
    pub outside_parts: Vec<(QualifiedName, Part)>,
}

/// Plans the import of `objects` (drifted production objects).
pub fn build(
    prod: &Schema,
    history: &History,
    objects: &[ObjectKey],
    options: &Options,
) -> Result<Plan> {
    let mut nodes = graph::build(prod, history, objects, options);
    let order = place::order(&nodes)?;
    let slots = place::slots(&nodes, &order, history)?;
    let used: std::collections::BTreeSet<usize> = slots.iter().copied().collect();
    let mut grouped = Vec::new();
    for (n, &slot) in used.iter().enumerate() {
        let groups = match &options.single_file {
            Some(name) => vec![place::Group {
                slot,
                items: order
                    .iter()
                    .copied()
                    .filter(|&i| slots[i] == slot)
                    .collect(),
                label: if n == 0 {
                    name.clone()
                } else {
                    format!("{name}_{}", n + 1)
                },
                deferred: false,
            }],
            None => place::files_for_slot(&nodes, &order, &slots, slot),
        };
        let after = slot
            .checked_sub(1)
            .map(|i| history.files[i].version.as_str());
        let before = history.files.get(slot).map(|f| f.version.as_str());
        let versions = version::between(after, before, groups.len())?;
        grouped.extend(groups.into_iter().zip(versions));
    }
    // Where each item runs among all the files: what a constraint needs must run before
    // its table for the constraint to be written inside it.
    let mut position = vec![0; nodes.len()];
    for (p, &i) in grouped.iter().flat_map(|(g, _)| &g.items).enumerate() {
        position[i] = p;
    }
    let mut files = Vec::new();
    for (mut group, version) in grouped {
        inline::constraints(prod, &mut nodes, &mut position, &mut group.items);
        files.push(planned_file(
            &nodes,
            history,
            group,
            version,
            options.single_file.is_some(),
        ));
    }
    Ok(Plan { files })
}

fn planned_file(
    nodes: &[graph::Node],
    history: &History,
    group: place::Group,
    version: String,
    single: bool,
) -> PlannedFile {
    let stem = if single {
        file_stem(&group.label)
    } else if group.deferred {
        format!("import_{}_foreign_keys", file_stem(&group.label))
    } else {
        format!("import_{}", file_stem(&group.label))
    };
    let items: Vec<Item> = group.items.iter().map(|&i| nodes[i].item.clone()).collect();
    let (title, notes) = title_and_notes(&items, &group, single);
    let place = match (
        group.slot.checked_sub(1).and_then(|i| history.files.get(i)),
        history.files.get(group.slot),
    ) {
        (_, Some(next)) if group.slot == 0 => {
            format!("It runs before {}, the first migration.", file_name(next))
        }
        (Some(prev), Some(next)) => format!(
            "It runs after {}, which creates what it needs, and before {}.",
            file_name(prev),
            file_name(next)
        ),
        (Some(prev), None) => format!("It runs after {}, the last migration.", file_name(prev)),
        _ => String::new(),
    };
    let description = format!(
        "Made in production outside the migrations, and written here as production has it. \
         Every statement is idempotent: applied to production, this file changes nothing. \
         {place}{notes}\n\nHolds: {}.",
        summary(&items)
    );
    PlannedFile {
        file_name: format!("{version}_{stem}.sql"),
        version,
        title,
        description,
        drops: Vec::new(),
        items,
        slot: group.slot,
    }
}

/// The file's title, and what a reader should know about its place in history.
fn title_and_notes(items: &[Item], group: &place::Group, single: bool) -> (String, String) {
    let table = items.iter().find_map(|i| match i {
        Item::Table(t) => Some(t),
        _ => None,
    });
    let part_of = items.iter().find_map(|i| match i {
        Item::TablePart { table, .. } => Some(table),
        _ => None,
    });
    if single {
        let title = format!(
            "Import of {} objects made outside the migrations",
            items.len()
        );
        return (title, String::new());
    }
    if let Some(t) = table {
        let mut notes = String::new();
        if let Some(name) = t.renamed_later() {
            notes.push_str(&format!(
                " A later migration renames it to {name}, so it is created under its earlier name {} (and not at all where {name} exists).",
                t.as_name
            ));
        }
        if !t.omit_columns.is_empty() {
            notes.push_str(&format!(
                " Columns that later migrations add are left to them: {}.",
                t.omit_columns.join(", ")
            ));
        }
        return (format!("Import table {}", t.name), notes);
    }
    match part_of {
        Some(name) if group.deferred => (
            format!("Foreign keys of {name}"),
            " They close a cycle of foreign keys, so they are added once all its tables exist."
                .into(),
        ),
        Some(name) => (format!("Import parts of table {name}"), String::new()),
        None => (
            format!(
                "Import {}",
                items.first().map(item_label).unwrap_or_default()
            ),
            String::new(),
        ),
    }
}

/// `table public.t (2 constraints, 1 index); function public.f()`.
fn summary(items: &[Item]) -> String {
    let mut tables: Vec<(String, std::collections::BTreeMap<&str, usize>)> = Vec::new();
    let mut others = Vec::new();
    for item in items {
        match item {
            Item::Table(t) => {
                let mut counts = std::collections::BTreeMap::new();
                if !t.constraints.is_empty() {
                    counts.insert("constraint", t.constraints.len());
                }
                tables.push((t.name.to_string(), counts));
            }
            Item::TablePart { table, part } => {
                let label = table.to_string();
                if !tables.iter().any(|(n, _)| *n == label) {
                    tables.push((label.clone(), Default::default()));
                }
                let kind = match part {
                    crate::model::Part::Constraint(_) => "constraint",
                    crate::model::Part::Index(_) => "index",
                    crate::model::Part::Policy(_) => "policy",
                    crate::model::Part::Trigger(_) => "trigger",
                    crate::model::Part::Rule(_) => "rule",
                    _ => "column",
                };
                let entry = tables.iter_mut().find(|(n, _)| *n == label).unwrap();
                *entry.1.entry(kind).or_default() += 1;
            }
            other => others.push(item_label(other)),
        }
    }
    let mut parts: Vec<String> = tables
        .into_iter()
        .map(|(name, counts)| {
            let counts: Vec<String> = counts.iter().map(|(k, n)| plural(*n, k)).collect();
            if counts.is_empty() {
                format!("table {name}")
            } else {
                format!("table {name} ({})", counts.join(", "))
            }
        })
        .collect();
    parts.extend(others);
    parts.join("; ")
}

fn plural(n: usize, word: &str) -> String {
    match (n, word) {
        (1, w) => format!("1 {w}"),
        (n, "index") => format!("{n} indexes"),
        (n, "policy") => format!("{n} policies"),
        (n, w) => format!("{n} {w}s"),
    }
}

fn item_label(item: &Item) -> String {
    match item {
        Item::Type { name, .. } => format!("type {name}"),
        Item::Sequence { name } => format!("sequence {name}"),
        Item::Collation { name } => format!("collation {name}"),
        Item::Function { key } | Item::Operator { key } | Item::EventTrigger { key } => {
            key.to_string()
        }
        Item::View { name } => format!("view {name}"),
        Item::Table(t) => format!("table {}", t.name),
        Item::TablePart { table, .. } => format!("part of table {table}"),
        other => other.database_label().unwrap_or_default(),
    }
}

fn file_name(file: &crate::history::MigrationFile) -> String {
    file.path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// A file-name-safe form of an object name: letters, digits and `_`, at most 60 characters.
pub fn file_stem(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        let c = if c.is_ascii_alphanumeric() {
            c.to_ascii_lowercase()
        } else {
            '_'
        };
        if !(c == '_' && (out.is_empty() || out.ends_with('_'))) {
            out.push(c);
        }
        if out.len() >= 60 {
            break;
        }
    }
    let out = out.trim_end_matches('_').to_string();
    if out.is_empty() {
        "object".into()
    } else {
        out
    }
}

#[cfg(test)]
mod tests;
