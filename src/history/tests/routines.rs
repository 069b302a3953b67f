//! Functions and procedures, keyed by their signatures.

use super::{declaration, declared, fold, referenced_in, set};
use crate::history::Rename;
use crate::model::{ObjectKind, QualifiedName};

#[test]
fn signatures_take_normalised_input_types() {
    let history = fold(&[r#"
        CREATE TYPE mood AS ENUM ('a');
        CREATE TYPE "Mood" AS ENUM ('a');
        CREATE FUNCTION f(a int, b varchar(10), c public.mood, OUT d text) LANGUAGE sql AS 'select ''x''';
        CREATE FUNCTION g(timestamptz, double precision, character(3), "char", pg_catalog.int8,
                          numeric(10,2)[], "Mood", mood, INOUT x bool, VARIADIC rest text[])
            RETURNS bool LANGUAGE sql AS 'select x';
        CREATE FUNCTION h() RETURNS TABLE (id uuid, n int) LANGUAGE sql AS 'select null::uuid, 1';
        CREATE FUNCTION "Odd"(t timestamp(3) without time zone, i interval) RETURNS void
            LANGUAGE sql AS '';
    "#]);
    assert_eq!(
        declared(&history),
        set(&[
            "type public.mood",
            r#"type public."Mood""#,
            "function public.f(integer, character varying, public.mood)",
            "function public.g(timestamp with time zone, double precision, character, \"char\", \
             bigint, numeric[], public.\"Mood\", public.mood, boolean, text[])",
            "function public.h()",
            r#"function public."Odd"(timestamp without time zone, interval)"#,
        ])
    );
}

#[test]
fn user_types_in_signatures_follow_the_search_path() {
    let history = fold(&[
        "CREATE SCHEMA app; CREATE TYPE app.level AS ENUM ('a');
         SET search_path TO app, public;
         CREATE FUNCTION public.f(l level, u unknown_type) RETURNS int LANGUAGE sql AS 'select 1';",
    ]);
    assert_eq!(
        declared(&history),
        set(&[
            "type app.level",
            "function public.f(app.level, app.unknown_type)"
        ])
    );
}

#[test]
fn overloads_drop_one_by_signature_or_all_by_name() {
    let history = fold(&[
        "CREATE FUNCTION f(integer) RETURNS int LANGUAGE sql AS 'select 1';
         CREATE FUNCTION f(text) RETURNS int LANGUAGE sql AS 'select 1';
         CREATE FUNCTION f(integer, text) RETURNS int LANGUAGE sql AS 'select 1';
         CREATE FUNCTION g(integer) RETURNS int LANGUAGE sql AS 'select 1';
         CREATE FUNCTION g(text) RETURNS int LANGUAGE sql AS 'select 1';",
        "DROP FUNCTION f(int4);",
    ]);
    assert_eq!(
        declared(&history),
        set(&[
            "function public.f(text)",
            "function public.f(integer, text)",
            "function public.g(integer)",
            "function public.g(text)",
        ])
    );
    let history = fold(&[
        "CREATE FUNCTION f(integer) RETURNS int LANGUAGE sql AS 'select 1';
         CREATE FUNCTION f(text) RETURNS int LANGUAGE sql AS 'select 1';
         CREATE FUNCTION g() RETURNS int LANGUAGE sql AS 'select 1';",
        "DROP FUNCTION f; DROP FUNCTION IF EXISTS missing(int), g();",
    ]);
    assert_eq!(declared(&history), set(&[]));
}

#[test]
fn drop_with_out_arguments_matches_the_input_signature() {
    let history = fold(&[
        "CREATE FUNCTION f(a int, OUT b text) LANGUAGE sql AS 'select ''x''';",
        "DROP FUNCTION f(a int, OUT b text);",
    ]);
    assert_eq!(declared(&history), set(&[]));
}

#[test]
fn or_replace_with_the_same_signature_alters() {
    let history = fold(&[
        "CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql AS 'select 1';",
        "CREATE OR REPLACE FUNCTION f(y integer) RETURNS int LANGUAGE sql AS 'select 2';
         CREATE OR REPLACE FUNCTION f(y bigint) RETURNS int LANGUAGE sql AS 'select 2';",
    ]);
    assert_eq!(
        declared(&history),
        set(&["function public.f(integer)", "function public.f(bigint)"])
    );
    let f = declaration(&history, "function public.f(integer)");
    assert_eq!((f.created_in, f.altered_in.clone()), (0, vec![1]));
    let f = declaration(&history, "function public.f(bigint)");
    assert_eq!((f.created_in, f.altered_in.clone()), (1, vec![]));
}

#[test]
fn procedures_are_their_own_kind() {
    let create = "CREATE PROCEDURE p(a int, OUT b int) LANGUAGE sql AS 'select 1';
         CREATE PROCEDURE q(text) LANGUAGE sql AS '';
         CREATE FUNCTION q(text) RETURNS int LANGUAGE sql AS 'select 1';";
    assert_eq!(
        declared(&fold(&[create])),
        set(&[
            "procedure public.p(integer)",
            "procedure public.q(text)",
            "function public.q(text)",
        ])
    );
    let history = fold(&[
        create,
        "DROP PROCEDURE q(text); DROP PROCEDURE IF EXISTS p(a int, OUT b int);",
    ]);
    assert_eq!(declared(&history), set(&["function public.q(text)"]));
}

#[test]
fn renames_and_moves_keep_the_signature() {
    let history = fold(&[
        "CREATE FUNCTION f(int) RETURNS int LANGUAGE sql AS 'select 1';
         CREATE FUNCTION f(text) RETURNS int LANGUAGE sql AS 'select 1';
         CREATE PROCEDURE p() LANGUAGE sql AS '';",
        "ALTER FUNCTION f(integer) RENAME TO g; ALTER FUNCTION f(text) SET SCHEMA app;
         ALTER PROCEDURE p RENAME TO q; ALTER FUNCTION missing(int) RENAME TO other;",
    ]);
    assert_eq!(
        declared(&history),
        set(&[
            "function public.g(integer)",
            "function app.f(text)",
            "procedure public.q()",
        ])
    );
    let g = declaration(&history, "function public.g(integer)");
    assert_eq!(g.renamed_from, [QualifiedName::new("public", "f")]);
    assert_eq!(
        history.renames.last(),
        Some(&Rename {
            file: 1,
            kind: ObjectKind::Function,
            from: QualifiedName::new("public", "missing"),
            to: QualifiedName::new("public", "other"),
            signature: Some("integer".to_string()),
            declared: false,
        })
    );
}

#[test]
fn aggregates_are_routines_with_their_input_types() {
    let h = fold(&[
        "create aggregate group_concat(text) (sfunc = textcat, stype = text);
         create aggregate public.total(*) (sfunc = int8inc, stype = bigint);
         create aggregate old_sum (basetype = int4, sfunc = int4pl, stype = int4);
         create aggregate gone(numeric) (sfunc = numeric_add, stype = numeric);",
        "drop aggregate gone(numeric);",
    ]);
    assert_eq!(
        declared(&h),
        set(&[
            "function public.group_concat(text)",
            "function public.total()",
            "function public.old_sum(integer)",
        ])
    );
}

#[test]
fn operators_are_keyed_by_their_operand_types() {
    let history = fold(&[
        "CREATE TYPE mood AS ENUM ('a');
         CREATE OPERATOR =~= (LEFTARG = numeric, RIGHTARG = numeric, FUNCTION = close_to);
         CREATE OPERATOR public.=~= (LEFTARG = mood, RIGHTARG = int4, PROCEDURE = f);
         CREATE OPERATOR ~~~ (RIGHTARG = pg_catalog.int8, FUNCTION = negated);
         CREATE OPERATOR !! (LEFTARG = int, RIGHTARG = int, FUNCTION = g);",
        "DROP OPERATOR ~~~ (NONE, bigint);
         DROP OPERATOR IF EXISTS public.!! (integer, integer), =~= (numeric, numeric);",
        "CREATE TABLE t (m public.mood CHECK (m =~= 1), n int CHECK (n = 1));",
    ]);
    assert_eq!(
        declared(&history),
        set(&[
            "type public.mood",
            "operator public.=~=(public.mood, integer)",
            "table public.t",
        ])
    );
    // A declared operator is referenced where used; a built-in one is not.
    let used = referenced_in(&history, 2);
    assert!(used.contains("public.\"=~=\""), "{used:?}");
    assert!(!used.contains("public.\"=\""), "{used:?}");
}

#[test]
fn event_triggers_are_keyed_by_their_function_schema_and_found_by_name() {
    let history = fold(&[
        "CREATE SCHEMA ops;
         CREATE FUNCTION ops.log_ddl() RETURNS event_trigger LANGUAGE plpgsql AS 'BEGIN END';
         CREATE EVENT TRIGGER log_ddl ON ddl_command_end EXECUTE FUNCTION ops.log_ddl();
         CREATE EVENT TRIGGER watch ON sql_drop EXECUTE PROCEDURE watcher();
         CREATE EVENT TRIGGER gone ON sql_drop EXECUTE FUNCTION watcher();",
        "ALTER EVENT TRIGGER watch RENAME TO watch_drops;
         DROP EVENT TRIGGER IF EXISTS gone;",
    ]);
    assert_eq!(
        declared(&history),
        set(&[
            "function ops.log_ddl()",
            "event_trigger log_ddl",
            "event_trigger watch_drops",
        ])
    );
    let schemas: Vec<&str> = history
        .declared
        .keys()
        .filter(|k| k.kind == ObjectKind::EventTrigger)
        .map(|k| k.name.schema.as_str())
        .collect();
    assert_eq!(schemas, ["ops", "public"]);
}

#[test]
fn altering_or_commenting_an_event_trigger_alters_it() {
    let history = fold(&[
        "CREATE SCHEMA ops;
         CREATE EVENT TRIGGER log_ddl ON ddl_command_end EXECUTE FUNCTION ops.log_ddl();",
        "ALTER EVENT TRIGGER log_ddl ENABLE ALWAYS;",
        "COMMENT ON EVENT TRIGGER log_ddl IS 'x';",
        "ALTER EVENT TRIGGER log_ddl OWNER TO postgres;",
    ]);
    assert_eq!(
        declaration(&history, "event_trigger log_ddl").altered_in,
        [1, 2, 3]
    );
}
