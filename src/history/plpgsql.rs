//! PL/pgSQL in migrations. A `DO` block runs when the migration runs, so its literal SQL
//! statements are folded like top-level ones (in every branch: which one runs is not
//! known). A function body runs later, so it only adds references. `EXECUTE` of dynamic
//! SQL cannot be read and becomes a warning; a name is never guessed from a format string.

use super::fold::{one_line, Folder, Source};
use super::names::dotted_parts;
use super::native;
use super::walk::Mention;
use crate::model::quote_literal;
use pg_query::protobuf::{CreateFunctionStmt, DoStmt, Node};
use pg_query::NodeEnum;
use serde_json::Value;

const DYNAMIC_SQL: &str = "dynamic SQL (EXECUTE) in a DO block cannot be read statically; \
objects it creates are reported as drift";

/// What a PL/pgSQL body contributes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Body {
    /// A `DO` block: statements are folded.
    Run,
    /// A function body: references only.
    References,
}

impl Folder {
    /// Reads a `DO` block: folds its literal statements, warns about `EXECUTE`.
    pub(super) fn read_do_block(&mut self, stmt: &DoStmt, source: Source<'_>) {
        let mut body = None;
        let mut language = "plpgsql".to_string();
        for (name, value, location) in stmt.args.iter().filter_map(option) {
            match name {
                "as" => body = Some((value, location)),
                "language" => language = value.to_lowercase(),
                _ => {}
            }
        }
        let Some((body, location)) = body else { return };
        let first_line = source.line_of(location);
        if language != "plpgsql" {
            let message = format!("a DO block in language {language} cannot be read; objects it creates are reported as drift");
            self.warn(first_line, message);
            return;
        }
        let wrapper = format!(
            "CREATE FUNCTION pg_temp.pgdrift_do() RETURNS void LANGUAGE plpgsql AS {}",
            quote_literal(&body)
        );
        match native::plpgsql_json(&wrapper) {
            Ok(tree) => self.walk_plpgsql(&tree, first_line, Body::Run),
            Err(message) => {
                let message = one_line(&message);
                let message = format!("this DO block cannot be read ({message}); objects it creates are reported as drift");
                self.warn(first_line, message);
            }
        }
    }

    /// Adds the references of a routine's body: SQL statements of a `LANGUAGE sql` body,
    /// queries and types of a PL/pgSQL one. A body that does not parse is skipped.
    pub(super) fn read_routine_body(&mut self, stmt: &CreateFunctionStmt, text: &str) {
        let mut language = "sql".to_string();
        let mut body = None;
        for (name, value, _) in stmt.options.iter().filter_map(option) {
            match name {
                "language" => language = value.to_lowercase(),
                "as" => body = Some(value),
                _ => {}
            }
        }
        match (language.as_str(), body) {
            ("plpgsql", _) => {
                if let Ok(tree) = native::plpgsql_json(text) {
                    self.walk_plpgsql(&tree, 1, Body::References);
                }
            }
            ("sql", Some(body)) => self.reference_query(&body, pg_query::ParserOptions::DEFAULT),
            _ => {}
        }
    }

    fn walk_plpgsql(&mut self, value: &Value, first_line: usize, body: Body) {
        match value {
            Value::Array(items) => {
                for item in items {
                    self.walk_plpgsql(item, first_line, body);
                }
            }
            Value::Object(map) => {
                for (key, inner) in map {
                    match key.as_str() {
                        "PLpgSQL_stmt_execsql" if body == Body::Run => {
                            self.run_statement(inner, first_line)
                        }
                        "PLpgSQL_stmt_dynexecute" if body == Body::Run => {
                            if !only_privileges(inner) {
                                self.warn(line_in(inner, first_line), DYNAMIC_SQL);
                            }
                            self.walk_plpgsql(inner, first_line, body);
                        }
                        "PLpgSQL_expr" => self.reference_expression(inner),
                        "PLpgSQL_type" => self.reference_variable_type(inner),
                        _ => self.walk_plpgsql(inner, first_line, body),
                    }
                }
            }
            _ => {}
        }
    }

    /// Folds one literal SQL statement of a `DO` block.
    fn run_statement(&mut self, stmt: &Value, first_line: usize) {
        let Some(query) = stmt
            .pointer("/sqlstmt/PLpgSQL_expr/query")
            .and_then(Value::as_str)
        else {
            return;
        };
        let line = line_in(stmt, first_line);
        match pg_query::parse(query, pg_query::ParserOptions::DEFAULT) {
            Ok(parsed) => {
                let source = Source {
                    text: query,
                    first_line: line,
                    conditional: true,
                };
                self.statements(&parsed.protobuf.stmts, source);
            }
            Err(e) => {
                let e = one_line(&e.to_string());
                let message = format!("this statement of a DO block cannot be read ({e}); objects it creates are reported as drift");
                self.warn(line, message);
            }
        }
    }

    /// References of a PL/pgSQL expression or query, parsed in the mode PL/pgSQL gives.
    fn reference_expression(&mut self, expr: &Value) {
        let Some(query) = expr.get("query").and_then(Value::as_str) else {
            return;
        };
        let mode = expr.get("parseMode").and_then(Value::as_i64).unwrap_or(0);
        let mode = i32::try_from(mode).unwrap_or(0);
        self.reference_query(query, pg_query::ParserOptions::from(mode));
    }

    fn reference_query(&mut self, query: &str, mode: pg_query::ParserOptions) {
        if let Ok(parsed) = pg_query::parse(query, mode) {
            for raw in &parsed.protobuf.stmts {
                if let Some(node) = raw.stmt.as_ref().and_then(|s| s.node.as_ref()) {
                    self.reference_all(node);
                }
            }
        }
    }

    /// A declared variable's type: `mood`, `public.users%ROWTYPE`, `t.col%TYPE`.
    fn reference_variable_type(&mut self, datatype: &Value) {
        let Some(text) = datatype.get("typname").and_then(Value::as_str) else {
            return;
        };
        let text = text.trim().trim_end_matches("[]");
        let mention = if let Some(relation) = strip_suffix_ignoring_case(text, "%rowtype") {
            dotted_parts(relation).map(Mention::object)
        } else if let Some(column) = strip_suffix_ignoring_case(text, "%type") {
            dotted_parts(column).map(|mut parts| {
                parts.pop();
                Mention::object(parts)
            })
        } else {
            dotted_parts(text).map(Mention::of_type)
        };
        if let Some(mention) = mention.filter(|m| !m.parts.is_empty()) {
            self.reference(&mention);
        }
    }
}

/// `(name, string value, location of the value)` of a `DefElem` option (`AS '...'`,
/// `LANGUAGE x`). A body given as a list takes its first string.
fn option(node: &Node) -> Option<(&str, String, i32)> {
    let NodeEnum::DefElem(option) = node.node.as_ref()? else {
        return None;
    };
    let value = match option.arg.as_ref()?.node.as_ref()? {
        NodeEnum::String(s) => s.sval.clone(),
        NodeEnum::List(list) => match list.items.first()?.node.as_ref()? {
            NodeEnum::String(s) => s.sval.clone(),
            _ => return None,
        },
        _ => return None,
    };
    Some((option.defname.as_str(), value, option.arg_location))
}

fn strip_suffix_ignoring_case<'a>(text: &'a str, suffix: &str) -> Option<&'a str> {
    let start = text.len().checked_sub(suffix.len())?;
    let tail = text.get(start..)?;
    tail.eq_ignore_ascii_case(suffix).then(|| &text[..start])
}

/// The file line of a PL/pgSQL statement: its `lineno` counts from the body's first line.
fn line_in(stmt: &Value, first_line: usize) -> usize {
    let lineno = stmt.get("lineno").and_then(Value::as_u64).unwrap_or(1);
    first_line + usize::try_from(lineno).unwrap_or(1).saturating_sub(1)
}

/// Is the dynamic statement a GRANT or a REVOKE? Its text is a string literal, or
/// `format()` of one (`format('REVOKE ALL ON TABLE %s FROM %I', t, r)`), that starts with
/// that keyword: whatever the arguments, it creates no object, so there is nothing to warn
/// about.
fn only_privileges(stmt: &Value) -> bool {
    let Some(expr) = stmt
        .pointer("/query/PLpgSQL_expr/query")
        .and_then(Value::as_str)
    else {
        return false;
    };
    let Ok(parsed) = pg_query::parse(&format!("SELECT {expr}"), pg_query::ParserOptions::DEFAULT)
    else {
        return false;
    };
    let target =
        parsed
            .protobuf
            .stmts
            .first()
            .and_then(|s| match s.stmt.as_ref()?.node.as_ref()? {
                NodeEnum::SelectStmt(select) if select.target_list.len() == 1 => {
                    match select.target_list[0].node.as_ref()? {
                        NodeEnum::ResTarget(t) => t.val.as_deref()?.node.clone(),
                        _ => None,
                    }
                }
                _ => None,
            });
    let literal = |node: &NodeEnum| match node {
        NodeEnum::AConst(c) => match c.val.as_ref()? {
            pg_query::protobuf::a_const::Val::Sval(s) => Some(s.sval.clone()),
            _ => None,
        },
        _ => None,
    };
    let text = match &target {
        Some(NodeEnum::FuncCall(call)) => {
            let name = call.funcname.last().and_then(|n| match n.node.as_ref()? {
                NodeEnum::String(s) => Some(s.sval.as_str()),
                _ => None,
            });
            if name != Some("format") {
                return false;
            }
            call.args.first().and_then(|a| literal(a.node.as_ref()?))
        }
        Some(node) => literal(node),
        None => None,
    };
    let Some(text) = text else { return false };
    let first = text
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_uppercase();
    matches!(first.as_str(), "GRANT" | "REVOKE")
}
