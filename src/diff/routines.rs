//! Functions and procedures, keyed by name and argument types: definition, comment,
//! grants.

use super::found::{Found, Subject};
use crate::model::{ObjectKey, Schema};

pub(super) fn compare(found: &mut Found, production: &Schema, migrations: &Schema) {
    found.pairs(
        production.functions.iter(),
        migrations.functions.iter(),
        |(key, _)| key,
        |(key, _)| subject(key),
        |found, s, (_, p), (_, m)| {
            found.value(s, "definition", &p.definition, &m.definition);
            found.comment(s, p.comment.as_deref(), m.comment.as_deref());
            found.grants(s, &s.object, None, &p.grants, &m.grants);
        },
    );
}

/// `function public.f(uuid)`, `procedure public.p()`.
fn subject(key: &ObjectKey) -> Subject {
    Subject::object(key.clone(), key.to_string())
}
