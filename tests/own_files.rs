//! pgdrift reads its own files back: after an import, `status` has no new warning and no
//! drift, a second import writes nothing, and every file is in the migration form a team
//! writes by hand (header, inline constraints, at most one guard block per table, the
//! rollback as comments).

mod common;

use common::{acme_production, migration_files, pgdrift, succeeded};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn status(dir: &Path, url: &str) -> Value {
    let out = succeeded(
        pgdrift(dir)
            .args(["--db-url", url, "status", "--format", "json"])
            .output()
            .unwrap(),
    );
    serde_json::from_str(&out).unwrap()
}

fn warnings(report: &Value) -> Vec<String> {
    report["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| format!("{}:{} {}", w["file"], w["line"], w["message"]))
        .collect()
}

fn import_all(dir: &Path, url: &str) -> String {
    succeeded(
        pgdrift(dir)
            .args(["--db-url", url, "import", "--all", "--yes"])
            .output()
            .unwrap(),
    )
}

/// The checks every file an import writes passes on its own.
fn assert_policy_form(file: &Path) {
    let text = std::fs::read_to_string(file).unwrap();
    let name = file.display();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("-- Migration: "), "{name}:\n{text}");
    assert!(lines[1].starts_with("-- Author: "), "{name}:\n{text}");
    let date = lines[2].strip_prefix("-- Date: ").unwrap_or("");
    assert!(
        date.len() == 10 && date.chars().filter(|c| *c == '-').count() == 2,
        "{name}: {}",
        lines[2]
    );
    assert!(lines[3].starts_with("-- Description: "), "{name}:\n{text}");
    let rollback = lines
        .iter()
        .position(|l| *l == "-- Rollback:")
        .unwrap_or_else(|| panic!("{name} has no rollback section:\n{text}"));
    assert!(
        lines[rollback..].iter().all(|l| l.starts_with("--")),
        "{name}: the rollback runs on as SQL:\n{text}"
    );
    // The guards of a table's policies, late constraints and role revokes share one block.
    let guards = text
        .split("\nDO $")
        .skip(1)
        .filter(|block| {
            [
                "pg_catalog.pg_policy",
                "pg_catalog.pg_constraint",
                "pg_catalog.pg_roles",
            ]
            .iter()
            .any(|lookup| block.split("\n$pgdrift").next().unwrap().contains(lookup))
        })
        .count();
    let tables = text.matches("\nCREATE TABLE IF NOT EXISTS ").count()
        + text
            .matches("\nCREATE UNLOGGED TABLE IF NOT EXISTS ")
            .count();
    assert!(
        guards <= tables.max(1),
        "{name}: {guards} guard blocks:\n{text}"
    );
}

#[test]
fn an_import_of_everything_reads_back_as_tracked_with_no_warning() {
    let prod = acme_production();
    let project = common::acme_project();
    let migrations = project.path().join("supabase/migrations");
    // An empty history: every table of production is drift, as on a first run.
    for f in migration_files(&migrations) {
        std::fs::remove_file(f).unwrap();
    }
    let before = status(project.path(), &prod.url());
    assert!(!before["drifted"].as_array().unwrap().is_empty());
    import_all(project.path(), &prod.url());
    let files = migration_files(&migrations);
    assert!(files.len() > 40, "{files:?}");
    for f in &files {
        assert_policy_form(f);
    }
    let tables_inline = files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .filter(|t| t.contains("    CONSTRAINT ") && t.contains(" PRIMARY KEY ("))
        .count();
    assert!(
        tables_inline > 30,
        "primary keys are written inside CREATE TABLE"
    );

    let after = status(project.path(), &prod.url());
    assert_eq!(warnings(&after), Vec::<String>::new());
    for group in ["drifted", "missing"] {
        assert_eq!(after[group], Value::Array(Vec::new()), "{group}: {after:#}");
    }
    assert!(
        after["tracked"].as_array().unwrap().len() >= before["drifted"].as_array().unwrap().len()
    );

    let again = import_all(project.path(), &prod.url());
    assert!(again.contains("Nothing to import"), "{again}");
    assert_eq!(
        migration_files(&migrations),
        files,
        "a second import writes nothing"
    );
}

#[test]
fn an_import_into_a_history_adds_no_warning_and_leaves_no_drift() {
    let prod = acme_production();
    let project = common::acme_project();
    let migrations = project.path().join("supabase/migrations");
    let old: Vec<PathBuf> = migration_files(&migrations);
    let before = status(project.path(), &prod.url());
    import_all(project.path(), &prod.url());
    let new: Vec<PathBuf> = migration_files(&migrations)
        .into_iter()
        .filter(|f| !old.contains(f))
        .collect();
    assert!(!new.is_empty());
    for f in &new {
        assert_policy_form(f);
    }
    let after = status(project.path(), &prod.url());
    let known = warnings(&before);
    let added: Vec<String> = warnings(&after)
        .into_iter()
        .filter(|w| !known.contains(w))
        .collect();
    assert_eq!(
        added,
        Vec::<String>::new(),
        "the import's files add no warning"
    );
    assert_eq!(after["drifted"], Value::Array(Vec::new()), "{after:#}");
    let again = import_all(project.path(), &prod.url());
    assert!(again.contains("Nothing to import"), "{again}");
    assert_eq!(migration_files(&migrations).len(), old.len() + new.len());
}
