//! Catch-up migrations: what production has that a replay of the history lacks inside
//! objects both have (a column, an index, a policy, a trigger added by hand to a migration's
//! table; a function changed by hand), and what the replay has that production lost (a
//! migration's table dropped by hand). Dated after the last migration.

use super::graph::parts_of;
use super::{file_stem, version, Item, PlannedFile, TableItem};
use crate::model::{ObjectKey, ObjectKind, Part, Schema, Table};
use anyhow::Result;

/// What the catch-up files hold, before versions are given.
struct Group {
    stem: String,
    title: String,
    drops: Vec<Item>,
    items: Vec<Item>,
}

/// Files that make the replay of the history (`replayed`) equal production, dated after
/// `after` (the last migration or import file).
pub fn files(
    prod: &Schema,
    replayed: &Schema,
    after: Option<&str>,
    slot: usize,
) -> Result<Vec<PlannedFile>> {
    let mut groups = Vec::new();
    if let Some(removed) = removed_objects(prod, replayed) {
        groups.push(removed);
    }
    for table in prod.tables.values() {
        if let Some(theirs) = replayed.tables.get(&table.name) {
            groups.extend(table_changes(table, theirs));
        }
    }
    for (key, function) in &prod.functions {
        let changed = replayed
            .functions
            .get(key)
            .is_some_and(|f| f.definition != function.definition);
        if changed {
            groups.push(Group {
                stem: format!("catch_up_{}", file_stem(&key.name.name)),
                title: format!("Catch up {key}, changed by hand in production"),
                drops: Vec::new(),
                items: vec![Item::Function { key: key.clone() }],
            });
        }
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
/// them by hand.
fn removed_objects(prod: &Schema, replayed: &Schema) -> Option<Group> {
    let prod_keys: Vec<ObjectKey> = prod.keys();
    let mut drops = Vec::new();
    for key in replayed.keys().into_iter().rev() {
        if prod_keys.contains(&key) {
            continue;
        }
        let item = match key.kind {
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
            ObjectKind::Sequence if replayed.sequences[&key.name].owned_by.is_none() => {
                Item::Sequence {
                    name: key.name.clone(),
                }
            }
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

/// Parts production's table has that the replayed one lacks, and the other way round.
fn table_changes(prod: &Table, replayed: &Table) -> Option<Group> {
    let theirs = parts_of(replayed);
    let ours = parts_of(prod);
    let part = |p: Part| Item::TablePart {
        table: prod.name.clone(),
        part: p,
    };
    let mut items: Vec<Item> = prod
        .columns
        .iter()
        .filter(|c| c.is_local && !replayed.columns.iter().any(|r| r.name == c.name))
        .map(|c| part(Part::Column(c.name.clone())))
        .collect();
    items.extend(
        ours.iter()
            .filter(|p| !theirs.contains(p))
            .cloned()
            .map(part),
    );
    let mut drops: Vec<Item> = theirs
        .iter()
        .rev()
        .filter(|p| !ours.contains(p))
        .cloned()
        .map(part)
        .collect();
    drops.extend(
        replayed
            .columns
            .iter()
            .filter(|c| c.is_local && !prod.columns.iter().any(|p| p.name == c.name))
            .map(|c| part(Part::Column(c.name.clone()))),
    );
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
