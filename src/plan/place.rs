//! A deterministic order of the items, a slot in history for each, and the files they form.

use super::graph::Node;
use super::item::Item;
use crate::history::History;
use anyhow::{bail, Result};
use std::collections::{BTreeMap, BTreeSet};

/// Items in dependency order (Kahn's algorithm; ties by kind, then name, then catalog order).
/// Preferences (a table after the tables its foreign keys reference) are followed while they
/// can be; when only preferences block, as in a cycle of foreign keys, the first blocked item
/// whose real needs are met goes next.
pub fn order(nodes: &[Node]) -> Result<Vec<usize>> {
    let mut needs: Vec<usize> = nodes.iter().map(|n| n.needs.len()).collect();
    let mut prefers: Vec<usize> = nodes.iter().map(|n| n.prefers.len()).collect();
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
    let mut preferring: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
    for (i, node) in nodes.iter().enumerate() {
        node.needs.iter().for_each(|&n| dependents[n].push(i));
        node.prefers.iter().for_each(|&n| preferring[n].push(i));
    }
    let keys: Vec<(u8, String, usize)> = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.rank(), sort_name(n), i))
        .collect();
    // Items whose needs are met: all of them, and those whose preferences are met too.
    let mut able: BTreeSet<&(u8, String, usize)> = BTreeSet::new();
    let mut preferred: BTreeSet<&(u8, String, usize)> = BTreeSet::new();
    for (i, key) in keys.iter().enumerate().filter(|(i, _)| needs[*i] == 0) {
        able.insert(key);
        if prefers[i] == 0 {
            preferred.insert(key);
        }
    }
    let mut out = Vec::with_capacity(nodes.len());
    while let Some(&next) = preferred.first().or_else(|| able.first()) {
        let i = next.2;
        able.remove(next);
        preferred.remove(next);
        out.push(i);
        for &d in &dependents[i] {
            needs[d] -= 1;
            if needs[d] == 0 {
                able.insert(&keys[d]);
                if prefers[d] == 0 {
                    preferred.insert(&keys[d]);
                }
            }
        }
        for &d in &preferring[i] {
            prefers[d] -= 1;
            if prefers[d] == 0 && needs[d] == 0 && able.contains(&keys[d]) {
                preferred.insert(&keys[d]);
            }
        }
    }
    if out.len() < nodes.len() {
        let done: BTreeSet<usize> = out.iter().copied().collect();
        let stuck: Vec<String> = (0..nodes.len())
            .filter(|i| !done.contains(i))
            .map(|i| describe(&nodes[i]))
            .take(5)
            .collect();
        bail!(
            "these objects depend on each other in a cycle pgdrift cannot order: {}",
            stuck.join(", ")
        );
    }
    Ok(out)
}

fn sort_name(node: &Node) -> String {
    match &node.owner {
        Some(key) => key.display_name(),
        None => node.schema.clone(),
    }
}

/// `table public.orders`, `constraint orders_pkey on public.orders`...
pub fn describe(node: &Node) -> String {
    match &node.item {
        Item::TablePart { table, part } => format!("{} on {table}", part_label(part)),
        other if other.database_label().is_some() => other.database_label().unwrap_or_default(),
        _ => node
            .owner
            .as_ref()
            .map(|k| k.to_string())
            .unwrap_or_default(),
    }
}

fn part_label(part: &crate::model::Part) -> String {
    use crate::model::Part;
    match part {
        Part::Whole => "table".into(),
        Part::Column(n) => format!("column {n}"),
        Part::Constraint(n) => format!("constraint {n}"),
        Part::Index(n) => format!("index {n}"),
        Part::Policy(n) => format!("policy {n}"),
        Part::Trigger(n) => format!("trigger {n}"),
        Part::Rule(n) => format!("rule {n}"),
    }
}

/// The slot of each item: as early as what it needs allows, and never after the first
/// migration that references it.
pub fn slots(nodes: &[Node], order: &[usize], history: &History) -> Result<Vec<usize>> {
    let mut slot = vec![0; nodes.len()];
    let mut reason: Vec<Option<usize>> = vec![None; nodes.len()];
    for &i in order {
        let (mut s, mut why) = nodes[i].earliest;
        for &need in &nodes[i].needs {
            if slot[need] > s {
                s = slot[need];
                why = reason[need];
            }
        }
        slot[i] = s;
        reason[i] = why;
        let (latest, first_reference) = nodes[i].latest;
        if s > latest {
            let file = |f: Option<usize>| {
                f.and_then(|f| history.files.get(f))
                    .map(|m| m.path.display().to_string())
                    .unwrap_or_default()
            };
            bail!(
                "cannot place {}: it needs what {} creates, but the earlier {} already uses it; move one of those migrations, or import the object by hand",
                describe(&nodes[i]),
                file(why),
                file(first_reference)
            );
        }
    }
    Ok(slot)
}

/// A group of items that become one file.
#[derive(Debug)]
pub struct Group {
    pub slot: usize,
    pub items: Vec<usize>,
    /// The table the file is named after, or the single object it holds.
    pub label: String,
    pub deferred: bool,
}

/// Groups one slot's items into files: a file per table, holding the table, the parts that
/// can be created with it and the not yet created objects they need; a part that needs a
/// table created later (a foreign key of a cycle) goes to a file after all the slot's
/// tables; anything left gets a file of its own.
pub fn files_for_slot(nodes: &[Node], order: &[usize], slot: &[usize], s: usize) -> Vec<Group> {
    let in_slot: Vec<usize> = order.iter().copied().filter(|&i| slot[i] == s).collect();
    let position: BTreeMap<usize, usize> =
        in_slot.iter().enumerate().map(|(p, &i)| (i, p)).collect();
    let mut emitted: BTreeSet<usize> = order.iter().copied().filter(|&i| slot[i] < s).collect();
    let mut groups = Vec::new();
    let mut deferred: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut parts_by_table: BTreeMap<&crate::model::QualifiedName, Vec<usize>> = BTreeMap::new();
    for &i in &in_slot {
        if let Item::TablePart { table, .. } = &nodes[i].item {
            parts_by_table.entry(table).or_default().push(i);
        }
    }
    for &i in &in_slot {
        let Item::Table(table) = &nodes[i].item else {
            continue;
        };
        let mut items = closure(nodes, &position, &emitted, i);
        let mut file: BTreeSet<usize> = items.iter().copied().collect();
        emitted.extend(items.iter().copied());
        let parts: Vec<usize> = parts_by_table
            .get(&table.name)
            .into_iter()
            .flatten()
            .copied()
            .filter(|p| !emitted.contains(p))
            .collect();
        for part in parts {
            let needed = closure(nodes, &position, &emitted, part);
            if needed
                .iter()
                .any(|&n| n != part && belongs_to_a_table(&nodes[n]))
            {
                deferred
                    .entry(table.name.to_string())
                    .or_default()
                    .push(part);
                continue;
            }
            emitted.extend(needed.iter().copied());
            file.extend(needed.iter().copied());
            items.extend(needed);
        }
        items.sort_by_key(|n| position[n]);
        groups.push(Group {
            slot: s,
            items,
            label: table.as_name.name.clone(),
            deferred: false,
        });
    }
    for (_, parts) in deferred {
        let label = match &nodes[parts[0]].item {
            Item::TablePart { table, .. } => table.name.clone(),
            _ => String::new(),
        };
        let mut items = BTreeSet::new();
        for &part in &parts {
            items.extend(closure(nodes, &position, &emitted, part));
        }
        let mut items: Vec<usize> = items.into_iter().collect();
        items.sort_by_key(|n| position[n]);
        emitted.extend(items.iter().copied());
        groups.push(Group {
            slot: s,
            items,
            label,
            deferred: true,
        });
    }
    for &i in &in_slot {
        if emitted.contains(&i) {
            continue;
        }
        // Parts of a table created in an earlier slot share one file.
        let siblings: Vec<usize> = match &nodes[i].item {
            Item::TablePart { table, .. } => in_slot
                .iter()
                .copied()
                .filter(|&p| {
                    !emitted.contains(&p)
                        && matches!(&nodes[p].item, Item::TablePart { table: t, .. } if t == table)
                })
                .collect(),
            _ => vec![i],
        };
        let mut items = BTreeSet::new();
        for member in siblings {
            items.extend(closure(nodes, &position, &emitted, member));
        }
        let mut items: Vec<usize> = items.into_iter().collect();
        items.sort_by_key(|n| position[n]);
        emitted.extend(items.iter().copied());
        groups.push(Group {
            slot: s,
            items,
            label: label(&nodes[i]),
            deferred: false,
        });
    }
    groups
}

fn belongs_to_a_table(node: &Node) -> bool {
    matches!(node.item, Item::Table(_) | Item::TablePart { .. })
}

fn label(node: &Node) -> String {
    match &node.item {
        Item::Schema { name } => format!("schema_{name}"),
        Item::Extension { name, .. } => format!("extension_{name}"),
        // An operator's name is symbols, which a file name cannot carry.
        Item::Operator { key } => format!(
            "operator {} {}",
            key.name.schema,
            key.signature.as_deref().unwrap_or_default()
        ),
        Item::EventTrigger { key } => format!("event_trigger_{}", key.name.name),
        Item::Publication { name, .. } => format!("publication_{name}"),
        Item::DefaultPrivileges => "default_privileges".into(),
        _ => node
            .owner
            .as_ref()
            .map(|k| k.name.name.clone())
            .unwrap_or_default(),
    }
}

/// `item` and what it needs in this slot that is not created yet, in slot order.
fn closure(
    nodes: &[Node],
    position: &BTreeMap<usize, usize>,
    emitted: &BTreeSet<usize>,
    item: usize,
) -> Vec<usize> {
    let mut found = BTreeSet::from([item]);
    let mut queue = vec![item];
    while let Some(i) = queue.pop() {
        for &need in &nodes[i].needs {
            if position.contains_key(&need) && !emitted.contains(&need) && found.insert(need) {
                queue.push(need);
            }
        }
    }
    let mut out: Vec<usize> = found.into_iter().collect();
    out.sort_by_key(|n| position[n]);
    out
}
