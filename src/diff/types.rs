//! Types: enums (each value, and their order), domains, composites, ranges; their comments
//! and grants.

use super::found::{pair, quote, Found, Pair, Subject};
use super::State;
use crate::model::{quote_ident, ObjectKind, Schema, TypeBody, TypeDef};

pub(super) fn compare(found: &mut Found, production: &Schema, migrations: &Schema) {
    found.pairs(
        production.types.values(),
        migrations.types.values(),
        |t| &t.name,
        |t| Subject::named(ObjectKind::Type, "type", &t.name),
        type_def,
    );
}

/// A type both sides have.
fn type_def(found: &mut Found, s: &Subject, p: &TypeDef, m: &TypeDef) {
    match (&p.body, &m.body) {
        (TypeBody::Enum { values: pv }, TypeBody::Enum { values: mv }) => {
            enum_values(found, s, pv, mv)
        }
        (TypeBody::Domain { .. }, TypeBody::Domain { .. }) => domain(found, s, &p.body, &m.body),
        (TypeBody::Composite { attributes: pa }, TypeBody::Composite { attributes: ma }) => {
            attributes(found, s, pa, ma)
        }
        (
            TypeBody::Range {
                subtype: ps,
                definition: pd,
            },
            TypeBody::Range {
                subtype: ms,
                definition: md,
            },
        ) => {
            found.value(s, "subtype", ps, ms);
            found.value(s, "definition", pd, md);
        }
        _ => found.value(s, "", body_kind(&p.body), body_kind(&m.body)),
    }
    found.comment(s, p.comment.as_deref(), m.comment.as_deref());
    found.grants(s, &s.object, None, &p.grants, &m.grants);
}

fn body_kind(body: &TypeBody) -> &'static str {
    match body {
        TypeBody::Enum { .. } => "enum",
        TypeBody::Domain { .. } => "domain",
        TypeBody::Composite { .. } => "composite type",
        TypeBody::Range { .. } => "range type",
    }
}

/// Each value on one side only (`enum value public.mood.'happy'`), then the order of the
/// values both have (kind `enum_value`, named after the type).
fn enum_values(found: &mut Found, s: &Subject, p: &[String], m: &[String]) {
    for paired in pair(p, m, |v| v.as_str()) {
        let value =
            |v: &str| Subject::dotted(ObjectKind::EnumValue, "enum value", &s.key, v, &quote(v));
        match paired {
            Pair::Production(v) => found.only(&value(v), State::InProductionOnly),
            Pair::Migrations(v) => found.only(&value(v), State::InMigrationsOnly),
            Pair::Both(..) => {}
        }
    }
    let (p, m) = (p.iter().map(String::as_str), m.iter().map(String::as_str));
    found.order(
        &s.as_kind(ObjectKind::EnumValue),
        "enum value order",
        p,
        m,
        quote,
    );
}

fn domain(found: &mut Found, s: &Subject, p: &TypeBody, m: &TypeBody) {
    let (
        TypeBody::Domain {
            base_type: pb,
            collation: pc,
            default: pd,
            not_null: pn,
            constraints: pk,
        },
        TypeBody::Domain {
            base_type: mb,
            collation: mc,
            default: md,
            not_null: mn,
            constraints: mk,
        },
    ) = (p, m)
    else {
        return;
    };
    found.value(s, "base type", pb, mb);
    found.option(s, "collation", pc.as_ref(), mc.as_ref());
    found.option(s, "default", pd.as_ref(), md.as_ref());
    found.flag(s, "not null", *pn, *mn);
    found.pairs(
        pk,
        mk,
        |(c, _)| c.as_str(),
        |(c, _)| {
            let object = format!("constraint {} on domain {}", quote_ident(c), s.key.name);
            Subject::inside(ObjectKind::Constraint, object, c, &s.key)
        },
        |found, s, (_, pd), (_, md)| found.value(s, "definition", pd, md),
    );
}

/// Attributes of a composite type: presence, type, order.
fn attributes(found: &mut Found, s: &Subject, p: &[(String, String)], m: &[(String, String)]) {
    found.pairs(
        p,
        m,
        |(a, _)| a.as_str(),
        |(a, _)| {
            Subject::dotted(
                ObjectKind::Attribute,
                "attribute",
                &s.key,
                a,
                &quote_ident(a),
            )
        },
        |found, s, (_, pt), (_, mt)| found.value(s, "type", pt, mt),
    );
    let (p, m) = (
        p.iter().map(|(a, _)| a.as_str()),
        m.iter().map(|(a, _)| a.as_str()),
    );
    found.order(
        &s.as_kind(ObjectKind::Attribute),
        "attribute order",
        p,
        m,
        quote_ident,
    );
}
