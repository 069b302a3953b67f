//! Public schemas from `../shared/corpus`: loaded as production, every user object is drift
//! when the migrations folder is empty, and nothing is drift when the case's own SQL is the
//! only migration history. The import round trip of every case is `corpus_all.rs`.

mod common;

use common::TestDb;
use pgdrift::commands::drift_report;
use pgdrift::config::Settings;
use pgdrift::drift::Report;
use std::path::{Path, PathBuf};

fn corpus_dir() -> PathBuf {
    common::project_root().join("../shared/corpus")
}

struct Case {
    name: String,
    prelude: Option<PathBuf>,
    files: Vec<PathBuf>,
}

/// A deterministic sample: every `step`-th loadable case of each source, at least `min` each.
fn sample() -> Vec<Case> {
    let dir = corpus_dir();
    let table =
        std::fs::read_to_string(dir.join("cases.tsv")).expect("reading ../shared/corpus/cases.tsv");
    let mut by_source: std::collections::BTreeMap<String, Vec<Case>> = Default::default();
    for line in table.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() < 4 || cols[3] != "yes" {
            continue;
        }
        let source = cols[0].split('/').next().unwrap().to_string();
        by_source.entry(source).or_default().push(Case {
            name: cols[0].to_string(),
            prelude: (cols[1] != "-").then(|| dir.join(cols[1])),
            files: cols[2].split(' ').map(|f| dir.join(f)).collect(),
        });
    }
    let mut picked = Vec::new();
    for (_, cases) in by_source {
        let step = (cases.len() / 8).max(1);
        picked.extend(cases.into_iter().step_by(step).take(8));
    }
    picked
}

/// Every schema the case made: not the system's and not the Supabase stand-in's.
fn case_schemas(db: &TestDb) -> Vec<String> {
    let rows = db
        .client()
        .query(
            "SELECT nspname::text FROM pg_namespace
             WHERE nspname !~ '^pg_' AND nspname <> 'information_schema'
               AND nspname NOT IN ('auth', 'storage', 'extensions', 'supabase_functions', 'graphql_public')
               AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_namespace'::regclass
                               AND d.objid = pg_namespace.oid AND d.deptype = 'e')
             ORDER BY 1",
            &[],
        )
        .unwrap();
    rows.iter().map(|r| r.get(0)).collect()
}

/// Relations, routines, types and collations a report must list, counted independently of
/// pgdrift.
fn user_object_count(db: &TestDb, schemas: &[String]) -> i64 {
    let sql = "
      WITH ext AS (SELECT classid, objid FROM pg_depend WHERE deptype = 'e')
      SELECT
        (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = ANY($1) AND NOT c.relispartition
            AND (c.relkind IN ('r','p','v','m')
                 OR (c.relkind = 'S' AND NOT EXISTS (SELECT 1 FROM pg_depend d
                       WHERE d.objid = c.oid AND d.classid = 'pg_class'::regclass
                         AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a','i'))))
            AND (c.oid, 'pg_class'::regclass) NOT IN (SELECT objid, classid FROM ext))
      + (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
          WHERE n.nspname = ANY($1)
            AND (p.oid, 'pg_proc'::regclass) NOT IN (SELECT objid, classid FROM ext))
      + (SELECT count(*) FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
          WHERE n.nspname = ANY($1) AND t.typtype IN ('e','d','r','c')
            AND (t.typtype <> 'c' OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')
            AND (t.oid, 'pg_type'::regclass) NOT IN (SELECT objid, classid FROM ext))
      + (SELECT count(*) FROM pg_collation co JOIN pg_namespace n ON n.oid = co.collnamespace
          WHERE n.nspname = ANY($1)
            AND (co.oid, 'pg_collation'::regclass) NOT IN (SELECT objid, classid FROM ext))";
    db.client().query_one(sql, &[&schemas]).unwrap().get(0)
}

fn load(case: &Case) -> TestDb {
    let db = TestDb::create("corpus");
    for file in case.prelude.iter().chain(&case.files) {
        db.psql_file(file);
    }
    db
}

fn report(db: &TestDb, schemas: &[String], migrations: &Path) -> anyhow::Result<Report> {
    let settings = Settings::resolve(None, schemas, Some(migrations))?;
    drift_report(&settings, Some(&db.url()))
}

/// psql meta-commands (`\connect`, `\.`) make a file a psql script, not a migration.
fn is_psql_script(files: &[PathBuf]) -> bool {
    files.iter().any(|f| {
        std::fs::read_to_string(f)
            .unwrap()
            .lines()
            .any(|l| l.starts_with('\\'))
    })
}

fn names(entries: &[pgdrift::drift::Entry]) -> Vec<String> {
    entries.iter().map(|e| e.key.to_string()).collect()
}

#[test]
fn corpus_sample_is_all_drift_without_history_and_none_with_its_own() {
    common::ensure_corpus_roles();
    let cases = sample();
    assert!(cases.len() >= 30, "sampled only {} cases", cases.len());
    let mut failures = Vec::new();
    let mut own_history = 0;
    for case in &cases {
        let db = load(case);
        let schemas = case_schemas(&db);
        let empty = tempfile::tempdir().unwrap();
        let without = report(&db, &schemas, empty.path()).unwrap();
        let expected = user_object_count(&db, &schemas);
        if !without.tracked.is_empty() || without.drifted.len() as i64 != expected {
            failures.push(format!(
                "{}: empty history: {} drifted, {expected} user objects; tracked {:?}",
                case.name,
                without.drifted.len(),
                names(&without.tracked)
            ));
        }

        if is_psql_script(&case.files) {
            continue;
        }
        own_history += 1;
        let history = tempfile::tempdir().unwrap();
        for (i, file) in case.files.iter().enumerate() {
            let target = history
                .path()
                .join(format!("{:014}_case_{i}.sql", 20200101000000u64 + i as u64));
            std::fs::copy(file, target).unwrap();
        }
        let with = match report(&db, &schemas, history.path()) {
            Ok(r) => r,
            Err(e) => {
                failures.push(format!("{}: own history: {e:#}", case.name));
                continue;
            }
        };
        if !with.drifted.is_empty() || !with.missing.is_empty() {
            failures.push(format!(
                "{}: own history: drifted {:?}, missing {:?}",
                case.name,
                names(&with.drifted),
                names(&with.missing)
            ));
        }
    }
    assert!(
        own_history >= 25,
        "only {own_history} cases replayed as their own history"
    );
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
