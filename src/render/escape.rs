//! Hidden characters (line breaks, tabs, escape sequences, bidirectional marks) inside the
//! names and string literals of SQL the server printed (`pg_get_indexdef`,
//! `pg_get_triggerdef`, `pg_get_expr`...), rewritten as the same names and values in escaped
//! form: `"trg<CR>"` becomes `U&"trg\000D"`, `'a<LF>b'` becomes `E'a\nb'`.
//!
//! pgdrift's own quoting does this already; this pass covers the text it takes from the
//! server as it is, so that no line of a written file holds a hidden character that an
//! editor or a line-ending conversion could change. Dollar-quoted bodies and comments are
//! left alone: a function's source is kept exactly as production has it.

use crate::model::{is_hidden_char, quote_ident, quote_literal};
use anyhow::{anyhow, Result};
use pg_query::protobuf::Token;

/// `sql` with every double-quoted name and plain `'...'` literal that holds a hidden
/// character rewritten in escaped form.
pub fn hidden_characters(sql: &str) -> Result<String> {
    if !sql.chars().any(|c| c != '\n' && is_hidden_char(c)) && !has_multiline_literal(sql) {
        return Ok(sql.to_string());
    }
    let scanned = pg_query::scan(sql).map_err(|e| anyhow!("scanning the rendered SQL: {e}"))?;
    let mut out = String::with_capacity(sql.len());
    let mut copied = 0;
    for token in &scanned.tokens {
        let (start, end) = (token.start as usize, token.end as usize);
        let Some(raw) = sql.get(start..end) else {
            continue;
        };
        if !raw.chars().any(is_hidden_char) {
            continue;
        }
        let replacement = match (Token::try_from(token.token), raw.as_bytes()[0]) {
            (Ok(Token::Ident), b'"') => quote_ident(&unquote(raw, '"')),
            (Ok(Token::Sconst), b'\'') => quote_literal(&unquote(raw, '\'')),
            // pgdrift's own DO blocks carry server-printed definitions too.
            (Ok(Token::Sconst), b'$') if raw.starts_with("$pgdrift") => {
                let tag = &raw[..=raw[1..].find('$').map_or(0, |i| i + 1)];
                let inner = &raw[tag.len()..raw.len() - tag.len()];
                format!("{tag}{}{tag}", hidden_characters(inner)?)
            }
            _ => continue,
        };
        out.push_str(&sql[copied..start]);
        out.push_str(&replacement);
        copied = end;
    }
    out.push_str(&sql[copied..]);
    Ok(out)
}

/// Whether a line break may sit inside a `'...'` literal: a quote on a line that ends
/// without closing it. A cheap test that only decides whether to scan at all.
fn has_multiline_literal(sql: &str) -> bool {
    sql.lines().any(|line| line.matches('\'').count() % 2 == 1)
}

/// The text between the outer quotes, with doubled quotes made single.
fn unquote(raw: &str, quote: char) -> String {
    let inner = &raw[1..raw.len() - 1];
    inner.replace(&format!("{quote}{quote}"), &quote.to_string())
}

#[cfg(test)]
mod tests {
    use super::hidden_characters;

    #[test]
    fn names_and_literals_with_hidden_characters_are_escaped() {
        let sql = "CREATE TRIGGER \"trg\r\" BEFORE INSERT ON public.\"a\"\"\tb\" \
                   FOR EACH ROW WHEN (new.x = 'two\nlines') EXECUTE FUNCTION f();\n";
        assert_eq!(
            hidden_characters(sql).unwrap(),
            "CREATE TRIGGER U&\"trg\\000D\" BEFORE INSERT ON public.U&\"a\"\"\\0009b\" \
             FOR EACH ROW WHEN (new.x = E'two\\nlines') EXECUTE FUNCTION f();\n"
        );
    }

    #[test]
    fn do_blocks_of_pgdrift_are_escaped_inside() {
        let sql = "DO $pgdrift$\nBEGIN\n  ALTER TABLE t ADD CONSTRAINT \"c\tx\" CHECK (a <> 'x\ny');\nEND\n$pgdrift$;\n";
        assert_eq!(
            hidden_characters(sql).unwrap(),
            "DO $pgdrift$\nBEGIN\n  ALTER TABLE t ADD CONSTRAINT U&\"c\\0009x\" CHECK (a <> E'x\\ny');\nEND\n$pgdrift$;\n"
        );
    }

    #[test]
    fn bodies_comments_and_plain_text_stay_as_they_are() {
        let plain = "CREATE TABLE \"T\" (a text DEFAULT 'it''s');\n-- a comment\n";
        assert_eq!(hidden_characters(plain).unwrap(), plain);
        let body = "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $fn$\n\tSELECT 1\n$fn$;\n\
                    -- it's\tfine\n";
        assert_eq!(hidden_characters(body).unwrap(), body);
    }
}
