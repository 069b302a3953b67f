//! Reads real catalogs: each test builds its own database from SQL, loads it with
//! `catalog::load` and checks the model.

use pgdrift::catalog;
use pgdrift::db::{Snapshot, Target};
use pgdrift::model::{
    Column, Constraint, ConstraintKind, Dependency, Grant, IdentityKind, Index, ObjectKey,
    ObjectKind, Part, PolicyCommand, QualifiedName, ReplicaIdentity, RoutineKind, Schema, Sequence,
    Table, TableKind, TypeBody, View,
};
use postgres::{Client, NoTls};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

fn server_url() -> String {
    std::env::var("PGDRIFT_TEST_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// `url` pointing at another database.
fn with_database(url: &str, database: &str) -> String {
    let mut parsed = url::Url::parse(url).expect("PGDRIFT_TEST_URL is a postgres:// URL");
    parsed.set_path(&format!("/{database}"));
    parsed.to_string()
}

/// A database made for one test from `sql`, dropped when the test ends, pass or fail.
struct TestDb {
    name: String,
    url: String,
}

impl TestDb {
    fn new(sql: &str) -> TestDb {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let name = format!(
            "pgdrift_cat_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst),
            nanos
        );
        let mut admin =
            Client::connect(&server_url(), NoTls).expect("connecting to the test server");
        admin
            .batch_execute(&format!("CREATE DATABASE {name} TEMPLATE template0"))
            .expect("creating the test database");
        let db = TestDb {
            url: with_database(&server_url(), &name),
            name,
        };
        let mut client = Client::connect(&db.url, NoTls).expect("connecting to the test database");
        client.batch_execute(sql).expect("loading the fixture");
        db
    }

    /// Loads the model of `schemas` and says how many queries it took.
    fn load_counted(&self, schemas: &[&str]) -> (Schema, usize) {
        let target = Target::resolve(Some(&self.url)).unwrap();
        let mut client = target.connect().unwrap();
        let mut snapshot = Snapshot::begin(&mut client, pgdrift::db::STATEMENT_TIMEOUT).unwrap();
        let schemas: Vec<String> = schemas.iter().map(|s| s.to_string()).collect();
        let schema = catalog::load(&mut snapshot, &schemas).unwrap();
        let count = snapshot.query_count();
        snapshot.finish().unwrap();
        (schema, count)
    }

    fn load(&self, schemas: &[&str]) -> Schema {
        self.load_counted(schemas).0
    }

    /// Reads `schemas` at `detail`, with the number of queries it took.
    fn read(&self, schemas: &[&str], detail: catalog::Detail) -> (Schema, usize) {
        let target = Target::resolve(Some(&self.url)).unwrap();
        let mut client = target.connect().unwrap();
        let mut snapshot = Snapshot::begin(&mut client, pgdrift::db::STATEMENT_TIMEOUT).unwrap();
        let schemas: Vec<String> = schemas.iter().map(|s| s.to_string()).collect();
        let schema = catalog::read(&mut snapshot, &schemas, detail).unwrap();
        let count = snapshot.query_count();
        snapshot.finish().unwrap();
        (schema, count)
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Ok(mut admin) = Client::connect(&server_url(), NoTls) {
            let _ = admin.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

/// Roles are cluster-wide: create them only if they are missing, even when tests race.
const ROLES: &str = "
DO $$ BEGIN CREATE ROLE pgdrift_cat_reader NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
DO $$ BEGIN CREATE ROLE pgdrift_cat_writer NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
";

fn name(schema: &str, name: &str) -> QualifiedName {
    QualifiedName::new(schema, name)
}

fn table<'s>(schema: &'s Schema, qualified: &str) -> &'s Table {
    let (s, n) = qualified.split_once('.').unwrap();
    schema
        .tables
        .get(&name(s, n))
        .unwrap_or_else(|| panic!("no table {qualified} in {:?}", schema.tables.keys()))
}

fn view<'s>(schema: &'s Schema, qualified: &str) -> &'s View {
    let (s, n) = qualified.split_once('.').unwrap();
    schema
        .views
        .get(&name(s, n))
        .unwrap_or_else(|| panic!("no view {qualified}"))
}

fn column<'t>(table: &'t Table, column: &str) -> &'t Column {
    table
        .columns
        .iter()
        .find(|c| c.name == column)
        .unwrap_or_else(|| panic!("no column {column} in {}", table.name))
}

fn constraint<'t>(table: &'t Table, name: &str) -> &'t Constraint {
    table
        .constraints
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no constraint {name} in {}", table.name))
}

fn column_names(table: &Table) -> Vec<&str> {
    table.columns.iter().map(|c| c.name.as_str()).collect()
}

fn index_names(indexes: &[Index]) -> Vec<&str> {
    indexes.iter().map(|i| i.name.as_str()).collect()
}

fn grant(grantee: &str, privilege: &str, grantable: bool) -> Grant {
    Grant {
        grantee: grantee.into(),
        privilege: privilege.into(),
        grantable,
    }
}

/// `table public.documents policy docs_all -> function public.is_owner(uuid)`.
fn describe(dependency: &Dependency) -> String {
    let part = match &dependency.part {
        Part::Whole => String::new(),
        Part::Column(n) => format!(" column {n}"),
        Part::Constraint(n) => format!(" constraint {n}"),
        Part::Index(n) => format!(" index {n}"),
        Part::Policy(n) => format!(" policy {n}"),
        Part::Trigger(n) => format!(" trigger {n}"),
        Part::Rule(n) => format!(" rule {n}"),
    };
    format!("{}{part} -> {}", dependency.from, dependency.to)
}

fn dependencies(schema: &Schema) -> Vec<String> {
    schema.dependencies.iter().map(describe).collect()
}

#[test]
fn columns_carry_every_feature() {
    let db = TestDb::new(
        "CREATE TYPE public.mood AS ENUM ('sad', 'happy');
         CREATE TABLE public.everything (
           id bigint GENERATED ALWAYS AS IDENTITY (START WITH 100 INCREMENT BY 5) PRIMARY KEY,
           serial_no serial,
           name text COLLATE \"C\" NOT NULL DEFAULT 'x',
           plain_name text,
           price numeric(10,2) NOT NULL DEFAULT 0,
           doubled numeric GENERATED ALWAYS AS (price * 2) STORED,
           feeling public.mood DEFAULT 'happy',
           token int GENERATED BY DEFAULT AS IDENTITY,
           created_at timestamptz DEFAULT now()
         );
         ALTER TABLE public.everything DROP COLUMN plain_name;
         ALTER TABLE public.everything ALTER COLUMN token DROP IDENTITY;
         ALTER TABLE public.everything DROP COLUMN token;",
    );
    let schema = db.load(&["public"]);
    let t = table(&schema, "public.everything");
    assert_eq!(
        column_names(t),
        [
            "id",
            "serial_no",
            "name",
            "price",
            "doubled",
            "feeling",
            "created_at"
        ]
    );

    let id = column(t, "id");
    assert_eq!(id.type_sql, "bigint");
    assert!(id.not_null);
    assert_eq!(id.default, None);
    let identity = id.identity.as_ref().expect("id is an identity column");
    assert_eq!(identity.kind, IdentityKind::Always);
    let expected = Sequence {
        name: name("public", "everything_id_seq"),
        data_type: "bigint".into(),
        start: 100,
        increment: 5,
        min_value: 1,
        max_value: i64::MAX,
        cache: 1,
        cycle: false,
        owned_by: Some((name("public", "everything"), "id".into())),
        is_identity: true,
        comment: None,
        grants: vec![],
    };
    assert_eq!(identity.sequence, expected);
    assert_eq!(
        schema.sequences[&name("public", "everything_id_seq")],
        expected
    );

    let serial = column(t, "serial_no");
    assert_eq!(serial.type_sql, "integer");
    assert!(serial.not_null);
    assert!(serial.identity.is_none());
    assert_eq!(
        serial.default.as_deref(),
        Some("nextval('public.everything_serial_no_seq'::regclass)")
    );

    let name_column = column(t, "name");
    assert_eq!(name_column.collation, Some(name("pg_catalog", "C")));
    assert_eq!(name_column.default.as_deref(), Some("'x'::text"));
    assert!(name_column.not_null);

    let price = column(t, "price");
    assert_eq!(price.type_sql, "numeric(10,2)");
    assert_eq!(price.collation, None);
    assert_eq!(price.default.as_deref(), Some("0"));

    let doubled = column(t, "doubled");
    assert_eq!(doubled.generated.as_deref(), Some("(price * (2)::numeric)"));
    assert_eq!(
        doubled.default, None,
        "a generation expression is not a default"
    );
    assert!(!doubled.not_null);

    let feeling = column(t, "feeling");
    assert_eq!(feeling.type_sql, "public.mood");
    assert_eq!(feeling.default.as_deref(), Some("'happy'::public.mood"));
    assert_eq!(column(t, "created_at").type_sql, "timestamp with time zone");
    assert!(t.columns.iter().all(|c| c.is_local));
    assert_eq!(t.estimated_rows, -1, "never analyzed");
    assert!(t.size_bytes > 0);
    assert_eq!(t.owner, "postgres");
}

#[test]
fn partitions_carry_their_parent_bound_and_key() {
    let db = TestDb::new(
        "CREATE FUNCTION public.check_row() RETURNS trigger LANGUAGE plpgsql
           AS $$ BEGIN RETURN NEW; END $$;
         CREATE TABLE public.measurements (
           id bigint NOT NULL,
           taken_on date NOT NULL,
           value double precision CHECK (value >= 0),
           PRIMARY KEY (id, taken_on)
         ) PARTITION BY RANGE (taken_on);
         CREATE TABLE public.measurements_2024 PARTITION OF public.measurements
           FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
         CREATE TABLE public.measurements_other PARTITION OF public.measurements DEFAULT;
         CREATE INDEX measurements_taken_idx ON public.measurements (taken_on);
         CREATE TRIGGER measurements_check AFTER INSERT ON public.measurements
           FOR EACH ROW EXECUTE FUNCTION public.check_row();
         CREATE TABLE public.events (id int, kind text) PARTITION BY LIST (kind);
         CREATE TABLE public.events_a PARTITION OF public.events FOR VALUES IN ('a', 'b');",
    );
    let schema = db.load(&["public"]);
    let parent = table(&schema, "public.measurements");
    assert_eq!(parent.kind, TableKind::Partitioned);
    assert_eq!(parent.partition_key.as_deref(), Some("RANGE (taken_on)"));
    assert!(parent.partition_of.is_none());
    assert_eq!(parent.estimated_rows, -1);
    assert_eq!(
        table(&schema, "public.events").partition_key.as_deref(),
        Some("LIST (kind)")
    );

    let p2024 = table(&schema, "public.measurements_2024");
    assert_eq!(p2024.kind, TableKind::Regular);
    assert_eq!(p2024.partition_key, None);
    let of = p2024.partition_of.as_ref().unwrap();
    assert_eq!(of.parent, name("public", "measurements"));
    assert_eq!(of.bound, "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')");
    assert!(
        p2024.inherits.is_empty(),
        "a partition is not an inheritance child"
    );
    assert!(p2024.columns.iter().all(|c| !c.is_local));
    let other = table(&schema, "public.measurements_other");
    assert_eq!(other.partition_of.as_ref().unwrap().bound, "DEFAULT");
    assert_eq!(
        table(&schema, "public.events_a")
            .partition_of
            .as_ref()
            .unwrap()
            .bound,
        "FOR VALUES IN ('a', 'b')"
    );

    // The parent's constraints are the parent's; the partitions' copies are marked.
    assert!(parent.constraints.iter().all(|c| c.is_local));
    let pkey = constraint(p2024, "measurements_2024_pkey");
    assert_eq!(pkey.kind, ConstraintKind::PrimaryKey);
    assert!(!pkey.is_local);
    assert!(!constraint(p2024, "measurements_value_check").is_local);

    // The parent's index builds the partitions' ones: no ONLY.
    assert_eq!(
        parent.indexes[0].definition,
        "CREATE INDEX measurements_taken_idx ON public.measurements USING btree (taken_on)"
    );
    assert!(!parent.indexes[0].inherited);
    assert_eq!(
        index_names(&p2024.indexes),
        ["measurements_2024_taken_on_idx"]
    );
    assert!(p2024.indexes[0].inherited);
    assert_eq!(
        index_names(&other.indexes),
        ["measurements_other_taken_on_idx"]
    );

    // The trigger is on the parent only, not on its clones.
    assert_eq!(parent.triggers.len(), 1);
    assert!(p2024.triggers.is_empty());
    assert!(other.triggers.is_empty());
    assert!(dependencies(&schema)
        .contains(&"table public.measurements_2024 -> table public.measurements".to_string()));
}

#[test]
fn inheritance_unlogged_and_storage_options() {
    let db = TestDb::new(
        "CREATE TABLE public.base_things (id integer, note text CHECK (note <> ''));
         CREATE TABLE public.more_base (extra text);
         CREATE TABLE public.child_things (own text) INHERITS (public.more_base, public.base_things);
         CREATE UNLOGGED TABLE public.cache_entries (k text PRIMARY KEY, v text)
           WITH (fillfactor = 70, autovacuum_enabled = false, toast.autovacuum_enabled = false);",
    );
    let schema = db.load(&["public"]);
    let child = table(&schema, "public.child_things");
    assert_eq!(
        child.inherits,
        [name("public", "more_base"), name("public", "base_things")],
        "in inhseqno order"
    );
    assert_eq!(column_names(child), ["extra", "id", "note", "own"]);
    assert_eq!(
        child.columns.iter().map(|c| c.is_local).collect::<Vec<_>>(),
        [false, false, false, true]
    );
    assert!(!constraint(child, "base_things_note_check").is_local);
    assert!(
        constraint(
            table(&schema, "public.base_things"),
            "base_things_note_check"
        )
        .is_local
    );
    assert!(!child.unlogged);

    let cache = table(&schema, "public.cache_entries");
    assert!(cache.unlogged);
    assert_eq!(
        cache.options,
        [
            "fillfactor=70",
            "autovacuum_enabled=false",
            "toast.autovacuum_enabled=false"
        ]
    );
    assert!(cache.inherits.is_empty());
    assert!(!cache.rls_enabled);
}

#[test]
fn constraints_of_each_kind() {
    let db = TestDb::new(
        "CREATE TABLE public.parents (id integer PRIMARY KEY, code text);
         CREATE UNIQUE INDEX parents_code_key_idx ON public.parents (code);
         CREATE FUNCTION public.check_kid() RETURNS trigger LANGUAGE plpgsql
           AS $$ BEGIN RETURN NULL; END $$;
         CREATE TABLE public.kids (
           id integer,
           parent_id integer,
           parent_code text,
           during tsrange,
           CONSTRAINT kids_pkey PRIMARY KEY (id) WITH (fillfactor = 80),
           CONSTRAINT kids_parent_fk FOREIGN KEY (parent_id) REFERENCES public.parents (id)
             ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
           CONSTRAINT kids_code_uq UNIQUE (parent_code)
             WITH (fillfactor = 70, deduplicate_items = off) DEFERRABLE,
           CONSTRAINT kids_no_overlap EXCLUDE USING gist (during WITH &&) WITH (fillfactor = 60)
         );
         ALTER TABLE public.kids ADD CONSTRAINT kids_code_fk
           FOREIGN KEY (parent_code) REFERENCES public.parents (code) NOT VALID;
         ALTER TABLE public.kids ADD CONSTRAINT kids_id_positive CHECK (id > 0) NOT VALID;
         CREATE CONSTRAINT TRIGGER kids_check AFTER INSERT ON public.kids
           DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.check_kid();",
    );
    let schema = db.load(&["public"]);
    let kids = table(&schema, "public.kids");
    let summary: Vec<_> = kids
        .constraints
        .iter()
        .map(|c| {
            (
                c.name.as_str(),
                c.kind,
                c.definition.as_str(),
                c.validated,
                c.deferrable,
                c.initially_deferred,
            )
        })
        .collect();
    use ConstraintKind::*;
    assert_eq!(
        summary,
        [
            ("kids_check", Trigger, "TRIGGER DEFERRABLE INITIALLY DEFERRED", true, true, true),
            (
                "kids_code_fk",
                ForeignKey,
                "FOREIGN KEY (parent_code) REFERENCES public.parents(code) NOT VALID",
                false,
                false,
                false
            ),
            (
                "kids_code_uq",
                Unique,
                "UNIQUE (parent_code) WITH (fillfactor='70', deduplicate_items=off) DEFERRABLE",
                true,
                true,
                false
            ),
            ("kids_id_positive", Check, "CHECK (id > 0) NOT VALID", false, false, false),
            (
                "kids_no_overlap",
                Exclusion,
                "EXCLUDE USING gist (during WITH &&) WITH (fillfactor='60')",
                true,
                false,
                false
            ),
            (
                "kids_parent_fk",
                ForeignKey,
                "FOREIGN KEY (parent_id) REFERENCES public.parents(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED",
                true,
                true,
                true
            ),
            (
                "kids_pkey",
                PrimaryKey,
                "PRIMARY KEY (id) WITH (fillfactor='80')",
                true,
                false,
                false
            ),
        ]
    );
    assert_eq!(
        constraint(kids, "kids_code_fk").references,
        Some(name("public", "parents"))
    );
    assert_eq!(constraint(kids, "kids_pkey").references, None);
    assert!(kids.constraints.iter().all(|c| c.is_local));
    // Indexes that back a constraint come with it; the unique index a foreign key points
    // at is the table's own.
    assert!(kids.indexes.is_empty(), "{:?}", kids.indexes);
    assert_eq!(
        index_names(&table(&schema, "public.parents").indexes),
        ["parents_code_key_idx"]
    );
}

#[test]
fn replica_identities_other_than_the_default() {
    let db = TestDb::new(
        "CREATE TABLE public.full_rows (id int PRIMARY KEY);
         ALTER TABLE public.full_rows REPLICA IDENTITY FULL;
         CREATE TABLE public.no_rows (id int);
         ALTER TABLE public.no_rows REPLICA IDENTITY NOTHING;
         CREATE TABLE public.by_index (id int NOT NULL);
         CREATE UNIQUE INDEX \"By Id\" ON public.by_index (id);
         ALTER TABLE public.by_index REPLICA IDENTITY USING INDEX \"By Id\";
         CREATE TABLE public.by_key (id int CONSTRAINT by_key_pk PRIMARY KEY);
         ALTER TABLE public.by_key REPLICA IDENTITY USING INDEX by_key_pk;
         CREATE TABLE public.dropped (id int NOT NULL);
         CREATE UNIQUE INDEX dropped_id ON public.dropped (id);
         ALTER TABLE public.dropped REPLICA IDENTITY USING INDEX dropped_id;
         DROP INDEX public.dropped_id;
         CREATE TABLE public.plain (id int PRIMARY KEY);
         ALTER TABLE public.plain REPLICA IDENTITY DEFAULT;",
    );
    let schema = db.load(&["public"]);
    let identities: Vec<(String, ReplicaIdentity)> = schema
        .replica_identities
        .iter()
        .map(|(n, i)| (n.to_string(), i.clone()))
        .collect();
    assert_eq!(
        identities,
        [
            (
                "public.by_index".to_string(),
                ReplicaIdentity::Index("By Id".into())
            ),
            (
                "public.by_key".to_string(),
                ReplicaIdentity::Index("by_key_pk".into())
            ),
            ("public.full_rows".to_string(), ReplicaIdentity::Full),
            ("public.no_rows".to_string(), ReplicaIdentity::Nothing),
        ],
        "a dropped identity index leaves what pg_dump shows: the default"
    );
    assert_eq!(
        schema.replica_identity(&name("public", "plain")),
        &ReplicaIdentity::Default
    );
}

#[test]
fn rules_of_tables_and_views() {
    let db = TestDb::new(
        "CREATE TABLE public.t (id int);
         CREATE TABLE public.log (id int);
         CREATE RULE t_log AS ON INSERT TO public.t DO ALSO INSERT INTO public.log VALUES (new.id);
         CREATE RULE \"T Keep\" AS ON DELETE TO public.t DO INSTEAD NOTHING;
         ALTER TABLE public.t ENABLE REPLICA RULE \"T Keep\";
         COMMENT ON RULE t_log ON public.t IS 'audit';
         CREATE VIEW public.v AS SELECT id FROM public.t;
         CREATE RULE v_insert AS ON INSERT TO public.v DO INSTEAD INSERT INTO public.t VALUES (new.id);",
    );
    let schema = db.load(&["public"]);
    let t = table(&schema, "public.t");
    let rules: Vec<(&str, char, Option<&str>)> = t
        .rules
        .iter()
        .map(|r| (r.name.as_str(), r.enabled, r.comment.as_deref()))
        .collect();
    assert_eq!(
        rules,
        [("T Keep", 'R', None), ("t_log", 'O', Some("audit"))]
    );
    assert_eq!(
        t.rules[1].definition,
        "CREATE RULE t_log AS\n    ON INSERT TO public.t DO  INSERT INTO public.log (id)\n  VALUES (new.id)"
    );
    let v = view(&schema, "public.v");
    let names: Vec<&str> = v.rules.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["v_insert"], "not the view's own _RETURN rule");
    assert!(dependencies(&schema)
        .contains(&"table public.t rule t_log -> table public.log".to_string()));
}

#[test]
fn the_index_cluster_uses() {
    let db = TestDb::new(
        "CREATE TABLE public.by_key (id int PRIMARY KEY);
         ALTER TABLE public.by_key CLUSTER ON by_key_pkey;
         CREATE TABLE public.by_index (id int);
         CREATE INDEX \"By Id\" ON public.by_index (id);
         ALTER TABLE public.by_index CLUSTER ON \"By Id\";
         CREATE TABLE public.unmarked (id int PRIMARY KEY);
         ALTER TABLE public.unmarked CLUSTER ON unmarked_pkey;
         ALTER TABLE public.unmarked SET WITHOUT CLUSTER;
         CREATE MATERIALIZED VIEW public.ids AS SELECT id FROM public.by_key;
         CREATE INDEX ids_id ON public.ids (id);
         ALTER TABLE public.ids CLUSTER ON ids_id;",
    );
    let schema = db.load(&["public"]);
    let clustered = |n: &str| table(&schema, n).clustered_on.as_deref();
    assert_eq!(clustered("public.by_key"), Some("by_key_pkey"));
    assert_eq!(clustered("public.by_index"), Some("By Id"));
    assert_eq!(clustered("public.unmarked"), None);
    assert_eq!(
        view(&schema, "public.ids").clustered_on.as_deref(),
        Some("ids_id")
    );
}

#[test]
fn indexes_partial_expression_and_include() {
    let db = TestDb::new(
        "CREATE TABLE public.kids (id integer PRIMARY KEY, parent_id integer, code text);
         CREATE INDEX kids_partial_idx ON public.kids (parent_id) WHERE parent_id IS NOT NULL;
         CREATE INDEX kids_expr_idx ON public.kids (lower(code));
         CREATE INDEX kids_include_idx ON public.kids (parent_id) INCLUDE (code);
         CREATE UNIQUE INDEX kids_code_idx ON public.kids USING btree (code DESC NULLS LAST);",
    );
    let schema = db.load(&["public"]);
    let kids = table(&schema, "public.kids");
    let defs: Vec<_> = kids
        .indexes
        .iter()
        .map(|i| (i.name.as_str(), i.definition.as_str(), i.inherited))
        .collect();
    assert_eq!(
        defs,
        [
            (
                "kids_code_idx",
                "CREATE UNIQUE INDEX kids_code_idx ON public.kids USING btree (code DESC NULLS LAST)",
                false
            ),
            (
                "kids_expr_idx",
                "CREATE INDEX kids_expr_idx ON public.kids USING btree (lower(code))",
                false
            ),
            (
                "kids_include_idx",
                "CREATE INDEX kids_include_idx ON public.kids USING btree (parent_id) INCLUDE (code)",
                false
            ),
            (
                "kids_partial_idx",
                "CREATE INDEX kids_partial_idx ON public.kids USING btree (parent_id) WHERE (parent_id IS NOT NULL)",
                false
            ),
        ]
    );
    assert!(!index_names(&kids.indexes).contains(&"kids_pkey"));
}

#[test]
fn row_level_security_and_policies() {
    let db = TestDb::new(&format!(
        "{ROLES}
         CREATE SCHEMA auth;
         CREATE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE AS $$ SELECT NULL::uuid $$;
         CREATE TABLE public.documents (id uuid PRIMARY KEY, owner_id uuid NOT NULL, body text);
         CREATE TABLE public.notes (id int);
         ALTER TABLE public.documents ENABLE ROW LEVEL SECURITY;
         ALTER TABLE public.documents FORCE ROW LEVEL SECURITY;
         ALTER TABLE public.notes ENABLE ROW LEVEL SECURITY;
         CREATE POLICY docs_all ON public.documents USING (owner_id = auth.uid());
         CREATE POLICY docs_select ON public.documents FOR SELECT
           TO pgdrift_cat_writer, pgdrift_cat_reader USING (true);
         CREATE POLICY docs_insert ON public.documents FOR INSERT TO pgdrift_cat_writer
           WITH CHECK (owner_id = auth.uid());
         CREATE POLICY docs_update ON public.documents FOR UPDATE
           USING (owner_id = auth.uid()) WITH CHECK (body IS NOT NULL);
         CREATE POLICY docs_delete ON public.documents AS RESTRICTIVE FOR DELETE USING (false);"
    ));
    let schema = db.load(&["public"]);
    let docs = table(&schema, "public.documents");
    assert!(docs.rls_enabled);
    assert!(docs.rls_forced);
    let notes = table(&schema, "public.notes");
    assert!(notes.rls_enabled);
    assert!(!notes.rls_forced);

    let policies: Vec<_> = docs
        .policies
        .iter()
        .map(|p| {
            (
                p.name.as_str(),
                p.command,
                p.permissive,
                p.roles.join(","),
                p.using.as_deref(),
                p.with_check.as_deref(),
            )
        })
        .collect();
    use PolicyCommand::*;
    assert_eq!(
        policies,
        [
            (
                "docs_all",
                All,
                true,
                "public".into(),
                Some("(owner_id = auth.uid())"),
                None
            ),
            (
                "docs_delete",
                Delete,
                false,
                "public".into(),
                Some("false"),
                None
            ),
            (
                "docs_insert",
                Insert,
                true,
                "pgdrift_cat_writer".into(),
                None,
                Some("(owner_id = auth.uid())")
            ),
            (
                "docs_select",
                Select,
                true,
                "pgdrift_cat_reader,pgdrift_cat_writer".into(),
                Some("true"),
                None
            ),
            (
                "docs_update",
                Update,
                true,
                "public".into(),
                Some("(owner_id = auth.uid())"),
                Some("(body IS NOT NULL)")
            ),
        ]
    );
}

#[test]
fn triggers_on_tables_and_views() {
    let db = TestDb::new(
        "CREATE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql
           AS $$ BEGIN RETURN NEW; END $$;
         CREATE TABLE public.things (id int PRIMARY KEY, parent int REFERENCES public.things);
         CREATE TRIGGER things_touch BEFORE INSERT OR UPDATE OF id ON public.things
           FOR EACH ROW WHEN (NEW.id > 0) EXECUTE FUNCTION public.touch();
         CREATE CONSTRAINT TRIGGER things_check AFTER INSERT ON public.things
           DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.touch();
         CREATE TRIGGER things_replica AFTER DELETE ON public.things
           FOR EACH STATEMENT EXECUTE FUNCTION public.touch();
         ALTER TABLE public.things DISABLE TRIGGER things_check;
         ALTER TABLE public.things ENABLE REPLICA TRIGGER things_replica;
         CREATE VIEW public.thing_ids AS SELECT id FROM public.things;
         CREATE TRIGGER thing_ids_insert INSTEAD OF INSERT ON public.thing_ids
           FOR EACH ROW EXECUTE FUNCTION public.touch();",
    );
    let schema = db.load(&["public"]);
    let things = table(&schema, "public.things");
    let triggers: Vec<_> = things
        .triggers
        .iter()
        .map(|t| {
            (
                t.name.as_str(),
                t.definition.as_str(),
                t.enabled,
                t.is_constraint,
            )
        })
        .collect();
    assert_eq!(
        triggers,
        [
            (
                "things_check",
                "CREATE CONSTRAINT TRIGGER things_check AFTER INSERT ON public.things DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.touch()",
                'D',
                true
            ),
            (
                "things_replica",
                "CREATE TRIGGER things_replica AFTER DELETE ON public.things FOR EACH STATEMENT EXECUTE FUNCTION public.touch()",
                'R',
                false
            ),
            (
                "things_touch",
                "CREATE TRIGGER things_touch BEFORE INSERT OR UPDATE OF id ON public.things FOR EACH ROW WHEN ((new.id > 0)) EXECUTE FUNCTION public.touch()",
                'O',
                false
            ),
        ],
        "the foreign key's internal triggers are not user triggers"
    );
    assert!(things
        .triggers
        .iter()
        .all(|t| t.function == name("public", "touch")));
    let ids = view(&schema, "public.thing_ids");
    assert_eq!(ids.triggers.len(), 1);
    assert_eq!(
        ids.triggers[0].definition,
        "CREATE TRIGGER thing_ids_insert INSTEAD OF INSERT ON public.thing_ids FOR EACH ROW EXECUTE FUNCTION public.touch()"
    );
}

#[test]
fn functions_overloads_procedures_and_aggregates() {
    let db = TestDb::new(&format!(
        "{ROLES}
         CREATE TYPE public.mood AS ENUM ('sad', 'happy');
         CREATE FUNCTION public.add(a integer, b integer) RETURNS integer
           LANGUAGE sql IMMUTABLE AS $$ SELECT a + b $$;
         CREATE FUNCTION public.add(a varchar(10), b public.mood[], c timestamptz DEFAULT now())
           RETURNS text LANGUAGE sql AS $$ SELECT a $$;
         CREATE PROCEDURE public.reset_things(keep integer) LANGUAGE plpgsql
           AS $$ BEGIN PERFORM keep; END $$;
         CREATE FUNCTION public.nothing() RETURNS void LANGUAGE sql AS $$ $$;
         CREATE AGGREGATE public.total(integer) (sfunc = int4pl, stype = integer);
         CREATE TYPE public.span AS RANGE (subtype = integer);
         GRANT EXECUTE ON FUNCTION public.add(integer, integer) TO pgdrift_cat_reader WITH GRANT OPTION;
         REVOKE EXECUTE ON FUNCTION public.nothing() FROM PUBLIC;"
    ));
    let schema = db.load(&["public"]);
    let keys: Vec<_> = schema.functions.keys().map(|k| k.to_string()).collect();
    assert_eq!(
        keys,
        [
            "function public.add(character varying, public.mood[], timestamp with time zone)",
            "function public.add(integer, integer)",
            "function public.nothing()",
            "procedure public.reset_things(integer)",
            "function public.total(integer)",
        ],
        "the range's constructors are the range's"
    );
    let key = |kind, n: &str, sig: &str| ObjectKey::routine(kind, name("public", n), sig);
    let add = &schema.functions[&key(ObjectKind::Function, "add", "integer, integer")];
    assert_eq!(add.kind, RoutineKind::Function);
    assert_eq!(add.identity_arguments, "a integer, b integer");
    assert_eq!(add.language, "sql");
    assert_eq!(add.owner, "postgres");
    assert_eq!(
        add.definition,
        "CREATE OR REPLACE FUNCTION public.add(a integer, b integer)\n RETURNS integer\n LANGUAGE sql\n IMMUTABLE\nAS $function$ SELECT a + b $function$\n"
    );
    assert_eq!(
        add.grants,
        [
            grant("PUBLIC", "EXECUTE", false),
            grant("pgdrift_cat_reader", "EXECUTE", true)
        ]
    );
    let add_text = &schema.functions[&key(
        ObjectKind::Function,
        "add",
        "character varying, public.mood[], timestamp with time zone",
    )];
    assert_eq!(
        add_text.identity_arguments,
        "a character varying, b public.mood[], c timestamp with time zone"
    );
    let nothing = &schema.functions[&key(ObjectKind::Function, "nothing", "")];
    assert!(nothing.grants.is_empty(), "only the owner may run it");
    let reset = &schema.functions[&key(ObjectKind::Procedure, "reset_things", "integer")];
    assert_eq!(reset.kind, RoutineKind::Procedure);
    assert_eq!(reset.language, "plpgsql");
    assert!(reset
        .definition
        .starts_with("CREATE OR REPLACE PROCEDURE public.reset_things(IN keep integer)"));
    let total = &schema.functions[&key(ObjectKind::Function, "total", "integer")];
    assert_eq!(total.kind, RoutineKind::Aggregate);
    assert_eq!(
        total.definition,
        "CREATE OR REPLACE AGGREGATE public.total(integer) (\n    SFUNC = int4pl,\n    STYPE = integer\n)"
    );
}

#[test]
fn types_enum_domain_composite_and_range() {
    let db = TestDb::new(
        "CREATE TYPE public.mood AS ENUM ('sad', 'happy');
         ALTER TYPE public.mood ADD VALUE 'meh' BEFORE 'happy';
         ALTER TYPE public.mood ADD VALUE 'ecstatic';
         CREATE DOMAIN public.positive_int AS integer NOT NULL DEFAULT 1
           CONSTRAINT positive CHECK (VALUE > 0) CONSTRAINT small CHECK (VALUE < 1000);
         CREATE DOMAIN public.code AS varchar(8) COLLATE \"C\";
         CREATE TYPE public.address AS (street text, zip integer, tags public.mood[]);
         CREATE TYPE public.float_range AS RANGE (subtype = float8, subtype_diff = float8mi);
         CREATE TYPE public.text_range AS RANGE (subtype = text, collation = \"C\");
         CREATE TABLE public.plain (id int);
         CREATE VIEW public.plain_view AS SELECT id FROM public.plain;",
    );
    let schema = db.load(&["public"]);
    let names: Vec<_> = schema.types.keys().map(|n| n.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "address",
            "code",
            "float_range",
            "mood",
            "positive_int",
            "text_range"
        ],
        "no arrays, no row types of tables or views, no multiranges"
    );
    let body = |n: &str| &schema.types[&name("public", n)].body;
    match body("mood") {
        TypeBody::Enum { values } => assert_eq!(values, &["sad", "meh", "happy", "ecstatic"]),
        other => panic!("{other:?}"),
    }
    match body("positive_int") {
        TypeBody::Domain {
            base_type,
            collation,
            default,
            not_null,
            constraints,
        } => {
            assert_eq!(base_type, "integer");
            assert_eq!(collation, &None);
            assert_eq!(default.as_deref(), Some("1"));
            assert!(not_null);
            assert_eq!(
                constraints,
                &[
                    ("positive".to_string(), "CHECK (VALUE > 0)".to_string()),
                    ("small".to_string(), "CHECK (VALUE < 1000)".to_string())
                ]
            );
        }
        other => panic!("{other:?}"),
    }
    match body("code") {
        TypeBody::Domain {
            base_type,
            collation,
            default,
            not_null,
            constraints,
        } => {
            assert_eq!(base_type, "character varying(8)");
            assert_eq!(collation, &Some(name("pg_catalog", "C")));
            assert_eq!(default, &None);
            assert!(!not_null);
            assert!(constraints.is_empty());
        }
        other => panic!("{other:?}"),
    }
    match body("address") {
        TypeBody::Composite { attributes } => assert_eq!(
            attributes,
            &[
                ("street".to_string(), "text".to_string()),
                ("zip".to_string(), "integer".to_string()),
                ("tags".to_string(), "public.mood[]".to_string())
            ]
        ),
        other => panic!("{other:?}"),
    }
    match body("float_range") {
        TypeBody::Range {
            subtype,
            definition,
        } => {
            assert_eq!(subtype, "double precision");
            assert_eq!(
                definition,
                "subtype = double precision, multirange_type_name = public.float_multirange, subtype_diff = float8mi"
            );
        }
        other => panic!("{other:?}"),
    }
    match body("text_range") {
        TypeBody::Range { definition, .. } => assert_eq!(
            definition,
            "subtype = text, multirange_type_name = public.text_multirange, collation = pg_catalog.\"C\""
        ),
        other => panic!("{other:?}"),
    }
    assert_eq!(schema.types[&name("public", "mood")].owner, "postgres");
}

#[test]
fn collations_and_what_uses_them() {
    let db = TestDb::new(
        "CREATE COLLATION public.posix FROM \"POSIX\";
         CREATE COLLATION public.\"Loose\" (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
         CREATE COLLATION public.mixed (provider = libc, lc_collate = 'C', lc_ctype = 'POSIX');
         COMMENT ON COLLATION public.posix IS 'bytes';
         CREATE DOMAIN public.code AS text COLLATE public.mixed;
         CREATE TABLE public.t (a text COLLATE public.\"Loose\");
         CREATE INDEX t_a_posix ON public.t (a COLLATE public.posix);",
    );
    let schema = db.load(&["public"]);
    let collations: Vec<(&str, &str, Option<&str>)> = schema
        .collations
        .values()
        .map(|c| {
            (
                c.name.name.as_str(),
                c.definition.as_str(),
                c.comment.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        collations,
        [
            (
                "Loose",
                "provider = icu, deterministic = false, locale = 'und-u-ks-level2'",
                None
            ),
            (
                "mixed",
                "provider = libc, lc_collate = 'C', lc_ctype = 'POSIX'",
                None
            ),
            ("posix", "provider = libc, locale = 'POSIX'", Some("bytes")),
        ]
    );
    let deps = dependencies(&schema);
    for expected in [
        "table public.t column a -> collation public.\"Loose\"",
        "table public.t index t_a_posix -> collation public.posix",
        "type public.code -> collation public.mixed",
    ] {
        assert!(
            deps.contains(&expected.to_string()),
            "{expected}: {deps:#?}"
        );
    }
}

#[test]
fn sequences_standalone_and_owned() {
    let db = TestDb::new(&format!(
        "{ROLES}
         CREATE SEQUENCE public.standalone_seq AS integer START 10 INCREMENT 2
           MINVALUE 5 MAXVALUE 1000 CACHE 3 CYCLE;
         CREATE TABLE public.orders (id serial PRIMARY KEY, n bigint GENERATED BY DEFAULT AS IDENTITY, ref int);
         CREATE SEQUENCE public.ref_seq OWNED BY public.orders.ref;
         GRANT USAGE, SELECT ON SEQUENCE public.standalone_seq TO pgdrift_cat_reader;"
    ));
    let schema = db.load(&["public"]);
    let names: Vec<_> = schema.sequences.keys().map(|n| n.name.as_str()).collect();
    assert_eq!(
        names,
        ["orders_id_seq", "orders_n_seq", "ref_seq", "standalone_seq"]
    );
    let seq = |n: &str| &schema.sequences[&name("public", n)];
    assert_eq!(
        seq("standalone_seq"),
        &Sequence {
            name: name("public", "standalone_seq"),
            data_type: "integer".into(),
            start: 10,
            increment: 2,
            min_value: 5,
            max_value: 1000,
            cache: 3,
            cycle: true,
            owned_by: None,
            is_identity: false,
            comment: None,
            grants: vec![
                grant("pgdrift_cat_reader", "SELECT", false),
                grant("pgdrift_cat_reader", "USAGE", false)
            ],
        }
    );
    let orders = name("public", "orders");
    assert_eq!(
        seq("orders_id_seq").owned_by,
        Some((orders.clone(), "id".into()))
    );
    assert_eq!(seq("orders_id_seq").data_type, "integer");
    assert!(!seq("orders_id_seq").is_identity);
    assert_eq!(
        seq("orders_n_seq").owned_by,
        Some((orders.clone(), "n".into()))
    );
    assert!(seq("orders_n_seq").is_identity);
    assert_eq!(
        seq("ref_seq").owned_by,
        Some((orders.clone(), "ref".into()))
    );
    assert!(!seq("ref_seq").is_identity);
    assert_eq!(seq("ref_seq").data_type, "bigint");
    let n = column(table(&schema, "public.orders"), "n");
    let identity = n.identity.as_ref().unwrap();
    assert_eq!(identity.kind, IdentityKind::ByDefault);
    assert_eq!(&identity.sequence, seq("orders_n_seq"));
}

#[test]
fn views_and_materialized_views() {
    let db = TestDb::new(&format!(
        "{ROLES}
         CREATE TABLE public.kids (id int PRIMARY KEY, parent_id int);
         CREATE VIEW public.kid_names WITH (security_invoker = true) AS
           SELECT k.id, p.id AS parent FROM public.kids k JOIN public.kids p ON p.id = k.parent_id WHERE k.id > 0;
         CREATE VIEW public.checked_kids WITH (security_barrier) AS
           SELECT id, parent_id FROM public.kids WHERE id > 10 WITH LOCAL CHECK OPTION;
         CREATE MATERIALIZED VIEW public.kid_counts AS
           SELECT parent_id, count(*) AS n FROM public.kids GROUP BY parent_id WITH NO DATA;
         CREATE UNIQUE INDEX kid_counts_parent_idx ON public.kid_counts (parent_id);
         GRANT SELECT ON public.kid_names TO PUBLIC;
         GRANT SELECT ON public.kid_counts TO pgdrift_cat_reader;"
    ));
    let schema = db.load(&["public"]);
    let names: Vec<_> = schema.views.keys().map(|n| n.name.as_str()).collect();
    assert_eq!(names, ["checked_kids", "kid_counts", "kid_names"]);
    assert!(!schema.tables.contains_key(&name("public", "kid_counts")));

    let kid_names = view(&schema, "public.kid_names");
    assert!(!kid_names.materialized);
    assert_eq!(
        kid_names.definition,
        " SELECT k.id,\n    p.id AS parent\n   FROM (public.kids k\n     JOIN public.kids p ON ((p.id = k.parent_id)))\n  WHERE (k.id > 0);"
    );
    assert_eq!(kid_names.options, ["security_invoker=true"]);
    assert_eq!(kid_names.grants, [grant("PUBLIC", "SELECT", false)]);
    assert_eq!(kid_names.owner, "postgres");

    let checked = view(&schema, "public.checked_kids");
    assert_eq!(
        checked.options,
        ["security_barrier=true", "check_option=local"]
    );

    let counts = view(&schema, "public.kid_counts");
    assert!(counts.materialized);
    assert_eq!(
        counts.definition,
        " SELECT kids.parent_id,\n    count(*) AS n\n   FROM public.kids\n  GROUP BY kids.parent_id;"
    );
    assert_eq!(index_names(&counts.indexes), ["kid_counts_parent_idx"]);
    assert_eq!(
        counts.indexes[0].definition,
        "CREATE UNIQUE INDEX kid_counts_parent_idx ON public.kid_counts USING btree (parent_id)"
    );
    assert_eq!(
        counts.grants,
        [grant("pgdrift_cat_reader", "SELECT", false)]
    );
}

#[test]
fn comments_on_each_kind() {
    let db = TestDb::new(
        "CREATE TYPE public.mood AS ENUM ('sad');
         CREATE DOMAIN public.positive_int AS integer CHECK (VALUE > 0);
         CREATE SEQUENCE public.numbers;
         CREATE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
         CREATE PROCEDURE public.noop() LANGUAGE sql AS $$ $$;
         CREATE TABLE public.items (id int PRIMARY KEY, name text, CONSTRAINT name_set CHECK (name <> ''));
         CREATE INDEX items_name_idx ON public.items (name);
         ALTER TABLE public.items ENABLE ROW LEVEL SECURITY;
         CREATE POLICY items_read ON public.items FOR SELECT USING (true);
         CREATE TRIGGER items_touch BEFORE UPDATE ON public.items FOR EACH ROW EXECUTE FUNCTION public.touch();
         CREATE VIEW public.item_names AS SELECT id, name FROM public.items;
         CREATE MATERIALIZED VIEW public.item_count AS SELECT count(*) AS n FROM public.items;
         COMMENT ON TABLE public.items IS 'Things for sale';
         COMMENT ON COLUMN public.items.name IS 'What it is called';
         COMMENT ON CONSTRAINT name_set ON public.items IS 'Names are not empty';
         COMMENT ON INDEX public.items_name_idx IS 'Find by name';
         COMMENT ON POLICY items_read ON public.items IS 'Everyone reads';
         COMMENT ON TRIGGER items_touch ON public.items IS 'Keeps it fresh';
         COMMENT ON FUNCTION public.touch() IS 'Touches';
         COMMENT ON PROCEDURE public.noop() IS 'Does nothing';
         COMMENT ON TYPE public.mood IS 'How one feels';
         COMMENT ON DOMAIN public.positive_int IS 'Above zero';
         COMMENT ON SEQUENCE public.numbers IS 'Numbers';
         COMMENT ON VIEW public.item_names IS 'Names';
         COMMENT ON COLUMN public.item_names.name IS 'The name again';
         COMMENT ON MATERIALIZED VIEW public.item_count IS 'How many';",
    );
    let schema = db.load(&["public"]);
    let items = table(&schema, "public.items");
    assert_eq!(items.comment.as_deref(), Some("Things for sale"));
    assert_eq!(
        column(items, "name").comment.as_deref(),
        Some("What it is called")
    );
    assert_eq!(column(items, "id").comment, None);
    assert_eq!(
        constraint(items, "name_set").comment.as_deref(),
        Some("Names are not empty")
    );
    assert_eq!(constraint(items, "items_pkey").comment, None);
    assert_eq!(items.indexes[0].comment.as_deref(), Some("Find by name"));
    assert_eq!(items.policies[0].comment.as_deref(), Some("Everyone reads"));
    assert_eq!(items.triggers[0].comment.as_deref(), Some("Keeps it fresh"));
    let routine = |kind, n: &str| {
        schema.functions[&ObjectKey::routine(kind, name("public", n), "")]
            .comment
            .as_deref()
    };
    assert_eq!(routine(ObjectKind::Function, "touch"), Some("Touches"));
    assert_eq!(routine(ObjectKind::Procedure, "noop"), Some("Does nothing"));
    let type_comment = |n: &str| schema.types[&name("public", n)].comment.as_deref();
    assert_eq!(type_comment("mood"), Some("How one feels"));
    assert_eq!(type_comment("positive_int"), Some("Above zero"));
    assert_eq!(
        schema.sequences[&name("public", "numbers")]
            .comment
            .as_deref(),
        Some("Numbers")
    );
    let names = view(&schema, "public.item_names");
    assert_eq!(names.comment.as_deref(), Some("Names"));
    assert_eq!(
        names.column_comments,
        [("name".to_string(), "The name again".to_string())]
    );
    assert_eq!(
        view(&schema, "public.item_count").comment.as_deref(),
        Some("How many")
    );
}

#[test]
fn table_and_column_grants() {
    let db = TestDb::new(&format!(
        "{ROLES}
         CREATE TABLE public.documents (id int, body text, secret text);
         GRANT SELECT, INSERT ON public.documents TO pgdrift_cat_reader;
         GRANT UPDATE ON public.documents TO pgdrift_cat_writer WITH GRANT OPTION;
         GRANT SELECT ON public.documents TO PUBLIC;
         GRANT SELECT (body), UPDATE (body) ON public.documents TO pgdrift_cat_writer;
         CREATE TABLE public.private (id int);"
    ));
    let schema = db.load(&["public"]);
    let docs = table(&schema, "public.documents");
    assert_eq!(
        docs.grants,
        [
            grant("pgdrift_cat_reader", "INSERT", false),
            grant("pgdrift_cat_reader", "SELECT", false),
            grant("pgdrift_cat_writer", "UPDATE", true),
            grant("PUBLIC", "SELECT", false),
        ],
        "the owner's own privileges are implicit"
    );
    assert_eq!(
        column(docs, "body").grants,
        [
            grant("pgdrift_cat_writer", "SELECT", false),
            grant("pgdrift_cat_writer", "UPDATE", false)
        ]
    );
    assert!(column(docs, "secret").grants.is_empty());
    assert!(table(&schema, "public.private").grants.is_empty());
}

/// A type nobody granted anything on has the default ACL, USAGE for PUBLIC, read as such so
/// that one whose USAGE was revoked from PUBLIC differs.
#[test]
fn type_and_domain_grants() {
    let db = TestDb::new(&format!(
        "{ROLES}
         CREATE TYPE public.mood AS ENUM ('sad', 'happy');
         CREATE DOMAIN public.email AS text;
         REVOKE USAGE ON DOMAIN public.email FROM PUBLIC;
         GRANT USAGE ON DOMAIN public.email TO pgdrift_cat_reader WITH GRANT OPTION;
         CREATE TYPE public.pair AS (a int, b int);
         GRANT USAGE ON TYPE public.pair TO pgdrift_cat_writer;"
    ));
    let schema = db.load(&["public"]);
    let grants = |n: &str| &schema.types[&name("public", n)].grants;
    assert_eq!(grants("mood"), &[grant("PUBLIC", "USAGE", false)]);
    assert_eq!(
        grants("email"),
        &[grant("pgdrift_cat_reader", "USAGE", true)]
    );
    assert_eq!(
        grants("pair"),
        &[
            grant("PUBLIC", "USAGE", false),
            grant("pgdrift_cat_writer", "USAGE", false)
        ]
    );
}

#[test]
fn extension_objects_are_left_out() {
    let db = TestDb::new(
        "CREATE EXTENSION citext SCHEMA public;
         CREATE EXTENSION pg_trgm SCHEMA public;
         CREATE EXTENSION pg_stat_statements SCHEMA public;
         CREATE TABLE public.users (id int, email public.citext);
         CREATE INDEX users_email_trgm ON public.users USING gin ((email::text) public.gin_trgm_ops);
         -- An extension's configuration table, with parts of its own.
         CREATE TABLE public.ext_config (id serial PRIMARY KEY, k public.citext CHECK (k <> ''));
         CREATE INDEX ext_config_k_idx ON public.ext_config (k);
         ALTER TABLE public.ext_config ENABLE ROW LEVEL SECURITY;
         CREATE POLICY ext_config_read ON public.ext_config USING (true);
         COMMENT ON TABLE public.ext_config IS 'The extension''s';
         GRANT SELECT ON public.ext_config TO PUBLIC;
         CREATE SEQUENCE public.ext_numbers;
         ALTER EXTENSION citext ADD TABLE public.ext_config;
         ALTER EXTENSION citext ADD SEQUENCE public.ext_config_id_seq;
         ALTER EXTENSION citext ADD SEQUENCE public.ext_numbers;",
    );
    let schema = db.load(&["public"]);
    assert_eq!(
        schema
            .tables
            .keys()
            .map(|n| n.name.as_str())
            .collect::<Vec<_>>(),
        ["users"]
    );
    assert!(schema.types.is_empty(), "{:?}", schema.types.keys());
    assert!(schema.functions.is_empty(), "{:?}", schema.functions.keys());
    assert!(schema.views.is_empty());
    assert!(schema.sequences.is_empty());
    let mut extensions: Vec<_> = schema
        .extensions
        .iter()
        .map(|e| (e.name.as_str(), e.schema.as_str()))
        .collect();
    extensions.sort();
    assert_eq!(
        extensions,
        [
            ("citext", "public"),
            ("pg_stat_statements", "public"),
            ("pg_trgm", "public"),
            ("plpgsql", "pg_catalog")
        ]
    );
    assert!(schema.extensions.iter().all(|e| !e.version.is_empty()));
    // The extension's objects still show up as what the table needs.
    let deps = dependencies(&schema);
    // The index needs pg_trgm's operator class, which stands for its first support
    // function outside pg_catalog: a routine of pg_trgm, in pg_trgm's schema.
    assert_eq!(
        deps,
        [
            "table public.users column email -> type public.citext",
            "table public.users index users_email_trgm -> function public.gin_extract_value_trgm(text, internal)"
        ]
    );
}

/// An index or exclusion constraint that uses an extension's operator class needs the
/// extension: it depends on a support function of the class, in the extension's schema.
#[test]
fn operator_classes_of_extensions_are_dependencies() {
    let db = TestDb::new(
        "CREATE SCHEMA extensions;
         CREATE EXTENSION pg_trgm SCHEMA extensions;
         CREATE EXTENSION btree_gist SCHEMA extensions;
         CREATE TABLE public.rooms (
           id int PRIMARY KEY,
           title text,
           room int,
           during tstzrange,
           CONSTRAINT rooms_no_double_booking EXCLUDE USING gist (room WITH =, during WITH &&)
         );
         CREATE INDEX rooms_title_trgm ON public.rooms USING gist (title extensions.gist_trgm_ops);
         CREATE INDEX rooms_title_lower ON public.rooms (lower(title) text_pattern_ops);",
    );
    let schema = db.load(&["public"]);
    assert_eq!(
        dependencies(&schema),
        [
            "table public.rooms constraint rooms_no_double_booking -> function extensions.gbt_int4_consistent(internal, integer, smallint, oid, internal)",
            "table public.rooms index rooms_title_trgm -> function extensions.gtrgm_consistent(internal, text, smallint, oid, internal)",
        ],
        "pg_catalog's operator classes (text_pattern_ops, range_ops) are no dependency"
    );
}

#[test]
fn dependencies_between_objects() {
    let db = TestDb::new(
        "CREATE SCHEMA auth;
         CREATE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE AS $$ SELECT NULL::uuid $$;
         CREATE TYPE public.mood AS ENUM ('sad', 'happy');
         CREATE DOMAIN public.positive_int AS integer CHECK (VALUE > 0);
         CREATE FUNCTION public.is_positive(v int) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT v > 0 $$;
         CREATE FUNCTION public.feel(m public.mood) RETURNS public.mood LANGUAGE sql AS $$ SELECT m $$;
         CREATE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
         CREATE SEQUENCE public.doc_numbers;
         CREATE TABLE public.parents (id int PRIMARY KEY);
         CREATE TABLE public.documents (
           id uuid PRIMARY KEY,
           number bigint DEFAULT nextval('public.doc_numbers'),
           owner_id uuid,
           feeling public.mood,
           qty public.positive_int,
           parent_id int REFERENCES public.parents,
           CONSTRAINT qty_positive CHECK (public.is_positive(qty))
         );
         CREATE INDEX documents_feel_idx ON public.documents (public.feel(feeling));
         ALTER TABLE public.documents ENABLE ROW LEVEL SECURITY;
         CREATE POLICY docs_owner ON public.documents USING (owner_id = auth.uid());
         CREATE TRIGGER documents_touch BEFORE UPDATE ON public.documents
           FOR EACH ROW EXECUTE FUNCTION public.touch();
         CREATE VIEW public.doc_feelings AS SELECT id, public.feel(feeling) AS f FROM public.documents;
         CREATE VIEW public.doc_ids AS SELECT id FROM public.doc_feelings;
         CREATE DOMAIN public.happy_mood AS public.mood
           DEFAULT public.feel('happy') CHECK (public.feel(VALUE) = 'happy');
         CREATE TYPE public.pair AS (first public.mood, second public.positive_int);",
    );
    let schema = db.load(&["public"]);
    assert_eq!(
        dependencies(&schema),
        [
            "table public.documents column feeling -> type public.mood",
            "table public.documents column number -> sequence public.doc_numbers",
            "table public.documents column qty -> type public.positive_int",
            "table public.documents constraint documents_parent_id_fkey -> table public.parents",
            "table public.documents constraint qty_positive -> function public.is_positive(integer)",
            "table public.documents index documents_feel_idx -> function public.feel(public.mood)",
            "table public.documents index documents_feel_idx -> type public.mood",
            "table public.documents policy docs_owner -> function auth.uid()",
            "table public.documents trigger documents_touch -> function public.touch()",
            "view public.doc_feelings -> table public.documents",
            "view public.doc_feelings -> function public.feel(public.mood)",
            "view public.doc_feelings -> type public.mood",
            "view public.doc_ids -> view public.doc_feelings",
            "function public.feel(public.mood) -> type public.mood",
            "type public.happy_mood -> function public.feel(public.mood)",
            "type public.happy_mood -> type public.mood",
            "type public.happy_mood constraint happy_mood_check -> function public.feel(public.mood)",
            "type public.happy_mood constraint happy_mood_check -> type public.mood",
            "type public.pair -> type public.mood",
            "type public.pair -> type public.positive_int",
        ]
    );
    let mut sorted = schema.dependencies.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted, schema.dependencies, "sorted and without duplicates");
}

#[test]
fn quoted_upper_case_and_reserved_names() {
    let db = TestDb::new(
        "CREATE SCHEMA \"App\";
         CREATE TABLE \"App\".\"order\" (id integer PRIMARY KEY, \"Total\" numeric, \"select\" text);
         CREATE TABLE \"App\".\"UserSettings\" (
           \"userId\" integer REFERENCES \"App\".\"order\" (id),
           \"group\" text DEFAULT 'all'
         );
         CREATE INDEX \"UserSettings_Group_idx\" ON \"App\".\"UserSettings\" (\"group\");
         CREATE TYPE \"App\".\"Mood\" AS ENUM ('Sad', 'Happy');
         CREATE FUNCTION \"App\".\"Feel\"(m \"App\".\"Mood\") RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;",
    );
    let schema = db.load(&["App"]);
    let names: Vec<_> = schema.tables.keys().map(|n| n.to_string()).collect();
    assert_eq!(names, ["\"App\".\"UserSettings\"", "\"App\".\"order\""]);
    let order = table(&schema, "App.order");
    assert_eq!(column_names(order), ["id", "Total", "select"]);
    let settings = table(&schema, "App.UserSettings");
    assert_eq!(
        settings.constraints[0].definition,
        "FOREIGN KEY (\"userId\") REFERENCES \"App\".\"order\"(id)"
    );
    assert_eq!(
        settings.constraints[0].references,
        Some(name("App", "order"))
    );
    assert_eq!(
        settings.indexes[0].definition,
        "CREATE INDEX \"UserSettings_Group_idx\" ON \"App\".\"UserSettings\" USING btree (\"group\")"
    );
    let key = ObjectKey::routine(
        ObjectKind::Function,
        name("App", "Feel"),
        "\"App\".\"Mood\"",
    );
    assert!(
        schema.functions.contains_key(&key),
        "{:?}",
        schema.functions.keys()
    );
    assert!(schema.types.contains_key(&name("App", "Mood")));
}

#[test]
fn two_managed_schemas_load_together() {
    let db = TestDb::new(
        "CREATE SCHEMA billing;
         CREATE SCHEMA other;
         CREATE TABLE public.users (id int PRIMARY KEY);
         CREATE TABLE billing.invoices (id int PRIMARY KEY, user_id int REFERENCES public.users);
         CREATE TYPE billing.status AS ENUM ('open', 'paid');
         CREATE TABLE other.ignored (id int);
         CREATE FUNCTION other.ignored() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;",
    );
    let schema = db.load(&["public", "billing"]);
    assert_eq!(schema.schemas, ["public", "billing"]);
    let names: Vec<_> = schema.tables.keys().map(|n| n.to_string()).collect();
    assert_eq!(names, ["billing.invoices", "public.users"]);
    assert!(schema.types.contains_key(&name("billing", "status")));
    assert!(schema.functions.is_empty());
    assert_eq!(
        dependencies(&schema),
        ["table billing.invoices constraint invoices_user_id_fkey -> table public.users"]
    );
}

#[test]
fn schemas_carry_their_comment_and_the_privileges_added_to_them() {
    let db = TestDb::new(&format!(
        "{ROLES}
         CREATE SCHEMA \"Billing\";
         COMMENT ON SCHEMA \"Billing\" IS 'Invoices, it''s said';
         GRANT USAGE ON SCHEMA \"Billing\" TO pgdrift_cat_reader;
         GRANT CREATE, USAGE ON SCHEMA \"Billing\" TO pgdrift_cat_writer WITH GRANT OPTION;
         GRANT USAGE ON SCHEMA public TO pgdrift_cat_writer;
         GRANT CREATE ON SCHEMA public TO PUBLIC;
         CREATE SCHEMA quiet;
         REVOKE ALL ON SCHEMA quiet FROM postgres;
         CREATE SCHEMA unmanaged;
         COMMENT ON SCHEMA unmanaged IS 'not read';"
    ));
    let schema = db.load(&["public", "Billing", "quiet", "missing"]);
    let names: Vec<&str> = schema.namespaces.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(names, ["public", "Billing", "quiet"], "in the order given");
    let public = schema.namespace("public").unwrap();
    assert_eq!(public.owner, "pg_database_owner");
    assert_eq!(public.comment, None, "every new database has its comment");
    // PUBLIC's initial entry (USAGE) gained CREATE: revoked whole and granted again, so that
    // a replay puts it where production's ACL has it.
    assert_eq!(public.revokes, [grant("PUBLIC", "USAGE", false)]);
    assert_eq!(
        public.grants,
        [
            grant("PUBLIC", "USAGE", false),
            grant("PUBLIC", "CREATE", false),
            grant("pgdrift_cat_writer", "USAGE", false)
        ],
        "production's ACL order"
    );
    let billing = schema.namespace("Billing").unwrap();
    assert_eq!(billing.owner, "postgres");
    assert_eq!(billing.comment.as_deref(), Some("Invoices, it's said"));
    assert_eq!(
        billing.grants,
        [
            grant("pgdrift_cat_reader", "USAGE", false),
            grant("pgdrift_cat_writer", "USAGE", true),
            grant("pgdrift_cat_writer", "CREATE", true),
        ]
    );
    assert!(billing.revokes.is_empty());
    let quiet = schema.namespace("quiet").unwrap();
    assert!(quiet.grants.is_empty(), "the owner's own are implicit");
    assert!(quiet.revokes.is_empty(), "ownership is not reproduced");

    let renamed = TestDb::new("COMMENT ON SCHEMA public IS 'Standard public schema';");
    let schema = renamed.load(&["public"]);
    assert_eq!(
        schema.namespace("public").unwrap().comment.as_deref(),
        Some("Standard public schema")
    );
}

/// Builds `count` tables, each with the parts that have a query of their own.
fn many_tables(count: usize) -> String {
    let mut sql = String::from(
        "CREATE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;",
    );
    for i in 0..count {
        sql.push_str(&format!(
            "CREATE TABLE public.t{i} (id serial PRIMARY KEY, v text DEFAULT 'x' CHECK (v <> ''));
             CREATE INDEX t{i}_v_idx ON public.t{i} (v);
             ALTER TABLE public.t{i} ENABLE ROW LEVEL SECURITY;
             CREATE POLICY p{i} ON public.t{i} USING (true);
             CREATE TRIGGER tr{i} BEFORE UPDATE ON public.t{i} FOR EACH ROW EXECUTE FUNCTION public.touch();
             COMMENT ON TABLE public.t{i} IS 'table {i}';
             GRANT SELECT ON public.t{i} TO PUBLIC;
             CREATE VIEW public.v{i} AS SELECT id FROM public.t{i};"
        ));
    }
    sql
}

#[test]
fn query_count_does_not_grow_with_tables() {
    let small = TestDb::new(&many_tables(2));
    let large = TestDb::new(&many_tables(60));
    let (small_schema, small_count) = small.load_counted(&["public"]);
    let (large_schema, large_count) = large.load_counted(&["public"]);
    assert_eq!(small_schema.tables.len(), 2);
    assert_eq!(large_schema.tables.len(), 60);
    assert_eq!(large_schema.views.len(), 60);
    assert!(large_schema.tables.values().all(|t| t.policies.len() == 1
        && t.triggers.len() == 1
        && t.indexes.len() == 1
        && t.comment.is_some()));
    assert_eq!(small_count, large_count);
    assert_eq!(
        small_count, 23,
        "one query per object kind, one for the schemas, and one for changes made during the read"
    );
}

/// A drift report from a summary read (names and table facts, no definitions) is the one
/// a full read gives, on a schema with every kind of object and table fact.
#[test]
fn a_summary_read_reports_what_a_full_read_does() {
    let mut sql = many_tables(3);
    sql.push_str(
        "CREATE TYPE public.mood AS ENUM ('sad', 'happy');
         CREATE DOMAIN public.positive AS int CHECK (VALUE > 0);
         CREATE SEQUENCE public.loose_seq;
         CREATE TABLE public.parents (id int PRIMARY KEY, note text);
         CREATE TABLE public.kids (id int PRIMARY KEY,
           parent_id int REFERENCES public.parents, other_id int REFERENCES public.parents);
         INSERT INTO public.parents SELECT g, repeat('x', 500) FROM generate_series(1, 300) g;
         ANALYZE public.parents;
         CREATE TABLE public.events (id int, at date) PARTITION BY RANGE (at);
         CREATE TABLE public.events_2024 PARTITION OF public.events
           FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
         CREATE MATERIALIZED VIEW public.counts AS SELECT count(*) AS n FROM public.kids;
         CREATE FUNCTION public.add(a int, b int) RETURNS int LANGUAGE sql AS 'SELECT a + b';",
    );
    let db = TestDb::new(&sql);
    let (full, full_count) = db.read(&["public"], catalog::Detail::Full);
    let (summary, summary_count) = db.read(&["public"], catalog::Detail::Summary);
    let history = pgdrift::history::History::default();
    let report = |schema: &Schema| {
        let report = pgdrift::drift::compare(schema, &history, &[]).unwrap();
        serde_json::to_value(&report).unwrap()
    };
    assert_eq!(report(&summary), report(&full));
    let parents = table(&summary, "public.parents");
    assert!(parents.size_bytes >= 300 * 500, "{}", parents.size_bytes);
    assert_eq!(parents.estimated_rows, 300);
    assert!(summary_count < full_count, "{summary_count} < {full_count}");
    assert!(
        table(&summary, "public.kids").columns.is_empty(),
        "not read"
    );
}

#[test]
fn definitions_replay_exactly() {
    let fixture = "
        CREATE TYPE public.mood AS ENUM ('sad', 'happy');
        CREATE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
        CREATE FUNCTION public.is_positive(v numeric) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT v > 0 $$;
        CREATE TABLE public.parents (id int PRIMARY KEY);
        CREATE TABLE public.items (
          id int PRIMARY KEY,
          parent_id int,
          price numeric CONSTRAINT price_ok CHECK (price > 0 AND public.is_positive(price * 2)),
          feeling public.mood DEFAULT 'happy'::public.mood,
          CONSTRAINT items_parent_fk FOREIGN KEY (parent_id) REFERENCES public.parents ON DELETE SET NULL
        );
        CREATE INDEX items_expr_idx ON public.items ((price * 2)) WHERE feeling = 'sad';
        CREATE TRIGGER items_touch BEFORE UPDATE OF price ON public.items FOR EACH ROW
          WHEN (OLD.price IS DISTINCT FROM NEW.price AND NEW.feeling <> 'sad') EXECUTE FUNCTION public.touch();
        CREATE TABLE public.measurements (id int, taken_on date) PARTITION BY RANGE (taken_on);
        CREATE TABLE public.measurements_2024 PARTITION OF public.measurements
          FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
        CREATE INDEX measurements_taken_idx ON public.measurements (taken_on);
        CREATE VIEW public.cheap AS
          SELECT i.id, i.price * 2 AS doubled, p.id AS parent FROM public.items i
          LEFT JOIN public.parents p ON p.id = i.parent_id
          WHERE i.price < 10 AND (i.feeling = 'sad' OR i.feeling IS NULL);";
    let db = TestDb::new(fixture);
    let before = db.load(&["public"]);

    // Drop each part and create it again from its definition, with no schema on the
    // search_path, so that every name in it must be qualified.
    let mut sql = String::from("SET search_path = '';");
    let items = table(&before, "public.items");
    for c in items
        .constraints
        .iter()
        .filter(|c| c.kind != ConstraintKind::PrimaryKey)
    {
        sql.push_str(&format!(
            "ALTER TABLE public.items DROP CONSTRAINT {n}; ALTER TABLE public.items ADD CONSTRAINT {n} {};",
            c.definition,
            n = c.name
        ));
    }
    for i in items
        .indexes
        .iter()
        .chain(&table(&before, "public.measurements").indexes)
    {
        sql.push_str(&format!("DROP INDEX public.{}; {};", i.name, i.definition));
    }
    for t in &items.triggers {
        sql.push_str(&format!(
            "DROP TRIGGER {} ON public.items; {};",
            t.name, t.definition
        ));
    }
    let feeling = column(items, "feeling").default.as_ref().unwrap();
    sql.push_str(&format!(
        "ALTER TABLE public.items ALTER COLUMN feeling SET DEFAULT {feeling};"
    ));
    let cheap = view(&before, "public.cheap");
    sql.push_str(&format!(
        "CREATE OR REPLACE VIEW public.cheap AS {}",
        cheap.definition
    ));
    for f in before.functions.values() {
        sql.push_str(&format!("{};", f.definition));
    }
    let mut client = Client::connect(&db.url, NoTls).unwrap();
    client.batch_execute(&sql).expect("the definitions replay");

    let after = db.load(&["public"]);
    let normalise = |schema: &Schema| {
        let mut schema = schema.clone();
        for t in schema.tables.values_mut() {
            t.size_bytes = 0;
        }
        format!("{schema:#?}")
    };
    assert_eq!(normalise(&before), normalise(&after));
    let parent = table(&after, "public.measurements");
    assert_eq!(
        index_names(&table(&after, "public.measurements_2024").indexes),
        ["measurements_2024_taken_on_idx"]
    );
    assert!(!parent.indexes[0].inherited);
}

#[test]
fn loading_twice_gives_the_same_model() {
    let db = TestDb::new(&many_tables(5));
    let first = format!("{:?}", db.load(&["public"]));
    let second = format!("{:?}", db.load(&["public"]));
    assert_eq!(first, second);
}
