//! `import` on the acme fixture: the round trip. Replaying every migration (old and new)
//! into an empty database gives production's schema; applying the new files to production
//! errors nowhere and changes nothing; the files are idempotent and never overwrite.

mod common;

use common::{
    acme_production, assert_same_dump, migration_files, pgdrift, project_root, TestDb,
    CONSOLE_ON_TRACKED,
};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const SCHEMAS: [&str; 2] = ["public", "billing"];
/// Listed as system in pgdrift.toml: an external tool creates it, no migration does.
const SYSTEM: [&str; 1] = ["public._external_sync_state"];

fn contents(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    migration_files(dir)
        .into_iter()
        .map(|p| (p.clone(), std::fs::read(p).unwrap()))
        .collect()
}

/// Replays the stub and every migration, one transaction per file, into a new database.
fn replay(migrations: &Path) -> TestDb {
    let db = TestDb::create("replay");
    db.psql_file(&project_root().join("fixtures/supabase_stub.sql"));
    for file in migration_files(migrations) {
        db.psql_file(&file);
    }
    db
}

fn run_import(project: &Path, db: &TestDb, extra: &[&str]) -> String {
    let mut args = vec![
        "--db-url".to_string(),
        db.url(),
        "import".into(),
        "--all".into(),
        "--yes".into(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let out = pgdrift(project).args(&args).output().unwrap();
    assert!(
        out.status.success(),
        "import failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The whole round trip for one way of importing.
fn round_trip(extra: &[&str]) {
    let prod = acme_production();
    let project = common::acme_project();
    let migrations = project.path().join("supabase/migrations");
    let before = contents(&migrations);
    let prod_dump = prod.dump_except(&SCHEMAS, &SYSTEM);

    let stdout = run_import(project.path(), &prod, extra);
    assert!(
        stdout.contains("supabase migration repair --status applied"),
        "{stdout}"
    );
    let after = contents(&migrations);
    for (path, bytes) in &before {
        assert_eq!(
            after.get(path),
            Some(bytes),
            "{} was modified",
            path.display()
        );
    }
    let new: Vec<&PathBuf> = after.keys().filter(|p| !before.contains_key(*p)).collect();
    assert!(!new.is_empty());
    for path in &new {
        let text = std::fs::read_to_string(path).unwrap();
        pg_query::parse(&text, pg_query::ParserOptions::default())
            .unwrap_or_else(|e| panic!("{} does not parse: {e}", path.display()));
    }

    let copy = replay(&migrations);
    copy.execute(CONSOLE_ON_TRACKED);
    assert_same_dump(
        &prod_dump,
        &copy.dump_except(&SCHEMAS, &SYSTEM),
        "replay of every migration vs production",
    );

    // The new files on production: no error, no change. And twice on the replay.
    for path in &new {
        prod.psql_file(path);
    }
    assert_same_dump(
        &prod_dump,
        &prod.dump_except(&SCHEMAS, &SYSTEM),
        "production after applying the new files",
    );
    for path in &new {
        copy.psql_file(path);
    }
    assert_same_dump(
        &prod_dump,
        &copy.dump_except(&SCHEMAS, &SYSTEM),
        "replay after applying the new files again",
    );
}

#[test]
fn acme_import_all_replays_to_production() {
    round_trip(&[]);
}

#[test]
fn acme_single_file_import_replays_to_production() {
    round_trip(&["--single-file", "base_schema"]);
}
