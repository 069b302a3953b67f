//! Features of PostgreSQL that production databases use and that few public schemas show:
//! aggregates and procedures, operators, event triggers, extensions outside `public`,
//! partitions across schemas, inheritance, replica identities, storage settings of tables
//! and columns.
//!
//! Each test builds a small production, imports every drifted object of its schemas into an
//! empty history, and checks the round trip: the files replayed into an empty database (one
//! transaction each) dump exactly as production does (the whole database, `pg_dump
//! --schema-only --no-owner`); applied to production again they fail nowhere and change
//! nothing; and pgdrift reads them back with no warning and no drift left, so that a second
//! import writes nothing.

mod common;

use common::{assert_same_dump, migration_files, pgdrift, succeeded, TestDb};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// `--schema` for each managed schema, after `--db-url`.
fn global_args(db: &TestDb, schemas: &[&str]) -> Vec<String> {
    let mut args = vec!["--db-url".to_string(), db.url()];
    for s in schemas {
        args.push("--schema".into());
        args.push(s.to_string());
    }
    args
}

fn import_all(project: &Path, db: &TestDb, schemas: &[&str]) -> Vec<PathBuf> {
    let mut args = global_args(db, schemas);
    args.extend(["import", "--all", "--yes"].map(String::from));
    succeeded(pgdrift(project).args(&args).output().unwrap());
    migration_files(&project.join("supabase/migrations"))
}

fn status(project: &Path, db: &TestDb, schemas: &[&str]) -> Value {
    let mut args = global_args(db, schemas);
    args.extend(["status", "--format", "json"].map(String::from));
    let out = succeeded(pgdrift(project).args(&args).output().unwrap());
    serde_json::from_str(&out).unwrap()
}

/// Every file's text, for failure messages.
fn shown(files: &[PathBuf]) -> String {
    files
        .iter()
        .map(|f| {
            format!(
                "==> {}\n{}",
                f.file_name().unwrap().to_string_lossy(),
                std::fs::read_to_string(f).unwrap()
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Builds production from `sql`, imports `schemas` and checks the whole round trip. Returns
/// the text of every file written, for the checks a test adds.
fn round_trip(sql: &str, schemas: &[&str]) -> String {
    let prod = TestDb::create("features");
    prod.execute(sql);
    let expected = prod.dump(&[]);

    let project = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(project.path().join("supabase/migrations")).unwrap();
    let files = import_all(project.path(), &prod, schemas);
    assert!(!files.is_empty(), "the import wrote nothing");
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        pg_query::parse(&text, pg_query::ParserOptions::default())
            .unwrap_or_else(|e| panic!("{} does not parse: {e}", file.display()));
    }

    let copy = TestDb::create("features_replay");
    for file in &files {
        copy.psql_file(file);
    }
    assert_same_dump(
        &expected,
        &copy.dump(&[]),
        &format!("replay vs production\n{}", shown(&files)),
    );

    for file in &files {
        prod.psql_file(file);
    }
    assert_same_dump(
        &expected,
        &prod.dump(&[]),
        &format!("production after applying the files\n{}", shown(&files)),
    );

    let report = status(project.path(), &prod, schemas);
    assert_eq!(
        report["warnings"],
        Value::Array(Vec::new()),
        "pgdrift reads its files back with no warning: {report:#}"
    );
    for group in ["drifted", "missing"] {
        assert_eq!(
            report[group],
            Value::Array(Vec::new()),
            "{group}: {report:#}"
        );
    }
    files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn aggregates_and_procedures_round_trip() {
    round_trip(
        "
        CREATE TABLE public.audit_log (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                                       message text NOT NULL, level int NOT NULL DEFAULT 0);
        CREATE FUNCTION public.int_add(integer, integer) RETURNS integer
          LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS 'SELECT $1 + $2';
        CREATE FUNCTION public.text_join(text, text) RETURNS text
          LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$SELECT coalesce($1 || ',', '') || $2$$;
        CREATE FUNCTION public.text_wrap(text) RETURNS text
          LANGUAGE sql IMMUTABLE AS $$SELECT '[' || coalesce($1, '') || ']'$$;
        -- Initial value, combine function, parallel safe.
        CREATE AGGREGATE public.total(integer) (
          SFUNC = public.int_add, STYPE = integer, INITCOND = '0',
          COMBINEFUNC = public.int_add, PARALLEL = SAFE);
        -- No initial value, a final function, an overload on another type.
        CREATE AGGREGATE public.joined(text) (
          SFUNC = public.text_join, STYPE = text, FINALFUNC = public.text_wrap);
        CREATE AGGREGATE public.joined(integer) (
          SFUNC = public.int_add, STYPE = integer);
        COMMENT ON AGGREGATE public.total(integer) IS 'Sum that starts at zero';
        -- A procedure in SQL that writes a table, and an overload in PL/pgSQL.
        CREATE PROCEDURE public.log(message text)
          LANGUAGE sql AS $$INSERT INTO public.audit_log (message) VALUES (message)$$;
        CREATE PROCEDURE public.log(message text, level integer)
          LANGUAGE plpgsql AS $$
          BEGIN
            INSERT INTO public.audit_log (message, level) VALUES (message, level);
          END $$;
        COMMENT ON PROCEDURE public.log(text, integer) IS 'Logs at a level';
        -- A moving-aggregate mode, an aggregate of no argument, an ordered-set aggregate.
        CREATE FUNCTION public.int_sub(integer, integer) RETURNS integer
          LANGUAGE sql IMMUTABLE STRICT AS 'SELECT $1 - $2';
        CREATE AGGREGATE public.running(integer) (
          SFUNC = public.int_add, STYPE = integer, INITCOND = '0',
          MSFUNC = public.int_add, MINVFUNC = public.int_sub, MSTYPE = integer,
          MINITCOND = '0');
        CREATE FUNCTION public.count_one(bigint) RETURNS bigint
          LANGUAGE sql IMMUTABLE STRICT AS 'SELECT $1 + 1';
        CREATE AGGREGATE public.rows_seen(*) (
          SFUNC = public.count_one, STYPE = bigint, INITCOND = '0');
        CREATE FUNCTION public.keep_last(integer, integer) RETURNS integer
          LANGUAGE sql IMMUTABLE AS 'SELECT $2';
        CREATE AGGREGATE public.last_in_order(ORDER BY integer) (
          SFUNC = public.keep_last, STYPE = integer);
        REVOKE ALL ON FUNCTION public.total(integer) FROM PUBLIC;
        -- Procedures with INOUT and default arguments, a security definer with its own
        -- search_path, and an SQL-standard body that the server checks against the table.
        CREATE PROCEDURE public.bump(INOUT counter integer, step integer DEFAULT 1)
          LANGUAGE plpgsql AS $$
          BEGIN
            counter := counter + step;
          END $$;
        CREATE PROCEDURE public.purge(older_than integer)
          LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
          BEGIN
            DELETE FROM public.audit_log WHERE level < older_than;
          END $$;
        REVOKE ALL ON PROCEDURE public.purge(integer) FROM PUBLIC;
        CREATE PROCEDURE public.log_error(message text)
          LANGUAGE sql
          BEGIN ATOMIC
            INSERT INTO public.audit_log (message, level) VALUES (message, 9);
          END;
        CREATE VIEW public.log_summary AS
          SELECT public.total(level) AS levels, public.joined(message) AS messages
            FROM public.audit_log;
        ",
        &["public"],
    );
}

#[test]
fn operators_and_their_use_in_checks_and_indexes_round_trip() {
    round_trip(
        "
        CREATE FUNCTION public.close_to(numeric, numeric) RETURNS boolean
          LANGUAGE sql IMMUTABLE STRICT AS 'SELECT abs($1 - $2) < 0.01';
        CREATE FUNCTION public.far_from(numeric, numeric) RETURNS boolean
          LANGUAGE sql IMMUTABLE STRICT AS 'SELECT abs($1 - $2) >= 0.01';
        CREATE FUNCTION public.negated(bigint) RETURNS bigint
          LANGUAGE sql IMMUTABLE STRICT AS 'SELECT -$1';
        CREATE OPERATOR public.=~= (
          LEFTARG = numeric, RIGHTARG = numeric, FUNCTION = public.close_to,
          COMMUTATOR = OPERATOR(public.=~=), NEGATOR = OPERATOR(public.!~=),
          RESTRICT = eqsel, JOIN = eqjoinsel);
        CREATE OPERATOR public.!~= (
          LEFTARG = numeric, RIGHTARG = numeric, FUNCTION = public.far_from);
        -- A prefix operator.
        CREATE OPERATOR public.~~~ (RIGHTARG = bigint, FUNCTION = public.negated);
        COMMENT ON OPERATOR public.=~= (numeric, numeric) IS 'Equal to the cent';
        CREATE TABLE public.prices (
          id bigint PRIMARY KEY,
          listed numeric NOT NULL,
          paid numeric NOT NULL,
          CONSTRAINT paid_is_listed CHECK (paid OPERATOR(public.=~=) listed));
        CREATE INDEX prices_discounted ON public.prices (id)
          WHERE paid OPERATOR(public.!~=) listed;
        CREATE INDEX prices_negated ON public.prices ((OPERATOR(public.~~~) id));
        -- An operator in another schema on a domain, used by a policy.
        CREATE SCHEMA money;
        CREATE DOMAIN money.cents AS bigint CHECK (VALUE >= 0);
        CREATE FUNCTION money.same_cents(money.cents, money.cents) RETURNS boolean
          LANGUAGE sql IMMUTABLE AS 'SELECT $1::bigint = $2::bigint';
        CREATE OPERATOR money.=== (LEFTARG = money.cents, RIGHTARG = money.cents,
          FUNCTION = money.same_cents, COMMUTATOR = OPERATOR(money.===));
        CREATE TABLE money.ledger (id bigint PRIMARY KEY, owed money.cents, paid money.cents);
        ALTER TABLE money.ledger ENABLE ROW LEVEL SECURITY;
        CREATE POLICY settled ON money.ledger FOR SELECT USING (owed OPERATOR(money.===) paid);
        ",
        &["public", "money"],
    );
}

#[test]
fn event_triggers_on_functions_of_managed_schemas_round_trip() {
    let files = round_trip(
        "
        CREATE SCHEMA ops;
        CREATE TABLE ops.ddl_log (tag text NOT NULL, at timestamptz NOT NULL DEFAULT now());
        CREATE FUNCTION ops.log_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$
          BEGIN
            INSERT INTO ops.ddl_log (tag) VALUES (tg_tag);
          END $$;
        CREATE FUNCTION ops.no_drops() RETURNS event_trigger LANGUAGE plpgsql AS $$
          BEGIN
            RAISE NOTICE 'dropped by %', current_user;
          END $$;
        CREATE EVENT TRIGGER log_ddl ON ddl_command_end
          WHEN TAG IN ('CREATE TABLE', 'ALTER TABLE')
          EXECUTE FUNCTION ops.log_ddl();
        CREATE EVENT TRIGGER no_drops ON sql_drop EXECUTE FUNCTION ops.no_drops();
        ALTER EVENT TRIGGER no_drops DISABLE;
        CREATE EVENT TRIGGER \"Log Everything\" ON ddl_command_start
          EXECUTE FUNCTION ops.log_ddl();
        ALTER EVENT TRIGGER \"Log Everything\" ENABLE ALWAYS;
        COMMENT ON EVENT TRIGGER log_ddl IS 'What changed the schema';
        CREATE EVENT TRIGGER rewrites ON table_rewrite EXECUTE FUNCTION ops.no_drops();
        ALTER EVENT TRIGGER rewrites ENABLE REPLICA;
        ",
        &["ops"],
    );
    assert!(files.contains("CREATE EVENT TRIGGER log_ddl"), "{files}");
}

#[test]
fn an_event_trigger_of_an_unmanaged_schema_is_not_imported() {
    let prod = TestDb::create("features");
    prod.execute(
        "
        CREATE TABLE public.notes (body text);
        CREATE SCHEMA tooling;
        CREATE FUNCTION tooling.watch() RETURNS event_trigger LANGUAGE plpgsql AS $$
          BEGIN
            NULL;
          END $$;
        CREATE EVENT TRIGGER tooling_watch ON ddl_command_end EXECUTE FUNCTION tooling.watch();
        ",
    );
    let project = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(project.path().join("supabase/migrations")).unwrap();
    let files = import_all(project.path(), &prod, &["public"]);
    let text = shown(&files);
    assert!(text.contains("public.notes"), "{text}");
    assert!(!text.contains("EVENT TRIGGER"), "{text}");
}

#[test]
fn extensions_in_other_schemas_round_trip() {
    round_trip(
        "
        CREATE SCHEMA ext;
        CREATE EXTENSION citext WITH SCHEMA ext;
        CREATE TABLE public.users (
          id bigint PRIMARY KEY,
          email ext.citext NOT NULL UNIQUE);
        CREATE FUNCTION public.same_email(a ext.citext, b ext.citext) RETURNS boolean
          LANGUAGE sql IMMUTABLE AS 'SELECT a = b';
        -- An index's operator class and a check's operator from extensions in other schemas.
        CREATE SCHEMA search;
        CREATE EXTENSION pg_trgm WITH SCHEMA search;
        CREATE EXTENSION hstore WITH SCHEMA ext;
        CREATE TABLE public.articles (
          id bigint PRIMARY KEY,
          title text NOT NULL,
          attributes ext.hstore NOT NULL DEFAULT ''::ext.hstore,
          CONSTRAINT attributes_have_a_kind CHECK (attributes OPERATOR(ext.?) 'kind'));
        CREATE INDEX articles_title_trgm ON public.articles
          USING gin (title search.gin_trgm_ops);
        ",
        &["public"],
    );
}

/// An extension installed in a managed schema belongs with that schema's objects even when
/// none of them uses it: a user who put it there expects a new database to have it.
#[test]
fn an_unused_extension_in_a_managed_schema_round_trips() {
    round_trip(
        "
        CREATE SCHEMA app;
        CREATE EXTENSION hstore WITH SCHEMA app;
        CREATE TABLE app.items (id bigint PRIMARY KEY, name text NOT NULL);
        ",
        &["app"],
    );
}

#[test]
fn partitions_across_schemas_several_levels_and_defaults_round_trip() {
    round_trip(
        "
        CREATE SCHEMA app;
        CREATE SCHEMA archive;
        CREATE TABLE app.measurements (
          id bigint NOT NULL,
          taken_on date NOT NULL,
          region text NOT NULL,
          reading numeric CHECK (reading >= 0),
          PRIMARY KEY (id, taken_on, region)
        ) PARTITION BY RANGE (taken_on);
        CREATE INDEX measurements_region ON app.measurements (region);
        CREATE TABLE archive.measurements_2023 PARTITION OF app.measurements
          FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
        CREATE TABLE app.measurements_2024 PARTITION OF app.measurements
          FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')
          PARTITION BY LIST (region);
        CREATE TABLE app.measurements_2024_eu PARTITION OF app.measurements_2024
          FOR VALUES IN ('eu', 'uk');
        CREATE TABLE archive.measurements_2024_other PARTITION OF app.measurements_2024
          DEFAULT;
        CREATE TABLE archive.measurements_default PARTITION OF app.measurements DEFAULT;
        CREATE INDEX measurements_default_reading ON archive.measurements_default (reading);
        -- A partition made on its own, its columns in another order, then attached.
        CREATE TABLE archive.measurements_2022 (
          region text NOT NULL,
          reading numeric CONSTRAINT measurements_reading_check CHECK (reading >= 0),
          taken_on date NOT NULL,
          id bigint NOT NULL);
        ALTER TABLE app.measurements ATTACH PARTITION archive.measurements_2022
          FOR VALUES FROM ('2022-01-01') TO ('2023-01-01');
        CREATE TABLE app.regions (code text PRIMARY KEY);
        ALTER TABLE app.measurements ADD CONSTRAINT measurements_region_fkey
          FOREIGN KEY (region) REFERENCES app.regions (code);
        CREATE TABLE app.sessions (id bigint NOT NULL, user_id bigint NOT NULL)
          PARTITION BY HASH (user_id);
        CREATE TABLE archive.sessions_0 PARTITION OF app.sessions
          FOR VALUES WITH (MODULUS 2, REMAINDER 0);
        CREATE TABLE archive.sessions_1 PARTITION OF app.sessions
          FOR VALUES WITH (MODULUS 2, REMAINDER 1);
        ",
        &["app", "archive"],
    );
}

#[test]
fn inheritance_with_several_parents_and_own_columns_round_trips() {
    round_trip(
        "
        CREATE SCHEMA history;
        CREATE TABLE public.records (
          id bigint NOT NULL,
          created_at timestamptz NOT NULL DEFAULT now(),
          CONSTRAINT records_id_positive CHECK (id > 0),
          CONSTRAINT records_local_only CHECK (id < 1000000) NO INHERIT);
        CREATE TABLE public.audited (changed_by text);
        CREATE TABLE public.invoices (
          id bigint NOT NULL,
          amount numeric NOT NULL,
          PRIMARY KEY (id)
        ) INHERITS (public.records, public.audited);
        COMMENT ON COLUMN public.invoices.amount IS 'Only invoices have one';
        CREATE TABLE history.old_invoices (archived_at timestamptz) INHERITS (public.invoices);
        CREATE INDEX old_invoices_archived ON history.old_invoices (archived_at);
        -- A child with its own default, and one made on its own that inherits later: its
        -- columns keep their order, every one its own.
        CREATE TABLE public.credit_notes (reason text) INHERITS (public.records);
        ALTER TABLE public.credit_notes ALTER COLUMN created_at SET DEFAULT '2000-01-01';
        CREATE TABLE public.refunds (created_at timestamptz NOT NULL, refunded numeric)
          INHERITS (public.records);
        ALTER TABLE public.refunds ALTER COLUMN created_at DROP DEFAULT;
        CREATE TABLE history.imported_records (
          note text,
          created_at timestamptz NOT NULL,
          id bigint NOT NULL,
          CONSTRAINT records_id_positive CHECK (id > 0));
        ALTER TABLE history.imported_records INHERIT public.records;
        ",
        &["public", "history"],
    );
}

#[test]
fn replica_identities_round_trip() {
    round_trip(
        "
        CREATE TABLE public.messages (id bigint PRIMARY KEY, body text);
        ALTER TABLE public.messages REPLICA IDENTITY FULL;
        CREATE TABLE public.devices (id bigint NOT NULL, serial text NOT NULL);
        CREATE UNIQUE INDEX devices_serial ON public.devices (serial);
        ALTER TABLE public.devices REPLICA IDENTITY USING INDEX devices_serial;
        CREATE TABLE public.keyed (code text NOT NULL, CONSTRAINT keyed_code UNIQUE (code));
        ALTER TABLE public.keyed REPLICA IDENTITY USING INDEX keyed_code;
        CREATE TABLE public.scratch (note text);
        ALTER TABLE public.scratch REPLICA IDENTITY NOTHING;
        CREATE TABLE public.events (id bigint NOT NULL, at date NOT NULL) PARTITION BY RANGE (at);
        ALTER TABLE public.events REPLICA IDENTITY FULL;
        CREATE TABLE public.events_2024 PARTITION OF public.events
          FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
        ALTER TABLE public.events_2024 REPLICA IDENTITY NOTHING;
        ",
        &["public"],
    );
}

/// `lz4` when the server was built with it, otherwise none: the test then checks `pglz` only.
fn lz4_column(db: &TestDb) -> &'static str {
    let supported = db
        .client()
        .batch_execute("CREATE TEMP TABLE lz4_probe (t text COMPRESSION lz4)")
        .is_ok();
    if supported {
        "ALTER TABLE public.documents ALTER COLUMN summary SET COMPRESSION lz4;"
    } else {
        ""
    }
}

#[test]
fn table_and_column_storage_settings_round_trip() {
    let probe = TestDb::create("features_probe");
    let lz4 = lz4_column(&probe);
    let files = round_trip(
        &format!(
            "
            CREATE TABLE public.documents (
              id bigint PRIMARY KEY,
              body text,
              summary text,
              tags text[],
              score integer
            ) WITH (fillfactor = 70, autovacuum_enabled = false,
                    toast.autovacuum_enabled = false);
            ALTER TABLE public.documents ALTER COLUMN body SET STORAGE EXTERNAL;
            ALTER TABLE public.documents ALTER COLUMN tags SET STORAGE MAIN;
            ALTER TABLE public.documents ALTER COLUMN body SET COMPRESSION pglz;
            {lz4}
            ALTER TABLE public.documents ALTER COLUMN score SET STATISTICS 500;
            ALTER TABLE public.documents ALTER COLUMN id SET STATISTICS 0;
            ALTER TABLE public.documents ALTER COLUMN score SET (n_distinct = 100);
            ALTER TABLE public.documents ALTER COLUMN summary
              SET (n_distinct_inherited = -0.5, n_distinct = -1);
            CREATE TABLE public.events (id bigint NOT NULL, at date NOT NULL, payload text)
              PARTITION BY RANGE (at);
            ALTER TABLE public.events ALTER COLUMN payload SET STORAGE EXTERNAL;
            CREATE TABLE public.events_2024 PARTITION OF public.events
              FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')
              WITH (fillfactor = 90);
            ALTER TABLE public.events_2024 ALTER COLUMN at SET STATISTICS 1000;
            -- A partition and a child set back to what their parent's column does not have:
            -- creating them from the parent copies the parent's storage and compression.
            CREATE TABLE public.events_2025 PARTITION OF public.events
              FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
            ALTER TABLE ONLY public.events_2025 ALTER COLUMN payload SET STORAGE EXTENDED;
            CREATE TABLE public.notes (body text COMPRESSION pglz, tag text);
            ALTER TABLE public.notes ALTER COLUMN tag SET STORAGE MAIN;
            CREATE TABLE public.old_notes () INHERITS (public.notes);
            ALTER TABLE ONLY public.old_notes ALTER COLUMN body SET COMPRESSION default;
            ALTER TABLE ONLY public.old_notes ALTER COLUMN tag SET STORAGE EXTENDED;
            "
        ),
        &["public"],
    );
    assert!(files.contains("SET STORAGE EXTERNAL"), "{files}");
}
