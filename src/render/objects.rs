//! Schemas, extensions, collations, types, standalone sequences, functions, views, operators
//! and event triggers: one context and one template each.

use super::privileges::Privileges;
use super::{parts, rel_options, RelOption, Renderer};
use crate::model::{
    quote_ident, DefaultPrivilege, EventTrigger, Firing, Function, Operator, PublishedTable,
    QualifiedName, RoutineKind, Schema, Sequence, TypeBody, View,
};
use anyhow::{anyhow, bail, Result};
use indexmap::IndexMap;
use serde::Serialize;

#[derive(Serialize)]
struct SchemaContext<'a> {
    name: &'a str,
    comment: Option<&'a str>,
    revokes: Vec<Revoke<'a>>,
    /// Rendered grants.sql.tera: GRANTs only.
    privileges: String,
}

/// `REVOKE privileges ON SCHEMA ... FROM grantee`.
#[derive(Serialize)]
struct Revoke<'a> {
    privileges: Vec<&'a str>,
    grantee: &'a str,
}

/// A schema, with the comment and privileges production gives it. Only what production
/// took away from the privileges every new schema of the name has is revoked: what the
/// database grants on a schema of its own accord (a platform's roles) stays.
pub(super) fn schema(r: &Renderer, model: &Schema, name: &str) -> Result<String> {
    let namespace = model.namespace(name);
    let grants = namespace.map_or(&[][..], |n| &n.grants[..]);
    let privileges = Privileges::new("SCHEMA", quote_ident(name), grants, []).without_revoke();
    let mut revokes: Vec<Revoke> = Vec::new();
    for g in namespace.into_iter().flat_map(|n| &n.revokes) {
        match revokes.last_mut() {
            Some(last) if last.grantee == g.grantee => last.privileges.push(&g.privilege),
            _ => revokes.push(Revoke {
                privileges: vec![&g.privilege],
                grantee: &g.grantee,
            }),
        }
    }
    let context = SchemaContext {
        name,
        comment: namespace.and_then(|n| n.comment.as_deref()),
        revokes,
        privileges: r.fragment("grants.sql.tera", &privileges)?,
    };
    r.render("schema.sql.tera", &context)
}

#[derive(Serialize)]
struct ExtensionContext<'a> {
    name: &'a str,
    schema: &'a str,
    /// Rendered grants.sql.tera for each routine of it whose privileges were changed.
    privileges: Vec<String>,
}

pub(super) fn extension(r: &Renderer, model: &Schema, name: &str, schema: &str) -> Result<String> {
    let members = model
        .extensions
        .iter()
        .filter(|e| e.name == name)
        .flat_map(|e| &e.member_grants);
    let privileges = members
        .map(|m| {
            let kind = if m.kind == "PROCEDURE" {
                "PROCEDURE"
            } else {
                "FUNCTION"
            };
            let privileges = Privileges::new(kind, m.target.clone(), &m.grants, []);
            r.fragment("grants.sql.tera", &privileges)
        })
        .collect::<Result<Vec<_>>>()?;
    r.render(
        "extension.sql.tera",
        &ExtensionContext {
            name,
            schema,
            privileges,
        },
    )
}

#[derive(Serialize)]
struct CollationContext<'a> {
    name: &'a QualifiedName,
    /// The options inside `CREATE COLLATION name (...)`.
    definition: &'a str,
    comment: Option<&'a str>,
}

pub(super) fn collation(r: &Renderer, schema: &Schema, name: &QualifiedName) -> Result<String> {
    let c = schema
        .collations
        .get(name)
        .ok_or_else(|| anyhow!("collation {name} is not in production's catalog"))?;
    let context = CollationContext {
        name,
        definition: &c.definition,
        comment: c.comment.as_deref(),
    };
    r.render("collation.sql.tera", &context)
}

/// A `CHECK` constraint of a domain, or an attribute of a composite type.
#[derive(Serialize)]
struct Definition<'a> {
    name: &'a str,
    definition: &'a str,
}

#[derive(Serialize, Default)]
struct TypeContext<'a> {
    name: Option<&'a QualifiedName>,
    kind: &'static str,
    values: Vec<&'a str>,
    base_type: Option<&'a str>,
    collation: Option<&'a QualifiedName>,
    default: Option<&'a str>,
    not_null: bool,
    /// Domain constraints created with the domain.
    checks: Vec<Definition<'a>>,
    /// `NOT VALID` domain constraints, which CREATE DOMAIN cannot take.
    unvalidated: Vec<Definition<'a>>,
    attributes: Vec<Definition<'a>>,
    range: Option<&'a str>,
    comment: Option<&'a str>,
    /// Rendered grants.sql.tera.
    privileges: String,
}

pub(super) fn type_def(
    r: &Renderer,
    schema: &Schema,
    name: &QualifiedName,
    omit_values: &[String],
) -> Result<String> {
    let def = schema
        .types
        .get(name)
        .ok_or_else(|| anyhow!("type {name} is not in production's catalog"))?;
    // GRANT ... ON TYPE takes domains too.
    let privileges = Privileges::new("TYPE", name.to_sql(), &def.grants, []).without_api_roles();
    let mut context = TypeContext {
        name: Some(name),
        comment: def.comment.as_deref(),
        privileges: r.fragment("grants.sql.tera", &privileges)?,
        ..TypeContext::default()
    };
    match &def.body {
        TypeBody::Enum { values } => {
            context.kind = "enum";
            context.values = values
                .iter()
                .filter(|v| !omit_values.contains(v))
                .map(String::as_str)
                .collect();
        }
        TypeBody::Domain {
            base_type,
            collation,
            default,
            not_null,
            constraints,
        } => {
            context.kind = "domain";
            context.base_type = Some(base_type);
            context.collation = collation.as_ref();
            context.default = default.as_deref();
            context.not_null = *not_null;
            for (name, definition) in constraints {
                let d = Definition { name, definition };
                if definition.ends_with(" NOT VALID") {
                    context.unvalidated.push(d);
                } else {
                    context.checks.push(d);
                }
            }
        }
        TypeBody::Composite { attributes } => {
            context.kind = "composite";
            context.attributes = attributes
                .iter()
                .map(|(name, definition)| Definition { name, definition })
                .collect();
        }
        TypeBody::Range { definition, .. } => {
            context.kind = "range";
            context.range = Some(definition);
        }
    }
    r.render("type.sql.tera", &context)
}

/// A sequence's options, with `None` where the option has its default (`NO MINVALUE`).
#[derive(Serialize)]
pub(super) struct SequenceOptions<'a> {
    name: &'a QualifiedName,
    data_type: &'a str,
    start: i64,
    increment: i64,
    min_value: Option<i64>,
    max_value: Option<i64>,
    cache: i64,
    cycle: bool,
}

impl<'a> SequenceOptions<'a> {
    pub(super) fn new(s: &'a Sequence) -> Self {
        let type_max = match s.data_type.as_str() {
            "smallint" => i64::from(i16::MAX),
            "integer" => i64::from(i32::MAX),
            _ => i64::MAX,
        };
        let type_min = -type_max - 1;
        let (default_min, default_max) = if s.increment > 0 {
            (1, type_max)
        } else {
            (type_min, -1)
        };
        SequenceOptions {
            name: &s.name,
            data_type: &s.data_type,
            start: s.start,
            increment: s.increment,
            min_value: (s.min_value != default_min).then_some(s.min_value),
            max_value: (s.max_value != default_max).then_some(s.max_value),
            cache: s.cache,
            cycle: s.cycle,
        }
    }
}

#[derive(Serialize)]
struct SequenceContext<'a> {
    /// False for an identity sequence, which its column creates.
    create: bool,
    /// The sequence of a serial column follows its table's persistence (PostgreSQL 15).
    unlogged: bool,
    sequence: SequenceOptions<'a>,
    comment: Option<&'a str>,
    privileges: String,
}

/// How a sequence is created: not at all (identity sequences come with their column),
/// logged or unlogged.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Create {
    No,
    Logged,
    Unlogged,
}

/// A sequence with its comment and grants, without the final line feed.
pub(super) fn sequence_block(r: &Renderer, s: &Sequence, create: Create) -> Result<String> {
    let privileges = Privileges::new("SEQUENCE", s.name.to_sql(), &s.grants, []);
    let context = SequenceContext {
        create: create != Create::No,
        unlogged: create == Create::Unlogged,
        sequence: SequenceOptions::new(s),
        comment: s.comment.as_deref(),
        privileges: r.fragment("grants.sql.tera", &privileges)?,
    };
    r.fragment("sequence.sql.tera", &context)
}

pub(super) fn sequence(r: &Renderer, schema: &Schema, name: &QualifiedName) -> Result<String> {
    let s = schema
        .sequences
        .get(name)
        .ok_or_else(|| anyhow!("sequence {name} is not in production's catalog"))?;
    if s.is_identity {
        bail!("{name} belongs to an identity column: it comes with its table");
    }
    Ok(format!("{}\n", sequence_block(r, s, Create::Logged)?))
}

#[derive(Serialize)]
struct FunctionContext<'a> {
    /// `FUNCTION`, `PROCEDURE` or `AGGREGATE`, for the comment.
    kind: &'static str,
    name: &'a QualifiedName,
    /// The arguments as COMMENT ON takes them: the identity arguments (`*` for an aggregate
    /// without any).
    arguments: &'a str,
    /// The whole CREATE OR REPLACE statement, without its final line feed.
    definition: &'a str,
    /// A `LANGUAGE sql` body is checked when the function is created; what it reads may be
    /// created later in the history, so the check is turned off around it, as pg_dump does.
    unchecked_body: bool,
    comment: Option<&'a str>,
    privileges: String,
}

pub(super) fn function(r: &Renderer, f: &Function) -> Result<String> {
    // `kind` names the routine in COMMENT ON, `grant_kind` in GRANT.
    let (kind, grant_kind) = match f.kind {
        RoutineKind::Function | RoutineKind::Window => ("FUNCTION", "FUNCTION"),
        RoutineKind::Procedure => ("PROCEDURE", "PROCEDURE"),
        RoutineKind::Aggregate => ("AGGREGATE", "FUNCTION"),
    };
    // GRANT names an aggregate by its argument types alone: it takes neither `*` nor the
    // `ORDER BY` of an ordered-set aggregate.
    let (arguments, grant_arguments) = match f.kind {
        RoutineKind::Aggregate => (
            aggregate_arguments(&f.identity_arguments),
            f.signature.as_str(),
        ),
        _ => (f.identity_arguments.as_str(), f.identity_arguments.as_str()),
    };
    let target = format!("{}({grant_arguments})", f.name.to_sql());
    let privileges = Privileges::new(grant_kind, target, &f.grants, []);
    let context = FunctionContext {
        kind,
        name: &f.name,
        arguments,
        definition: f.definition.trim_end(),
        unchecked_body: f.language == "sql",
        comment: f.comment.as_deref(),
        privileges: r.fragment("grants.sql.tera", &privileges)?,
    };
    r.render("function.sql.tera", &context)
}

/// An aggregate's arguments as `COMMENT ON AGGREGATE` and `DROP AGGREGATE` take them: `*`
/// for an aggregate without arguments.
pub(super) fn aggregate_arguments(identity_arguments: &str) -> &str {
    if identity_arguments.is_empty() {
        "*"
    } else {
        identity_arguments
    }
}

#[derive(Serialize)]
struct ColumnComment<'a> {
    column: &'a str,
    comment: &'a str,
}

#[derive(Serialize)]
struct ViewContext<'a> {
    name: &'a QualifiedName,
    materialized: bool,
    options: Vec<RelOption>,
    /// `pg_get_viewdef`, without its final semicolon.
    definition: &'a str,
    comment: Option<&'a str>,
    column_comments: Vec<ColumnComment<'a>>,
    privileges: String,
    /// Rendered indexes (materialized views), triggers (INSTEAD OF) and rules.
    parts: Vec<String>,
}

pub(super) fn view(r: &Renderer, v: &View) -> Result<String> {
    let mut rendered = Vec::new();
    for index in &v.indexes {
        let marks = parts::IndexMarks {
            cluster: v.clustered_on.as_ref() == Some(&index.name),
            ..parts::IndexMarks::default()
        };
        rendered.push(trimmed(parts::index(r, &v.name, index, marks)?));
    }
    for trigger in &v.triggers {
        rendered.push(trimmed(parts::trigger(r, &v.name, trigger)?));
    }
    for rule in &v.rules {
        rendered.push(trimmed(parts::rule(r, &v.name, rule)?));
    }
    let privileges = Privileges::new("TABLE", v.name.to_sql(), &v.grants, []);
    let context = ViewContext {
        name: &v.name,
        materialized: v.materialized,
        options: rel_options(&v.options)?,
        definition: v.definition.trim_end().trim_end_matches(';').trim_end(),
        comment: v.comment.as_deref(),
        column_comments: v
            .column_comments
            .iter()
            .map(|(column, comment)| ColumnComment { column, comment })
            .collect(),
        privileges: r.fragment("grants.sql.tera", &privileges)?,
        parts: rendered,
    };
    r.render("view.sql.tera", &context)
}

#[derive(Serialize)]
struct OperatorContext<'a> {
    name: &'a QualifiedName,
    left: Option<&'a str>,
    right: &'a str,
    definition: String,
    comment: Option<&'a str>,
}

pub(super) fn operator(r: &Renderer, o: &Operator) -> Result<String> {
    let context = OperatorContext {
        name: &o.name,
        left: o.left.as_deref(),
        right: &o.right,
        // Inside the guard's IF, two levels into the DO block.
        definition: o.definition.trim_end().replace('\n', "\n        "),
        comment: o.comment.as_deref(),
    };
    r.render("operator.sql.tera", &context)
}

#[derive(Serialize)]
struct EventTriggerContext<'a> {
    name: &'a str,
    event: &'a str,
    tags: &'a [String],
    function: &'a QualifiedName,
    enabled: Option<&'static str>,
    comment: Option<&'a str>,
}

pub(super) fn event_trigger(r: &Renderer, t: &EventTrigger) -> Result<String> {
    let context = EventTriggerContext {
        name: &t.name,
        event: &t.event,
        tags: &t.tags,
        function: &t.function,
        enabled: (t.enabled != Firing::Origin).then(|| t.enabled.as_sql()),
        comment: t.comment.as_deref(),
    };
    r.render("event_trigger.sql.tera", &context)
}

/// Rendered SQL without its final line feed, for inclusion in another template.
fn trimmed(mut text: String) -> String {
    text.truncate(text.trim_end().len());
    text
}

#[derive(Serialize)]
struct PublicationContext<'a> {
    name: &'a str,
    all_tables: bool,
    schemas: &'a [String],
    publish: &'a str,
    via_root: bool,
    tables: Vec<&'a PublishedTable>,
}

/// A publication and the imported `tables` it publishes.
pub(super) fn publication(
    r: &Renderer,
    model: &Schema,
    name: &str,
    tables: &[QualifiedName],
) -> Result<String> {
    let publication = model
        .publications
        .iter()
        .find(|p| p.name == name)
        .ok_or_else(|| anyhow!("publication {name} is not in production's catalog"))?;
    let context = PublicationContext {
        name,
        all_tables: publication.all_tables,
        schemas: &publication.schemas,
        publish: &publication.publish,
        via_root: publication.via_root,
        tables: publication
            .tables
            .iter()
            .filter(|t| tables.contains(&t.name))
            .collect(),
    };
    r.render("publication.sql.tera", &context)
}

/// One `ALTER DEFAULT PRIVILEGES ... GRANT` statement: the privileges one owner's new
/// objects of one kind give one grantee.
#[derive(Serialize)]
struct DefaultGrant<'a> {
    owner: &'a str,
    schema: Option<&'a str>,
    objects: &'a str,
    /// `ALL`, or the privileges in catalog order.
    privileges: String,
    grantee: &'a str,
    grantable: bool,
    /// Set on the first statement for every schema of one owner and kind: it takes the
    /// built-in defaults away first.
    reset: bool,
}

/// Every privilege a kind of object has (PostgreSQL 15): a grant of all of them is `ALL`.
fn all_privileges(objects: &str) -> &'static [&'static str] {
    match objects {
        "TABLES" => &[
            "INSERT",
            "SELECT",
            "UPDATE",
            "DELETE",
            "TRUNCATE",
            "REFERENCES",
            "TRIGGER",
        ],
        "SEQUENCES" => &["USAGE", "SELECT", "UPDATE"],
        "FUNCTIONS" => &["EXECUTE"],
        "TYPES" => &["USAGE"],
        "SCHEMAS" => &["USAGE", "CREATE"],
        _ => &[],
    }
}

/// `ALTER DEFAULT PRIVILEGES` statements that give `defaults`.
pub(super) fn default_privileges(r: &Renderer, defaults: &[DefaultPrivilege]) -> Result<String> {
    let mut grouped: IndexMap<_, Vec<&str>> = IndexMap::new();
    for d in defaults {
        let key = (&d.owner, &d.schema, &d.objects, &d.grantee, d.grantable);
        grouped.entry(key).or_default().push(&d.privilege);
    }
    let mut reset = std::collections::BTreeSet::new();
    let grants: Vec<DefaultGrant> = grouped
        .into_iter()
        .map(
            |((owner, schema, objects, grantee, grantable), privileges)| {
                let all = all_privileges(objects);
                let complete = !all.is_empty() && all.iter().all(|p| privileges.contains(p));
                DefaultGrant {
                    owner,
                    schema: schema.as_deref(),
                    objects,
                    privileges: if complete {
                        "ALL".into()
                    } else {
                        privileges.join(", ")
                    },
                    grantee,
                    grantable,
                    reset: schema.is_none() && reset.insert((owner, objects)),
                }
            },
        )
        .collect();
    r.render(
        "default_privileges.sql.tera",
        &serde_json::json!({ "defaults": grants }),
    )
}
