//! A hostile server: pgdrift never writes to production, and a connection that drops, a
//! query that times out, a role without superuser and a schema changed in the middle of
//! the read each end in a correct result or one clear line, never a panic or a wrong model.

mod common;

use common::{acme_production, acme_project, pgdrift, server_url, TestDb};
use pgdrift::catalog;
use pgdrift::db::{Snapshot, Target};
use predicates::prelude::*;
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::Ordering;
use std::thread;
use std::time::{Duration, Instant};

/// stderr is exactly one line starting with `error: ` and containing every needle.
fn one_line_error(needles: &[&str]) -> impl Predicate<str> {
    let needles: Vec<String> = needles.iter().map(|n| n.to_string()).collect();
    predicate::function(move |s: &str| {
        s.starts_with("error: ")
            && s.trim_end().lines().count() == 1
            && needles.iter().all(|n| s.contains(n.as_str()))
    })
}

fn empty_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("supabase/migrations")).unwrap();
    dir
}

/// `url` with another user name (the test server trusts local connections).
fn url_as(url: &str, user: &str) -> String {
    let mut parsed = url::Url::parse(url).unwrap();
    parsed.set_username(user).unwrap();
    parsed.to_string()
}

/// A login role that exists for the life of the value. Roles belong to the whole cluster,
/// so each test makes its own name; declare it before the databases it has rights in, so
/// that they are dropped first.
struct Role {
    name: String,
}

impl Role {
    fn create(prefix: &str, options: &str) -> Role {
        let name = common::unique_name(prefix);
        common::connect(&server_url())
            .batch_execute(&format!("CREATE ROLE \"{name}\" LOGIN {options}"))
            .unwrap_or_else(|e| panic!("creating role {name}: {e}"));
        Role { name }
    }
}

impl Drop for Role {
    fn drop(&mut self) {
        if let Ok(mut c) = postgres::Client::connect(&server_url(), postgres::NoTls) {
            let _ = c.batch_execute(&format!("DROP ROLE IF EXISTS \"{}\"", self.name));
        }
    }
}

/// Waits until `check` holds, for at most 20 seconds.
fn wait_for(what: &str, mut check: impl FnMut() -> bool) {
    let start = Instant::now();
    while !check() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "waiting for {what}"
        );
        thread::sleep(Duration::from_millis(20));
    }
}

// ---------------------------------------------------------------------------------------
// 1. Read-only by construction
// ---------------------------------------------------------------------------------------

#[test]
fn the_snapshot_refuses_writes() {
    let db = TestDb::create("server");
    db.execute("CREATE TABLE public.t (id int)");
    let target = Target::resolve(Some(&db.url())).unwrap();
    let mut client = target.connect().unwrap();
    let mut snapshot = Snapshot::begin(&mut client, pgdrift::db::STATEMENT_TIMEOUT).unwrap();
    let show = |snapshot: &mut Snapshot, setting: &str| -> String {
        snapshot.query(&format!("SHOW {setting}"), &[]).unwrap()[0].get(0)
    };
    assert_eq!(show(&mut snapshot, "transaction_read_only"), "on");
    assert_eq!(
        show(&mut snapshot, "transaction_isolation"),
        "repeatable read"
    );
    snapshot.finish().unwrap();
    for write in [
        "CREATE TABLE public.u (id int)",
        "INSERT INTO public.t VALUES (1)",
    ] {
        // A refused write aborts the transaction: each one gets its own snapshot.
        let mut client = target.connect().unwrap();
        let mut snapshot = Snapshot::begin(&mut client, pgdrift::db::STATEMENT_TIMEOUT).unwrap();
        let err = snapshot.query(write, &[]).unwrap_err().to_string();
        // PostgreSQL's message for SQLSTATE 25006, read_only_sql_transaction.
        assert!(
            err.starts_with("cannot execute ") && err.ends_with(" in a read-only transaction"),
            "{write} was not refused as a write: {err}"
        );
    }
    let mut check = db.client();
    let rows = check
        .query(
            "SELECT count(*) FROM pg_class WHERE relname = 'u' \
             UNION ALL SELECT count(*) FROM public.t",
            &[],
        )
        .unwrap();
    assert!(rows.iter().all(|r| r.get::<_, i64>(0) == 0));
}

#[test]
fn a_joined_snapshot_sees_what_the_first_one_sees() {
    let db = TestDb::create("server");
    db.execute("CREATE TABLE public.before (id int)");
    let target = Target::resolve(Some(&db.url())).unwrap();
    let timeout = pgdrift::db::STATEMENT_TIMEOUT;
    let mut first_client = target.connect().unwrap();
    let mut first = Snapshot::begin(&mut first_client, timeout).unwrap();
    let name = first.export().unwrap();
    // Committed after the first snapshot began: neither snapshot may see it.
    db.execute("CREATE TABLE public.after (id int)");
    let mut second_client = target.connect().unwrap();
    let mut second = Snapshot::join(&mut second_client, timeout, &name).unwrap();
    let tables = |snapshot: &mut Snapshot| -> Vec<String> {
        snapshot
            .query(
                "SELECT relname::text FROM pg_class WHERE relnamespace = 'public'::regnamespace \
                 ORDER BY 1",
                &[],
            )
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect()
    };
    assert_eq!(tables(&mut first), ["before"]);
    assert_eq!(tables(&mut second), ["before"]);
    let setting = |snapshot: &mut Snapshot, name: &str| -> String {
        snapshot.query(&format!("SHOW {name}"), &[]).unwrap()[0].get(0)
    };
    assert_eq!(setting(&mut second, "transaction_read_only"), "on");
    assert_eq!(setting(&mut second, "lock_timeout"), "0");
    second.finish().unwrap();
    first.finish().unwrap();
}

#[test]
fn every_keyword_of_the_server_is_quoted_when_the_parser_reserves_it_and_works_as_a_name() {
    let db = TestDb::create("server");
    let mut client = db.client();
    let words: Vec<String> = client
        .query("SELECT word::text FROM pg_get_keywords() ORDER BY 1", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(words.len() > 400, "{} keywords", words.len());
    for word in &words {
        let kind = pg_query::scan(word).unwrap().tokens[0].keyword_kind;
        let reserved = kind != pg_query::protobuf::KeywordKind::NoKeyword as i32
            && kind != pg_query::protobuf::KeywordKind::UnreservedKeyword as i32;
        assert_eq!(
            pgdrift::model::quote_ident(word) != *word,
            reserved,
            "{word}"
        );
    }
    // Each one, quoted as pgdrift quotes it, names a column on the server.
    let columns: Vec<String> = words
        .iter()
        .map(|w| format!("{} int", pgdrift::model::quote_ident(w)))
        .collect();
    client
        .batch_execute(&format!(
            "CREATE TABLE public.words ({})",
            columns.join(", ")
        ))
        .unwrap();
    let read: Vec<String> = client
        .query(
            "SELECT attname::text FROM pg_attribute WHERE attrelid = 'public.words'::regclass \
             AND attnum > 0 ORDER BY 1",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(read, words);
}

#[test]
fn a_role_allowed_one_connection_reads_on_that_one() {
    let single = Role::create("single", "NOSUPERUSER CONNECTION LIMIT 1");
    let db = acme_production();
    let dir = acme_project();
    let superuser = db.url();
    let expected = imported_files(dir.path(), &superuser);
    assert!(!expected.is_empty());
    // The second connection of a full read is refused: the read runs on the first.
    assert_eq!(
        imported_files(dir.path(), &url_as(&superuser, &single.name)),
        expected
    );
}

/// Rows written to user tables, as the statistics collector counts them.
fn tuples_written(db: &TestDb) -> i64 {
    db.client()
        .query_one(
            "SELECT COALESCE(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)::int8 \
               FROM pg_stat_user_tables",
            &[],
        )
        .unwrap()
        .get(0)
}

#[test]
fn status_and_a_dry_run_import_leave_production_unchanged() {
    let db = acme_production();
    let dir = acme_project();
    let schemas = ["public", "billing", "auth", "storage", "extensions"];
    let dump_before = db.dump(&schemas);
    let written_before = tuples_written(&db);
    for args in [
        &["status", "--format", "json"][..],
        &["check"],
        &["import", "--all", "--dry-run"],
    ] {
        let out = pgdrift(dir.path())
            .args(args)
            .args(["--db-url", &db.url()])
            .output()
            .unwrap();
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(
        common::migration_files(&dir.path().join("supabase/migrations")).len(),
        common::migration_files(&common::project_root().join("fixtures/acme/supabase/migrations"))
            .len(),
        "the dry run wrote a file"
    );
    assert_eq!(db.dump(&schemas), dump_before);
    // Statistics reach the collector when a session ends; pgdrift's have ended.
    assert_eq!(tuples_written(&db), written_before);
}

// ---------------------------------------------------------------------------------------
// 2. A connection that drops in the middle of the read
// ---------------------------------------------------------------------------------------

/// A TCP proxy to the test server that, instead of forwarding the client's `cut_at`-th
/// Parse message (one per catalog query), closes both sides: the connection drops in the
/// middle of the read. Returns the proxy's port.
fn cutting_proxy(cut_at: usize) -> u16 {
    let server = url::Url::parse(&server_url()).unwrap();
    let upstream = format!(
        "{}:{}",
        server.host_str().unwrap_or("127.0.0.1"),
        server.port().unwrap_or(5432)
    );
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    thread::spawn(move || {
        for client in listener.incoming().take(8) {
            let Ok(client) = client else { continue };
            let Ok(server) = TcpStream::connect(&upstream) else {
                continue;
            };
            let (mut from_server, mut to_client) =
                (server.try_clone().unwrap(), client.try_clone().unwrap());
            thread::spawn(move || io::copy(&mut from_server, &mut to_client));
            thread::spawn(move || forward_until(client, server, cut_at));
        }
    });
    port
}

fn forward_until(mut client: TcpStream, mut server: TcpStream, cut_at: usize) -> io::Result<()> {
    let mut parses = 0;
    let mut tagged = false;
    loop {
        let mut tag = Vec::new();
        if tagged {
            let mut byte = [0u8; 1];
            client.read_exact(&mut byte)?;
            tag.push(byte[0]);
        }
        let mut len = [0u8; 4];
        client.read_exact(&mut len)?;
        let mut body = vec![0u8; u32::from_be_bytes(len) as usize - 4];
        client.read_exact(&mut body)?;
        if tag == b"P" {
            parses += 1;
            if parses == cut_at {
                let _ = server.shutdown(Shutdown::Both);
                let _ = client.shutdown(Shutdown::Both);
                return Ok(());
            }
        }
        server.write_all(&tag)?;
        server.write_all(&len)?;
        server.write_all(&body)?;
        tagged = true;
    }
}

#[test]
fn a_connection_cut_during_the_catalog_read_is_one_clear_line() {
    let db = acme_production();
    let dir = acme_project();
    // Query 1 checks the schemas; the catalog read starts with query 2.
    for cut_at in [3, 8] {
        let port = cutting_proxy(cut_at);
        let url = format!(
            "postgres://postgres@127.0.0.1:{port}/{}?sslmode=disable",
            db.name
        );
        pgdrift(dir.path())
            .args(["status", "--db-url", &url])
            .assert()
            .code(2)
            .stdout("")
            .stderr(one_line_error(&[
                "reading the catalog of",
                "the connection to the server was lost",
                "run pgdrift again",
                "check the server",
            ]));

        // The same during an import: nothing is written.
        let out = tempfile::tempdir().unwrap();
        let port = cutting_proxy(cut_at);
        let url = format!(
            "postgres://postgres@127.0.0.1:{port}/{}?sslmode=disable",
            db.name
        );
        pgdrift(dir.path())
            .args(["import", "--all", "--yes", "--db-url", &url, "--out"])
            .arg(out.path())
            .assert()
            .code(2)
            .stderr(one_line_error(&["the connection to the server was lost"]));
        assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0);
    }
}

#[test]
fn a_backend_terminated_between_two_queries_is_a_lost_connection() {
    let db = TestDb::create("server");
    db.execute("CREATE TABLE public.t (id int PRIMARY KEY)");
    let target = Target::resolve(Some(&db.url())).unwrap();
    let mut client = target.connect().unwrap();
    let mut snapshot = Snapshot::begin(&mut client, pgdrift::db::STATEMENT_TIMEOUT).unwrap();
    let pid: i32 = snapshot.query("SELECT pg_backend_pid()", &[]).unwrap()[0].get(0);
    let mut admin = db.client();
    admin
        .execute("SELECT pg_terminate_backend($1)", &[&pid])
        .unwrap();
    wait_for("the backend to end", || {
        admin
            .query("SELECT 1 FROM pg_stat_activity WHERE pid = $1", &[&pid])
            .unwrap()
            .is_empty()
    });
    let err = catalog::load(&mut snapshot, &["public".to_string()]).unwrap_err();
    let message = format!("{err:#}");
    assert!(
        message.contains("the connection to the server was lost")
            && message.contains("run pgdrift again")
            && !message.contains('\n'),
        "{message}"
    );
}

// ---------------------------------------------------------------------------------------
// 3. Statement timeout, lock_timeout and idle settings
// ---------------------------------------------------------------------------------------

#[test]
fn the_snapshot_sets_its_own_limits() {
    let db = TestDb::create("server");
    let mut client = Target::resolve(Some(&db.url())).unwrap().connect().unwrap();
    let mut snapshot = Snapshot::begin(&mut client, Duration::from_millis(1500)).unwrap();
    let mut show = |setting: &str| -> String {
        snapshot.query(&format!("SHOW {setting}"), &[]).unwrap()[0].get(0)
    };
    assert_eq!(show("statement_timeout"), "1500ms");
    assert_eq!(show("lock_timeout"), "0");
    assert_eq!(show("search_path"), "pg_catalog");
}

/// Holds an ACCESS EXCLUSIVE lock on `table` until the value is dropped. Reading a table's
/// size (as the catalog read does) waits for it.
fn lock_table(db: &TestDb, table: &str) -> postgres::Client {
    let mut client = db.client();
    client
        .batch_execute(&format!(
            "BEGIN; LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE"
        ))
        .unwrap();
    client
}

#[test]
fn a_statement_timeout_names_the_limit_and_how_to_raise_it() {
    let db = TestDb::create("server");
    // A full read prints the CHECK, which waits for the table's lock (a report reads no
    // definition and does not wait).
    db.execute("CREATE TABLE public.orders (id int PRIMARY KEY CHECK (id > 0))");
    let dir = empty_project();
    let lock = lock_table(&db, "public.orders");
    let started = Instant::now();
    pgdrift(dir.path())
        .args([
            "import",
            "--all",
            "--dry-run",
            "--statement-timeout",
            "300ms",
            "--db-url",
            &db.url(),
        ])
        .assert()
        .code(2)
        .stdout("")
        .stderr(one_line_error(&[
            "reading the catalog of",
            "a catalog query ran longer than the statement timeout of 300ms",
            "a migration holding a lock",
            "--statement-timeout",
        ]));
    // The same limit from the environment.
    pgdrift(dir.path())
        .args(["import", "--all", "--dry-run", "--db-url", &db.url()])
        .env("PGDRIFT_STATEMENT_TIMEOUT", "1s")
        .assert()
        .code(2)
        .stderr(one_line_error(&["statement timeout of 1s"]));
    assert!(started.elapsed() < Duration::from_secs(30));
    drop(lock);
    pgdrift(dir.path())
        .args([
            "status",
            "--statement-timeout",
            "300ms",
            "--db-url",
            &db.url(),
        ])
        .assert()
        .code(0);
    pgdrift(dir.path())
        .args(["status", "--statement-timeout", "soon"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a duration"));
}

#[test]
fn role_settings_for_lock_and_idle_timeouts_do_not_break_the_read() {
    let role = Role::create("timeouts", "");
    let db = TestDb::create("server");
    db.execute(&format!(
        "CREATE TABLE public.orders (id int PRIMARY KEY CHECK (id > 0));
         ALTER ROLE \"{0}\" IN DATABASE \"{1}\" SET lock_timeout = '50ms';
         ALTER ROLE \"{0}\" IN DATABASE \"{1}\" SET statement_timeout = '100ms';
         ALTER ROLE \"{0}\" IN DATABASE \"{1}\" SET idle_in_transaction_session_timeout = '1s'",
        role.name, db.name
    ));
    let dir = empty_project();
    let lock = lock_table(&db, "public.orders");
    let url = url_as(&db.url(), &role.name);
    let run = thread::spawn({
        let dir = dir.path().to_path_buf();
        move || {
            pgdrift(&dir)
                .args(["import", "--all", "--dry-run", "--db-url", &url])
                .output()
                .unwrap()
        }
    });
    // pgdrift waits for the lock longer than the role's lock_timeout and statement_timeout.
    let mut watch = db.client();
    wait_for("pgdrift to wait for the lock", || {
        !watch
            .query(
                "SELECT 1 FROM pg_stat_activity WHERE usename = $1 AND wait_event_type = 'Lock'",
                &[&role.name],
            )
            .unwrap()
            .is_empty()
    });
    thread::sleep(Duration::from_millis(300));
    drop(lock);
    let out = run.join().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("orders"), "{text}");
}

#[test]
fn an_idle_in_transaction_timeout_that_fires_is_a_lost_connection() {
    let role = Role::create("idle", "");
    let db = TestDb::create("server");
    db.execute(&format!(
        "ALTER ROLE \"{}\" IN DATABASE \"{}\" SET idle_in_transaction_session_timeout = '200ms'",
        role.name, db.name
    ));
    let target = Target::resolve(Some(&url_as(&db.url(), &role.name))).unwrap();
    let mut client = target.connect().unwrap();
    let mut snapshot = Snapshot::begin(&mut client, pgdrift::db::STATEMENT_TIMEOUT).unwrap();
    snapshot.query("SELECT 1", &[]).unwrap();
    thread::sleep(Duration::from_millis(600));
    let err = catalog::load(&mut snapshot, &["public".to_string()]).unwrap_err();
    let message = format!("{err:#}");
    assert!(
        message.contains("the connection to the server was lost"),
        "{message}"
    );
}

// ---------------------------------------------------------------------------------------
// 4. Roles without superuser
// ---------------------------------------------------------------------------------------

/// `status --format json` without the `database` key (it names the user).
fn json_status(dir: &Path, url: &str) -> serde_json::Value {
    let out = pgdrift(dir)
        .args(["status", "--format", "json", "--db-url", url])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "status as {url}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    report.as_object_mut().unwrap().remove("database");
    report
}

/// Imports every drifted object into a new folder and returns the files by name, the date
/// line left out.
fn imported_files(dir: &Path, url: &str) -> Vec<(String, String)> {
    let out = tempfile::tempdir().unwrap();
    let result = pgdrift(dir)
        .args(["import", "--all", "--yes", "--db-url", url, "--out"])
        .arg(out.path())
        .output()
        .unwrap();
    assert!(
        result.status.success(),
        "import as {url}: {}",
        String::from_utf8_lossy(&result.stderr)
    );
    let mut files: Vec<(String, String)> = common::migration_files(out.path())
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            let text: Vec<&str> = text
                .lines()
                .filter(|l| !l.starts_with("-- Date:"))
                .collect();
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                text.join("\n"),
            )
        })
        .collect();
    files.sort();
    files
}

#[test]
fn a_role_without_superuser_reads_what_the_superuser_reads() {
    let plain = Role::create("plain", "NOSUPERUSER NOCREATEDB NOCREATEROLE");
    let usage = Role::create("usage", "NOSUPERUSER");
    let db = acme_production();
    let dir = acme_project();
    // The second role has CONNECT and USAGE on the managed schemas and nothing on any
    // table; the first has not even USAGE on billing (only service_role has).
    db.execute(&format!(
        "GRANT CONNECT ON DATABASE \"{db}\" TO \"{role}\";
         GRANT USAGE ON SCHEMA public, billing TO \"{role}\"",
        db = db.name,
        role = usage.name
    ));
    let superuser = db.url();
    let expected = json_status(dir.path(), &superuser);
    let expected_files = imported_files(dir.path(), &superuser);
    assert!(!expected_files.is_empty());
    for role in [&plain, &usage] {
        let url = url_as(&superuser, &role.name);
        assert_eq!(
            json_status(dir.path(), &url),
            expected,
            "status as {}",
            role.name
        );
        let files = imported_files(dir.path(), &url);
        assert_eq!(
            files.iter().map(|f| &f.0).collect::<Vec<_>>(),
            expected_files.iter().map(|f| &f.0).collect::<Vec<_>>()
        );
        for (file, expected) in files.iter().zip(&expected_files) {
            assert_eq!(file.1, expected.1, "{} as {}", file.0, role.name);
        }
    }

    // Without CONNECT on the database: one line that says what to grant.
    db.execute(&format!(
        "REVOKE CONNECT ON DATABASE \"{}\" FROM PUBLIC",
        db.name
    ));
    pgdrift(dir.path())
        .args(["status", "--db-url", &url_as(&superuser, &plain.name)])
        .assert()
        .code(2)
        .stderr(one_line_error(&[
            "cannot connect to",
            "GRANT CONNECT ON DATABASE",
        ]));
}

// ---------------------------------------------------------------------------------------
// 5. The schema changes while pgdrift reads it
// ---------------------------------------------------------------------------------------

const CHANGING: &str = "
    CREATE TYPE public.mood AS ENUM ('calm', 'busy');
    CREATE TABLE public.orders (
        id int PRIMARY KEY,
        qty int CHECK (qty > 0),
        mood public.mood DEFAULT 'calm'
    );
    CREATE INDEX orders_qty ON public.orders (qty);
    CREATE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
    CREATE TRIGGER orders_touch BEFORE UPDATE ON public.orders
        FOR EACH ROW EXECUTE FUNCTION public.touch();
    CREATE FUNCTION public.double(x int) RETURNS int LANGUAGE sql AS 'SELECT x * 2';
    CREATE VIEW public.big_orders AS SELECT id FROM public.orders WHERE qty > 10;
    CREATE POLICY mine ON public.orders USING (qty > 1);
    CREATE TABLE public.lines (id int PRIMARY KEY, order_id int REFERENCES public.orders);
    CREATE SEQUENCE public.numbers;
";

/// Begins a snapshot, lets `change` run on another connection once the snapshot is taken,
/// then reads the catalog from the snapshot. The result must be the model as it was, or
/// the one-line error that says the schema changed.
fn read_across(change: &str) {
    let db = TestDb::create("server");
    db.execute(CHANGING);
    let schemas = vec!["public".to_string()];
    let before = format!("{:#?}", common::load_model(&db, &["public"]));
    let target = Target::resolve(Some(&db.url())).unwrap();
    let mut client = target.connect().unwrap();
    let mut snapshot = Snapshot::begin(&mut client, pgdrift::db::STATEMENT_TIMEOUT).unwrap();
    snapshot.query("SELECT 1", &[]).unwrap();
    db.execute(change);
    match catalog::load(&mut snapshot, &schemas) {
        Ok(schema) => assert_eq!(
            format!("{schema:#?}"),
            before,
            "after `{change}` the model is not the one of the snapshot"
        ),
        Err(e) => {
            let message = format!("{e:#}");
            assert!(
                message.contains("the schema changed while pgdrift read it")
                    && message.contains("run pgdrift again")
                    && !message.contains('\n'),
                "after `{change}`: {message}"
            );
        }
    }
}

#[test]
fn objects_dropped_during_the_read_give_the_old_model_or_a_clear_error() {
    for change in [
        "DROP INDEX public.orders_qty",
        "DROP VIEW public.big_orders",
        "DROP FUNCTION public.double(int)",
        "DROP TRIGGER orders_touch ON public.orders",
        "DROP POLICY mine ON public.orders",
        "ALTER TABLE public.orders DROP CONSTRAINT orders_qty_check",
        "ALTER TABLE public.lines DROP CONSTRAINT lines_order_id_fkey",
        "DROP TABLE public.lines",
        "DROP TABLE public.orders CASCADE",
        "DROP TYPE public.mood CASCADE",
        "DROP SEQUENCE public.numbers",
        "ALTER TABLE public.orders DROP COLUMN qty CASCADE",
        "ALTER TABLE public.orders RENAME TO purchases",
        "ALTER TABLE public.orders ALTER COLUMN mood SET DEFAULT 'busy'",
    ] {
        read_across(change);
    }
}

#[test]
fn status_while_tables_come_and_go_succeeds_or_says_to_run_again() {
    let db = TestDb::create("server");
    db.execute(CHANGING);
    let dir = empty_project();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let churn = thread::spawn({
        let stop = stop.clone();
        let mut client = db.client();
        move || {
            let mut round = 0;
            while !stop.load(Ordering::SeqCst) {
                round += 1;
                let _ = client.batch_execute(&format!(
                    "CREATE TABLE public.churn_{round} (id int PRIMARY KEY, note text);
                     CREATE INDEX churn_{round}_note ON public.churn_{round} (note);
                     CREATE VIEW public.churn_{round}_v AS SELECT id FROM public.churn_{round};
                     ALTER TABLE public.churn_{round} RENAME TO churned_{round};
                     DROP TABLE IF EXISTS public.churned_{} CASCADE;",
                    round - 1
                ));
            }
        }
    });
    let mut outcomes = Vec::new();
    for _ in 0..6 {
        let out = pgdrift(dir.path())
            .args(["status", "--format", "json", "--db-url", &db.url()])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        match out.status.code() {
            Some(0) => {
                serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap();
            }
            Some(2) => assert!(
                one_line_error(&[
                    "the schema changed while pgdrift read it",
                    "run pgdrift again"
                ])
                .eval(&stderr),
                "{stderr}"
            ),
            other => panic!("exit {other:?}: {stderr}"),
        }
        outcomes.push(out.status.code());
    }
    stop.store(true, Ordering::SeqCst);
    churn.join().unwrap();
    eprintln!("exit codes while the schema changed: {outcomes:?}");
}
