//! `verify` on the acme fixture: before the import the first migration fails; after it, only
//! what was changed by hand on migration-made objects differs; no scratch database is left.

mod common;

use common::{acme_production, pgdrift, TestDb};
use std::sync::Mutex;

/// The tests here count scratch databases on the server, so they run one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

fn scratch_databases() -> i64 {
    common::connect(&common::server_url())
        .query_one(
            "SELECT count(*) FROM pg_database WHERE datname LIKE 'pgdrift\\_scratch\\_%'",
            &[],
        )
        .unwrap()
        .get(0)
}

fn verify(project: &std::path::Path, db: &TestDb, extra: &[&str]) -> std::process::Output {
    let mut cmd = pgdrift(project);
    cmd.args([
        "--db-url",
        &db.url(),
        "verify",
        "--scratch-url",
        &common::server_url(),
    ]);
    cmd.args(extra);
    cmd.output().unwrap()
}

#[test]
fn acme_before_import_names_the_first_failing_migration() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let prod = acme_production();
    let project = common::acme_project();
    let before = scratch_databases();
    let out = verify(project.path(), &prod, &[]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("The migrations do not replay: supabase/migrations/20240201090000_create_crm_pipelines.sql:5: relation \"public.organizations\" does not exist\n"),
        "{text}"
    );
    let json = verify(project.path(), &prod, &["--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(json["identical"], false);
    assert_eq!(json["failure"]["line"], 5);
    assert_eq!(
        scratch_databases(),
        before,
        "a scratch database was left behind"
    );
}

#[test]
fn acme_after_import_differs_only_where_migration_made_objects_were_changed_by_hand() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let prod = acme_production();
    let project = common::acme_project();
    let before = scratch_databases();
    pgdrift(project.path())
        .args(["--db-url", &prod.url(), "import", "--all", "--yes"])
        .assert()
        .success();
    let out = verify(project.path(), &prod, &["--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(json["failure"].is_null(), "{json}");
    let mut objects: Vec<String> = json["differences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["object"].as_str().unwrap().to_string())
        .collect();
    objects.sort();
    assert_eq!(
        objects,
        [
            "column public.support_tickets.sla_due_at",
            "function public.refresh_reporting()",
            "index public.support_tickets_sla_due_idx",
            "policy \"Org members see reviews of their products\" on public.product_reviews",
            "table public.webhook_endpoints",
        ]
    );
    assert_eq!(
        scratch_databases(),
        before,
        "a scratch database was left behind"
    );
}

#[test]
fn a_prelude_file_replaces_the_copied_objects() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let prod = TestDb::create("prelude");
    prod.execute("create schema app_auth; create table app_auth.accounts (id int primary key); create table public.notes (id int references app_auth.accounts)");
    let project = tempfile::tempdir().unwrap();
    let migrations = project.path().join("supabase/migrations");
    std::fs::create_dir_all(&migrations).unwrap();
    std::fs::write(
        migrations.join("20240101000000_notes.sql"),
        "create table public.notes (id int references app_auth.accounts)",
    )
    .unwrap();
    // The copied prelude brings app_auth.accounts: identical.
    let out = verify(project.path(), &prod, &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // A prelude of one's own that lacks it: the migration fails.
    let prelude = project.path().join("prelude.sql");
    std::fs::write(&prelude, "create schema app_auth;").unwrap();
    let out = verify(
        project.path(),
        &prod,
        &["--prelude", prelude.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("20240101000000_notes.sql:1: relation \"app_auth.accounts\" does not exist"),
        "{text}"
    );
}
