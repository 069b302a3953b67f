//! Edits to `pgdrift.toml` in place: the new entries are appended and every other byte of
//! the file (settings, comments, order, spacing) stays as the user wrote it.

use super::SystemEntry;
use anyhow::{anyhow, bail, Result};
use toml_edit::{value, ArrayOfTables, DocumentMut, Item, Table};

/// `text` (the file's contents, empty for a new file) with `entries` appended to its
/// `[[system]]` list. An entry whose name is already listed is an error naming it.
pub fn add_system(text: &str, entries: &[SystemEntry]) -> Result<String> {
    let mut doc: DocumentMut = text
        .parse()
        .map_err(|e| anyhow!("the config file does not parse as TOML: {e}"))?;
    let listed: Vec<String> = doc
        .get("system")
        .and_then(Item::as_array_of_tables)
        .map(|a| {
            a.iter()
                .filter_map(|t| t.get("name").and_then(Item::as_str).map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    for entry in entries {
        if listed.contains(&entry.name) {
            bail!(
                "{} is already listed as system in the config file",
                entry.name
            );
        }
    }
    if doc.get("system").is_none() {
        doc.insert("system", Item::ArrayOfTables(ArrayOfTables::new()));
    }
    let Some(list) = doc.get_mut("system").and_then(Item::as_array_of_tables_mut) else {
        bail!("`system` in the config file is not a list of [[system]] tables: fix it by hand");
    };
    for entry in entries {
        let mut table = Table::new();
        table.insert("name", value(entry.name.as_str()));
        table.insert("reason", value(entry.reason.as_str()));
        if let Some(date) = &entry.date {
            table.insert("date", value(date.as_str()));
        }
        list.push(table);
    }
    Ok(doc.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str, reason: &str) -> SystemEntry {
        SystemEntry {
            name: name.into(),
            reason: reason.into(),
            date: Some("2026-12-07".into()),
        }
    }

    const COMMENTED: &str = "# Acme settings.\nschemas = [\"public\",   \"billing\"]  # both\n\n# System objects:\n[[system]]\nname = \"public._sync\"   # the worker's\nreason = \"worker\"\n\n[other]\nkey = 1\n";

    #[test]
    fn every_byte_outside_the_new_entry_survives() {
        let out = add_system(COMMENTED, &[entry("etl.*", "the ETL job")]).unwrap();
        let (kept, added) = out.split_at(out.find("[[system]]\nname = \"etl.*\"").unwrap());
        // toml_edit puts the new table after the last one of its array.
        assert!(COMMENTED.starts_with(kept.trim_end_matches('\n')), "{out}");
        assert!(added.starts_with(
            "[[system]]\nname = \"etl.*\"\nreason = \"the ETL job\"\ndate = \"2026-12-07\"\n"
        ));
        let rest = &added[added.find("\n[other]").unwrap()..];
        assert!(COMMENTED.ends_with(rest), "{out}");
        // Reading it back gives both entries.
        let doc: DocumentMut = out.parse().unwrap();
        assert_eq!(doc["system"].as_array_of_tables().unwrap().len(), 2);
    }

    #[test]
    fn new_and_empty_files_get_a_list() {
        let out = add_system("", &[entry("public.t", "r")]).unwrap();
        assert_eq!(
            out,
            "[[system]]\nname = \"public.t\"\nreason = \"r\"\ndate = \"2026-12-07\"\n"
        );
        let out = add_system("schemas = [\"public\"]", &[entry("public.t", "r")]).unwrap();
        assert!(
            out.starts_with("schemas = [\"public\"]\n\n[[system]]\n"),
            "{out}"
        );
    }

    #[test]
    fn a_listed_name_is_refused() {
        let err = add_system(COMMENTED, &[entry("public._sync", "again")])
            .unwrap_err()
            .to_string();
        assert!(err.contains("already listed"), "{err}");
    }
}
