//! One spelling for each type name, so a routine's signature read from the catalog
//! (`format_type`) matches the one written in a migration (`int4`, `int`, `varchar(10)`).

/// Normalises a type as written in SQL or printed by `format_type` to `format_type`'s
/// spelling without type modifiers: `pg_catalog.int4` → `integer`, `varchar(20)[]` →
/// `character varying[]`, `timestamptz` → `timestamp with time zone`. Names that are not
/// built-in types are returned as given (callers qualify them first).
pub fn normalize_type(text: &str) -> String {
    let mut base = text.trim();
    let mut dims = 0;
    while let Some(stripped) = base.strip_suffix("[]") {
        base = stripped.trim_end();
        dims += 1;
    }
    let without_mods = strip_modifiers(base);
    let lowered = if without_mods.contains('"') {
        without_mods.clone()
    } else {
        without_mods.to_lowercase()
    };
    let unprefixed = lowered.strip_prefix("pg_catalog.").unwrap_or(&lowered);
    let squeezed = unprefixed.split_whitespace().collect::<Vec<_>>().join(" ");
    let canonical = builtin_canonical(&squeezed)
        .map(str::to_string)
        .unwrap_or(squeezed);
    format!("{canonical}{}", "[]".repeat(dims))
}

/// Is this unqualified, lower-case name a built-in type (so it resolves to `pg_catalog`
/// whatever the `search_path`)?
pub fn is_builtin_type(name: &str) -> bool {
    builtin_canonical(name).is_some()
}

/// Removes `(...)` type modifiers, keeping the words after them
/// (`timestamp(3) with time zone` → `timestamp with time zone`).
fn strip_modifiers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut depth = 0;
    for c in text.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out.trim().to_string()
}

fn builtin_canonical(name: &str) -> Option<&'static str> {
    let canonical = match name {
        "int" | "int4" | "integer" | "serial" | "serial4" => "integer",
        "int8" | "bigint" | "bigserial" | "serial8" => "bigint",
        "int2" | "smallint" | "smallserial" | "serial2" => "smallint",
        "float4" | "real" => "real",
        "float8" | "double precision" | "float" => "double precision",
        "bool" | "boolean" => "boolean",
        "varchar" | "character varying" => "character varying",
        "char" | "bpchar" | "character" => "character",
        "\"char\"" => "\"char\"",
        "numeric" | "decimal" => "numeric",
        "timestamptz" | "timestamp with time zone" => "timestamp with time zone",
        "timestamp" | "timestamp without time zone" => "timestamp without time zone",
        "timetz" | "time with time zone" => "time with time zone",
        "time" | "time without time zone" => "time without time zone",
        "varbit" | "bit varying" => "bit varying",
        "bit" => "bit",
        "text" => "text",
        "uuid" => "uuid",
        "json" => "json",
        "jsonb" => "jsonb",
        "jsonpath" => "jsonpath",
        "date" => "date",
        "interval" => "interval",
        "bytea" => "bytea",
        "money" => "money",
        "inet" => "inet",
        "cidr" => "cidr",
        "macaddr" => "macaddr",
        "macaddr8" => "macaddr8",
        "xml" => "xml",
        "name" => "name",
        "oid" => "oid",
        "regclass" => "regclass",
        "regtype" => "regtype",
        "regproc" => "regproc",
        "regprocedure" => "regprocedure",
        "regrole" => "regrole",
        "regnamespace" => "regnamespace",
        "tsvector" => "tsvector",
        "tsquery" => "tsquery",
        "regconfig" => "regconfig",
        "point" => "point",
        "line" => "line",
        "lseg" => "lseg",
        "box" => "box",
        "path" => "path",
        "polygon" => "polygon",
        "circle" => "circle",
        "int4range" => "int4range",
        "int8range" => "int8range",
        "numrange" => "numrange",
        "tsrange" => "tsrange",
        "tstzrange" => "tstzrange",
        "daterange" => "daterange",
        "int4multirange" => "int4multirange",
        "int8multirange" => "int8multirange",
        "nummultirange" => "nummultirange",
        "tsmultirange" => "tsmultirange",
        "tstzmultirange" => "tstzmultirange",
        "datemultirange" => "datemultirange",
        "record" => "record",
        "trigger" => "trigger",
        "event_trigger" => "event_trigger",
        "void" => "void",
        "anyelement" => "anyelement",
        "anyarray" => "anyarray",
        "anynonarray" => "anynonarray",
        "anyenum" => "anyenum",
        "anyrange" => "anyrange",
        "anymultirange" => "anymultirange",
        "anycompatible" => "anycompatible",
        "anycompatiblearray" => "anycompatiblearray",
        "cstring" => "cstring",
        "internal" => "internal",
        "refcursor" => "refcursor",
        "pg_lsn" => "pg_lsn",
        "txid_snapshot" => "txid_snapshot",
        "pg_snapshot" => "pg_snapshot",
        "xid" => "xid",
        "xid8" => "xid8",
        "cid" => "cid",
        "tid" => "tid",
        _ => return None,
    };
    Some(canonical)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_aliases_and_modifiers() {
        assert_eq!(normalize_type("pg_catalog.int4"), "integer");
        assert_eq!(normalize_type("INT"), "integer");
        assert_eq!(normalize_type("varchar(20)"), "character varying");
        assert_eq!(normalize_type("character varying"), "character varying");
        assert_eq!(normalize_type("timestamptz"), "timestamp with time zone");
        assert_eq!(
            normalize_type("timestamp(3) with time zone"),
            "timestamp with time zone"
        );
        assert_eq!(normalize_type("numeric(12,2)[]"), "numeric[]");
        assert_eq!(normalize_type("pg_catalog.bool"), "boolean");
        assert_eq!(normalize_type("text [] []"), "text[][]");
    }

    #[test]
    fn keeps_user_types() {
        assert_eq!(normalize_type("public.mood"), "public.mood");
        assert_eq!(normalize_type("public.\"Mood\""), "public.\"Mood\"");
        assert!(is_builtin_type("uuid"));
        assert!(!is_builtin_type("mood"));
    }
}
