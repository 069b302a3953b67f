//! The parts of a table that are items of their own: constraints, indexes, policies,
//! triggers, rules and columns added later. Each runs where the table has its production name.

use super::{table, Renderer};
use crate::model::{
    ConstraintKind, Index, Part, Policy, PolicyCommand, QualifiedName, ReplicaIdentity, Rule,
    Schema, Table, Trigger,
};
use anyhow::{anyhow, bail, Result};
use serde::Serialize;

pub(super) fn part(r: &Renderer, schema: &Schema, t: &Table, part: &Part) -> Result<String> {
    let missing = |kind: &str, name: &str| anyhow!("{} has no {kind} {name} in production", t.name);
    // REPLICA IDENTITY USING INDEX and CLUSTER ON need the index: they come with the part
    // that creates it.
    let identity_index = |name: &str| matches!(schema.replica_identity(&t.name), ReplicaIdentity::Index(i) if i == name);
    let marks = |name: &str| IndexMarks {
        replica_identity: identity_index(name),
        cluster: t.clustered_on.as_deref() == Some(name),
    };
    match part {
        Part::Whole => bail!("a table part must name a part, not the whole table"),
        Part::Column(name) => table::add_column(r, schema, t, name),
        Part::Constraint(name) => {
            let c = t
                .constraints
                .iter()
                .find(|c| &c.name == name)
                .ok_or_else(|| missing("constraint", name))?;
            if c.kind == ConstraintKind::Trigger {
                // A constraint trigger is created as a trigger, which makes its constraint.
                return trigger(r, &t.name, find_trigger(t, name)?);
            }
            let context = ConstraintContext {
                table: &t.name,
                name,
                definition: &c.definition,
                marks: marks(name),
                comment: c.comment.as_deref(),
            };
            r.render("constraint.sql.tera", &context)
        }
        Part::Index(name) => {
            let found = t
                .indexes
                .iter()
                .find(|i| &i.name == name)
                .ok_or_else(|| missing("index", name))?;
            index(r, &t.name, found, marks(name))
        }
        Part::Policy(name) => {
            let p = t
                .policies
                .iter()
                .find(|p| &p.name == name)
                .ok_or_else(|| missing("policy", name))?;
            policy(r, &t.name, p)
        }
        Part::Trigger(name) => trigger(r, &t.name, find_trigger(t, name)?),
        Part::Rule(name) => {
            let found = t
                .rules
                .iter()
                .find(|rule| &rule.name == name)
                .ok_or_else(|| missing("rule", name))?;
            rule(r, &t.name, found)
        }
    }
}

fn find_trigger<'t>(t: &'t Table, name: &str) -> Result<&'t Trigger> {
    t.triggers
        .iter()
        .find(|tr| tr.name == name)
        .ok_or_else(|| anyhow!("{} has no trigger {name} in production", t.name))
}

#[derive(Serialize)]
struct ConstraintContext<'a> {
    table: &'a QualifiedName,
    name: &'a str,
    /// `pg_get_constraintdef`, `NOT VALID`, `DEFERRABLE` and the index's `WITH (...)`
    /// included.
    definition: &'a str,
    #[serde(flatten)]
    marks: IndexMarks,
    comment: Option<&'a str>,
}

/// What a relation says about one of its indexes (or the index of a key constraint),
/// written once the index exists.
#[derive(Serialize, Clone, Copy, Default)]
pub(super) struct IndexMarks {
    /// The table's `REPLICA IDENTITY USING INDEX` names it.
    pub(super) replica_identity: bool,
    /// `ALTER TABLE ... CLUSTER ON` names it.
    pub(super) cluster: bool,
}

#[derive(Serialize)]
struct IndexContext<'a> {
    relation: &'a QualifiedName,
    /// The index's own name, schema-qualified for COMMENT ON INDEX.
    name: QualifiedName,
    /// `pg_get_indexdef` with `IF NOT EXISTS`.
    definition: String,
    #[serde(flatten)]
    marks: IndexMarks,
    comment: Option<&'a str>,
}

/// An index of a table or materialized view; nothing for an index a partition has only
/// because its parent has one (the parent's index makes it).
pub(super) fn index(
    r: &Renderer,
    relation: &QualifiedName,
    index: &Index,
    marks: IndexMarks,
) -> Result<String> {
    if index.inherited {
        return Ok(String::new());
    }
    let context = IndexContext {
        relation,
        name: QualifiedName::new(relation.schema.clone(), index.name.clone()),
        definition: if_not_exists(&index.definition)?,
        marks,
        comment: index.comment.as_deref(),
    };
    r.render("index.sql.tera", &context)
}

/// `CREATE [UNIQUE] INDEX name ...` as `CREATE [UNIQUE] INDEX IF NOT EXISTS name ...`.
pub(super) fn if_not_exists(definition: &str) -> Result<String> {
    for head in ["CREATE INDEX ", "CREATE UNIQUE INDEX "] {
        if let Some(rest) = definition.strip_prefix(head) {
            return Ok(format!("{head}IF NOT EXISTS {rest}"));
        }
    }
    bail!("unexpected index definition (not CREATE [UNIQUE] INDEX): {definition}")
}

#[derive(Serialize)]
struct PolicyContext<'a> {
    table: &'a QualifiedName,
    name: &'a str,
    restrictive: bool,
    command: &'static str,
    roles: &'a [String],
    using: Option<&'a str>,
    with_check: Option<&'a str>,
    comment: Option<&'a str>,
}

fn policy(r: &Renderer, table: &QualifiedName, p: &Policy) -> Result<String> {
    let context = PolicyContext {
        table,
        name: &p.name,
        restrictive: !p.permissive,
        command: match p.command {
            PolicyCommand::All => "ALL",
            PolicyCommand::Select => "SELECT",
            PolicyCommand::Insert => "INSERT",
            PolicyCommand::Update => "UPDATE",
            PolicyCommand::Delete => "DELETE",
        },
        roles: &p.roles,
        using: p.using.as_deref(),
        with_check: p.with_check.as_deref(),
        comment: p.comment.as_deref(),
    };
    r.render("policy.sql.tera", &context)
}

#[derive(Serialize)]
struct TriggerContext<'a> {
    table: &'a QualifiedName,
    name: &'a str,
    /// `CREATE OR REPLACE TRIGGER ...`, or `CREATE CONSTRAINT TRIGGER ...` (which cannot be
    /// replaced, so the template guards it).
    definition: String,
    is_constraint: bool,
    /// `DISABLE`, `ENABLE REPLICA`, `ENABLE ALWAYS`, or none for the default.
    enabled: Option<&'static str>,
    comment: Option<&'a str>,
}

/// A trigger of a table or view, from `pg_get_triggerdef`.
pub(super) fn trigger(r: &Renderer, relation: &QualifiedName, t: &Trigger) -> Result<String> {
    let definition = if t.is_constraint {
        if !t.definition.starts_with("CREATE CONSTRAINT TRIGGER ") {
            bail!("unexpected constraint trigger definition: {}", t.definition);
        }
        t.definition.clone()
    } else {
        or_replace(&t.definition)?
    };
    let enabled = enabled(t.enabled)
        .ok_or_else(|| anyhow!("unknown tgenabled '{}' for trigger {}", t.enabled, t.name))?;
    let context = TriggerContext {
        table: relation,
        name: &t.name,
        definition,
        is_constraint: t.is_constraint,
        enabled,
        comment: t.comment.as_deref(),
    };
    r.render("trigger.sql.tera", &context)
}

/// `ALTER TABLE ... DISABLE/ENABLE` for a trigger's or rule's firing code: `None` inside for
/// the default (fires on origin), `None` outside for a code pgdrift does not know.
fn enabled(code: char) -> Option<Option<&'static str>> {
    Some(match code {
        'O' => None,
        'D' => Some("DISABLE"),
        'R' => Some("ENABLE REPLICA"),
        'A' => Some("ENABLE ALWAYS"),
        _ => return None,
    })
}

#[derive(Serialize)]
struct RuleContext<'a> {
    table: &'a QualifiedName,
    name: &'a str,
    /// `CREATE OR REPLACE RULE ...`.
    definition: String,
    /// `DISABLE`, `ENABLE REPLICA`, `ENABLE ALWAYS`, or none for the default.
    enabled: Option<&'static str>,
    comment: Option<&'a str>,
}

/// A rewrite rule of a table or view, from `pg_get_ruledef`.
pub(super) fn rule(r: &Renderer, relation: &QualifiedName, rule: &Rule) -> Result<String> {
    let definition = rule
        .definition
        .strip_prefix("CREATE RULE ")
        .map(|rest| format!("CREATE OR REPLACE RULE {rest}"))
        .ok_or_else(|| {
            anyhow!(
                "unexpected rule definition (not CREATE RULE): {}",
                rule.definition
            )
        })?;
    let enabled = enabled(rule.enabled).ok_or_else(|| {
        anyhow!(
            "unknown ev_enabled '{}' for rule {}",
            rule.enabled,
            rule.name
        )
    })?;
    let context = RuleContext {
        table: relation,
        name: &rule.name,
        definition,
        enabled,
        comment: rule.comment.as_deref(),
    };
    r.render("rule.sql.tera", &context)
}

/// `CREATE TRIGGER ...` as `CREATE OR REPLACE TRIGGER ...`.
pub(super) fn or_replace(definition: &str) -> Result<String> {
    definition
        .strip_prefix("CREATE TRIGGER ")
        .map(|rest| format!("CREATE OR REPLACE TRIGGER {rest}"))
        .ok_or_else(|| anyhow!("unexpected trigger definition (not CREATE TRIGGER): {definition}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_definitions_get_if_not_exists() {
        assert_eq!(
            if_not_exists("CREATE INDEX a_idx ON public.a USING btree (x)").unwrap(),
            "CREATE INDEX IF NOT EXISTS a_idx ON public.a USING btree (x)"
        );
        assert_eq!(
            if_not_exists("CREATE UNIQUE INDEX \"Odd Name\" ON public.\"T\" USING btree (lower(x)) WHERE (y IS NULL)")
                .unwrap(),
            "CREATE UNIQUE INDEX IF NOT EXISTS \"Odd Name\" ON public.\"T\" USING btree (lower(x)) WHERE (y IS NULL)"
        );
        assert!(if_not_exists("CREATE INDEX IF NOT EXISTS")
            .is_ok_and(|d| d.contains("IF NOT EXISTS IF")));
        assert!(if_not_exists("ALTER INDEX a RENAME TO b").is_err());
    }

    #[test]
    fn triggers_become_create_or_replace() {
        assert_eq!(
            or_replace("CREATE TRIGGER t BEFORE UPDATE ON public.x FOR EACH ROW EXECUTE FUNCTION public.f()")
                .unwrap(),
            "CREATE OR REPLACE TRIGGER t BEFORE UPDATE ON public.x FOR EACH ROW EXECUTE FUNCTION public.f()"
        );
        assert!(or_replace("CREATE CONSTRAINT TRIGGER t AFTER INSERT ON public.x").is_err());
    }

    #[test]
    fn inherited_indexes_render_nothing() {
        let r = Renderer::new(None).unwrap();
        let mut i = Index {
            name: "p_2024_x_idx".into(),
            definition: "CREATE INDEX p_2024_x_idx ON public.p_2024 USING btree (x)".into(),
            inherited: true,
            comment: None,
        };
        let table = QualifiedName::new("public", "p_2024");
        assert_eq!(index(&r, &table, &i, IndexMarks::default()).unwrap(), "");
        i.inherited = false;
        i.comment = Some("it's".into());
        assert_eq!(
            index(&r, &table, &i, IndexMarks::default()).unwrap(),
            "CREATE INDEX IF NOT EXISTS p_2024_x_idx ON public.p_2024 USING btree (x);\n\
             COMMENT ON INDEX public.p_2024_x_idx IS 'it''s';\n"
        );
    }
}
