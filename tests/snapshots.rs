//! The files `import --all` writes for the acme fixture, as snapshots: a change to generated
//! SQL shows up as a diff to review. The date and author lines are left out; everything else
//! is byte-identical from one run to the next.

mod common;

use common::{acme_production, migration_files, pgdrift, TestDb};
use std::collections::BTreeMap;
use std::path::Path;

/// Imports everything and returns the new files by name, without their date and author.
fn import(db: &TestDb) -> BTreeMap<String, String> {
    let project = common::acme_project();
    let migrations = project.path().join("supabase/migrations");
    let before: Vec<_> = migration_files(&migrations);
    pgdrift(project.path())
        .args(["--db-url", &db.url(), "import", "--all", "--yes"])
        .assert()
        .success();
    migration_files(&migrations)
        .into_iter()
        .filter(|p| !before.contains(p))
        .map(|p| (name(&p), stable(&std::fs::read_to_string(&p).unwrap())))
        .collect()
}

fn name(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

fn stable(text: &str) -> String {
    text.lines()
        .filter(|l| !l.starts_with("-- Date: ") && !l.starts_with("-- Author: "))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn acme_import_files() {
    let db = acme_production();
    let files = import(&db);
    let listing: Vec<&str> = files.keys().map(String::as_str).collect();
    insta::assert_snapshot!("acme_file_names", listing.join("\n"));
    // One of each shape: a table with its parts and the functions they need, a table a
    // migration renames later, the parts placed after that rename, a partitioned table, a
    // foreign-key cycle, a table placed after the migration creating its schema, a view.
    for stem in [
        "import_crm_deals",
        "import_legacy_leads",
        "import_crm_leads_archive",
        "import_time_entries",
        "import_departments_foreign_keys",
        "import_tax_rates",
        "import_v_pipeline_overview",
    ] {
        let (file, text) = files
            .iter()
            .find(|(name, _)| {
                name.split_once('_')
                    .is_some_and(|(_, rest)| rest == format!("{stem}.sql"))
            })
            .unwrap_or_else(|| panic!("no file {stem}"));
        insta::assert_snapshot!(stem, format!("{file}\n\n{text}"));
    }

    // The same database gives the same files.
    assert_eq!(import(&db), files);
}
