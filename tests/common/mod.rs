//! Shared test support: a real PostgreSQL server (PGDRIFT_TEST_URL), one uniquely named
//! database per test, dropped when the test ends.
#![allow(dead_code)]

use postgres::{Client, NoTls};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

pub fn server_url() -> String {
    std::env::var("PGDRIFT_TEST_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// The server URL with another database name.
pub fn url_for(database: &str) -> String {
    let mut url = url::Url::parse(&server_url()).expect("PGDRIFT_TEST_URL is a postgres:// URL");
    url.set_path(&format!("/{database}"));
    url.to_string()
}

pub fn connect(url: &str) -> Client {
    Client::connect(url, NoTls).unwrap_or_else(|e| panic!("connecting to the test server: {e}"))
}

pub fn project_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A database that exists for the life of the value.
pub struct TestDb {
    pub name: String,
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

impl TestDb {
    pub fn create(prefix: &str) -> TestDb {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let name = format!(
            "pgdrift_{prefix}_{}_{}_{nanos}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        );
        connect(&server_url())
            .batch_execute(&format!("CREATE DATABASE \"{name}\" TEMPLATE template0"))
            .unwrap_or_else(|e| panic!("creating database {name}: {e}"));
        TestDb { name }
    }

    pub fn url(&self) -> String {
        url_for(&self.name)
    }

    pub fn client(&self) -> Client {
        connect(&self.url())
    }

    pub fn execute(&self, sql: &str) {
        self.client()
            .batch_execute(sql)
            .unwrap_or_else(|e| panic!("running SQL in {}: {e:?}", self.name));
    }

    /// Runs a file with psql, stopping at the first error, in one transaction.
    pub fn psql_file(&self, path: &Path) {
        let out = Command::new("psql")
            .args([
                "-X",
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "--single-transaction",
                "-d",
            ])
            .arg(self.url())
            .arg("-f")
            .arg(path)
            .output()
            .expect("running psql");
        assert!(
            out.status.success(),
            "loading {}: {}",
            path.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// `pg_dump --schema-only` of the given schemas, without the lines that change each run.
    pub fn dump(&self, schemas: &[&str]) -> String {
        let mut cmd = Command::new("pg_dump");
        cmd.args(["--schema-only", "--no-owner"])
            .arg("-d")
            .arg(self.url());
        for s in schemas {
            cmd.arg("-n").arg(s);
        }
        let out = cmd.output().expect("running pg_dump");
        assert!(
            out.status.success(),
            "pg_dump: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .filter(|l| !l.starts_with("\\restrict") && !l.starts_with("\\unrestrict"))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Ok(mut c) = Client::connect(&server_url(), NoTls) {
            let _ = c.batch_execute(&format!(
                "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                self.name
            ));
        }
    }
}

/// Builds the acme fixture's production (Supabase stand-in, hand-made base schema,
/// every migration, then the console changes) into a new database.
pub fn acme_production() -> TestDb {
    let db = TestDb::create("acme");
    let script = project_root().join("fixtures/acme/build.sh");
    let out = Command::new("bash")
        .arg(&script)
        .arg(&db.name)
        .output()
        .expect("running build.sh");
    assert!(
        out.status.success(),
        "building acme production: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    db
}

/// The `pgdrift` binary, run from `dir`, with no connection settings from the environment.
pub fn pgdrift(dir: &Path) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("pgdrift").unwrap();
    cmd.current_dir(dir);
    for var in [
        "DATABASE_URL",
        "PGHOST",
        "PGPORT",
        "PGUSER",
        "PGPASSWORD",
        "PGDATABASE",
        "PGSSLMODE",
        "PGPASSFILE",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

/// Panics with the first differing lines when two dumps differ.
pub fn assert_same_dump(expected: &str, actual: &str, what: &str) {
    if expected == actual {
        return;
    }
    let a: Vec<&str> = expected.lines().collect();
    let b: Vec<&str> = actual.lines().collect();
    let only_a: Vec<&str> = a
        .iter()
        .filter(|l| !b.contains(l))
        .copied()
        .take(40)
        .collect();
    let only_b: Vec<&str> = b
        .iter()
        .filter(|l| !a.contains(l))
        .copied()
        .take(40)
        .collect();
    let first = a
        .iter()
        .zip(&b)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()));
    let context =
        |lines: &[&str]| lines[first.saturating_sub(3)..(first + 6).min(lines.len())].join("\n");
    panic!(
        "{what}: dumps differ ({} vs {} lines)\n--- only in expected:\n{}\n--- only in actual:\n{}\n--- first difference at line {}:\nexpected:\n{}\nactual:\n{}",
        a.len(),
        b.len(),
        only_a.join("\n"),
        only_b.join("\n"),
        first + 1,
        context(&a),
        context(&b)
    );
}

/// The migration files of `dir`, sorted by name.
pub fn migration_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .collect();
    files.sort();
    files
}
