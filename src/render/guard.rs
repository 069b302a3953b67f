//! Guards: statements PostgreSQL 15 cannot make idempotent by themselves (`CREATE POLICY`,
//! `ADD CONSTRAINT` on a table that exists, a constraint trigger, a `REVOKE` from a role
//! that may not exist), each written by a template as a PL/pgSQL `IF ... END IF;` inside
//! `{% filter guard %}`.
//!
//! A rendered item is plain SQL with guarded sections marked in it. A file gathers the
//! guarded sections of one table into a single `DO` block, placed after the table's last
//! guarded part: nothing a table's plain statements create (its indexes, triggers, grants)
//! needs a policy or a constraint, so moving guards later within the table's statements is
//! safe, while what follows a guard inside its own item (a constraint's comment, the
//! grants after a revoke) moves with it.

use super::filters::dollar_tag;
use crate::model::QualifiedName;
use crate::plan::Item;

/// Marks the start and end of a guarded section in a template's output. The record
/// separator cannot appear in SQL pgdrift renders outside a string literal, and a marker
/// must also open a line.
const START: &str = "\u{1e}pgdrift:guard\u{1e}\n";
const END: &str = "\n\u{1e}pgdrift:end\u{1e}";

/// The `guard` filter: a PL/pgSQL statement to run inside the table's `DO` block.
pub(super) fn mark(body: &str) -> String {
    format!("{START}{}{END}", body.trim_matches('\n'))
}

/// A rendered item split into what runs as it is and what runs inside a `DO` block.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Section {
    Plain(String),
    Guarded(String),
}

/// The sections of a rendered item, in order; empty plain text is dropped.
pub(super) fn sections(text: &str) -> Vec<Section> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(START) {
        push_plain(&mut out, &rest[..start]);
        let body = &rest[start + START.len()..];
        let end = body.find(END).unwrap_or(body.len());
        out.push(Section::Guarded(body[..end].to_string()));
        rest = body.get(end + END.len()..).unwrap_or("");
    }
    push_plain(&mut out, rest);
    out
}

fn push_plain(out: &mut Vec<Section>, text: &str) {
    let text = text.trim_matches('\n');
    if !text.trim().is_empty() {
        out.push(Section::Plain(text.to_string()));
    }
}

/// Takes the guards out of texts rendered for inclusion in a larger item (the sequences and
/// privileges inside a table's item) and returns them, still marked, for the item to place
/// last: the table's other statements then never wait for a guard they do not need.
pub(super) fn hoist<'t>(texts: impl IntoIterator<Item = &'t mut String>) -> String {
    let mut guards = Vec::new();
    for text in texts {
        let mut plain = Vec::new();
        for section in sections(text) {
            match section {
                Section::Plain(p) => plain.push(p),
                Section::Guarded(g) => guards.push(mark(&g)),
            }
        }
        *text = plain.join("\n");
    }
    guards.join("\n")
}

/// `IF cond THEN body END IF;` as `(cond line, body lines)`, for a guard of that plain form.
fn simple_if(guard: &str) -> Option<(&str, Vec<&str>)> {
    let lines: Vec<&str> = guard.lines().collect();
    let (first, rest) = lines.split_first()?;
    let (last, body) = rest.split_last()?;
    let plain = first.starts_with("IF ")
        && first.ends_with(" THEN")
        && *last == "END IF;"
        && body.iter().all(|l| l.starts_with(' '));
    plain.then(|| (*first, body.to_vec()))
}

/// Guards with the same condition (the API-role checks of several objects) as one `IF`,
/// where the first of them stood.
fn merge_alike(guards: &[String]) -> Vec<String> {
    let mut merged: Vec<(Option<&str>, Vec<String>)> = Vec::new();
    for guard in guards {
        match simple_if(guard) {
            Some((condition, body)) => {
                let body = body.into_iter().map(str::to_string);
                match merged.iter_mut().find(|(c, _)| *c == Some(condition)) {
                    Some((_, lines)) => lines.extend(body),
                    None => merged.push((Some(condition), body.collect())),
                }
            }
            None => merged.push((None, vec![guard.clone()])),
        }
    }
    merged
        .into_iter()
        .map(|(condition, lines)| match condition {
            Some(c) if lines.is_empty() => format!("{c}\nEND IF;"),
            Some(c) => format!("{c}\n{}\nEND IF;", lines.join("\n")),
            None => lines.join("\n"),
        })
        .collect()
}

/// PL/pgSQL statements in one `DO` block, indented under its `BEGIN`.
pub(super) fn do_block(guards: &[String]) -> String {
    let mut body = String::from("BEGIN\n");
    for guard in &merge_alike(guards) {
        for line in guard.lines() {
            if line.is_empty() {
                body.push('\n');
            } else {
                body.push_str("    ");
                body.push_str(line);
                body.push('\n');
            }
        }
    }
    body.push_str("END");
    let tag = dollar_tag(&body);
    format!("DO {tag}\n{body}\n{tag};")
}

/// The text of an item on its own: its guards, each where it stands, in `DO` blocks.
pub(super) fn standalone(text: &str) -> String {
    let mut out = Vec::new();
    let mut guards = Vec::new();
    for section in sections(text) {
        match section {
            Section::Guarded(g) => guards.push(g),
            Section::Plain(p) => {
                if !guards.is_empty() {
                    out.push(do_block(&std::mem::take(&mut guards)));
                }
                out.push(p);
            }
        }
    }
    if !guards.is_empty() {
        out.push(do_block(&guards));
    }
    join(&out)
}

/// The text of an item run inside another PL/pgSQL block: guards as they are.
pub(super) fn inline(text: &str) -> String {
    let parts: Vec<String> = sections(text)
        .into_iter()
        .map(|s| match s {
            Section::Plain(p) | Section::Guarded(p) => p,
        })
        .collect();
    join(&parts)
}

fn join(parts: &[String]) -> String {
    if parts.is_empty() {
        String::new()
    } else {
        format!("{}\n", parts.join("\n"))
    }
}

/// The table an item's statements belong to, for gathering its guards.
fn owner(item: &Item) -> Option<&QualifiedName> {
    match item {
        Item::Table(t) => Some(&t.name),
        Item::TablePart { table, .. } => Some(table),
        _ => None,
    }
}

/// The bodies of a file: each object's statements as one body, a table with its parts as
/// one body followed by its guard block, so that a table gets at most one `DO` block for
/// each run of its statements.
pub(super) fn bodies<'i>(rendered: impl IntoIterator<Item = (&'i Item, String)>) -> Vec<String> {
    let mut bodies = Vec::new();
    let mut run = Run::default();
    for (item, text) in rendered {
        let table = owner(item);
        if table.is_none() || table != run.table.as_ref() {
            run.finish(&mut bodies);
            run.table = table.cloned();
        }
        let mut guarded = false;
        for section in sections(&text) {
            match section {
                Section::Guarded(g) => {
                    guarded = true;
                    run.guards.push(g);
                }
                Section::Plain(p) if guarded => run.after.push(p),
                Section::Plain(p) => run.plain.push(p),
            }
        }
        if table.is_none() {
            run.finish(&mut bodies);
        }
    }
    run.finish(&mut bodies);
    bodies
}

/// The statements of one table (or one other object) gathered so far.
#[derive(Default)]
struct Run {
    table: Option<QualifiedName>,
    plain: Vec<String>,
    guards: Vec<String>,
    /// What must follow the guards: it needs what they create.
    after: Vec<String>,
}

impl Run {
    fn finish(&mut self, bodies: &mut Vec<String>) {
        if !self.plain.is_empty() {
            bodies.push(join(&std::mem::take(&mut self.plain)));
        }
        if !self.guards.is_empty() {
            let mut block = vec![do_block(&std::mem::take(&mut self.guards))];
            block.append(&mut self.after);
            bodies.push(join(&block));
        } else if !self.after.is_empty() {
            bodies.push(join(&std::mem::take(&mut self.after)));
        }
        self.table = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_split_at_the_marks() {
        let text = format!(
            "A;\n{}\nB;\n{}\n",
            mark("IF x THEN\n    y;\nEND IF;"),
            mark("z;")
        );
        assert_eq!(
            sections(&text),
            [
                Section::Plain("A;".into()),
                Section::Guarded("IF x THEN\n    y;\nEND IF;".into()),
                Section::Plain("B;".into()),
                Section::Guarded("z;".into()),
            ]
        );
        assert_eq!(sections("plain;\n"), [Section::Plain("plain;".into())]);
    }

    #[test]
    fn guards_with_one_condition_share_one_if() {
        let role = |object: &str| {
            format!("IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'anon') THEN\n    REVOKE ALL ON {object} FROM anon;\nEND IF;")
        };
        let guards = [
            role("s"),
            "IF NOT EXISTS (p) THEN\n    CREATE POLICY p;\nEND IF;".into(),
            role("t"),
        ];
        assert_eq!(
            do_block(&guards),
            "DO $pgdrift$\nBEGIN\n    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'anon') THEN\n        \
             REVOKE ALL ON s FROM anon;\n        REVOKE ALL ON t FROM anon;\n    END IF;\n    \
             IF NOT EXISTS (p) THEN\n        CREATE POLICY p;\n    END IF;\nEND\n$pgdrift$;"
        );
    }

    #[test]
    fn hoisted_guards_leave_the_plain_text_in_order() {
        let mut texts = vec![
            format!("CREATE SEQUENCE s;\n{}\nGRANT s;\n", mark("r;")),
            "GRANT t;".to_string(),
        ];
        let guards = hoist(texts.iter_mut());
        assert_eq!(texts, ["CREATE SEQUENCE s;\nGRANT s;", "GRANT t;"]);
        assert_eq!(sections(&guards), [Section::Guarded("r;".into())]);
    }

    #[test]
    fn a_lone_item_gets_a_block_for_each_run_of_guards() {
        let text = format!(
            "{}\n{}\nCOMMENT x;\n",
            mark("IF a THEN\nEND IF;"),
            mark("b;")
        );
        assert_eq!(
            standalone(&text),
            "DO $pgdrift$\nBEGIN\n    IF a THEN\n    END IF;\n    b;\nEND\n$pgdrift$;\nCOMMENT x;\n"
        );
        assert_eq!(inline(&text), "IF a THEN\nEND IF;\nb;\nCOMMENT x;\n");
    }

    #[test]
    fn a_table_and_its_parts_share_one_block() {
        let t = QualifiedName::new("public", "t");
        let table = Item::Table(crate::plan::TableItem::whole(t.clone()));
        let part = |n: &str| Item::TablePart {
            table: t.clone(),
            part: crate::model::Part::Policy(n.into()),
        };
        let (p1, p2) = (part("a"), part("b"));
        let f = Item::Schema { name: "s".into() };
        let rendered = vec![
            (&f, "CREATE SCHEMA s;\n".to_string()),
            (
                &table,
                format!("CREATE TABLE t ();\n{}\nGRANT x;\n", mark("r1;")),
            ),
            (&p1, format!("{}\nCOMMENT a;\n", mark("p1;"))),
            (&p2, "CREATE INDEX i;\n".to_string()),
        ];
        assert_eq!(
            bodies(rendered),
            [
                "CREATE SCHEMA s;\n",
                "CREATE TABLE t ();\nCREATE INDEX i;\n",
                "DO $pgdrift$\nBEGIN\n    r1;\n    p1;\nEND\n$pgdrift$;\nGRANT x;\nCOMMENT a;\n",
            ]
        );
    }
}
