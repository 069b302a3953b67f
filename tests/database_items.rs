//! `import --all` brings what belongs to the database rather than to one object: managed
//! schemas with nothing in them, extensions no object uses, default privileges,
//! publications, and the policies and triggers the application put on a table it does not
//! manage. Replayed, the files give production's whole-database dump; applied to production
//! they change nothing; a second import finds nothing to write.

mod common;

use common::{assert_same_dump, migration_files, pgdrift, TestDb};
use std::path::Path;

/// A platform's schema with a table the application does not manage.
const PLATFORM: &str = "
CREATE SCHEMA platform;
CREATE TABLE platform.objects (id bigint PRIMARY KEY, owner text);
ALTER TABLE platform.objects ENABLE ROW LEVEL SECURITY;
";

const PRODUCTION: &str = "
DO $$ BEGIN CREATE ROLE pgdrift_items_reader NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
CREATE SCHEMA reporting;
CREATE SCHEMA archive;
COMMENT ON SCHEMA archive IS 'kept empty on purpose';
CREATE EXTENSION pg_trgm;
GRANT EXECUTE ON FUNCTION public.similarity(text, text) TO pgdrift_items_reader;
CREATE TABLE public.messages (id bigint PRIMARY KEY, body text, room text);
CREATE TABLE reporting.events (id bigint PRIMARY KEY, kind text);
CREATE PUBLICATION live FOR TABLE public.messages (id, body) WHERE (room <> 'private')
    WITH (publish = 'insert, update');
ALTER PUBLICATION live ADD TABLE reporting.events;
CREATE PUBLICATION everything_in_reporting FOR TABLES IN SCHEMA reporting;
ALTER DEFAULT PRIVILEGES IN SCHEMA reporting GRANT SELECT ON TABLES TO pgdrift_items_reader;
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
CREATE FUNCTION public.stamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER stamp BEFORE INSERT ON platform.objects
    FOR EACH ROW EXECUTE FUNCTION public.stamp();
CREATE POLICY owners_read ON platform.objects FOR SELECT USING (owner = current_user);
";

fn import_all(project: &Path, db: &TestDb) -> String {
    let out = pgdrift(project)
        .args(["--db-url", &db.url(), "import", "--all", "--yes"])
        .args([
            "--schema",
            "public",
            "--schema",
            "reporting",
            "--schema",
            "archive",
        ])
        .output()
        .unwrap();
    common::succeeded(out)
}

fn dump(db: &TestDb) -> String {
    db.dump_except(&[], &[])
}

#[test]
fn import_all_brings_schemas_extensions_defaults_publications_and_parts_on_other_tables() {
    let prod = TestDb::create("items");
    prod.execute(PLATFORM);
    prod.execute(PRODUCTION);
    let project = tempfile::tempdir().unwrap();
    let migrations = project.path().join("supabase/migrations");
    std::fs::create_dir_all(&migrations).unwrap();
    import_all(project.path(), &prod);

    let files = migration_files(&migrations);
    let all: String = files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect();
    for needle in [
        "CREATE SCHEMA IF NOT EXISTS archive;",
        "COMMENT ON SCHEMA archive IS 'kept empty on purpose';",
        "CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;",
        "GRANT EXECUTE ON FUNCTION public.similarity(text, text) TO PUBLIC, pgdrift_items_reader;",
        "CREATE PUBLICATION live WITH (publish = 'insert, update');",
        "ALTER PUBLICATION live ADD TABLE ONLY public.messages (id, body) WHERE (room <> 'private'::text);",
        "CREATE PUBLICATION everything_in_reporting FOR TABLES IN SCHEMA reporting",
        "ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA reporting GRANT SELECT ON TABLES TO pgdrift_items_reader;",
        "ALTER DEFAULT PRIVILEGES FOR ROLE postgres REVOKE ALL ON FUNCTIONS FROM PUBLIC, postgres;",
        "CREATE OR REPLACE TRIGGER stamp BEFORE INSERT ON platform.objects",
        "CREATE POLICY owners_read ON platform.objects",
    ] {
        assert!(all.contains(needle), "no `{needle}` in:\n{all}");
    }
    assert!(!all.contains("CREATE TABLE IF NOT EXISTS platform.objects"));
    let last = files.last().unwrap().file_name().unwrap().to_string_lossy();
    assert!(last.ends_with("_import_default_privileges.sql"), "{last}");

    let copy = TestDb::create("items_replay");
    copy.execute(PLATFORM);
    for file in &files {
        copy.psql_file(file);
    }
    let expected = dump(&prod);
    assert_same_dump(&expected, &dump(&copy), "replay of import --all");

    for file in &files {
        prod.psql_file(file);
    }
    assert_same_dump(
        &expected,
        &dump(&prod),
        "production after the files ran again",
    );

    let again = import_all(project.path(), &prod);
    assert!(again.contains("Nothing to import"), "{again}");
    assert_eq!(migration_files(&migrations).len(), files.len());
}
