//! `pgdrift.toml`: managed schemas, the migrations folder and the system list.
//!
//! ```toml
//! schemas = ["public", "billing"]
//! migrations = "supabase/migrations"
//!
//! audit_log = "docs/database/inventory.md"
//!
//! [[system]]
//! name = "public._external_sync_state"
//! reason = "created and owned by the sync worker"
//! date = "2026-12-05"
//! ```

pub mod edit;
mod system;

pub use system::SystemEntry;

use anyhow::{bail, Result};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The file pgdrift reads from the current folder when `--config` is not given.
pub const DEFAULT_FILE: &str = "pgdrift.toml";
/// Where Supabase projects keep their migrations.
pub const DEFAULT_MIGRATIONS: &str = "supabase/migrations";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    schemas: Option<Vec<String>>,
    migrations: Option<PathBuf>,
    audit_log: Option<PathBuf>,
    #[serde(default)]
    system: Vec<SystemEntry>,
}

/// The settings a command runs with, after command-line options, the file and defaults.
#[derive(Clone, Debug)]
pub struct Settings {
    pub schemas: Vec<String>,
    pub migrations: PathBuf,
    pub system: Vec<SystemEntry>,
    /// The Markdown file that resolutions are recorded in (`audit_log`, `--audit-log`).
    pub audit_log: Option<PathBuf>,
    /// The config file that was read, if any.
    pub source: Option<PathBuf>,
    /// How long one catalog query on production may run (`--statement-timeout`).
    pub statement_timeout: Duration,
}

impl Settings {
    /// Reads `config` (an error if given and absent) or `./pgdrift.toml` (if present), then
    /// lets the command-line values win. Paths in the file are relative to the file.
    pub fn resolve(
        config: Option<&Path>,
        schemas: &[String],
        migrations: Option<&Path>,
    ) -> Result<Self> {
        let (file, source) = match config {
            Some(path) => (read(path)?, Some(path.to_path_buf())),
            None if Path::new(DEFAULT_FILE).is_file() => (
                read(Path::new(DEFAULT_FILE))?,
                Some(PathBuf::from(DEFAULT_FILE)),
            ),
            None => (File::default(), None),
        };
        let base = source
            .as_deref()
            .and_then(Path::parent)
            .unwrap_or(Path::new(""));
        let migrations = match (migrations, &file.migrations) {
            (Some(dir), _) => dir.to_path_buf(),
            (None, Some(dir)) => base.join(dir),
            (None, None) => base.join(DEFAULT_MIGRATIONS),
        };
        let schemas = if !schemas.is_empty() {
            schemas.to_vec()
        } else {
            file.schemas
                .clone()
                .unwrap_or_else(|| vec!["public".to_string()])
        };
        if schemas.iter().any(|s| s.is_empty()) {
            bail!("an empty schema name was given: pass --schema NAME");
        }
        for entry in &file.system {
            entry.pattern()?;
        }
        let audit_log = file.audit_log.as_ref().map(|p| base.join(p));
        let mut unique = Vec::new();
        for s in schemas {
            if !unique.contains(&s) {
                unique.push(s);
            }
        }
        Ok(Settings {
            schemas: unique,
            migrations,
            system: file.system,
            audit_log,
            source,
            statement_timeout: crate::db::STATEMENT_TIMEOUT,
        })
    }
}

fn read(path: &Path) -> Result<File> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        anyhow::anyhow!(
            "cannot read the config file {}: {e}; pass --config FILE or remove the option",
            path.display()
        )
    })?;
    toml::from_str(&text).map_err(|e| {
        let message = e.message().to_string();
        let line = e.span().map(|s| text[..s.start].matches('\n').count() + 1);
        match line {
            Some(line) => anyhow::anyhow!("{}:{line}: {message}", path.display()),
            None => anyhow::anyhow!("{}: {message}", path.display()),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, text: &str) -> PathBuf {
        let path = dir.join("pgdrift.toml");
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn file_values_are_relative_to_the_file_and_flags_win() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            dir.path(),
            "schemas = [\"public\", \"billing\"]\nmigrations = \"db/migrations\"\n\n[[system]]\nname = \"public._sync\"\nreason = \"worker\"\n",
        );
        let s = Settings::resolve(Some(&path), &[], None).unwrap();
        assert_eq!(s.schemas, ["public", "billing"]);
        assert_eq!(s.migrations, dir.path().join("db/migrations"));
        assert!(s.system[0].matches(&crate::model::QualifiedName::new("public", "_sync")));

        let s = Settings::resolve(
            Some(&path),
            &["app".into(), "app".into()],
            Some(Path::new("m")),
        )
        .unwrap();
        assert_eq!(s.schemas, ["app"]);
        assert_eq!(s.migrations, PathBuf::from("m"));
    }

    #[test]
    fn defaults_without_a_file() {
        let s = Settings::resolve(None, &[], None).unwrap();
        assert_eq!(s.schemas, ["public"]);
        assert_eq!(s.migrations, PathBuf::from(DEFAULT_MIGRATIONS));
    }

    #[test]
    fn reports_bad_files_with_their_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "schemas = [\"public\"]\nbogus = 1\n");
        let err = Settings::resolve(Some(&path), &[], None)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("pgdrift.toml:2:") && err.contains("bogus"),
            "{err}"
        );

        let missing = dir.path().join("nope.toml");
        let err = Settings::resolve(Some(&missing), &[], None)
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("cannot read the config file"), "{err}");
    }
}
