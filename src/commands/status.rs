//! `pgdrift status` and `check`: the drift report, from the migration files or, with a
//! scratch server, from a replay of them.

use super::import;
use crate::cli::ReportArgs;
use crate::config::Settings;
use crate::drift::{self, PlannedImport, Replay, Report};
use crate::history::{self, History};
use crate::model::{ObjectKey, ObjectKind, Schema};
use crate::plan::{self, Item, Plan, Selection};
use crate::production::{self, Production, Reading};
use crate::render::Renderer;
use crate::report;
use crate::verify::{self, Failure, Replayed};
use anyhow::{bail, Context, Result};
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Prints the report; `check` fails on what it holds.
pub(super) fn run(
    settings: &Settings,
    db_url: Option<&str>,
    args: &ReportArgs,
    out: &mut impl Write,
) -> Result<Report> {
    let report = match &args.scratch_url {
        Some(url) => replayed_report(settings, db_url, url, args.prelude.as_deref())?,
        None => drift_report(settings, db_url)?,
    };
    report::print(&report, args.format, out).context("writing the report")?;
    Ok(report)
}

/// Reads the history, then production, and compares them.
pub fn drift_report(settings: &Settings, db_url: Option<&str>) -> Result<Report> {
    // The history is read first: a broken migration is reported before production is touched.
    let history = history::parse_dir(&settings.migrations)?;
    let prod = production::read(settings, db_url, Reading::Summary)?;
    let mut report = drift::compare(&prod.schema, &history, &settings.system)?;
    report.database = prod.database;
    Ok(report)
}

/// The report from a replay of the history into a scratch database. A history that does
/// not replay on its own (the usual first run: base tables made by hand, later migrations
/// alter them) is replayed again with the import of the drifted objects planned in, in
/// memory; only a migration that fails even then is an error. Nothing is written.
pub fn replayed_report(
    settings: &Settings,
    db_url: Option<&str>,
    scratch_url: &str,
    prelude: Option<&Path>,
) -> Result<Report> {
    let history = history::parse_dir(&settings.migrations)?;
    let files = history.texts()?;
    let production = production::read(settings, db_url, Reading::Replay(&history))?;
    let alone = verify::replay_files(&production, &history, &files, scratch_url, prelude)?;
    let (replayed, planned) = match alone.failure.clone() {
        Some(failure) => {
            let (replayed, planned) = replay_with_import(
                settings,
                &production,
                &history,
                failure,
                scratch_url,
                prelude,
            )?;
            (replayed, Some(planned))
        }
        None => (alone, None),
    };
    // Every file applied: the replay's catalog was read.
    let Some(schema) = &replayed.schema else {
        bail!("the replay did not read the scratch database's catalog: run pgdrift verify for details");
    };
    let replay = Replay {
        schema,
        differences: replayed.differences,
        planned,
    };
    let mut report =
        drift::compare_replayed(&production.schema, replay, &history, &settings.system)?;
    report.database = production.database;
    Ok(report)
}

/// Replays the history with the import of every drifted object planned in, as
/// `import --all` would write it. `alone` is where the history alone fails.
fn replay_with_import(
    settings: &Settings,
    production: &Production,
    history: &History,
    alone: Failure,
    scratch_url: &str,
    prelude: Option<&Path>,
) -> Result<(Replayed, PlannedImport)> {
    // Production as a replay is compared with: the system list is no drift to import.
    let prod = production.without_system();
    let plan = import::planned(
        prod,
        history,
        settings,
        &Selection::All,
        &plan::Options::default(),
    )?;
    if plan.files.is_empty() {
        bail!(
            "the migrations do not replay, and production has no drifted object to import before them: {alone}; fix that migration (pgdrift verify shows the replay)"
        );
    }
    let dir = &settings.migrations;
    let outputs = import::render(&Renderer::new(None)?, prod, None, &plan, dir)?;
    let files = import::with_outputs(history, &outputs, dir)?;
    let replayed = verify::replay_files(production, history, &files, scratch_url, prelude)?;
    if let Some(failure) = &replayed.failure {
        let planned: Vec<PathBuf> = outputs.iter().map(|o| dir.join(&o.name)).collect();
        if planned.contains(&failure.file) {
            bail!(
                "the import planned into the replay does not apply: {failure}; this is a bug in pgdrift, please report it (leave out --scratch-url for the static report)"
            );
        }
        bail!(
            "the migrations do not replay, even with the drifted objects imported before them: {failure}; fix that migration, then run this again"
        );
    }
    let planned = PlannedImport {
        history_alone_fails: alone.to_string(),
        files: outputs.iter().map(|o| o.name.clone()).collect(),
        objects: created(prod, &plan),
    };
    Ok((replayed, planned))
}

/// The objects a plan's files create, as the replay names them.
fn created(prod: &Schema, plan: &Plan) -> BTreeSet<ObjectKey> {
    let relation =
        |kind, name: &crate::model::QualifiedName| ObjectKey::relation(kind, name.clone());
    plan.files
        .iter()
        .flat_map(|f| &f.items)
        .filter_map(|item| match item {
            Item::Table(t) => Some(relation(ObjectKind::Table, &t.name)),
            Item::View { name } => {
                let materialized = prod.views.get(name).is_some_and(|v| v.materialized);
                let kind = if materialized {
                    ObjectKind::MaterializedView
                } else {
                    ObjectKind::View
                };
                Some(relation(kind, name))
            }
            Item::Function { key } | Item::Operator { key } | Item::EventTrigger { key } => {
                Some(key.clone())
            }
            Item::Type { name, .. } => Some(relation(ObjectKind::Type, name)),
            Item::Sequence { name } => Some(relation(ObjectKind::Sequence, name)),
            Item::Collation { name } => Some(relation(ObjectKind::Collation, name)),
            Item::Schema { .. }
            | Item::Extension { .. }
            | Item::TablePart { .. }
            | Item::Publication { .. }
            | Item::DefaultPrivileges => None,
        })
        .collect()
}
