//! `status` and `check` on the acme fixture: the exact drift sets of `fixtures/acme/EXPECTED.md`,
//! the dynamic-SQL warning, exit codes and the JSON shape.

mod common;

use assert_cmd::assert::OutputAssertExt;
use common::{acme_production, pgdrift, project_root, TestDb};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The `## section` lists of EXPECTED.md.
fn expected() -> BTreeMap<String, BTreeSet<String>> {
    let text = std::fs::read_to_string(project_root().join("fixtures/acme/EXPECTED.md")).unwrap();
    let mut sections: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut current = None;
    for line in text.lines() {
        if let Some(title) = line.strip_prefix("## ") {
            current = Some(title.trim().to_string());
            sections.entry(title.trim().to_string()).or_default();
        } else if let (Some(section), false) = (&current, line.trim().is_empty()) {
            sections
                .get_mut(section)
                .unwrap()
                .insert(line.trim().to_string());
        }
    }
    sections
}

/// The kinds pgdrift reports, with the EXPECTED.md section that lists each.
const KINDS: [(&str, &str); 7] = [
    ("table", "tables"),
    ("function", "functions"),
    ("procedure", "procedures"),
    ("type", "types"),
    ("sequence", "sequences"),
    ("view", "views"),
    ("materialized_view", "materialized_views"),
];

fn json_status(dir: &Path, db: &TestDb) -> Value {
    let out = pgdrift(dir)
        .args(["status", "--format", "json", "--db-url", &db.url()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "status failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("status --format json prints JSON")
}

/// `schema.name` or `schema.name(signature)`, unquoted, as EXPECTED.md writes them.
fn raw_name(entry: &Value) -> String {
    let base = format!(
        "{}.{}",
        entry["schema"].as_str().unwrap(),
        entry["name"].as_str().unwrap()
    );
    match entry.get("signature").and_then(Value::as_str) {
        Some(sig) => format!("{base}({sig})"),
        None => base,
    }
}

#[test]
fn acme_status_reports_the_exact_sets() {
    let db = acme_production();
    let dir = common::acme_project();
    let report = json_status(dir.path(), &db);
    let expected = expected();

    for state in ["tracked", "drifted", "missing", "system"] {
        let entries = report[state]
            .as_array()
            .unwrap_or_else(|| panic!("key {state} is a list"));
        for entry in entries {
            for key in ["schema", "name", "kind"] {
                assert!(
                    entry[key].is_string(),
                    "{state} entry without {key}: {entry}"
                );
            }
        }
        for (kind, section) in KINDS {
            let actual: BTreeSet<String> = entries
                .iter()
                .filter(|e| e["kind"] == kind)
                .map(raw_name)
                .collect();
            let want = expected[&format!("{section}.{state}")].clone();
            assert_eq!(actual, want, "{section}.{state}");
        }
    }

    // Renamed, moved and dropped tables are in no list under their old names.
    let everything = ["tracked", "drifted", "missing", "system"]
        .iter()
        .flat_map(|s| report[*s].as_array().unwrap().iter().map(raw_name))
        .collect::<BTreeSet<_>>();
    for gone in [
        "public.legacy_leads",
        "public.ticket_messages",
        "public.payment_methods",
        "public.invoice_reminders",
    ] {
        assert!(!everything.contains(gone), "{gone} is reported");
    }

    // Partitions appear under their parent.
    let drifted = report["drifted"].as_array().unwrap();
    let time_entries = drifted
        .iter()
        .find(|e| raw_name(e) == "public.time_entries")
        .unwrap();
    let partitions: BTreeSet<&str> = time_entries["partitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        partitions,
        BTreeSet::from([
            "time_entries_2023",
            "time_entries_2024",
            "time_entries_default"
        ])
    );

    // Table facts come from the catalog.
    let orgs = drifted
        .iter()
        .find(|e| raw_name(e) == "public.organizations")
        .unwrap();
    assert_eq!(orgs["estimated_rows"], 2);
    assert!(orgs["foreign_keys_in"].as_u64().unwrap() > 3, "{orgs}");
    assert!(orgs["size_bytes"].as_i64().unwrap() > 0);

    // The dynamic SQL warning names the file and the line of the EXECUTE.
    let warnings = report["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0]["file"]
        .as_str()
        .unwrap()
        .ends_with("20240418150000_create_audit_events_2024.sql"));
    assert_eq!(warnings[0]["line"], 7);

    // One query per object kind, the check that the schemas exist, the export of the snapshot
    // that the second connection joins and the check for changes made during the read,
    // however many tables.
    let settings =
        pgdrift::config::Settings::resolve(Some(&dir.path().join("pgdrift.toml")), &[], None)
            .unwrap();
    let reading = pgdrift::production::Reading::Report;
    let production = pgdrift::production::read(&settings, Some(&db.url()), reading).unwrap();
    assert_eq!(production.queries, 25);
    assert_eq!(production.schema.tables.len(), 65 + 8);

    let system = &report["system"].as_array().unwrap()[0];
    assert_eq!(system["reason"], "created and owned by the CRM sync worker");
}

#[test]
fn acme_check_fails_on_drift_and_text_leads_with_counts() {
    let db = acme_production();
    let dir = common::acme_project();
    let out = pgdrift(dir.path())
        .args(["--db-url", &db.url(), "check"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with("production: postgres://postgres@"),
        "{}",
        lines[0]
    );
    assert_eq!(lines[1], "schemas: public, billing; migrations: 19 files");
    assert_eq!(
        lines[2],
        "tables   12 tracked, 52 drifted, 1 missing, 1 system"
    );
    assert_eq!(
        lines[3],
        "objects  12 tracked, 36 drifted, 1 missing, 0 system"
    );
    assert!(text.contains("Drifted tables (in no migration):"));
    assert!(
        text.contains("\n  function          public.set_updated_at()\n"),
        "{text}"
    );
    assert!(
        text.contains("\n  table             public.webhook_endpoints  "),
        "{text}"
    );
    assert!(text.contains(
        "warning: supabase/migrations/20240418150000_create_audit_events_2024.sql:7: dynamic SQL"
    ));
}

#[test]
fn check_passes_when_history_declares_everything() {
    let db = TestDb::create("check");
    let dir = tempfile::tempdir().unwrap();
    let migrations = dir.path().join("supabase/migrations");
    std::fs::create_dir_all(&migrations).unwrap();
    let sql = "create type mood as enum ('ok', 'sad');
               create table people (id bigint generated always as identity primary key, m mood);
               create function greet(p people) returns text language sql as $$ select 'hi' $$;
               create view v_people as select id from people;";
    std::fs::write(migrations.join("20240101000000_init.sql"), sql).unwrap();
    db.execute(sql);
    pgdrift(dir.path())
        .args(["check", "--db-url", &db.url()])
        .assert()
        .code(0);

    // A table made by hand is drift until it is listed as system.
    db.execute("create table _tool_state (k text primary key)");
    pgdrift(dir.path())
        .args(["check", "--db-url", &db.url()])
        .assert()
        .code(1);
    std::fs::write(
        dir.path().join("pgdrift.toml"),
        "[[system]]\nname = \"public._tool_state\"\nreason = \"tool\"\n",
    )
    .unwrap();
    pgdrift(dir.path())
        .args(["check", "--db-url", &db.url()])
        .assert()
        .code(0);
}

/// A collation a migration creates is tracked; one made by hand is drift, and its import
/// runs before the hand-made table that uses it, and before the migration that does.
#[test]
fn collations_are_tracked_or_drifted_and_imported_before_their_users() {
    let db = TestDb::create("collations");
    let dir = tempfile::tempdir().unwrap();
    let migrations = dir.path().join("supabase/migrations");
    std::fs::create_dir_all(&migrations).unwrap();
    let history = "create collation posix from \"POSIX\";
                   create table names (a text collate posix);";
    let later = "create table sorted (n text collate numeric_order);";
    std::fs::write(migrations.join("20240101000000_init.sql"), history).unwrap();
    std::fs::write(migrations.join("20240201000000_sorted.sql"), later).unwrap();
    db.execute(history);
    db.execute(
        "create collation numeric_order (provider = icu, locale = 'en-u-kn-true');
         create table tags (name text collate numeric_order);",
    );
    db.execute(later);
    let json = json_status(dir.path(), &db);
    let listed = |group: &str| -> BTreeSet<String> {
        json[group]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| format!("{} {}", e["kind"].as_str().unwrap(), raw_name(e)))
            .collect()
    };
    assert_eq!(
        listed("tracked"),
        BTreeSet::from([
            "collation public.posix".to_string(),
            "table public.names".to_string(),
            "table public.sorted".to_string(),
        ])
    );
    assert_eq!(
        listed("drifted"),
        BTreeSet::from([
            "collation public.numeric_order".to_string(),
            "table public.tags".to_string(),
        ])
    );
    pgdrift(dir.path())
        .args(["--db-url", &db.url(), "import", "--all", "--yes"])
        .assert()
        .success();
    let out = pgdrift(dir.path())
        .args(["--db-url", &db.url(), "verify", "--scratch-url"])
        .arg(common::server_url())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// `status` or `check` with a scratch server, run in `dir`.
fn with_scratch(dir: &Path, db: &TestDb, command: &str, extra: &[&str]) -> std::process::Output {
    let url = common::server_url();
    pgdrift(dir)
        .args(["--db-url", &db.url(), command, "--scratch-url", &url])
        .args(extra)
        .output()
        .unwrap()
}

/// The acme history does not replay on its own (its first migration references a table
/// made by hand): the replay plans the import of the drifted objects in, writes nothing,
/// and reports what was changed by hand inside the tracked tables.
#[test]
fn acme_status_with_a_scratch_server_reports_object_level_drift_on_a_fresh_history() {
    let db = acme_production();
    let dir = common::acme_project();
    let migrations = dir.path().join("supabase/migrations");
    let before = common::migration_files(&migrations);
    let static_report = json_status(dir.path(), &db);

    let out = with_scratch(dir.path(), &db, "status", &["--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut objects: Vec<&str> = report["differences"]
        .as_array()
        .unwrap_or_else(|| panic!("no differences: {report}"))
        .iter()
        .map(|d| d["object"].as_str().unwrap())
        .collect();
    objects.sort();
    assert_eq!(
        objects,
        [
            "column public.support_tickets.sla_due_at",
            "index public.support_tickets_sla_due_idx",
            "policy \"Org members see reviews of their products\" on public.product_reviews",
        ]
    );
    let planned = &report["replayed_with_import"];
    assert_eq!(
        planned["history_alone_fails"],
        "supabase/migrations/20240201090000_create_crm_pipelines.sql:5: relation \"public.organizations\" does not exist"
    );
    assert!(
        planned["files"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "20240201085851_import_organizations.sql"),
        "{planned}"
    );
    // The drifted objects stay drifted; what migrations create but production lost is missing.
    let names = |r: &Value, state: &str| -> BTreeSet<String> {
        r[state].as_array().unwrap().iter().map(raw_name).collect()
    };
    assert_eq!(names(&report, "drifted"), names(&static_report, "drifted"));
    assert_eq!(
        names(&report, "missing"),
        BTreeSet::from([
            "public.refresh_reporting()".to_string(),
            "public.webhook_endpoints".to_string()
        ])
    );
    assert_eq!(
        common::migration_files(&migrations),
        before,
        "a file was written"
    );

    let out = with_scratch(dir.path(), &db, "check", &[]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[4],
        "object-level drift: 3 differences inside tracked objects"
    );
    assert!(
        lines[5].starts_with("replay: the history alone fails at supabase/migrations/20240201090000_create_crm_pipelines.sql:5: relation \"public.organizations\" does not exist; it was replayed with the import of the drifted objects planned in ("),
        "{}",
        lines[5]
    );
    assert!(
        text.contains("\nObject-level drift (changed by hand inside migration-made objects):\n  column public.support_tickets.sla_due_at: in production, not in migrations\n"),
        "{text}"
    );
    assert_eq!(
        common::migration_files(&migrations),
        before,
        "a file was written"
    );
}

/// A migration that fails even with the drifted objects imported before it is an error
/// naming the file, the line and the server's message.
#[test]
fn a_migration_that_fails_even_with_the_import_planned_in_is_an_error() {
    let db = acme_production();
    let dir = common::acme_project();
    std::fs::write(
        dir.path()
            .join("supabase/migrations/20240801000000_link_legacy.sql"),
        "-- Links organizations to a table no migration creates.\nALTER TABLE public.organizations\n  ADD COLUMN legacy_id bigint REFERENCES public.no_such_table (id);\n",
    )
    .unwrap();
    for command in ["status", "check"] {
        with_scratch(dir.path(), &db, command, &[])
            .assert()
            .code(2)
            .stderr(common::one_line_error(
                "supabase/migrations/20240801000000_link_legacy.sql:2: relation \"public.no_such_table\" does not exist",
            ));
    }
    // Without the scratch server, the static report still reads the history.
    pgdrift(dir.path())
        .args(["--db-url", &db.url(), "status"])
        .assert()
        .code(0);
}
