//! Operators, keyed by schema, symbols and operand types, and event triggers, keyed by
//! name: definition, when an event trigger fires, comment.

use super::found::{list, Found, Subject};
use crate::model::Schema;

pub(super) fn compare(found: &mut Found, production: &Schema, migrations: &Schema) {
    found.pairs(
        production.operators.iter(),
        migrations.operators.iter(),
        |(key, _)| key,
        |(key, _)| Subject::object(key.clone(), key.to_string()),
        |found, s, (_, p), (_, m)| {
            found.value(s, "definition", &p.definition, &m.definition);
            found.comment(s, p.comment.as_deref(), m.comment.as_deref());
        },
    );
}

/// Event triggers by name: each side reads those whose function is in a managed schema.
pub(super) fn compare_event_triggers(found: &mut Found, production: &Schema, migrations: &Schema) {
    found.pairs(
        production.event_triggers.values(),
        migrations.event_triggers.values(),
        |t| t.name.as_str(),
        |t| Subject::object(t.key(), t.key().to_string()),
        |found, s, p, m| {
            found.value(s, "event", &p.event, &m.event);
            found.value(s, "tags", list(&p.tags), list(&m.tags));
            found.value(s, "function", &p.function, &m.function);
            found.value(s, "enabled", p.enabled, m.enabled);
            found.comment(s, p.comment.as_deref(), m.comment.as_deref());
        },
    );
}
