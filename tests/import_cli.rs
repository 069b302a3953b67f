//! `import` refuses bad input with one line and exit 2, and writes nothing when it refuses.

mod common;

use common::{acme_production, migration_files, one_line_error, pgdrift, project_root};
use predicates::prelude::*;
use std::path::Path;

fn file_count(dir: &Path) -> usize {
    std::fs::read_dir(dir).unwrap().count()
}

#[test]
fn names_that_cannot_be_imported() {
    let prod = acme_production();
    let project = common::acme_project();
    let migrations = project.path().join("supabase/migrations");
    let count = file_count(&migrations);
    let import = |table: &str| {
        pgdrift(project.path())
            .args(["--db-url", &prod.url(), "import", table, "--yes"])
            .assert()
            .code(2)
    };
    import("nosuch").stderr(one_line_error(
        "table nosuch not found in production's managed schemas (public, billing)",
    ));
    import("crm_pipelines").stderr(one_line_error(
        "public.crm_pipelines is already declared by a migration",
    ));
    import("_external_sync_state").stderr(one_line_error("listed as system in pgdrift.toml"));
    import("time_entries_2023").stderr(one_line_error("is a partition of public.time_entries"));
    import("a.b.c").stderr(one_line_error("is not a table name"));
    assert_eq!(file_count(&migrations), count);
}

#[test]
fn dry_run_writes_nothing_and_an_existing_file_stops_everything() {
    let prod = acme_production();
    let project = common::acme_project();
    let migrations = project.path().join("supabase/migrations");
    let count = file_count(&migrations);
    let out = pgdrift(project.path())
        .args(["--db-url", &prod.url(), "import", "crm_deals", "--dry-run"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let plan = String::from_utf8(out.stdout).unwrap();
    assert!(plan.contains("Dry run: nothing was written."), "{plan}");
    assert_eq!(file_count(&migrations), count);

    // Occupy the name of the last planned file in the output folder: nothing is written.
    let last = plan
        .lines()
        .rfind(|l| l.trim_start().starts_with("20"))
        .unwrap()
        .trim()
        .split(' ')
        .next()
        .unwrap()
        .to_string();
    let out_dir = tempfile::tempdir().unwrap();
    std::fs::write(out_dir.path().join(&last), "-- mine\n").unwrap();
    pgdrift(project.path())
        .args([
            "--db-url",
            &prod.url(),
            "import",
            "crm_deals",
            "--yes",
            "--out",
        ])
        .arg(out_dir.path())
        .assert()
        .code(2)
        .stderr(one_line_error(&format!("{last} already exists")));
    assert_eq!(file_count(out_dir.path()), 1);
    assert_eq!(
        std::fs::read_to_string(out_dir.path().join(&last)).unwrap(),
        "-- mine\n"
    );
    assert_eq!(file_count(&migrations), count);
}

#[test]
fn problems_found_before_production_is_read() {
    let project = common::acme_project();
    // The output folder is checked before connecting: the unreachable URL is never tried.
    pgdrift(project.path())
        .args([
            "--db-url",
            "postgres://u:pw@127.0.0.1:1/x",
            "import",
            "--all",
            "--out",
            "/nonexistent/dir",
        ])
        .assert()
        .code(2)
        .stderr(one_line_error(
            "output folder /nonexistent/dir does not exist",
        ));
    pgdrift(project.path())
        .args([
            "--db-url",
            "postgres://u:pw@127.0.0.1:1/x",
            "import",
            "--all",
            "--mark-applied",
        ])
        .assert()
        .code(2)
        .stderr(one_line_error("--mark-applied writes to production"));
    pgdrift(project.path()).args(["import"]).assert().code(2);
    pgdrift(project.path())
        .args(["import", "t", "--all"])
        .assert()
        .code(2);
    let templates = tempfile::tempdir().unwrap();
    std::fs::write(templates.path().join("nonsense.sql.tera"), "x").unwrap();
    pgdrift(project.path())
        .args([
            "--db-url",
            "postgres://u:pw@127.0.0.1:1/x",
            "import",
            "--all",
            "--templates",
        ])
        .arg(templates.path())
        .assert()
        .code(2)
        .stderr(one_line_error("nonsense.sql.tera"));
}

#[test]
fn mark_applied_records_the_new_versions_in_production() {
    let db = common::TestDb::create("mark");
    db.execute("create table drifted (id int primary key)");
    let project = tempfile::tempdir().unwrap();
    let migrations = project.path().join("supabase/migrations");
    std::fs::create_dir_all(&migrations).unwrap();
    // Without the Supabase history table: refused before any file is written.
    pgdrift(project.path())
        .args([
            "--db-url",
            &db.url(),
            "import",
            "--all",
            "--yes",
            "--mark-applied",
        ])
        .assert()
        .code(2)
        .stderr(one_line_error("which production does not have"));
    assert_eq!(file_count(&migrations), 0);

    db.execute(
        "create schema supabase_migrations;
         create table supabase_migrations.schema_migrations (version text primary key, statements text[], name text)",
    );
    pgdrift(project.path())
        .args([
            "--db-url",
            &db.url(),
            "import",
            "--all",
            "--yes",
            "--mark-applied",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Recorded 1 version(s) as applied in production.",
        ));
    let files = migration_files(&migrations);
    assert_eq!(files.len(), 1);
    let name = files[0].file_name().unwrap().to_string_lossy().into_owned();
    let (version, rest) = name.trim_end_matches(".sql").split_once('_').unwrap();
    let rows = db
        .client()
        .query(
            "select version, name from supabase_migrations.schema_migrations",
            &[],
        )
        .unwrap();
    let recorded: Vec<(String, String)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    assert_eq!(recorded, [(version.to_string(), rest.to_string())]);
}

/// Runs pgdrift in a terminal (through `script`), typing `keys`; returns what it printed.
fn in_terminal(dir: &Path, args: &[&str], keys: &str) -> (i32, String) {
    use std::io::Write;
    let bin = assert_cmd::cargo::cargo_bin("pgdrift");
    let command = std::iter::once(bin.to_str().unwrap())
        .chain(args.iter().copied())
        .map(|a| format!("'{}'", a.replace('\'', "'\\''")))
        .collect::<Vec<_>>()
        .join(" ");
    let mut child = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .current_dir(dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("running script (util-linux)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(keys.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn mark_applied_asks_before_writing_to_production() {
    let db = common::TestDb::create("mark_ask");
    db.execute(
        "create table drifted (id int primary key);
         create schema supabase_migrations;
         create table supabase_migrations.schema_migrations (version text primary key, statements text[], name text)",
    );
    let project = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(project.path().join("supabase/migrations")).unwrap();
    let recorded = || -> i64 {
        db.client()
            .query_one(
                "select count(*) from supabase_migrations.schema_migrations",
                &[],
            )
            .unwrap()
            .get(0)
    };
    let url = db.url();
    for (out, keys, expected) in [("first", "\n\n", 0), ("second", "\ny", 1)] {
        let out_dir = project.path().join(out);
        std::fs::create_dir(&out_dir).unwrap();
        let args = [
            "--db-url",
            &url,
            "import",
            "--all",
            "--mark-applied",
            "--out",
            out_dir.to_str().unwrap(),
        ];
        let (code, printed) = in_terminal(project.path(), &args, keys);
        assert_eq!(code, 0, "{printed}");
        // Writing files is asked first (yes by default), then the write to production
        // (no by default), naming the database without its password.
        assert!(printed.contains("Write 1 file(s) to "), "{printed}");
        assert!(
            printed.contains("(a write to production)? [y/N]"),
            "{printed}"
        );
        assert_eq!(file_count(&out_dir), 1);
        assert_eq!(recorded(), expected, "{printed}");
    }
}

#[test]
fn declining_the_write_leaves_the_folder_as_it_was() {
    let db = common::TestDb::create("decline");
    db.execute("create table drifted (id int primary key); create table other (id int)");
    let project = tempfile::tempdir().unwrap();
    let migrations = project.path().join("supabase/migrations");
    std::fs::create_dir_all(&migrations).unwrap();
    let url = db.url();
    let args = ["--db-url", &url, "import", "--all"];
    let (code, printed) = in_terminal(project.path(), &args, "n\n");
    assert_eq!(code, 0, "{printed}");
    assert!(printed.contains(" file(s) to "), "{printed}");
    assert!(printed.contains("Nothing was written."), "{printed}");
    // The files were rendered to hidden temporary names before the question: none is left.
    assert_eq!(file_count(&migrations), 0);
}

#[test]
fn templates_folder_replaces_a_built_in_template() {
    let db = common::TestDb::create("templates");
    db.execute("create table drifted (id int primary key)");
    let project = tempfile::tempdir().unwrap();
    let migrations = project.path().join("supabase/migrations");
    std::fs::create_dir_all(&migrations).unwrap();
    let templates = tempfile::tempdir().unwrap();
    let built_in = std::fs::read_to_string(project_root().join("templates/file.sql.tera")).unwrap();
    std::fs::write(
        templates.path().join("file.sql.tera"),
        format!("{built_in}-- Reviewed by the data team\n"),
    )
    .unwrap();
    pgdrift(project.path())
        .args([
            "--db-url",
            &db.url(),
            "import",
            "drifted",
            "--yes",
            "--templates",
        ])
        .arg(templates.path())
        .assert()
        .success();
    let files = migration_files(&migrations);
    assert_eq!(files.len(), 1);
    let text = std::fs::read_to_string(&files[0]).unwrap();
    assert!(
        text.starts_with("-- Migration: Import table public.drifted\n"),
        "{text}"
    );
    assert!(text.ends_with("\n-- Reviewed by the data team\n"), "{text}");
    assert!(
        text.contains("CREATE TABLE IF NOT EXISTS public.drifted"),
        "{text}"
    );
}
