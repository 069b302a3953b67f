//! The tera filters templates quote with. Each one hands its work to the one function
//! pgdrift has for it (`quote_ident`, `quote_literal`, `QualifiedName::to_sql`), so a
//! template never quotes anything by hand.
//!
//! - `ident`: an identifier, quoted where PostgreSQL needs it.
//! - `literal`: a string literal.
//! - `qname`: a `{schema, name}` object as `schema.name`.
//! - `operator`: an operator's `{schema, name}` as `schema.symbols`, the symbols as they are
//!   (an operator name is never quoted).
//! - `regclass`: a `{schema, name}` object as the string literal `to_regclass` takes
//!   (regclass input reads no Unicode escapes, which `qname` may write).
//! - `role`: a role in `GRANT`/`TO` lists: `PUBLIC` (any case) stays the keyword.
//! - `do_block`: wraps a PL/pgSQL body in `DO $tag$ ... $tag$;` with a tag the body does
//!   not contain, so no text inside (a check constraint's string, a policy expression) can
//!   end the block early.
//! - `guard`: marks a PL/pgSQL statement (`IF NOT EXISTS (...) THEN ... END IF;`) that the
//!   file gathers, with the other guards of the same table, into one `DO` block.

use crate::model::{operator_sql, quote_ident, quote_literal, QualifiedName};
use std::collections::HashMap;
use tera::{Tera, Value};

pub(super) fn register(tera: &mut Tera) {
    tera.register_filter("ident", ident);
    tera.register_filter("literal", literal);
    tera.register_filter("qname", qname);
    tera.register_filter("operator", operator);
    tera.register_filter("regclass", regclass);
    tera.register_filter("role", role);
    tera.register_filter("do_block", do_block);
    tera.register_filter("guard", guard);
}

fn text<'v>(value: &'v Value, filter: &str) -> tera::Result<&'v str> {
    value
        .as_str()
        .ok_or_else(|| tera::Error::msg(format!("the {filter} filter takes a string, not {value}")))
}

fn ident(value: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    Ok(Value::String(quote_ident(text(value, "ident")?)))
}

fn literal(value: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    Ok(Value::String(quote_literal(text(value, "literal")?)))
}

fn qname(value: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    Ok(Value::String(qualified(value, "qname")?.to_sql()))
}

fn operator(value: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    let name = qualified(value, "operator")?;
    if name.name.is_empty() || !name.name.chars().all(|c| "+-*/<>=~!@#%^&|`?".contains(c)) {
        return Err(tera::Error::msg(format!(
            "the operator filter takes an operator name, not {}",
            name.name
        )));
    }
    Ok(Value::String(operator_sql(&name)))
}

fn qualified(value: &Value, filter: &str) -> tera::Result<QualifiedName> {
    let part = |key: &str| value.get(key).and_then(Value::as_str);
    match (part("schema"), part("name")) {
        (Some(schema), Some(name)) => Ok(QualifiedName::new(schema, name)),
        _ => Err(tera::Error::msg(format!(
            "the {filter} filter takes a {{schema, name}} object, not {value}"
        ))),
    }
}

fn regclass(value: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    let name = qualified(value, "regclass")?;
    Ok(Value::String(quote_literal(&name.to_regclass_text())))
}

fn role(value: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    let name = text(value, "role")?;
    Ok(Value::String(if name.eq_ignore_ascii_case("public") {
        name.to_string()
    } else {
        quote_ident(name)
    }))
}

fn do_block(value: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    let body = text(value, "do_block")?.trim_matches('\n');
    let tag = dollar_tag(body);
    Ok(Value::String(format!("DO {tag}\n{body}\n{tag};")))
}

fn guard(value: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    Ok(Value::String(super::guard::mark(text(value, "guard")?)))
}

/// `$pgdrift$`, or `$pgdrift_1$`, `$pgdrift_2$`... when the body contains it.
pub(super) fn dollar_tag(body: &str) -> String {
    let mut tag = "$pgdrift$".to_string();
    let mut n = 0;
    while body.contains(&tag) {
        n += 1;
        tag = format!("$pgdrift_{n}$");
    }
    tag
}

/// Text made safe for one `-- ` comment line: PostgreSQL ends a `--` comment at a line
/// feed or a carriage return, so both become spaces.
pub(super) fn comment_line(text: &str) -> String {
    text.replace(['\r', '\n'], " ")
}

/// The lines of a text that is to be commented out line by line, split at every line feed
/// and carriage return, so that no part of it runs on uncommented.
pub(super) fn comment_lines(text: &str) -> Vec<String> {
    text.split(['\r', '\n'])
        .map(|line| line.trim_end().to_string())
        .collect()
}

/// Words of `text` (newlines included as spaces) in lines of at most `width` characters; a
/// longer word gets a line of its own.
pub(super) fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn apply(f: fn(&Value, &HashMap<String, Value>) -> tera::Result<Value>, v: Value) -> String {
        f(&v, &HashMap::new())
            .unwrap()
            .as_str()
            .unwrap()
            .to_string()
    }

    #[test]
    fn identifiers_literals_and_names_are_quoted_once() {
        assert_eq!(apply(ident, json!("order")), "\"order\"");
        assert_eq!(apply(ident, json!("UserSettings")), "\"UserSettings\"");
        assert_eq!(apply(ident, json!("plain")), "plain");
        assert_eq!(apply(literal, json!("it's */ here")), "'it''s */ here'");
        assert_eq!(
            apply(qname, json!({"schema": "public", "name": "import log"})),
            "public.\"import log\""
        );
        assert!(qname(&json!("public.x"), &HashMap::new()).is_err());
        assert_eq!(
            apply(
                regclass,
                json!({"schema": "public", "name": "it's \"x\"\n"})
            ),
            "E'public.\"it''s \"\"x\"\"\\n\"'"
        );
        assert_eq!(
            apply(qname, json!({"schema": "public", "name": "a\nb"})),
            "public.U&\"a\\000Ab\""
        );
        assert!(ident(&json!(3), &HashMap::new()).is_err());
    }

    #[test]
    fn public_stays_a_keyword_in_role_lists() {
        assert_eq!(apply(role, json!("PUBLIC")), "PUBLIC");
        assert_eq!(apply(role, json!("public")), "public");
        assert_eq!(apply(role, json!("anon")), "anon");
        assert_eq!(apply(role, json!("Reporting Team")), "\"Reporting Team\"");
    }

    #[test]
    fn do_blocks_pick_a_tag_the_body_does_not_contain() {
        assert_eq!(
            apply(do_block, json!("\nBEGIN\nEND\n")),
            "DO $pgdrift$\nBEGIN\nEND\n$pgdrift$;"
        );
        let body = "BEGIN PERFORM '$pgdrift$', '$pgdrift_1$'; END";
        assert_eq!(
            apply(do_block, json!(body)),
            format!("DO $pgdrift_2$\n{body}\n$pgdrift_2$;")
        );
    }

    #[test]
    fn comment_text_cannot_leave_the_comment() {
        assert_eq!(comment_line("a\nDROP TABLE x;\r--"), "a DROP TABLE x; --");
        assert_eq!(comment_lines("a\r\nb\rc"), ["a", "", "b", "c"]);
    }

    #[test]
    fn wraps_words_at_the_width() {
        assert_eq!(wrap("one two three\nfour", 9), ["one two", "three", "four"]);
        assert_eq!(
            wrap("averyveryverylongword x", 5),
            ["averyveryverylongword", "x"]
        );
        assert!(wrap("  \n ", 10).is_empty());
    }
}
