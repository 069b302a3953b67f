//! Names of database objects and the one way pgdrift quotes identifiers and literals.

use serde::Serialize;
use std::fmt;

/// A schema-qualified name, stored unescaped. Quoting happens only when SQL is produced.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct QualifiedName {
    pub schema: String,
    pub name: String,
}

impl QualifiedName {
    pub fn new(schema: impl Into<String>, name: impl Into<String>) -> Self {
        QualifiedName {
            schema: schema.into(),
            name: name.into(),
        }
    }

    /// `schema.name` with each part quoted only where PostgreSQL needs it.
    pub fn to_sql(&self) -> String {
        format!("{}.{}", quote_ident(&self.schema), quote_ident(&self.name))
    }

    /// Parses `name` or `schema.name`, honouring double quotes (`"My Schema"."a.b"`).
    /// An unqualified name gets `default_schema`.
    pub fn parse(text: &str, default_schema: &str) -> Option<Self> {
        let parts = split_qualified(text)?;
        match parts.as_slice() {
            [name] => Some(QualifiedName::new(default_schema, name.clone())),
            [schema, name] => Some(QualifiedName::new(schema.clone(), name.clone())),
            _ => None,
        }
    }
}

impl fmt::Display for QualifiedName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_sql())
    }
}

/// Splits a dotted name into its unescaped parts. Unquoted parts fold to lower case,
/// as PostgreSQL does.
fn split_qualified(text: &str) -> Option<Vec<String>> {
    let mut parts = Vec::new();
    let mut chars = text.trim().chars().peekable();
    loop {
        let mut part = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next()? {
                    '"' if chars.peek() == Some(&'"') => {
                        chars.next();
                        part.push('"');
                    }
                    '"' => break,
                    c => part.push(c),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == '.' {
                    break;
                }
                part.extend(c.to_lowercase());
                chars.next();
            }
            part = part.trim().to_string();
        }
        if part.is_empty() {
            return None;
        }
        parts.push(part);
        match chars.next() {
            None => return Some(parts),
            Some('.') => continue,
            Some(_) => return None,
        }
    }
}

/// Quotes an identifier when PostgreSQL needs it to: anything but lower-case letters,
/// digits and underscores, a leading digit, or a reserved keyword.
pub fn quote_ident(ident: &str) -> String {
    let plain = !ident.is_empty()
        && ident
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !ident.starts_with(|c: char| c.is_ascii_digit())
        && !is_reserved_keyword(ident);
    if plain {
        ident.to_string()
    } else {
        format!("\"{}\"", ident.replace('"', "\"\""))
    }
}

/// Quotes a string literal. Backslashes are plain characters under
/// `standard_conforming_strings`, which is on in every supported PostgreSQL.
pub fn quote_literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// Keywords that cannot be used as a bare identifier (reserved, and the
/// "type or function name" class, which PostgreSQL also rejects as column or table names).
fn is_reserved_keyword(word: &str) -> bool {
    matches!(
        pg_query::scan(word).ok().and_then(|scan| scan.tokens.first().map(|t| t.keyword_kind)),
        Some(k) if k != pg_query::protobuf::KeywordKind::NoKeyword as i32
            && k != pg_query::protobuf::KeywordKind::UnreservedKeyword as i32
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_only_when_needed() {
        assert_eq!(quote_ident("users"), "users");
        assert_eq!(quote_ident("UserSettings"), "\"UserSettings\"");
        assert_eq!(quote_ident("order"), "\"order\"");
        assert_eq!(quote_ident("user"), "\"user\"");
        assert_eq!(quote_ident("select"), "\"select\"");
        assert_eq!(quote_ident("name"), "name");
        assert_eq!(quote_ident("1st"), "\"1st\"");
        assert_eq!(quote_ident("a b"), "\"a b\"");
        assert_eq!(
            quote_ident("x\"; DROP TABLE y; --"),
            "\"x\"\"; DROP TABLE y; --\""
        );
        assert_eq!(quote_ident(""), "\"\"");
    }

    #[test]
    fn quotes_literals() {
        assert_eq!(quote_literal("it's"), "'it''s'");
        assert_eq!(quote_literal("a\\b"), "'a\\b'");
    }

    #[test]
    fn parses_qualified_names() {
        let n = QualifiedName::parse("Public.Users", "x").unwrap();
        assert_eq!(n, QualifiedName::new("public", "users"));
        let n = QualifiedName::parse("\"My Schema\".\"a.\"\"b\"", "x").unwrap();
        assert_eq!(n, QualifiedName::new("My Schema", "a.\"b"));
        assert_eq!(
            QualifiedName::parse("t", "app").unwrap(),
            QualifiedName::new("app", "t")
        );
        assert!(QualifiedName::parse("a.b.c", "x").is_none());
        assert!(QualifiedName::parse("\"open", "x").is_none());
        assert!(QualifiedName::parse("", "x").is_none());
    }

    #[test]
    fn display_round_trips_through_parse() {
        for (s, n) in [("public", "order"), ("Weird", "a\"b c"), ("app", "plain")] {
            let q = QualifiedName::new(s, n);
            assert_eq!(QualifiedName::parse(&q.to_sql(), "x").unwrap(), q);
        }
    }
}
