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

    /// `schema.name` as the text input of `regclass` (and `to_regclass`) reads it: that
    /// input knows double quotes but not the Unicode escapes `to_sql` may write, so every
    /// character stays as it is.
    pub fn to_regclass_text(&self) -> String {
        format!(
            "{}.{}",
            quote(&self.schema, false),
            quote(&self.name, false)
        )
    }

    /// Parses `name` or `schema.name` as SQL reads it (`split_identifiers`): double quotes
    /// keep a part exact (`"My Schema"."a.b"`), unquoted parts fold to lower case. An
    /// unqualified name gets `default_schema`.
    pub fn parse(text: &str, default_schema: &str) -> Option<Self> {
        let parts = split_identifiers(text, '.')?;
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

/// The longest identifier PostgreSQL keeps, in bytes (`NAMEDATALEN - 1`).
pub const MAX_IDENTIFIER_BYTES: usize = 63;

/// Splits identifiers written as SQL text and separated by `separator` (`.` in a dotted
/// name, `,` in a `search_path` setting) the way PostgreSQL's own `SplitIdentifierString`
/// does for `regclass` input and settings: whitespace around each part is ignored; a
/// double-quoted part is exact (`""` is one quote); an unquoted part ends at whitespace or
/// the separator and folds to lower case, ASCII letters only, as in a UTF-8 database
/// (`CAFÉ` is `cafÉ`); every part is truncated to 63 bytes, never inside a character.
/// `U&"d\0061t\+000061"` (`data`) is read too, as SQL reads it: it is how `quote_ident`
/// writes names with hidden characters, so a name pgdrift prints can be typed back.
/// Empty text gives no parts; an empty part, an open quote or anything else gives `None`.
pub fn split_identifiers(text: &str, separator: char) -> Option<Vec<String>> {
    let mut parts = Vec::new();
    let mut chars = text.trim_start().chars().peekable();
    if chars.peek().is_none() {
        return Some(parts);
    }
    loop {
        let mut part = String::new();
        let mut ahead = chars.clone();
        let unicode = matches!(
            (ahead.next(), ahead.next(), ahead.next()),
            (Some('U' | 'u'), Some('&'), Some('"'))
        );
        if unicode {
            chars.next();
            chars.next();
        }
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
                if c == separator || c.is_whitespace() {
                    break;
                }
                part.push(c.to_ascii_lowercase());
                chars.next();
            }
        }
        if unicode {
            part = unicode_unescape(&part)?;
        }
        if part.is_empty() {
            return None;
        }
        parts.push(truncate_identifier(part));
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        match chars.next() {
            None => return Some(parts),
            Some(c) if c == separator => while chars.next_if(|c| c.is_whitespace()).is_some() {},
            Some(_) => return None,
        }
    }
}

/// The escapes of a `U&"..."` identifier: `\\` is a backslash, `\XXXX` and `\+XXXXXX` are
/// code points in hex.
fn unicode_unescape(text: &str) -> Option<String> {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let mut rest = chars.clone();
        let digits = match rest.next()? {
            '\\' => {
                chars.next();
                out.push('\\');
                continue;
            }
            '+' => {
                chars.next();
                6
            }
            _ => 4,
        };
        let hex: String = chars.by_ref().take(digits).collect();
        if hex.len() != digits {
            return None;
        }
        let code = u32::from_str_radix(&hex, 16).ok()?;
        out.push(char::from_u32(code).filter(|&c| c != '\0')?);
    }
    Some(out)
}

/// `name` cut to the 63 bytes PostgreSQL keeps, at a character boundary.
fn truncate_identifier(mut name: String) -> String {
    if name.len() > MAX_IDENTIFIER_BYTES {
        let mut end = MAX_IDENTIFIER_BYTES;
        while !name.is_char_boundary(end) {
            end -= 1;
        }
        name.truncate(end);
    }
    name
}

/// Quotes an identifier when PostgreSQL needs it to: anything but lower-case letters,
/// digits and underscores, a leading digit, or a reserved keyword.
///
/// A name holding a control character (a line break, a tab, an escape sequence) or a
/// character that reorders text on screen is written with Unicode escapes
/// (`U&"line\000Abreak"`): the same identifier to PostgreSQL, but one line that shows what
/// it is, in a migration file, a comment line or a terminal, and that no editor or line
/// ending conversion can change.
pub fn quote_ident(ident: &str) -> String {
    quote(ident, true)
}

/// `quote_ident`, with or without the Unicode escapes.
fn quote(ident: &str, escape_hidden: bool) -> String {
    let plain = !ident.is_empty()
        && ident
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !ident.starts_with(|c: char| c.is_ascii_digit())
        && !is_reserved_keyword(ident);
    if plain {
        return ident.to_string();
    }
    let quoted = ident.replace('"', "\"\"");
    if !escape_hidden || !ident.chars().any(is_hidden_char) {
        return format!("\"{quoted}\"");
    }
    let mut escaped = String::from("U&\"");
    for c in quoted.chars() {
        match c {
            '\\' => escaped.push_str("\\\\"),
            c if is_hidden_char(c) => escaped.push_str(&format!("\\{:04X}", c as u32)),
            c => escaped.push(c),
        }
    }
    escaped.push('"');
    escaped
}

/// Characters that do not show as themselves: controls (C0, DEL, C1) and the marks and
/// overrides of bidirectional text, which can make a name read as something else. All of
/// them are below U+10000, so four hex digits escape each.
pub fn is_hidden_char(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Quotes a string literal. Backslashes are plain characters under
/// `standard_conforming_strings`, which is on in every supported PostgreSQL.
///
/// Text holding a hidden character (a line break, a tab, an escape sequence...) is written
/// as an escape string (`E'two\nlines'`): the same value, on one line that no editor or line
/// ending conversion can change, so a name or a comment in a file always matches
/// production's.
pub fn quote_literal(text: &str) -> String {
    if !text.chars().any(is_hidden_char) {
        return format!("'{}'", text.replace('\'', "''"));
    }
    let mut escaped = String::from("E'");
    for c in text.chars() {
        match c {
            '\'' => escaped.push_str("''"),
            '\\' => escaped.push_str("\\\\"),
            '\n' => escaped.push_str("\\n"),
            '\r' => escaped.push_str("\\r"),
            '\t' => escaped.push_str("\\t"),
            c if is_hidden_char(c) => escaped.push_str(&format!("\\u{:04X}", c as u32)),
            c => escaped.push(c),
        }
    }
    escaped.push('\'');
    escaped
}

/// Keywords that cannot be used as a bare identifier: reserved, "type or function name" and
/// "column name" keywords of the parser pgdrift uses (PostgreSQL 18's `kwlist.h`), sorted.
/// A test checks the list against the parser itself.
const RESERVED_KEYWORDS: &[&str] = &[
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "authorization",
    "between",
    "bigint",
    "binary",
    "bit",
    "boolean",
    "both",
    "case",
    "cast",
    "char",
    "character",
    "check",
    "coalesce",
    "collate",
    "collation",
    "column",
    "concurrently",
    "constraint",
    "create",
    "cross",
    "current_catalog",
    "current_date",
    "current_role",
    "current_schema",
    "current_time",
    "current_timestamp",
    "current_user",
    "dec",
    "decimal",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "exists",
    "extract",
    "false",
    "fetch",
    "float",
    "for",
    "foreign",
    "freeze",
    "from",
    "full",
    "grant",
    "greatest",
    "group",
    "grouping",
    "having",
    "ilike",
    "in",
    "initially",
    "inner",
    "inout",
    "int",
    "integer",
    "intersect",
    "interval",
    "into",
    "is",
    "isnull",
    "join",
    "json",
    "json_array",
    "json_arrayagg",
    "json_exists",
    "json_object",
    "json_objectagg",
    "json_query",
    "json_scalar",
    "json_serialize",
    "json_table",
    "json_value",
    "lateral",
    "leading",
    "least",
    "left",
    "like",
    "limit",
    "localtime",
    "localtimestamp",
    "merge_action",
    "national",
    "natural",
    "nchar",
    "none",
    "normalize",
    "not",
    "notnull",
    "null",
    "nullif",
    "numeric",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "out",
    "outer",
    "overlaps",
    "overlay",
    "placing",
    "position",
    "precision",
    "primary",
    "real",
    "references",
    "returning",
    "right",
    "row",
    "select",
    "session_user",
    "setof",
    "similar",
    "smallint",
    "some",
    "substring",
    "symmetric",
    "system_user",
    "table",
    "tablesample",
    "then",
    "time",
    "timestamp",
    "to",
    "trailing",
    "treat",
    "trim",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "values",
    "varchar",
    "variadic",
    "verbose",
    "when",
    "where",
    "window",
    "with",
    "xmlattributes",
    "xmlconcat",
    "xmlelement",
    "xmlexists",
    "xmlforest",
    "xmlnamespaces",
    "xmlparse",
    "xmlpi",
    "xmlroot",
    "xmlserialize",
    "xmltable",
];

/// Whether `word` (lower case) must be quoted to be used as a table or column name. A
/// binary search of a fixed list: quoting runs for every name of every file written.
fn is_reserved_keyword(word: &str) -> bool {
    RESERVED_KEYWORDS.binary_search(&word).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What PostgreSQL's own scanner says of a word: a keyword that is not unreserved.
    fn parser_reserves(word: &str) -> bool {
        use pg_query::protobuf::KeywordKind;
        let kind = pg_query::scan(word)
            .ok()
            .and_then(|scan| scan.tokens.first().map(|t| t.keyword_kind));
        matches!(kind, Some(k) if k != KeywordKind::NoKeyword as i32
            && k != KeywordKind::UnreservedKeyword as i32)
    }

    #[test]
    fn the_keyword_list_is_sorted_and_each_word_is_reserved_by_the_parser() {
        assert!(RESERVED_KEYWORDS.windows(2).all(|w| w[0] < w[1]));
        for word in RESERVED_KEYWORDS {
            assert!(
                parser_reserves(word),
                "{word} is not reserved by the parser"
            );
        }
        for word in [
            "name", "users", "type", "comment", "status", "value", "key", "text",
        ] {
            assert!(
                !is_reserved_keyword(word) && !parser_reserves(word),
                "{word}"
            );
        }
    }

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
        assert_eq!(quote_ident("café 表 🎉"), "\"café 表 🎉\"");
    }

    #[test]
    fn names_with_hidden_characters_get_unicode_escapes() {
        assert_eq!(
            quote_ident("line\nbreak\ttab"),
            "U&\"line\\000Abreak\\0009tab\""
        );
        assert_eq!(
            quote_ident("esc\u{1b}[31m\\\"x"),
            "U&\"esc\\001B[31m\\\\\"\"x\""
        );
        assert_eq!(quote_ident("a\u{202E}b"), "U&\"a\\202Eb\"");
        assert_eq!(quote_ident("\u{9f}"), "U&\"\\009F\"");
        assert!(!quote_ident("a\r\nb").contains(['\r', '\n']));
    }

    #[test]
    fn quotes_literals() {
        assert_eq!(quote_literal("it's"), "'it''s'");
        assert_eq!(quote_literal("a\\b"), "'a\\b'");
        assert_eq!(quote_literal("café 表"), "'café 表'");
    }

    #[test]
    fn literals_with_hidden_characters_are_escape_strings_of_the_same_value() {
        let text = "two\nlines, a\ttab, it's a \\ and \u{1b}[31m \u{202E}";
        let quoted = quote_literal(text);
        assert_eq!(
            quoted,
            "E'two\\nlines, a\\ttab, it''s a \\\\ and \\u001B[31m \\u202E'"
        );
        assert!(!quoted.chars().any(is_hidden_char));
        // PostgreSQL's own parser reads it back to the same text.
        let parsed = pg_query::parse(
            &format!("SELECT {quoted}"),
            pg_query::ParserOptions::DEFAULT,
        )
        .unwrap();
        let value = parsed
            .protobuf
            .nodes()
            .into_iter()
            .find_map(|(node, ..)| match node {
                pg_query::NodeRef::AConst(c) => match &c.val {
                    Some(pg_query::protobuf::a_const::Val::Sval(s)) => Some(s.sval.clone()),
                    _ => None,
                },
                _ => None,
            })
            .unwrap();
        assert_eq!(value, text);
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
    fn splits_identifiers_as_postgresql_does() {
        let split = |text: &str| split_identifiers(text, '.');
        assert_eq!(split(" Public . \"My T\" ").unwrap(), ["public", "My T"]);
        assert_eq!(split("CAFÉ.Été").unwrap(), ["cafÉ", "Été"]);
        assert_eq!(
            split("\"x\"\"; DROP TABLE y; --\"").unwrap(),
            ["x\"; DROP TABLE y; --"]
        );
        assert_eq!(split("\"a\nb\"").unwrap(), ["a\nb"]);
        assert_eq!(split("").unwrap(), Vec::<String>::new());
        assert_eq!(
            split("u&\"d\\0061t\\+000061\\\\\"\"\"").unwrap(),
            ["data\\\""]
        );
        for bad in [
            "U&\"\\00\"",
            "U&\"\\+00\"",
            "U&\"\\zzzz\"",
            "U&\"\\0000\"",
            "U&\"\\D800\"",
        ] {
            assert_eq!(split(bad), None, "{bad}");
        }
        for bad in [
            "x\"; DROP TABLE y; --",
            "my table",
            "a..b",
            "a.",
            ".a",
            "\"open",
            "\"\"",
            "\"a\"b",
        ] {
            assert_eq!(split(bad), None, "{bad}");
        }
        // Truncated to 63 bytes, quoted or not, never inside a character.
        assert_eq!(split(&"a".repeat(70)).unwrap(), ["a".repeat(63)]);
        assert_eq!(
            split(&format!("\"{}\"", "é".repeat(40))).unwrap(),
            ["é".repeat(31)]
        );
        assert_eq!(
            split_identifiers("\"$user\", Public ,\"a,b\"", ',').unwrap(),
            ["$user", "public", "a,b"]
        );
    }

    #[test]
    fn display_round_trips_through_parse() {
        for (s, n) in [
            ("public", "order"),
            ("Weird", "a\"b c"),
            ("app", "plain"),
            ("public", "esc\u{1b}[31m\\\"\n"),
            ("tab\tschema", "\u{202E}"),
        ] {
            let q = QualifiedName::new(s, n);
            assert_eq!(QualifiedName::parse(&q.to_sql(), "x").unwrap(), q);
        }
    }
}
