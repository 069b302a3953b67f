//! The migrations folder: which files count, in which order, and the errors that stop a
//! reading.

use super::{declared, set, sources};
use crate::history::{migration_file, parse_dir, parse_sources};
use std::fs;
use std::path::Path;

fn file_names(paths: impl IntoIterator<Item = impl AsRef<Path>>) -> Vec<String> {
    paths
        .into_iter()
        .map(|p| {
            p.as_ref()
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect()
}

#[test]
fn reads_migrations_in_filename_order_and_skips_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &[u8]| fs::write(dir.path().join(name), text).unwrap();
    write(
        "20240102000000_second.sql",
        b"ALTER TABLE first RENAME TO renamed;",
    );
    write(
        "20240101000000_first.sql",
        "\u{feff}CREATE TABLE first (id int);".as_bytes(),
    );
    write("20240103000000_.sql", b"CREATE TABLE third (id int);");
    write("README.md", b"notes");
    write("seed.sql", b"INSERT INTO nothing VALUES (1);");
    write("2024_draft.sql.bak", b"not sql at all");
    fs::create_dir(dir.path().join("20240104000000_folder.sql")).unwrap();
    fs::write(
        dir.path().join("20240104000000_folder.sql/x.sql"),
        "nonsense",
    )
    .unwrap();

    let history = parse_dir(dir.path()).unwrap();
    assert_eq!(
        file_names(history.files.iter().map(|f| &f.path)),
        [
            "20240101000000_first.sql",
            "20240102000000_second.sql",
            "20240103000000_.sql"
        ]
    );
    let versions: Vec<&str> = history.files.iter().map(|f| f.version.as_str()).collect();
    assert_eq!(
        versions,
        ["20240101000000", "20240102000000", "20240103000000"]
    );
    assert_eq!(history.files[0].name, "first");
    assert_eq!(
        file_names(&history.skipped),
        [
            "20240104000000_folder.sql",
            "2024_draft.sql.bak",
            "README.md",
            "seed.sql"
        ]
    );
    assert_eq!(
        declared(&history),
        set(&["table public.renamed", "table public.third"])
    );
}

#[test]
fn the_texts_replayed_are_the_texts_parsed() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("20240101000000_bom.sql"),
        "\u{feff}CREATE TABLE t (id int);",
    )
    .unwrap();
    fs::write(dir.path().join("20240102000000_plain.sql"), "SELECT 1;").unwrap();
    let history = parse_dir(dir.path()).unwrap();
    let texts: Vec<String> = history.texts().unwrap().into_iter().map(|t| t.1).collect();
    assert_eq!(texts, ["CREATE TABLE t (id int);", "SELECT 1;"]);

    // A file that stops being UTF-8 between the reading and the replay is refused with the
    // same message as at the reading.
    fs::write(dir.path().join("20240102000000_plain.sql"), b"SELECT \xff;").unwrap();
    let error = history.texts().unwrap_err().to_string();
    assert!(
        error
            .ends_with("20240102000000_plain.sql:1: the file is not valid UTF-8: save it as UTF-8"),
        "{error}"
    );
}

#[test]
fn recognises_migration_file_names() {
    for good in [
        "1_a.sql",
        "20240101000000_create_users.sql",
        "2024_.sql",
        "01_a_b.c.sql",
    ] {
        assert!(migration_file(Path::new(good)).is_some(), "{good}");
    }
    for bad in [
        "_a.sql",
        "abc_a.sql",
        "2024.sql",
        "2024_a.SQL",
        "2024_a.sql.bak",
        "v1_a.sql",
    ] {
        assert!(migration_file(Path::new(bad)).is_none(), "{bad}");
    }
    let file = migration_file(Path::new("dir/0042_add_x.sql")).unwrap();
    assert_eq!(
        (file.version.as_str(), file.name.as_str()),
        ("0042", "add_x")
    );
}

#[test]
fn a_missing_folder_says_how_to_point_at_one() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("supabase/migrations");
    let error = parse_dir(&missing).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "migrations folder {} not found: pass --migrations DIR or set migrations in pgdrift.toml",
            missing.display()
        )
    );
}

#[test]
fn a_file_that_is_not_utf8_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("20240101000000_latin1.sql");
    fs::write(&path, b"SELECT 1;\nCOMMENT ON TABLE t IS 'caf\xe9';").unwrap();
    let error = format!("{:#}", parse_dir(dir.path()).unwrap_err());
    assert_eq!(
        error,
        format!(
            "{}:2: the file is not valid UTF-8: save it as UTF-8",
            path.display()
        )
    );
}

#[test]
fn a_parse_error_gives_file_line_and_column() {
    let files = sources(&[
        "CREATE TABLE ok (id int);",
        "-- second file\nCREATE TABLE fine (id int);\n  CREATE TABLEE broken (id int);\n",
    ]);
    let error = parse_sources(files).unwrap_err();
    assert_eq!(
        error.to_string(),
        "supabase/migrations/20240101000001_m1.sql:3:10: syntax error at or near \"TABLEE\""
    );
}

#[test]
fn a_parse_error_column_counts_characters() {
    let files = sources(&["SELECT 'héllo';\nSELECT 'é', $$unterminated"]);
    let error = parse_sources(files).unwrap_err();
    assert_eq!(
        error.to_string(),
        "supabase/migrations/20240101000000_m0.sql:2:13: unterminated dollar-quoted string at or near \"$$unterminated\""
    );
}

#[test]
fn a_nul_byte_is_an_error_with_its_line() {
    let files = sources(&["SELECT 1;\nSELECT '\0';"]);
    let error = parse_sources(files).unwrap_err().to_string();
    assert!(
        error.starts_with(
            "supabase/migrations/20240101000000_m0.sql:2: the file contains a NUL byte"
        ),
        "{error}"
    );
}

#[test]
fn an_unterminated_string_is_reported_on_one_line() {
    let files = sources(&["SELECT 1;\nSELECT $$ never closed\nCREATE TABLE t (id int);\n"]);
    let error = parse_sources(files).unwrap_err();
    assert_eq!(
        error.to_string(),
        "supabase/migrations/20240101000000_m0.sql:2:8: unterminated dollar-quoted string at or near \"$$ never closed...\""
    );
    let files = sources(&["SELECT '\r\n"]);
    let error = parse_sources(files).unwrap_err();
    assert_eq!(
        error.to_string(),
        "supabase/migrations/20240101000000_m0.sql:1:8: unterminated quoted string at or near \"'...\""
    );
}

#[test]
fn a_do_block_warning_is_one_line() {
    let history =
        super::fold(&["DO $$ BEGIN\n  CREATE TABLE t (id int;\n  CREATE TABLE u ();\nEND $$;"]);
    let messages: Vec<&str> = history
        .warnings
        .iter()
        .map(|w| w.message.as_str())
        .collect();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(!messages[0].contains('\n'), "{}", messages[0]);
}

#[test]
fn deeply_nested_expressions_are_read() {
    // Over a hundred nested messages once refused valid SQL; thousands overflowed the stack.
    for terms in [60, 4000] {
        let sum = vec!["'x'"; terms].join(" || ");
        let history = super::fold(&[&format!("CREATE VIEW v AS SELECT {sum} AS s;")]);
        assert_eq!(declared(&history), set(&["view public.v"]), "{terms} terms");
    }
    let deep = format!("SELECT {}1{};", "(SELECT ".repeat(1500), ")".repeat(1500));
    super::fold(&[&deep]);
    // Deeper than the parser hands over: an error, not a crash.
    let deeper = format!("SELECT ARRAY{}1{};", "[".repeat(5000), "]".repeat(5000));
    let error = parse_sources(sources(&[&deeper])).unwrap_err().to_string();
    assert!(error.contains("nested too deeply"), "{error}");
}

#[test]
fn statements_are_read_one_by_one_with_their_lines() {
    let text = "-- head\r\nCREATE TABLE a (id int);;\r\n/* x */ CREATE TABLE b (id int)\r\n;\n\nDO $$\nBEGIN\n  EXECUTE 'x';\nEND $$;\nSELECT 1;\n\n  DO $$ BEGIN EXECUTE 'y'; END $$";
    let history = super::fold(&[text]);
    assert_eq!(
        declared(&history),
        set(&["table public.a", "table public.b"])
    );
    let lines: Vec<usize> = history.warnings.iter().map(|w| w.line).collect();
    assert_eq!(lines, [8, 12]);
}
