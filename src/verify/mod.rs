//! Proves the history by replaying it: a scratch database gets what the migrations need from
//! outside the managed schemas, then every migration file in order, one transaction each;
//! its managed schemas are then compared with production's object by object.

mod prelude;
mod replay;
mod scratch;

pub use replay::Failure;
pub use scratch::{interrupted, Scratch};

use crate::catalog;
use crate::config::Settings;
use crate::db::Snapshot;
use crate::diff::{self, Difference};
use crate::history::{self, History};
use crate::model::Schema;
use crate::production::{self, Production, Reading};
use crate::progress::Progress;
use anyhow::{Context, Result};
use serde::Serialize;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// What a replay found.
#[derive(Debug, Serialize)]
pub struct Verification {
    /// The first file that failed to apply; nothing after it ran.
    pub failure: Option<Failure>,
    pub differences: Vec<Difference>,
    /// Things the replay could not reproduce up front (an extension the scratch server lacks).
    pub notes: Vec<String>,
    pub migrations: usize,
}

impl Verification {
    pub fn identical(&self) -> bool {
        self.failure.is_none() && self.differences.is_empty()
    }
}

/// The result of replaying files into a scratch database.
pub struct Replayed {
    /// The first file that failed; nothing after it ran.
    pub failure: Option<Failure>,
    /// The scratch database's managed schemas, when every file applied.
    pub schema: Option<Schema>,
    /// Every difference between production (without its system objects) and `schema`;
    /// none when a file failed.
    pub differences: Vec<Difference>,
    pub notes: Vec<String>,
}

/// Replays `files` (the history, perhaps with files not written yet) into a new scratch
/// database, reads its managed schemas and compares them with production's. The scratch
/// database is gone when this returns.
pub fn replay_files(
    production: &Production,
    history: &History,
    files: &[(PathBuf, String)],
    scratch_url: &str,
    prelude_file: Option<&Path>,
) -> Result<Replayed> {
    let scratch = Scratch::create(scratch_url)?;
    let mut client = scratch
        .target
        .connect()
        .context("connecting to the scratch database")?;
    let (default_privileges, roles) = prelude::default_privileges(&production.default_privileges)?;
    prelude::check_roles(
        &mut client,
        &[production.without_system(), &production.outside],
        &roles,
    )?;
    let (prelude_sql, notes, prelude_path) = match prelude_file {
        Some(path) => {
            let sql = std::fs::read_to_string(path)
                .with_context(|| format!("reading the prelude {}", path.display()))?;
            (sql, Vec::new(), path.to_path_buf())
        }
        None => {
            let available: BTreeSet<String> = client
                .query("SELECT name::text FROM pg_available_extensions", &[])?
                .iter()
                .map(|r| r.get(0))
                .collect();
            let (mut sql, notes) = prelude::generate(
                &production.outside,
                &production.schema.schemas,
                &production.schema.extensions,
                history,
                &available,
            )?;
            sql.push_str(&default_privileges);
            (
                sql,
                notes,
                PathBuf::from("(prelude copied from production)"),
            )
        }
    };
    let prelude = std::iter::once((&prelude_path, &prelude_sql));
    let progress = Progress::bar(1 + files.len(), "replaying migrations");
    for (path, sql) in prelude.chain(files.iter().map(|(p, s)| (p, s))) {
        progress.inc();
        if let Some(failure) = replay::apply(&mut client, path, sql)? {
            return Ok(Replayed {
                failure: Some(failure),
                schema: None,
                differences: Vec::new(),
                notes,
            });
        }
    }
    progress.finish();
    let mut snapshot = Snapshot::begin(&mut client, production.statement_timeout)?;
    snapshot.show_progress("reading the scratch database's catalog");
    let replayed = catalog::load(&mut snapshot, &production.schema.schemas)
        .context("reading the scratch database's catalog")?;
    snapshot.finish()?;
    Ok(Replayed {
        failure: None,
        differences: diff::compare(production.without_system(), &replayed),
        schema: Some(replayed),
        notes,
    })
}

/// Replays `files` and compares the result with production.
pub fn replay(
    production: &Production,
    history: &History,
    files: &[(PathBuf, String)],
    scratch_url: &str,
    prelude_file: Option<&Path>,
) -> Result<Verification> {
    let replayed = replay_files(production, history, files, scratch_url, prelude_file)?;
    Ok(Verification {
        failure: replayed.failure,
        differences: replayed.differences,
        notes: replayed.notes,
        migrations: files.len(),
    })
}

/// Reads the history and production, then replays.
pub fn verify(
    settings: &Settings,
    db_url: Option<&str>,
    scratch_url: &str,
    prelude_file: Option<&Path>,
) -> Result<Verification> {
    let history = history::parse_dir(&settings.migrations)?;
    let files = history.texts()?;
    let production = production::read(settings, db_url, Reading::Replay(&history))?;
    replay(&production, &history, &files, scratch_url, prelude_file)
}
