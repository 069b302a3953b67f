//! Production's managed schemas against the schemas the migrations build when replayed
//! (`pgdrift verify`): every difference, object by object, as one line a person can act on.
//!
//! Owners, row estimates and sizes are left out: they differ between a scratch database
//! and production whatever the migrations say.

mod collations;
mod found;
mod operators;
mod parts;
mod routines;
mod sequences;
mod tables;
mod types;
mod views;

#[cfg(test)]
mod tests;

use crate::model::{quote_ident, ObjectKey, ObjectKind, Part, QualifiedName, Schema};
use found::{Found, Subject};
use serde::Serialize;
use std::fmt;

/// One difference between production and the replay of the migrations.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Difference {
    /// The object, e.g. `column public.crm_deals.lost_reason`, `table public.t`,
    /// `policy "Members read" on public.t`, `function public.f(uuid)`,
    /// `enum value public.mood.'happy'`, `index public.t_idx`, `grant SELECT on public.t to anon`.
    pub object: String,
    /// What kind of object: `table`, `column`, `constraint`, `index`, `rls`, `policy`,
    /// `trigger`, `rule`, `view`, `materialized_view`, `function`, `procedure`, `type`,
    /// `collation`, `enum_value`, `attribute`, `sequence`, `operator`, `event_trigger`,
    /// `extension`, `comment`, `grant`.
    pub kind: ObjectKind,
    pub state: State,
    /// For `Differs`: what differs, with production's value and the replay's
    /// (`type numeric(12,2) in production, numeric in migrations`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The object the difference is in, for code that acts on it: the object itself (a
    /// table, view, routine, type, collation, sequence, extension), or the one a part belongs to (the
    /// table of a column, the type of an enum value, the domain of its constraint), as the
    /// side that has it names it.
    #[serde(skip)]
    pub key: ObjectKey,
    /// The part of `key` it is about: a column, constraint, index, policy, trigger or rule, also
    /// for the comment or the grants on one; `Whole` for anything else.
    #[serde(skip)]
    pub part: Part,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Production has it; replaying the migrations does not create it.
    InProductionOnly,
    /// The migrations create it; production does not have it.
    InMigrationsOnly,
    /// Both have it, but not alike.
    Differs,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.state, &self.detail) {
            (State::InProductionOnly, _) => {
                write!(f, "{}: in production, not in migrations", self.object)
            }
            (State::InMigrationsOnly, _) => {
                write!(f, "{}: in migrations, not in production", self.object)
            }
            (State::Differs, Some(detail)) => write!(f, "{}: differs: {detail}", self.object),
            (State::Differs, None) => write!(f, "{}: differs", self.object),
        }
    }
}

/// Every difference between production and the replay, ordered by kind (extensions,
/// collations, types, sequences, tables and their parts, views, routines, operators, event
/// triggers, comments, grants), then by name. An object on one side only is one difference,
/// not one per part.
pub fn compare(production: &Schema, migrations: &Schema) -> Vec<Difference> {
    let mut found = Found::default();
    extensions(&mut found, production, migrations);
    collations::compare(&mut found, production, migrations);
    types::compare(&mut found, production, migrations);
    sequences::compare(&mut found, production, migrations);
    tables::compare(&mut found, production, migrations);
    views::compare(&mut found, production, migrations);
    routines::compare(&mut found, production, migrations);
    operators::compare(&mut found, production, migrations);
    operators::compare_event_triggers(&mut found, production, migrations);
    found.into_sorted()
}

/// Extensions by name: presence, schema, version and the privileges changed on their
/// routines.
fn extensions(found: &mut Found, production: &Schema, migrations: &Schema) {
    found.pairs(
        &production.extensions,
        &migrations.extensions,
        |e| e.name.as_str(),
        |e| Subject {
            sort: vec![e.name.clone()],
            ..Subject::object(
                ObjectKey::relation(
                    ObjectKind::Extension,
                    QualifiedName::new(&e.schema, &e.name),
                ),
                format!("extension {}", quote_ident(&e.name)),
            )
        },
        |found, s, p, m| {
            found.value(s, "schema", &p.schema, &m.schema);
            found.value(s, "version", &p.version, &m.version);
            let privileges = |e: &crate::model::Extension| {
                e.member_grants
                    .iter()
                    .map(|g| {
                        let grants: Vec<String> = g
                            .grants
                            .iter()
                            .map(|x| format!("{} to {}", x.privilege, x.grantee))
                            .collect();
                        format!("{} {}: {}", g.kind, g.target, grants.join(", "))
                    })
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            found.value(
                s,
                "privileges of its routines",
                privileges(p),
                privileges(m),
            );
        },
    );
}
