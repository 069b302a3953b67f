//! The policy's other ways out of drift on the acme fixture: `drop` (backup, then a drop
//! migration), `mark-system` (an in-place pgdrift.toml edit), the inventory document and
//! the audit log, and the Markdown report.

mod common;

use common::{acme_production, migration_files, one_line_error, pgdrift, succeeded, TestDb};
use predicates::prelude::*;
use std::path::{Path, PathBuf};

/// The rows of `table` as text, in a stable order.
fn rows(db: &TestDb, table: &str) -> Vec<String> {
    db.client()
        .query(
            &format!("SELECT t::text FROM {table} t ORDER BY t::text"),
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

/// The backup of public.audit_log in the project's backup folder, restored into an empty
/// database, gives back `expected`.
fn assert_backup_restores(project: &Path, expected: &[String]) {
    let backup = std::fs::read_dir(project.join(".pgdrift/backups"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with("_public_audit_log.sql"))
        .expect("a backup of audit_log");
    let empty = TestDb::create("restore");
    empty.psql_file(&backup);
    assert_eq!(rows(&empty, "public.audit_log"), expected);
}

fn new_files(dir: &Path, before: &[PathBuf]) -> Vec<PathBuf> {
    migration_files(dir)
        .into_iter()
        .filter(|f| !before.contains(f))
        .collect()
}

#[test]
fn drop_backs_up_rows_then_writes_a_migration_that_deploys_and_replays() {
    let prod = acme_production();
    let project = common::acme_project();
    let migrations = project.path().join("supabase/migrations");
    let before = migration_files(&migrations);
    let audit_rows = rows(&prod, "public.audit_log");
    assert!(!audit_rows.is_empty());

    let text = succeeded(
        pgdrift(project.path())
            .args([
                "--db-url",
                &prod.url(),
                "--audit-log",
                "docs/database/inventory.md",
            ])
            .args(["drop", "audit_log", "rate_limit_buckets", "--yes"])
            .output()
            .unwrap(),
    );
    assert!(text.contains("may hold personal data"), "{text}");

    // Production was only read.
    assert_eq!(rows(&prod, "public.audit_log"), audit_rows);

    // One backup per table, kept out of git, restoring every row into an empty database.
    let backups = project.path().join(".pgdrift/backups");
    assert_eq!(
        std::fs::read_to_string(backups.join(".gitignore"))
            .unwrap()
            .lines()
            .last(),
        Some("*")
    );
    assert_backup_restores(project.path(), &audit_rows);

    // Two drop migrations after the last one, without CASCADE, the trigger function that
    // only audit_log used dropped with it.
    let files = new_files(&migrations, &before);
    assert_eq!(files.len(), 2, "{files:?}");
    let last = before.last().unwrap().file_name().unwrap().to_owned();
    for f in &files {
        assert!(f.file_name().unwrap() > last.as_os_str());
        let sql = std::fs::read_to_string(f).unwrap();
        assert!(!sql.to_uppercase().contains("CASCADE"), "{sql}");
        assert!(sql.contains("DROP TABLE IF EXISTS public."), "{sql}");
        assert!(sql.contains(".pgdrift/backups/"), "{sql}");
    }
    let all: String = files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect();
    assert!(
        all.contains("DROP FUNCTION IF EXISTS public.prevent_truncate();"),
        "{all}"
    );
    assert!(
        all.contains(&format!("({} rows)", audit_rows.len())),
        "{all}"
    );

    // Where the tables never existed (a replay) and on production, twice, the files run.
    let replay = TestDb::create("replay");
    for f in &files {
        replay.psql_file(f);
    }
    for _ in 0..2 {
        for f in &files {
            prod.psql_file(f);
        }
    }
    let gone: i64 = prod
        .client()
        .query_one(
            "SELECT count(*) FROM pg_class WHERE oid IN (to_regclass('public.audit_log'), to_regclass('public.rate_limit_buckets'))",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(gone, 0);

    let log = std::fs::read_to_string(project.path().join("docs/database/inventory.md")).unwrap();
    assert!(log.starts_with("## Audit History\n\n- 20"), "{log}");
    assert!(
        log.contains(": Drift resolved - dropped public.audit_log (")
            && log.contains("rows backed up)"),
        "{log}"
    );
}

#[test]
fn drop_refuses_bad_input_and_writes_nothing() {
    let prod = acme_production();
    let project = common::acme_project();
    let migrations = project.path().join("supabase/migrations");
    let before = migration_files(&migrations);
    let drop = |args: &[&str]| {
        pgdrift(project.path())
            .args(["--db-url", &prod.url(), "drop"])
            .args(args)
            .assert()
            .code(2)
    };
    drop(&["nosuch", "--yes"]).stderr(one_line_error("table nosuch not found"));
    drop(&["organizations", "--yes"]).stderr(one_line_error(
        "cannot drop without CASCADE: public.organizations is needed by table public.api_keys (foreign key api_keys_org_id_fkey)",
    ));
    // A view reads it.
    drop(&["products", "--yes"]).stderr(one_line_error("view public.v_active_products"));
    drop(&["audit_log"]).stderr(one_line_error("pass --yes"));
    // A file stands where the backup folder would go.
    std::fs::write(project.path().join("blocked"), "").unwrap();
    drop(&["audit_log", "--yes", "--backup-dir", "blocked/backups"]).stderr(one_line_error(
        "cannot write to the backup folder blocked/backups",
    ));
    drop(&[
        "audit_log",
        "--yes",
        "--backup-dir",
        "supabase/migrations/backups",
    ])
    .stderr(one_line_error("inside the migrations folder"));
    assert_eq!(migration_files(&migrations), before);
    assert!(!project.path().join(".pgdrift").exists());
    assert_eq!(rows(&prod, "public.audit_log").len(), 6);
}

const COMMENTED: &str = "# pgdrift configuration of the Acme Cloud project.\n\n# Schemas whose objects must be declared by migrations.\nschemas = [\"public\", \"billing\"]   # both of them\n\nmigrations = \"supabase/migrations\"\n\n[[system]]\nname = \"public._external_sync_state\"   # the CRM worker's\nreason = \"created and owned by the CRM sync worker\"\ndate = \"2024-08-02\"\n";

#[test]
fn mark_system_edits_pgdrift_toml_in_place_and_status_lists_it() {
    let prod = acme_production();
    let project = common::acme_project();
    let config = project.path().join("pgdrift.toml");
    std::fs::write(&config, COMMENTED).unwrap();
    succeeded(
        pgdrift(project.path())
            .args([
                "--db-url",
                &prod.url(),
                "mark-system",
                "crm_leads_archive",
                "page_*",
            ])
            .args(["--reason", "written by the CRM sync job"])
            .output()
            .unwrap(),
    );
    let edited = std::fs::read_to_string(&config).unwrap();
    assert!(edited.starts_with(COMMENTED), "{edited}");
    let added = &edited[COMMENTED.len()..];
    assert!(
        added.contains("name = \"public.crm_leads_archive\"\nreason = \"written by the CRM sync job\"\ndate = \"20")
            && added.contains("name = \"page_*\""),
        "{added}"
    );

    let out = pgdrift(project.path())
        .args(["--db-url", &prod.url(), "status", "--format", "json"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_str(&succeeded(out)).unwrap();
    let system: Vec<(String, String)> = report["system"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["name"].as_str().unwrap().to_string(),
                e["reason"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert!(system.contains(&(
        "crm_leads_archive".into(),
        "written by the CRM sync job".into()
    )));
    assert!(system.iter().any(|(n, _)| n == "page_views"), "{system:?}");
    assert!(!report["drifted"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["name"] == "page_views" || e["name"] == "crm_leads_archive"));

    // Marking a table others reference warns; a tracked table and an unknown one are refused.
    let out = pgdrift(project.path())
        .args(["--db-url", &prod.url(), "mark-system", "warehouses"])
        .output()
        .unwrap();
    let text = succeeded(out);
    assert!(
        text.contains("warning: public.inventory_levels references public.warehouses"),
        "{text}"
    );
    let kept = std::fs::read_to_string(&config).unwrap();
    pgdrift(project.path())
        .args([
            "--db-url",
            &prod.url(),
            "mark-system",
            "crm_pipelines",
            "nosuch",
        ])
        .assert()
        .code(2)
        .stderr(one_line_error("is declared by a migration"))
        .stderr(predicate::str::contains("nosuch is not in production"));
    assert_eq!(std::fs::read_to_string(&config).unwrap(), kept);
}

#[test]
fn inventory_keeps_the_prose_around_its_part_and_markdown_status() {
    let prod = acme_production();
    let project = common::acme_project();
    let doc = project.path().join("inventory.md");
    let prose = "# Our database\n\nWritten by us.\n\n<!-- pgdrift:inventory:start -->\nstale\n<!-- pgdrift:inventory:end -->\n\n## Audit History\n\n- 2024-01-01: started\n";
    std::fs::write(&doc, prose).unwrap();
    pgdrift(project.path())
        .args([
            "--db-url",
            &prod.url(),
            "inventory",
            "--out",
            "inventory.md",
        ])
        .assert()
        .success();
    let text = std::fs::read_to_string(&doc).unwrap();
    assert!(
        text.starts_with("# Our database\n\nWritten by us.\n\n<!-- pgdrift:inventory:start -->\n")
    );
    assert!(text.ends_with(
        "<!-- pgdrift:inventory:end -->\n\n## Audit History\n\n- 2024-01-01: started\n"
    ));
    assert!(!text.contains("stale"));
    assert!(text.contains("| `crm_pipelines` |"), "{text}");
    assert!(
        text.contains(
            "`public._external_sync_state` | created and owned by the CRM sync worker | 2024-08-02"
        ),
        "{text}"
    );
    assert!(text.contains("- table `public.crm_deals`"), "{text}");

    let out = pgdrift(project.path())
        .args(["--db-url", &prod.url(), "status", "--format", "markdown"])
        .output()
        .unwrap();
    let md = succeeded(out);
    assert!(md.contains("| tables | 12 | 52 | 1 | 1 |"), "{md}");
    assert!(md.contains("| `public.crm_deals` | table | ~3 |"), "{md}");
    assert!(
        md.contains(
            "| `public._external_sync_state` | table | created and owned by the CRM sync worker |"
        ),
        "{md}"
    );
}

const DECISIONS: &str = "default = \"import\"\n\n[tables]\naudit_log = \"drop\"\n\"public.promo_banners\" = \"system\"\n\n[reasons]\n\"public.promo_banners\" = \"written by the CRM sync job\"\n";

#[test]
fn resolve_with_a_decisions_file_imports_drops_and_marks_then_replays_to_production() {
    let prod = acme_production();
    let project = common::acme_project();
    let migrations = project.path().join("supabase/migrations");
    let before = migration_files(&migrations);
    std::fs::write(project.path().join("decisions.toml"), DECISIONS).unwrap();
    let audit_rows = rows(&prod, "public.audit_log");

    // Without a terminal, the decisions file is the consent.
    succeeded(
        pgdrift(project.path())
            .args(["--db-url", &prod.url(), "--audit-log", "inventory.md"])
            .args(["resolve", "--decisions", "decisions.toml"])
            .output()
            .unwrap(),
    );

    let config = std::fs::read_to_string(project.path().join("pgdrift.toml")).unwrap();
    let original =
        std::fs::read_to_string(common::project_root().join("fixtures/acme/pgdrift.toml")).unwrap();
    assert!(config.starts_with(&original), "{config}");
    assert!(config[original.len()..]
        .contains("name = \"public.promo_banners\"\nreason = \"written by the CRM sync job\"\n"));

    assert_backup_restores(project.path(), &audit_rows);

    let new = new_files(&migrations, &before);
    let drops: Vec<&PathBuf> = new
        .iter()
        .filter(|p| p.to_string_lossy().contains("_drop_"))
        .collect();
    assert_eq!(drops.len(), 1, "{new:?}");
    assert_eq!(new.last(), drops.first().copied(), "the drop comes last");
    assert!(!new
        .iter()
        .any(|p| p.to_string_lossy().contains("promo_banners")));

    // Deployed to production, the new files change what they should and fail nowhere.
    for f in &new {
        prod.psql_file(f);
    }
    pgdrift(project.path())
        .args(["--db-url", &prod.url(), "check"])
        .assert()
        .code(0);
    // pgdrift reads its own files back: no warning names one, and nothing is left to import.
    let status = succeeded(
        pgdrift(project.path())
            .args(["--db-url", &prod.url(), "status"])
            .output()
            .unwrap(),
    );
    for f in &new {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            !status
                .lines()
                .any(|l| l.starts_with("warning:") && l.contains(&name)),
            "{status}"
        );
    }
    let again = succeeded(
        pgdrift(project.path())
            .args(["--db-url", &prod.url(), "import", "--all", "--yes"])
            .output()
            .unwrap(),
    );
    // Every drifted object is decided; what is left for `import --all` is what belongs to
    // the database as a whole (the signup trigger on auth.users, default privileges).
    let later: Vec<PathBuf> = migration_files(&migrations)
        .into_iter()
        .filter(|f| !new.contains(f) && !before.contains(f))
        .collect();
    assert!(!later.is_empty(), "{again}");
    for f in &later {
        let text = std::fs::read_to_string(f).unwrap();
        assert!(!text.contains("CREATE TABLE"), "{}:\n{text}", f.display());
    }

    // The replay of the folder is production without the system tables.
    let system = ["public._external_sync_state", "public.promo_banners"];
    let copy = TestDb::create("replay");
    copy.psql_file(&common::project_root().join("fixtures/supabase_stub.sql"));
    for f in migration_files(&migrations) {
        copy.psql_file(&f);
    }
    copy.execute(common::CONSOLE_ON_TRACKED);
    common::assert_same_dump(
        &prod.dump_except(&["public", "billing"], &system),
        &copy.dump_except(&["public", "billing"], &system),
        "replay of the resolved folder vs production",
    );

    let log = std::fs::read_to_string(project.path().join("inventory.md")).unwrap();
    let line = log.lines().last().unwrap();
    assert!(
        line.contains(": Drift resolved - imported 50 tables, dropped public.audit_log (6 rows backed up), marked public.promo_banners as system"),
        "{line}"
    );
}

#[test]
fn resolve_refuses_bad_decisions_and_a_stdin_without_terminal() {
    let prod = acme_production();
    let project = common::acme_project();
    let migrations = project.path().join("supabase/migrations");
    let before = migration_files(&migrations);
    // Runs resolve with a decisions file of this text; it must refuse.
    let refused = |text: &str| {
        std::fs::write(project.path().join("decisions.toml"), text).unwrap();
        pgdrift(project.path())
            .args([
                "--db-url",
                &prod.url(),
                "resolve",
                "--decisions",
                "decisions.toml",
            ])
            .assert()
            .code(2)
    };
    refused("default = \"maybe\"\n[tables]\nnosuch = \"drop\"\ncrm_pipelines = \"import\"\norders = \"explode\"\norganizations = \"drop\"\n")
        .stderr(one_line_error("default = \"maybe\""))
        .stderr(predicate::str::contains("orders = \"explode\""))
        .stderr(predicate::str::contains("table nosuch not found"))
        .stderr(predicate::str::contains(
            "crm_pipelines is already declared",
        ));
    refused("[tables]\norganizations = \"drop\"\n").stderr(one_line_error(
        "cannot drop without CASCADE: public.organizations is needed by",
    ));
    pgdrift(project.path())
        .args(["--db-url", &prod.url(), "resolve"])
        .write_stdin("")
        .assert()
        .code(2)
        .stderr(one_line_error("--decisions FILE"));
    assert_eq!(migration_files(&migrations), before);
    assert!(!project.path().join(".pgdrift").exists());
}
