//! Production, read once and only read: its managed schemas in one read-only snapshot and,
//! for a replay of the history, what the replay needs from outside them. The one place that
//! checks that the managed schemas exist and that sets aside what the system list names.

use crate::catalog;
use crate::config::{Settings, SystemEntry};
use crate::db::{Snapshot, Target};
use crate::history::History;
use crate::model::{DefaultPrivilege, QualifiedName, Schema};
use anyhow::{Context, Result};
use std::collections::BTreeSet;
use std::time::Duration;

/// What production is read for.
#[derive(Clone, Copy)]
pub enum Reading<'h> {
    /// A drift report: the managed schemas' objects by name, with the facts of each table,
    /// and no definition (`catalog::Detail::Summary`).
    Summary,
    /// The managed schemas, whole.
    Report,
    /// A replay of this history: also the schemas outside the managed ones that it or
    /// production's objects use, and the default privileges.
    Replay(&'h History),
}

/// Production, as read in one snapshot.
pub struct Production {
    /// The managed schemas, every object of them (a report lists system objects too).
    pub schema: Schema,
    /// `schema` without what the system list names, when it names any of its objects (see
    /// `without_system`).
    filtered: Option<Schema>,
    /// For a replay: the schemas the history or the managed objects use without managing
    /// them (Supabase's `auth`, `storage`...). Empty for a report.
    pub outside: Schema,
    /// For a replay: `ALTER DEFAULT PRIVILEGES`. Empty for a report.
    pub default_privileges: Vec<DefaultPrivilege>,
    /// `postgres://user@host:port/db`, never the password.
    pub database: String,
    /// How many catalog queries reading the managed schemas ran.
    pub queries: usize,
    /// `--statement-timeout`, for reading a scratch database too.
    pub statement_timeout: Duration,
}

/// Reads production in one read-only snapshot. A full read also opens a second connection
/// that joins the snapshot, so that the server reads the catalog on two processes at once;
/// when the server refuses it, the read runs on the one connection.
pub fn read(settings: &Settings, db_url: Option<&str>, reading: Reading) -> Result<Production> {
    let target = Target::resolve(db_url)?;
    let mut client = target.connect()?;
    let mut snapshot = Snapshot::begin(&mut client, settings.statement_timeout)?;
    let detail = match reading {
        Reading::Summary => catalog::Detail::Summary,
        _ => catalog::Detail::Full,
    };
    let mut second_client = match detail {
        catalog::Detail::Full => target.connect().ok(),
        catalog::Detail::Summary => None,
    };
    let mut helper = match second_client.as_mut() {
        Some(second) => {
            let name = snapshot.export()?;
            Snapshot::join(second, settings.statement_timeout, &name).ok()
        }
        None => None,
    };
    snapshot.show_progress("reading production's catalog");
    let schema = load_at(
        &mut snapshot,
        helper.as_mut(),
        settings,
        &target.display,
        detail,
    )?;
    let queries = snapshot.query_count() + helper.as_ref().map_or(0, Snapshot::query_count);
    let (outside, default_privileges) = match reading {
        Reading::Summary | Reading::Report => (Schema::default(), Vec::new()),
        Reading::Replay(history) => {
            let mut wanted = outside_schemas(&schema, history);
            wanted.extend(catalog::schemas_with_table_parts(
                &mut snapshot,
                &schema.schemas,
            )?);
            wanted.sort();
            wanted.dedup();
            let names = catalog::existing_schemas(&mut snapshot, &wanted)?;
            let outside = catalog::read_with(
                &mut snapshot,
                helper.as_mut(),
                &names,
                catalog::Detail::Full,
            )
            .with_context(|| format!("reading the catalog of {}", target.display))?;
            (outside, catalog::default_privileges(&mut snapshot)?)
        }
    };
    if let Some(helper) = helper {
        helper.finish()?;
    }
    snapshot.finish()?;
    Ok(Production {
        filtered: without_system(&schema, &settings.system),
        schema,
        outside,
        default_privileges,
        database: target.display,
        queries,
        statement_timeout: settings.statement_timeout,
    })
}

/// The managed schemas, read in an open snapshot (for a command that reads rows in the same
/// state afterwards); an error names the schemas that do not exist.
pub fn load(snapshot: &mut Snapshot, settings: &Settings, database: &str) -> Result<Schema> {
    load_at(snapshot, None, settings, database, catalog::Detail::Full)
}

/// The managed schemas at `detail`, with the second snapshot `helper` when there is one;
/// an error names the schemas that do not exist.
fn load_at(
    snapshot: &mut Snapshot,
    helper: Option<&mut Snapshot>,
    settings: &Settings,
    database: &str,
    detail: catalog::Detail,
) -> Result<Schema> {
    catalog::check_schemas(snapshot, &settings.schemas)?;
    catalog::read_with(snapshot, helper, &settings.schemas, detail)
        .with_context(|| format!("reading the catalog of {database}"))
}

impl Production {
    /// The managed schemas without what the system list names: what a replay of the
    /// history is compared with, since an external tool makes those objects and no
    /// migration does.
    pub fn without_system(&self) -> &Schema {
        self.filtered.as_ref().unwrap_or(&self.schema)
    }
}

/// The schema without what the system list names; `None` when it names none of its
/// objects, so that a large schema is not copied for nothing.
fn without_system(schema: &Schema, system: &[SystemEntry]) -> Option<Schema> {
    let system_name = |name: &QualifiedName| system.iter().any(|e| e.matches(name));
    let names_any = schema.tables.keys().any(system_name)
        || schema.views.keys().any(system_name)
        || schema.sequences.keys().any(system_name)
        || schema.types.keys().any(system_name)
        || schema.functions.keys().any(|k| system_name(&k.name))
        || schema.operators.keys().any(|k| system_name(&k.name))
        || schema.event_triggers.keys().any(|k| system_name(&k.name));
    if !names_any {
        return None;
    }
    let mut schema = schema.clone();
    schema.tables.retain(|name, _| !system_name(name));
    schema.views.retain(|name, _| !system_name(name));
    schema.sequences.retain(|name, _| !system_name(name));
    schema.types.retain(|name, _| !system_name(name));
    schema.functions.retain(|key, _| !system_name(&key.name));
    schema.operators.retain(|key, _| !system_name(&key.name));
    schema
        .event_triggers
        .retain(|key, _| !system_name(&key.name));
    Some(schema)
}

/// Schemas whose objects are never copied: PostgreSQL's own.
const SYSTEM_SCHEMAS: [&str; 3] = ["pg_catalog", "information_schema", "pg_toast"];

/// The schemas the migrations or production's managed objects use without managing them.
fn outside_schemas(prod: &Schema, history: &History) -> Vec<String> {
    let managed: BTreeSet<&str> = prod.schemas.iter().map(String::as_str).collect();
    let mut used: BTreeSet<String> = history
        .references
        .keys()
        .map(|n| n.schema.clone())
        .collect();
    used.extend(prod.dependencies.iter().map(|d| d.to.name.schema.clone()));
    used.into_iter()
        .filter(|s| {
            !managed.contains(s.as_str())
                && !SYSTEM_SCHEMAS.contains(&s.as_str())
                && !s.starts_with("pg_")
        })
        .collect()
}
