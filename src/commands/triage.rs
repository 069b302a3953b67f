//! `drop`, `mark-system` and `inventory`: the policy's other two ways out of drift, and
//! the document that records the expected structure.

use super::import::{confirm, date_text, git_author};
use crate::cli::{DropArgs, InventoryArgs, MarkSystemArgs};
use crate::config::{edit, Settings, SystemEntry, DEFAULT_FILE};
use crate::db::{Snapshot, Target};
use crate::drift::{self, Report};
use crate::model::{ConstraintKind, ObjectKey, ObjectKind, QualifiedName, Schema};
use crate::render::{FileHeader, Renderer};
use crate::triage::{self, backup};
use crate::write::{self, Output};
use crate::{history, inventory, plan, production};
use anyhow::{bail, Context, Result};
use std::collections::BTreeSet;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

/// Today as `2026-12-07` (UTC).
pub(super) fn today() -> String {
    let now = plan::version::now();
    format!("{}-{}-{}", &now[0..4], &now[4..6], &now[6..8])
}

/// The text of a file pgdrift edits, empty when it does not exist yet.
pub(super) fn read_or_empty(path: &Path) -> Result<String> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
        Err(e) => bail!("reading {}: {e}", path.display()),
    }
}

/// Appends `line` to the audit log, when one is configured.
pub(super) fn audit(settings: &Settings, line: &str, out: &mut impl Write) -> Result<()> {
    let Some(path) = &settings.audit_log else {
        return Ok(());
    };
    let text = read_or_empty(path)?;
    let updated = inventory::append_audit(&text, &today(), line);
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| {
            anyhow::anyhow!(
                "cannot create the folder of the audit log {}: {e}",
                path.display()
            )
        })?;
    }
    write::replace(path, &updated)
        .with_context(|| format!("appending to the audit log {}", path.display()))?;
    writeln!(out, "Recorded in {}.", path.display())?;
    Ok(())
}

/// One catalog read: production's model and the drift report, with the snapshot still open
/// so that rows can be read in the same state.
pub(super) fn read<'a>(
    settings: &Settings,
    client: &'a mut postgres::Client,
    history: &history::History,
    display: &str,
) -> Result<(Snapshot<'a>, Schema, Report)> {
    let mut snapshot = Snapshot::begin(client, settings.statement_timeout)?;
    snapshot.show_progress("reading production's catalog");
    let prod = production::load(&mut snapshot, settings, display)?;
    // Rows are read later in this snapshot, after questions perhaps: the spinner ends here.
    snapshot.hide_progress();
    let mut report = drift::compare(&prod, history, &settings.system)?;
    report.database = display.to_string();
    Ok((snapshot, prod, report))
}

pub fn drop(
    settings: &Settings,
    db_url: Option<&str>,
    args: &DropArgs,
    out: &mut impl Write,
) -> Result<()> {
    let migrations = &settings.migrations;
    check_backup_dir(&args.write.backup_dir, migrations)?;
    let interactive = std::io::stdin().is_terminal();
    if !args.write.yes && !args.write.dry_run && !interactive {
        bail!("drop deletes tables and needs a confirmation: run it in a terminal or pass --yes");
    }
    let renderer = Renderer::new(None)?;
    let history = history::parse_dir(migrations)?;
    if !args.write.dry_run {
        write::check_dir(migrations)?;
    }
    let target = Target::resolve(db_url)?;
    let mut client = target.connect()?;
    let (mut snapshot, prod, report) = read(settings, &mut client, &history, &target.display)?;
    let drifted: BTreeSet<&ObjectKey> = report.drifted.iter().map(|e| &e.key).collect();
    let mut tables = Vec::new();
    let mut errors = Vec::new();
    for name in &args.tables {
        match plan::resolve_table(&prod, &report, &drifted, name) {
            Ok(key) if !tables.contains(&key.name) => tables.push(key.name),
            Ok(_) => {}
            Err(e) => errors.push(format!("{e:#}")),
        }
    }
    if !errors.is_empty() {
        bail!("{}", errors.join("; "));
    }
    let triage::DropPlan { order, orphans } = triage::plan_drop(&prod, &history, &report, &tables)?;
    let counts = exact_counts(&mut snapshot, &prod, &order)?;
    print_drop_plan(&order, &counts, &orphans, &args.write.backup_dir, out)?;
    if args.write.dry_run {
        writeln!(out, "\nDry run: nothing was written.")?;
        return Ok(());
    }
    if !args.write.yes
        && !confirm(
            &format!(
                "Back up and write drop migrations for {} table(s)?",
                order.len()
            ),
            false,
        )?
    {
        writeln!(out, "Nothing was written.")?;
        return Ok(());
    }
    let backups = take_backups(
        &mut snapshot,
        &renderer,
        &prod,
        &order,
        &args.write.backup_dir,
        &target.display,
        out,
    )?;
    snapshot.finish()?;
    let outputs = drop_files(
        &renderer,
        &prod,
        &order,
        &orphans,
        &backups,
        migrations,
        history.files.last().map(|f| f.version.as_str()),
    )?;
    write::files(migrations, &outputs)?;
    for o in &outputs {
        writeln!(out, "Wrote {}", migrations.join(&o.name).display())?;
    }
    audit(settings, &audit_line(0, &backups, &[]), out)
}

/// `Drift resolved - imported 49 tables, dropped x (12 rows backed up), marked y as system`.
pub(super) fn audit_line(
    imported_tables: usize,
    backups: &[backup::Backup],
    entries: &[SystemEntry],
) -> String {
    let mut parts = Vec::new();
    if imported_tables > 0 {
        parts.push(format!("imported {imported_tables} tables"));
    }
    for b in backups {
        parts.push(format!("dropped {} ({} rows backed up)", b.table, b.rows));
    }
    if !entries.is_empty() {
        let names: Vec<&str> = entries.iter().map(|e| e.name.as_str()).collect();
        parts.push(format!("marked {} as system", names.join(", ")));
    }
    format!("Drift resolved - {}", parts.join(", "))
}

/// The backup folder must not be the migrations folder or inside it.
pub(super) fn check_backup_dir(dir: &Path, migrations: &Path) -> Result<()> {
    let absolute = |p: &Path| -> PathBuf {
        let p = std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
        p.canonicalize().unwrap_or(p)
    };
    if absolute(dir).starts_with(absolute(migrations)) {
        bail!(
            "the backup folder {} is inside the migrations folder: backups may hold personal data and are not migrations; pass another --backup-dir",
            dir.display()
        );
    }
    Ok(())
}

/// `count(*)` of each table, in the snapshot.
pub(super) fn exact_counts(
    snapshot: &mut Snapshot,
    prod: &Schema,
    tables: &[QualifiedName],
) -> Result<Vec<i64>> {
    let mut counts = Vec::new();
    for t in tables {
        let rows = snapshot
            .query(
                &format!("SELECT count(*) FROM {}", triage::own_rows(prod, t)),
                &[],
            )
            .with_context(|| format!("counting the rows of {t}"))?;
        counts.push(rows.first().map(|r| r.get::<_, i64>(0)).unwrap_or(0));
    }
    Ok(counts)
}

pub(super) fn print_drop_plan(
    order: &[QualifiedName],
    counts: &[i64],
    orphans: &[ObjectKey],
    backup_dir: &Path,
    out: &mut impl Write,
) -> Result<()> {
    writeln!(out, "Drop plan:")?;
    for (t, n) in order.iter().zip(counts) {
        writeln!(
            out,
            "  drop table {t} ({n} rows, backed up to {} first)",
            backup_dir.display()
        )?;
    }
    for o in orphans {
        writeln!(out, "  drop {o} (only the dropped tables use it)")?;
    }
    Ok(())
}

/// Backs up every table, in the snapshot, before anything else is written.
pub(super) fn take_backups(
    snapshot: &mut Snapshot,
    renderer: &Renderer,
    prod: &Schema,
    tables: &[QualifiedName],
    dir: &Path,
    source: &str,
    out: &mut impl Write,
) -> Result<Vec<backup::Backup>> {
    backup::prepare_dir(dir)?;
    let stamp = plan::version::now();
    let mut backups = Vec::new();
    for t in tables {
        let b = backup::write(snapshot, renderer, prod, t, dir, &stamp, source)?;
        writeln!(
            out,
            "Backed up {} rows of {t} to {}",
            b.rows,
            b.path.display()
        )?;
        backups.push(b);
    }
    writeln!(
        out,
        "note: backups may hold personal data; {} has a .gitignore so that git leaves them out",
        dir.display()
    )?;
    Ok(backups)
}

/// One drop migration per table, dated after `after` (the last migration), each dropping the
/// objects only it used.
pub(super) fn drop_files(
    renderer: &Renderer,
    prod: &Schema,
    order: &[QualifiedName],
    orphans: &[ObjectKey],
    backups: &[backup::Backup],
    dir: &Path,
    after: Option<&str>,
) -> Result<Vec<Output>> {
    let versions = plan::version::between(after, None, order.len())?;
    let author = git_author(dir);
    let date = date_text(&plan::version::now());
    let mut outputs = Vec::new();
    for (i, (table, version)) in order.iter().zip(versions).enumerate() {
        // The objects that only the dropped tables use go with the last of them.
        let objects: &[ObjectKey] = if i + 1 == order.len() { orphans } else { &[] };
        let b = backups.iter().find(|b| &b.table == table);
        let backup_text = b.map(|b| b.path.display().to_string()).unwrap_or_default();
        let rows = b.map_or(0, |b| b.rows);
        let body = renderer.drop_table(prod, table, objects, &backup_text, rows)?;
        let mut description = format!(
            "Drops {table}, which production has and no migration declares, after its {rows} row(s) were backed up to {backup_text}. On a database where the table never existed (a replay of the history) it does nothing."
        );
        if !objects.is_empty() {
            let list: Vec<String> = objects.iter().map(|o| o.to_string()).collect();
            description.push_str(&format!(
                " It also drops what only the dropped tables used: {}.",
                list.join(", ")
            ));
        }
        let header = FileHeader {
            title: format!("Drop table {table}"),
            author: author.clone(),
            date: date.clone(),
            description,
        };
        let rollback = format!(
            "psql -v ON_ERROR_STOP=1 -f {backup_text} \"$DATABASE_URL\"  -- restores the columns and rows"
        );
        let contents = renderer.file(&header, &[body], &[rollback])?;
        pg_query::split_with_parser(&contents)
            .map_err(|e| anyhow::anyhow!("rendering the drop of {table}: the SQL does not parse ({e}); this is a bug in pgdrift"))?;
        outputs.push(Output {
            name: format!("{version}_drop_{}.sql", plan::file_stem(&table.name)),
            contents,
        });
    }
    Ok(outputs)
}

pub fn mark_system(
    settings: &Settings,
    db_url: Option<&str>,
    args: &MarkSystemArgs,
    out: &mut impl Write,
) -> Result<()> {
    let history = history::parse_dir(&settings.migrations)?;
    let path = settings
        .source
        .clone()
        .unwrap_or_else(|| PathBuf::from(DEFAULT_FILE));
    let text = read_or_empty(&path)?;
    let target = Target::resolve(db_url)?;
    let mut client = target.connect()?;
    let (snapshot, prod, report) = read(settings, &mut client, &history, &target.display)?;
    snapshot.finish()?;
    let date = today();
    let mut entries = Vec::new();
    let mut errors = Vec::new();
    for pattern in &args.patterns {
        match system_entry(&prod, &report, pattern, &args.reason, &date) {
            Ok(entry) => entries.push(entry),
            Err(e) => errors.push(format!("{e:#}")),
        }
    }
    if !errors.is_empty() {
        bail!("{}; pgdrift.toml was not changed", errors.join("; "));
    }
    let updated =
        edit::add_system(&text, &entries).with_context(|| format!("editing {}", path.display()))?;
    for warning in reference_warnings(&prod, &history, &entries) {
        writeln!(out, "warning: {warning}")?;
    }
    write::replace(&path, &updated).with_context(|| format!("writing {}", path.display()))?;
    let names: Vec<String> = entries.iter().map(|e| e.name.clone()).collect();
    writeln!(
        out,
        "Marked as system in {}: {}",
        path.display(),
        names.join(", ")
    )?;
    let reason = if args.reason.is_empty() {
        String::new()
    } else {
        format!(" ({})", args.reason)
    };
    audit(
        settings,
        &format!(
            "Drift resolved - marked {} as system{reason}",
            names.join(", ")
        ),
        out,
    )
}

/// The entry for one pattern: an exact name must be a drifted object of production (its
/// schema found when left out); a pattern is recorded as written.
fn system_entry(
    prod: &Schema,
    report: &Report,
    pattern: &str,
    reason: &str,
    date: &str,
) -> Result<SystemEntry> {
    let mut entry = SystemEntry {
        name: pattern.trim().to_string(),
        reason: reason.to_string(),
        date: Some(date.to_string()),
    };
    entry.pattern()?;
    if entry.is_glob() {
        return Ok(entry);
    }
    let named = QualifiedName::parse(pattern, "")
        .ok_or_else(|| anyhow::anyhow!("`{pattern}` is not a name"))?;
    let found: Vec<&Entry> = report
        .drifted
        .iter()
        .chain(&report.tracked)
        .chain(&report.system)
        .filter(|e| {
            e.key.name.name == named.name
                && (named.schema.is_empty() || e.key.name.schema == named.schema)
        })
        .collect();
    let Some(first) = found.first() else {
        bail!(
            "{pattern} is not in production's managed schemas ({}): check the name, or pass --schema",
            prod.schemas.join(", ")
        );
    };
    let same = found.iter().all(|e| e.key.name == first.key.name);
    if !same {
        bail!("{pattern} is ambiguous: write it as schema.name");
    }
    let name = &first.key.name;
    if report.tracked.iter().any(|e| &e.key.name == name) {
        bail!("{name} is declared by a migration, so it is not drift: leave it out of the system list");
    }
    if report.system.iter().any(|e| &e.key.name == name) {
        bail!("{name} is already listed as system in pgdrift.toml");
    }
    entry.name = name.to_string();
    Ok(entry)
}

use crate::drift::Entry;

/// Warnings for tables the migrations keep (or will, once imported) that need a table now
/// marked system: a replay of the migrations has no such table.
pub(super) fn reference_warnings(
    prod: &Schema,
    history: &history::History,
    entries: &[SystemEntry],
) -> Vec<String> {
    let system = |n: &QualifiedName| entries.iter().any(|e| e.matches(n));
    let mut out = Vec::new();
    for t in prod.tables.keys().filter(|n| system(n)) {
        if let Some(&first) = history.files_referencing(t).first() {
            let file = history.files[first].path.display();
            out.push(format!(
                "migration {file} names {t}: a replay of the migrations fails there without it; consider `pgdrift import {t}` instead"
            ));
        }
    }
    for t in prod.tables.values().filter(|t| !system(&t.name)) {
        for c in &t.constraints {
            if let Some(target) = c
                .references
                .as_ref()
                .filter(|r| c.kind == ConstraintKind::ForeignKey && system(r))
            {
                out.push(format!(
                    "{} references {target} (foreign key {}): a replay of the migrations fails without {target}; consider `pgdrift import {target}` instead",
                    t.name, c.name
                ));
            }
        }
    }
    for d in &prod.dependencies {
        if d.to.kind == ObjectKind::Table
            && system(&d.to.name)
            && !system(&d.from.name)
            && d.from.kind != ObjectKind::Table
        {
            out.push(format!(
                "{} depends on {}: a replay of the migrations fails without it; consider `pgdrift import {}` instead",
                d.from, d.to.name, d.to.name
            ));
        }
    }
    out.dedup();
    out
}

pub fn inventory(
    settings: &Settings,
    db_url: Option<&str>,
    args: &InventoryArgs,
    out: &mut impl Write,
) -> Result<()> {
    let path = args
        .out
        .clone()
        .or_else(|| settings.audit_log.clone())
        .unwrap_or_else(|| PathBuf::from(inventory::DEFAULT_FILE));
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => bail!("reading {}: {e}; pass --out PATH", path.display()),
    };
    let history = history::parse_dir(&settings.migrations)?;
    let target = Target::resolve(db_url)?;
    let mut client = target.connect()?;
    let (snapshot, prod, report) = read(settings, &mut client, &history, &target.display)?;
    snapshot.finish()?;
    let generated = inventory::generated(&report, &prod, &settings.system, &today());
    let updated = inventory::replace_generated(&text, &generated);
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| {
            anyhow::anyhow!("cannot create {}: {e}; pass --out PATH", parent.display())
        })?;
    }
    write::replace(&path, &updated).with_context(|| format!("writing {}", path.display()))?;
    writeln!(out, "Wrote the inventory to {}.", path.display())?;
    Ok(())
}
