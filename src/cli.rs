//! The command line. Option names are a contract: scripts and CI jobs depend on them.

use crate::report::{Format, ReportFormat};
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use std::time::Duration;

/// Find what your PostgreSQL database holds that your git migrations do not declare.
///
/// pgdrift reads production's catalog (read-only, in one snapshot), parses every file in
/// the migrations folder, and reports each table, view, function, type and sequence as
/// tracked (declared and present), drifted (present, declared nowhere), missing (declared,
/// absent) or system (listed in pgdrift.toml).
#[derive(Debug, Parser)]
#[command(name = "pgdrift", version, max_term_width = 100)]
#[command(
    after_help = "Exit codes: 0 success, 1 drift or a difference found (check, verify), 2 error.\n\n\
Results go to stdout. While a long phase runs (reading a catalog, parsing the migrations, \
rendering, writing or replaying files) a progress bar is drawn on stderr, only when stderr is a \
terminal and --format is not json, and erased when the phase ends."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes, before or after the command name.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Production's connection URL (postgres://user:password@host:port/db?sslmode=require).
    /// Defaults to DATABASE_URL, then the libpq variables PGHOST, PGPORT, PGUSER,
    /// PGPASSWORD, PGDATABASE, PGSSLMODE, PGSSLROOTCERT and ~/.pgpass.
    #[arg(long, global = true, value_name = "URL")]
    pub db_url: Option<String>,

    /// Folder of migration files named <version>_<name>.sql
    /// [default: supabase/migrations, or `migrations` in pgdrift.toml]
    #[arg(long, global = true, value_name = "DIR")]
    pub migrations: Option<PathBuf>,

    /// A schema whose objects pgdrift manages; repeat for several
    /// [default: public, or `schemas` in pgdrift.toml]
    #[arg(long = "schema", global = true, value_name = "NAME")]
    pub schemas: Vec<String>,

    /// Settings file (managed schemas, migrations folder, system list)
    /// [default: ./pgdrift.toml when it exists]
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Markdown file (the team's inventory) that resolve, drop, mark-system and import
    /// append a dated line to, under `## Audit History` [default: `audit_log` in
    /// pgdrift.toml; none when unset]
    #[arg(long, global = true, value_name = "PATH")]
    pub audit_log: Option<PathBuf>,

    /// How long one catalog query may run on production before the server cancels it:
    /// 500ms, 90s, 10min, 1h, or 0 for no limit. Raise it for a very large or busy
    /// database; waiting for a lock that a running migration holds counts too
    #[arg(
        long,
        global = true,
        value_name = "DURATION",
        env = "PGDRIFT_STATEMENT_TIMEOUT",
        default_value = "2min",
        value_parser = |s: &str| crate::db::parse_timeout(s).map_err(|e| e.to_string())
    )]
    pub statement_timeout: Duration,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Report what is tracked, drifted, missing and system (exit 0).
    Status(ReportArgs),
    /// The same report; exit 1 when drift is left unresolved (a CI gate).
    Check(ReportArgs),
    /// Write idempotent migration files that recreate drifted tables (and the drifted
    /// types, functions, sequences and views they need), placed in history so that a
    /// replay of the whole migrations folder rebuilds production.
    #[command(
        after_help = "Each file sorts after every migration that creates something it needs and \
before the first migration that uses what it creates. Parts that later migrations add (a column, \
an index, a policy, an enum value) are left out so those migrations still replay. Production is \
only read, unless --mark-applied is given and confirmed."
    )]
    Import(ImportArgs),
    /// Replay every migration into a scratch database and compare it with production,
    /// object by object (exit 1 on a difference or a migration that fails).
    #[command(
        after_help = "The scratch database gets a random name on the --scratch-url server \
(a local PostgreSQL, or the one `supabase start` runs) and is dropped at the end, also after an \
error or Ctrl-C. Before the migrations it receives what they need outside the managed schemas \
(Supabase's auth and storage objects, extensions), copied in structure from production, unless \
--prelude gives your own SQL. Nothing is ever created on production."
    )]
    Verify(VerifyArgs),
    /// Drop drifted tables: back their rows up to a file psql restores, then write a drop
    /// migration (DROP TABLE IF EXISTS, never CASCADE) dated after the last migration.
    #[command(
        after_help = "The rows are read with COPY in the same read-only snapshot as the catalog and \
streamed to one SQL file per table in the backup folder (the table's columns and its rows: \
`psql -v ON_ERROR_STOP=1 -f FILE URL` gives them back in an empty database). The folder gets a \
.gitignore, since backups may hold personal data. A table that something kept depends on (a \
foreign key, a view, a function, a migration that names it) is refused, naming the dependents. \
Drifted functions, types and sequences that only the dropped table uses are dropped in the same \
file. Production is only read: the drop happens when the migration is deployed."
    )]
    Drop(DropArgs),
    /// Decide, table by table, what becomes of drifted tables: import (a migration file),
    /// drop (after a backup of its rows), mark as system (pgdrift.toml), or skip.
    #[command(
        after_help = "The decisions file (TOML):\n\n  default = \"import\"   # or \"skip\": what undecided drifted tables get\n  [tables]\n  legacy_import_2024 = \"drop\"\n  \"public.crm_deal_attachments\" = \"system\"   # \"schema.table\" or \"table\"\n  [reasons]             # optional, for \"system\"\n  \"public.crm_deal_attachments\" = \"written by the CRM sync job\"\n\n\
Drifted functions, types, sequences and views follow the tables: what an imported table needs \
is imported with it; with default = \"import\" the others are imported too, unless they need a \
table that is not imported. Nothing is written before one confirmation after the summary \
(--yes, or a stdin that is not a terminal, takes the decisions file as consent). Backups come \
first, then the migration files, then the pgdrift.toml edit and the audit line."
    )]
    Resolve(ResolveArgs),
    /// Record tables (or patterns such as etl.* and analytics_*) as system/external in
    /// pgdrift.toml, with a reason and today's date: from then on they are not drift.
    #[command(
        after_help = "pgdrift.toml is edited in place: its other settings, comments and order are \
kept. A table that a tracked or drifted table references (a foreign key, a view), or that a \
migration names, gets a warning: a replay of the migrations fails without it, so import it instead."
    )]
    MarkSystem(MarkSystemArgs),
    /// Write the inventory document: the expected structure by schema (tracked tables with
    /// their column, index and policy counts), system objects with reasons, what is still
    /// drifted or missing.
    #[command(
        after_help = "Only the part between <!-- pgdrift:inventory:start --> and \
<!-- pgdrift:inventory:end --> is rewritten (it is appended when the file has no markers): the \
team's own prose and the Audit History around it are kept."
    )]
    Inventory(InventoryArgs),
}

impl Cli {
    /// Whether the command prints JSON (`--format json`): its stderr stays free of progress
    /// bars too, for the script that reads it.
    pub fn json_output(&self) -> bool {
        match &self.command {
            Command::Status(args) | Command::Check(args) => args.format == ReportFormat::Json,
            Command::Verify(args) => args.format == Format::Json,
            _ => false,
        }
    }
}

#[derive(Debug, Args)]
pub struct ResolveArgs {
    /// The decisions, as a TOML file (see below)
    #[arg(long, value_name = "FILE")]
    pub decisions: Option<PathBuf>,

    /// A folder of application code to search for mentions of each table (.from('name'),
    /// "schema"."name", the name in SQL strings), shown on its card; repeat for several.
    /// node_modules, .git, target and the migrations folder are skipped
    #[arg(long = "code-dir", value_name = "DIR")]
    pub code_dirs: Vec<PathBuf>,

    #[command(flatten)]
    pub write: DropOptions,
}

#[derive(Debug, Args)]
pub struct DropArgs {
    /// Drifted tables to drop, as name or schema.name
    #[arg(value_name = "TABLE", required = true)]
    pub tables: Vec<String>,

    #[command(flatten)]
    pub write: DropOptions,
}

/// What `resolve` and `drop` share: where backups go, confirmation, dry run.
#[derive(Debug, Args)]
pub struct DropOptions {
    /// Where the row backups of dropped tables go (never inside the migrations folder)
    #[arg(long, value_name = "DIR", default_value = ".pgdrift/backups")]
    pub backup_dir: PathBuf,

    /// Do not ask before writing (drop needs it when stdin is not a terminal)
    #[arg(long, short = 'y')]
    pub yes: bool,

    /// Print the plan (files, backups, config edits) and write nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct MarkSystemArgs {
    /// Tables or patterns: name, schema.name, or with * (any text) and ? (one character);
    /// without a schema a pattern means public
    #[arg(value_name = "PATTERN", required = true)]
    pub patterns: Vec<String>,

    /// Why it is managed outside the migrations (recorded in pgdrift.toml)
    #[arg(long, value_name = "TEXT", default_value = "")]
    pub reason: String,
}

#[derive(Debug, Args)]
pub struct InventoryArgs {
    /// The Markdown file to write [default: `audit_log` in pgdrift.toml, else
    /// docs/database/inventory.md]
    #[arg(long, value_name = "PATH")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// A server where pgdrift may create (and drop) a scratch database
    #[arg(long, value_name = "URL")]
    pub scratch_url: String,

    /// SQL to run in the scratch database before the migrations, instead of the objects
    /// copied from production
    #[arg(long, value_name = "FILE")]
    pub prelude: Option<PathBuf>,

    /// Output format: text for people, json for scripts (keys identical, failure,
    /// differences)
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Drifted tables to import, as name or schema.name
    #[arg(
        value_name = "TABLE",
        required_unless_present = "all",
        conflicts_with = "all"
    )]
    pub tables: Vec<String>,

    /// Import every drifted object
    #[arg(long)]
    pub all: bool,

    /// One file (per place in history) named <version>_<NAME>.sql instead of one per table:
    /// the one-off base-schema import
    #[arg(long, value_name = "NAME")]
    pub single_file: Option<String>,

    /// Where to write the files [default: the migrations folder]
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Print the plan (files, order, placement) and write nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Do not ask before writing (and, with --mark-applied, before writing to production)
    #[arg(long, short = 'y')]
    pub yes: bool,

    /// A folder of templates that replace the built-in ones of the same name
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,

    /// Replay the history and the new files into a scratch database on this server before
    /// writing anything: add catch-up files (dated after the last migration) for what was
    /// changed by hand inside migration-made objects, and refuse files that would not
    /// reproduce production
    #[arg(long, value_name = "URL")]
    pub scratch_url: Option<String>,

    /// Record the new versions as applied in production's
    /// supabase_migrations.schema_migrations (a write to production; asks first unless --yes)
    #[arg(long)]
    pub mark_applied: bool,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Output format: text for people, json for scripts (keys tracked, drifted, missing,
    /// system), markdown for a pull-request comment
    #[arg(long, value_enum, default_value = "text")]
    pub format: ReportFormat,

    /// Replay the migrations into a scratch database on this server instead of reading them
    /// statically: objects that dynamic SQL creates count as declared, and changes made by
    /// hand inside migration-made objects (a column, an index, a policy) are reported as
    /// object-level drift (check fails on it). A history that does not replay on its own
    /// (tables made by hand that later migrations alter) is replayed with the import of
    /// the drifted objects planned in, in memory; nothing is written. Only a migration that
    /// fails even then is an error
    #[arg(long, value_name = "URL")]
    pub scratch_url: Option<String>,

    /// With --scratch-url: SQL to run before the migrations instead of the objects copied
    /// from production
    #[arg(long, value_name = "FILE", requires = "scratch_url")]
    pub prelude: Option<PathBuf>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn global_options_go_before_or_after_the_command() {
        let before =
            Cli::try_parse_from(["pgdrift", "--db-url", "u", "--schema", "a", "status"]).unwrap();
        let after = Cli::try_parse_from([
            "pgdrift", "status", "--db-url", "u", "--schema", "a", "--schema", "b",
        ])
        .unwrap();
        assert_eq!(before.global.db_url.as_deref(), Some("u"));
        assert_eq!(after.global.db_url.as_deref(), Some("u"));
        assert_eq!(after.global.schemas, ["a", "b"]);
    }

    #[test]
    fn each_global_option_has_its_own_help() {
        let cmd = Cli::command();
        let help = |name: &str| {
            cmd.get_arguments()
                .find(|a| a.get_id() == name)
                .and_then(|a| a.get_help())
                .map(|h| h.to_string())
                .unwrap_or_default()
        };
        assert!(
            help("audit_log").starts_with("Markdown file"),
            "{}",
            help("audit_log")
        );
        assert!(!help("audit_log").contains("catalog query"));
        assert!(help("statement_timeout").starts_with("How long one catalog query"));
    }

    #[test]
    fn json_output_is_the_json_format_of_any_command() {
        let json = |args: &[&str]| {
            Cli::try_parse_from([&["pgdrift"], args].concat())
                .unwrap()
                .json_output()
        };
        assert!(json(&["status", "--format", "json"]));
        assert!(json(&["check", "--format", "json"]));
        assert!(json(&["verify", "--scratch-url", "u", "--format", "json"]));
        assert!(!json(&["status"]));
        assert!(!json(&["check", "--format", "markdown"]));
        assert!(!json(&["verify", "--scratch-url", "u"]));
        assert!(!json(&["import", "--all"]));
    }

    #[test]
    fn statement_timeout_defaults_to_the_library_default() {
        let cli = Cli::try_parse_from(["pgdrift", "status"]).unwrap();
        assert_eq!(cli.global.statement_timeout, crate::db::STATEMENT_TIMEOUT);
        let cli =
            Cli::try_parse_from(["pgdrift", "status", "--statement-timeout", "10min"]).unwrap();
        assert_eq!(cli.global.statement_timeout, Duration::from_secs(600));
        assert!(Cli::try_parse_from(["pgdrift", "status", "--statement-timeout", "soon"]).is_err());
    }
}
