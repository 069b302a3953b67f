//! What the migrations folder may hold besides clean migration files: odd encodings and
//! line endings, empty files, very large files, links, folders and files that are not
//! migrations. Each is either read correctly or stops pgdrift with one line naming the file.

mod common;

use common::{one_line_error, pgdrift, TestDb};
use predicates::prelude::*;
use serde_json::Value;
use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

/// A project folder with `supabase/migrations`, and a production that has table `t`.
struct Project {
    dir: tempfile::TempDir,
    db: TestDb,
}

impl Project {
    fn new() -> Project {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("supabase/migrations")).unwrap();
        let db = TestDb::create("inputs");
        db.execute("CREATE TABLE t (id int PRIMARY KEY);");
        Project { dir, db }
    }

    fn migrations(&self) -> PathBuf {
        self.dir.path().join("supabase/migrations")
    }

    fn write(&self, name: &str, text: impl AsRef<[u8]>) -> PathBuf {
        let path = self.migrations().join(name);
        fs::write(&path, text).unwrap();
        path
    }

    fn status(&self) -> assert_cmd::Command {
        let mut cmd = pgdrift(self.dir.path());
        cmd.args(["status", "--db-url", &self.db.url()]);
        cmd
    }

    /// `status --format json`, which must succeed.
    fn json(&self) -> Value {
        let out = self.status().args(["--format", "json"]).output().unwrap();
        assert!(
            out.status.success(),
            "status failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("status --format json prints JSON")
    }
}

/// The `schema.name` of each entry of a report group.
fn names(report: &Value, group: &str) -> Vec<String> {
    report[group]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{}.{}",
                e["schema"].as_str().unwrap(),
                e["name"].as_str().unwrap()
            )
        })
        .collect()
}

/// `file:line` of each warning, with the file name only.
fn warning_lines(report: &Value) -> Vec<String> {
    report["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            let file = w["file"].as_str().unwrap();
            let name = Path::new(file).file_name().unwrap().to_string_lossy();
            format!("{name}:{}", w["line"])
        })
        .collect()
}

fn skipped(report: &Value) -> Vec<String> {
    report["skipped_files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let p = p.as_str().unwrap();
            Path::new(p)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect()
}

const DYNAMIC: &str = "DO $$\nBEGIN\n  EXECUTE 'CREATE TABLE hidden ()';\nEND $$;\n";

#[test]
fn a_file_that_is_not_utf8_is_named_with_its_line() {
    let p = Project::new();
    p.write(
        "20240101000000_t.sql",
        "CREATE TABLE t (id int PRIMARY KEY);",
    );
    p.write(
        "20240102000000_latin1.sql",
        b"SELECT 1;\nCOMMENT ON TABLE t IS 'caf\xe9';\n",
    );
    p.status()
        .assert()
        .code(2)
        .stdout("")
        .stderr(one_line_error(
            "20240102000000_latin1.sql:2: the file is not valid UTF-8: save it as UTF-8",
        ));
}

#[test]
fn empty_and_comment_only_files_are_migrations() {
    let p = Project::new();
    p.write(
        "20240101000000_t.sql",
        "CREATE TABLE t (id int PRIMARY KEY);",
    );
    p.write("20240102000000_empty.sql", "");
    p.write("20240103000000_blank.sql", "\n\r\n  \t\n");
    p.write(
        "20240104000000_comments.sql",
        "-- nothing yet\n/* a block /* with a nested block */ still a comment */\n-- end",
    );
    p.write("20240105000000_semicolons.sql", ";\n;;\n");
    let report = p.json();
    assert_eq!(report["migrations"], 5);
    assert_eq!(names(&report, "tracked"), ["public.t"]);
    assert_eq!(report["warnings"], serde_json::json!([]));
    assert_eq!(report["skipped_files"], serde_json::json!([]));
}

#[test]
fn crlf_line_endings_keep_lines_right() {
    let p = Project::new();
    let crlf = |text: &str| text.replace('\n', "\r\n");
    p.write(
        "20240101000000_t.sql",
        crlf("-- windows\nCREATE TABLE t (\n  id int PRIMARY KEY\n);\n"),
    );
    // The EXECUTE is on line 5 of each file.
    p.write(
        "20240102000000_crlf.sql",
        crlf(&format!("SELECT 1;\n\n{DYNAMIC}")),
    );
    p.write(
        "20240103000000_mixed.sql",
        format!("SELECT 1;\r\n\n{}", DYNAMIC.replacen('\n', "\r\n", 2)),
    );
    let report = p.json();
    assert_eq!(names(&report, "tracked"), ["public.t"]);
    assert_eq!(
        warning_lines(&report),
        ["20240102000000_crlf.sql:5", "20240103000000_mixed.sql:5"]
    );

    p.write(
        "20240104000000_broken.sql",
        crlf("SELECT 1;\nSELECT 2;\nCREATE TABLEE x ();\n"),
    );
    p.status().assert().code(2).stderr(one_line_error(
        "20240104000000_broken.sql:3:8: syntax error at or near \"TABLEE\"",
    ));
    p.write(
        "20240104000000_broken.sql",
        "SELECT 1;\r\nSELECT 2;\n\r\n  CREATE TABLEE x ();\r\n",
    );
    p.status().assert().code(2).stderr(one_line_error(
        "20240104000000_broken.sql:4:10: syntax error",
    ));
}

#[test]
fn a_byte_order_mark_is_ignored() {
    let p = Project::new();
    p.write(
        "20240101000000_t.sql",
        "\u{feff}CREATE TABLE t (id int PRIMARY KEY);\n",
    );
    p.write(
        "20240102000000_bom.sql",
        format!("\u{feff}SELECT 1;\n\n{DYNAMIC}"),
    );
    let report = p.json();
    assert_eq!(names(&report, "tracked"), ["public.t"]);
    assert_eq!(warning_lines(&report), ["20240102000000_bom.sql:5"]);

    // The mark is not counted in the column of an error on the first line.
    p.write("20240103000000_broken.sql", "\u{feff}CREATE TABLEE x ();\n");
    p.status().assert().code(2).stderr(one_line_error(
        "20240103000000_broken.sql:1:8: syntax error",
    ));
    p.write(
        "20240103000000_broken.sql",
        "\u{feff}SELECT 'é';\r\n  SELECT 'é' FROM FROM t;\r\n",
    );
    p.status().assert().code(2).stderr(one_line_error(
        "20240103000000_broken.sql:2:19: syntax error at or near \"FROM\"",
    ));
}

/// About 20 MB of SQL: a schema dump's CREATE TABLE and CREATE INDEX, then a data dump's
/// INSERTs. Only that it is read is tested here, not how fast.
#[test]
fn a_twenty_megabyte_migration_is_read() {
    use std::io::Write;
    let p = Project::new();
    p.write(
        "20240101000000_t.sql",
        "CREATE TABLE t (id int PRIMARY KEY);",
    );
    let path = p.migrations().join("20240102000000_dump.sql");
    let mut file = std::io::BufWriter::new(fs::File::create(&path).unwrap());
    let mut size = 0;
    let mut tables = 0;
    while size < 8 << 20 {
        let sql = format!(
            "CREATE TABLE big_{tables} (id bigint PRIMARY KEY, name text NOT NULL DEFAULT 'x', \
             created_at timestamptz DEFAULT now());\nCREATE INDEX ON big_{tables} (name);\n"
        );
        file.write_all(sql.as_bytes()).unwrap();
        size += sql.len();
        tables += 1;
    }
    let mut row = 0;
    while size < 20 << 20 {
        let sql = format!(
            "INSERT INTO t (id, name, note) VALUES ({row}, 'name {row}', 'a note, é, for row {row}');\n"
        );
        file.write_all(sql.as_bytes()).unwrap();
        size += sql.len();
        row += 1;
    }
    file.flush().unwrap();
    drop(file);

    let report = p.json();
    assert_eq!(names(&report, "tracked"), ["public.t"]);
    assert_eq!(report["missing"].as_array().unwrap().len(), tables);
}

#[test]
fn links_are_followed_and_broken_links_named() {
    let p = Project::new();
    let elsewhere = tempfile::tempdir().unwrap();
    let target = elsewhere.path().join("shared.sql");
    fs::write(&target, "CREATE TABLE t (id int PRIMARY KEY);").unwrap();
    symlink(&target, p.migrations().join("20240101000000_t.sql")).unwrap();
    // A loop of links that are not named like migrations is skipped like any such file.
    symlink("b", p.migrations().join("a")).unwrap();
    symlink("a", p.migrations().join("b")).unwrap();
    let report = p.json();
    assert_eq!(names(&report, "tracked"), ["public.t"]);
    assert_eq!(
        report["tracked"][0]["migration"],
        "supabase/migrations/20240101000000_t.sql"
    );
    assert_eq!(skipped(&report), ["a", "b"]);

    // A migration that is a dangling link would leave its objects out: an error.
    let dangling = p.migrations().join("20240102000000_gone.sql");
    symlink("../old/20240102000000_gone.sql", &dangling).unwrap();
    p.status().assert().code(2).stderr(one_line_error(
        "20240102000000_gone.sql: a symbolic link to ../old/20240102000000_gone.sql that cannot be followed",
    )).stderr(predicate::str::contains("fix or remove the link"));
    fs::remove_file(&dangling).unwrap();

    symlink(
        "20240104000000_loop.sql",
        p.migrations().join("20240103000000_loop.sql"),
    )
    .unwrap();
    symlink(
        "20240103000000_loop.sql",
        p.migrations().join("20240104000000_loop.sql"),
    )
    .unwrap();
    p.status()
        .assert()
        .code(2)
        .stderr(one_line_error("20240103000000_loop.sql: a symbolic link"))
        .stderr(predicate::str::contains("symbolic links"));
}

#[test]
fn a_linked_migrations_folder_is_read() {
    let p = Project::new();
    p.write(
        "20240101000000_t.sql",
        "CREATE TABLE t (id int PRIMARY KEY);",
    );
    let link = p.dir.path().join("linked");
    symlink(p.migrations(), &link).unwrap();
    let report: Value = {
        let out = pgdrift(p.dir.path())
            .args(["status", "--format", "json", "--migrations", "linked"])
            .args(["--db-url", &p.db.url()])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    assert_eq!(names(&report, "tracked"), ["public.t"]);
    assert_eq!(
        report["tracked"][0]["migration"],
        "linked/20240101000000_t.sql"
    );

    let looping = p.dir.path().join("looping");
    symlink("looping", &looping).unwrap();
    pgdrift(p.dir.path())
        .args(["status", "--migrations", "looping", "--db-url", &p.db.url()])
        .assert()
        .code(2)
        .stderr(one_line_error(
            "migrations folder looping is a symbolic link that cannot be followed",
        ));
}

#[test]
fn other_entries_are_skipped_and_reported() {
    let p = Project::new();
    p.write(
        "20240101000000_t.sql",
        "CREATE TABLE t (id int PRIMARY KEY);",
    );
    p.write("README.md", "# migrations\n");
    p.write("seed.sql", "INSERT INTO t VALUES (1);");
    fs::create_dir(p.migrations().join("20240102000000_folder.sql")).unwrap();
    fs::create_dir(p.migrations().join("archive")).unwrap();
    p.write("archive/20230101000000_old.sql", "CREATE TABLE old ();");

    let report = p.json();
    assert_eq!(report["migrations"], 1);
    assert_eq!(
        skipped(&report),
        ["20240102000000_folder.sql", "README.md", "seed.sql"]
    );
    p.status()
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "warning: supabase/migrations/README.md: skipped, not named <version>_<name>.sql",
        ))
        .stdout(predicate::str::contains(
            "warning: supabase/migrations/20240102000000_folder.sql: skipped, a folder and not a file",
        ))
        .stdout(predicate::str::contains("archive").not());
}

#[test]
fn a_pipe_named_like_a_migration_is_an_error_not_a_hang() {
    let p = Project::new();
    let fifo = p.migrations().join("20240101000000_pipe.sql");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    p.status()
        .timeout(std::time::Duration::from_secs(30))
        .assert()
        .code(2)
        .stderr(one_line_error(
            "20240101000000_pipe.sql: not a regular file",
        ));
}

#[test]
fn an_unreadable_migration_is_named() {
    use std::os::unix::fs::PermissionsExt;
    let p = Project::new();
    let path = p.write(
        "20240101000000_t.sql",
        "CREATE TABLE t (id int PRIMARY KEY);",
    );
    fs::set_permissions(&path, fs::Permissions::from_mode(0o000)).unwrap();
    if fs::read(&path).is_ok() {
        // Running as root (as in containers), permissions do not stop a read: the file is
        // read like any other.
        eprintln!("note: this user reads files whatever their mode; the error is not checked");
        assert_eq!(names(&p.json(), "tracked"), ["public.t"]);
        return;
    }
    p.status()
        .assert()
        .code(2)
        .stderr(one_line_error(
            "20240101000000_t.sql: the migration cannot be read (Permission denied",
        ))
        .stderr(predicate::str::contains("may read the file"));
}

#[test]
fn file_names_that_are_not_utf8() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let p = Project::new();
    p.write(
        "20240101000000_t.sql",
        "CREATE TABLE t (id int PRIMARY KEY);",
    );
    // Not named like a migration: skipped, and the JSON report still prints.
    fs::write(
        p.migrations().join(OsStr::from_bytes(b"notes-caf\xe9.txt")),
        "",
    )
    .unwrap();
    let report = p.json();
    assert_eq!(skipped(&report), ["notes-caf\u{fffd}.txt"]);

    // Named like a migration: pgdrift cannot name it, and must not leave it out.
    let name = OsStr::from_bytes(b"20240102000000_caf\xe9.sql");
    fs::write(p.migrations().join(name), "CREATE TABLE cafe ();").unwrap();
    p.status()
        .assert()
        .code(2)
        .stderr(one_line_error(
            "20240102000000_caf\u{fffd}.sql: the file name is not valid UTF-8",
        ))
        .stderr(predicate::str::contains("rename the file"));
}
