//! Constraints written inside `CREATE TABLE IF NOT EXISTS`, as a team writes them by hand:
//! a table's primary key, unique, check, exclusion and foreign key constraints go inline
//! when everything they need exists before the table is created. On a database that has
//! the table, the whole statement does nothing, constraints included; where it does not,
//! they are created with it. What cannot go inline stays a guarded part of its own.

use super::graph::Node;
use super::item::Item;
use crate::model::{ConstraintKind, Part, Schema};
use std::collections::BTreeSet;

/// Moves the constraint parts of `items` (node indexes, in file order) that can be created
/// with their table into that table's item. `position` gives each node's place in the
/// import's files; a constraint moved into its table takes the table's place.
pub fn constraints(
    prod: &Schema,
    nodes: &mut [Node],
    position: &mut [usize],
    items: &mut Vec<usize>,
) {
    let tables: Vec<usize> = items
        .iter()
        .copied()
        .filter(|&i| matches!(nodes[i].item, Item::Table(_)))
        .collect();
    let mut moved = BTreeSet::new();
    for table in tables {
        let inlined = inlinable(prod, nodes, position, items, table);
        let names: Vec<String> = inlined
            .iter()
            .filter_map(|&i| match &nodes[i].item {
                Item::TablePart {
                    part: Part::Constraint(name),
                    ..
                } => Some(name.clone()),
                _ => None,
            })
            .collect();
        if let Item::Table(t) = &mut nodes[table].item {
            t.constraints = names;
        }
        for &c in &inlined {
            position[c] = position[table];
        }
        moved.extend(inlined);
    }
    items.retain(|i| !moved.contains(i));
}

/// The constraint parts of `table` in `items` that can be inline, in catalog order.
fn inlinable(
    prod: &Schema,
    nodes: &[Node],
    position: &[usize],
    items: &[usize],
    table: usize,
) -> Vec<usize> {
    let Item::Table(item) = &nodes[table].item else {
        return Vec::new();
    };
    let Some(t) = prod.tables.get(&item.name) else {
        return Vec::new();
    };
    // A partition or child takes constraints from its parent, unless it is created on its
    // own first; a table created under an earlier name must not name itself in a foreign
    // key.
    let on_its_own = (t.partition_of.is_none() && t.inherits.is_empty()) || prod.made_on_its_own(t);
    let plain_table = on_its_own && item.renamed_later().is_none();
    if !plain_table {
        return Vec::new();
    }
    // Columns the table does not have yet, or has under another name, where it is created.
    let absent: Vec<&str> = item
        .omit_columns
        .iter()
        .chain(item.column_names.keys())
        .map(String::as_str)
        .collect();
    let twins = twin_keys(t);
    let candidates: Vec<usize> = items
        .iter()
        .copied()
        .filter(|&i| match &nodes[i].item {
            Item::TablePart {
                table: owner,
                part: Part::Constraint(name),
            } if *owner == item.name => t.constraints.iter().any(|c| {
                &c.name == name
                    && c.validated
                    && c.is_local
                    && c.kind != ConstraintKind::Trigger
                    && !names_any(&c.definition, &absent)
                    && !twins.contains(&c.name)
            }),
            _ => false,
        })
        .collect();
    // A constraint may need another one of the table (a foreign key to its own primary
    // key): it goes inline once that one does.
    let mut inlined: Vec<usize> = Vec::new();
    loop {
        let before = inlined.len();
        for &c in &candidates {
            let ready = !inlined.contains(&c)
                && nodes[c].needs.iter().all(|&need| {
                    need == table || position[need] < position[table] || inlined.contains(&need)
                });
            if ready {
                inlined.push(c);
            }
        }
        if inlined.len() == before {
            break;
        }
    }
    // Keys first, as a table is written by hand: primary key, unique, exclusion, check,
    // foreign keys; each kind in catalog order.
    let rank = |i: &usize| match &nodes[*i].item {
        Item::TablePart {
            part: Part::Constraint(name),
            ..
        } => t
            .constraints
            .iter()
            .find(|c| &c.name == name)
            .map_or(5, |c| match c.kind {
                ConstraintKind::PrimaryKey => 0,
                ConstraintKind::Unique => 1,
                ConstraintKind::Exclusion => 2,
                ConstraintKind::Check => 3,
                _ => 4,
            }),
        _ => 5,
    };
    let mut kept: Vec<usize> = candidates
        .into_iter()
        .filter(|c| inlined.contains(c))
        .collect();
    kept.sort_by_key(rank);
    kept
}

/// Unique constraints on the same columns as the primary key or an earlier unique
/// constraint: inside one CREATE TABLE, PostgreSQL keeps only the first of such twins, so
/// the others are added on their own.
fn twin_keys(t: &crate::model::Table) -> BTreeSet<String> {
    let columns = |definition: &str| {
        let start = definition.find('(')?;
        let end = definition[start..].find(')')?;
        Some(definition[start..start + end + 1].to_string())
    };
    let keys = t
        .constraints
        .iter()
        .filter(|c| c.kind == ConstraintKind::PrimaryKey)
        .chain(
            t.constraints
                .iter()
                .filter(|c| c.kind == ConstraintKind::Unique),
        );
    let mut seen = BTreeSet::new();
    let mut twins = BTreeSet::new();
    for key in keys {
        if let Some(cols) = columns(&key.definition) {
            if !seen.insert(cols) {
                twins.insert(key.name.clone());
            }
        }
    }
    twins
}

/// Does `sql` hold an identifier equal to one of `names`? Scanned, so that a string literal
/// does not count; a column of a referenced table with the same name does, which only keeps
/// a constraint out of line.
fn names_any(sql: &str, names: &[&str]) -> bool {
    if names.is_empty() {
        return false;
    }
    let Ok(scanned) = pg_query::scan(sql) else {
        return true;
    };
    scanned.tokens.iter().any(|token| {
        let raw = sql
            .get(token.start as usize..token.end as usize)
            .unwrap_or("");
        let ident = match raw.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
            Some(quoted) => quoted.replace("\"\"", "\""),
            None => raw.to_lowercase(),
        };
        names.contains(&ident.as_str())
    })
}

#[cfg(test)]
mod tests {
    use super::names_any;

    #[test]
    fn identifiers_are_found_outside_string_literals() {
        assert!(names_any("CHECK (score > 0)", &["score"]));
        assert!(names_any("CHECK (\"Score\" > 0)", &["Score"]));
        assert!(!names_any("CHECK (\"Score\" > 0)", &["score"]));
        assert!(!names_any("CHECK (kind <> 'score')", &["score"]));
        assert!(names_any(
            "FOREIGN KEY (a) REFERENCES public.t(score)",
            &["score"]
        ));
        assert!(!names_any("PRIMARY KEY (id)", &[]));
    }
}
