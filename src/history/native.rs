//! Two things libpg_query knows that the pg_query crate does not pass on: where a parse
//! error is, and the raw PL/pgSQL tree. The C library is linked into the binary by the
//! pg_query crate; these declarations follow its `pg_query.h`.

use std::ffi::{c_char, c_int, CStr, CString};

#[repr(C)]
struct PgQueryError {
    message: *mut c_char,
    funcname: *mut c_char,
    filename: *mut c_char,
    lineno: c_int,
    cursorpos: c_int,
    context: *mut c_char,
}

#[repr(C)]
struct PgQueryParseResult {
    parse_tree: *mut c_char,
    stderr_buffer: *mut c_char,
    error: *mut PgQueryError,
}

#[repr(C)]
struct PgQueryPlpgsqlParseResult {
    plpgsql_funcs: *mut c_char,
    error: *mut PgQueryError,
}

extern "C" {
    fn pg_query_parse(input: *const c_char) -> PgQueryParseResult;
    fn pg_query_free_parse_result(result: PgQueryParseResult);
    fn pg_query_parse_plpgsql(input: *const c_char) -> PgQueryPlpgsqlParseResult;
    fn pg_query_free_plpgsql_parse_result(result: PgQueryPlpgsqlParseResult);
}

/// The 1-based character position of the first parse error in `sql`, when the parser
/// reports one.
pub(super) fn error_position(sql: &str) -> Option<usize> {
    let input = CString::new(sql).ok()?;
    // SAFETY: `input` is a valid NUL-terminated string that outlives the call; the result
    // is read only before it is freed, and freed exactly once.
    unsafe {
        let result = pg_query_parse(input.as_ptr());
        let position = if result.error.is_null() {
            None
        } else {
            usize::try_from((*result.error).cursorpos)
                .ok()
                .filter(|&p| p > 0)
        };
        pg_query_free_parse_result(result);
        position
    }
}

/// The PL/pgSQL functions of a `CREATE FUNCTION` statement as JSON, or the parser's message.
pub(super) fn plpgsql_json(sql: &str) -> Result<serde_json::Value, String> {
    let input = CString::new(sql).map_err(|e| e.to_string())?;
    // SAFETY: as in `error_position`; the strings are copied before the result is freed.
    let raw = unsafe {
        let result = pg_query_parse_plpgsql(input.as_ptr());
        let raw = if !result.error.is_null() {
            Err(CStr::from_ptr((*result.error).message)
                .to_string_lossy()
                .into_owned())
        } else if result.plpgsql_funcs.is_null() {
            Err("no PL/pgSQL function found".to_string())
        } else {
            Ok(CStr::from_ptr(result.plpgsql_funcs)
                .to_string_lossy()
                .into_owned())
        };
        pg_query_free_plpgsql_parse_result(result);
        raw
    }?;
    serde_json::from_str(&raw)
        .or_else(|_| serde_json::from_str(&repair_datums(&raw)))
        .map_err(|e| e.to_string())
}

/// libpg_query writes the datums it cannot describe (the `TG_*` variables of a trigger
/// function) as `{}}`, which is not JSON. Outside strings, `{}}` right after `[` or `,` can
/// only be that; this drops the extra brace.
fn repair_datums(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut in_string = false;
    let mut escaped = false;
    let mut previous = ' ';
    let mut rest = raw;
    while let Some(c) = rest.chars().next() {
        if !in_string && matches!(previous, '[' | ',') && rest.starts_with("{}}") {
            out.push_str("{}");
            rest = &rest[3..];
            previous = '}';
            continue;
        }
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
        }
        out.push(c);
        if !c.is_whitespace() {
            previous = c;
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_error_position_in_characters() {
        assert_eq!(error_position("select 1;\nCREATE TABLEE x ();"), Some(18));
        assert_eq!(error_position("select 'é';\nselect $$abc"), Some(20));
        assert_eq!(error_position("select 1"), None);
    }

    #[test]
    fn repairs_unknown_datums_only_outside_strings() {
        assert_eq!(
            repair_datums(r#"{"d":[{"r":{"a":1}},{}},{}}],"q":",{}}"}"#),
            r#"{"d":[{"r":{"a":1}},{},{}],"q":",{}}"}"#
        );
        assert_eq!(
            repair_datums(r#"[{}},{"x":"\"{}}"}]"#),
            r#"[{},{"x":"\"{}}"}]"#
        );
    }

    #[test]
    fn reads_trigger_functions() {
        let sql =
            "CREATE FUNCTION t() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$";
        let json = plpgsql_json(sql).unwrap();
        assert!(json[0]["PLpgSQL_function"]["action"].is_object());
    }
}
