//! Prints a drift report for people (text) or machines (JSON).

use crate::drift::{Entry, PlannedImport, Report};
use crate::model::{quote_ident, ObjectKey, ObjectKind};
use std::io::{self, Write};
use unicode_width::UnicodeWidthStr;

pub mod markdown;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}

/// How `status` and `check` print their report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    Text,
    Json,
    /// Markdown tables, for a pull-request comment.
    Markdown,
}

pub fn print(report: &Report, format: ReportFormat, out: &mut impl Write) -> io::Result<()> {
    match format {
        ReportFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, report)?;
            writeln!(out)
        }
        ReportFormat::Text => text(report, out),
        ReportFormat::Markdown => markdown::print(report, out),
    }
}

pub(crate) fn count(entries: &[Entry], tables: bool) -> usize {
    entries
        .iter()
        .filter(|e| (e.key.kind == ObjectKind::Table) == tables)
        .count()
}

fn text(report: &Report, out: &mut impl Write) -> io::Result<()> {
    writeln!(out, "production: {}", report.database)?;
    writeln!(
        out,
        "schemas: {}; migrations: {} file{}",
        report
            .schemas
            .iter()
            .map(|s| quote_ident(s))
            .collect::<Vec<_>>()
            .join(", "),
        report.migrations,
        if report.migrations == 1 { "" } else { "s" }
    )?;
    for (label, tables) in [("tables ", true), ("objects", false)] {
        writeln!(
            out,
            "{label}  {} tracked, {} drifted, {} missing, {} system",
            count(&report.tracked, tables),
            count(&report.drifted, tables),
            count(&report.missing, tables),
            count(&report.system, tables),
        )?;
    }
    if !report.differences.is_empty() {
        let n = report.differences.len();
        let plural = if n == 1 { "" } else { "s" };
        writeln!(
            out,
            "object-level drift: {n} difference{plural} inside tracked objects"
        )?;
    }
    if let Some(planned) = &report.replayed_with_import {
        writeln!(out, "{}", planned_note(planned))?;
    }
    drifted_tables(report, out)?;
    other_list(
        out,
        "Drifted objects (in no migration)",
        report
            .drifted
            .iter()
            .filter(|e| e.key.kind != ObjectKind::Table),
    )?;
    let missing = report.missing.iter().map(|e| {
        (
            labelled(&e.key),
            e.migration
                .as_deref()
                .map(|m| format!("created by {m}"))
                .unwrap_or_default(),
        )
    });
    listing(
        out,
        "Missing (declared by migrations, absent in production)",
        missing,
    )?;
    let system = report
        .system
        .iter()
        .map(|e| (labelled(&e.key), e.reason.clone().unwrap_or_default()));
    listing(out, "System (pgdrift.toml)", system)?;
    let inside = report
        .differences
        .iter()
        .map(|d| (d.to_string(), String::new()));
    listing(
        out,
        "Object-level drift (changed by hand inside migration-made objects)",
        inside,
    )?;
    other_list(out, "Tracked", report.tracked.iter())?;
    notes(report, out)
}

/// How a replay with a planned import was made: `replay: ...`.
fn planned_note(planned: &PlannedImport) -> String {
    let n = planned.files.len();
    format!(
        "replay: the history alone fails at {}; it was replayed with the import of the drifted objects planned in ({n} file{}, not written)",
        planned.history_alone_fails,
        if n == 1 { "" } else { "s" }
    )
}

fn drifted_tables(report: &Report, out: &mut impl Write) -> io::Result<()> {
    let tables: Vec<&Entry> = report
        .drifted
        .iter()
        .filter(|e| e.key.kind == ObjectKind::Table)
        .collect();
    if tables.is_empty() {
        return Ok(());
    }
    let width = tables
        .iter()
        .map(|e| e.key.display_name().width())
        .max()
        .unwrap_or(5)
        .max(5);
    writeln!(out, "\nDrifted tables (in no migration):")?;
    writeln!(
        out,
        "  {}  {:>10}  {:>10}  {:>6}  {:>5}  {:>8}  {:>8}",
        padded("TABLE", width),
        "ROWS",
        "SIZE",
        "FK OUT",
        "FK IN",
        "POLICIES",
        "TRIGGERS"
    )?;
    for e in tables {
        let Some(f) = &e.table else { continue };
        let rows = f
            .estimated_rows
            .map_or("?".to_string(), |r| format!("~{r}"));
        write!(
            out,
            "  {}  {:>10}  {:>10}  {:>6}  {:>5}  {:>8}  {:>8}",
            padded(&e.key.display_name(), width),
            rows,
            human_size(f.size_bytes),
            f.foreign_keys_out,
            f.foreign_keys_in,
            f.policies,
            f.triggers
        )?;
        if let Some(parent) = &f.partition_of {
            write!(out, "  partition of {parent}")?;
        } else if f.partitioned {
            write!(
                out,
                "  partitioned, {} partition{}",
                f.partitions.len(),
                if f.partitions.len() == 1 { "" } else { "s" }
            )?;
        }
        writeln!(out)?;
    }
    Ok(())
}

/// `function          public.f(uuid)`: kinds in one column.
pub(crate) fn labelled(key: &ObjectKey) -> String {
    format!("{:<17} {}", key.kind.as_str(), key.display_name())
}

fn other_list<'a>(
    out: &mut impl Write,
    title: &str,
    entries: impl Iterator<Item = &'a Entry>,
) -> io::Result<()> {
    listing(
        out,
        title,
        entries.map(|e| (labelled(&e.key), String::new())),
    )
}

fn listing(
    out: &mut impl Write,
    title: &str,
    rows: impl Iterator<Item = (String, String)>,
) -> io::Result<()> {
    let rows: Vec<(String, String)> = rows.collect();
    if rows.is_empty() {
        return Ok(());
    }
    writeln!(out, "\n{title}:")?;
    let width = rows.iter().map(|(a, _)| a.width()).max().unwrap_or(0);
    for (name, note) in rows {
        if note.is_empty() {
            writeln!(out, "  {name}")?;
        } else {
            writeln!(out, "  {}  {note}", padded(&name, width))?;
        }
    }
    Ok(())
}

fn notes(report: &Report, out: &mut impl Write) -> io::Result<()> {
    if !(report.warnings.is_empty()
        && report.skipped_files.is_empty()
        && report.unknown_system_entries.is_empty())
    {
        writeln!(out)?;
    }
    for w in &report.warnings {
        writeln!(
            out,
            "warning: {}:{}: {}",
            w.path.display(),
            w.line,
            w.message
        )?;
    }
    for path in &report.skipped_files {
        // A skipped entry named like a migration can only be a folder.
        let why = if crate::history::migration_file(path).is_some() {
            "skipped, a folder and not a file: move the migration out of it, or rename the folder"
        } else {
            "skipped, not named <version>_<name>.sql"
        };
        writeln!(out, "warning: {}: {why}", path.display())?;
    }
    for name in &report.unknown_system_entries {
        writeln!(
            out,
            "warning: pgdrift.toml lists {name} as system, but production has no such object"
        )?;
    }
    Ok(())
}

/// `text` followed by spaces up to `width` terminal columns (a CJK character or an emoji
/// takes two).
fn padded(text: &str, width: usize) -> String {
    let fill = width.saturating_sub(text.width());
    format!("{text}{}", " ".repeat(fill))
}

/// `8192` → `8 kB`, as `pg_size_pretty` does.
pub fn human_size(bytes: i64) -> String {
    let mut value = bytes as f64;
    for unit in ["bytes", "kB", "MB", "GB"] {
        if value.abs() < 10240.0 {
            return format!("{} {unit}", value.round() as i64);
        }
        value /= 1024.0;
    }
    format!("{} TB", value.round() as i64)
}

#[cfg(test)]
mod tests {
    use super::{human_size, padded};

    #[test]
    fn padding_counts_terminal_columns() {
        assert_eq!(padded("ab", 4), "ab  ");
        assert_eq!(padded("表", 4), "表  ");
        assert_eq!(padded("café", 5), "café ");
        assert_eq!(padded("toolong", 3), "toolong");
    }

    #[test]
    fn sizes_read_like_pg_size_pretty() {
        assert_eq!(human_size(0), "0 bytes");
        assert_eq!(human_size(8192), "8192 bytes");
        assert_eq!(human_size(16384), "16 kB");
        assert_eq!(human_size(50 * 1024 * 1024), "50 MB");
    }
}
