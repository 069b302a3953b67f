//! Shared test support: a real PostgreSQL server (PGDRIFT_TEST_URL), one uniquely named
//! database per test, dropped when the test ends.
#![allow(dead_code)]

use pgdrift::catalog;
use pgdrift::db::{Snapshot, Target};
use pgdrift::model::{
    ConstraintKind, ObjectKey, ObjectKind, Part, QualifiedName, Schema, TypeBody,
};
use pgdrift::plan::{Item, TableItem};
use postgres::{Client, NoTls};
use std::collections::HashSet;
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

/// A name no other test, running or past, uses: for databases and roles, which live on the
/// server beyond one test process.
pub fn unique_name(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "pgdrift_{prefix}_{}_{}_{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    )
}

impl TestDb {
    pub fn create(prefix: &str) -> TestDb {
        let name = unique_name(prefix);
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

    /// `pg_dump --schema-only` of the given schemas (of the whole database for none),
    /// without the lines that change each run.
    pub fn dump(&self, schemas: &[&str]) -> String {
        self.dump_except(schemas, &[])
    }

    /// `dump` without some tables (`-T`), for example those an external tool owns.
    pub fn dump_except(&self, schemas: &[&str], tables: &[&str]) -> String {
        let mut cmd = Command::new("pg_dump");
        cmd.args(["--schema-only", "--no-owner"])
            .arg("-d")
            .arg(self.url());
        for s in schemas {
            cmd.arg("-n").arg(s);
        }
        for t in tables {
            cmd.arg("-T").arg(t);
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

/// What console.sql changed by hand on objects that migrations made (drift inside tracked
/// tables, and the missing objects it dropped), which importing drifted objects does not
/// cover.
pub const CONSOLE_ON_TRACKED: &str = "
DROP TABLE public.webhook_endpoints;
DROP FUNCTION public.refresh_reporting();
ALTER TABLE public.support_tickets ADD COLUMN sla_due_at timestamptz;
CREATE INDEX support_tickets_sla_due_idx ON public.support_tickets (sla_due_at)
  WHERE status NOT IN ('solved', 'closed');
CREATE POLICY \"Org members see reviews of their products\" ON public.product_reviews
  FOR SELECT TO authenticated
  USING (EXISTS (SELECT 1 FROM public.products p
                  WHERE p.id = product_id AND public.is_org_member(p.org_id)));
";

/// The roles the corpus cases grant to (`../shared/corpus/README.md`): roles are the
/// server's, so they are made once, guarded.
pub fn ensure_corpus_roles() {
    let roles = [
        "schemainspect_test_role",
        "testuser",
        "app_user",
        "anon",
        "authenticated",
        "service_role",
    ];
    let mut sql = String::new();
    for r in roles {
        sql.push_str(&format!(
            "DO $$ BEGIN CREATE ROLE {r} NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;\n"
        ));
    }
    connect(&server_url()).batch_execute(&sql).unwrap();
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

/// A copy of the acme fixture project (pgdrift.toml and the migrations, not production's
/// SQL) in a temporary folder.
pub fn acme_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let src = project_root().join("fixtures/acme");
    std::fs::copy(src.join("pgdrift.toml"), dir.path().join("pgdrift.toml")).unwrap();
    let migrations = dir.path().join("supabase/migrations");
    std::fs::create_dir_all(&migrations).unwrap();
    for file in migration_files(&src.join("supabase/migrations")) {
        std::fs::copy(&file, migrations.join(file.file_name().unwrap())).unwrap();
    }
    dir
}

/// Stderr is one `error: ...` line holding `needle`: how pgdrift reports a bad input.
pub fn one_line_error(needle: &str) -> impl predicates::Predicate<str> {
    let needle = needle.to_string();
    predicates::function::function(move |s: &str| {
        s.starts_with("error: ") && s.trim_end().lines().count() == 1 && s.contains(&needle)
    })
}

/// The stdout of a pgdrift run that must succeed; its stderr is shown when it did not.
pub fn succeeded(out: std::process::Output) -> String {
    assert!(
        out.status.success(),
        "pgdrift failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
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
        "PGSSLROOTCERT",
        "PGPASSFILE",
    ] {
        cmd.env_remove(var);
    }
    cmd
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

// ---------------------------------------------------------------------------------------
// Round trips: production's model, every object of it in an order that replays, and a
// readable difference between two dumps.
// ---------------------------------------------------------------------------------------

/// Production's model of `schemas`, read as `pgdrift` reads it.
pub fn load_model(db: &TestDb, schemas: &[&str]) -> Schema {
    let target = Target::resolve(Some(&db.url())).unwrap();
    let mut client = target.connect().unwrap();
    let mut snapshot = Snapshot::begin(&mut client, pgdrift::db::STATEMENT_TIMEOUT).unwrap();
    let schemas: Vec<String> = schemas.iter().map(|s| s.to_string()).collect();
    let schema = catalog::load(&mut snapshot, &schemas).unwrap();
    snapshot.finish().unwrap();
    schema
}

fn relation_key(kind: ObjectKind, name: &QualifiedName) -> ObjectKey {
    ObjectKey::relation(kind, name.clone())
}

/// `keys` with each one after those of its dependencies (`needs`) that are in the list,
/// otherwise in the given order. A cycle is an error of the test's fixture.
fn ordered<K: Clone + PartialEq>(keys: Vec<K>, needs: impl Fn(&K) -> Vec<K>) -> Vec<K> {
    let mut done: Vec<K> = Vec::new();
    let mut left = keys;
    while !left.is_empty() {
        let ready = left
            .iter()
            .position(|k| {
                needs(k)
                    .iter()
                    .all(|n| done.contains(n) || !left.contains(n) || n == k)
            })
            .expect("a dependency cycle among the fixture's objects");
        done.push(left.remove(ready));
    }
    done
}

/// What `key` needs among the objects of the model, from `schema.dependencies`.
fn needs(schema: &Schema, key: &ObjectKey) -> Vec<ObjectKey> {
    schema
        .dependencies
        .iter()
        .filter(|d| &d.from == key)
        .map(|d| d.to.clone())
        .collect()
}

/// Types, domains and composite types after the types they use.
fn type_items(schema: &Schema) -> Vec<Item> {
    let keys = schema
        .types
        .keys()
        .map(|n| relation_key(ObjectKind::Type, n))
        .collect();
    let mut keys = ordered(keys, |k| needs(schema, k));
    // Composite types are not in pg_depend's type holders: put them after the others.
    keys.sort_by_key(|k| matches!(schema.types[&k.name].body, TypeBody::Composite { .. }));
    keys.into_iter()
        .map(|k| Item::Type {
            name: k.name,
            omit_values: Vec::new(),
        })
        .collect()
}

/// Routines split into those a table's columns need (defaults, generated columns), which
/// come before the tables, and the others, which come after them: a LANGUAGE sql body is
/// checked when it is created, and it may read tables.
fn function_items(schema: &Schema) -> (Vec<Item>, Vec<Item>) {
    let keys: Vec<ObjectKey> = ordered(schema.functions.keys().cloned().collect(), |k| {
        needs(schema, k)
    });
    let early: HashSet<&ObjectKey> = schema
        .dependencies
        .iter()
        .filter(|d| d.from.kind == ObjectKind::Table && d.to.kind.is_routine())
        .filter(|d| matches!(d.part, Part::Whole | Part::Column(_)))
        .map(|d| &d.to)
        .collect();
    let (before, after): (Vec<_>, Vec<_>) = keys.into_iter().partition(|k| early.contains(k));
    let item = |key| Item::Function { key };
    (
        before.into_iter().map(item).collect(),
        after.into_iter().map(item).collect(),
    )
}

/// Tables with partitioned and inheritance parents before their children.
fn table_items(schema: &Schema) -> Vec<Item> {
    let names = ordered(schema.tables.keys().cloned().collect(), |n| {
        let t = &schema.tables[n];
        let mut parents = t.inherits.clone();
        parents.extend(t.partition_of.as_ref().map(|p| p.parent.clone()));
        parents
    });
    names
        .into_iter()
        .map(|n| Item::Table(TableItem::whole(n)))
        .collect()
}

/// Constraints (keys first, foreign keys last), indexes, policies, triggers, rules.
fn part_items(schema: &Schema) -> Vec<Item> {
    let rank = |kind: ConstraintKind| match kind {
        ConstraintKind::PrimaryKey | ConstraintKind::Unique | ConstraintKind::Exclusion => 0,
        ConstraintKind::Check => 1,
        ConstraintKind::ForeignKey => 2,
        ConstraintKind::Trigger => 3,
    };
    let part = |table: &QualifiedName, part| Item::TablePart {
        table: table.clone(),
        part,
    };
    let mut items = Vec::new();
    for pass in 0..3 {
        for t in schema.tables.values() {
            for c in t
                .constraints
                .iter()
                .filter(|c| c.is_local && rank(c.kind) == pass)
            {
                items.push(part(&t.name, Part::Constraint(c.name.clone())));
            }
        }
    }
    for t in schema.tables.values() {
        items.extend(
            t.indexes
                .iter()
                .map(|i| part(&t.name, Part::Index(i.name.clone()))),
        );
    }
    for t in schema.tables.values() {
        items.extend(
            t.policies
                .iter()
                .map(|p| part(&t.name, Part::Policy(p.name.clone()))),
        );
    }
    for t in schema.tables.values() {
        items.extend(
            t.triggers
                .iter()
                .map(|tr| part(&t.name, Part::Trigger(tr.name.clone()))),
        );
    }
    for t in schema.tables.values() {
        items.extend(
            t.rules
                .iter()
                .map(|r| part(&t.name, Part::Rule(r.name.clone()))),
        );
    }
    items
}

/// Views after the views they read; materialized views last.
fn view_items(schema: &Schema) -> Vec<Item> {
    let key = |n: &QualifiedName| {
        let kind = if schema.views[n].materialized {
            ObjectKind::MaterializedView
        } else {
            ObjectKind::View
        };
        relation_key(kind, n)
    };
    let mut names: Vec<QualifiedName> = schema.views.keys().cloned().collect();
    names.sort_by_key(|n| schema.views[n].materialized);
    ordered(names, |n| {
        needs(schema, &key(n))
            .into_iter()
            .filter(|k| matches!(k.kind, ObjectKind::View | ObjectKind::MaterializedView))
            .map(|k| k.name)
            .collect()
    })
    .into_iter()
    .map(|name| Item::View { name })
    .collect()
}

/// Every object of the managed schemas, in an order that replays.
pub fn every_item(schema: &Schema) -> Vec<Item> {
    let mut items: Vec<Item> = schema
        .schemas
        .iter()
        .map(|name| Item::Schema { name: name.clone() })
        .collect();
    items.extend(schema.extensions.iter().map(|e| Item::Extension {
        name: e.name.clone(),
        schema: e.schema.clone(),
    }));
    items.extend(
        schema
            .collations
            .keys()
            .map(|name| Item::Collation { name: name.clone() }),
    );
    items.extend(type_items(schema));
    items.extend(
        schema
            .sequences
            .values()
            .filter(|s| !s.is_identity && s.owned_by.is_none())
            .map(|s| Item::Sequence {
                name: s.name.clone(),
            }),
    );
    let (early, late) = function_items(schema);
    items.extend(early);
    items.extend(table_items(schema));
    items.extend(late);
    items.extend(part_items(schema));
    items.extend(view_items(schema));
    items
}

/// The longest common subsequence of two line lists, as (expected index, actual index)
/// pairs; quadratic, which is fine for dumps of a few thousand lines.
fn common_lines(a: &[&str], b: &[&str]) -> Vec<(usize, usize)> {
    let mut lengths = vec![vec![0u32; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lengths[i][j] = if a[i] == b[j] {
                lengths[i + 1][j + 1] + 1
            } else {
                lengths[i + 1][j].max(lengths[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut pairs) = (0, 0, Vec::new());
    while i < a.len() && j < b.len() {
        if a[i] == b[j] {
            pairs.push((i, j));
            i += 1;
            j += 1;
        } else if lengths[i + 1][j] >= lengths[i][j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    pairs
}

/// A unified-style diff of the first differences (`-` production, `+` copy), with up to
/// three lines of context, at most `limit` lines.
pub fn line_diff(expected: &str, actual: &str, limit: usize) -> String {
    let a: Vec<&str> = expected.lines().collect();
    let b: Vec<&str> = actual.lines().collect();
    let mut pairs = common_lines(&a, &b);
    pairs.push((a.len(), b.len()));
    let mut out = String::from("--- production\n+++ copy\n");
    let (mut i, mut j, mut lines) = (0, 0, 0);
    for (pi, pj) in pairs {
        if pi > i || pj > j {
            out.push_str(&format!("@@ -{} +{} @@\n", i + 1, j + 1));
            for line in &a[i.saturating_sub(3)..i] {
                out.push_str(&format!(" {line}\n"));
            }
            for line in &a[i..pi] {
                out.push_str(&format!("-{line}\n"));
            }
            for line in &b[j..pj] {
                out.push_str(&format!("+{line}\n"));
            }
            lines += (pi - i) + (pj - j) + 3;
            if lines > limit {
                out.push_str("...\n");
                break;
            }
        }
        i = pi + 1;
        j = pj + 1;
    }
    out
}

pub fn assert_same_dump(expected: &str, actual: &str, what: &str) {
    if expected != actual {
        panic!(
            "{what}: the dumps differ\n{}",
            line_diff(expected, actual, 120)
        );
    }
}
