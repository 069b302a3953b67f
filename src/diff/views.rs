//! Views and materialized views: definition, options, the index CLUSTER uses, comments (the
//! view's and its columns'), grants, and the indexes, triggers and rules they carry.

use super::found::{pair, sorted_list, Found, Pair, Subject};
use super::{parts, tables};
use crate::model::{ObjectKind, Schema, View};

pub(super) fn compare(found: &mut Found, production: &Schema, migrations: &Schema) {
    found.pairs(
        production.views.values(),
        migrations.views.values(),
        |v| &v.name,
        subject,
        view,
    );
}

fn subject(v: &View) -> Subject {
    if v.materialized {
        Subject::named(ObjectKind::MaterializedView, "materialized view", &v.name)
    } else {
        Subject::named(ObjectKind::View, "view", &v.name)
    }
}

/// A view both sides have (named as production has it).
fn view(found: &mut Found, s: &Subject, p: &View, m: &View) {
    if p.materialized != m.materialized {
        let word = |v: &View| {
            if v.materialized {
                "materialized view"
            } else {
                "view"
            }
        };
        found.value(s, "", word(p), word(m));
        return;
    }
    found.value(s, "definition", &p.definition, &m.definition);
    found.value(
        s,
        "options",
        sorted_list(&p.options),
        sorted_list(&m.options),
    );
    found.option(
        s,
        "cluster on",
        p.clustered_on.as_ref(),
        m.clustered_on.as_ref(),
    );
    found.comment(s, p.comment.as_deref(), m.comment.as_deref());
    for paired in pair(&p.column_comments, &m.column_comments, |(c, _)| c.as_str()) {
        let (column, pc, mc) = match paired {
            Pair::Production((c, text)) => (c, Some(text.as_str()), None),
            Pair::Migrations((c, text)) => (c, None, Some(text.as_str())),
            Pair::Both((c, pt), (_, mt)) => (c, Some(pt.as_str()), Some(mt.as_str())),
        };
        found.comment(&tables::column_subject(&s.key, column), pc, mc);
    }
    found.grants(s, &p.name.to_string(), None, &p.grants, &m.grants);
    parts::indexes(found, &s.key, &p.indexes, &m.indexes);
    parts::triggers(found, &s.key, &p.triggers, &m.triggers);
    parts::rules(found, &s.key, &p.rules, &m.rules);
}
