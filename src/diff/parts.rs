//! The named parts of a table or view, each paired by name: constraints, indexes,
//! policies, triggers, rules.

use super::found::{sorted_list, Found, Subject};
use crate::model::{
    Constraint, Index, ObjectKey, ObjectKind, Policy, PolicyCommand, QualifiedName, Rule, Trigger,
};

/// Constraints: presence, definition, validated, deferrable, comment.
pub(super) fn constraints(found: &mut Found, of: &ObjectKey, p: &[Constraint], m: &[Constraint]) {
    found.pairs(
        p,
        m,
        |c| c.name.as_str(),
        |c| Subject::part(ObjectKind::Constraint, "constraint", &c.name, of),
        |found, s, p, m| {
            found.value(s, "definition", body(&p.definition), body(&m.definition));
            found.flag(s, "validated", p.validated, m.validated);
            found.flag(s, "deferrable", p.deferrable, m.deferrable);
            found.flag(
                s,
                "initially deferred",
                p.initially_deferred,
                m.initially_deferred,
            );
            found.comment(s, p.comment.as_deref(), m.comment.as_deref());
        },
    );
}

/// A constraint definition without the clauses `pg_get_constraintdef` appends for the
/// flags compared on their own (`DEFERRABLE`, `INITIALLY DEFERRED`, `NOT VALID`), so a
/// constraint left unvalidated reads as that, not as a different definition.
fn body(definition: &str) -> &str {
    const FLAGS: [&str; 3] = [" NOT VALID", " INITIALLY DEFERRED", " DEFERRABLE"];
    let mut rest = definition.trim_end();
    while let Some(shorter) = FLAGS.iter().find_map(|flag| rest.strip_suffix(flag)) {
        rest = shorter;
    }
    rest
}

/// Indexes, named in the schema of their table: presence, definition, comment.
pub(super) fn indexes(found: &mut Found, of: &ObjectKey, p: &[Index], m: &[Index]) {
    found.pairs(
        p,
        m,
        |i| i.name.as_str(),
        |i| {
            let name = QualifiedName::new(&of.name.schema, &i.name);
            Subject::inside(ObjectKind::Index, format!("index {name}"), &i.name, of)
        },
        |found, s, p, m| {
            found.value(s, "definition", &p.definition, &m.definition);
            found.comment(s, p.comment.as_deref(), m.comment.as_deref());
        },
    );
}

/// Policies: presence, command, permissive, roles, USING, WITH CHECK, comment.
pub(super) fn policies(found: &mut Found, of: &ObjectKey, p: &[Policy], m: &[Policy]) {
    found.pairs(
        p,
        m,
        |x| x.name.as_str(),
        |x| Subject::part(ObjectKind::Policy, "policy", &x.name, of),
        |found, s, p, m| {
            found.value(s, "command", command(p.command), command(m.command));
            found.value(s, "", permissive(p.permissive), permissive(m.permissive));
            found.value(s, "roles", sorted_list(&p.roles), sorted_list(&m.roles));
            found.option(s, "using", p.using.as_ref(), m.using.as_ref());
            found.option(
                s,
                "with check",
                p.with_check.as_ref(),
                m.with_check.as_ref(),
            );
            found.comment(s, p.comment.as_deref(), m.comment.as_deref());
        },
    );
}

fn command(command: PolicyCommand) -> &'static str {
    match command {
        PolicyCommand::All => "ALL",
        PolicyCommand::Select => "SELECT",
        PolicyCommand::Insert => "INSERT",
        PolicyCommand::Update => "UPDATE",
        PolicyCommand::Delete => "DELETE",
    }
}

fn permissive(permissive: bool) -> &'static str {
    if permissive {
        "permissive"
    } else {
        "restrictive"
    }
}

/// Triggers: presence, definition, whether and when they fire, comment.
pub(super) fn triggers(found: &mut Found, of: &ObjectKey, p: &[Trigger], m: &[Trigger]) {
    found.pairs(
        p,
        m,
        |t| t.name.as_str(),
        |t| Subject::part(ObjectKind::Trigger, "trigger", &t.name, of),
        |found, s, p, m| {
            found.value(s, "definition", &p.definition, &m.definition);
            found.value(s, "", enabled(p.enabled), enabled(m.enabled));
            found.comment(s, p.comment.as_deref(), m.comment.as_deref());
        },
    );
}

/// Rules: presence, definition, whether and when they fire, comment.
pub(super) fn rules(found: &mut Found, of: &ObjectKey, p: &[Rule], m: &[Rule]) {
    found.pairs(
        p,
        m,
        |r| r.name.as_str(),
        |r| Subject::part(ObjectKind::Rule, "rule", &r.name, of),
        |found, s, p, m| {
            found.value(s, "definition", &p.definition, &m.definition);
            found.value(s, "", enabled(p.enabled), enabled(m.enabled));
            found.comment(s, p.comment.as_deref(), m.comment.as_deref());
        },
    );
}

/// `pg_trigger.tgenabled` and `pg_rewrite.ev_enabled` as `ALTER TABLE ... ENABLE/DISABLE`
/// says it.
fn enabled(code: char) -> String {
    match code {
        'O' => "enabled".to_string(),
        'D' => "disabled".to_string(),
        'R' => "enabled for replica".to_string(),
        'A' => "enabled always".to_string(),
        other => format!("enabled code {other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::body;

    #[test]
    fn constraint_bodies_drop_the_flag_clauses() {
        assert_eq!(
            body("FOREIGN KEY (a) REFERENCES t(id) DEFERRABLE INITIALLY DEFERRED NOT VALID"),
            "FOREIGN KEY (a) REFERENCES t(id)"
        );
        assert_eq!(body("CHECK ((a > 0)) NOT VALID"), "CHECK ((a > 0))");
        assert_eq!(body("UNIQUE (a)"), "UNIQUE (a)");
    }
}
