//! Tests of the migration history: each folds SQL given in memory (or a temporary folder)
//! and compares exact sets.

mod declared;
mod files;
mod parts;
mod plpgsql;
mod references;
mod routines;

use super::{parse_sources, History, MigrationFile};
use std::collections::BTreeSet;
use std::path::PathBuf;

/// Migration files `20240101000000_m0.sql`, `20240101000001_m1.sql`... with these texts.
fn sources(texts: &[&str]) -> Vec<(MigrationFile, String)> {
    texts
        .iter()
        .enumerate()
        .map(|(index, text)| {
            let version = format!("2024010100{index:04}");
            let name = format!("m{index}");
            let path = PathBuf::from(format!("supabase/migrations/{version}_{name}.sql"));
            let file = MigrationFile {
                version,
                name,
                path,
            };
            (file, text.to_string())
        })
        .collect()
}

fn fold(texts: &[&str]) -> History {
    parse_sources(sources(texts)).expect("the migrations parse")
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// Declared objects as `kind schema.name[(signature)]`.
fn declared(history: &History) -> BTreeSet<String> {
    history.declared.keys().map(|k| k.to_string()).collect()
}

/// The names that file `file` mentions, as SQL.
fn referenced_in(history: &History, file: usize) -> BTreeSet<String> {
    history
        .references
        .iter()
        .filter(|(_, files)| files.contains(&file))
        .map(|(name, _)| name.to_sql())
        .collect()
}

/// The declaration of the object displayed as `key`.
fn declaration<'a>(history: &'a History, key: &str) -> &'a super::Declaration {
    history
        .declared
        .iter()
        .find(|(k, _)| k.to_string() == key)
        .map(|(_, d)| d)
        .unwrap_or_else(|| panic!("{key} is not declared: {:?}", declared(history)))
}
