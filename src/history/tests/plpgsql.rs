//! DO blocks (folded) and function bodies (references only).

use super::{declaration, declared, fold, referenced_in, set};
use crate::history::Warning;
use std::path::PathBuf;

const DYNAMIC: &str = "dynamic SQL (EXECUTE) in a DO block cannot be read statically; \
objects it creates are reported as drift";

fn path(index: usize) -> PathBuf {
    PathBuf::from(format!(
        "supabase/migrations/2024010100{index:04}_m{index}.sql"
    ))
}

#[test]
fn do_block_creations_inside_if_are_declared() {
    let history = fold(&["-- guarded creation
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'status') THEN
    CREATE TYPE status AS ENUM ('on', 'off');
  ELSE
    CREATE TABLE fallback (id int);
  END IF;
  ALTER TABLE base ADD COLUMN flag bool;
END
$$;"]);
    assert_eq!(
        declared(&history),
        set(&["type public.status", "table public.fallback"])
    );
    assert!(history.warnings.is_empty(), "{:?}", history.warnings);
    assert_eq!(
        referenced_in(&history, 0),
        set(&[
            "public.pg_type",
            "public.status",
            "public.fallback",
            "public.base"
        ])
    );
}

#[test]
fn execute_in_a_do_block_warns_at_its_line_and_declares_nothing() {
    let history = fold(&["CREATE TABLE real_one (id int);

DO $body$
DECLARE
  name text := 'x';
BEGIN
  EXECUTE format('CREATE TABLE %I (id int)', name);
END
$body$;
"]);
    assert_eq!(declared(&history), set(&["table public.real_one"]));
    assert_eq!(
        history.warnings,
        [Warning {
            path: path(0),
            line: 7,
            message: DYNAMIC.to_string(),
        }]
    );
    assert_eq!(
        referenced_in(&history, 0),
        set(&["public.real_one", "public.format"])
    );
}

#[test]
fn lines_count_from_the_do_body_in_later_files() {
    let history = fold(&[
        "SELECT 1;",
        "SELECT 1;\nDO $$ BEGIN EXECUTE 'CREATE TABLE a (id int)'; END $$;\n\nDO $$\nBEGIN\n  PERFORM 1;\n  EXECUTE 'x';\nEND $$;",
    ]);
    let lines: Vec<(PathBuf, usize)> = history
        .warnings
        .iter()
        .map(|w| (w.path.clone(), w.line))
        .collect();
    assert_eq!(lines, [(path(1), 2), (path(1), 7)]);
    assert_eq!(declared(&history), set(&[]));
}

#[test]
fn a_do_block_does_not_recreate_what_exists() {
    let history = fold(&[
        "CREATE TABLE t (id int);",
        "DO $$ BEGIN IF to_regclass('public.t') IS NULL THEN CREATE TABLE t (id int); END IF; END $$;",
    ]);
    let t = declaration(&history, "table public.t");
    assert_eq!((t.created_in, t.altered_in.clone()), (0, vec![]));
}

#[test]
fn do_blocks_in_other_languages_are_reported() {
    let history =
        fold(&["DO LANGUAGE plpython3u $$\nplpy.execute('CREATE TABLE t (id int)')\n$$;"]);
    assert_eq!(declared(&history), set(&[]));
    assert_eq!(history.warnings.len(), 1);
    assert_eq!(history.warnings[0].line, 1);
    assert!(history.warnings[0].message.contains("plpython3u"));
}

#[test]
fn function_bodies_add_references_but_declare_nothing() {
    let history = fold(&[r#"
CREATE FUNCTION make_things() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  r public.accounts%ROWTYPE;
  m public.mood;
BEGIN
  CREATE TABLE made_at_runtime (id int);
  INSERT INTO audit_log (what) VALUES ('x');
  EXECUTE 'DROP TABLE ' || quote_ident('y');
END $$;
CREATE FUNCTION sql_body() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM orders';
CREATE FUNCTION atomic_body() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT id FROM items; END;
"#]);
    assert_eq!(
        declared(&history),
        set(&[
            "function public.make_things()",
            "function public.sql_body()",
            "function public.atomic_body()",
        ])
    );
    assert!(history.warnings.is_empty(), "{:?}", history.warnings);
    assert_eq!(
        referenced_in(&history, 0),
        set(&[
            "public.make_things",
            // `m public.mood` is missing: libpg_query does not keep the name of a
            // variable's user type (it makes it a record).
            "public.accounts",
            "public.made_at_runtime",
            "public.audit_log",
            "public.quote_ident",
            "public.sql_body",
            "public.count",
            "public.orders",
            "public.atomic_body",
            "public.items",
        ])
    );
}

#[test]
fn trigger_function_bodies_are_read() {
    let history = fold(&["
CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := clock();
  INSERT INTO history_rows SELECT NEW.*;
  RETURN NEW;
END $$;
CREATE TRIGGER stamp BEFORE UPDATE ON things FOR EACH ROW EXECUTE FUNCTION stamp();
"]);
    assert_eq!(
        referenced_in(&history, 0),
        set(&[
            "public.stamp",
            "public.clock",
            "public.history_rows",
            "public.things"
        ])
    );
}

#[test]
fn unreadable_bodies_are_skipped() {
    let history = fold(&[
        "CREATE FUNCTION broken() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN ( ; END $$;
         CREATE FUNCTION bad_sql() RETURNS int LANGUAGE sql AS 'SELEC 1';
         CREATE FUNCTION c_func() RETURNS int LANGUAGE c AS 'lib', 'sym';",
    ]);
    assert_eq!(
        declared(&history),
        set(&[
            "function public.broken()",
            "function public.bad_sql()",
            "function public.c_func()",
        ])
    );
    assert!(history.warnings.is_empty());
}

#[test]
fn dynamic_grants_and_revokes_need_no_warning() {
    let history = fold(&["DO $$
DECLARE r name;
BEGIN
  FOR r IN SELECT rolname FROM pg_roles LOOP
    EXECUTE format('REVOKE ALL ON TABLE %s FROM %I', 'public.t', r);
    EXECUTE 'grant select on public.t to ' || quote_ident(r);
    EXECUTE format('GRANT SELECT ON public.t TO %I', r);
    EXECUTE format('CREATE TABLE %I (id int)', r);
    EXECUTE 'revoke' || ' all';
  END LOOP;
END $$;"]);
    let lines: Vec<usize> = history.warnings.iter().map(|w| w.line).collect();
    // The CREATE TABLE, and the two statements whose text is not one literal, are warned.
    assert_eq!(lines, [6, 8, 9], "{:?}", history.warnings);
    assert!(history.warnings.iter().all(|w| w.message == DYNAMIC));
}
