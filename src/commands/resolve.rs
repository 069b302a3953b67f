//! `pgdrift resolve --decisions FILE`: every drifted table imported, dropped, marked system
//! or skipped, as the file says, after one summary and one confirmation.

use super::import::{self as import_cmd, confirm};
use super::triage::{self as t, audit, today};
use crate::cli::ResolveArgs;
use crate::config::{edit, Settings, SystemEntry, DEFAULT_FILE};
use crate::db::Target;
use crate::drift::{self, Report};
use crate::model::{ObjectKey, ObjectKind, QualifiedName, Schema};
use crate::plan::{self, Plan, Selection};
use crate::render::Renderer;
use crate::{history, triage, write};
use anyhow::{bail, Context, Result};
use indexmap::IndexMap;
use std::collections::BTreeSet;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

/// What becomes of one drifted table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Choice {
    Import,
    Drop,
    System,
    Skip,
}

impl Choice {
    fn parse(text: &str) -> Option<Choice> {
        Some(match text {
            "import" => Choice::Import,
            "drop" => Choice::Drop,
            "system" => Choice::System,
            "skip" => Choice::Skip,
            _ => return None,
        })
    }

    fn as_str(self) -> &'static str {
        match self {
            Choice::Import => "import",
            Choice::Drop => "drop",
            Choice::System => "system",
            Choice::Skip => "skip",
        }
    }
}

/// A decisions file as written: names not yet matched with production.
#[derive(Debug, Default)]
pub struct DecisionsFile {
    pub default: Option<Choice>,
    pub tables: Vec<(String, Choice)>,
    pub reasons: Vec<(String, String)>,
    /// Unknown keys and values, reported together with the unknown names.
    pub errors: Vec<String>,
}

/// Reads the decisions file; every problem in it is listed in one error.
pub fn read_decisions(path: &Path) -> Result<DecisionsFile> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("cannot read the decisions file {}: {e}", path.display()))?;
    let value: toml::Table = toml::from_str(&text)
        .map_err(|e| anyhow::anyhow!("{}: {}", path.display(), e.message()))?;
    let mut file = DecisionsFile::default();
    let mut errors = Vec::new();
    for (key, item) in &value {
        match (key.as_str(), item) {
            ("default", toml::Value::String(s)) => match Choice::parse(s) {
                Some(c @ (Choice::Import | Choice::Skip)) => file.default = Some(c),
                _ => errors.push(format!("default = \"{s}\" (write \"import\" or \"skip\")")),
            },
            ("tables", toml::Value::Table(tables)) => {
                for (name, v) in tables {
                    match v.as_str().and_then(Choice::parse) {
                        Some(c) => file.tables.push((name.clone(), c)),
                        None => errors.push(format!(
                            "{name} = {v} (write \"import\", \"drop\", \"system\" or \"skip\")"
                        )),
                    }
                }
            }
            ("reasons", toml::Value::Table(reasons)) => {
                for (name, v) in reasons {
                    match v.as_str() {
                        Some(r) => file.reasons.push((name.clone(), r.to_string())),
                        None => errors.push(format!("reason of {name} is not a string")),
                    }
                }
            }
            (other, _) => errors.push(format!(
                "unknown key `{other}` (the file has default, [tables] and [reasons])"
            )),
        }
    }
    file.errors = errors;
    Ok(file)
}

/// The decisions matched with production's drifted tables, in import order.
struct Decisions {
    tables: IndexMap<QualifiedName, Choice>,
    reasons: IndexMap<QualifiedName, String>,
    /// Import the drifted objects no table decision covers (`default = "import"`).
    loose: bool,
}

fn match_decisions(
    prod: &Schema,
    report: &Report,
    file: &DecisionsFile,
    path: &Path,
) -> Result<Decisions> {
    let drifted: BTreeSet<&ObjectKey> = report.drifted.iter().map(|e| &e.key).collect();
    let mut errors = file.errors.clone();
    let mut chosen = IndexMap::new();
    for (name, choice) in &file.tables {
        match plan::resolve_table(prod, report, &drifted, name) {
            Ok(key) => {
                if chosen.insert(key.name.clone(), *choice).is_some() {
                    errors.push(format!("{} is decided twice", key.name));
                }
            }
            Err(e) => errors.push(format!("{e:#}")),
        }
    }
    let mut reasons = IndexMap::new();
    for (name, reason) in &file.reasons {
        match plan::resolve_table(prod, report, &drifted, name) {
            Ok(key) if chosen.get(&key.name) == Some(&Choice::System) => {
                reasons.insert(key.name, reason.clone());
            }
            Ok(key) => errors.push(format!(
                "a reason is given for {}, which is not decided \"system\"",
                key.name
            )),
            Err(e) => errors.push(format!("{e:#}")),
        }
    }
    if !errors.is_empty() {
        bail!(
            "{}: {}; nothing was written",
            path.display(),
            errors.join("; ")
        );
    }
    let default = file.default.unwrap_or(Choice::Import);
    let mut tables = IndexMap::new();
    for name in import_order(prod, report)? {
        let choice = chosen.get(&name).copied().unwrap_or(default);
        tables.insert(name, choice);
    }
    Ok(Decisions {
        tables,
        reasons,
        loose: default == Choice::Import,
    })
}

/// The drifted tables (not partitions listed apart) in the order `import --all` writes them.
fn import_order(prod: &Schema, report: &Report) -> Result<Vec<QualifiedName>> {
    let tables: Vec<QualifiedName> = report
        .drifted
        .iter()
        .filter(|e| e.key.kind == ObjectKind::Table)
        .map(|e| e.key.name.clone())
        .collect();
    let mut order: Vec<QualifiedName> = Vec::new();
    let all = plan::objects(prod, report, &Selection::All)?;
    if !all.is_empty() {
        let plan = plan::build(
            prod,
            &history::History::default(),
            &all,
            &Default::default(),
        )?;
        for item in plan.files.iter().flat_map(|f| &f.items) {
            if let plan::Item::Table(t) = item {
                if tables.contains(&t.name) && !order.contains(&t.name) {
                    order.push(t.name.clone());
                }
            }
        }
    }
    let rest: Vec<QualifiedName> = tables.into_iter().filter(|n| !order.contains(n)).collect();
    order.extend(rest);
    Ok(order)
}

pub fn run(
    settings: &Settings,
    db_url: Option<&str>,
    args: &ResolveArgs,
    out: &mut impl Write,
) -> Result<()> {
    let given = match &args.decisions {
        Some(path) => Some(read_decisions(path)?),
        None if std::io::stdin().is_terminal() && !args.write.dry_run => None,
        None => bail!(
            "resolve asks its questions on a terminal, and stdin is not one: pass --decisions FILE (a TOML file, see pgdrift resolve --help)"
        ),
    };
    let answers = PathBuf::from("your answers");
    let decisions_path = args.decisions.as_ref().unwrap_or(&answers);
    let migrations = &settings.migrations;
    for dir in &args.code_dirs {
        if !dir.is_dir() {
            bail!(
                "--code-dir {} is not a folder: pass a folder of application code",
                dir.display()
            );
        }
    }
    t::check_backup_dir(&args.write.backup_dir, migrations)?;
    let renderer = Renderer::new(None)?;
    let history = history::parse_dir(migrations)?;
    if !args.write.dry_run {
        write::check_dir(migrations)?;
    }
    let config_path = settings
        .source
        .clone()
        .unwrap_or_else(|| PathBuf::from(DEFAULT_FILE));
    let config_text = t::read_or_empty(&config_path)?;
    let target = Target::resolve(db_url)?;
    let mut client = target.connect()?;
    let (mut snapshot, prod, report) = t::read(settings, &mut client, &history, &target.display)?;
    let file = match given {
        Some(file) => file,
        None => {
            let order = import_order(&prod, &report)?;
            let counts = card_counts(&mut snapshot, &prod, &report, &order)?;
            let ddl = |name: &QualifiedName| table_ddl(&renderer, &prod, &report, name, migrations);
            let code = super::ask::Code {
                dirs: &args.code_dirs,
                references: triage::code::search(&args.code_dirs, migrations, &order),
            };
            match super::ask::decide(&prod, &report, &history, &order, &counts, &code, &ddl)? {
                Some(file) => file,
                None => return Ok(()),
            }
        }
    };
    let decisions = match_decisions(&prod, &report, &file, decisions_path)?;
    let with = |c: Choice| -> Vec<QualifiedName> {
        decisions
            .tables
            .iter()
            .filter(|(_, choice)| **choice == c)
            .map(|(n, _)| n.clone())
            .collect()
    };
    let (imports, drops, systems) = (
        with(Choice::Import),
        with(Choice::Drop),
        with(Choice::System),
    );
    let date = today();
    let entries: Vec<SystemEntry> = systems
        .iter()
        .map(|n| SystemEntry {
            name: n.to_string(),
            reason: decisions.reasons.get(n).cloned().unwrap_or_default(),
            date: Some(date.clone()),
        })
        .collect();
    let triage::DropPlan {
        order: drop_order,
        orphans,
    } = triage::plan_drop(&prod, &history, &report, &drops)?;

    // The import plan, with the new system entries counted as system and the dropped
    // tables and what only they use left out.
    let mut system = settings.system.clone();
    system.extend(entries.iter().cloned());
    let mut after_report = drift::compare(&prod, &history, &system)?;
    after_report.drifted.retain(|e| {
        let dropped_table = e.key.kind == ObjectKind::Table && drop_order.contains(&e.key.name);
        !dropped_table && !orphans.contains(&e.key)
    });
    let objects = import_objects(&prod, &after_report, &imports, decisions.loose)?;
    let plan = if objects.is_empty() {
        Plan::default()
    } else {
        plan::build(&prod, &history, &objects, &Default::default())?
    };
    let import_outputs = import_cmd::render(&renderer, &prod, None, &plan, migrations)?;
    let counts = t::exact_counts(&mut snapshot, &prod, &drop_order)?;
    let config_edit = if entries.is_empty() {
        None
    } else {
        Some(
            edit::add_system(&config_text, &entries)
                .with_context(|| format!("editing {}", config_path.display()))?,
        )
    };
    print_summary(
        &decisions,
        &plan,
        &objects,
        &drop_order,
        &counts,
        &orphans,
        &entries,
        &config_path,
        args,
        out,
    )?;
    for warning in t::reference_warnings(&prod, &history, &entries) {
        writeln!(out, "warning: {warning}")?;
    }
    if args.write.dry_run {
        writeln!(out, "\nDry run: nothing was written.")?;
        return Ok(());
    }
    if import_outputs.is_empty() && drop_order.is_empty() && entries.is_empty() {
        writeln!(out, "\nNothing to do: every drifted table is skipped.")?;
        return Ok(());
    }
    if !args.write.yes && std::io::stdin().is_terminal() && !confirm("Write all of this?", false)? {
        writeln!(out, "Nothing was written.")?;
        return Ok(());
    }
    let backups = if drop_order.is_empty() {
        Vec::new()
    } else {
        t::take_backups(
            &mut snapshot,
            &renderer,
            &prod,
            &drop_order,
            &args.write.backup_dir,
            &target.display,
            out,
        )?
    };
    snapshot.finish()?;
    let last_import = plan.files.iter().map(|f| f.version.clone()).max();
    let last = last_import
        .into_iter()
        .chain(history.files.last().map(|f| f.version.clone()))
        .max();
    let mut outputs = import_outputs;
    outputs.extend(t::drop_files(
        &renderer,
        &prod,
        &drop_order,
        &orphans,
        &backups,
        migrations,
        last.as_deref(),
    )?);
    write::files(migrations, &outputs)?;
    writeln!(
        out,
        "\nWrote {} file(s) to {}.",
        outputs.len(),
        migrations.display()
    )?;
    if let Some(text) = config_edit {
        write::replace(&config_path, &text)
            .with_context(|| format!("writing {}", config_path.display()))?;
        writeln!(
            out,
            "Added {} system entr{} to {}.",
            entries.len(),
            if entries.len() == 1 { "y" } else { "ies" },
            config_path.display()
        )?;
    }
    // Partitions come with their parent and are not counted apart.
    let imported = objects
        .iter()
        .filter(|k| k.kind == ObjectKind::Table)
        .count();
    audit(settings, &t::audit_line(imported, &backups, &entries), out)
}

/// Exact row counts for the cards, where the estimate is under 100,000 rows (or unknown
/// for a table under 100 MB); None where the estimate stands.
fn card_counts(
    snapshot: &mut crate::db::Snapshot,
    prod: &Schema,
    report: &Report,
    order: &[QualifiedName],
) -> Result<Vec<Option<i64>>> {
    let small = |name: &QualifiedName| {
        report
            .drifted
            .iter()
            .find(|e| &e.key.name == name && e.key.kind == ObjectKind::Table)
            .and_then(|e| e.table.as_ref())
            .is_some_and(|f| match f.estimated_rows {
                Some(n) => n < 100_000,
                None => f.size_bytes < 100 * 1024 * 1024,
            })
    };
    let counted: Vec<QualifiedName> = order.iter().filter(|n| small(n)).cloned().collect();
    let counts = t::exact_counts(snapshot, prod, &counted)?;
    Ok(order
        .iter()
        .map(|n| counted.iter().position(|c| c == n).map(|i| counts[i]))
        .collect())
}

/// The table's full DDL, as `import` would write it (with the drifted objects it needs).
fn table_ddl(
    renderer: &Renderer,
    prod: &Schema,
    report: &Report,
    name: &QualifiedName,
    dir: &Path,
) -> Result<String> {
    let names = [name.to_string()];
    let objects = plan::objects(prod, report, &Selection::Tables(&names))?;
    let plan = plan::build(
        prod,
        &history::History::default(),
        &objects,
        &Default::default(),
    )?;
    let outputs = import_cmd::render(renderer, prod, None, &plan, dir)?;
    Ok(outputs
        .iter()
        .map(|o| format!("-- {}\n{}", o.name, o.contents))
        .collect::<Vec<_>>()
        .join("\n"))
}

/// The drifted objects to import: the imported tables with what they need, and with
/// `loose`, every other drifted object that needs nothing left out.
fn import_objects(
    prod: &Schema,
    report: &Report,
    imports: &[QualifiedName],
    loose: bool,
) -> Result<Vec<ObjectKey>> {
    let names: Vec<String> = imports.iter().map(|n| n.to_string()).collect();
    let chosen = if names.is_empty() {
        Vec::new()
    } else {
        plan::objects(prod, report, &Selection::Tables(&names))?
    };
    if !loose {
        return Ok(chosen);
    }
    let mut excluded: BTreeSet<ObjectKey> = report
        .drifted
        .iter()
        .filter(|e| e.key.kind == ObjectKind::Table && !chosen.contains(&e.key))
        .map(|e| e.key.clone())
        .collect();
    let drifted: BTreeSet<&ObjectKey> = report.drifted.iter().map(|e| &e.key).collect();
    // Objects outside the report (dropped, system) are excluded too.
    let gone = |k: &ObjectKey, excluded: &BTreeSet<ObjectKey>| {
        excluded.contains(k) || (!drifted.contains(k) && prod_has_unreported(prod, k, report))
    };
    let mut changed = true;
    while changed {
        changed = false;
        for e in report
            .drifted
            .iter()
            .filter(|e| e.key.kind != ObjectKind::Table)
        {
            if excluded.contains(&e.key) || chosen.contains(&e.key) {
                continue;
            }
            let blocked = prod
                .dependencies
                .iter()
                .any(|d| d.from == e.key && gone(&d.to, &excluded));
            if blocked {
                excluded.insert(e.key.clone());
                changed = true;
            }
        }
    }
    Ok(report
        .drifted
        .iter()
        .map(|e| e.key.clone())
        .filter(|k| chosen.contains(k) || (k.kind != ObjectKind::Table && !excluded.contains(k)))
        .collect())
}

/// Is `key` an object of the managed schemas that the report no longer lists as drifted
/// nor as tracked (a dropped table, an object marked system)?
fn prod_has_unreported(prod: &Schema, key: &ObjectKey, report: &Report) -> bool {
    let managed = prod.schemas.contains(&key.name.schema);
    managed && !report.tracked.iter().any(|e| e.key.name == key.name)
}

#[allow(clippy::too_many_arguments)]
fn print_summary(
    decisions: &Decisions,
    plan: &Plan,
    objects: &[ObjectKey],
    drops: &[QualifiedName],
    counts: &[i64],
    orphans: &[ObjectKey],
    entries: &[SystemEntry],
    config: &Path,
    args: &ResolveArgs,
    out: &mut impl Write,
) -> Result<()> {
    let width = decisions
        .tables
        .keys()
        .map(|n| n.to_string().len())
        .max()
        .unwrap_or(5)
        .max(5);
    writeln!(
        out,
        "Decisions for {} drifted table(s):",
        decisions.tables.len()
    )?;
    for (name, choice) in &decisions.tables {
        let imported = objects
            .iter()
            .any(|k| k.kind == ObjectKind::Table && &k.name == name);
        let note = match choice {
            Choice::Drop => {
                let n = drops
                    .iter()
                    .position(|d| d == name)
                    .and_then(|i| counts.get(i))
                    .copied()
                    .unwrap_or(0);
                format!(
                    "drop ({n} rows backed up to {} first)",
                    args.write.backup_dir.display()
                )
            }
            Choice::System => {
                let reason = entries
                    .iter()
                    .find(|e| e.name == name.to_string())
                    .map(|e| e.reason.as_str())
                    .unwrap_or("");
                if reason.is_empty() {
                    "system".to_string()
                } else {
                    format!("system: {reason}")
                }
            }
            Choice::Skip if imported => "import (an imported table needs it)".to_string(),
            other => other.as_str().to_string(),
        };
        writeln!(out, "  {:width$}  {note}", name.to_string())?;
    }
    for o in orphans {
        writeln!(out, "  {o} is dropped too: only the dropped tables use it")?;
    }
    let others = objects
        .iter()
        .filter(|k| k.kind != ObjectKind::Table)
        .count();
    writeln!(
        out,
        "\nImport: {} file(s), {} table(s) and {others} other object(s); drop: {} file(s); {}",
        plan.files.len(),
        objects.len() - others,
        drops.len(),
        if entries.is_empty() {
            "no change to the config".to_string()
        } else {
            format!(
                "{} system entr{} added to {}",
                entries.len(),
                if entries.len() == 1 { "y" } else { "ies" },
                config.display()
            )
        }
    )?;
    Ok(())
}
