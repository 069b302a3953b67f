//! The team's inventory document (`docs/database/inventory.md`): the expected structure,
//! regenerated between two marker comments, and the `## Audit History` list that every
//! resolution appends a dated line to. Everything else in the file is the team's own and
//! is kept byte for byte.

use crate::config::SystemEntry;
use crate::drift::{Entry, Report};
use crate::model::{ConstraintKind, ObjectKind, Schema};
use crate::report::markdown::{cell, code};
use std::fmt::Write as _;

/// Where the generated part starts and ends.
pub const START: &str = "<!-- pgdrift:inventory:start -->";
pub const END: &str = "<!-- pgdrift:inventory:end -->";
/// The heading of the audit log's list.
pub const AUDIT_HEADING: &str = "## Audit History";
/// The file `inventory` writes when neither `--out` nor `audit_log` names one.
pub const DEFAULT_FILE: &str = "docs/database/inventory.md";

/// `text` (a Markdown file, empty when new) with `- DATE: LINE` added as the last item of
/// its `## Audit History` section, which is appended at the end when absent.
pub fn append_audit(text: &str, date: &str, line: &str) -> String {
    let item = format!("- {date}: {}\n", one_line(line));
    let heading = text
        .match_indices(AUDIT_HEADING)
        .map(|(i, _)| i)
        .find(|&i| {
            (i == 0 || text[..i].ends_with('\n'))
                && text[i + AUDIT_HEADING.len()..]
                    .chars()
                    .next()
                    .is_none_or(|c| c == '\n' || c == '\r')
        });
    let Some(start) = heading else {
        let mut out = text.to_string();
        if !out.is_empty() {
            if !out.ends_with('\n') {
                out.push('\n');
            }
            out.push('\n');
        }
        out.push_str(AUDIT_HEADING);
        out.push_str("\n\n");
        out.push_str(&item);
        return out;
    };
    // The section ends at the next heading of level 1 or 2, or at the end of the file.
    let body_start = text[start..]
        .find('\n')
        .map_or(text.len(), |n| start + n + 1);
    let mut end = text.len();
    let mut pos = body_start;
    for line in text[body_start..].split_inclusive('\n') {
        if line.starts_with("# ") || line.starts_with("## ") {
            end = pos;
            break;
        }
        pos += line.len();
    }
    // After the section's last non-blank line.
    let section = &text[body_start..end];
    let content_end = body_start + section.trim_end().len();
    let mut out = String::with_capacity(text.len() + item.len() + 2);
    if content_end == body_start {
        // An empty section: its blank lines become one, then the item, then a blank line
        // before the heading that follows.
        out.push_str(&text[..body_start]);
        out.push('\n');
        out.push_str(&item);
        if end < text.len() {
            out.push('\n');
            out.push_str(&text[end..]);
        }
        return out;
    }
    let line_end = text[content_end..]
        .find('\n')
        .map_or(text.len(), |n| content_end + n + 1);
    out.push_str(&text[..line_end]);
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(&item);
    out.push_str(&text[line_end..]);
    out
}

/// `text` with the part between the markers replaced by `generated`; the markers and the
/// part are appended when the file has none (a new file gets a title first).
pub fn replace_generated(text: &str, generated: &str) -> String {
    let block = format!("{START}\n{}{END}", generated);
    if let (Some(start), Some(end)) = (text.find(START), text.find(END)) {
        if start < end {
            return format!("{}{block}{}", &text[..start], &text[end + END.len()..]);
        }
    }
    let mut out = text.to_string();
    if out.is_empty() {
        out.push_str("# Database inventory\n\n");
    } else {
        if !out.ends_with('\n') {
            out.push('\n');
        }
        out.push('\n');
    }
    out.push_str(&block);
    out.push('\n');
    out
}

/// The expected structure of the database: tracked tables with their column, index and
/// policy counts by schema, system objects with their reasons, what is still drifted or
/// missing.
pub fn generated(report: &Report, prod: &Schema, system: &[SystemEntry], date: &str) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "<!-- Written by `pgdrift inventory` on {date}; run it again instead of editing between the markers. -->\n"
    );
    let _ = writeln!(s, "## Expected structure\n");
    let _ = writeln!(
        s,
        "{} tables declared by {} migration files; {} system, {} drifted, {} missing.\n",
        report.tracked.len(),
        report.migrations,
        report.system.len(),
        report.drifted.len(),
        report.missing.len()
    );
    for schema in &report.schemas {
        let tracked: Vec<&Entry> = report
            .tracked
            .iter()
            .filter(|e| e.key.kind == ObjectKind::Table && e.key.name.schema == *schema)
            .collect();
        let _ = writeln!(s, "### Schema `{}`\n", code(schema));
        if tracked.is_empty() {
            let _ = writeln!(s, "No table declared by a migration.\n");
            continue;
        }
        let _ = writeln!(s, "| table | columns | indexes | policies | created by |");
        let _ = writeln!(s, "|---|---:|---:|---:|---|");
        for e in tracked {
            let Some(t) = prod.tables.get(&e.key.name) else {
                continue;
            };
            let keyed = t
                .constraints
                .iter()
                .filter(|c| {
                    c.is_local
                        && matches!(
                            c.kind,
                            ConstraintKind::PrimaryKey
                                | ConstraintKind::Unique
                                | ConstraintKind::Exclusion
                        )
                })
                .count();
            let migration = e.migration.as_deref().unwrap_or_default();
            let file = migration.rsplit('/').next().unwrap_or(migration);
            let _ = writeln!(
                s,
                "| `{}` | {} | {} | {} | {} |",
                code(&e.key.name.name),
                t.columns.iter().filter(|c| c.is_local).count(),
                t.indexes.len() + keyed,
                t.policies.len(),
                code(file)
            );
        }
        s.push('\n');
    }
    let other = report
        .tracked
        .iter()
        .filter(|e| e.key.kind != ObjectKind::Table);
    let other: Vec<String> = other
        .map(|e| format!("{} `{}`", e.key.kind, code(&e.key.display_name())))
        .collect();
    if !other.is_empty() {
        let _ = writeln!(s, "Other declared objects: {}.\n", other.join(", "));
    }
    system_section(&mut s, report, system);
    listing(
        &mut s,
        "Still drifted (in production, in no migration)",
        &report.drifted,
    );
    listing(
        &mut s,
        "Missing (declared by migrations, absent in production)",
        &report.missing,
    );
    s
}

fn system_section(s: &mut String, report: &Report, system: &[SystemEntry]) {
    let _ = writeln!(s, "## System and external objects\n");
    if system.is_empty() {
        let _ = writeln!(s, "None listed in pgdrift.toml.\n");
        return;
    }
    let _ = writeln!(s, "| entry | reason | since | matches |");
    let _ = writeln!(s, "|---|---|---|---|");
    for entry in system {
        let matched: Vec<String> = report
            .system
            .iter()
            .filter(|e| entry.matches(&e.key.name))
            .map(|e| format!("`{}`", code(&e.key.display_name())))
            .collect();
        let _ = writeln!(
            s,
            "| `{}` | {} | {} | {} |",
            code(&entry.display_name()),
            cell(&entry.reason),
            cell(entry.date.as_deref().unwrap_or("")),
            if matched.is_empty() {
                "nothing in production".to_string()
            } else {
                matched.join(", ")
            }
        );
    }
    s.push('\n');
}

fn listing(s: &mut String, title: &str, entries: &[Entry]) {
    let _ = writeln!(s, "## {title}\n");
    if entries.is_empty() {
        let _ = writeln!(s, "None.\n");
        return;
    }
    for e in entries {
        let _ = writeln!(s, "- {} `{}`", e.key.kind, code(&e.key.display_name()));
    }
    s.push('\n');
}

/// An audit entry on one line, whatever the names in it hold.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audit_lines_go_at_the_end_of_their_section() {
        let text = "# Inventory\n\nProse.\n\n## Audit History\n\n- 2026-01-01: first\n\n## Notes\n\nmore\n";
        let out = append_audit(text, "2026-12-07", "second");
        assert_eq!(
            out,
            "# Inventory\n\nProse.\n\n## Audit History\n\n- 2026-01-01: first\n- 2026-12-07: second\n\n## Notes\n\nmore\n"
        );
        let out = append_audit("## Audit History\n- a: b", "d", "c");
        assert_eq!(out, "## Audit History\n- a: b\n- d: c\n");
    }

    #[test]
    fn a_missing_section_is_added_at_the_end() {
        assert_eq!(
            append_audit("# Inventory\n\nProse.", "d", "x"),
            "# Inventory\n\nProse.\n\n## Audit History\n\n- d: x\n"
        );
        assert_eq!(append_audit("", "d", "x"), "## Audit History\n\n- d: x\n");
        // A heading that only starts like the audit one is not it.
        let out = append_audit("## Audit History of 2024\n\n- old\n", "d", "x");
        assert!(out.ends_with("\n## Audit History\n\n- d: x\n"), "{out}");
    }

    #[test]
    fn an_empty_section_gets_its_first_line() {
        let out = append_audit("## Audit History\n\n## Next\n", "d", "x");
        assert_eq!(out, "## Audit History\n\n- d: x\n\n## Next\n");
    }

    #[test]
    fn the_generated_part_is_replaced_and_the_rest_kept() {
        let text =
            format!("# Mine\n\nProse.\n\n{START}\nold\n{END}\n\n## Audit History\n\n- a: b\n");
        let out = replace_generated(&text, "new\n");
        assert_eq!(
            out,
            format!("# Mine\n\nProse.\n\n{START}\nnew\n{END}\n\n## Audit History\n\n- a: b\n")
        );
        let out = replace_generated("", "new\n");
        assert_eq!(
            out,
            format!("# Database inventory\n\n{START}\nnew\n{END}\n")
        );
    }

    #[test]
    fn audit_entries_stay_on_one_line() {
        let out = append_audit("", "d", "dropped x\ny");
        assert_eq!(out.lines().count(), 3);
    }
}
