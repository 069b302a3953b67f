//! A password given in any way (in the URL, `PGPASSWORD`, a password file) never appears in
//! pgdrift's output, its errors or the files it writes, whatever path the run takes.
//!
//! The test server trusts local connections, so it ignores the password: runs that succeed
//! and runs that fail for other reasons both carry it all the way through.

mod common;

use common::{pgdrift, TestDb};
use std::path::Path;

/// The password, with characters a URL must escape.
const PASSWORD: &str = "Hunter2-pgdrift:x@y/z%";
/// What every form of the password (plain or percent-encoded) contains.
const NEEDLE: &str = "Hunter2-pgdrift";

/// The test server's URL for `database`, with `PASSWORD` in it.
fn url_with_password(database: &str) -> String {
    let mut url = url::Url::parse(&common::url_for(database)).unwrap();
    url.set_password(Some(PASSWORD)).unwrap();
    assert!(url.as_str().contains(NEEDLE), "{url}");
    url.to_string()
}

/// The same URL with its path, query or port replaced by `edit`.
fn edited(url: &str, edit: impl FnOnce(&mut url::Url)) -> String {
    let mut url = url::Url::parse(url).unwrap();
    edit(&mut url);
    url.to_string()
}

/// A project with one migration and, when given, `extra` as a second migration.
fn project(extra: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let migrations = dir.path().join("supabase/migrations");
    std::fs::create_dir_all(&migrations).unwrap();
    std::fs::write(
        migrations.join("20240101000000_tracked.sql"),
        "create table tracked (id int primary key);\n",
    )
    .unwrap();
    if let Some(sql) = extra {
        std::fs::write(migrations.join("20240102000000_extra.sql"), sql).unwrap();
    }
    dir
}

/// What a run printed.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs pgdrift in `dir`, asserting the password is in neither stdout nor stderr, nor in any
/// file under `dir`.
fn run(dir: &Path, args: &[&str], env: &[(&str, &str)], what: &str) -> Run {
    let mut cmd = pgdrift(dir);
    cmd.args(args);
    for (key, value) in env {
        cmd.env(key, value);
    }
    let output = cmd.output().unwrap();
    let run = Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    for text in [&run.stdout, &run.stderr] {
        assert!(
            !text.contains(NEEDLE),
            "{what}: the password was printed:\n{text}"
        );
    }
    assert_no_file_holds_the_password(dir, what);
    run
}

fn assert_no_file_holds_the_password(dir: &Path, what: &str) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            assert_no_file_holds_the_password(&path, what);
        } else if path.file_name() != Some("pgpass".as_ref()) {
            let bytes = std::fs::read(&path).unwrap();
            assert!(
                !String::from_utf8_lossy(&bytes).contains(NEEDLE),
                "{what}: {} holds the password",
                path.display()
            );
        }
    }
}

/// Asserts the run failed the way `needle` says, with one line on stderr and exit code 2.
fn assert_error(run: Run, needle: &str, what: &str) {
    let text = run.stderr;
    assert_eq!(run.code, 2, "{what}: {text}");
    assert!(text.starts_with("error: "), "{what}: {text}");
    assert_eq!(text.trim_end().lines().count(), 1, "{what}: {text}");
    assert!(
        text.contains(needle),
        "{what}: expected `{needle}` in {text}"
    );
}

#[test]
fn no_password_in_the_output_of_runs_that_succeed() {
    let db = TestDb::create("secret_ok");
    db.execute(
        "create table tracked (id int primary key);
         create table drifted (id int primary key, tracked_id int references tracked);",
    );
    let url = url_with_password(&db.name);
    let dir = project(None);
    for format in ["text", "json"] {
        let status = run(
            dir.path(),
            &["--db-url", &url, "status", "--format", format],
            &[],
            "status",
        );
        assert_eq!(status.code, 0, "{}", status.stderr);
        assert!(status.stdout.contains("drifted"), "{}", status.stdout);
    }
    let check = run(
        dir.path(),
        &["--db-url", &url, "check"],
        &[],
        "check with drift",
    );
    assert_eq!(check.code, 1);
    // The connection in DATABASE_URL and the password in PGPASSWORD.
    let plain = common::url_for(&db.name);
    let from_env = run(
        dir.path(),
        &["status"],
        &[("DATABASE_URL", plain.as_str()), ("PGPASSWORD", PASSWORD)],
        "status from the environment",
    );
    assert_eq!(from_env.code, 0, "{}", from_env.stderr);

    let import = run(
        dir.path(),
        &["--db-url", &url, "import", "--all", "--yes"],
        &[],
        "import",
    );
    assert_eq!(import.code, 0, "{}", import.stderr);
    assert!(common::migration_files(&dir.path().join("supabase/migrations")).len() > 1);
    // verify, with the password in both the production and the scratch URL.
    let scratch = url_with_password("postgres");
    let verify = run(
        dir.path(),
        &["--db-url", &url, "verify", "--scratch-url", &scratch],
        &[],
        "verify",
    );
    assert_eq!(verify.code, 0, "{}{}", verify.stdout, verify.stderr);
}

#[test]
fn no_password_in_any_error() {
    let db = TestDb::create("secret_err");
    db.execute("create table tracked (id int primary key); create table drifted (id int);");
    let url = url_with_password(&db.name);
    let dir = project(None);
    let cases: Vec<(String, Vec<String>, &str)> = vec![
        (
            "unknown database".into(),
            vec![
                "--db-url".into(),
                edited(&url, |u| u.set_path("/pgdrift_no_such_database")),
                "status".into(),
            ],
            "does not exist",
        ),
        (
            "unreachable server".into(),
            vec![
                "--db-url".into(),
                edited(&url, |u| u.set_port(Some(1)).unwrap()),
                "status".into(),
            ],
            "cannot connect to",
        ),
        (
            "unknown sslmode".into(),
            vec![
                "--db-url".into(),
                edited(&url, |u| u.set_query(Some("sslmode=sometimes"))),
                "status".into(),
            ],
            "unknown sslmode",
        ),
        (
            "verify-full without a root certificate".into(),
            vec![
                "--db-url".into(),
                edited(&url, |u| {
                    u.set_query(Some(
                        "sslmode=verify-full&sslrootcert=/nonexistent/root.crt",
                    ))
                }),
                "status".into(),
            ],
            "root.crt",
        ),
        (
            "unknown URL option".into(),
            vec![
                "--db-url".into(),
                edited(&url, |u| u.set_query(Some("colour=blue"))),
                "status".into(),
            ],
            "the database URL is not valid",
        ),
        (
            "key=value string with a bad port".into(),
            vec![
                "--db-url".into(),
                format!("host=127.0.0.1 port=notaport user=postgres password={PASSWORD}"),
                "status".into(),
            ],
            "the database URL is not valid",
        ),
        (
            "unknown schema".into(),
            vec![
                "--db-url".into(),
                url.clone(),
                "--schema".into(),
                "nowhere".into(),
                "status".into(),
            ],
            "nowhere",
        ),
        (
            "unknown table".into(),
            vec![
                "--db-url".into(),
                url.clone(),
                "import".into(),
                "no_such_table".into(),
                "--yes".into(),
            ],
            "no_such_table",
        ),
        (
            "missing output folder".into(),
            vec![
                "--db-url".into(),
                url.clone(),
                "import".into(),
                "--all".into(),
                "--out".into(),
                "/nonexistent/pgdrift".into(),
            ],
            "does not exist",
        ),
        (
            "--mark-applied without a terminal".into(),
            vec![
                "--db-url".into(),
                url.clone(),
                "import".into(),
                "--all".into(),
                "--mark-applied".into(),
            ],
            "--mark-applied writes to production",
        ),
        (
            "--mark-applied without the history table".into(),
            vec![
                "--db-url".into(),
                url.clone(),
                "import".into(),
                "--all".into(),
                "--yes".into(),
                "--mark-applied".into(),
            ],
            "which production does not have",
        ),
        (
            "unreachable scratch server".into(),
            vec![
                "--db-url".into(),
                url.clone(),
                "verify".into(),
                "--scratch-url".into(),
                edited(&url, |u| u.set_port(Some(1)).unwrap()),
            ],
            "cannot connect to",
        ),
    ];
    for (what, args, needle) in &cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        assert_error(run(dir.path(), &args, &[], what), needle, what);
    }

    // An existing file stops the import: the first run writes beside the migrations, the
    // second finds its files there.
    std::fs::create_dir(dir.path().join("staging")).unwrap();
    let import = [
        "--db-url", &url, "import", "--all", "--yes", "--out", "staging",
    ];
    let first = run(dir.path(), &import, &[], "first import");
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert_error(
        run(dir.path(), &import, &[], "second import"),
        "pgdrift never overwrites a file",
        "an import whose files exist",
    );
}

#[test]
fn no_password_in_errors_about_migrations() {
    let db = TestDb::create("secret_mig");
    let url = url_with_password(&db.name);
    let broken = project(Some("create tabel oops (id int);\n"));
    assert_error(
        run(broken.path(), &["--db-url", &url, "status"], &[], "parse"),
        "syntax error",
        "an unparsable migration",
    );
    // A migration that parses but fails when replayed.
    let failing = project(Some("alter table missing_table add column x int;\n"));
    let scratch = url_with_password("postgres");
    let replay = run(
        failing.path(),
        &["--db-url", &url, "verify", "--scratch-url", &scratch],
        &[],
        "a failing replay",
    );
    assert_eq!(replay.code, 1, "{}", replay.stderr);
    assert!(
        format!("{}{}", replay.stdout, replay.stderr).contains("missing_table"),
        "{}{}",
        replay.stdout,
        replay.stderr
    );
}

#[test]
fn password_files_are_read_and_never_printed() {
    let db = TestDb::create("secret_pgpass");
    let dir = project(None);
    let home = tempfile::tempdir().unwrap();
    let server = url::Url::parse(&common::server_url()).unwrap();
    let line = format!(
        "{}:{}:{}:{}:{}\n",
        server.host_str().unwrap(),
        server.port().unwrap_or(5432),
        db.name,
        server.username(),
        PASSWORD.replace(':', "\\:")
    );
    let pgpass = home.path().join("pgpass");
    std::fs::write(&pgpass, line).unwrap();
    set_mode(&pgpass, 0o600);
    let plain = common::url_for(&db.name);
    let home_text = home.path().to_str().unwrap();
    let pgpass_text = pgpass.to_str().unwrap();
    let status = run(
        dir.path(),
        &["--db-url", &plain, "status"],
        &[("PGPASSFILE", pgpass_text), ("HOME", home_text)],
        "status with PGPASSFILE",
    );
    assert_eq!(status.code, 0, "{}", status.stderr);
    // A broken connection with the password from the file.
    let unknown = edited(&plain, |u| u.set_path("/pgdrift_no_such_database"));
    assert_error(
        run(
            dir.path(),
            &["--db-url", &unknown, "status"],
            &[("PGPASSFILE", pgpass_text), ("HOME", home_text)],
            "unknown database with PGPASSFILE",
        ),
        "does not exist",
        "unknown database with PGPASSFILE",
    );
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}
