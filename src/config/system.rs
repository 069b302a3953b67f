//! The system list: objects the team declared as made and kept outside the migrations, by
//! exact name (`public._sync_state`) or by a pattern (`public.analytics_*`, `etl.*`).

use crate::model::QualifiedName;
use anyhow::{bail, Result};
use serde::Deserialize;

/// An object (or every object a pattern matches) managed outside the migrations.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SystemEntry {
    /// `schema.name`, where either part may hold `*` (any text) and `?` (one character);
    /// without a schema it means `public`.
    pub name: String,
    #[serde(default)]
    pub reason: String,
    /// When it was marked, as the user wrote it.
    #[serde(default)]
    pub date: Option<String>,
}

/// A system entry's name, split into schema and name patterns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pattern {
    schema: String,
    name: String,
}

impl SystemEntry {
    /// The entry's name as a pattern; an error for a name that cannot match anything.
    pub fn pattern(&self) -> Result<Pattern> {
        Pattern::parse(&self.name)
    }

    /// Does this entry name `object`? An entry whose name does not parse matches nothing
    /// (`Settings::resolve` refuses such a file).
    pub fn matches(&self, object: &QualifiedName) -> bool {
        self.pattern().is_ok_and(|p| p.matches(object))
    }

    /// The name as pgdrift prints it: `public."Sync State"` for an exact name, the pattern
    /// as written for a pattern.
    pub fn display_name(&self) -> String {
        match QualifiedName::parse(&self.name, "public") {
            Some(name) if !self.is_glob() => name.to_string(),
            _ => self.name.clone(),
        }
    }

    /// True for an entry with `*` or `?`, which may match many objects or none yet.
    pub fn is_glob(&self) -> bool {
        self.name.contains(['*', '?'])
    }
}

impl Pattern {
    /// `etl.*`, `analytics_*`, `public."Sync State"`: a name written as in SQL, or with
    /// wildcards (then unquoted, and split at its first dot).
    pub fn parse(text: &str) -> Result<Pattern> {
        let text = text.trim();
        if !text.contains(['*', '?']) {
            return match QualifiedName::parse(text, "public") {
                Some(n) => Ok(Pattern {
                    schema: n.schema,
                    name: n.name,
                }),
                None => bail!(
                    "system entry `{text}` is not a valid name: write it as schema.name, or a pattern such as etl.* or analytics_*"
                ),
            };
        }
        let (schema, name) = text.split_once('.').unwrap_or(("public", text));
        if schema.is_empty() || name.is_empty() || name.contains('.') || text.contains('"') {
            bail!(
                "system pattern `{text}` is not valid: write it as schema.pattern or pattern, unquoted, with * for any text and ? for one character"
            );
        }
        Ok(Pattern {
            schema: schema.to_string(),
            name: name.to_string(),
        })
    }

    pub fn matches(&self, object: &QualifiedName) -> bool {
        wildcard(&self.schema, &object.schema) && wildcard(&self.name, &object.name)
    }
}

/// `*` matches any run of characters, `?` one character; everything else is literal.
fn wildcard(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    // The last `*` seen and the text position it was tried at, to backtrack to.
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str) -> SystemEntry {
        SystemEntry {
            name: name.into(),
            reason: String::new(),
            date: None,
        }
    }

    #[test]
    fn wildcards() {
        assert!(wildcard("analytics_*", "analytics_daily"));
        assert!(wildcard("analytics_*", "analytics_"));
        assert!(!wildcard("analytics_*", "xanalytics_daily"));
        assert!(wildcard("*_log", "audit_log"));
        assert!(wildcard("a*b*c", "axxbyyc"));
        assert!(!wildcard("a*b*c", "axxbyy"));
        assert!(wildcard("t?", "t1"));
        assert!(!wildcard("t?", "t12"));
        assert!(wildcard("*", ""));
    }

    #[test]
    fn entries_match_by_schema_and_name() {
        let q = QualifiedName::new;
        assert!(entry("etl.*").matches(&q("etl", "jobs")));
        assert!(!entry("etl.*").matches(&q("public", "jobs")));
        assert!(entry("analytics_*").matches(&q("public", "analytics_daily")));
        assert!(!entry("analytics_*").matches(&q("billing", "analytics_daily")));
        assert!(entry("public.\"Sync State\"").matches(&q("public", "Sync State")));
        assert!(entry("_sync").matches(&q("public", "_sync")));
        assert!(!entry("Sync").matches(&q("public", "Sync")));
        assert!(entry("etl.*").is_glob() && !entry("etl.jobs").is_glob());
    }

    #[test]
    fn bad_patterns_are_refused() {
        for bad in ["a.b.c", "etl.", ".x*", "\"a*\"", "a.b.*"] {
            assert!(entry(bad).pattern().is_err(), "{bad}");
        }
    }
}
