//! What each command does, from resolved arguments to printed output.

mod ask;
mod import;
mod resolve;
mod triage;
mod verify;

use crate::cli::{Cli, Command, ReportArgs};
use crate::config::Settings;
use crate::drift::{self, Report};
use crate::production::{self, Reading};
use crate::{history, report};
use anyhow::{bail, Context, Result};
use std::io::Write;

/// How a command ended, when it did not fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Success,
    /// `check` found drift.
    DriftFound,
}

pub fn run(cli: &Cli, out: &mut impl Write) -> Result<Outcome> {
    let g = &cli.global;
    let mut settings = Settings::resolve(g.config.as_deref(), &g.schemas, g.migrations.as_deref())?;
    settings.statement_timeout = g.statement_timeout;
    if let Some(path) = &g.audit_log {
        settings.audit_log = Some(path.clone());
    }
    match &cli.command {
        Command::Status(args) => {
            status(&settings, g.db_url.as_deref(), args, out)?;
            Ok(Outcome::Success)
        }
        Command::Import(args) => {
            import::run(&settings, g.db_url.as_deref(), args, out)?;
            Ok(Outcome::Success)
        }
        Command::Verify(args) => verify::run(&settings, g.db_url.as_deref(), args, out),
        Command::Drop(args) => {
            triage::drop(&settings, g.db_url.as_deref(), args, out)?;
            Ok(Outcome::Success)
        }
        Command::Resolve(args) => {
            resolve::run(&settings, g.db_url.as_deref(), args, out)?;
            Ok(Outcome::Success)
        }
        Command::MarkSystem(args) => {
            triage::mark_system(&settings, g.db_url.as_deref(), args, out)?;
            Ok(Outcome::Success)
        }
        Command::Inventory(args) => {
            triage::inventory(&settings, g.db_url.as_deref(), args, out)?;
            Ok(Outcome::Success)
        }
        Command::Check(args) => {
            let report = status(&settings, g.db_url.as_deref(), args, out)?;
            Ok(if report.has_unresolved_drift() {
                Outcome::DriftFound
            } else {
                Outcome::Success
            })
        }
    }
}

fn status(
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
    let prod = production::read(settings, db_url, Reading::Report)?;
    let mut report = drift::compare(&prod.schema, &history, &settings.system)?;
    report.database = prod.database;
    Ok(report)
}

/// The report from a replay of the history into a scratch database.
pub fn replayed_report(
    settings: &Settings,
    db_url: Option<&str>,
    scratch_url: &str,
    prelude: Option<&std::path::Path>,
) -> Result<Report> {
    let history = history::parse_dir(&settings.migrations)?;
    let files = history.texts()?;
    let production = production::read(settings, db_url, Reading::Replay(&history))?;
    let replayed =
        crate::verify::replay_files(&production, &history, &files, scratch_url, prelude)?;
    let Some(schema) = replayed.schema else {
        let failure = replayed.failure.map(|f| f.to_string()).unwrap_or_default();
        bail!("the migrations do not replay ({failure}): run pgdrift verify for details, or leave out --scratch-url for the static report");
    };
    let mut report = drift::compare_replayed(
        &production.schema,
        &schema,
        replayed.differences,
        &history,
        &settings.system,
    )?;
    report.database = production.database;
    Ok(report)
}
