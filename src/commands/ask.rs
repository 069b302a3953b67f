//! The interactive side of `resolve`: a card for each drifted table and a choice, asked on
//! the terminal. The answers become the same decisions a `--decisions` file gives.

use super::resolve::{Choice, DecisionsFile};
use crate::drift::Report;
use crate::history::History;
use crate::model::{ConstraintKind, ObjectKind, QualifiedName, Schema};
use crate::triage;
use anyhow::Result;
use console::{Key, Term};
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// The code folders searched and what was found, per table in walk order.
pub struct Code<'a> {
    pub dirs: &'a [std::path::PathBuf],
    pub references: Vec<Vec<triage::code::Reference>>,
}

const CHOICES: [&str; 5] = ["Import", "Drop", "Mark as system", "Skip", "Quit"];

/// What the user decided: the decisions, or None after Quit or Ctrl-C.
pub fn decide(
    prod: &Schema,
    report: &Report,
    history: &History,
    order: &[QualifiedName],
    counts: &[Option<i64>],
    code: &Code,
    ddl: &dyn Fn(&QualifiedName) -> Result<String>,
) -> Result<Option<DecisionsFile>> {
    // `?` renders a table's DDL while the question is up: that draws no bar.
    let _prompt = crate::progress::prompt();
    let term = Term::stderr();
    let mut file = DecisionsFile {
        default: Some(Choice::Import),
        ..Default::default()
    };
    let mut dropped = BTreeSet::new();
    for (i, table) in order.iter().enumerate() {
        let mut card = card(prod, report, table, counts.get(i).copied().flatten());
        if !code.dirs.is_empty() {
            card.push_str(&code_line(code, i));
        }
        term.write_line(&format!("\n[{}/{}] {card}", i + 1, order.len()))?;
        loop {
            let Some(choice) = select(&term, table, ddl)? else {
                term.write_line("Quit: nothing was written.")?;
                return Ok(None);
            };
            match choice {
                Choice::Drop => {
                    let deps = triage::dependents(prod, history, table, &dropped);
                    if !deps.is_empty() {
                        let list: Vec<String> =
                            deps.iter().take(8).map(|d| d.to_string()).collect();
                        term.write_line(&format!(
                            "{table} cannot be dropped without CASCADE: {}{}. Choose again.",
                            list.join(", "),
                            if deps.len() > 8 {
                                format!(" and {} more", deps.len() - 8)
                            } else {
                                String::new()
                            }
                        ))?;
                        continue;
                    }
                    dropped.insert(table.clone());
                }
                Choice::System => {
                    let reason: Option<String> = dialoguer::Input::new()
                        .with_prompt("Why is it managed outside the migrations? (one line)")
                        .allow_empty(true)
                        .interact_text_on(&term)
                        .ok();
                    let Some(reason) = reason else {
                        term.write_line("Quit: nothing was written.")?;
                        return Ok(None);
                    };
                    if !reason.trim().is_empty() {
                        file.reasons
                            .push((table.to_string(), reason.trim().to_string()));
                    }
                }
                _ => {}
            }
            file.tables.push((table.to_string(), choice));
            break;
        }
    }
    Ok(Some(file))
}

/// Arrow keys and Enter pick a choice, `?` shows the table's DDL, q, Esc and Ctrl-C quit.
fn select(
    term: &Term,
    table: &QualifiedName,
    ddl: &dyn Fn(&QualifiedName) -> Result<String>,
) -> Result<Option<Choice>> {
    let mut at = 0usize;
    let draw = |at: usize| -> std::io::Result<()> {
        for (n, label) in CHOICES.iter().enumerate() {
            let mark = if n == at { ">" } else { " " };
            term.write_line(&format!("  {mark} {label}"))?;
        }
        term.write_line("  (arrows and Enter to choose, ? for the DDL, q to quit)")
    };
    draw(at)?;
    loop {
        let key = term.read_key()?;
        match key {
            Key::ArrowDown | Key::Tab | Key::Char('j') => at = (at + 1) % CHOICES.len(),
            Key::ArrowUp | Key::BackTab | Key::Char('k') => {
                at = (at + CHOICES.len() - 1) % CHOICES.len()
            }
            Key::Enter => {
                term.clear_last_lines(CHOICES.len() + 1)?;
                term.write_line(&format!("  {table}: {}", CHOICES[at]))?;
                return Ok(match at {
                    0 => Some(Choice::Import),
                    1 => Some(Choice::Drop),
                    2 => Some(Choice::System),
                    3 => Some(Choice::Skip),
                    _ => None,
                });
            }
            Key::Char('?') => {
                term.clear_last_lines(CHOICES.len() + 1)?;
                term.write_line(&ddl(table)?)?;
                draw(at)?;
                continue;
            }
            Key::Char('q') | Key::Escape | Key::CtrlC => {
                term.clear_last_lines(CHOICES.len() + 1)?;
                return Ok(None);
            }
            _ => continue,
        }
        term.clear_last_lines(CHOICES.len() + 1)?;
        draw(at)?;
    }
}

/// The table's card: columns, rows, size, keys, policies, triggers, what depends on it.
fn card(prod: &Schema, report: &Report, name: &QualifiedName, exact: Option<i64>) -> String {
    let mut s = String::new();
    let Some(t) = prod.tables.get(name) else {
        return name.to_string();
    };
    let facts = report
        .drifted
        .iter()
        .find(|e| e.key.kind == ObjectKind::Table && &e.key.name == name)
        .and_then(|e| e.table.clone());
    let _ = writeln!(
        s,
        "{name}{}",
        if t.rls_enabled {
            "  (row level security on)"
        } else {
            "  (row level security off)"
        }
    );
    let columns: Vec<String> = t
        .columns
        .iter()
        .take(12)
        .map(|c| format!("{} {}", c.name, c.type_sql))
        .collect();
    let more = t.columns.len().saturating_sub(12);
    let _ = writeln!(
        s,
        "  columns   {}{}",
        columns.join(", "),
        if more > 0 {
            format!(", +{more} more")
        } else {
            String::new()
        }
    );
    let rows = match (exact, facts.as_ref().and_then(|f| f.estimated_rows)) {
        (Some(n), _) => n.to_string(),
        (None, Some(n)) => format!("~{n}"),
        (None, None) => "?".into(),
    };
    let size = facts.as_ref().map_or(t.size_bytes, |f| f.size_bytes);
    let _ = writeln!(s, "  rows      {rows}, {}", crate::report::human_size(size));
    let out: Vec<String> = t
        .constraints
        .iter()
        .filter(|c| c.kind == ConstraintKind::ForeignKey)
        .filter_map(|c| c.references.as_ref().map(|r| r.to_string()))
        .collect();
    let incoming: Vec<String> = prod
        .tables
        .values()
        .flat_map(|o| {
            o.constraints
                .iter()
                .filter(|c| {
                    c.kind == ConstraintKind::ForeignKey && c.references.as_ref() == Some(name)
                })
                .map(move |_| o.name.to_string())
        })
        .collect();
    let _ = writeln!(s, "  FKs out   {}", list(&out));
    let _ = writeln!(s, "  FKs in    {}", list(&incoming));
    let policies: Vec<String> = t.policies.iter().map(|p| p.name.clone()).collect();
    let triggers: Vec<String> = t.triggers.iter().map(|p| p.name.clone()).collect();
    let _ = writeln!(s, "  policies  {}", list(&policies));
    let _ = writeln!(s, "  triggers  {}", list(&triggers));
    let key = crate::model::ObjectKey::relation(ObjectKind::Table, name.clone());
    let mut used: Vec<String> = prod
        .dependencies
        .iter()
        .filter(|d| d.to == key && d.from.kind != ObjectKind::Table)
        .map(|d| d.from.to_string())
        .collect();
    used.dedup();
    let _ = write!(s, "  used by   {}", list(&used));
    s
}

/// `  code      src/a.ts:12, src/b.ts:40 (2 references)`, or that none was found where.
fn code_line(code: &Code, i: usize) -> String {
    let refs = code.references.get(i).map(Vec::as_slice).unwrap_or(&[]);
    if refs.is_empty() {
        let dirs: Vec<String> = code.dirs.iter().map(|d| d.display().to_string()).collect();
        return format!("\n  code      no references found in {}", dirs.join(", "));
    }
    let first: Vec<String> = refs
        .iter()
        .take(5)
        .map(|r| format!("{}:{}", r.path.display(), r.line))
        .collect();
    format!(
        "\n  code      {}{} ({} reference{})",
        first.join(", "),
        if refs.len() > 5 { ", ..." } else { "" },
        refs.len(),
        if refs.len() == 1 { "" } else { "s" }
    )
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "none".into()
    } else {
        format!("{} ({})", items.join(", "), items.len())
    }
}
