//! Hostile names and bodies: identifiers with quotes, spaces, `;`, `--`, `$$`, line breaks,
//! escape sequences, unicode, upper case, reserved words and the maximum length, and
//! comments and function bodies full of comment markers and nested dollar quotes. Each one
//! must come through `status`, `import` and a replay exactly, must never run as SQL of its
//! own (public.y, which a table named `x"; DROP TABLE y; --` would drop, survives), and
//! must give a safe file name.

mod common;

use common::{assert_same_dump, migration_files, pgdrift, project_root, TestDb};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The managed schemas, as `--schema` takes them: exact names, no quoting.
const SCHEMAS: [&str; 2] = ["public", "Weird \"Schema\""];
/// The same schemas as `pg_dump -n` patterns, where double quotes quote.
const DUMP_PATTERNS: [&str; 2] = ["public", "\"Weird \"\"Schema\"\"\""];

/// Every table of production.sql, exactly as the catalog names it. PostgreSQL itself
/// truncated the last one, written with 40 two-byte letters, to 31 (62 bytes).
const DRIFTED_TABLES: [(&str, &str); 23] = [
    ("Weird \"Schema\"", "Users"),
    ("Weird \"Schema\"", "表"),
    ("public", "  spaces  "),
    ("public", "$pgdrift$"),
    ("public", "***"),
    ("public", "../../etc/passwd"),
    ("public", ".hidden"),
    ("public", "Parted \"t\""),
    ("public", "Users"),
    (
        "public",
        "abcdefghij_abcdefghij_abcdefghij_abcdefghij_abcdefghij_abcdefgh",
    ),
    ("public", "back\\slash"),
    ("public", "esc\u{1b}[31mred"),
    ("public", "line\nbreak\ttab"),
    ("public", "order"),
    ("public", "select"),
    ("public", "semi;colon -- dash $$ dollar"),
    (
        "public",
        "shared_prefix_shared_prefix_shared_prefix_shared_prefix_shar_a",
    ),
    (
        "public",
        "shared_prefix_shared_prefix_shared_prefix_shared_prefix_shar_b",
    ),
    ("public", "star */ slash /* open"),
    ("public", "table"),
    ("public", "users"),
    ("public", "x\"; DROP TABLE y; --"),
    ("public", "ééééééééééééééééééééééééééééééé"),
];

/// The other drifted objects: kind, schema, name (and a routine's signature).
const DRIFTED_OBJECTS: [(&str, &str, &str); 12] = [
    ("view", "public", "view \"v\"; --"),
    ("materialized_view", "Weird \"Schema\"", "mat \"view\""),
    ("function", "public", "café_total(integer)"),
    ("function", "public", "f(x) \"q\"(integer)"),
    ("function", "public", "f(x) \"q\"(text, integer[])"),
    ("function", "public", "touch \"🎉\"; --()"),
    ("procedure", "public", "proc; --(text)"),
    ("type", "Weird \"Schema\"", "état"),
    ("type", "public", "comp \"t\""),
    ("type", "public", "email \"addr\""),
    ("type", "public", "mood \"enum\"; --"),
    ("sequence", "Weird \"Schema\"", "seq; --"),
];

/// Production: the project's one migration (public.y), then every hostile object.
fn production() -> TestDb {
    let db = TestDb::create("hostile");
    for file in migration_files(&fixture().join("supabase/migrations")) {
        db.psql_file(&file);
    }
    db.psql_file(&fixture().join("production.sql"));
    db
}

fn fixture() -> PathBuf {
    project_root().join("fixtures/hostile")
}

/// A project folder holding a copy of the fixture's migrations.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let migrations = dir.path().join("supabase/migrations");
    std::fs::create_dir_all(&migrations).unwrap();
    for file in migration_files(&fixture().join("supabase/migrations")) {
        std::fs::copy(&file, migrations.join(file.file_name().unwrap())).unwrap();
    }
    dir
}

fn migrations(project: &Path) -> PathBuf {
    project.join("supabase/migrations")
}

/// `pgdrift --db-url URL --schema public --schema 'Weird "Schema"' ARGS...`
fn run(project: &Path, db: &TestDb, args: &[&str]) -> std::process::Output {
    let mut cmd = pgdrift(project);
    cmd.args(["--db-url", &db.url()]);
    for s in SCHEMAS {
        cmd.args(["--schema", s]);
    }
    cmd.args(args).output().unwrap()
}

fn stdout_of(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "pgdrift failed ({:?}): {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn status_json(project: &Path, db: &TestDb) -> Value {
    let out = run(project, db, &["status", "--format", "json"]);
    serde_json::from_str(&stdout_of(&out)).unwrap()
}

/// `(kind, schema, name)` of each entry of one list of the JSON report; a routine's name
/// carries its signature.
fn entries(report: &Value, list: &str) -> BTreeSet<(String, String, String)> {
    report[list]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let text = |k: &str| e[k].as_str().unwrap().to_string();
            let name = match e["signature"].as_str() {
                Some(signature) => format!("{}({signature})", text("name")),
                None => text("name"),
            };
            (text("kind"), text("schema"), name)
        })
        .collect()
}

fn expected_drift() -> BTreeSet<(String, String, String)> {
    let tables = DRIFTED_TABLES
        .iter()
        .map(|(s, n)| ("table".to_string(), s.to_string(), n.to_string()));
    let others = DRIFTED_OBJECTS
        .iter()
        .map(|(k, s, n)| (k.to_string(), s.to_string(), n.to_string()));
    tables.chain(others).collect()
}

/// Replays every migration file of `dir`, in name order, one transaction each, into a new
/// database.
fn replay(dir: &Path) -> TestDb {
    let db = TestDb::create("hostile_replay");
    for file in migration_files(dir) {
        db.psql_file(&file);
    }
    db
}

fn table_exists(db: &TestDb, name: &str) -> bool {
    db.client()
        .query_one("SELECT to_regclass($1) IS NOT NULL", &[&name])
        .unwrap()
        .get(0)
}

/// The names of the files `import` added to `dir`.
fn new_files(dir: &Path, before: &[PathBuf]) -> Vec<PathBuf> {
    migration_files(dir)
        .into_iter()
        .filter(|f| !before.contains(f))
        .collect()
}

/// The longest file name `import` can write: version, `_import_`, a 60-character stem (see
/// `plan::file_stem`), `_foreign_keys` and `.sql`.
const MAX_FILE_NAME: usize = 14 + "_import_".len() + 60 + "_foreign_keys".len() + ".sql".len();

fn assert_safe_file_name(name: &str) {
    let bytes = name.as_bytes();
    assert!(name.len() <= MAX_FILE_NAME, "{name} is too long");
    assert!(
        bytes.len() > 15 && bytes[..14].iter().all(u8::is_ascii_digit) && bytes[14] == b'_',
        "{name} does not start with YYYYMMDDHHMMSS_"
    );
    assert!(name.ends_with(".sql"), "{name}");
    assert!(
        name.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'.'),
        "{name} has a character other than a-z, 0-9, _ and ."
    );
    assert!(!name.starts_with('.') && !name.contains(".."), "{name}");
    assert_eq!(name.matches('.').count(), 1, "{name}");
}

#[test]
fn status_lists_every_hostile_object_by_its_exact_name() {
    let prod = production();
    let project = project();
    let report = status_json(project.path(), &prod);
    assert_eq!(entries(&report, "drifted"), expected_drift());
    assert_eq!(
        entries(&report, "tracked"),
        BTreeSet::from([("table".into(), "public".into(), "y".into())])
    );
    assert!(entries(&report, "missing").is_empty(), "{report:#}");
    let parted = report["drifted"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "Parted \"t\"")
        .unwrap();
    assert_eq!(
        parted["partitions"],
        serde_json::json!([{"schema": "public", "name": "part 'a'; --"}])
    );
    assert_eq!(
        report["schemas"],
        serde_json::json!(["public", "Weird \"Schema\""])
    );

    // For people: every table on a line of its own, quoted as SQL would, and no control
    // character (a line break, a tab, an escape sequence for the terminal) from a name.
    let text = stdout_of(&run(project.path(), &prod, &["status"]));
    assert!(
        !text.chars().any(|c| c.is_control() && c != '\n'),
        "control characters in the report:\n{text:?}"
    );
    assert!(
        text.contains("\nschemas: public, \"Weird \"\"Schema\"\"\"; migrations: 1 file\n"),
        "{text}"
    );
    for line in [
        "  public.U&\"esc\\001B[31mred\" ",
        "  public.U&\"line\\000Abreak\\0009tab\" ",
        "  public.\"x\"\"; DROP TABLE y; --\" ",
        "  \"Weird \"\"Schema\"\"\".\"表\" ",
        "  public.\"select\" ",
    ] {
        assert!(
            text.lines().any(|l| l.starts_with(line)),
            "no line starts with {line}:\n{text}"
        );
    }
    // The table's columns line up on a terminal, wide characters and all: every row, without
    // its partition note, is as wide on screen as the heading.
    let table: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("Drifted tables"))
        .skip(1)
        .take_while(|l| !l.is_empty())
        .collect();
    let width = |line: &str| {
        let columns = line.find("  partition").map_or(line, |cut| &line[..cut]);
        unicode_width::UnicodeWidthStr::width(columns)
    };
    assert!(table.len() > 20, "{text}");
    for line in &table[1..] {
        assert_eq!(width(line), width(table[0]), "misaligned: {line}\n{text}");
    }
}

#[test]
fn import_all_round_trips_exactly_and_runs_no_name_as_sql() {
    let prod = production();
    let project = project();
    let dir = migrations(project.path());
    let before = migration_files(&dir);
    let prod_dump = prod.dump(&DUMP_PATTERNS);
    assert!(prod_dump.contains("CREATE TABLE \"Weird \"\"Schema\"\"\".\"表\""));

    let stdout = stdout_of(&run(project.path(), &prod, &["import", "--all", "--yes"]));
    let written = new_files(&dir, &before);
    // One file per table (23) and partition (1), one per object that no table needs (the
    // two overloads of f(x) "q", the procedure, the two views), and the foreign key of
    // x"; DROP TABLE y; -- to y, which must wait for y's migration.
    assert_eq!(written.len(), 30, "{stdout}");
    let names: Vec<String> = written
        .iter()
        .map(|p| p.file_name().unwrap().to_str().unwrap().to_string())
        .collect();
    for name in &names {
        assert_safe_file_name(name);
        assert!(stdout.contains(name.as_str()), "{name} not in the plan");
    }
    let versions: BTreeSet<&str> = names.iter().map(|n| &n[..14]).collect();
    assert_eq!(versions.len(), names.len(), "versions are not unique");
    for name in [
        "_import_etc_passwd.sql",
        "_import_hidden.sql",
        "_import_back_slash.sql",
        "_import_x_drop_table_y.sql",
        "_import_abcdefghij_abcdefghij_abcdefghij_abcdefghij_abcdefghij_abcde.sql",
    ] {
        assert!(
            names.iter().any(|n| n.ends_with(name)),
            "no file ends with {name}: {names:#?}"
        );
    }
    for path in &written {
        let text = std::fs::read_to_string(path).unwrap();
        pg_query::parse(&text, pg_query::ParserOptions::default())
            .unwrap_or_else(|e| panic!("{} does not parse: {e}", path.display()));
        // Names and comments with tabs, escapes or line breaks are written escaped, so a
        // line-ending conversion or an editor cannot change what a file creates. (A
        // function body is production's own text, and keeps its characters.)
        for (number, line) in text.lines().enumerate() {
            if line.chars().any(|c| c.is_control()) && !line.contains("$fn$") {
                panic!("{}:{}: {line:?}", path.display(), number + 1);
            }
        }
    }

    // What pgdrift wrote is declared now: nothing drifts, nothing is missing.
    let report = status_json(project.path(), &prod);
    assert!(entries(&report, "drifted").is_empty(), "{report:#}");
    assert!(entries(&report, "missing").is_empty(), "{report:#}");
    let check = run(project.path(), &prod, &["check"]);
    assert_eq!(check.status.code(), Some(0), "{check:?}");

    // verify's replay and comparison.
    let out = run(
        project.path(),
        &prod,
        &[
            "verify",
            "--scratch-url",
            &common::server_url(),
            "--format",
            "json",
        ],
    );
    let verdict: Value = serde_json::from_str(&stdout_of(&out)).unwrap();
    assert_eq!(verdict["identical"], true, "{verdict:#}");

    // An independent replay with psql, compared by pg_dump.
    let copy = replay(&dir);
    assert_same_dump(
        &prod_dump,
        &copy.dump(&DUMP_PATTERNS),
        "replay of every migration vs production",
    );
    assert!(table_exists(&copy, "public.y"));
    assert!(table_exists(&copy, "public.\"x\"\"; DROP TABLE y; --\""));

    // The new files on production: no error, no change; y is still there.
    for path in &written {
        prod.psql_file(path);
    }
    assert_same_dump(
        &prod_dump,
        &prod.dump(&DUMP_PATTERNS),
        "production after applying the new files",
    );
    assert!(table_exists(&prod, "public.y"));
}

#[test]
fn one_table_named_on_the_command_line_is_quoted_as_in_sql() {
    let prod = production();
    let project = project();
    let dir = migrations(project.path());
    let dry_run = |table: &str| run(project.path(), &prod, &["import", "--dry-run", table]);
    let plan_of = |table: &str| stdout_of(&dry_run(table));

    // Quoted, the name is exact; schema-qualified or not.
    for table in [
        "\"x\"\"; DROP TABLE y; --\"",
        "public.\"x\"\"; DROP TABLE y; --\"",
        " public . \"x\"\"; DROP TABLE y; --\" ",
        "PUBLIC.\"x\"\"; DROP TABLE y; --\"",
    ] {
        let plan = plan_of(table);
        assert!(
            plan.contains("_import_x_drop_table_y.sql (1 item)"),
            "{table}: {plan}"
        );
    }
    // Unquoted, it folds to lower case as SQL does: `Users` is public.users.
    let plan = plan_of("Users");
    assert!(plan.contains("_import_users.sql (1 item)"), "{plan}");
    let plan = plan_of("public.\"Users\"");
    // Its keys and checks are written inside CREATE TABLE: items of their own no more.
    assert!(plan.contains("_import_users.sql (8 items)"), "{plan}");
    // With what it needs (public."Users", x"; DROP TABLE y; --, and theirs) and the views
    // over them.
    assert!(plan_of("\"Weird \"\"Schema\"\"\".\"Users\"").contains("Import plan: 7 file(s)"));
    let plan = plan_of("\"line\nbreak\ttab\"");
    assert!(
        plan.contains("_import_line_break_tab.sql (4 items)"),
        "{plan}"
    );
    // As status prints it, with Unicode escapes.
    assert!(plan_of("public.U&\"line\\000Abreak\\0009tab\"")
        .contains("_import_line_break_tab.sql (4 items)"));
    // Only ASCII letters fold, as in a UTF-8 database: ÉTÉ is not été.
    assert!(plan_of("ééééééééééééééééééééééééééééééé").contains("_import_object.sql (1 item)"));
    // A name longer than 63 bytes means what PostgreSQL truncates it to.
    let long = format!("\"{}\"", "é".repeat(40));
    assert!(plan_of(&long).contains("_import_object.sql (1 item)"));

    // Errors: exit code 2, one line, the name as pgdrift understood it, and a hint when a
    // table matches once the quoting is right.
    let error = |table: &str| {
        let out = dry_run(table);
        assert_eq!(out.status.code(), Some(2), "{table}: {out:?}");
        let text = String::from_utf8(out.stderr).unwrap();
        assert!(
            text.starts_with("error: ") && text.trim_end().lines().count() == 1,
            "{table}: {text}"
        );
        text
    };
    let text = error("x\"; DROP TABLE y; --");
    assert!(
        text.contains("did you mean public.\"x\"\"; DROP TABLE y; --\"?"),
        "{text}"
    );
    let text = error("\"Users\"");
    assert!(text.contains("is ambiguous"), "{text}");
    let text = error("\"Weird \"\"Schema\"\"\".Users");
    assert!(
        text.contains("table \"Weird \"\"Schema\"\"\".users not found")
            && text.contains("did you mean \"Weird \"\"Schema\"\"\".\"Users\"?"),
        "{text}"
    );
    let text = error("ÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉ");
    assert!(text.contains("did you mean public.\"ééééé"), "{text}");
    let text = error("no such\ntable");
    assert!(
        text.contains("`no such\\ntable` is not a table name"),
        "{text}"
    );
    let text = error("nope");
    assert!(
        text.contains("table nope not found in production's managed schemas"),
        "{text}"
    );
    assert!(error("\"y\"").contains("table public.y is already declared by a migration"));
    assert_eq!(
        migration_files(&dir).len(),
        1,
        "a dry run or an error wrote a file"
    );

    // The import itself, and its replay after the ordinary migration: y survives.
    stdout_of(&run(
        project.path(),
        &prod,
        &["import", "--yes", "public.\"x\"\"; DROP TABLE y; --\""],
    ));
    let files = migration_files(&dir);
    assert_eq!(files.len(), 3, "{files:#?}");
    let copy = replay(&dir);
    assert!(table_exists(&copy, "public.y"));
    assert!(table_exists(&copy, "public.\"x\"\"; DROP TABLE y; --\""));
    let comment: String = copy
        .client()
        .query_one(
            "SELECT obj_description('public.\"x\"\"; DROP TABLE y; --\"'::regclass, 'pg_class')",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(comment, "x'; DROP TABLE y; -- */ $$");
}

/// A migration written by hand with hostile names, and with names that PostgreSQL reads in
/// its own way: Unicode escapes, unquoted upper-case non-ASCII letters (which it does not
/// fold), names over 63 bytes (which it truncates), and a search_path set by set_config.
const HAND_WRITTEN: &str = r#"
CREATE SCHEMA ÉCOLE;
CREATE TABLE public.U&"d\0061t\+000061 ""\0009""" (id integer PRIMARY KEY);
CREATE TABLE CAFÉ (id integer);
CREATE TABLE public.a_name_longer_than_sixty_three_bytes_which_postgresql_truncates_silently (
    id integer
);
CREATE TABLE "Weird ""Schema"""."Hand ""Made""; --" (
    id integer PRIMARY KEY,
    note text DEFAULT 'it''s -- */ $$'
);
COMMENT ON TABLE "Weird ""Schema"""."Hand ""Made""; --" IS 'hand */ made';
SELECT pg_catalog.set_config('search_path', 'ÉCOLE, public', false);
CREATE SEQUENCE SEQ_É;
CREATE TABLE "Élève" (
    id bigint DEFAULT nextval('SEQ_É'::regclass),
    data_id integer REFERENCES public.U&"d\0061t\+000061 ""\0009"""
);
CREATE FUNCTION "fn $$ --"() RETURNS bigint LANGUAGE plpgsql AS $f$
BEGIN
    RETURN (SELECT count(*) FROM CAFÉ) + $$ $q$ $$::text::bigint;
END
$f$;
RESET search_path;
"#;

#[test]
fn hand_written_migrations_with_hostile_names_are_tracked() {
    let prod = TestDb::create("hostile_hand");
    let project = project();
    let dir = migrations(project.path());
    prod.execute("CREATE SCHEMA \"Weird \"\"Schema\"\"\"");
    std::fs::write(dir.join("20240102000000_hand_written.sql"), HAND_WRITTEN).unwrap();
    for file in migration_files(&dir) {
        prod.psql_file(&file);
    }
    let mut cmd = pgdrift(project.path());
    cmd.args(["--db-url", &prod.url(), "status", "--format", "json"]);
    for s in ["public", "Weird \"Schema\"", "École"] {
        cmd.args(["--schema", s]);
    }
    let report: Value = serde_json::from_str(&stdout_of(&cmd.output().unwrap())).unwrap();
    assert!(entries(&report, "drifted").is_empty(), "{report:#}");
    assert!(entries(&report, "missing").is_empty(), "{report:#}");
    let tracked: BTreeSet<(String, String, String)> = [
        ("table", "public", "y"),
        ("table", "public", "data \"\t\""),
        ("table", "public", "cafÉ"),
        (
            "table",
            "public",
            "a_name_longer_than_sixty_three_bytes_which_postgresql_truncates",
        ),
        ("table", "Weird \"Schema\"", "Hand \"Made\"; --"),
        ("table", "École", "Élève"),
        ("sequence", "École", "seq_É"),
        ("function", "École", "fn $$ --()"),
    ]
    .iter()
    .map(|(k, s, n)| (k.to_string(), s.to_string(), n.to_string()))
    .collect();
    assert_eq!(entries(&report, "tracked"), tracked);
}

#[test]
fn system_entries_name_hostile_tables_as_sql_does() {
    let prod = production();
    let project = project();
    std::fs::write(
        project.path().join("pgdrift.toml"),
        r#"
schemas = ["public", 'Weird "Schema"']
[[system]]
name = 'public."x""; DROP TABLE y; --"'
reason = "it's */ external; --"
[[system]]
name = '"Weird ""Schema"""."表"'
[[system]]
name = 'public.U&"esc\001B[31mred"'
[[system]]
name = 'ÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉ'
"#,
    )
    .unwrap();
    let out = pgdrift(project.path())
        .args(["--db-url", &prod.url(), "status", "--format", "json"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_str(&stdout_of(&out)).unwrap();
    let system: BTreeSet<(String, String, String)> = [
        ("public", "x\"; DROP TABLE y; --"),
        ("Weird \"Schema\"", "表"),
        ("public", "esc\u{1b}[31mred"),
    ]
    .iter()
    .map(|(s, n)| ("table".to_string(), s.to_string(), n.to_string()))
    .collect();
    assert_eq!(entries(&report, "system"), system);
    // Unquoted, É stays upper case: no such table.
    assert_eq!(
        report["unknown_system_entries"],
        serde_json::json!([format!("public.\"{}\"", "É".repeat(31))])
    );
    let x = report["system"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "x\"; DROP TABLE y; --")
        .unwrap();
    assert_eq!(x["reason"], "it's */ external; --");
}
