//! What migrations need before they run, outside the managed schemas: the extensions they do
//! not create themselves, and the schemas they use but do not manage (Supabase's `auth`,
//! `storage`...), copied in structure from production's catalog. Cluster-wide roles cannot
//! be created in a scratch database: missing ones are reported with the statement to run.

use crate::history::History;
use crate::model::{DefaultPrivilege, Extension, ObjectKey, Part, Schema};
use crate::plan;
use crate::render::Renderer;
use anyhow::{bail, Result};
use std::collections::BTreeSet;

/// SQL that recreates production's extensions (those the migrations do not create and the
/// scratch server has) and the outside schemas' objects.
pub fn generate(
    outside: &Schema,
    managed: &[String],
    extensions: &[Extension],
    history: &History,
    available: &BTreeSet<String>,
) -> Result<(String, Vec<String>)> {
    let mut sql = String::new();
    let mut notes = Vec::new();
    for ext in extensions {
        if ext.name == "plpgsql" || history.extensions.contains_key(&ext.name) {
            continue;
        }
        if !available.contains(&ext.name) {
            notes.push(format!("extension {} is not available on the scratch server; objects that use it will fail", ext.name));
            continue;
        }
        sql.push_str(&format!(
            "CREATE SCHEMA IF NOT EXISTS {schema};\nCREATE EXTENSION IF NOT EXISTS {name} WITH SCHEMA {schema};\n",
            schema = crate::model::quote_ident(&ext.schema),
            name = crate::model::quote_ident(&ext.name)
        ));
    }
    for schema in &outside.schemas {
        sql.push_str(&format!(
            "CREATE SCHEMA IF NOT EXISTS {};\n",
            crate::model::quote_ident(schema)
        ));
    }
    let outside = without_managed_parts(outside, managed);
    let keys: Vec<ObjectKey> = outside.keys();
    let renderer = Renderer::new(None)?;
    let planned = plan::build(
        &outside,
        &History::default(),
        &keys,
        &plan::Options::default(),
    )?;
    for file in &planned.files {
        for item in &file.items {
            sql.push_str(&renderer.item(&outside, item)?);
        }
    }
    Ok((sql, notes))
}

/// The outside objects without their parts that use managed objects (a trigger on
/// `auth.users` calling a function of `public`): those are the migrations' to create.
fn without_managed_parts(outside: &Schema, managed: &[String]) -> Schema {
    let mut copy = outside.clone();
    for (table, part) in outside.app_parts(managed) {
        if let Some(t) = copy.tables.get_mut(&table) {
            match part {
                Part::Trigger(n) => t.triggers.retain(|x| x.name != n),
                Part::Policy(n) => t.policies.retain(|x| x.name != n),
                _ => {}
            }
        }
    }
    for dep in outside
        .dependencies
        .iter()
        .filter(|d| managed.contains(&d.to.name.schema))
    {
        let Some(table) = copy.tables.get_mut(&dep.from.name) else {
            continue;
        };
        match &dep.part {
            Part::Trigger(n) => table.triggers.retain(|t| &t.name != n),
            Part::Policy(n) => table.policies.retain(|p| &p.name != n),
            Part::Constraint(n) => table.constraints.retain(|c| &c.name != n),
            Part::Index(n) => table.indexes.retain(|i| &i.name != n),
            Part::Rule(n) => table.rules.retain(|r| &r.name != n),
            _ => {}
        }
    }
    copy.dependencies
        .retain(|d| !managed.contains(&d.to.name.schema));
    copy
}

/// Production's default privileges as `ALTER DEFAULT PRIVILEGES` statements, and the roles
/// they name: the objects the migrations create must get in the replay the privileges
/// production gives such objects.
pub fn default_privileges(defaults: &[DefaultPrivilege]) -> Result<(String, Vec<String>)> {
    let sql = Renderer::new(None)?.default_privileges(defaults)?;
    let roles = defaults
        .iter()
        .flat_map(|d| [d.owner.clone(), d.grantee.clone()])
        .collect();
    Ok((sql, roles))
}

/// Fails with the statements to run when the scratch server lacks roles production uses.
pub fn check_roles(
    client: &mut postgres::Client,
    schemas: &[&Schema],
    more: &[String],
) -> Result<()> {
    let mut roles: BTreeSet<String> = more.iter().cloned().collect();
    for schema in schemas {
        roles.extend(role_names(schema));
    }
    roles.remove("PUBLIC");
    roles.remove("public");
    let roles: Vec<String> = roles.into_iter().collect();
    let rows = client.query("SELECT r FROM unnest($1::text[]) AS r WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r)", &[&roles])?;
    let missing: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
    if !missing.is_empty() {
        let statements: Vec<String> = missing
            .iter()
            .map(|r| format!("CREATE ROLE {} NOLOGIN;", crate::model::quote_ident(r)))
            .collect();
        bail!(
            "the scratch server lacks role{} {} that production's objects use (roles belong to the whole server); create them there first: {}",
            if missing.len() == 1 { "" } else { "s" },
            missing.join(", "),
            statements.join(" ")
        );
    }
    Ok(())
}

/// Every role a grant or a policy of the model names.
fn role_names(schema: &Schema) -> BTreeSet<String> {
    let mut roles = BTreeSet::new();
    for t in schema.tables.values() {
        roles.extend(t.grants.iter().map(|g| g.grantee.clone()));
        roles.extend(
            t.columns
                .iter()
                .flat_map(|c| c.grants.iter().map(|g| g.grantee.clone())),
        );
        roles.extend(t.policies.iter().flat_map(|p| p.roles.iter().cloned()));
    }
    for v in schema.views.values() {
        roles.extend(v.grants.iter().map(|g| g.grantee.clone()));
    }
    for f in schema.functions.values() {
        roles.extend(f.grants.iter().map(|g| g.grantee.clone()));
    }
    for s in schema.sequences.values() {
        roles.extend(s.grants.iter().map(|g| g.grantee.clone()));
    }
    roles
}
