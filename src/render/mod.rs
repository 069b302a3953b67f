//! Turns plan items into SQL through the tera templates in `templates/`.
//!
//! Rust builds a small context for each object from the model (names stay unescaped,
//! definitions are the server's own text); the templates lay the SQL out and quote only
//! through the filters in `filters` (`ident`, `literal`, `qname`, `role`, `do_block`).
//! Every statement is idempotent: `IF NOT EXISTS`, `CREATE OR REPLACE`, or a DO block that
//! looks the object up in the catalog first.
//!
//! One module per kind of object: `table` (tables and their columns), `parts`
//! (constraints, indexes, policies, triggers, rules), `objects` (schemas, extensions,
//! collations, types, sequences, functions, views), `privileges` (grants), `file` (the migration file around
//! the items, and rollback statements).

mod escape;
mod file;
mod filters;
mod guard;
#[cfg(test)]
mod kinds;
mod objects;
mod parts;
mod privileges;
mod table;

pub use file::FileHeader;

use crate::model::{
    DefaultPrivilege, EventTrigger, Function, ObjectKey, Operator, QualifiedName, Schema, Table,
    View,
};
use crate::plan::Item;
use anyhow::{anyhow, bail, Context, Result};
use serde::Serialize;
use std::path::Path;
use tera::Tera;

/// `(name, text)` of templates embedded from `templates/`.
macro_rules! embedded {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../templates/", $name)))),*]
    };
}

/// The templates pgdrift ships, by name. A folder given to `Renderer::new` may replace any
/// of them with a file of the same name.
const TEMPLATES: &[(&str, &str)] = embedded![
    "file.sql.tera",
    "rollback.sql.tera",
    "schema.sql.tera",
    "extension.sql.tera",
    "collation.sql.tera",
    "type.sql.tera",
    "sequence.sql.tera",
    "function.sql.tera",
    "table.sql.tera",
    "column.sql.tera",
    "column_settings.sql.tera",
    "add_column.sql.tera",
    "renamed.sql.tera",
    "constraint.sql.tera",
    "index.sql.tera",
    "policy.sql.tera",
    "trigger.sql.tera",
    "rule.sql.tera",
    "view.sql.tera",
    "operator.sql.tera",
    "event_trigger.sql.tera",
    "grants.sql.tera",
    "publication.sql.tera",
    "default_privileges.sql.tera",
    "drop.sql.tera",
];

/// Renders items, rollback statements and whole migration files.
pub struct Renderer {
    tera: Tera,
}

impl Renderer {
    /// Embedded templates, each replaced by a same-named file in `dir` when given. A file
    /// in `dir` that names no template is an error naming it (hidden files aside), and so
    /// is a template that does not parse.
    pub fn new(dir: Option<&Path>) -> Result<Renderer> {
        let mut sources: Vec<(String, String)> = TEMPLATES
            .iter()
            .map(|(name, text)| (name.to_string(), text.to_string()))
            .collect();
        if let Some(dir) = dir {
            for (name, text) in overrides(dir)? {
                if let Some(slot) = sources.iter_mut().find(|(n, _)| *n == name) {
                    slot.1 = text;
                }
            }
        }
        let mut tera = Tera::default();
        // tera escapes for HTML by default; SQL is not HTML and nothing tera could do would
        // make it safe SQL. Escaping is off: templates quote through the filters instead.
        tera.autoescape_on(vec![]);
        filters::register(&mut tera);
        for (name, text) in &sources {
            tera.add_raw_template(name, text)
                .map_err(anyhow::Error::new)
                .with_context(|| format!("parsing the template {name}"))?;
        }
        Ok(Renderer { tera })
    }

    /// Idempotent SQL for one item: one or more statements, each ending with `;\n`. Empty
    /// for an item that needs nothing (an index a partition has from its parent).
    pub fn item(&self, schema: &Schema, item: &Item) -> Result<String> {
        Ok(guard::standalone(&self.marked(schema, item)?))
    }

    /// The bodies of one file: each object's statements, a table and its parts together
    /// with their guards gathered in one `DO` block (see `guard`).
    pub fn bodies(&self, schema: &Schema, items: &[Item]) -> Result<Vec<String>> {
        let rendered = items
            .iter()
            .map(|item| Ok((item, self.marked(schema, item)?)))
            .collect::<Result<Vec<_>>>()?;
        Ok(guard::bodies(rendered))
    }

    /// An item's SQL with its guarded statements marked.
    fn marked(&self, schema: &Schema, item: &Item) -> Result<String> {
        let rendered = match item {
            Item::Schema { name } => objects::schema(self, schema, name),
            Item::Extension { name, schema: s } => objects::extension(self, schema, name, s),
            Item::Type { name, omit_values } => objects::type_def(self, schema, name, omit_values),
            Item::Sequence { name } => objects::sequence(self, schema, name),
            Item::Collation { name } => objects::collation(self, schema, name),
            Item::Function { key } => objects::function(self, function(schema, key)?),
            Item::Table(t) => table::table(self, schema, t),
            Item::TablePart { table: name, part } => {
                parts::part(self, schema, table(schema, name)?, part)
            }
            Item::View { name } => objects::view(self, view(schema, name)?),
            Item::Operator { key } => objects::operator(self, operator(schema, key)?),
            Item::EventTrigger { key } => objects::event_trigger(self, event_trigger(schema, key)?),
            Item::Publication { name, tables } => objects::publication(self, schema, name, tables),
            Item::DefaultPrivileges => {
                objects::default_privileges(self, &schema.default_privileges)
            }
        };
        rendered.with_context(|| format!("rendering {}", describe(item)))
    }

    /// `ALTER DEFAULT PRIVILEGES` statements that give `defaults`.
    pub fn default_privileges(&self, defaults: &[DefaultPrivilege]) -> Result<String> {
        objects::default_privileges(self, defaults)
    }

    /// The statement that undoes the item (`DROP TABLE IF EXISTS ...;`), `None` for items
    /// that need none (schemas, extensions, an index a partition has from its parent).
    pub fn rollback(&self, schema: &Schema, item: &Item) -> Result<Option<String>> {
        file::rollback(self, schema, item)
            .with_context(|| format!("rendering the rollback of {}", describe(item)))
    }

    /// A whole migration file: the header comment, the bodies in order separated by a blank
    /// line, then the rollback statements in reverse order, commented out.
    pub fn file(
        &self,
        header: &FileHeader,
        bodies: &[String],
        rollbacks: &[String],
    ) -> Result<String> {
        file::file(self, header, bodies, rollbacks)
    }

    /// The statements of a drop migration: `DROP TABLE IF EXISTS` for `table` (never
    /// CASCADE), then for each of `objects` (what only the table used), with a comment
    /// naming the backup of its rows.
    pub fn drop_table(
        &self,
        schema: &Schema,
        table: &QualifiedName,
        objects: &[ObjectKey],
        backup: &str,
        rows: u64,
    ) -> Result<String> {
        #[derive(Serialize)]
        struct Object<'a> {
            kind: &'static str,
            name: &'a QualifiedName,
            arguments: Option<&'a str>,
        }
        #[derive(Serialize)]
        struct Context<'a> {
            table: &'a QualifiedName,
            backup: &'a str,
            rows: u64,
            objects: Vec<Object<'a>>,
        }
        let objects = objects
            .iter()
            .map(|key| {
                let kind = match key.kind {
                    crate::model::ObjectKind::Type => match schema.types.get(&key.name) {
                        Some(t) if matches!(t.body, crate::model::TypeBody::Domain { .. }) => {
                            "domain"
                        }
                        _ => "type",
                    },
                    other => other.as_str(),
                };
                let arguments = schema
                    .functions
                    .get(key)
                    .map(|f| f.identity_arguments.as_str());
                Object {
                    kind,
                    name: &key.name,
                    arguments,
                }
            })
            .collect();
        let context = Context {
            table,
            backup,
            rows,
            objects,
        };
        self.render("drop.sql.tera", &context)
    }

    /// Renders one template with a context built from `context`; the result has no leading
    /// blank lines and ends with exactly one line feed (empty stays empty).
    fn render(&self, template: &str, context: &impl Serialize) -> Result<String> {
        let context = tera::Context::from_serialize(context)
            .with_context(|| format!("building the context of {template}"))?;
        let text = self
            .tera
            .render(template, &context)
            .map_err(anyhow::Error::new)
            .with_context(|| format!("rendering the template {template}"))?;
        let text = text.trim_start_matches('\n').trim_end();
        Ok(if text.is_empty() {
            String::new()
        } else {
            format!("{text}\n")
        })
    }
}

impl Renderer {
    /// A template rendered for inclusion in another one: without its final line feed.
    fn fragment(&self, template: &str, context: &impl Serialize) -> Result<String> {
        let mut text = self.render(template, context)?;
        text.truncate(text.trim_end().len());
        Ok(text)
    }
}

/// The files of `dir` that replace embedded templates, by template name.
fn overrides(dir: &Path) -> Result<Vec<(String, String)>> {
    let entries = std::fs::read_dir(dir)
        .with_context(|| format!("reading the templates folder {}", dir.display()))?;
    let mut found = Vec::new();
    let mut unknown = Vec::new();
    for entry in entries {
        let entry =
            entry.with_context(|| format!("reading the templates folder {}", dir.display()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        if !TEMPLATES.iter().any(|(known, _)| *known == name) {
            unknown.push(name);
            continue;
        }
        let path = entry.path();
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading the template {}", path.display()))?;
        found.push((name, text));
    }
    if !unknown.is_empty() {
        unknown.sort();
        let known: Vec<&str> = TEMPLATES.iter().map(|(n, _)| *n).collect();
        bail!(
            "{} holds {} that pgdrift does not know: {}; a template there must have the name of \
             the one it replaces ({})",
            dir.display(),
            if unknown.len() == 1 {
                "a file"
            } else {
                "files"
            },
            unknown.join(", "),
            known.join(", ")
        );
    }
    found.sort();
    Ok(found)
}

/// `table public.t`, `constraint c of public.t`... for error messages.
fn describe(item: &Item) -> String {
    match item {
        Item::Type { name, .. } => format!("type {name}"),
        Item::Sequence { name } => format!("sequence {name}"),
        Item::Collation { name } => format!("collation {name}"),
        Item::Function { key } => key.to_string(),
        Item::Table(t) => format!("table {}", t.name),
        Item::TablePart { table, part } => format!("{part:?} of {table}"),
        Item::View { name } => format!("view {name}"),
        Item::Operator { key } | Item::EventTrigger { key } => key.to_string(),
        other => other.database_label().unwrap_or_default(),
    }
}

fn table<'s>(schema: &'s Schema, name: &QualifiedName) -> Result<&'s Table> {
    schema
        .tables
        .get(name)
        .ok_or_else(|| anyhow!("table {name} is not in production's catalog"))
}

fn view<'s>(schema: &'s Schema, name: &QualifiedName) -> Result<&'s View> {
    schema
        .views
        .get(name)
        .ok_or_else(|| anyhow!("view {name} is not in production's catalog"))
}

fn function<'s>(schema: &'s Schema, key: &ObjectKey) -> Result<&'s Function> {
    schema
        .functions
        .get(key)
        .ok_or_else(|| anyhow!("{key} is not in production's catalog"))
}

fn operator<'s>(schema: &'s Schema, key: &ObjectKey) -> Result<&'s Operator> {
    schema
        .operators
        .get(key)
        .ok_or_else(|| anyhow!("{key} is not in production's catalog"))
}

fn event_trigger<'s>(schema: &'s Schema, key: &ObjectKey) -> Result<&'s EventTrigger> {
    schema
        .event_triggers
        .get(key)
        .ok_or_else(|| anyhow!("{key} is not in production's catalog"))
}

/// A storage or view option `name=value`, split for `WITH (name = 'value')`.
#[derive(Serialize)]
struct RelOption {
    name: String,
    value: String,
}

fn rel_options(options: &[String]) -> Result<Vec<RelOption>> {
    options
        .iter()
        .map(|o| {
            let (name, value) = o
                .split_once('=')
                .ok_or_else(|| anyhow!("the option {o} has no value"))?;
            Ok(RelOption {
                name: name.to_string(),
                value: value.to_string(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Column, RoutineKind, TypeBody, TypeDef};
    use crate::plan::TableItem;

    fn name(n: &str) -> QualifiedName {
        QualifiedName::new("public", n)
    }

    /// A model with the table `public."order"` (`id`, `"select"`) and nothing else.
    fn schema() -> Schema {
        let table = Table {
            columns: vec![Column::new("id", "integer"), Column::new("select", "text")],
            comment: Some("it's */ here".into()),
            ..Table::new(name("order"))
        };
        let mut schema = Schema::default();
        schema.tables.insert(table.name.clone(), table);
        schema
    }

    fn table_item() -> Item {
        Item::Table(TableItem::whole(name("order")))
    }

    #[test]
    fn embedded_templates_render_a_table() {
        let r = Renderer::new(None).unwrap();
        let sql = r.item(&schema(), &table_item()).unwrap();
        assert!(
            sql.starts_with(
                "CREATE TABLE IF NOT EXISTS public.\"order\" (\n    id integer,\n    \"select\" text\n);\n\
                 COMMENT ON TABLE public.\"order\" IS 'it''s */ here';\n\
                 REVOKE ALL ON TABLE public.\"order\" FROM PUBLIC;\n"
            ),
            "{sql}"
        );
        assert!(sql.ends_with("$pgdrift$;\n"), "{sql}");
        pg_query::parse(&sql, pg_query::ParserOptions::DEFAULT).unwrap();
    }

    #[test]
    fn a_folder_template_replaces_the_embedded_one() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("table.sql.tera"),
            "CREATE TABLE {{ name | qname }} ();\n",
        )
        .unwrap();
        std::fs::write(dir.path().join(".gitkeep"), "").unwrap();
        let r = Renderer::new(Some(dir.path())).unwrap();
        assert_eq!(
            r.item(&schema(), &table_item()).unwrap(),
            "CREATE TABLE public.\"order\" ();\n"
        );
    }

    #[test]
    fn unknown_template_files_are_named() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("tabel.sql.tera"), "x").unwrap();
        std::fs::write(dir.path().join("notes.txt"), "x").unwrap();
        let err = Renderer::new(Some(dir.path())).err().unwrap();
        let message = format!("{err:#}");
        assert!(
            message.contains("files that pgdrift does not know: notes.txt, tabel.sql.tera"),
            "{message}"
        );
        assert!(message.contains("table.sql.tera"), "{message}");
    }

    #[test]
    fn a_template_that_does_not_parse_is_named() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("policy.sql.tera"), "{% if %}").unwrap();
        let err = Renderer::new(Some(dir.path())).err().unwrap();
        assert!(
            format!("{err:#}").contains("parsing the template policy.sql.tera"),
            "{err:#}"
        );
    }

    #[test]
    fn enum_values_added_later_are_left_out() {
        let mut schema = schema();
        let mood = TypeDef {
            name: name("mood"),
            body: TypeBody::Enum {
                values: vec!["sad".into(), "it's ok".into(), "happy".into()],
            },
            owner: "postgres".into(),
            comment: None,
            grants: Vec::new(),
        };
        schema.types.insert(mood.name.clone(), mood);
        let item = Item::Type {
            name: name("mood"),
            omit_values: vec!["happy".into()],
        };
        let sql = Renderer::new(None).unwrap().item(&schema, &item).unwrap();
        assert!(
            sql.contains("CREATE TYPE public.mood AS ENUM ('sad', 'it''s ok');"),
            "{sql}"
        );
        assert!(
            sql.contains("n.nspname = 'public' AND t.typname = 'mood'"),
            "{sql}"
        );
    }

    #[test]
    fn aggregates_comment_as_aggregates_and_grant_as_functions() {
        let mut schema = schema();
        let mut add = |n: &str, identity: &str, signature: &str| {
            let key = ObjectKey::routine(crate::model::ObjectKind::Function, name(n), signature);
            let arguments = if identity.is_empty() { "*" } else { identity };
            schema.functions.insert(
                key.clone(),
                Function {
                    name: name(n),
                    kind: RoutineKind::Aggregate,
                    signature: signature.into(),
                    identity_arguments: identity.into(),
                    definition: format!(
                        "CREATE OR REPLACE AGGREGATE public.{n}({arguments}) (\n    \
                         SFUNC = int8inc,\n    STYPE = bigint\n)"
                    ),
                    language: "internal".into(),
                    owner: "postgres".into(),
                    comment: Some("counts".into()),
                    grants: vec![crate::model::Grant {
                        grantee: "PUBLIC".into(),
                        privilege: "EXECUTE".into(),
                        grantable: false,
                    }],
                },
            );
            key
        };
        let counted = add("counted", "", "");
        let pct = add(
            "pct",
            "double precision ORDER BY anyelement",
            "double precision, anyelement",
        );
        let r = Renderer::new(None).unwrap();
        let sql = r
            .item(
                &schema,
                &Item::Function {
                    key: counted.clone(),
                },
            )
            .unwrap();
        assert!(
            sql.starts_with(
                "CREATE OR REPLACE AGGREGATE public.counted(*) (\n    SFUNC = int8inc,\n    \
                 STYPE = bigint\n);\nCOMMENT ON AGGREGATE public.counted(*) IS 'counts';\n\
                 REVOKE ALL ON FUNCTION public.counted() FROM PUBLIC;\n"
            ),
            "{sql}"
        );
        assert!(
            sql.ends_with("GRANT EXECUTE ON FUNCTION public.counted() TO PUBLIC;\n"),
            "{sql}"
        );
        pg_query::parse(&sql, pg_query::ParserOptions::DEFAULT).unwrap();
        let sql = r
            .item(&schema, &Item::Function { key: pct.clone() })
            .unwrap();
        assert!(sql.contains(
            "COMMENT ON AGGREGATE public.pct(double precision ORDER BY anyelement) IS 'counts';"
        ));
        assert!(sql.contains("ON FUNCTION public.pct(double precision, anyelement) TO PUBLIC;"));
        let rollback = |key| {
            r.rollback(&schema, &Item::Function { key })
                .unwrap()
                .unwrap()
        };
        assert_eq!(
            rollback(counted),
            "DROP AGGREGATE IF EXISTS public.counted(*);\n"
        );
        assert_eq!(
            rollback(pct),
            "DROP AGGREGATE IF EXISTS public.pct(double precision ORDER BY anyelement);\n"
        );
    }
}
