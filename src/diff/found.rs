//! The differences found so far, the subjects they are about, and the few ways two values
//! are compared: one field with a label, a flag, a comment, a set of grants.

use super::{Difference, State};
use crate::model::{quote_ident, Grant, ObjectKey, ObjectKind, Part, QualifiedName};
use indexmap::{IndexMap, IndexSet};
use std::fmt::Display;
use std::hash::Hash;

/// Where differences of each kind are printed: extensions, collations, types and their
/// values and attributes, sequences, tables and their parts (rules last), views, routines,
/// operators, event triggers, comments, grants.
fn printed_order(kind: ObjectKind) -> u8 {
    match kind {
        ObjectKind::Extension => 0,
        ObjectKind::Collation => 1,
        ObjectKind::Type => 2,
        ObjectKind::EnumValue => 3,
        ObjectKind::Attribute => 4,
        ObjectKind::Sequence => 5,
        ObjectKind::Table => 6,
        ObjectKind::Column => 7,
        ObjectKind::Constraint => 8,
        ObjectKind::Index => 9,
        ObjectKind::Rls => 10,
        ObjectKind::Policy => 11,
        ObjectKind::Trigger => 12,
        ObjectKind::Rule => 13,
        ObjectKind::View => 14,
        ObjectKind::MaterializedView => 15,
        ObjectKind::Function => 16,
        ObjectKind::Procedure => 17,
        ObjectKind::Operator => 18,
        ObjectKind::EventTrigger => 19,
        ObjectKind::Comment => 20,
        ObjectKind::Grant => 21,
    }
}

/// What a difference is about: its kind, how a person names it, where it sorts among the
/// differences of its kind, and the object and part it is in.
#[derive(Clone, Debug)]
pub(super) struct Subject {
    pub kind: ObjectKind,
    /// `column public.t.a`, `policy "Members read" on public.t`.
    pub object: String,
    pub sort: Vec<String>,
    /// See `Difference::key`.
    pub key: ObjectKey,
    /// See `Difference::part`.
    pub part: Part,
}

impl Subject {
    /// An object of a schema: `table public.t`, `type public.mood`.
    pub fn named(kind: ObjectKind, word: &str, name: &QualifiedName) -> Subject {
        Subject::object(
            ObjectKey::relation(kind, name.clone()),
            format!("{word} {name}"),
        )
    }

    /// An object, with the words that name it (`function public.f(uuid)`), sorted by name
    /// and signature.
    pub fn object(key: ObjectKey, object: String) -> Subject {
        let mut sort = vec![key.name.schema.clone(), key.name.name.clone()];
        sort.extend(key.signature.clone());
        Subject {
            kind: key.kind,
            object,
            sort,
            key,
            part: Part::Whole,
        }
    }

    /// A part of an object with a name of its own: `constraint t_pkey on public.t`.
    pub fn part(kind: ObjectKind, word: &str, part: &str, of: &ObjectKey) -> Subject {
        let object = format!("{word} {} on {}", quote_ident(part), of.name);
        Subject::inside(kind, object, part, of)
    }

    /// A part named after its object: `column public.t.a`, `enum value public.mood.'ok'`.
    pub fn dotted(
        kind: ObjectKind,
        word: &str,
        of: &ObjectKey,
        part: &str,
        shown: &str,
    ) -> Subject {
        let object = format!("{word} {}.{shown}", of.name);
        Subject::inside(kind, object, part, of)
    }

    /// A part of `of` of `kind`, named `part`, with the words that name it.
    pub fn inside(kind: ObjectKind, object: String, part: &str, of: &ObjectKey) -> Subject {
        Subject {
            kind,
            object,
            sort: vec![
                of.name.schema.clone(),
                of.name.name.clone(),
                part.to_string(),
            ],
            key: of.clone(),
            part: Part::new(kind, part).unwrap_or(Part::Whole),
        }
    }

    /// The same subject, counted as another kind (`column order` of a table).
    pub fn as_kind(&self, kind: ObjectKind) -> Subject {
        Subject {
            kind,
            ..self.clone()
        }
    }
}

/// One side, the other, or both, of a pairing by name.
pub(super) enum Pair<T> {
    Production(T),
    Migrations(T),
    Both(T, T),
}

/// Pairs production's items with the replay's by key: production's order first, then
/// what only the replay has, in its order.
pub(super) fn pair<T: Copy, K: Eq + Hash>(
    production: impl IntoIterator<Item = T>,
    migrations: impl IntoIterator<Item = T>,
    key: impl Fn(T) -> K,
) -> Vec<Pair<T>> {
    let mut replay: IndexMap<K, T> = IndexMap::new();
    for item in migrations {
        replay.entry(key(item)).or_insert(item);
    }
    let mut matched = IndexSet::new();
    let mut pairs = Vec::new();
    for item in production {
        match replay.get_full(&key(item)) {
            Some((index, _, &other)) => {
                matched.insert(index);
                pairs.push(Pair::Both(item, other));
            }
            None => pairs.push(Pair::Production(item)),
        }
    }
    let only_replay = replay
        .values()
        .enumerate()
        .filter(|(index, _)| !matched.contains(index));
    pairs.extend(only_replay.map(|(_, &item)| Pair::Migrations(item)));
    pairs
}

/// Items in the order of `order`, kept only when `other` has them too.
fn common<'a>(order: &[&'a str], other: &[&str]) -> Vec<&'a str> {
    order
        .iter()
        .filter(|item| other.contains(item))
        .copied()
        .collect()
}

/// Values joined for a line, `none` for no value.
pub(super) fn list(items: impl IntoIterator<Item = impl Display>) -> String {
    let joined: Vec<String> = items.into_iter().map(|i| i.to_string()).collect();
    if joined.is_empty() {
        "none".to_string()
    } else {
        joined.join(", ")
    }
}

/// Values joined in name order: for lists whose order means nothing (roles, options).
pub(super) fn sorted_list(items: &[String]) -> String {
    let mut sorted: Vec<&String> = items.iter().collect();
    sorted.sort();
    list(sorted)
}

#[derive(Default)]
pub(super) struct Found {
    items: Vec<(u8, Vec<String>, Difference)>,
}

impl Found {
    pub fn into_sorted(mut self) -> Vec<Difference> {
        // Stable: the fields of one object keep the order they were compared in.
        self.items.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        self.items.into_iter().map(|(_, _, d)| d).collect()
    }

    fn push(&mut self, subject: &Subject, state: State, detail: Option<String>) {
        let difference = Difference {
            object: subject.object.clone(),
            kind: subject.kind,
            state,
            detail,
            key: subject.key.clone(),
            part: subject.part.clone(),
        };
        let order = printed_order(subject.kind);
        self.items.push((order, subject.sort.clone(), difference));
    }

    /// An object on one side only.
    pub fn only(&mut self, subject: &Subject, state: State) {
        self.push(subject, state, None);
    }

    /// Pairs objects by key; reports those on one side only, hands pairs to `both`.
    pub fn pairs<T: Copy, K: Eq + Hash>(
        &mut self,
        production: impl IntoIterator<Item = T>,
        migrations: impl IntoIterator<Item = T>,
        key: impl Fn(T) -> K,
        subject: impl Fn(T) -> Subject,
        mut both: impl FnMut(&mut Found, &Subject, T, T),
    ) {
        for paired in pair(production, migrations, key) {
            match paired {
                Pair::Production(item) => self.only(&subject(item), State::InProductionOnly),
                Pair::Migrations(item) => self.only(&subject(item), State::InMigrationsOnly),
                Pair::Both(p, m) => both(self, &subject(p), p, m),
            }
        }
    }

    /// One field: `type numeric(12,2) in production, numeric in migrations`. Long or
    /// multi-line values are cut to where they first differ.
    pub fn value<T: Display + PartialEq>(&mut self, subject: &Subject, label: &str, p: T, m: T) {
        if p != m {
            let detail = excerpt(label, &p.to_string(), &m.to_string());
            self.push(subject, State::Differs, Some(detail));
        }
    }

    /// An optional field, `none` where it is not set.
    pub fn option<T: Display + PartialEq>(
        &mut self,
        subject: &Subject,
        label: &str,
        p: Option<T>,
        m: Option<T>,
    ) {
        if p != m {
            let shown = |v: Option<T>| v.map_or_else(|| "none".to_string(), |v| v.to_string());
            let detail = excerpt(label, &shown(p), &shown(m));
            self.push(subject, State::Differs, Some(detail));
        }
    }

    /// The items both lists have, when they come in a different order:
    /// `column order id, b, a in production, id, a, b in migrations`.
    pub fn order<'a>(
        &mut self,
        subject: &Subject,
        label: &str,
        p: impl IntoIterator<Item = &'a str>,
        m: impl IntoIterator<Item = &'a str>,
        shown: impl Fn(&str) -> String,
    ) {
        let (p, m): (Vec<&str>, Vec<&str>) = (p.into_iter().collect(), m.into_iter().collect());
        let show = |items: Vec<&str>| list(items.into_iter().map(&shown));
        self.value(subject, label, show(common(&p, &m)), show(common(&m, &p)));
    }

    /// A flag: `forced in production, not in migrations`.
    pub fn flag(&mut self, subject: &Subject, label: &str, p: bool, m: bool) {
        if p != m {
            let (yes, no) = if p {
                ("production", "migrations")
            } else {
                ("migrations", "production")
            };
            let detail = format!("{label} in {yes}, not in {no}");
            self.push(subject, State::Differs, Some(detail));
        }
    }

    /// `COMMENT ON` the subject: on one side only, or different.
    pub fn comment(&mut self, on: &Subject, p: Option<&str>, m: Option<&str>) {
        let subject = Subject {
            kind: ObjectKind::Comment,
            object: format!("comment on {}", on.object),
            ..on.clone()
        };
        match (p, m) {
            (Some(_), None) => self.only(&subject, State::InProductionOnly),
            (None, Some(_)) => self.only(&subject, State::InMigrationsOnly),
            (Some(p), Some(m)) => self.value(&subject, "", quote(p), quote(m)),
            (None, None) => {}
        }
    }

    /// Grants as a set of (grantee, privilege, grantable): each one missing or extra is
    /// a difference of its own. `on` is the object as GRANT names it (`public.t`,
    /// `function public.f(uuid)`); `column` for column privileges.
    pub fn grants(
        &mut self,
        owner: &Subject,
        on: &str,
        column: Option<&str>,
        p: &[Grant],
        m: &[Grant],
    ) {
        let subject = |g: &Grant| grant_subject(owner, on, column, g);
        let mut seen = Vec::new();
        for g in p.iter().filter(|g| !m.contains(g)) {
            if !seen.contains(&g) {
                seen.push(g);
                self.only(&subject(g), State::InProductionOnly);
            }
        }
        for g in m.iter().filter(|g| !p.contains(g)) {
            if !seen.contains(&g) {
                seen.push(g);
                self.only(&subject(g), State::InMigrationsOnly);
            }
        }
    }
}

/// `grant SELECT (a) on public.t to anon with grant option`.
fn grant_subject(owner: &Subject, on: &str, column: Option<&str>, g: &Grant) -> Subject {
    let columns = column.map_or_else(String::new, |c| format!(" ({})", quote_ident(c)));
    let grantee = if g.grantee == "PUBLIC" {
        g.grantee.clone()
    } else {
        quote_ident(&g.grantee)
    };
    let option = if g.grantable {
        " with grant option"
    } else {
        ""
    };
    let mut sort = owner.sort.clone();
    sort.extend([g.grantee.clone(), g.privilege.clone()]);
    Subject {
        kind: ObjectKind::Grant,
        object: format!(
            "grant {}{columns} on {on} to {grantee}{option}",
            g.privilege
        ),
        sort,
        ..owner.clone()
    }
}

/// A comment or enum value as a literal, so that its ends show.
pub(super) fn quote(text: &str) -> String {
    crate::model::quote_literal(text)
}

/// Values longer than this, or of several lines, are shown from where they differ.
const SHORT: usize = 80;
/// How much of a long value to show, and how much of it before the first difference.
const WINDOW: usize = 60;
const LEAD: usize = 20;

/// `label p in production, m in migrations`, with long values cut down to the first
/// line that differs (`definition line 3 ...`) and a window around the first character
/// that differs.
fn excerpt(label: &str, p: &str, m: &str) -> String {
    let short = |s: &str| !s.contains('\n') && s.chars().count() <= SHORT;
    let (line, p, m) = if short(p) && short(m) {
        (None, or_nothing(p), or_nothing(m))
    } else {
        cut(p, m)
    };
    let label = match line {
        Some(line) => format!("{label} line {line}"),
        None => label.to_string(),
    };
    let label = label.trim_start();
    let space = if label.is_empty() { "" } else { " " };
    format!("{label}{space}{p} in production, {m} in migrations")
}

fn or_nothing(value: &str) -> String {
    if value.is_empty() {
        "nothing".to_string()
    } else {
        value.to_string()
    }
}

/// The first line that differs (numbered from 1, for values of several lines), and a
/// window of it on each side.
fn cut(p: &str, m: &str) -> (Option<usize>, String, String) {
    let p_lines: Vec<&str> = p.split('\n').collect();
    let m_lines: Vec<&str> = m.split('\n').collect();
    let line = (0..p_lines.len().max(m_lines.len()))
        .find(|&i| p_lines.get(i) != m_lines.get(i))
        .unwrap_or(0);
    let numbered = (p_lines.len() > 1 || m_lines.len() > 1).then_some(line + 1);
    let (mut p_line, mut m_line) = (p_lines.get(line).copied(), m_lines.get(line).copied());
    // Indentation says little unless it is all that differs.
    if p_line.map(str::trim) != m_line.map(str::trim) {
        (p_line, m_line) = (p_line.map(str::trim), m_line.map(str::trim));
    }
    let (p_text, m_text) = (p_line.unwrap_or(""), m_line.unwrap_or(""));
    let start = first_difference(p_text, m_text).saturating_sub(LEAD);
    let start = word_start(p_text, start);
    (numbered, window(p_line, start), window(m_line, start))
}

/// Index of the first character that differs.
fn first_difference(a: &str, b: &str) -> usize {
    a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count()
}

/// `start`, moved back to the beginning of the word it falls in (when that is near), so a
/// window does not open mid-word.
fn word_start(line: &str, start: usize) -> usize {
    let before: Vec<char> = line.chars().take(start).collect();
    let word = before
        .iter()
        .rev()
        .take_while(|c| !c.is_whitespace())
        .count();
    if word > LEAD {
        start
    } else {
        start - word
    }
}

/// `WINDOW` characters of a line from `start`, marked `…` where cut; `nothing` for a
/// line that is not there.
fn window(line: Option<&str>, start: usize) -> String {
    let Some(line) = line else {
        return "nothing".to_string();
    };
    let length = line.chars().count();
    let start = start.min(length);
    let shown: String = line.chars().skip(start).take(WINDOW).collect();
    let before = if start > 0 { "…" } else { "" };
    let after = if start + WINDOW < length { "…" } else { "" };
    match format!("{before}{shown}{after}") {
        s if s.trim().is_empty() => "a blank line".to_string(),
        s => s,
    }
}

#[cfg(test)]
mod tests {
    use super::excerpt;

    #[test]
    fn short_values_are_shown_whole() {
        assert_eq!(
            excerpt("default", "0", ""),
            "default 0 in production, nothing in migrations"
        );
        assert_eq!(excerpt("", "a", "b"), "a in production, b in migrations");
    }

    #[test]
    fn a_missing_line_is_nothing() {
        assert_eq!(
            excerpt(
                "definition",
                "select 1\nfrom t\nwhere x",
                "select 1\nfrom t"
            ),
            "definition line 3 where x in production, nothing in migrations"
        );
    }

    #[test]
    fn indentation_shows_when_it_is_all_that_differs() {
        assert_eq!(
            excerpt("definition", "a\n  b", "a\n    b"),
            "definition line 2   b in production,     b in migrations"
        );
    }

    #[test]
    fn long_lines_are_cut_on_character_boundaries() {
        let p = format!("{}é{}", "ü".repeat(90), "ß".repeat(90));
        let m = format!("{}e{}", "ü".repeat(90), "ß".repeat(90));
        let cut = format!("…{}é{}…", "ü".repeat(20), "ß".repeat(39));
        assert_eq!(
            excerpt("x", &p, &m),
            format!(
                "x {cut} in production, {} in migrations",
                cut.replace('é', "e")
            )
        );
    }
}
