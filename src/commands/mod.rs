//! What each command does, from resolved arguments to printed output.

mod ask;
mod import;
mod resolve;
mod status;
mod triage;
mod verify;

pub use status::{drift_report, replayed_report};

use crate::cli::{Cli, Command};
use crate::config::Settings;
use anyhow::Result;
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
            status::run(&settings, g.db_url.as_deref(), args, out)?;
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
            let report = status::run(&settings, g.db_url.as_deref(), args, out)?;
            Ok(if report.has_unresolved_drift() {
                Outcome::DriftFound
            } else {
                Outcome::Success
            })
        }
    }
}
