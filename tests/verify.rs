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

/// The migration file names of a folder, sorted.
fn file_names(dir: &std::path::Path) -> Vec<String> {
    common::migration_files(dir)
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect()
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

#[test]
fn acme_import_with_a_scratch_server_catches_up_and_then_verify_and_check_pass() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let prod = acme_production();
    let project = common::acme_project();
    let before = scratch_databases();
    let out = pgdrift(project.path())
        .args([
            "--db-url",
            &prod.url(),
            "import",
            "--all",
            "--yes",
            "--scratch-url",
            &common::server_url(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let names: Vec<String> = file_names(&project.path().join("supabase/migrations"))
        .into_iter()
        .filter(|n| n.contains("_catch_up_"))
        .collect();
    // 20240701100001 and 20240701100002 hold the auth.users trigger and the default
    // privileges, which come after the last migration; the catch-ups follow them.
    assert_eq!(
        names,
        [
            "20240701100003_catch_up_dropped_by_hand.sql",
            "20240701100004_catch_up_product_reviews.sql",
            "20240701100005_catch_up_support_tickets.sql",
        ]
    );
    let out = verify(project.path(), &prod, &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    pgdrift(project.path())
        .args(["--db-url", &prod.url(), "check"])
        .assert()
        .code(0);
    pgdrift(project.path())
        .args([
            "--db-url",
            &prod.url(),
            "check",
            "--scratch-url",
            &common::server_url(),
        ])
        .assert()
        .code(0);
    assert_eq!(
        scratch_databases(),
        before,
        "a scratch database was left behind"
    );
}

/// A history whose tables production has, with hand-made changes inside them only.
#[test]
fn object_level_drift_only_is_reported_caught_up_and_verified() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let history = "create table public.accounts (id bigint generated always as identity primary key, email text not null);
                   create table public.notes (id serial primary key, account_id bigint references public.accounts(id), body text);
                   alter table public.notes enable row level security;
                   create function public.touch() returns trigger language plpgsql as $$ begin return new; end $$;";
    let prod = TestDb::create("objdrift");
    prod.execute(history);
    prod.execute(
        "alter table public.accounts add column plan text default 'free';
         create unique index accounts_email_key on public.accounts (lower(email));
         alter table public.notes add constraint notes_body_length check (length(body) < 10000);
         create policy \"Owners read notes\" on public.notes for select using (account_id = 1);
         create trigger notes_touch before update on public.notes for each row execute function public.touch();
         create rule notes_kept as on delete to public.notes do instead nothing;",
    );
    let project = tempfile::tempdir().unwrap();
    let migrations = project.path().join("supabase/migrations");
    std::fs::create_dir_all(&migrations).unwrap();
    std::fs::write(migrations.join("20240101000000_init.sql"), history).unwrap();
    let url = common::server_url();

    let out = pgdrift(project.path())
        .args([
            "--db-url",
            &prod.url(),
            "status",
            "--format",
            "json",
            "--scratch-url",
            &url,
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(json["drifted"].as_array().unwrap().is_empty(), "{json}");
    let mut objects: Vec<&str> = json["differences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["object"].as_str().unwrap())
        .collect();
    objects.sort();
    assert_eq!(
        objects,
        [
            "column public.accounts.plan",
            "constraint notes_body_length on public.notes",
            "index public.accounts_email_key",
            "policy \"Owners read notes\" on public.notes",
            "rule notes_kept on public.notes",
            "trigger notes_touch on public.notes",
        ]
    );
    pgdrift(project.path())
        .args(["--db-url", &prod.url(), "check", "--scratch-url", &url])
        .assert()
        .code(1);

    pgdrift(project.path())
        .args([
            "--db-url",
            &prod.url(),
            "import",
            "--all",
            "--yes",
            "--scratch-url",
            &url,
        ])
        .assert()
        .success();
    let written = file_names(&migrations);
    assert_eq!(
        written,
        [
            "20240101000000_init.sql",
            "20240101000001_catch_up_accounts.sql",
            "20240101000002_catch_up_notes.sql"
        ]
    );
    let out = verify(project.path(), &prod, &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // The catch-up files change nothing in production.
    let dump = prod.dump(&["public"]);
    for file in &written[1..] {
        prod.psql_file(&migrations.join(file));
    }
    common::assert_same_dump(
        &dump,
        &prod.dump(&["public"]),
        "production after the catch-up files",
    );
}

#[test]
fn ctrl_c_during_a_replay_drops_the_scratch_database() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let prod = TestDb::create("interrupt");
    let project = tempfile::tempdir().unwrap();
    let migrations = project.path().join("supabase/migrations");
    std::fs::create_dir_all(&migrations).unwrap();
    std::fs::write(
        migrations.join("20240101000000_slow.sql"),
        "select pg_sleep(30);",
    )
    .unwrap();
    let before = scratch_databases();
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("pgdrift"))
        .current_dir(project.path())
        .args([
            "--db-url",
            &prod.url(),
            "verify",
            "--scratch-url",
            &common::server_url(),
        ])
        .env_remove("DATABASE_URL")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the replay runs, then interrupt it as a terminal's Ctrl-C would.
    let started = std::time::Instant::now();
    while scratch_databases() == before && started.elapsed() < std::time::Duration::from_secs(20) {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(scratch_databases(), before + 1, "the replay did not start");
    std::thread::sleep(std::time::Duration::from_millis(500));
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("interrupted: the scratch database was dropped"));
    assert_eq!(
        scratch_databases(),
        before,
        "the scratch database was left behind"
    );
}
