//! Tables (partitions included): the table itself (the index CLUSTER uses among its
//! properties), its columns and their order, RLS, and through `parts` its constraints,
//! indexes, policies, triggers and rules.

use super::found::{list, sorted_list, Found, Subject};
use super::{parts, sequences};
use crate::model::{
    quote_ident, Column, IdentityKind, ObjectKey, ObjectKind, QualifiedName, Schema, Table,
};

pub(super) fn compare(found: &mut Found, production: &Schema, migrations: &Schema) {
    found.pairs(
        production.tables.values(),
        migrations.tables.values(),
        |t| &t.name,
        |t| Subject::named(ObjectKind::Table, "table", &t.name),
        table,
    );
}

/// A table both sides have: its own properties, then its parts.
fn table(found: &mut Found, s: &Subject, p: &Table, m: &Table) {
    found.flag(s, "unlogged", p.unlogged, m.unlogged);
    found.option(
        s,
        "partition key",
        p.partition_key.as_ref(),
        m.partition_key.as_ref(),
    );
    let parent = |t: &Table| t.partition_of.as_ref().map(|o| o.parent.to_string());
    found.option(s, "partition of", parent(p), parent(m));
    if let (Some(po), Some(mo)) = (&p.partition_of, &m.partition_of) {
        found.value(s, "partition bound", &po.bound, &mo.bound);
    }
    found.value(s, "inherits", list(&p.inherits), list(&m.inherits));
    found.value(
        s,
        "storage options",
        sorted_list(&p.options),
        sorted_list(&m.options),
    );
    found.option(
        s,
        "cluster on",
        p.clustered_on.as_ref(),
        m.clustered_on.as_ref(),
    );
    rls(found, s, p, m);
    columns(found, &s.key, p, m);
    column_order(found, s, p, m);
    parts::constraints(found, &s.key, &p.constraints, &m.constraints);
    parts::indexes(found, &s.key, &p.indexes, &m.indexes);
    parts::policies(found, &s.key, &p.policies, &m.policies);
    parts::triggers(found, &s.key, &p.triggers, &m.triggers);
    parts::rules(found, &s.key, &p.rules, &m.rules);
    found.comment(s, p.comment.as_deref(), m.comment.as_deref());
    found.grants(s, &p.name.to_string(), None, &p.grants, &m.grants);
}

/// `ENABLE` / `FORCE ROW LEVEL SECURITY`.
fn rls(found: &mut Found, table: &Subject, p: &Table, m: &Table) {
    let s = Subject {
        object: format!("row level security on {}", p.name),
        ..table.as_kind(ObjectKind::Rls)
    };
    found.flag(&s, "enabled", p.rls_enabled, m.rls_enabled);
    found.flag(&s, "forced", p.rls_forced, m.rls_forced);
}

fn columns(found: &mut Found, table: &ObjectKey, p: &Table, m: &Table) {
    found.pairs(
        &p.columns,
        &m.columns,
        |c| c.name.as_str(),
        |c| column_subject(table, &c.name),
        |found, s, pc, mc| column(found, s, &table.name, pc, mc),
    );
}

/// `column public.t.a`, of a table or a view.
pub(super) fn column_subject(table: &ObjectKey, column: &str) -> Subject {
    Subject::dotted(
        ObjectKind::Column,
        "column",
        table,
        column,
        &quote_ident(column),
    )
}

/// A column both sides have.
fn column(found: &mut Found, s: &Subject, table: &QualifiedName, p: &Column, m: &Column) {
    found.value(s, "type", &p.type_sql, &m.type_sql);
    found.option(s, "collation", p.collation.as_ref(), m.collation.as_ref());
    found.option(s, "default", p.default.as_ref(), m.default.as_ref());
    found.flag(s, "not null", p.not_null, m.not_null);
    let identity = |c: &Column| c.identity.as_ref().map(|i| identity_kind(i.kind));
    found.option(s, "identity", identity(p), identity(m));
    if let (Some(pi), Some(mi)) = (&p.identity, &m.identity) {
        sequences::options(found, s, "identity ", &pi.sequence, &mi.sequence);
    }
    found.option(s, "generated", p.generated.as_ref(), m.generated.as_ref());
    found.option(s, "storage", p.storage, m.storage);
    found.option(s, "compression", p.compression, m.compression);
    found.option(s, "statistics", p.statistics, m.statistics);
    found.value(
        s,
        "options",
        sorted_list(&p.options),
        sorted_list(&m.options),
    );
    found.comment(s, p.comment.as_deref(), m.comment.as_deref());
    let on = table.to_string();
    found.grants(s, &on, Some(&p.name), &p.grants, &m.grants);
}

fn identity_kind(kind: IdentityKind) -> &'static str {
    match kind {
        IdentityKind::Always => "always",
        IdentityKind::ByDefault => "by default",
    }
}

/// The columns both sides have, in a different order. Kind `column`, named after the table.
fn column_order(found: &mut Found, s: &Subject, p: &Table, m: &Table) {
    let (p, m) = (p.columns.iter(), m.columns.iter());
    let (p, m) = (p.map(|c| c.name.as_str()), m.map(|c| c.name.as_str()));
    found.order(
        &s.as_kind(ObjectKind::Column),
        "column order",
        p,
        m,
        quote_ident,
    );
}
