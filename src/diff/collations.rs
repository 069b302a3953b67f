//! Collations made by `CREATE COLLATION`: their options and comments.

use super::found::{Found, Subject};
use crate::model::{ObjectKind, Schema};

pub(super) fn compare(found: &mut Found, production: &Schema, migrations: &Schema) {
    found.pairs(
        production.collations.values(),
        migrations.collations.values(),
        |c| &c.name,
        |c| Subject::named(ObjectKind::Collation, "collation", &c.name),
        |found, s, p, m| {
            found.value(s, "options", &p.definition, &m.definition);
            found.comment(s, p.comment.as_deref(), m.comment.as_deref());
        },
    );
}
