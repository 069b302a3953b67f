//! The drift report as Markdown: a summary table and one table per group, for a
//! pull-request comment or a wiki page.

use super::{count, human_size};
use crate::drift::{Entry, Report};
use crate::model::ObjectKind;
use std::io::{self, Write};

pub(super) fn print(report: &Report, out: &mut impl Write) -> io::Result<()> {
    writeln!(out, "### pgdrift status")?;
    writeln!(out)?;
    writeln!(
        out,
        "Production `{}`, schemas {}, {} migration file{}.",
        code(&report.database),
        report
            .schemas
            .iter()
            .map(|s| format!("`{}`", code(s)))
            .collect::<Vec<_>>()
            .join(", "),
        report.migrations,
        if report.migrations == 1 { "" } else { "s" }
    )?;
    writeln!(out)?;
    writeln!(out, "| | tracked | drifted | missing | system |")?;
    writeln!(out, "|---|---:|---:|---:|---:|")?;
    for (label, tables) in [("tables", true), ("other objects", false)] {
        writeln!(
            out,
            "| {label} | {} | {} | {} | {} |",
            count(&report.tracked, tables),
            count(&report.drifted, tables),
            count(&report.missing, tables),
            count(&report.system, tables),
        )?;
    }
    drifted(report, out)?;
    group(
        out,
        "Missing (declared by migrations, absent in production)",
        &report.missing,
        |e| e.migration.clone().unwrap_or_default(),
    )?;
    group(out, "System (pgdrift.toml)", &report.system, |e| {
        e.reason.clone().unwrap_or_default()
    })?;
    if !report.differences.is_empty() {
        writeln!(
            out,
            "\n#### Object-level drift (changed by hand inside migration-made objects)\n"
        )?;
        for d in &report.differences {
            writeln!(out, "- {}", cell(&d.to_string()))?;
        }
    }
    if let Some(planned) = &report.replayed_with_import {
        writeln!(out, "\n{}", cell(&super::planned_note(planned)))?;
    }
    let notes = report.warnings.len() + report.skipped_files.len();
    if notes > 0 {
        writeln!(
            out,
            "\n{notes} warning{} about the migration files: run `pgdrift status` to read them.",
            if notes == 1 { "" } else { "s" }
        )?;
    }
    Ok(())
}

fn drifted(report: &Report, out: &mut impl Write) -> io::Result<()> {
    if report.drifted.is_empty() {
        writeln!(
            out,
            "\nNo drift: every object is declared by a migration or listed as system."
        )?;
        return Ok(());
    }
    writeln!(out, "\n#### Drifted (in no migration)\n")?;
    writeln!(
        out,
        "| object | kind | rows | size | FK out | FK in | policies | triggers |"
    )?;
    writeln!(out, "|---|---|---:|---:|---:|---:|---:|---:|")?;
    for e in &report.drifted {
        let name = format!("`{}`", code(&e.key.display_name()));
        match &e.table {
            Some(f) => writeln!(
                out,
                "| {name} | {} | {} | {} | {} | {} | {} | {} |",
                e.key.kind,
                f.estimated_rows.map_or("?".into(), |r| format!("~{r}")),
                human_size(f.size_bytes),
                f.foreign_keys_out,
                f.foreign_keys_in,
                f.policies,
                f.triggers
            )?,
            None => writeln!(out, "| {name} | {} | | | | | | |", e.key.kind)?,
        }
    }
    Ok(())
}

fn group(
    out: &mut impl Write,
    title: &str,
    entries: &[Entry],
    note: impl Fn(&Entry) -> String,
) -> io::Result<()> {
    if entries.is_empty() {
        return Ok(());
    }
    writeln!(out, "\n#### {title}\n")?;
    writeln!(out, "| object | kind | |")?;
    writeln!(out, "|---|---|---|")?;
    for e in entries {
        let kind = if e.key.kind == ObjectKind::Table {
            "table".to_string()
        } else {
            e.key.kind.to_string()
        };
        writeln!(
            out,
            "| `{}` | {kind} | {} |",
            code(&e.key.display_name()),
            cell(&note(e))
        )?;
    }
    Ok(())
}

/// Text for a table cell: `|` escaped, and line breaks and other control characters shown
/// as escapes, so that no name can break the table.
pub fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '|' => out.push_str("\\|"),
            c if c.is_control() => out.extend(c.escape_default()),
            c => out.push(c),
        }
    }
    out
}

/// Text inside a code span in a cell: as `cell`, with backticks made plain quotes (a code
/// span cannot hold its own delimiter).
pub fn code(text: &str) -> String {
    cell(text).replace('`', "'")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_cannot_break_the_table() {
        assert_eq!(cell("a|b"), "a\\|b");
        assert_eq!(cell("line\nbreak"), "line\\nbreak");
        assert_eq!(code("x`y"), "x'y");
    }
}
