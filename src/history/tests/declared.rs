//! Relations and types: create, rename, move, drop, and where unqualified names go.

use super::{declaration, declared, fold, set};
use crate::history::Rename;
use crate::model::{ObjectKind, QualifiedName};

#[test]
fn creates_relations_and_types() {
    let history = fold(&[r#"
        CREATE TABLE plain (id int PRIMARY KEY);
        CREATE TABLE IF NOT EXISTS guarded (id int);
        CREATE UNLOGGED TABLE fast (id int);
        CREATE TABLE copied (LIKE plain INCLUDING ALL);
        CREATE TEMP TABLE scratch (id int);
        CREATE TABLE pg_temp.scratch2 (id int);
        CREATE VIEW v AS SELECT id FROM plain;
        CREATE TEMP VIEW tv AS SELECT 1;
        CREATE MATERIALIZED VIEW mv AS SELECT id FROM plain;
        CREATE SEQUENCE counter;
        CREATE TYPE mood AS ENUM ('happy', 'sad');
        CREATE TYPE pair AS (a int, b text);
        CREATE TYPE span AS RANGE (subtype = float8);
        CREATE DOMAIN email AS text CHECK (VALUE LIKE '%@%');
    "#]);
    assert_eq!(
        declared(&history),
        set(&[
            "table public.plain",
            "table public.guarded",
            "table public.fast",
            "table public.copied",
            "view public.v",
            "materialized_view public.mv",
            "sequence public.counter",
            "type public.mood",
            "type public.pair",
            "type public.span",
            "type public.email",
        ])
    );
    assert!(history.warnings.is_empty());
}

#[test]
fn creates_tables_from_queries_and_partitions() {
    let history = fold(&[
        "CREATE TABLE events (at date) PARTITION BY RANGE (at);
         CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
         CREATE TABLE snapshot AS SELECT * FROM events;
         CREATE TABLE IF NOT EXISTS snapshot AS SELECT * FROM events;
         SELECT * INTO copy_of_events FROM events;
         CREATE MATERIALIZED VIEW IF NOT EXISTS recent AS SELECT * FROM events;",
    ]);
    assert_eq!(
        declared(&history),
        set(&[
            "table public.events",
            "table public.events_2024",
            "table public.snapshot",
            "table public.copy_of_events",
            "materialized_view public.recent",
        ])
    );
}

#[test]
fn if_not_exists_twice_keeps_the_first_creation() {
    let history = fold(&[
        "CREATE TABLE IF NOT EXISTS t (id int);",
        "CREATE TABLE IF NOT EXISTS t (id int);",
        "CREATE SEQUENCE IF NOT EXISTS t;",
    ]);
    assert_eq!(declared(&history), set(&["table public.t"]));
    let t = declaration(&history, "table public.t");
    assert_eq!((t.created_in, t.altered_in.clone()), (0, vec![]));
}

#[test]
fn or_replace_alters_and_plain_create_redeclares() {
    let history = fold(&[
        "CREATE VIEW v AS SELECT 1 AS x; CREATE TABLE t (id int);",
        "CREATE OR REPLACE VIEW v AS SELECT 2 AS x;",
        "CREATE TABLE t (id int, name text);",
    ]);
    let v = declaration(&history, "view public.v");
    assert_eq!((v.created_in, v.altered_in.clone()), (0, vec![1]));
    let t = declaration(&history, "table public.t");
    assert_eq!((t.created_in, t.altered_in.clone()), (2, vec![]));
}

#[test]
fn renames_twice_and_keeps_the_history_of_names() {
    let history = fold(&[
        "CREATE TABLE a (id int); CREATE TABLE other (id int);",
        "ALTER TABLE a RENAME TO b;",
        "ALTER TABLE IF EXISTS public.b RENAME TO c;",
    ]);
    assert_eq!(
        declared(&history),
        set(&["table public.c", "table public.other"])
    );
    let keys: Vec<String> = history.declared.keys().map(|k| k.to_string()).collect();
    assert_eq!(
        keys,
        ["table public.c", "table public.other"],
        "a renamed object keeps its place"
    );
    let c = declaration(&history, "table public.c");
    assert_eq!(c.created_in, 0);
    assert_eq!(c.altered_in, [1, 2]);
    assert_eq!(
        c.renamed_from,
        [
            QualifiedName::new("public", "a"),
            QualifiedName::new("public", "b")
        ]
    );
    assert!(history.renames.iter().all(|r| r.declared));
    assert_eq!(history.renames.len(), 2);
}

#[test]
fn rename_then_drop_leaves_nothing() {
    let history = fold(&[
        "CREATE TABLE a (id int);",
        "ALTER TABLE a RENAME TO b;",
        "DROP TABLE b;",
    ]);
    assert_eq!(declared(&history), set(&[]));
}

#[test]
fn a_rename_onto_a_declared_name_replaces_it() {
    // The rename ran, so `a` no longer existed by then (dropped where the history cannot
    // see it); the renamed table takes its name.
    let history = fold(&[
        "CREATE TABLE a (id int); CREATE TABLE other (id int);",
        "CREATE TABLE b AS SELECT * FROM a;\nALTER TABLE b RENAME TO a;",
        "CREATE VIEW v AS SELECT 1; CREATE TABLE last (id int); ALTER TABLE last RENAME TO v;",
    ]);
    let keys: Vec<String> = history.declared.keys().map(|k| k.to_string()).collect();
    assert_eq!(
        keys,
        ["table public.other", "table public.a", "table public.v"]
    );
    let a = declaration(&history, "table public.a");
    assert_eq!((a.created_in, a.altered_in.clone()), (1, vec![]));
    assert_eq!(a.renamed_from, [QualifiedName::new("public", "b")]);

    // The same through a schema move.
    let history = fold(&[
        "CREATE SCHEMA s; CREATE TABLE s.t (id int); CREATE TABLE t (id int);",
        "ALTER TABLE t SET SCHEMA s;",
    ]);
    let t = declaration(&history, "table s.t");
    assert_eq!((t.created_in, t.altered_in.clone()), (0, vec![1]));
    assert_eq!(t.renamed_from, [QualifiedName::new("public", "t")]);
    assert_eq!(history.declared.len(), 1);
}

#[test]
fn moves_objects_between_schemas() {
    let history = fold(&[
        "CREATE TABLE t (id int); CREATE TYPE mood AS ENUM ('a'); CREATE VIEW v AS SELECT 1;",
        "ALTER TABLE t SET SCHEMA app; ALTER TYPE mood SET SCHEMA app; ALTER VIEW v SET SCHEMA app;",
    ]);
    assert_eq!(
        declared(&history),
        set(&["table app.t", "type app.mood", "view app.v"])
    );
    let t = declaration(&history, "table app.t");
    assert_eq!(t.renamed_from, [QualifiedName::new("public", "t")]);
    assert_eq!(t.altered_in, [1]);
}

#[test]
fn alter_table_renames_a_view_and_types_rename_too() {
    let history = fold(&[
        "CREATE VIEW v AS SELECT 1; CREATE TYPE mood AS ENUM ('a'); CREATE DOMAIN d AS int;",
        "ALTER TABLE v RENAME TO w; ALTER TYPE mood RENAME TO feeling; ALTER DOMAIN d RENAME TO e;",
    ]);
    assert_eq!(
        declared(&history),
        set(&["view public.w", "type public.feeling", "type public.e"])
    );
}

#[test]
fn renaming_an_undeclared_object_is_remembered_but_not_declared() {
    let history = fold(&["ALTER TABLE base RENAME TO renamed_base;"]);
    assert_eq!(declared(&history), set(&[]));
    assert_eq!(
        history.renames,
        [Rename {
            file: 0,
            kind: ObjectKind::Table,
            from: QualifiedName::new("public", "base"),
            to: QualifiedName::new("public", "renamed_base"),
            signature: None,
            declared: false,
        }]
    );
}

#[test]
fn drops_several_names_and_tolerates_missing_ones() {
    let history = fold(&[
        "CREATE TABLE a (id int); CREATE TABLE b (id int); CREATE TABLE keep (id int);
         CREATE VIEW v AS SELECT 1; CREATE SEQUENCE s; CREATE TYPE mood AS ENUM ('x');
         CREATE DOMAIN d AS int; CREATE MATERIALIZED VIEW mv AS SELECT 1;",
        "DROP TABLE a, public.b CASCADE;
         DROP TABLE IF EXISTS missing;
         DROP VIEW IF EXISTS v; DROP SEQUENCE s; DROP TYPE mood, missing_type;
         DROP DOMAIN d; DROP MATERIALIZED VIEW mv;",
    ]);
    assert_eq!(declared(&history), set(&["table public.keep"]));
}

#[test]
fn drop_type_cascade_drops_routines_taking_it() {
    let history = fold(&[
        "CREATE TYPE mood AS ENUM ('a');
         CREATE FUNCTION f(m mood) RETURNS int LANGUAGE sql AS 'select 1';
         CREATE FUNCTION g(m mood[]) RETURNS int LANGUAGE sql AS 'select 1';
         CREATE FUNCTION h(x int) RETURNS int LANGUAGE sql AS 'select 1';",
        "DROP TYPE mood CASCADE;",
    ]);
    assert_eq!(declared(&history), set(&["function public.h(integer)"]));
}

#[test]
fn schemas_rename_and_drop_with_their_objects() {
    let history = fold(&[
        "CREATE SCHEMA app; CREATE TABLE app.t (id int); CREATE TABLE app.u (id int);
         CREATE SCHEMA tmp; CREATE TABLE tmp.x (id int); CREATE TABLE kept (id int);",
        "ALTER SCHEMA app RENAME TO core; DROP SCHEMA tmp CASCADE;",
    ]);
    assert_eq!(
        declared(&history),
        set(&["table core.t", "table core.u", "table public.kept"])
    );
}

#[test]
fn create_schema_elements_go_into_that_schema() {
    let history = fold(&["CREATE SCHEMA app CREATE TABLE t (id int) CREATE VIEW v AS SELECT 1;"]);
    assert_eq!(declared(&history), set(&["table app.t", "view app.v"]));
}

#[test]
fn search_path_places_unqualified_creations_and_resets_per_file() {
    let history = fold(&[
        "SET search_path TO app, public; CREATE TABLE t (id int); CREATE TABLE public.p (id int);",
        "CREATE TABLE u (id int);",
        "SELECT pg_catalog.set_config('search_path', 'reports', false); CREATE VIEW r AS SELECT 1;",
        "SET search_path = ''; CREATE TABLE public.z (id int);",
        "SET search_path TO \"$user\", pg_catalog, extra; CREATE TYPE k AS ENUM ('a');",
    ]);
    assert_eq!(
        declared(&history),
        set(&[
            "table app.t",
            "table public.p",
            "table public.u",
            "view reports.r",
            "table public.z",
            "type extra.k",
        ])
    );
}

#[test]
fn unqualified_references_prefer_the_schema_that_declares_the_name() {
    let history = fold(&[
        "CREATE TABLE public.y (id int); CREATE TABLE app.w (id int);",
        "SET search_path TO app, public; DROP TABLE y; DROP TABLE w;",
    ]);
    assert_eq!(declared(&history), set(&[]));
}

#[test]
fn quoted_names_keep_their_case() {
    let history = fold(&[
        r#"CREATE TABLE "UserSettings" (id int); CREATE TABLE "order" (id int);
           CREATE TABLE Lower_Case (id int); CREATE TYPE "Mood" AS ENUM ('a');"#,
    ]);
    assert_eq!(
        declared(&history),
        set(&[
            r#"table public."UserSettings""#,
            r#"table public."order""#,
            "table public.lower_case",
            r#"type public."Mood""#,
        ])
    );
    let names: Vec<&str> = history
        .declared
        .keys()
        .map(|k| k.name.name.as_str())
        .collect();
    assert_eq!(names, ["UserSettings", "order", "lower_case", "Mood"]);
}

#[test]
fn column_renames_and_schema_creations_are_remembered() {
    let h = fold(&[
        "create schema if not exists billing; create table billing.t (a int);",
        "alter table public.legacy rename column src to source;
         create schema billing;
         alter table billing.t rename column a to b;",
    ]);
    let renames: Vec<(usize, String, String, String)> = h
        .column_renames
        .iter()
        .map(|r| (r.file, r.table.to_string(), r.from.clone(), r.to.clone()))
        .collect();
    assert_eq!(
        renames,
        [
            (1, "public.legacy".into(), "src".into(), "source".into()),
            (1, "billing.t".into(), "a".into(), "b".into()),
        ]
    );
    assert_eq!(h.schemas.get("billing"), Some(&0));
    assert_eq!(h.schemas.len(), 1);
}

#[test]
fn extension_creations_are_remembered() {
    let h = fold(&[
        "select 1",
        "create extension if not exists pg_trgm with schema extensions; create extension \"uuid-ossp\";",
        "create extension pg_trgm;",
    ]);
    let found: Vec<(&str, usize)> = h.extensions.iter().map(|(n, f)| (n.as_str(), *f)).collect();
    assert_eq!(found, [("pg_trgm", 1), ("uuid-ossp", 1)]);
}

#[test]
fn collations_are_created_renamed_moved_and_dropped() {
    let history = fold(&[
        "CREATE COLLATION posix FROM \"POSIX\";
         CREATE COLLATION IF NOT EXISTS app.\"Numeric\" (provider = icu, locale = 'en-u-kn-true');
         CREATE COLLATION gone (provider = libc, locale = 'C');
         CREATE COLLATION later (provider = libc, locale = 'C');",
        "CREATE COLLATION IF NOT EXISTS posix (provider = libc, locale = 'C');
         ALTER COLLATION app.\"Numeric\" RENAME TO natural_order;
         ALTER COLLATION later SET SCHEMA app;
         DROP COLLATION IF EXISTS gone, missing;",
    ]);
    assert_eq!(
        declared(&history),
        set(&[
            "collation public.posix",
            "collation app.natural_order",
            "collation app.later"
        ])
    );
    assert_eq!(
        declaration(&history, "collation public.posix").created_in,
        0
    );
    assert!(history.warnings.is_empty());
}
