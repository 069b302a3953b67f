//! Catch-up migrations: what production has that a replay of the history lacks inside
//! objects both have (a column, an index, a policy, a trigger added by hand to a migration's
//! table; a function changed by hand), and what the replay has that production lost (a
//! migration's table dropped by hand). Dated after the last migration.
//!
//! What to catch up comes from the differences `diff::compare` found between production and
//! the replay; the two schemas only give the order of the statements and what a file drops.

use super::graph::parts_of;
use super::{file_stem, version, Item, PlannedFile, TableItem};
use crate::diff::{Difference, State};
use crate::model::{ObjectKey, ObjectKind, Part, Schema, Table};
use anyhow::Result;
use std::collections::BTreeSet;

/// What the catch-up files hold, before versions are given.
struct Group {
    stem: String,
    title: String,
    drops: Vec<Item>,
    items: Vec<Item>,
}

/// Files that make the replay of the history (`replayed`) equal production, for the
/// `differences` between them, dated after `after` (the last migration or import file).
pub fn files(
    prod: &Schema,
    replayed: &Schema,
    differences: &[Difference],
    after: Option<&str>,
    slot: usize,
) -> Result<Vec<PlannedFile>> {
    let mut groups = Vec::new();
    if let Some(removed) = removed_objects(replayed, differences) {
        groups.push(removed);
    }
    for table in prod.tables.values() {
        if let Some(theirs) = replayed.tables.get(&table.name) {
            groups.extend(table_changes(table, theirs, differences));
        }
    }
    let changed: BTreeSet<&ObjectKey> = differences
        .iter()
        .filter(|d| d.kind.is_routine() && d.state == State::Differs)
        .map(|d| &d.key)
        .collect();
    // A routine itself differs only in its definition: its comment and grants are
    // differences of their own kinds.
    for key in prod.functions.keys().filter(|k| changed.contains(k)) {
        groups.push(Group {
            stem: format!("catch_up_{}", file_stem(&key.name.name)),
            title: format!("Catch up {key}, changed by hand in production"),
            drops: Vec::new(),
            items: vec![Item::Function { key: key.clone() }],
        });
    }
    let versions = version::between(after, None, groups.len())?;
    Ok(groups
        .into_iter()
        .zip(versions)
        .map(|(group, version)| PlannedFile {
            file_name: format!("{version}_{}.sql", group.stem),
            version,
            title: group.title,
            description: "Production was changed by hand after the migrations ran; this file brings the \
                          history up to production. Every statement is idempotent: applied to production, \
                          it changes nothing."
                .into(),
            drops: group.drops,
            items: group.items,
            slot,
        })
        .collect())
}

/// Objects the replay has and production does not: migrations made them, someone dropped
/// them by hand. Dropped in the reverse of the replay's catalog order.
fn removed_objects(replayed: &Schema, differences: &[Difference]) -> Option<Group> {
    let removed: BTreeSet<&ObjectKey> = differences
        .iter()
        .filter(|d| d.state == State::InMigrationsOnly && d.kind.is_object())
        .map(|d| &d.key)
        .collect();
    let mut drops = Vec::new();
    for key in replayed.keys().iter().rev().filter(|k| removed.contains(k)) {
        let item = match key.kind {
            // A partition goes with its parent.
            ObjectKind::Table if replayed.tables[&key.name].partition_of.is_none() => {
                Item::Table(TableItem::whole(key.name.clone()))
            }
            ObjectKind::View | ObjectKind::MaterializedView => Item::View {
                name: key.name.clone(),
            },
            ObjectKind::Function | ObjectKind::Procedure => Item::Function { key: key.clone() },
            ObjectKind::Type => Item::Type {
                name: key.name.clone(),
                omit_values: Vec::new(),
            },
            ObjectKind::Sequence => Item::Sequence {
                name: key.name.clone(),
            },
            ObjectKind::Collation => Item::Collation {
                name: key.name.clone(),
            },
            _ => continue,
        };
        drops.push(item);
    }
    (!drops.is_empty()).then(|| Group {
        stem: "catch_up_dropped_by_hand".into(),
        title: "Drop what migrations created and production no longer has".into(),
        drops,
        items: Vec::new(),
    })
}

/// Columns and parts (constraints, indexes, policies, triggers) that production's table
/// has and the replayed one lacks, in production's order, and those the replayed one has
/// and production lost, in reverse order.
fn table_changes(prod: &Table, replayed: &Table, differences: &[Difference]) -> Option<Group> {
    let key = ObjectKey::relation(ObjectKind::Table, prod.name.clone());
    let one_side = |state: State| -> BTreeSet<&Part> {
        differences
            .iter()
            .filter(|d| d.key == key && d.state == state && d.part.kind() == Some(d.kind))
            .map(|d| &d.part)
            .collect()
    };
    let (added, lost) = (
        one_side(State::InProductionOnly),
        one_side(State::InMigrationsOnly),
    );
    let local_columns = |t: &Table| -> Vec<Part> {
        t.columns
            .iter()
            .filter(|c| c.is_local)
            .map(|c| Part::Column(c.name.clone()))
            .collect()
    };
    let part = |p: Part| Item::TablePart {
        table: prod.name.clone(),
        part: p,
    };
    let items: Vec<Item> = local_columns(prod)
        .into_iter()
        .chain(parts_of(prod))
        .filter(|p| added.contains(p))
        .map(part)
        .collect();
    let drops: Vec<Item> = parts_of(replayed)
        .into_iter()
        .rev()
        .chain(local_columns(replayed))
        .filter(|p| lost.contains(p))
        .map(part)
        .collect();
    if items.is_empty() && drops.is_empty() {
        return None;
    }
    Some(Group {
        stem: format!("catch_up_{}", file_stem(&prod.name.name)),
        title: format!(
            "Catch up table {}, changed by hand in production",
            prod.name
        ),
        drops,
        items,
    })
}
