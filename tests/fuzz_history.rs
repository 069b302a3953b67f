//! Random SQL folded as a migration history: whatever a migration folder holds, reading it
//! gives a history or an error message naming the file, never a panic or a crash.
//!
//! Five kinds of input: arbitrary text, soups of SQL tokens, statements from a grammar of
//! what migrations do (these mostly parse, so the fold itself is exercised), mutations of
//! real migrations (the acme fixture, and `../shared/corpus` when present), and deeply
//! nested SQL. A few properties of the fold are checked on the grammar's output.
//!
//! Each property runs 256 cases by default; `PROPTEST_CASES=N` sets another number, for
//! a long run: `PROPTEST_CASES=100000 cargo test --release --test fuzz_history -- --nocapture`
//! (the summary lines give how many inputs each property ran and how many folded).

use pgdrift::history::{parse_sources, History, MigrationFile};
use pgdrift::model::{ObjectKind, QualifiedName};
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence, TestCaseError, TestRunner};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

fn config() -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256);
    Config {
        cases,
        // Failing cases are saved beside this file and run first next time.
        source_file: Some(file!()),
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions",
        ))),
        ..Config::default()
    }
}

/// Migration files `20240101000000_m0.sql`, `20240101000001_m1.sql`... with these texts.
fn sources(texts: &[String]) -> Vec<(MigrationFile, String)> {
    texts
        .iter()
        .enumerate()
        .map(|(index, text)| {
            let version = format!("2024010100{index:04}");
            let name = format!("m{index}");
            let path = PathBuf::from(format!("supabase/migrations/{version}_{name}.sql"));
            let file = MigrationFile {
                version,
                name,
                path,
            };
            (file, text.clone())
        })
        .collect()
}

/// Folds `texts` and checks what holds of any history or error; the history when it folds.
fn fold(texts: &[String]) -> Result<Option<History>, TestCaseError> {
    let files = sources(texts);
    let paths: Vec<String> = files
        .iter()
        .map(|(f, _)| f.path.display().to_string())
        .collect();
    let history = match parse_sources(files) {
        Ok(history) => history,
        Err(e) => {
            let message = format!("{e:#}");
            prop_assert!(
                paths.iter().any(|p| message.starts_with(&format!("{p}:"))),
                "the error does not start with a file name: {message}"
            );
            prop_assert!(
                !message.trim_end().contains('\n'),
                "the error is not one line: {message}"
            );
            return Ok(None);
        }
    };
    check_history(&history, texts)?;
    Ok(Some(history))
}

/// Indexes point at files, in order; warnings point at lines that exist.
fn check_history(history: &History, texts: &[String]) -> Result<(), TestCaseError> {
    let n = texts.len();
    prop_assert_eq!(history.files.len(), n);
    for (key, d) in &history.declared {
        prop_assert!(d.created_in < n, "{key}: created in file {}", d.created_in);
        let mut previous = d.created_in;
        for &file in &d.altered_in {
            prop_assert!(
                file > previous && file < n,
                "{key}: altered in {:?} after creation in {}",
                d.altered_in,
                d.created_in
            );
            previous = file;
        }
    }
    for (name, files) in &history.references {
        prop_assert!(
            files.windows(2).all(|w| w[0] < w[1]) && files.iter().all(|&f| f < n),
            "{}: referenced in {files:?}",
            name.to_sql()
        );
    }
    for w in &history.warnings {
        let file = history.files.iter().position(|f| f.path == w.path);
        prop_assert!(file.is_some(), "warning about an unknown file: {w:?}");
        let lines = texts[file.unwrap()].split('\n').count();
        prop_assert!(
            w.line >= 1 && w.line <= lines,
            "warning on line {} of a {lines}-line file: {w:?}",
            w.line
        );
    }
    for a in &history.additions {
        prop_assert!(a.file < n, "{a:?}");
    }
    for r in &history.renames {
        prop_assert!(r.file < n, "{r:?}");
    }
    Ok(())
}

/// Runs `property` on `strategy` and prints how many inputs ran and how many folded.
fn run<S: Strategy>(
    name: &str,
    strategy: S,
    property: impl Fn(S::Value) -> Result<bool, TestCaseError>,
) where
    S::Value: std::fmt::Debug,
{
    let ran = AtomicUsize::new(0);
    let folded = AtomicUsize::new(0);
    let mut runner = TestRunner::new(config());
    let result = runner.run(&strategy, |input| {
        ran.fetch_add(1, Ordering::Relaxed);
        if property(input)? {
            folded.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    });
    eprintln!(
        "{name}: {} inputs run (shrinking included), {} folded into a history",
        ran.into_inner(),
        folded.into_inner()
    );
    if let Err(e) = result {
        panic!("{name}: {e}");
    }
}

fn folds(texts: &[String]) -> Result<bool, TestCaseError> {
    Ok(fold(texts)?.is_some())
}

// ---------------------------------------------------------------------------------------
// Arbitrary text and token soups
// ---------------------------------------------------------------------------------------

#[test]
fn arbitrary_text() {
    let text = prop_oneof![
        any::<String>(),
        "[ -~\r\n\t]{0,200}",
        proptest::collection::vec(any::<u8>(), 0..200)
            .prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
    ];
    run(
        "arbitrary text",
        proptest::collection::vec(text, 1..3),
        |texts| folds(&texts),
    );
}

const TOKENS: &[&str] = &[
    "CREATE",
    "TABLE",
    "ALTER",
    "DROP",
    "RENAME",
    "TO",
    "IF",
    "NOT",
    "EXISTS",
    "OR",
    "REPLACE",
    "FUNCTION",
    "PROCEDURE",
    "VIEW",
    "TYPE",
    "AS",
    "ENUM",
    "DO",
    "BEGIN",
    "END",
    "ATOMIC",
    "LANGUAGE",
    "plpgsql",
    "sql",
    "RETURNS",
    "trigger",
    "void",
    "int",
    "text",
    "SELECT",
    "FROM",
    "INTO",
    "INSERT",
    "VALUES",
    "EXECUTE",
    "PERFORM",
    "POLICY",
    "ON",
    "USING",
    "WITH",
    "CHECK",
    "INDEX",
    "UNIQUE",
    "PRIMARY",
    "KEY",
    "REFERENCES",
    "SCHEMA",
    "SET",
    "search_path",
    "public",
    "COMMENT",
    "IS",
    "GRANT",
    "REVOKE",
    "ALL",
    "anon",
    "TRIGGER",
    "EACH",
    "ROW",
    "SEQUENCE",
    "OWNED",
    "BY",
    "CASCADE",
    "ADD",
    "COLUMN",
    "CONSTRAINT",
    "DOMAIN",
    "EXTENSION",
    "MATERIALIZED",
    "AGGREGATE",
    "TEMP",
    "t",
    "u",
    "\"t\"",
    "\"a\"\"b\"",
    "\"é\"",
    "é",
    "s.t",
    "id",
    "x",
    "1",
    "'a'",
    "E'\\''",
    "''",
    "'é'",
    "$$",
    "$f$",
    "$$;",
    "$f$;",
    "(",
    ")",
    "((",
    "))",
    ",",
    ";",
    ".",
    "=",
    "::",
    "[]",
    "*",
    "%TYPE",
    "%ROWTYPE",
    "--",
    "-- c\n",
    "/*",
    "*/",
    "/* c */",
    "\n",
    "\r\n",
    "\r",
    "\t",
    "\u{feff}",
    "\u{a0}",
    "\\",
    "U&\"\\0061\"",
    "NEW",
    "RETURN",
    "LOOP",
    "FOR",
    "IN",
    "THEN",
    "ELSE",
    "ELSIF",
    "RAISE",
    "NOTICE",
    "DECLARE",
    "format('%I', x)",
];

#[test]
fn token_soup() {
    let file =
        proptest::collection::vec(proptest::sample::select(TOKENS), 0..80).prop_map(|tokens| {
            let mut text = String::new();
            for t in tokens {
                text.push_str(t);
                text.push(' ');
            }
            text
        });
    run(
        "token soup",
        proptest::collection::vec(file, 1..3),
        |texts| folds(&texts),
    );
}

// ---------------------------------------------------------------------------------------
// A grammar of migrations
// ---------------------------------------------------------------------------------------

/// An identifier as a migration writes it, with the name it stands for.
#[derive(Clone, Debug)]
struct Ident {
    sql: String,
    name: String,
}

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn ident() -> impl Strategy<Value = Ident> {
    let plain = "[a-z_][a-z0-9_$]{0,8}".prop_map(|s| Ident {
        sql: s.clone(),
        name: s,
    });
    let upper = "[A-Z][A-Za-z0-9_]{0,8}".prop_map(|s| Ident {
        name: s.to_lowercase(),
        sql: s,
    });
    let unicode = "[a-zé日ß][a-zé日ß0-9_]{0,5}".prop_map(|s| Ident {
        sql: s.clone(),
        name: s,
    });
    let reserved = proptest::sample::select(vec![
        "user", "table", "select", "order", "group", "end", "do", "type", "Select", "public",
    ])
    .prop_map(|s| Ident {
        sql: quote(s),
        name: s.to_string(),
    });
    let quoted = "[^\u{0}]{1,12}".prop_map(|s| Ident {
        sql: quote(&s),
        name: s,
    });
    let long = "[a-zé]{60,70}".prop_map(|s| Ident {
        sql: s.clone(),
        name: s,
    });
    prop_oneof![4 => plain, 1 => upper, 1 => unicode, 1 => reserved, 2 => quoted, 1 => long]
}

/// An identifier the parser accepts as a table name (a plain one may be a keyword).
fn valid_ident() -> impl Strategy<Value = Ident> {
    ident().prop_filter("a keyword", |i| {
        pg_query::parse(
            &format!("CREATE TABLE {} ()", i.sql),
            pg_query::ParserOptions::DEFAULT,
        )
        .is_ok()
    })
}

/// What the statements of one case name: relations, columns, schemas, roles.
#[derive(Clone, Debug)]
struct Names {
    relations: Vec<Ident>,
    columns: Vec<Ident>,
    schemas: Vec<Ident>,
}

fn names() -> impl Strategy<Value = Names> {
    (
        proptest::collection::vec(ident(), 2..5),
        proptest::collection::vec(ident(), 1..4),
        proptest::collection::vec(ident(), 1..3),
    )
        .prop_map(|(relations, columns, schemas)| Names {
            relations,
            columns,
            schemas,
        })
}

/// One statement: a template number and the choices it makes.
type Recipe = (u8, u8, u8, u8, u8);

const TYPES: &[&str] = &[
    "int",
    "bigint",
    "text",
    "uuid",
    "timestamptz",
    "jsonb",
    "numeric(10,2)",
    "text[]",
    "public.mood",
    "varchar(20)",
    "\"char\"",
    "double precision",
];

impl Names {
    fn relation(&self, pick: u8, schema: u8) -> String {
        let r = &self.relations[pick as usize % self.relations.len()].sql;
        if schema.is_multiple_of(4) {
            let s = &self.schemas[schema as usize / 4 % self.schemas.len()].sql;
            format!("{s}.{r}")
        } else {
            r.clone()
        }
    }

    fn column(&self, pick: u8) -> &str {
        &self.columns[pick as usize % self.columns.len()].sql
    }

    fn schema(&self, pick: u8) -> &str {
        &self.schemas[pick as usize % self.schemas.len()].sql
    }

    /// One statement, without its final semicolon.
    fn statement(&self, (kind, a, b, c, d): Recipe) -> String {
        let t = self.relation(a, d);
        let u = self.relation(b, d / 2);
        let col = self.column(c);
        let col2 = self.column(c / 3 + 1);
        let ty = TYPES[d as usize % TYPES.len()];
        let ine = if d % 2 == 0 { "IF NOT EXISTS " } else { "" };
        let ie = if d % 3 == 0 { "IF EXISTS " } else { "" };
        let cascade = if d % 5 == 0 { " CASCADE" } else { "" };
        let orr = if d % 2 == 1 { "OR REPLACE " } else { "" };
        let s = self.schema(b);
        match kind % 40 {
            0 => format!("CREATE TABLE {ine}{t} (id bigint PRIMARY KEY, {col} {ty})"),
            1 => format!(
                "CREATE TABLE {ine}{t} (id int GENERATED ALWAYS AS IDENTITY, {col} {ty} NOT NULL DEFAULT {}, \
                 CONSTRAINT {col2} CHECK ({col} IS NOT NULL), UNIQUE ({col}))",
                ["now()", "0", "''", "gen_random_uuid()", "public.f()"][c as usize % 5]
            ),
            2 => format!("CREATE TABLE {t} ({col} int REFERENCES {u} (id) ON DELETE CASCADE)"),
            3 => format!("CREATE TABLE {t} PARTITION OF {u} FOR VALUES IN ({c})"),
            4 => format!("CREATE TABLE {t} (LIKE {u} INCLUDING ALL) INHERITS ({u})"),
            5 => format!("ALTER TABLE {ie}{t} ADD COLUMN {ine}{col} {ty}"),
            6 => format!("ALTER TABLE {t} RENAME TO {}", self.relations[b as usize % self.relations.len()].sql),
            7 => format!("ALTER TABLE {t} RENAME COLUMN {col} TO {col2}"),
            8 => format!("ALTER TABLE {t} ADD CONSTRAINT {col2} FOREIGN KEY ({col}) REFERENCES {u}"),
            9 => format!("ALTER TABLE {t} ENABLE ROW LEVEL SECURITY"),
            10 => format!("ALTER TABLE {ie}{t} SET SCHEMA {s}"),
            11 => format!("DROP TABLE {ie}{t}, {u}{cascade}"),
            12 => format!(
                "CREATE {orr}FUNCTION {t}({col} {ty}) RETURNS {} LANGUAGE plpgsql AS $fn$\n\
                 DECLARE r {u}%ROWTYPE; v {ty};\nBEGIN\n  {}\nEND\n$fn$",
                ["trigger", "void", "int", "SETOF record"][c as usize % 4],
                self.plpgsql(a, b, c)
            ),
            13 => format!(
                "CREATE {orr}FUNCTION {t}() RETURNS int LANGUAGE sql AS $$ SELECT count(*) FROM {u} $$"
            ),
            14 => format!("CREATE {orr}FUNCTION {t}(a int DEFAULT 1) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT a; SELECT 1 FROM {u}; END"),
            15 => format!("DO $do$\nBEGIN\n  {}\nEND\n$do$", self.plpgsql(a, b, c)),
            16 => format!(
                "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_tables WHERE tablename = '{}') THEN \
                 CREATE TABLE {t} (id int); ELSE DROP TABLE {u}; END IF; END $$",
                self.relations[a as usize % self.relations.len()].name.replace('\'', "''")
            ),
            17 => format!(
                "CREATE POLICY {col} ON {t} FOR {} TO authenticated USING (auth.uid() = {col2}) WITH CHECK (true)",
                ["SELECT", "INSERT", "UPDATE", "DELETE", "ALL"][c as usize % 5]
            ),
            18 => format!("CREATE TYPE {t} AS ENUM ('a', 'b', '{}')", col.replace('\'', "''")),
            19 => format!("ALTER TYPE {t} ADD VALUE {ine}'c'"),
            20 => format!("CREATE TYPE {t} AS ({col} {ty}, {col2} int)"),
            21 => format!("CREATE DOMAIN {t} AS {ty} CHECK (VALUE IS NOT NULL)"),
            22 => format!("COMMENT ON {} {t} IS 'note'", ["TABLE", "VIEW", "TYPE", "SEQUENCE"][c as usize % 4]),
            23 => format!("COMMENT ON COLUMN {t}.{col} IS NULL"),
            24 => format!("GRANT {} ON {t} TO anon, authenticated", ["SELECT", "ALL", "INSERT, UPDATE", "UPDATE (id)"][c as usize % 4]),
            25 => format!("GRANT ALL ON ALL TABLES IN SCHEMA {s} TO service_role"),
            26 => format!("REVOKE ALL ON FUNCTION {t}() FROM public"),
            27 => format!("CREATE {}INDEX {ine}{col2} ON {t} USING btree ({col}) WHERE {col} IS NOT NULL", if c % 2 == 0 { "UNIQUE " } else { "" }),
            28 => format!("CREATE INDEX ON {t} ({col}, lower({col2}))"),
            29 => format!("CREATE {orr}VIEW {t} AS SELECT * FROM {u}"),
            30 => format!("CREATE MATERIALIZED VIEW {ine}{t} AS SELECT {col} FROM {u} WITH NO DATA"),
            31 => format!("CREATE SEQUENCE {ine}{t} OWNED BY {u}.{col}"),
            32 => format!("CREATE SCHEMA {ine}{s}"),
            33 => format!("CREATE SCHEMA {s} CREATE TABLE {} (id int) CREATE VIEW {} AS SELECT 1", self.relations[a as usize % self.relations.len()].sql, self.relations[b as usize % self.relations.len()].sql),
            34 => [
                format!("SET search_path TO {s}, public"),
                format!("SELECT set_config('search_path', '{}', false)", s.replace('\'', "''")),
                "RESET search_path".to_string(),
                "SET LOCAL search_path = ''".to_string(),
            ][c as usize % 4]
                .clone(),
            35 => format!("CREATE TRIGGER {col} BEFORE INSERT OR UPDATE ON {t} FOR EACH ROW EXECUTE FUNCTION {u}()"),
            36 => format!("ALTER {} {t} RENAME TO {col}", ["FUNCTION", "TYPE", "VIEW", "INDEX", "SEQUENCE", "PROCEDURE"][c as usize % 6]),
            37 => format!("DROP {} {ie}{t}{}{cascade}", ["FUNCTION", "TYPE", "VIEW", "INDEX", "SEQUENCE", "POLICY x ON", "SCHEMA", "TRIGGER x ON"][c as usize % 8], if c % 3 == 0 { "(int)" } else { "" }),
            38 => format!("CREATE TABLE {t} AS SELECT * FROM {u}"),
            _ => [
                format!("INSERT INTO {t} ({col}) VALUES (1) ON CONFLICT DO NOTHING"),
                format!("CREATE EXTENSION {ine}{s} WITH SCHEMA extensions"),
                format!("CREATE AGGREGATE {t}(int) (SFUNC = int4pl, STYPE = int)"),
                format!("ALTER FUNCTION {t}(int) OWNER TO postgres"),
                format!("CREATE TEMP TABLE {t} (id int)"),
                format!("SELECT * INTO {t} FROM {u}"),
                format!("CREATE {orr}PROCEDURE {t}() LANGUAGE plpgsql AS $$ BEGIN DELETE FROM {u}; END $$"),
                "BEGIN; COMMIT".to_string(),
            ][c as usize % 8]
                .clone(),
        }
    }

    /// A PL/pgSQL statement list for a function body or a `DO` block.
    fn plpgsql(&self, a: u8, b: u8, c: u8) -> String {
        let t = self.relation(a, b);
        let u = self.relation(b, c);
        let col = self.column(c);
        let mut body = Vec::new();
        for step in 0..(1 + c % 3) {
            body.push(match (a.wrapping_add(step)) % 9 {
                0 => format!("INSERT INTO {t} ({col}) VALUES (1);"),
                1 => format!("PERFORM 1 FROM {u};"),
                2 => format!("EXECUTE format('CREATE TABLE %I (id int)', 'x{step}');"),
                3 => format!("CREATE TABLE IF NOT EXISTS {t} (id int);"),
                4 => format!("ALTER TABLE {t} ADD COLUMN IF NOT EXISTS {col} int;"),
                5 => format!("IF NOT EXISTS (SELECT 1 FROM {u}) THEN\n    DROP TABLE IF EXISTS {t};\n  END IF;"),
                6 => "RETURN NEW;".to_string(),
                7 => format!("FOR r IN SELECT * FROM {u} LOOP\n    RAISE NOTICE '%', r;\n  END LOOP;"),
                _ => format!("CREATE POLICY p ON {t} USING (true);"),
            });
        }
        body.join("\n  ")
    }
}

/// Migration files built from the grammar, with random whitespace, comments and line
/// endings between statements.
fn grammar_files() -> impl Strategy<Value = (Names, Vec<String>)> {
    let recipe = (0u8..40, any::<u8>(), any::<u8>(), any::<u8>(), any::<u8>());
    let file = proptest::collection::vec((recipe, 0u8..8), 0..10);
    (names(), proptest::collection::vec(file, 1..4)).prop_map(|(names, files)| {
        let texts = files
            .into_iter()
            .map(|statements| {
                let mut text = String::new();
                for (recipe, separator) in statements {
                    text.push_str(&names.statement(recipe));
                    text.push_str(
                        [
                            ";\n",
                            ";\r\n",
                            "; ",
                            ";\n\n-- note\n",
                            ";/* x /* y */ */\n",
                            ";\n\t",
                            ";;\n",
                            "\n;\n",
                        ][separator as usize],
                    );
                }
                text
            })
            .collect();
        (names, texts)
    })
}

#[test]
fn grammar() {
    run("grammar", grammar_files(), |(_, texts)| folds(&texts));
}

// ---------------------------------------------------------------------------------------
// Properties of the fold on grammar names
// ---------------------------------------------------------------------------------------

/// What PostgreSQL keeps of a long identifier: at most 63 bytes, cut at a character.
fn truncated(name: &str) -> String {
    let mut end = name.len().min(63);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    name[..end].to_string()
}

fn declares_table(history: &History, name: &str) -> bool {
    let name = QualifiedName::new("public", truncated(name));
    history
        .declared
        .keys()
        .any(|k| k.kind == ObjectKind::Table && k.name == name)
}

#[test]
fn create_then_drop_declares_nothing() {
    let strategy = (valid_ident(), any::<bool>(), any::<bool>());
    run("create then drop", strategy, |(t, split, crlf)| {
        let create = format!("CREATE TABLE {} (id int);\n", t.sql);
        let drop = format!("DROP TABLE {};\n", t.sql);
        let mut texts = if split {
            vec![create.clone(), drop]
        } else {
            vec![format!("{create}{drop}")]
        };
        if crlf {
            texts = texts.iter().map(|s| s.replace('\n', "\r\n")).collect();
        }
        let history = fold(&texts)?.expect("a table created then dropped folds");
        prop_assert!(
            !declares_table(&history, &t.name),
            "{texts:?} declares {:?}",
            history.declared.keys().collect::<Vec<_>>()
        );
        let history = fold(&[create])?.expect("a created table folds");
        prop_assert!(
            declares_table(&history, &t.name),
            "{} not declared: {:?}",
            t.sql,
            history.declared.keys().collect::<Vec<_>>()
        );
        Ok(true)
    });
}

#[test]
fn a_rename_moves_the_declaration() {
    let strategy = (valid_ident(), valid_ident()).prop_filter("two names", |(a, b)| {
        truncated(&a.name) != truncated(&b.name)
    });
    run("rename", strategy, |(a, b)| {
        let texts = vec![
            format!("CREATE TABLE {} (id int);", a.sql),
            format!("ALTER TABLE {} RENAME TO {};", a.sql, b.sql),
        ];
        let history = fold(&texts)?.expect("a create and a rename fold");
        prop_assert!(!declares_table(&history, &a.name), "{texts:?}");
        prop_assert!(declares_table(&history, &b.name), "{texts:?}");
        let declaration = history.declared.values().next().unwrap();
        prop_assert_eq!(declaration.created_in, 0);
        prop_assert_eq!(&declaration.altered_in, &vec![1]);
        Ok(true)
    });
}

// ---------------------------------------------------------------------------------------
// Mutations of real migrations
// ---------------------------------------------------------------------------------------

/// Migration files of the acme fixture, and the corpus's SQL files when it is there; files
/// over 64 kB are left out to keep each case quick.
fn real_files() -> &'static [String] {
    static FILES: OnceLock<Vec<String>> = OnceLock::new();
    FILES.get_or_init(|| {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let mut paths = Vec::new();
        collect_sql(&root.join("fixtures/acme/supabase/migrations"), &mut paths);
        collect_sql(&root.join("../shared/corpus"), &mut paths);
        paths.sort();
        let files: Vec<String> = paths
            .iter()
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .filter(|text| text.len() <= 64 * 1024)
            .collect();
        assert!(!files.is_empty(), "no migration file found to mutate");
        files
    })
}

fn collect_sql(dir: &std::path::Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_sql(&path, out);
        } else if path.extension().is_some_and(|e| e == "sql") {
            out.push(path);
        }
    }
}

/// The largest char boundary of `text` at or before `at`.
fn floor(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// Statements of `text` when it parses, else its lines.
fn pieces(text: &str) -> Vec<String> {
    match pg_query::split_with_parser(text) {
        Ok(statements) if !statements.is_empty() => {
            statements.iter().map(|s| format!("{s};\n")).collect()
        }
        _ => text.split_inclusive('\n').map(str::to_string).collect(),
    }
}

const INSERTS: &[&str] = &[
    "$$",
    "'",
    "\"",
    "/*",
    "*/",
    "--",
    ";",
    "(",
    ")",
    "\r\n",
    "\u{feff}",
    "E'\\",
    "$a$",
    "é",
    "\0",
    "BEGIN;",
    "END;",
    "DO $$ BEGIN ",
    " END $$;",
    "\\",
    "::",
    "[",
];

/// One mutation of `a` (with `b` for a splice), chosen by `op` at positions `x`, `y`.
fn mutate(a: &str, b: &str, op: u8, x: usize, y: usize) -> String {
    match op % 7 {
        0 => a[..floor(a, x % (a.len() + 1))].to_string(),
        1 => {
            let i = floor(a, x % (a.len() + 1));
            let j = floor(b, y % (b.len() + 1));
            format!("{}{}", &a[..i], &b[j..])
        }
        2..=4 => {
            let mut parts = pieces(a);
            if parts.is_empty() {
                return a.to_string();
            }
            let (i, j) = (x % parts.len(), y % parts.len());
            match op % 7 {
                2 => {
                    let copy = parts[i].clone();
                    parts.insert(j, copy);
                }
                3 => parts.swap(i, j),
                _ => {
                    parts.remove(i);
                }
            }
            parts.concat()
        }
        5 => {
            let i = floor(a, x % (a.len() + 1));
            format!("{}{}{}", &a[..i], INSERTS[y % INSERTS.len()], &a[i..])
        }
        _ => a.replace('\n', "\r\n"),
    }
}

#[test]
fn mutated_real_migrations() {
    let files = real_files();
    let one = (
        0..files.len(),
        0..files.len(),
        any::<u8>(),
        any::<usize>(),
        any::<usize>(),
    );
    let strategy = (
        proptest::collection::vec(one, 1..4),
        proptest::collection::vec(0..files.len(), 0..2),
    );
    run(
        "mutated real migrations",
        strategy,
        |(mutations, intact)| {
            let mut texts: Vec<String> = intact.iter().map(|&i| files[i].clone()).collect();
            for (a, b, op, x, y) in mutations {
                let mut text = files[a].clone();
                // Up to three mutations stacked on one file.
                for round in 0..=(op / 86) {
                    let op = op.wrapping_add(round * 3);
                    text = mutate(&text, &files[b], op, x.rotate_left(round.into()), y);
                }
                texts.push(text);
            }
            folds(&texts)
        },
    );
}

// ---------------------------------------------------------------------------------------
// Deep nesting
// ---------------------------------------------------------------------------------------

#[test]
fn deeply_nested_sql() {
    let strategy = (0u8..6, 1usize..3000);
    run("deep nesting", strategy, |(shape, depth)| {
        let text = match shape {
            0 => format!("SELECT {}1{};", "(".repeat(depth), ")".repeat(depth)),
            1 => format!(
                "CREATE VIEW v AS SELECT {}1{};",
                "(SELECT ".repeat(depth),
                ")".repeat(depth)
            ),
            2 => format!(
                "DO $$ BEGIN {} NULL; {} END $$;",
                "IF true THEN ".repeat(depth.min(500)),
                "END IF; ".repeat(depth.min(500))
            ),
            3 => format!("SELECT 1 {};", "+ 1 ".repeat(depth * 4)),
            4 => format!(
                "CREATE TABLE t (a int CHECK ({}a > 0{}));",
                "NOT ".repeat(depth),
                ""
            ),
            _ => format!("SELECT ARRAY{}1{};", "[".repeat(depth), "]".repeat(depth)),
        };
        folds(&[text])
    });
}
