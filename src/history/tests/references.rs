//! The names each file mentions, which place imported objects before their first use.

use super::{fold, referenced_in, set};
use crate::model::QualifiedName;

#[test]
fn hand_made_tables_altered_or_referenced_are_recorded() {
    let history = fold(&[
        "CREATE TABLE unrelated (id int);",
        "ALTER TABLE public.base_t ADD COLUMN x int;
         CREATE TABLE c (p int REFERENCES base_p(id));",
    ]);
    assert_eq!(referenced_in(&history, 0), set(&["public.unrelated"]));
    assert_eq!(
        referenced_in(&history, 1),
        set(&["public.base_t", "public.c", "public.base_p"])
    );
    let base_t = QualifiedName::new("public", "base_t");
    assert_eq!(history.files_referencing(&base_t), [1]);
    assert_eq!(history.first_reference(&base_t), Some(1));
    assert_eq!(
        history.first_reference(&QualifiedName::new("public", "nope")),
        None
    );
}

#[test]
fn queries_and_dml_name_their_tables() {
    let history = fold(&["
        INSERT INTO app.settings (k) SELECT k FROM defaults d JOIN overrides o USING (k);
        UPDATE counters SET n = n + 1 FROM (SELECT * FROM deltas) s WHERE counters.id = s.id;
        DELETE FROM stale WHERE id IN (SELECT id FROM expired);
        WITH recent AS (SELECT * FROM events) SELECT * FROM recent;
        TRUNCATE wiped;
        COPY loaded FROM stdin;
        LOCK TABLE locked;
    "]);
    assert_eq!(
        referenced_in(&history, 0),
        set(&[
            "app.settings",
            "public.defaults",
            "public.overrides",
            "public.counters",
            "public.deltas",
            "public.stale",
            "public.expired",
            "public.events",
            // A CTE name looks like a table: a harmless over-approximation.
            "public.recent",
            "public.wiped",
            "public.loaded",
            "public.locked",
        ])
    );
}

#[test]
fn defaults_policies_triggers_and_types_name_what_they_use() {
    let history = fold(&["
        CREATE TABLE t (
            id bigint DEFAULT nextval('t_id_seq'::regclass),
            code int DEFAULT nextval('public.codes'),
            owner uuid DEFAULT auth.uid(),
            state mood NOT NULL,
            tags app.tag[],
            made timestamptz,
            parent bigint REFERENCES parents
        );
        CREATE POLICY p ON t USING (is_member(owner));
        CREATE TRIGGER tr AFTER INSERT ON t2 FOR EACH ROW EXECUTE FUNCTION notify_it();
        SELECT 'checked'::regclass;
    "]);
    assert_eq!(
        referenced_in(&history, 0),
        set(&[
            "public.t",
            "public.nextval",
            "public.t_id_seq",
            "public.codes",
            "auth.uid",
            "public.mood",
            "app.tag",
            "public.parents",
            "public.is_member",
            "public.t2",
            "public.notify_it",
            "public.checked",
        ])
    );
}

#[test]
fn ddl_on_existing_objects_names_them() {
    let history = fold(&[r#"
        DROP TABLE IF EXISTS gone_t, app.gone_u;
        DROP VIEW gone_v;
        DROP TYPE gone_type;
        DROP FUNCTION gone_f(int);
        DROP TRIGGER tr ON trig_table;
        DROP POLICY p ON app.pol_table;
        COMMENT ON COLUMN commented.col IS 'x';
        COMMENT ON TYPE commented_type IS 'x';
        GRANT SELECT ON granted TO anon;
        GRANT USAGE ON TYPE granted_type TO anon;
        GRANT EXECUTE ON FUNCTION granted_f(uuid) TO anon;
        ALTER TABLE renamed RENAME TO renamed_new;
        ALTER TYPE moved_type SET SCHEMA app;
        ALTER TYPE enum_t ADD VALUE 'v';
        ALTER SEQUENCE seq_s OWNED BY owner_t.id;
        CREATE INDEX ON indexed (a);
        ALTER FUNCTION altered_f() OWNER TO postgres;
        CREATE VIEW "V" AS SELECT * FROM "Source";
    "#]);
    assert_eq!(
        referenced_in(&history, 0),
        set(&[
            "public.gone_t",
            "app.gone_u",
            "public.gone_v",
            "public.gone_type",
            "public.gone_f",
            "public.trig_table",
            "app.pol_table",
            "public.commented",
            "public.commented_type",
            "public.granted",
            "public.granted_type",
            "public.granted_f",
            // The new names of a rename or move are in `History::renames`, not here: an
            // object placed before this file must exist under its old name.
            "public.renamed",
            "public.moved_type",
            "public.enum_t",
            "public.seq_s",
            "public.owner_t",
            "public.indexed",
            "public.altered_f",
            r#"public."V""#,
            r#"public."Source""#,
        ])
    );
}

#[test]
fn builtins_and_pg_catalog_are_not_references() {
    let history = fold(&["
        CREATE TABLE t (a integer, b text, c pg_catalog.int8, d uuid[], e jsonb, f pg_catalog.varchar(3));
        SELECT pg_catalog.now();
    "]);
    assert_eq!(referenced_in(&history, 0), set(&["public.t"]));
}

#[test]
fn each_file_is_listed_once_per_name_in_order() {
    let history = fold(&[
        "CREATE TABLE t (id int); INSERT INTO t VALUES (1); SELECT * FROM t;",
        "SELECT 1;",
        "UPDATE t SET id = 2;",
    ]);
    assert_eq!(
        history.files_referencing(&QualifiedName::new("public", "t")),
        [0, 2]
    );
}

#[test]
fn references_follow_the_search_path_of_their_file() {
    let history = fold(&[
        "CREATE TABLE app.t (id int);",
        "SET search_path TO app, public; SELECT * FROM t; SELECT * FROM u;",
        "SELECT * FROM t;",
    ]);
    assert_eq!(referenced_in(&history, 1), set(&["app.t", "app.u"]));
    assert_eq!(referenced_in(&history, 2), set(&["public.t"]));
}

#[test]
fn collations_a_statement_uses_are_references() {
    let history = fold(&[
        "CREATE TABLE t (a text COLLATE app.loose);",
        "CREATE DOMAIN d AS text COLLATE \"Numeric\";
         SELECT a FROM t ORDER BY a COLLATE app.strict;",
        "COMMENT ON COLLATION app.kept IS 'x'; DROP COLLATION app.old;",
    ]);
    let used = |file| referenced_in(&history, file);
    assert!(used(0).contains("app.loose"), "{:?}", used(0));
    assert!(
        used(1).contains("public.\"Numeric\"") && used(1).contains("app.strict"),
        "{:?}",
        used(1)
    );
    assert!(used(2).contains("app.kept") && used(2).contains("app.old"));
}
