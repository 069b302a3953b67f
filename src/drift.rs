//! Production's model against the declared state of the history and the system list:
//! what is tracked, drifted, missing and system.

use crate::config::SystemEntry;
use crate::diff::{Difference, State};
use crate::history::{History, Warning};
use crate::model::{ConstraintKind, ObjectKey, ObjectKind, QualifiedName, Schema, Table};
use anyhow::Result;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;

/// What a report says about one drifted, tracked, missing or system object.
#[derive(Clone, Debug, Serialize)]
pub struct Entry {
    #[serde(flatten)]
    pub key: ObjectKey,
    /// For tables: size, rows, keys, policies, triggers, partitions.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub table: Option<TableFacts>,
    /// The migration that creates it (tracked and missing objects).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub migration: Option<String>,
    /// Why it is system (from `pgdrift.toml`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct TableFacts {
    /// `pg_class.reltuples`; absent when the table was never analyzed.
    pub estimated_rows: Option<i64>,
    pub size_bytes: i64,
    pub foreign_keys_out: usize,
    pub foreign_keys_in: usize,
    pub policies: usize,
    pub triggers: usize,
    pub partitioned: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub partitions: Vec<QualifiedName>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partition_of: Option<QualifiedName>,
}

/// The four groups, each tables first, then other objects, in name order.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Report {
    /// Production, as `postgres://user@host:port/db` (never the password).
    pub database: String,
    pub tracked: Vec<Entry>,
    pub drifted: Vec<Entry>,
    pub missing: Vec<Entry>,
    pub system: Vec<Entry>,
    pub schemas: Vec<String>,
    pub migrations: usize,
    #[serde(serialize_with = "serialize_warnings")]
    pub warnings: Vec<Warning>,
    /// Written with `display`: a file name that is not UTF-8 must not stop the report.
    #[serde(serialize_with = "serialize_paths")]
    pub skipped_files: Vec<PathBuf>,
    /// System entries in `pgdrift.toml` that match nothing in production.
    pub unknown_system_entries: Vec<String>,
    /// With a replay: differences inside objects that both production and the migrations
    /// have (object-level drift on tracked objects).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub differences: Vec<Difference>,
    /// With a replay of a history that does not replay on its own: the import planned in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replayed_with_import: Option<PlannedImport>,
}

fn serialize_warnings<S: serde::Serializer>(warnings: &[Warning], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeSeq;
    let mut seq = s.serialize_seq(Some(warnings.len()))?;
    for w in warnings {
        seq.serialize_element(&serde_json::json!({
            "file": w.path.display().to_string(),
            "line": w.line,
            "message": w.message,
        }))?;
    }
    seq.end()
}

fn serialize_paths<S: serde::Serializer>(paths: &[PathBuf], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(paths.iter().map(|p| p.display().to_string()))
}

impl Report {
    /// Drift that no decision covers yet: what `check` fails on.
    pub fn has_unresolved_drift(&self) -> bool {
        !self.drifted.is_empty() || !self.differences.is_empty()
    }
}

/// Compares production with the history. Only objects in production's managed schemas
/// are compared; declared objects elsewhere (for example `auth`) are not pgdrift's concern.
pub fn compare(prod: &Schema, history: &History, system: &[SystemEntry]) -> Result<Report> {
    let managed: BTreeSet<&str> = prod.schemas.iter().map(String::as_str).collect();
    let declared: BTreeMap<&ObjectKey, String> = history
        .declared
        .iter()
        .filter(|(key, _)| managed.contains(key.name.schema.as_str()))
        .map(|(key, decl)| (key, file_name(history, decl.created_in)))
        .collect();
    compare_declared(prod, &declared, history, system)
}

/// A replay of the history, as a report reads it.
pub struct Replay<'a> {
    /// The replayed database's managed schemas.
    pub schema: &'a Schema,
    /// Every difference between production (without its system objects) and `schema`.
    pub differences: Vec<Difference>,
    /// Set when the history does not replay on its own and the import of the drifted
    /// objects was planned into the replay.
    pub planned: Option<PlannedImport>,
}

/// The import planned into a replay (in memory, nothing written), because the history
/// alone does not replay: the usual first run, where base tables were made by hand and
/// later migrations alter them.
#[derive(Clone, Debug, Serialize)]
pub struct PlannedImport {
    /// Where the history alone stops: `file:line: server message`.
    pub history_alone_fails: String,
    /// The names of the planned files.
    pub files: Vec<String>,
    /// The objects the planned files create: drifted, whatever the replay has.
    #[serde(skip)]
    pub objects: BTreeSet<ObjectKey>,
}

/// The same report from a replay of the history: what the replayed database has is what
/// the migrations declare, dynamic SQL included, apart from what a planned import made.
/// Of the differences between production and the replay, those inside objects the
/// migrations create (a column, an index, a policy added by hand to a migration's table:
/// object-level drift) are listed too; objects on one side only are already drifted or
/// missing.
pub fn compare_replayed(
    prod: &Schema,
    replay: Replay,
    history: &History,
    system: &[SystemEntry],
) -> Result<Report> {
    let planned = |key: &ObjectKey| {
        replay
            .planned
            .as_ref()
            .is_some_and(|p| p.objects.contains(key))
    };
    let keys: Vec<ObjectKey> = replay
        .schema
        .keys()
        .into_iter()
        .filter(|k| !planned(k))
        .collect();
    // The first declaration of each name and namespace (relations or not), in declaration
    // order: one pass, rather than a search of the whole history per object.
    let mut first_declared: HashMap<(&QualifiedName, bool), usize> = HashMap::new();
    for (k, d) in &history.declared {
        first_declared
            .entry((&k.name, k.kind.is_relation()))
            .or_insert(d.created_in);
    }
    let created_in = |key: &ObjectKey| {
        first_declared
            .get(&(&key.name, key.kind.is_relation()))
            .map(|&index| file_name(history, index))
            .unwrap_or_else(|| "(replay)".to_string())
    };
    let declared: BTreeMap<&ObjectKey, String> = keys.iter().map(|k| (k, created_in(k))).collect();
    let mut report = compare_declared(prod, &declared, history, system)?;
    report.differences = replay
        .differences
        .into_iter()
        .filter(|d| (d.state == State::Differs || !d.kind.is_object()) && !planned(&d.key))
        .collect();
    report.replayed_with_import = replay.planned;
    Ok(report)
}

fn compare_declared(
    prod: &Schema,
    declared: &BTreeMap<&ObjectKey, String>,
    history: &History,
    system: &[SystemEntry],
) -> Result<Report> {
    for entry in system {
        entry.pattern()?;
    }

    let present = reportable(prod);
    let matched = match_declared(&present, declared);
    let mut report = Report {
        schemas: prod.schemas.clone(),
        migrations: history.files.len(),
        warnings: history.warnings.clone(),
        skipped_files: history.skipped.clone(),
        ..Report::default()
    };
    let mut used_system = BTreeSet::new();
    let tables = TableIndex::new(prod);
    for key in &present {
        if hidden_partition(prod, key, &matched) {
            continue;
        }
        let mut entry = Entry {
            key: key.clone(),
            table: tables.facts(key),
            migration: None,
            reason: None,
        };
        if let Some(n) = system.iter().position(|e| e.matches(&key.name)) {
            used_system.insert(n);
            entry.reason = Some(system[n].reason.clone());
            report.system.push(entry);
        } else if let Some(declared_key) = matched.get(key) {
            entry.migration = declared.get(declared_key).cloned();
            report.tracked.push(entry);
        } else {
            report.drifted.push(entry);
        }
    }
    let matched_declared: BTreeSet<&ObjectKey> = matched.values().copied().collect();
    for (key, file) in declared {
        if !matched_declared.contains(key) && !exists_anywhere(prod, key) {
            let entry = Entry {
                key: (*key).clone(),
                table: None,
                migration: Some(file.clone()),
                reason: None,
            };
            report.missing.push(entry);
        }
    }
    report.unknown_system_entries = system
        .iter()
        .enumerate()
        .filter(|(n, _)| !used_system.contains(n))
        .map(|(_, e)| e.display_name())
        .collect();
    for list in [
        &mut report.tracked,
        &mut report.drifted,
        &mut report.missing,
        &mut report.system,
    ] {
        list.sort_by(|a, b| sort_key(&a.key).cmp(&sort_key(&b.key)));
    }
    Ok(report)
}

fn file_name(history: &History, index: usize) -> String {
    history
        .files
        .get(index)
        .map(|f| f.path.display().to_string())
        .unwrap_or_default()
}

fn sort_key(key: &ObjectKey) -> (bool, ObjectKind, &QualifiedName, &Option<String>) {
    (
        key.kind != ObjectKind::Table,
        key.kind,
        &key.name,
        &key.signature,
    )
}

/// Production objects a report lists: tables (partitions appear under their parent unless
/// they alone are drifted), views, routines, types, collations and standalone sequences.
fn reportable(prod: &Schema) -> Vec<ObjectKey> {
    prod.keys()
        .into_iter()
        .filter(|key| match key.kind {
            ObjectKind::Sequence => prod
                .sequences
                .get(&key.name)
                .is_some_and(|s| s.owned_by.is_none()),
            _ => true,
        })
        .collect()
}

/// Pairs each production object with the declaration that creates it: relations by name
/// (tables, views and sequences share one namespace), types and event triggers by name,
/// operators by operand types, routines by signature and, when a migration spells a type in
/// a way the signature cannot match, by name and argument count.
fn match_declared<'a>(
    present: &[ObjectKey],
    declared: &BTreeMap<&'a ObjectKey, String>,
) -> BTreeMap<ObjectKey, &'a ObjectKey> {
    let mut matched = BTreeMap::new();
    let mut taken = BTreeSet::new();
    let same_namespace = |a: ObjectKind, b: ObjectKind| {
        (a.is_relation() && b.is_relation()) || (a.is_routine() && b.is_routine()) || a == b
    };
    // The declarations of each name, in declaration-key order.
    let mut by_name: HashMap<&QualifiedName, Vec<&'a ObjectKey>> = HashMap::new();
    for d in declared.keys() {
        by_name.entry(&d.name).or_default().push(d);
    }
    for exact in [true, false] {
        for key in present {
            if matched.contains_key(key) {
                continue;
            }
            let candidates = by_name.get(&key.name).map_or(&[][..], Vec::as_slice);
            let found = candidates.iter().find(|d| {
                !taken.contains(*d)
                    && same_namespace(d.kind, key.kind)
                    && (key.signature.is_none()
                        || if exact {
                            d.signature == key.signature
                        } else {
                            key.kind.is_routine() && same_arity(d, key)
                        })
            });
            if let Some(d) = found {
                taken.insert(*d);
                matched.insert(key.clone(), *d);
            }
        }
    }
    matched
}

/// A partition is listed under its parent, on its own only when it alone is drift
/// (its parent is declared, it is not).
fn hidden_partition(
    prod: &Schema,
    key: &ObjectKey,
    matched: &BTreeMap<ObjectKey, &ObjectKey>,
) -> bool {
    let parent = match prod
        .tables
        .get(&key.name)
        .and_then(|t| t.partition_of.as_ref())
    {
        Some(p) if key.kind == ObjectKind::Table => &p.parent,
        _ => return false,
    };
    let parent_key = ObjectKey::relation(ObjectKind::Table, parent.clone());
    matched.contains_key(key) || !matched.contains_key(&parent_key)
}

fn same_arity(a: &ObjectKey, b: &ObjectKey) -> bool {
    let count = |k: &ObjectKey| {
        k.signature.as_deref().map_or(0, |s| {
            if s.is_empty() {
                0
            } else {
                s.split(", ").count()
            }
        })
    };
    count(a) == count(b)
}

/// Is a declared object in production under any kind of its namespace (a declared sequence
/// that became owned by a column, a partition)?
fn exists_anywhere(prod: &Schema, key: &ObjectKey) -> bool {
    match key.kind {
        k if k.is_relation() => {
            prod.tables.contains_key(&key.name)
                || prod.views.contains_key(&key.name)
                || prod.sequences.contains_key(&key.name)
        }
        ObjectKind::Type => prod.types.contains_key(&key.name),
        ObjectKind::Collation => prod.collations.contains_key(&key.name),
        _ => false,
    }
}

/// What the table facts need from the whole schema, gathered in one pass: the foreign keys
/// pointing at each table and the partitions of each partitioned table.
struct TableIndex<'a> {
    prod: &'a Schema,
    foreign_keys_in: HashMap<&'a QualifiedName, usize>,
    partitions: HashMap<&'a QualifiedName, Vec<&'a Table>>,
}

impl<'a> TableIndex<'a> {
    fn new(prod: &'a Schema) -> Self {
        let mut index = TableIndex {
            prod,
            foreign_keys_in: HashMap::new(),
            partitions: HashMap::new(),
        };
        for table in prod.tables.values() {
            match &table.partition_of {
                Some(p) => index.partitions.entry(&p.parent).or_default().push(table),
                None => {
                    for c in table.constraints.iter().filter(|c| is_local_fk(c)) {
                        if let Some(target) = &c.references {
                            *index.foreign_keys_in.entry(target).or_default() += 1;
                        }
                    }
                }
            }
        }
        index
    }

    fn facts(&self, key: &ObjectKey) -> Option<TableFacts> {
        if key.kind != ObjectKind::Table {
            return None;
        }
        let table = self.prod.tables.get(&key.name)?;
        let partitions = self
            .partitions
            .get(&table.name)
            .map_or(&[][..], Vec::as_slice);
        Some(TableFacts {
            estimated_rows: (table.estimated_rows >= 0).then_some(table.estimated_rows),
            size_bytes: partitions.iter().map(|p| p.size_bytes).sum::<i64>() + table.size_bytes,
            foreign_keys_out: table.constraints.iter().filter(|c| is_local_fk(c)).count(),
            foreign_keys_in: self.foreign_keys_in.get(&table.name).copied().unwrap_or(0),
            policies: table.policies.len(),
            triggers: table.triggers.len(),
            partitioned: table.partition_key.is_some(),
            partitions: partitions.iter().map(|p| p.name.clone()).collect(),
            partition_of: table.partition_of.as_ref().map(|p| p.parent.clone()),
        })
    }
}

fn is_local_fk(c: &crate::model::Constraint) -> bool {
    c.kind == ConstraintKind::ForeignKey && c.is_local
}
