//! Parts that files add to existing objects, and which files alter a declared object.

use super::{declaration, fold};
use crate::history::History;
use crate::model::ObjectKind;

/// `(file, target, part, name)` of every addition, in order.
fn additions(history: &History) -> Vec<(usize, String, ObjectKind, String)> {
    history
        .additions
        .iter()
        .map(|a| (a.file, a.target.to_sql(), a.part, a.name.clone()))
        .collect()
}

fn row(
    file: usize,
    target: &str,
    part: ObjectKind,
    name: &str,
) -> (usize, String, ObjectKind, String) {
    (file, target.to_string(), part, name.to_string())
}

#[test]
fn table_parts_are_recorded_with_postgres_names() {
    let history = fold(&[
        "CREATE TABLE t (id int, a int, b int, email text, org uuid);",
        "ALTER TABLE t ADD COLUMN c int REFERENCES orgs(id), ADD COLUMN IF NOT EXISTS d text UNIQUE;
         ALTER TABLE t ADD CONSTRAINT named_check CHECK (a > b), ADD PRIMARY KEY (id);
         ALTER TABLE t ADD UNIQUE (a, b), ADD FOREIGN KEY (org) REFERENCES orgs, ADD CHECK (a > 0);
         ALTER TABLE t ADD CHECK (a > b);
         CREATE INDEX ON t (lower(email)); CREATE UNIQUE INDEX t_email_key ON t (email);
         CREATE INDEX ON t (a, b) INCLUDE (email);
         ALTER TABLE t ENABLE ROW LEVEL SECURITY; ALTER TABLE t FORCE ROW LEVEL SECURITY;
         CREATE POLICY \"Owners read\" ON t FOR SELECT USING (true);
         CREATE TRIGGER touch BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch();
         CREATE OR REPLACE RULE \"No Deletes\" AS ON DELETE TO t DO INSTEAD NOTHING;",
    ]);
    use ObjectKind::*;
    assert_eq!(
        additions(&history),
        [
            row(1, "public.t", Column, "c"),
            row(1, "public.t", Constraint, "t_c_fkey"),
            row(1, "public.t", Column, "d"),
            row(1, "public.t", Constraint, "t_d_key"),
            row(1, "public.t", Constraint, "named_check"),
            row(1, "public.t", Constraint, "t_pkey"),
            row(1, "public.t", Constraint, "t_a_b_key"),
            row(1, "public.t", Constraint, "t_org_fkey"),
            row(1, "public.t", Constraint, "t_a_check"),
            row(1, "public.t", Constraint, "t_check"),
            row(1, "public.t", Index, "t_lower_idx"),
            row(1, "public.t", Index, "t_email_key"),
            row(1, "public.t", Index, "t_a_b_email_idx"),
            row(1, "public.t", Rls, "enable"),
            row(1, "public.t", Rls, "force"),
            row(1, "public.t", Policy, "Owners read"),
            row(1, "public.t", Trigger, "touch"),
            row(1, "public.t", Rule, "No Deletes"),
        ]
    );
    let t = declaration(&history, "table public.t");
    assert_eq!((t.created_in, t.altered_in.clone()), (0, vec![1]));
}

#[test]
fn type_values_comments_and_grants_are_recorded() {
    let history = fold(&[
        "CREATE TYPE mood AS ENUM ('a'); CREATE DOMAIN positive AS int;
         CREATE TABLE t (id int CONSTRAINT t_id_positive CHECK (id > 0));
         CREATE FUNCTION f(int) RETURNS int LANGUAGE sql AS 'select 1';",
        "ALTER TYPE mood ADD VALUE 'b'; ALTER TYPE mood RENAME VALUE 'a' TO 'c';
         ALTER DOMAIN positive ADD CHECK (VALUE > 0);
         ALTER DOMAIN positive ADD CONSTRAINT small CHECK (VALUE < 10);
         COMMENT ON TABLE t IS 'x'; COMMENT ON COLUMN t.id IS 'y';
         COMMENT ON CONSTRAINT t_id_positive ON t IS 'z';
         COMMENT ON FUNCTION f(int) IS 'w'; COMMENT ON TYPE mood IS 'v';
         GRANT SELECT, UPDATE (id) ON t TO authenticated;
         GRANT ALL ON TABLE t TO service_role;
         GRANT EXECUTE ON FUNCTION f(int) TO anon;
         GRANT SELECT ON ALL TABLES IN SCHEMA public TO anon;
         REVOKE ALL ON t FROM anon;",
    ]);
    use ObjectKind::*;
    assert_eq!(
        additions(&history),
        [
            row(1, "public.mood", EnumValue, "b"),
            row(1, "public.positive", Constraint, "positive_check"),
            row(1, "public.positive", Constraint, "small"),
            row(1, "public.t", Comment, ""),
            row(1, "public.t", Comment, "id"),
            row(1, "public.t", Comment, "t_id_positive"),
            row(1, "public.f", Comment, ""),
            row(1, "public.mood", Comment, ""),
            row(1, "public.t", Grant, "SELECT"),
            row(1, "public.t", Grant, "UPDATE (id)"),
            row(1, "public.t", Grant, "ALL"),
            row(1, "public.f", Grant, "EXECUTE"),
        ]
    );
    for key in [
        "type public.mood",
        "type public.positive",
        "table public.t",
        "function public.f(integer)",
    ] {
        assert_eq!(declaration(&history, key).altered_in, [1], "{key}");
    }
    let t = crate::model::QualifiedName::new("public", "t");
    assert_eq!(history.additions_to(&t).count(), 6);
}

#[test]
fn alterations_are_listed_once_per_file_and_not_for_the_creating_file() {
    let history = fold(&[
        "CREATE TABLE t (id int); ALTER TABLE t ADD COLUMN a int; CREATE INDEX ON t (a);",
        "SELECT * FROM t;",
        "ALTER TABLE t DROP COLUMN a; ALTER TABLE t ALTER COLUMN id SET NOT NULL;",
        "CREATE INDEX t_id ON t (id); DROP TRIGGER IF EXISTS x ON t;",
        "ALTER TABLE missing ADD COLUMN z int;",
    ]);
    let t = declaration(&history, "table public.t");
    assert_eq!((t.created_in, t.altered_in.clone()), (0, vec![2, 3]));
    use ObjectKind::*;
    assert_eq!(
        additions(&history),
        [
            row(0, "public.t", Column, "a"),
            row(0, "public.t", Index, "t_a_idx"),
            row(3, "public.t", Index, "t_id"),
            row(4, "public.missing", Column, "z"),
        ]
    );
}

#[test]
fn long_generated_names_are_cut_like_postgres() {
    let table = "a_table_name_that_is_long_enough_to_need_cutting_down_x";
    let history = fold(&[&format!(
        "ALTER TABLE {table} ADD FOREIGN KEY (organisation_identifier) REFERENCES orgs;"
    )]);
    assert_eq!(
        additions(&history)[0].3,
        "a_table_name_that_is_long_enough_t_organisation_identifier_fkey"
    );
    assert_eq!(additions(&history)[0].3.len(), 63);
}
