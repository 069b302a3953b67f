//! The `search_path` a migration sets, which says where unqualified names are created and
//! looked up. Every file starts with PostgreSQL's default, `"$user", public`.

use crate::model::split_identifiers;
use pg_query::protobuf::{a_const, SelectStmt, VariableSetKind, VariableSetStmt};
use pg_query::NodeEnum;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct SearchPath {
    entries: Vec<String>,
}

impl Default for SearchPath {
    fn default() -> Self {
        SearchPath {
            entries: vec!["$user".to_string(), "public".to_string()],
        }
    }
}

impl SearchPath {
    /// The path after `SET [LOCAL] search_path ...` or `RESET search_path`; `None` for any
    /// other setting.
    pub(super) fn from_set(stmt: &VariableSetStmt) -> Option<SearchPath> {
        let kind = VariableSetKind::try_from(stmt.kind).ok()?;
        if kind == VariableSetKind::VarResetAll {
            return Some(SearchPath::default());
        }
        if !stmt.name.eq_ignore_ascii_case("search_path") {
            return None;
        }
        match kind {
            VariableSetKind::VarSetValue => {
                // Each argument is one schema name, even a quoted string holding commas.
                let entries = stmt.args.iter().filter_map(constant_text).collect();
                Some(SearchPath { entries })
            }
            VariableSetKind::VarSetDefault | VariableSetKind::VarReset => {
                Some(SearchPath::default())
            }
            _ => None,
        }
    }

    /// The path set by `SELECT [pg_catalog.]set_config('search_path', '...', ...)`, as
    /// pg_dump writes it.
    pub(super) fn from_select(stmt: &SelectStmt) -> Option<SearchPath> {
        stmt.target_list.iter().find_map(|target| {
            let NodeEnum::ResTarget(target) = target.node.as_ref()? else {
                return None;
            };
            let NodeEnum::FuncCall(call) = target.val.as_ref()?.node.as_ref()? else {
                return None;
            };
            let is_set_config = call
                .funcname
                .last()
                .and_then(|n| n.node.as_ref())
                .is_some_and(|n| matches!(n, NodeEnum::String(s) if s.sval == "set_config"));
            let setting = call.args.first().and_then(constant_text)?;
            let value = call.args.get(1).and_then(constant_text)?;
            (is_set_config && setting.eq_ignore_ascii_case("search_path"))
                .then(|| SearchPath::from_setting(&value))
        })
    }

    /// A path of one schema, as inside `CREATE SCHEMA s CREATE TABLE ...`.
    pub(super) fn only(schema: &str) -> SearchPath {
        SearchPath {
            entries: vec![schema.to_string()],
        }
    }

    /// Parses a setting string: identifiers separated by commas, as PostgreSQL reads them
    /// (`split_identifiers`). A malformed one (which PostgreSQL refuses) names no schema.
    pub(super) fn from_setting(text: &str) -> SearchPath {
        SearchPath {
            entries: split_identifiers(text, ',').unwrap_or_default(),
        }
    }

    /// The schemas where unqualified names are created and found, in order: the path
    /// without `$user`, `pg_catalog`, `pg_temp` and empty entries.
    pub(super) fn schemas(&self) -> impl Iterator<Item = &str> {
        self.entries
            .iter()
            .map(String::as_str)
            .filter(|s| !matches!(*s, "" | "$user" | "pg_catalog" | "pg_temp"))
    }

    /// Where `CREATE` puts an unqualified object: the first usable schema of the path, or
    /// `public` when the path names none.
    pub(super) fn creation_schema(&self) -> &str {
        self.schemas().next().unwrap_or("public")
    }
}

/// The text of a string constant node (`'x'`, or an identifier given as a `SET` value).
fn constant_text(node: &pg_query::protobuf::Node) -> Option<String> {
    match node.node.as_ref()? {
        NodeEnum::AConst(c) => match c.val.as_ref()? {
            a_const::Val::Sval(s) => Some(s.sval.clone()),
            _ => None,
        },
        NodeEnum::String(s) => Some(s.sval.clone()),
        NodeEnum::TypeCast(cast) => constant_text(cast.arg.as_deref()?),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(sql: &str) -> Option<SearchPath> {
        let parsed = pg_query::parse(sql, pg_query::ParserOptions::DEFAULT).unwrap();
        match parsed.protobuf.stmts[0].stmt.as_ref()?.node.as_ref()? {
            NodeEnum::VariableSetStmt(s) => SearchPath::from_set(s),
            NodeEnum::SelectStmt(s) => SearchPath::from_select(s),
            _ => None,
        }
    }

    fn schemas(path: &SearchPath) -> Vec<&str> {
        path.schemas().collect()
    }

    #[test]
    fn reads_set_statements() {
        let path = set("SET search_path TO app, \"$user\", public").unwrap();
        assert_eq!(schemas(&path), ["app", "public"]);
        assert_eq!(path.creation_schema(), "app");
        let path = set("SET LOCAL search_path = \"My App\", pg_catalog").unwrap();
        assert_eq!(schemas(&path), ["My App"]);
        let path = set("SET search_path = ''").unwrap();
        assert_eq!(schemas(&path), Vec::<&str>::new());
        assert_eq!(path.creation_schema(), "public");
        assert_eq!(set("RESET search_path"), Some(SearchPath::default()));
        assert_eq!(
            set("SET search_path TO DEFAULT"),
            Some(SearchPath::default())
        );
        assert_eq!(set("SET statement_timeout = 0"), None);
    }

    #[test]
    fn reads_set_config() {
        let path = set("SELECT pg_catalog.set_config('search_path', 'App, \"B,c\"', false)");
        assert_eq!(schemas(&path.unwrap()), ["app", "B,c"]);
        let path = set("SELECT set_config('search_path', '', false)").unwrap();
        assert_eq!(schemas(&path), Vec::<&str>::new());
        assert_eq!(set("SELECT set_config('role', 'x', false)"), None);
        assert_eq!(set("SELECT 1"), None);
    }
}
