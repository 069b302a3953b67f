//! The migration file around the items (`file.sql.tera`) and the statements that undo each
//! item (`rollback.sql.tera`).

use super::filters::{comment_line, comment_lines, wrap};
use super::objects::aggregate_arguments;
use super::{function, table, view, Renderer};
use crate::model::{ConstraintKind, Part, QualifiedName, RoutineKind, Schema, TypeBody};
use crate::plan::Item;
use anyhow::{anyhow, bail, Result};
use serde::Serialize;

/// What the header comment of a migration file says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileHeader {
    pub title: String,
    /// From git config, when known; `pgdrift` otherwise.
    pub author: Option<String>,
    /// `YYYY-MM-DD`.
    pub date: String,
    pub description: String,
}

/// Description lines are wrapped to fit 88 columns with their `-- Description: `.
const DESCRIPTION_WIDTH: usize = 72;

#[derive(Serialize)]
struct FileContext {
    title: String,
    author: String,
    date: String,
    description_lines: Vec<String>,
    bodies: Vec<String>,
    rollback_lines: Vec<String>,
}

pub(super) fn file(
    r: &Renderer,
    header: &FileHeader,
    bodies: &[String],
    rollbacks: &[String],
) -> Result<String> {
    let context = FileContext {
        title: comment_line(header.title.trim()),
        author: comment_line(header.author.as_deref().unwrap_or("pgdrift")),
        date: comment_line(&header.date),
        description_lines: description_lines(&header.description),
        bodies: bodies
            .iter()
            .map(|b| b.trim_matches('\n'))
            .filter(|b| !b.trim().is_empty())
            .map(super::escape::hidden_characters)
            .collect::<Result<_>>()?,
        rollback_lines: rollbacks
            .iter()
            .rev()
            .flat_map(|s| comment_lines(s.trim_matches('\n')))
            .collect(),
    };
    r.render("file.sql.tera", &context)
}

/// Paragraphs (separated by blank lines) wrapped, with an empty line between them. No
/// line holds a line break.
fn description_lines(description: &str) -> Vec<String> {
    let normalized = description.replace("\r\n", "\n").replace('\r', "\n");
    let mut lines = Vec::new();
    for paragraph in normalized.split("\n\n") {
        let wrapped = wrap(paragraph, DESCRIPTION_WIDTH);
        if wrapped.is_empty() {
            continue;
        }
        if !lines.is_empty() {
            lines.push(String::new());
        }
        lines.extend(wrapped);
    }
    lines
}

/// The context of `rollback.sql.tera`.
#[derive(Serialize)]
struct RollbackContext<'a> {
    kind: &'static str,
    name: Option<QualifiedName>,
    /// The table of a part.
    table: Option<&'a QualifiedName>,
    /// The part's own name (column, constraint, policy, trigger).
    part: Option<&'a str>,
    /// Identity arguments of a routine.
    arguments: Option<&'a str>,
}

impl<'a> RollbackContext<'a> {
    fn object(kind: &'static str, name: &QualifiedName) -> Self {
        RollbackContext {
            kind,
            name: Some(name.clone()),
            table: None,
            part: None,
            arguments: None,
        }
    }

    fn part(kind: &'static str, table: &'a QualifiedName, part: &'a str) -> Self {
        RollbackContext {
            kind,
            name: None,
            table: Some(table),
            part: Some(part),
            arguments: None,
        }
    }
}

pub(super) fn rollback(r: &Renderer, schema: &Schema, item: &Item) -> Result<Option<String>> {
    let context = match item {
        Item::Schema { .. }
        | Item::Extension { .. }
        | Item::Publication { .. }
        | Item::DefaultPrivileges => return Ok(None),
        Item::Type { name, .. } => {
            let def = schema
                .types
                .get(name)
                .ok_or_else(|| anyhow!("type {name} is not in production's catalog"))?;
            let kind = match def.body {
                TypeBody::Domain { .. } => "domain",
                _ => "type",
            };
            RollbackContext::object(kind, name)
        }
        Item::Sequence { name } => RollbackContext::object("sequence", name),
        Item::Collation { name } => RollbackContext::object("collation", name),
        Item::Function { key } => {
            let f = function(schema, key)?;
            let arguments = match f.kind {
                RoutineKind::Aggregate => aggregate_arguments(&f.identity_arguments),
                _ => &f.identity_arguments,
            };
            RollbackContext {
                arguments: Some(arguments),
                ..RollbackContext::object(routine_kind(f.kind), &f.name)
            }
        }
        Item::Table(t) => RollbackContext::object("table", &t.as_name),
        Item::View { name } => {
            let kind = if view(schema, name)?.materialized {
                "materialized_view"
            } else {
                "view"
            };
            RollbackContext::object(kind, name)
        }
        Item::Operator { key } => {
            let o = super::operator(schema, key)?;
            RollbackContext {
                arguments: key.signature.as_deref(),
                ..RollbackContext::object("operator", &o.name)
            }
        }
        Item::EventTrigger { key } => RollbackContext::object("event_trigger", &key.name),
        Item::TablePart { table, part } => match part_rollback(schema, table, part)? {
            Some(context) => context,
            None => return Ok(None),
        },
    };
    Ok(Some(r.render("rollback.sql.tera", &context)?))
}

/// What undoes a part; `None` for an index a partition has from its parent.
fn part_rollback<'a>(
    schema: &'a Schema,
    name: &'a QualifiedName,
    part: &'a Part,
) -> Result<Option<RollbackContext<'a>>> {
    let t = table(schema, name)?;
    Ok(Some(match part {
        Part::Whole => bail!("a table part must name a part, not the whole table"),
        Part::Column(c) => RollbackContext::part("column", name, c),
        Part::Constraint(c) => match t.constraints.iter().find(|k| &k.name == c) {
            None => bail!("{name} has no constraint {c} in production"),
            Some(k) if k.kind == ConstraintKind::Trigger => {
                RollbackContext::part("trigger", name, c)
            }
            Some(_) => RollbackContext::part("constraint", name, c),
        },
        Part::Index(i) => match t.indexes.iter().find(|x| &x.name == i) {
            None => bail!("{name} has no index {i} in production"),
            Some(x) if x.inherited => return Ok(None),
            Some(_) => RollbackContext::object(
                "index",
                &QualifiedName::new(name.schema.clone(), i.clone()),
            ),
        },
        Part::Policy(p) => RollbackContext::part("policy", name, p),
        Part::Trigger(tr) => RollbackContext::part("trigger", name, tr),
        Part::Rule(rule) => RollbackContext::part("rule", name, rule),
    }))
}

fn routine_kind(kind: RoutineKind) -> &'static str {
    match kind {
        RoutineKind::Function | RoutineKind::Window => "function",
        RoutineKind::Procedure => "procedure",
        RoutineKind::Aggregate => "aggregate",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(title: &str, description: &str) -> FileHeader {
        FileHeader {
            title: title.into(),
            author: Some("Ada\nLovelace".into()),
            date: "2024-08-01".into(),
            description: description.into(),
        }
    }

    #[test]
    fn header_text_never_leaves_the_comment() {
        let r = Renderer::new(None).unwrap();
        let h = header(
            "Import public.x\nDROP TABLE y;",
            "Comment: 'it''s */ fine'\r\nDROP TABLE z; --\n\nSecond paragraph.",
        );
        let text = r
            .file(
                &h,
                &["SELECT 1;\n".into()],
                &["DROP TABLE a;".into(), "DROP TABLE\nb;".into()],
            )
            .unwrap();
        let sql: Vec<&str> = text
            .lines()
            .filter(|l| !l.starts_with("--") && !l.is_empty())
            .collect();
        assert_eq!(sql, ["SELECT 1;"], "{text}");
        assert!(text.starts_with(
            "-- Migration: Import public.x DROP TABLE y;\n-- Author: Ada Lovelace\n-- Date: 2024-08-01\n"
        ), "{text}");
        assert!(text.contains(
            "\n-- Description: Comment: 'it''s */ fine' DROP TABLE z; --\n--\n--   Second paragraph.\n"
        ), "{text}");
        assert!(text.ends_with("-- Rollback:\n-- DROP TABLE\n-- b;\n-- DROP TABLE a;\n"));
        assert!(!text.contains('\r'));
    }

    #[test]
    fn bodies_are_separated_by_one_blank_line() {
        let r = Renderer::new(None).unwrap();
        let h = FileHeader {
            author: None,
            ..header("T", "")
        };
        let text = r
            .file(
                &h,
                &["SELECT 1;\n".into(), String::new(), "SELECT 2;\n".into()],
                &[],
            )
            .unwrap();
        assert_eq!(
            text,
            "-- Migration: T\n-- Author: pgdrift\n-- Date: 2024-08-01\n\nSELECT 1;\n\nSELECT 2;\n\n-- Rollback:\n-- (nothing to undo)\n"
        );
        pg_query::parse(&text, pg_query::ParserOptions::DEFAULT).unwrap();
    }

    #[test]
    fn descriptions_wrap_by_paragraph() {
        let long = "word ".repeat(40);
        let lines = description_lines(&format!("{long}\n\n\n\nshort"));
        assert!(lines.iter().all(|l| l.len() <= DESCRIPTION_WIDTH));
        assert_eq!(lines.last().unwrap(), "short");
        assert_eq!(lines[lines.len() - 2], "");
    }
}
