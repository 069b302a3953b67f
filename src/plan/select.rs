//! Which production objects an import brings: the chosen drifted tables, the drifted
//! objects they need, and the drifted views over them; or every drifted object.

use crate::drift::Report;
use crate::model::{quote_ident, ObjectKey, ObjectKind, QualifiedName, Schema};
use anyhow::{bail, Result};
use std::collections::BTreeSet;

/// What to import.
pub enum Selection<'a> {
    /// Every drifted object.
    All,
    /// These tables (as the user typed them), with what they need.
    Tables(&'a [String]),
}

/// The drifted objects to import, in report order.
pub fn objects(prod: &Schema, report: &Report, selection: &Selection) -> Result<Vec<ObjectKey>> {
    let drifted: BTreeSet<&ObjectKey> = report.drifted.iter().map(|e| &e.key).collect();
    let names = match selection {
        Selection::All => return Ok(report.drifted.iter().map(|e| e.key.clone()).collect()),
        Selection::Tables(names) => names,
    };
    let mut chosen = BTreeSet::new();
    for name in names.iter() {
        chosen.insert(resolve_table(prod, report, &drifted, name)?);
    }
    // What the chosen tables need, transitively, when it is drift too.
    let mut queue: Vec<ObjectKey> = chosen.iter().cloned().collect();
    while let Some(key) = queue.pop() {
        for target in needs(prod, &key) {
            if drifted.contains(&target) && chosen.insert(target.clone()) {
                queue.push(target);
            }
        }
    }
    // Drifted views over what is imported, when everything they need comes too or exists.
    let mut added = true;
    while added {
        added = false;
        let views: Vec<&ObjectKey> = drifted
            .iter()
            .copied()
            .filter(|k| is_view(k) && !chosen.contains(*k))
            .collect();
        for key in views {
            let needs = needs(prod, key);
            let over_chosen = needs.iter().any(|n| chosen.contains(n));
            if over_chosen
                && needs
                    .iter()
                    .all(|n| chosen.contains(n) || !drifted.contains(n))
            {
                chosen.insert(key.clone());
                added = true;
            }
        }
    }
    Ok(report
        .drifted
        .iter()
        .map(|e| e.key.clone())
        .filter(|k| chosen.contains(k))
        .collect())
}

fn is_view(key: &ObjectKey) -> bool {
    matches!(key.kind, ObjectKind::View | ObjectKind::MaterializedView)
}

/// The objects `key` (or any of its parts) depends on, partitions' and children's parents
/// included, and for a table the partitions that come with it.
fn needs(prod: &Schema, key: &ObjectKey) -> Vec<ObjectKey> {
    let mut out: Vec<ObjectKey> = prod
        .dependencies
        .iter()
        .filter(|d| &d.from == key)
        .map(|d| d.to.clone())
        .collect();
    if key.kind == ObjectKind::Table {
        if let Some(table) = prod.tables.get(&key.name) {
            let table_key = |n: &QualifiedName| ObjectKey::relation(ObjectKind::Table, n.clone());
            out.extend(table.partition_of.iter().map(|p| table_key(&p.parent)));
            out.extend(table.inherits.iter().map(table_key));
            out.extend(
                table
                    .constraints
                    .iter()
                    .filter_map(|c| c.references.as_ref())
                    .map(table_key),
            );
        }
    }
    out
}

/// Finds a table the user named (`name` or `schema.name`, quoted or not) among the drifted
/// ones, or says why it cannot be imported.
pub fn resolve_table(
    prod: &Schema,
    report: &Report,
    drifted: &BTreeSet<&ObjectKey>,
    text: &str,
) -> Result<ObjectKey> {
    let Some(name) = QualifiedName::parse(text, "") else {
        bail!(
            "`{}` is not a table name: write it as name or schema.name, in double quotes where it has upper case, spaces or symbols, as in SQL{}",
            shown(text),
            did_you_mean(prod, |t| t.name == text.trim() || t.to_string() == text.trim())
        );
    };
    let candidates: Vec<&QualifiedName> = prod
        .tables
        .keys()
        .filter(|t| t.name == name.name && (name.schema.is_empty() || t.schema == name.schema))
        .collect();
    let found = match candidates.as_slice() {
        [] => {
            let folded = |s: &str| s.to_lowercase();
            let mut hint = did_you_mean(prod, |t| {
                folded(&t.name) == folded(&name.name)
                    && (name.schema.is_empty() || folded(&t.schema) == folded(&name.schema))
            });
            if !hint.is_empty() {
                hint.push_str(
                    " (as in SQL, a name in double quotes is exact, and unquoted its ASCII letters fold to lower case)",
                );
            }
            bail!(
                "table {} not found in production's managed schemas ({}): check the name, or pass --schema{hint}",
                typed_name(&name),
                prod.schemas.iter().map(|s| quote_ident(s)).collect::<Vec<_>>().join(", ")
            )
        }
        [one] => (*one).clone(),
        several => bail!(
            "table name {} is ambiguous ({}): write it as schema.name",
            typed_name(&name),
            several
                .iter()
                .map(|n| n.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let key = ObjectKey::relation(ObjectKind::Table, found.clone());
    if drifted.contains(&key) {
        return Ok(key);
    }
    let state = if report.tracked.iter().any(|e| e.key == key) {
        "already declared by a migration"
    } else if report.system.iter().any(|e| e.key == key) {
        "listed as system in pgdrift.toml"
    } else if let Some(parent) = prod
        .tables
        .get(&found)
        .and_then(|t| t.partition_of.as_ref())
    {
        return bail_partition(&found, &parent.parent);
    } else {
        "not drifted"
    };
    bail!("table {found} is {state}: there is nothing to import")
}

fn bail_partition(name: &QualifiedName, parent: &QualifiedName) -> Result<ObjectKey> {
    bail!("table {name} is a partition of {parent}: import {parent}, its partitions come with it")
}

/// The name as pgdrift understood what the user typed: quoted as SQL, without a schema when
/// none was given.
fn typed_name(name: &QualifiedName) -> String {
    if name.schema.is_empty() {
        quote_ident(&name.name)
    } else {
        name.to_string()
    }
}

/// What the user typed, on one line: control characters escaped.
fn shown(text: &str) -> String {
    text.chars()
        .map(|c| {
            if crate::model::is_hidden_char(c) {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// `; did you mean public."Users"?` when some production tables match `close`.
fn did_you_mean(prod: &Schema, close: impl Fn(&QualifiedName) -> bool) -> String {
    let names: Vec<String> = prod
        .tables
        .keys()
        .filter(|t| close(t))
        .map(|t| t.to_string())
        .collect();
    if names.is_empty() {
        return String::new();
    }
    format!("; did you mean {}?", names.join(" or "))
}
