//! Tables (`table.sql.tera`) with their columns (`column.sql.tera`), the sequences their
//! columns own, row-level security flags, comments and privileges; a column added on its
//! own (`add_column.sql.tera`); and the guard around a table a later migration renames
//! (`renamed.sql.tera`).

use super::objects::{sequence_block, Create, SequenceOptions};
use super::privileges::Privileges;
use super::{rel_options, RelOption, Renderer};
use crate::model::{
    Column, ConstraintKind, IdentityKind, PartitionOf, QualifiedName, ReplicaIdentity, Schema,
    Sequence, Storage, Table, TableKind,
};
use crate::plan::TableItem;
use anyhow::{anyhow, Result};
use serde::Serialize;

#[derive(Serialize)]
struct IdentityContext<'a> {
    always: bool,
    sequence: SequenceOptions<'a>,
}

#[derive(Serialize)]
struct ColumnContext<'a> {
    name: &'a str,
    type_sql: &'a str,
    collation: Option<&'a QualifiedName>,
    default: Option<&'a str>,
    generated: Option<&'a str>,
    identity: Option<IdentityContext<'a>>,
    not_null: bool,
}

fn column_definition(r: &Renderer, c: &Column, name: &str) -> Result<String> {
    let context = ColumnContext {
        name,
        type_sql: &c.type_sql,
        collation: c.collation.as_ref(),
        default: c.default.as_deref(),
        generated: c.generated.as_deref(),
        identity: c.identity.as_ref().map(|i| IdentityContext {
            always: i.kind == IdentityKind::Always,
            sequence: SequenceOptions::new(&i.sequence),
        }),
        not_null: c.not_null,
    };
    r.fragment("column.sql.tera", &context)
}

#[derive(Serialize)]
struct ColumnSettings<'a> {
    table: &'a QualifiedName,
    column: &'a str,
    storage: Option<&'static str>,
    compression: Option<&'static str>,
    statistics: Option<i32>,
    options: Vec<RelOption>,
}

/// The `ALTER COLUMN ... SET` statements of a column of `table` (named `name` there), empty
/// when it has nothing set. Creating a table from a parent (`PARTITION OF`, `INHERITS`)
/// copies the storage and compression of the parent's column, so a column whose parent's
/// differ from its own is set back to its type's storage or the default compression.
fn column_settings(
    r: &Renderer,
    table: &QualifiedName,
    parent: Option<&Column>,
    c: &Column,
    name: &str,
) -> Result<String> {
    let parent_storage = parent.and_then(|p| p.storage);
    let storage = match c.storage {
        Some(s) => Some(s),
        None => parent_storage.map(|_| c.type_storage),
    };
    let compression = match c.compression {
        Some(method) => Some(method.as_sql()),
        None => parent.and_then(|p| p.compression).map(|_| "default"),
    };
    let context = ColumnSettings {
        table,
        column: name,
        storage: storage.map(Storage::as_sql),
        compression,
        statistics: c.statistics,
        options: rel_options(&c.options)?,
    };
    r.fragment("column_settings.sql.tera", &context)
}

/// The column of the same name that a table's partition parent or inheritance parents
/// give it, if any.
fn parent_column<'s>(schema: &'s Schema, t: &Table, column: &str) -> Option<&'s Column> {
    let parents = t.partition_of.iter().map(|p| &p.parent).chain(&t.inherits);
    parents
        .filter_map(|p| schema.tables.get(p))
        .find_map(|p| p.columns.iter().find(|pc| pc.name == column))
}

/// `ALTER SEQUENCE sequence OWNED BY table.column`.
#[derive(Serialize)]
struct Owned<'a> {
    sequence: &'a QualifiedName,
    column: &'a str,
}

#[derive(Serialize)]
struct ColumnComment<'a> {
    column: &'a str,
    comment: &'a str,
}

/// What every column of a table brings besides its definition: owned sequences before
/// the table, `OWNED BY` after it, comments, identity sequences' comments and grants.
#[derive(Default)]
struct ColumnExtras<'a> {
    sequences: Vec<String>,
    owned: Vec<Owned<'a>>,
    comments: Vec<ColumnComment<'a>>,
    identity_sequences: Vec<String>,
}

fn column_extras<'a>(
    r: &Renderer,
    schema: &'a Schema,
    t: &'a Table,
    columns: &[(&'a Column, &'a str)],
) -> Result<ColumnExtras<'a>> {
    let mut extras = ColumnExtras::default();
    for &(c, name) in columns {
        for s in owned_sequences(schema, &t.name, &c.name) {
            let create = if t.unlogged {
                Create::Unlogged
            } else {
                Create::Logged
            };
            extras.sequences.push(sequence_block(r, s, create)?);
            extras.owned.push(Owned {
                sequence: &s.name,
                column: name,
            });
        }
        if let Some(comment) = &c.comment {
            extras.comments.push(ColumnComment {
                column: name,
                comment,
            });
        }
        if let Some(identity) = &c.identity {
            extras
                .identity_sequences
                .push(sequence_block(r, &identity.sequence, Create::No)?);
        }
    }
    Ok(extras)
}

/// Sequences a serial column (or `OWNED BY`) ties to `table.column`; identity sequences
/// come with their column instead.
fn owned_sequences<'s>(
    schema: &'s Schema,
    table: &'s QualifiedName,
    column: &'s str,
) -> impl Iterator<Item = &'s Sequence> {
    schema.sequences.values().filter(move |s| {
        !s.is_identity
            && s.owned_by
                .as_ref()
                .is_some_and(|(t, c)| t == table && c == column)
    })
}

#[derive(Serialize)]
struct TableContext<'a> {
    /// The name the table is created under.
    name: &'a QualifiedName,
    unlogged: bool,
    partition_of: Option<&'a PartitionOf>,
    /// A partition created on its own (see `Schema::made_on_its_own`), attached once it
    /// exists.
    attach: Option<&'a PartitionOf>,
    /// The parents of an inheritance child created on its own, inherited once it exists.
    inherit_later: &'a [QualifiedName],
    /// Rendered column definitions: the table's own, none for a partition.
    columns: Vec<String>,
    inherited_columns: Vec<InheritedColumn<'a>>,
    /// Rendered `ALTER COLUMN ... SET` statements (column_settings.sql.tera).
    column_settings: Vec<String>,
    /// A partitioned table takes NOT NULL for its partitions too (no `ONLY`).
    partitioned: bool,
    inherits: &'a [QualifiedName],
    partition_key: Option<&'a str>,
    options: Vec<RelOption>,
    sequences: Vec<String>,
    owned: Vec<Owned<'a>>,
    rls_enabled: bool,
    rls_forced: bool,
    /// `FULL` or `NOTHING`; none for the default, and for `USING INDEX`, which comes with
    /// the part that creates the index.
    replica_identity: Option<&'static str>,
    comment: Option<&'a str>,
    column_comments: Vec<ColumnComment<'a>>,
    identity_sequences: Vec<String>,
    privileges: String,
    /// The guards of the sequences and privileges, placed last (see `guard::hoist`).
    guards: String,
    /// Constraints written inside `CREATE TABLE`.
    constraints: Vec<InlineConstraint<'a>>,
}

/// A constraint inside `CREATE TABLE`, with what follows it once the table exists.
#[derive(Serialize)]
struct InlineConstraint<'a> {
    name: &'a str,
    definition: &'a str,
    /// The table's `REPLICA IDENTITY USING INDEX` names this constraint's index.
    replica_identity: bool,
    /// `ALTER TABLE ... CLUSTER ON` names this constraint's index.
    cluster: bool,
    comment: Option<&'a str>,
}

fn inline_constraints<'a>(
    schema: &Schema,
    t: &'a Table,
    item: &TableItem,
) -> Result<Vec<InlineConstraint<'a>>> {
    let identity = schema.replica_identity(&t.name);
    item.constraints
        .iter()
        .map(|name| {
            let c = t
                .constraints
                .iter()
                .find(|c| &c.name == name)
                .ok_or_else(|| anyhow!("{} has no constraint {name} in production", t.name))?;
            Ok(InlineConstraint {
                name: &c.name,
                definition: &c.definition,
                replica_identity: matches!(&identity, ReplicaIdentity::Index(i) if *i == c.name),
                cluster: t.clustered_on.as_ref() == Some(&c.name),
                comment: c.comment.as_deref(),
            })
        })
        .collect()
}

/// A column the table has from its parent (partition or inheritance) but with its own
/// NOT NULL or default, as pg_dump shows it.
#[derive(Serialize)]
struct InheritedColumn<'a> {
    name: &'a str,
    set_not_null: bool,
    set_default: Option<&'a str>,
    drop_default: bool,
}

/// The definitions of the columns the table declares itself (none for a partition, every
/// one for a partition created on its own: `own_columns`), and how the columns it has from
/// a parent differ from the parent's.
fn columns<'a>(
    r: &Renderer,
    schema: &'a Schema,
    t: &'a Table,
    present: &[(&'a Column, &'a str)],
    own_columns: bool,
) -> Result<(Vec<String>, Vec<InheritedColumn<'a>>)> {
    let mut definitions = Vec::new();
    let mut inherited = Vec::new();
    for &(c, name) in present {
        if own_columns || (c.is_local && t.partition_of.is_none()) {
            definitions.push(column_definition(r, c, name)?);
            // A column declared again under INHERITS takes the parent's default when it
            // has none of its own.
            let inherited_default = parent_column(schema, t, &c.name)
                .is_some_and(|p| p.default.is_some() && c.default.is_none());
            if inherited_default && !own_columns {
                inherited.push(InheritedColumn {
                    name,
                    set_not_null: false,
                    set_default: None,
                    drop_default: true,
                });
            }
            continue;
        }
        let Some(parent) = parent_column(schema, t, &c.name) else {
            continue;
        };
        let column = InheritedColumn {
            name,
            set_not_null: c.not_null && !parent.not_null,
            set_default: c
                .default
                .as_deref()
                .filter(|d| parent.default.as_deref() != Some(d)),
            drop_default: c.default.is_none() && parent.default.is_some(),
        };
        if column.set_not_null || column.set_default.is_some() || column.drop_default {
            inherited.push(column);
        }
    }
    Ok((definitions, inherited))
}

/// The checks a partition has from its parent, written inside the partition created on its
/// own (see `Schema::made_on_its_own`): ATTACH PARTITION wants them there.
fn parent_checks(t: &Table) -> impl Iterator<Item = InlineConstraint<'_>> {
    t.constraints
        .iter()
        .filter(|c| !c.is_local && c.kind == ConstraintKind::Check)
        .map(|c| InlineConstraint {
            name: &c.name,
            definition: &c.definition,
            replica_identity: false,
            cluster: false,
            comment: None,
        })
}

pub(super) fn table(r: &Renderer, schema: &Schema, item: &TableItem) -> Result<String> {
    let t = super::table(schema, &item.name)?;
    let on_its_own = schema.made_on_its_own(t);
    let attach = t.partition_of.as_ref().filter(|_| on_its_own);
    let inherit_later: &[QualifiedName] = if on_its_own { &t.inherits } else { &[] };
    // The columns the table has where the item runs, with the names they have there.
    let present: Vec<(&Column, &str)> = t
        .columns
        .iter()
        .filter(|c| !item.omit_columns.contains(&c.name))
        .map(|c| {
            let name = item.column_names.get(&c.name).unwrap_or(&c.name);
            (c, name.as_str())
        })
        .collect();
    let (columns, inherited_columns) = columns(r, schema, t, &present, on_its_own)?;
    let mut settings = Vec::new();
    for &(c, name) in &present {
        let parent = parent_column(schema, t, &c.name);
        let text = column_settings(r, &item.as_name, parent, c, name)?;
        if !text.is_empty() {
            settings.push(text);
        }
    }
    let extras = column_extras(r, schema, t, &present)?;
    let column_grants = present
        .iter()
        .map(|(c, name)| (name.to_string(), &c.grants[..]));
    let privileges = Privileges::new("TABLE", item.as_name.to_sql(), &t.grants, column_grants);
    let mut extras = extras;
    let mut privileges = r.fragment("grants.sql.tera", &privileges)?;
    let guards = super::guard::hoist(
        extras
            .sequences
            .iter_mut()
            .chain(extras.identity_sequences.iter_mut())
            .chain(std::iter::once(&mut privileges)),
    );
    let context = TableContext {
        name: &item.as_name,
        unlogged: t.unlogged,
        partition_of: t.partition_of.as_ref().filter(|_| attach.is_none()),
        attach,
        inherit_later,
        columns,
        inherited_columns,
        column_settings: settings,
        partitioned: t.kind == TableKind::Partitioned,
        inherits: if on_its_own { &[] } else { &t.inherits },
        partition_key: t.partition_key.as_deref(),
        options: rel_options(&t.options)?,
        sequences: extras.sequences,
        owned: extras.owned,
        rls_enabled: t.rls_enabled,
        rls_forced: t.rls_forced,
        replica_identity: match schema.replica_identity(&t.name) {
            ReplicaIdentity::Full => Some("FULL"),
            ReplicaIdentity::Nothing => Some("NOTHING"),
            ReplicaIdentity::Default | ReplicaIdentity::Index(_) => None,
        },
        comment: t.comment.as_deref(),
        column_comments: extras.comments,
        identity_sequences: extras.identity_sequences,
        privileges,
        guards,
        constraints: {
            let mut constraints = inline_constraints(schema, t, item)?;
            if attach.is_some() {
                constraints.extend(parent_checks(t));
            }
            constraints
        },
    };
    let body = r.render("table.sql.tera", &context)?;
    match item.renamed_later() {
        None => Ok(body),
        Some(production) => r.render(
            "renamed.sql.tera",
            &Renamed {
                name: production,
                body: super::guard::inline(&body).trim_end(),
            },
        ),
    }
}

#[derive(Serialize)]
struct Renamed<'a> {
    /// The production name: where it exists, the item does nothing.
    name: &'a QualifiedName,
    body: &'a str,
}

#[derive(Serialize)]
struct AddColumnContext<'a> {
    table: &'a QualifiedName,
    name: &'a str,
    /// The rendered column definition.
    column: String,
    sequences: Vec<String>,
    owned: Vec<Owned<'a>>,
    comment: Option<&'a str>,
    identity_sequences: Vec<String>,
    /// Rendered `ALTER COLUMN ... SET` statements.
    settings: String,
    /// Rendered column grants (no REVOKE: the table's own privileges stay).
    grants: String,
    /// The guards of the sequences, placed last (see `guard::hoist`).
    guards: String,
}

/// `ALTER TABLE ... ADD COLUMN IF NOT EXISTS` with the column's sequences, comment and grants.
pub(super) fn add_column(r: &Renderer, schema: &Schema, t: &Table, name: &str) -> Result<String> {
    let c = t
        .columns
        .iter()
        .find(|c| c.name == name)
        .ok_or_else(|| anyhow!("{} has no column {name} in production", t.name))?;
    let extras = column_extras(r, schema, t, &[(c, &c.name)])?;
    let grants = Privileges::new(
        "TABLE",
        t.name.to_sql(),
        &[],
        [(c.name.clone(), &c.grants[..])],
    )
    .without_revoke();
    let mut extras = extras;
    let guards = super::guard::hoist(
        extras
            .sequences
            .iter_mut()
            .chain(extras.identity_sequences.iter_mut()),
    );
    let context = AddColumnContext {
        table: &t.name,
        name: &c.name,
        column: column_definition(r, c, &c.name)?,
        settings: column_settings(r, &t.name, parent_column(schema, t, &c.name), c, &c.name)?,
        sequences: extras.sequences,
        owned: extras.owned,
        comment: c.comment.as_deref(),
        identity_sequences: extras.identity_sequences,
        grants: r.fragment("grants.sql.tera", &grants)?,
        guards,
    };
    r.render("add_column.sql.tera", &context)
}
