//! The whole public corpus (`../shared/corpus`), round trip by round trip: each loadable case
//! is production; `pgdrift import --all` writes its schemas into an empty history; the files
//! replayed into an empty database must dump (`pg_dump --schema-only`) exactly as production
//! does, and applied to production again must fail nowhere and change nothing.
//!
//! `PGDRIFT_CORPUS=<text>` runs only the cases whose name contains it; `PGDRIFT_CORPUS_JOBS`
//! sets how many cases run at once.

mod common;

use common::TestDb;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::Instant;

fn corpus_dir() -> PathBuf {
    common::project_root().join("../shared/corpus")
}

struct Case {
    name: String,
    prelude: Option<PathBuf>,
    files: Vec<PathBuf>,
}

impl Case {
    /// Where the case comes from: the first part of its name.
    fn source(&self) -> &str {
        self.name.split('/').next().unwrap_or_default()
    }
}

fn loadable_cases() -> Vec<Case> {
    let dir = corpus_dir();
    let table =
        std::fs::read_to_string(dir.join("cases.tsv")).expect("reading ../shared/corpus/cases.tsv");
    let only = std::env::var("PGDRIFT_CORPUS").unwrap_or_default();
    table
        .lines()
        .skip(1)
        .filter_map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            (cols.len() >= 4 && cols[3] == "yes" && cols[0].contains(only.as_str())).then(|| Case {
                name: cols[0].to_string(),
                prelude: (cols[1] != "-").then(|| dir.join(cols[1])),
                files: cols[2].split(' ').map(|f| dir.join(f)).collect(),
            })
        })
        .collect()
}

/// Cases that cannot round-trip, with the reason; the first difference must still show the
/// needle, so that an entry goes as soon as its gap is closed.
const EXCLUDED: &[(&str, &str, &str)] = &[(
    "supabase_adapted/apps/midday.pg15-adapted",
    "FUNCTION; Schema: storage",
    "its migrations replace the platform's own storage.extension() function; pgdrift leaves \
     the platform's schemas to the platform, so a replay keeps the stand-in's version",
)];

/// The schemas the Supabase stand-in makes: a case loaded after it manages the others.
const SHIM_SCHEMAS: [&str; 5] = [
    "auth",
    "storage",
    "extensions",
    "supabase_functions",
    "graphql_public",
];

/// Every schema the case made: not the system's, not the Supabase stand-in's, not an
/// extension's.
fn case_schemas(db: &TestDb, case: &Case) -> Vec<String> {
    let shim: Vec<&str> = match case.prelude {
        Some(_) => SHIM_SCHEMAS.to_vec(),
        None => Vec::new(),
    };
    let rows = db
        .client()
        .query(
            "SELECT nspname::text FROM pg_namespace
             WHERE nspname !~ '^pg_' AND nspname <> 'information_schema'
               AND nspname <> ALL($1)
               AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_namespace'::regclass
                               AND d.objid = pg_namespace.oid AND d.deptype = 'e')
             ORDER BY 1",
            &[&shim],
        )
        .unwrap();
    rows.iter().map(|r| r.get(0)).collect()
}

fn psql(db: &TestDb, file: &Path) -> Result<(), String> {
    let out = Command::new("psql")
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction"])
        .arg("-d")
        .arg(db.url())
        .arg("-f")
        .arg(file)
        .output()
        .map_err(|e| format!("running psql: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
    }
}

/// The dump's sections, keyed by their `-- Name: ...; Type: ...` header.
fn sections(dump: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut key = String::from("(preamble)");
    let mut body = String::new();
    for line in dump.lines() {
        if let Some(rest) = line.strip_prefix("-- Name: ") {
            out.insert(std::mem::take(&mut key), std::mem::take(&mut body));
            key = rest.split("; Owner:").next().unwrap_or(rest).to_string();
        } else if !line.starts_with("--") && !line.is_empty() {
            body.push_str(line);
            body.push('\n');
        }
    }
    out.insert(key, body);
    out
}

/// The first object the two dumps disagree on, and how.
fn first_difference(expected: &str, actual: &str) -> String {
    let (a, b) = (sections(expected), sections(actual));
    for (key, body) in &a {
        match b.get(key) {
            None => return format!("missing from the replay: {key}"),
            Some(other) if other != body => {
                let line = body
                    .lines()
                    .zip(other.lines())
                    .find(|(x, y)| x != y)
                    .map(|(x, y)| format!("`{x}` became `{y}`"))
                    .unwrap_or_else(|| "one has more lines".into());
                return format!("differs: {key}: {line}");
            }
            _ => {}
        }
    }
    if let Some(key) = b.keys().find(|k| !a.contains_key(*k)) {
        return format!("only in the replay: {key}");
    }
    "the same objects, in another order".into()
}

enum Outcome {
    Exact,
    /// Equal to production after pg_dump and restore, the fair reference for expressions that
    /// PostgreSQL does not print back to themselves.
    ExactAfterRestore,
}

/// The Supabase stand-in changes cluster-wide roles: two loads at once would collide
/// ("tuple concurrently updated").
static PRELUDE: Mutex<()> = Mutex::new(());

fn load_prelude(db: &TestDb, prelude: &Path) -> Result<(), String> {
    let _one_at_a_time = PRELUDE.lock().unwrap_or_else(|e| e.into_inner());
    psql(db, prelude)
}

fn replay(db: &TestDb, prelude: Option<&Path>, files: &[PathBuf]) -> Result<(), String> {
    if let Some(p) = prelude {
        load_prelude(db, p).map_err(|e| format!("prelude: {e}"))?;
    }
    let mut client = db.client();
    for file in files {
        let text = std::fs::read_to_string(file).unwrap();
        client.batch_execute(&text).map_err(|e| {
            let name = file.file_name().unwrap().to_string_lossy();
            let message = e
                .as_db_error()
                .map(|d| d.message().to_string())
                .unwrap_or_else(|| e.to_string());
            format!("{name}: {message}")
        })?;
    }
    Ok(())
}

fn round_trip(case: &Case, pgdrift: &Path) -> Result<Outcome, String> {
    let production = TestDb::create("corpus");
    if let Some(p) = &case.prelude {
        load_prelude(&production, p).map_err(|e| format!("load: {e}"))?;
    }
    for file in &case.files {
        psql(&production, file).map_err(|e| format!("load: {e}"))?;
    }
    let schemas = case_schemas(&production, case);
    let project = tempfile::tempdir().unwrap();
    let migrations = project.path().join("supabase/migrations");
    std::fs::create_dir_all(&migrations).unwrap();
    let mut cmd = Command::new(pgdrift);
    cmd.current_dir(project.path())
        .env_remove("DATABASE_URL")
        .args(["--db-url", &production.url(), "import", "--all", "--yes"]);
    for s in &schemas {
        cmd.args(["--schema", s]);
    }
    let out = cmd.output().unwrap();
    if !out.status.success() {
        return Err(format!(
            "import: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let files = common::migration_files(&migrations);
    let expected = production.dump(&[]);

    let copy = TestDb::create("corpus_replay");
    replay(&copy, case.prelude.as_deref(), &files).map_err(|e| format!("replay: {e}"))?;
    let actual = copy.dump(&[]);
    // Production after a pg_dump and restore: the reference for what PostgreSQL does not
    // print back to itself, made only when needed.
    let restored = || -> Result<String, String> {
        let db = TestDb::create("corpus_restore");
        let dumped = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(dumped.path(), &expected).unwrap();
        psql(&db, dumped.path()).map_err(|e| format!("restoring pg_dump's output: {e}"))?;
        Ok(db.dump(&[]))
    };
    let mut reference = None;
    let outcome = if actual == expected {
        Outcome::Exact
    } else if *reference.insert(restored()?) == actual {
        Outcome::ExactAfterRestore
    } else {
        return Err(first_difference(&expected, &actual));
    };

    replay(&production, None, &files).map_err(|e| format!("applied again: {e}"))?;
    let again = production.dump(&[]);
    if again != expected {
        let reference = match reference {
            Some(r) => r,
            None => restored()?,
        };
        if again != reference {
            return Err(format!(
                "applied again, production changed: {}",
                first_difference(&expected, &again)
            ));
        }
    }
    Ok(outcome)
}

#[derive(Default)]
struct Tally {
    run: usize,
    passed: usize,
    after_restore: usize,
}

#[test]
fn every_loadable_corpus_case_round_trips_exactly() {
    let started = Instant::now();
    common::ensure_corpus_roles();
    let cases = loadable_cases();
    assert!(!cases.is_empty(), "no corpus case matches PGDRIFT_CORPUS");
    let pgdrift = PathBuf::from(env!("CARGO_BIN_EXE_pgdrift"));
    let jobs = std::env::var("PGDRIFT_CORPUS_JOBS")
        .ok()
        .and_then(|j| j.parse().ok())
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get() * 2));
    let next = Mutex::new(cases.iter());
    let results = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| loop {
                let Some(case) = next.lock().unwrap().next() else {
                    break;
                };
                let outcome = round_trip(case, &pgdrift);
                results.lock().unwrap().push((case, outcome));
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by(|a, b| a.0.name.cmp(&b.0.name));

    let mut tally: BTreeMap<&str, Tally> = BTreeMap::new();
    let mut failures = Vec::new();
    for (case, outcome) in &results {
        let t = tally.entry(case.source()).or_default();
        t.run += 1;
        let excluded = EXCLUDED.iter().find(|(name, _, _)| *name == case.name);
        match (outcome, excluded) {
            (Ok(o), None) => {
                t.passed += 1;
                if matches!(o, Outcome::ExactAfterRestore) {
                    t.after_restore += 1;
                }
            }
            (Err(e), Some((_, needle, _))) if e.contains(needle) => {}
            (Err(e), None) => failures.push(format!("{}: {e}", case.name)),
            (Ok(_), Some((_, _, why))) => failures.push(format!(
                "{}: passes now; take it off the excluded list ({why})",
                case.name
            )),
            (Err(e), Some((_, needle, why))) => failures.push(format!(
                "{}: excluded for `{needle}` ({why}), fails otherwise: {e}",
                case.name
            )),
        }
    }
    // Written to stderr itself, not through the test harness, so that the tally shows in
    // the suite's output when the test passes too.
    let mut summary = String::new();
    let (mut run, mut passed) = (0, 0);
    for (source, t) in &tally {
        summary += &format!(
            "{source:<40} {:>4} / {:<4} ({} equal after a dump/restore)\n",
            t.passed, t.run, t.after_restore
        );
        run += t.run;
        passed += t.passed;
    }
    summary += &format!(
        "corpus: {passed} / {run} passed, {} excluded, in {:.0?}\n",
        run - passed - failures.len(),
        started.elapsed()
    );
    std::io::Write::write_all(&mut std::io::stderr(), summary.as_bytes()).unwrap();
    assert!(
        failures.is_empty(),
        "{} of {run} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
