//! Dependencies of the objects of the managed schemas, from `pg_depend` (and `pg_rewrite`
//! for views and rules): what each table, view, routine or type, or one of its parts, needs, in the
//! managed schemas or elsewhere (`auth.uid()`, an extension's type). Dependencies on
//! pg_catalog and information_schema objects, and an object's dependencies on itself, are
//! left out.

use super::functions::signature;
use super::{get, Reader};
use crate::model::{Dependency, ObjectKey, ObjectKind, Operator, Part, QualifiedName};
use anyhow::{anyhow, Result};
use postgres::Row;
use std::collections::{BTreeSet, HashMap};

const QUERY: &str = include_str!("queries/depend.sql");

/// An object as pg_depend names it: its catalog and its oid.
type Oids = (u32, u32);

/// Deduplicated and sorted dependencies.
pub(super) fn load(reader: &mut Reader) -> Result<Vec<Dependency>> {
    // With no schema, no object holds a dependency: the names of every possible target
    // would be read for nothing.
    if reader.schemas.is_empty() {
        return Ok(Vec::new());
    }
    // Rows are taken as they come, and an edge keeps only its oids and part: the query
    // returns a row per dependency, more than any other.
    let mut targets: HashMap<(u32, u32), ObjectKey> = HashMap::new();
    let mut edges: Vec<(Oids, Oids, Part)> = Vec::new();
    reader.each_row(QUERY, "dependencies", |row| {
        let from = (get(&row, "class")?, get(&row, "objid")?);
        match get::<&str>(&row, "row_kind")? {
            "target" => {
                let key = key(&row)?;
                targets.entry(from).or_insert(key);
            }
            _ => edges.push((
                from,
                (get(&row, "ref_class")?, get(&row, "ref_objid")?),
                part(&row)?,
            )),
        }
        Ok(())
    })?;
    let mut dependencies = BTreeSet::new();
    for (from, to, part) in edges {
        let (Some(from), Some(to)) = (targets.get(&from), targets.get(&to)) else {
            continue;
        };
        if from != to {
            dependencies.insert(Dependency {
                from: from.clone(),
                part,
                to: to.clone(),
            });
        }
    }
    Ok(dependencies.into_iter().collect())
}

/// The object a `target` row names.
fn key(row: &Row) -> Result<ObjectKey> {
    let kind = object_kind(get(row, "kind")?)?;
    let name = QualifiedName::new(get::<String>(row, "schema")?, get::<String>(row, "name")?);
    if kind == ObjectKind::Operator {
        let left: Option<&str> = get(row, "left_type")?;
        let right: Option<&str> = get(row, "right_type")?;
        let signature = Operator::signature(left, right.unwrap_or_default());
        return Ok(ObjectKey::routine(kind, name, signature));
    }
    if kind.is_routine() {
        let arguments: Option<&str> = get(row, "arguments")?;
        Ok(ObjectKey::routine(
            kind,
            name,
            signature(arguments.unwrap_or("")),
        ))
    } else {
        Ok(ObjectKey::relation(kind, name))
    }
}

/// The kinds depend.sql names objects with: those of an `ObjectKey`, by their model names.
fn object_kind(text: &str) -> Result<ObjectKind> {
    ObjectKind::from_name(text)
        .filter(|k| k.is_object())
        .ok_or_else(|| anyhow!("unknown object kind {text} in a dependency"))
}

fn part(row: &Row) -> Result<Part> {
    let kind: &str = get(row, "part")?;
    let name = || -> Result<String> {
        get::<Option<String>>(row, "part_name")?
            .ok_or_else(|| anyhow!("a {kind} dependency without the {kind}'s name"))
    };
    Ok(match kind {
        "whole" => Part::Whole,
        "column" => Part::Column(name()?),
        "constraint" => Part::Constraint(name()?),
        "index" => Part::Index(name()?),
        "policy" => Part::Policy(name()?),
        "trigger" => Part::Trigger(name()?),
        "rule" => Part::Rule(name()?),
        other => return Err(anyhow!("unknown part {other} in a dependency")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_kinds_match_the_model_names() {
        for kind in ObjectKind::ALL.into_iter().filter(|k| k.is_object()) {
            assert_eq!(object_kind(kind.as_str()).unwrap(), kind);
        }
        assert!(object_kind("rule").is_err());
        assert!(object_kind("column").is_err());
    }
}
