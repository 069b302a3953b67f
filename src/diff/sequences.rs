//! Sequences. A sequence owned by a column (serial, `OWNED BY`, identity) comes and goes
//! with its column, so only standalone ones are reported as missing or extra; identity
//! sequences have their options compared through their column.

use super::found::{pair, Found, Pair, Subject};
use super::State;
use crate::model::{quote_ident, ObjectKind, Schema, Sequence};

pub(super) fn compare(found: &mut Found, production: &Schema, migrations: &Schema) {
    let subject = |s: &Sequence| Subject::named(ObjectKind::Sequence, "sequence", &s.name);
    let paired = pair(
        production.sequences.values(),
        migrations.sequences.values(),
        |s| &s.name,
    );
    for paired in paired {
        match paired {
            Pair::Production(s) if s.owned_by.is_none() => {
                found.only(&subject(s), State::InProductionOnly)
            }
            Pair::Migrations(s) if s.owned_by.is_none() => {
                found.only(&subject(s), State::InMigrationsOnly)
            }
            Pair::Both(p, m) => sequence(found, &subject(p), p, m),
            _ => {}
        }
    }
}

/// A sequence both sides have.
fn sequence(found: &mut Found, s: &Subject, p: &Sequence, m: &Sequence) {
    if !(p.is_identity && m.is_identity) {
        options(found, s, "", p, m);
        let owner = |q: &Sequence| {
            q.owned_by
                .as_ref()
                .map(|(table, column)| format!("{table}.{}", quote_ident(column)))
        };
        found.option(s, "owned by", owner(p), owner(m));
    }
    found.comment(s, p.comment.as_deref(), m.comment.as_deref());
    let on = format!("sequence {}", p.name);
    found.grants(s, &on, None, &p.grants, &m.grants);
}

/// The options of two sequences, each label after `prefix` (`identity start`).
pub(super) fn options(found: &mut Found, s: &Subject, prefix: &str, p: &Sequence, m: &Sequence) {
    let label = |name: &str| format!("{prefix}{name}");
    found.value(s, &label("type"), &p.data_type, &m.data_type);
    found.value(s, &label("start"), p.start, m.start);
    found.value(s, &label("increment"), p.increment, m.increment);
    found.value(s, &label("min value"), p.min_value, m.min_value);
    found.value(s, &label("max value"), p.max_value, m.max_value);
    found.value(s, &label("cache"), p.cache, m.cache);
    found.flag(s, &label("cycle"), p.cycle, m.cycle);
}
