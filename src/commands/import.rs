//! `pgdrift import`: plan, render, confirm, write; then say how to record the new versions.

use crate::cli::ImportArgs;
use crate::config::Settings;
use crate::model::{ObjectKind, Part, QualifiedName, Schema};
use crate::plan::{self, Plan, Selection};
use crate::production::{self, Production, Reading};
use crate::progress::{self, Progress};
use crate::render::{FileHeader, Renderer};
use crate::write::{self, Output};
use crate::{db, drift, history};
use anyhow::{bail, Context, Result};
use std::borrow::Cow;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

pub fn run(
    settings: &Settings,
    db_url: Option<&str>,
    args: &ImportArgs,
    out: &mut impl Write,
) -> Result<()> {
    let dir = args
        .out
        .clone()
        .unwrap_or_else(|| settings.migrations.clone());
    if args.mark_applied && !args.yes && !std::io::stdin().is_terminal() {
        bail!("--mark-applied writes to production and needs a confirmation: run it in a terminal or pass --yes");
    }
    // Everything that can fail without production is checked before production is read.
    let renderer = Renderer::new(args.templates.as_deref())?;
    let history = history::parse_dir(&settings.migrations)?;
    if !args.dry_run {
        write::check_dir(&dir)?;
    }
    // With a replay, production is compared without its system objects all along. An
    // import of everything also reads the tables outside the managed schemas that the
    // application adds policies and triggers to.
    let reading = match args.scratch_url.is_some() || args.all {
        true => Reading::Replay(&history),
        false => Reading::Report,
    };
    let production = production::read(settings, db_url, reading)?;
    let managed = match &args.scratch_url {
        Some(_) => production.without_system(),
        None => &production.schema,
    };
    let (with_outside, outside_parts) = match args.all {
        true => with_app_parts(managed, &production.outside, &history, settings),
        false => (Cow::Borrowed(managed), Vec::new()),
    };
    let prod: &Schema = &with_outside;
    let selection = if args.all {
        Selection::All
    } else {
        Selection::Tables(&args.tables)
    };
    let options = plan::Options {
        single_file: args.single_file.clone(),
        everything: args.all,
        outside_parts,
    };
    let mut plan = planned(prod, &history, settings, &selection, &options)?;
    // A self-check replays the files, so they are held in memory; otherwise each file is
    // written to a hidden temporary name as soon as it is rendered, and put in place after
    // the confirmation (or removed without it).
    let files = match &args.scratch_url {
        Some(url) => {
            let outputs = render(&renderer, prod, None, &plan, &dir)?;
            Rendered::Held(self_check(
                &renderer,
                &production,
                &history,
                &mut plan,
                outputs,
                url,
                &dir,
            )?)
        }
        None if args.dry_run || plan.files.is_empty() => {
            render_each(&renderer, prod, None, &plan, &dir, |_, _| Ok(()))?;
            Rendered::Checked
        }
        None => {
            let names: Vec<&str> = plan.files.iter().map(|f| f.file_name.as_str()).collect();
            let mut staged = write::Staged::begin(&dir, &names)?;
            render_each(&renderer, prod, None, &plan, &dir, |name, contents| {
                staged.add(name, &contents)
            })?;
            Rendered::Staged(staged)
        }
    };
    if plan.files.is_empty() {
        writeln!(out, "Nothing to import: production has no drifted object.")?;
        return Ok(());
    }
    print_plan(&plan, &history, out)?;
    if args.dry_run {
        writeln!(out, "\nDry run: nothing was written.")?;
        return Ok(());
    }
    if args.mark_applied {
        check_migrations_table(db_url, settings)?;
    }
    if !args.yes
        && !confirm(
            &format!("Write {} file(s) to {}?", plan.files.len(), dir.display()),
            true,
        )?
    {
        writeln!(out, "Nothing was written.")?;
        return Ok(());
    }
    let written = match files {
        Rendered::Held(outputs) => write::files(&dir, &outputs)?,
        Rendered::Staged(staged) => staged.commit()?,
        Rendered::Checked => Vec::new(),
    };
    writeln!(
        out,
        "\nWrote {} file(s) to {}.",
        written.len(),
        dir.display()
    )?;
    next_steps(&plan, settings, db_url, args, out)?;
    super::triage::audit(settings, &import_summary(&plan), out)
}

/// The rendered files of an import, until they are written.
enum Rendered {
    /// In memory, as the self-check replayed them.
    Held(Vec<Output>),
    /// Written to temporary names, waiting for the confirmation.
    Staged(write::Staged),
    /// Rendered and checked, kept nowhere: a dry run, or nothing to write.
    Checked,
}

/// `managed` with the tables outside the managed schemas that hold parts the application
/// made (see `Schema::app_parts`), and those parts: the tables are there to render the
/// parts, never to be created. Parts a migration adds, and those of tables on the system
/// list, are left out.
fn with_app_parts<'m>(
    managed: &'m Schema,
    outside: &Schema,
    history: &history::History,
    settings: &Settings,
) -> (Cow<'m, Schema>, Vec<(QualifiedName, Part)>) {
    let added = |table: &QualifiedName, part: &Part| {
        history.additions.iter().any(|a| {
            a.target == *table
                && match part {
                    Part::Policy(n) => a.part == ObjectKind::Policy && a.name == *n,
                    Part::Trigger(n) => a.part == ObjectKind::Trigger && a.name == *n,
                    _ => false,
                }
        })
    };
    let parts: Vec<(QualifiedName, Part)> = outside
        .app_parts(&managed.schemas)
        .into_iter()
        .filter(|(table, part)| {
            !added(table, part) && !settings.system.iter().any(|e| e.matches(table))
        })
        .collect();
    if parts.is_empty() {
        return (Cow::Borrowed(managed), parts);
    }
    let mut model = managed.clone();
    for (table, _) in &parts {
        if let Some(t) = outside.tables.get(table) {
            model
                .tables
                .entry(table.clone())
                .or_insert_with(|| t.clone());
        }
    }
    model.dependencies.extend(
        outside
            .dependencies
            .iter()
            .filter(|d| parts.iter().any(|(t, p)| *t == d.from.name && *p == d.part))
            .cloned(),
    );
    (Cow::Owned(model), parts)
}

/// The import of the `selection` of production's drifted objects.
pub(super) fn planned(
    prod: &Schema,
    history: &history::History,
    settings: &Settings,
    selection: &Selection,
    options: &plan::Options,
) -> Result<Plan> {
    let report = drift::compare(prod, history, &settings.system)?;
    let mut objects = plan::objects(prod, &report, selection)?;
    // The model may hold tables of other schemas for their parts (`with_app_parts`).
    objects.retain(|key| prod.schemas.contains(&key.name.schema));
    if objects.is_empty() && !options.everything {
        return Ok(Plan::default());
    }
    plan::build(prod, history, &objects, options)
}

/// `Drift resolved - imported 3 tables (public.a, public.b, public.c) and 2 other objects`.
fn import_summary(plan: &Plan) -> String {
    let items = plan.files.iter().flat_map(|f| &f.items);
    let mut tables = Vec::new();
    let mut others = 0;
    for item in items {
        match item {
            plan::Item::Table(t) => tables.push(t.name.to_string()),
            plan::Item::TablePart { .. } => {}
            _ => others += 1,
        }
    }
    let listed = if tables.len() <= 5 {
        format!(" ({})", tables.join(", "))
    } else {
        String::new()
    };
    let mut text = format!(
        "Drift resolved - imported {} table(s){listed}",
        tables.len()
    );
    if others > 0 {
        text.push_str(&format!(" and {others} other object(s)"));
    }
    text
}

/// With a scratch server: replays the history and the new files, adds catch-up files for
/// what still differs inside migration-made objects, and replays everything again. Files
/// that would not reproduce production are refused, with the first differences.
fn self_check(
    renderer: &Renderer,
    production: &Production,
    history: &history::History,
    plan: &mut Plan,
    outputs: Vec<Output>,
    scratch_url: &str,
    dir: &Path,
) -> Result<Vec<Output>> {
    let (replayed, differences) = replay_with(production, history, &outputs, scratch_url, dir)?;
    let last = plan
        .files
        .iter()
        .map(|f| f.version.clone())
        .chain(history.files.last().map(|f| f.version.clone()))
        .max();
    let catch_up = plan::catchup::files(
        production.without_system(),
        &replayed,
        &differences,
        last.as_deref(),
        history.files.len(),
    )?;
    let extra = Plan { files: catch_up };
    let mut all = outputs;
    all.extend(render(
        renderer,
        production.without_system(),
        Some(&replayed),
        &extra,
        dir,
    )?);
    plan.files.extend(extra.files);
    let (_, differences) = replay_with(production, history, &all, scratch_url, dir)?;
    if !differences.is_empty() {
        let first: Vec<String> = differences.iter().take(5).map(|d| d.to_string()).collect();
        bail!(
            "the new files would not reproduce production ({} difference(s), first: {}); nothing was written",
            differences.len(),
            first.join("; ")
        );
    }
    Ok(all)
}

/// The history plus `outputs`, in file name order, replayed into a scratch database: its
/// schema and how it differs from production.
fn replay_with(
    production: &Production,
    history: &history::History,
    outputs: &[Output],
    scratch_url: &str,
    dir: &Path,
) -> Result<(Schema, Vec<crate::diff::Difference>)> {
    let files = with_outputs(history, outputs, dir)?;
    let replayed = crate::verify::replay_files(production, history, &files, scratch_url, None)?;
    match (replayed.schema, replayed.failure) {
        (Some(schema), _) => Ok((schema, replayed.differences)),
        (None, failure) => bail!(
            "the new files would not replay ({}); nothing was written",
            failure.map(|f| f.to_string()).unwrap_or_default()
        ),
    }
}

/// The migration files with their text and `outputs` (files not written, as if in `dir`),
/// in file name order: the order a replay runs them in.
pub(super) fn with_outputs(
    history: &history::History,
    outputs: &[Output],
    dir: &Path,
) -> Result<Vec<(PathBuf, String)>> {
    let mut files = history.texts()?;
    files.extend(
        outputs
            .iter()
            .map(|o| (dir.join(&o.name), o.contents.clone())),
    );
    files.sort_by(|a, b| a.0.file_name().cmp(&b.0.file_name()));
    Ok(files)
}

/// Renders every file into memory: what a self-check replays, and what `drop` and `resolve`
/// write with the tables' backups.
pub(super) fn render(
    renderer: &Renderer,
    schema: &Schema,
    replayed: Option<&Schema>,
    plan: &Plan,
    dir: &Path,
) -> Result<Vec<Output>> {
    let mut outputs = Vec::with_capacity(plan.files.len());
    render_each(renderer, schema, replayed, plan, dir, |name, contents| {
        outputs.push(Output {
            name: name.to_string(),
            contents,
        });
        Ok(())
    })?;
    Ok(outputs)
}

/// Files rendered at once, at most: workers stay ahead of the one taking the files, and the
/// files waiting take little memory.
const RENDERED_AHEAD: usize = 32;

/// Room for the C parser that checks each rendered file (a view's long `||` chain nests
/// deep). Only the pages used are committed.
const RENDER_STACK: usize = 64 << 20;

/// Renders the plan's files and hands each to `take`, in plan order, as soon as it is made,
/// so that no caller needs every file's text at once. On two or more cores the files are
/// rendered on worker threads. The first failure, in plan order, stops the rendering.
pub(super) fn render_each(
    renderer: &Renderer,
    schema: &Schema,
    replayed: Option<&Schema>,
    plan: &Plan,
    dir: &Path,
    mut take: impl FnMut(&str, String) -> Result<()>,
) -> Result<()> {
    let author = git_author(dir);
    let date = date_text(&plan::version::now());
    let progress = Progress::bar(plan.files.len(), "rendering files");
    let one = |file: &plan::PlannedFile| {
        progress.inc();
        render_file(renderer, schema, replayed, file, &author, &date)
    };
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    if workers < 2 || plan.files.len() < 2 * RENDERED_AHEAD {
        for file in &plan.files {
            take(&file.file_name, one(file)?)?;
        }
        return Ok(());
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        let (sender, rendered) = std::sync::mpsc::sync_channel(RENDERED_AHEAD);
        for _ in 0..workers {
            let sender = sender.clone();
            let (next, one) = (&next, &one);
            let worker = move || loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(file) = plan.files.get(i) else {
                    break;
                };
                // The receiver is gone after a failure: there is nothing more to do.
                if sender.send((i, one(file))).is_err() {
                    break;
                }
            };
            std::thread::Builder::new()
                .name("pgdrift-render".into())
                .stack_size(RENDER_STACK)
                .spawn_scoped(scope, worker)
                .map_err(|e| anyhow::anyhow!("cannot start a thread to render the files ({e}): free some memory and retry"))?;
        }
        drop(sender);
        // Files come back in any order; they are handed on in plan order.
        let mut waiting = std::collections::BTreeMap::new();
        let mut due = 0;
        for (i, contents) in rendered.iter() {
            waiting.insert(i, contents);
            while let Some(contents) = waiting.remove(&due) {
                take(&plan.files[due].file_name, contents?)?;
                due += 1;
            }
        }
        Ok(())
    })
}

/// One planned file's text, checked to parse.
fn render_file(
    renderer: &Renderer,
    schema: &Schema,
    replayed: Option<&Schema>,
    file: &plan::PlannedFile,
    author: &Option<String>,
    date: &str,
) -> Result<String> {
    let mut bodies = Vec::new();
    let mut rollbacks = Vec::new();
    // What a catch-up drops exists in the replay, so it is rendered from there.
    for item in &file.drops {
        let from = replayed.unwrap_or(schema);
        bodies.extend(renderer.rollback(from, item)?);
    }
    bodies.extend(renderer.bodies(schema, &file.items)?);
    for item in &file.items {
        rollbacks.extend(renderer.rollback(schema, item)?);
    }
    let header = FileHeader {
        title: file.title.clone(),
        author: author.clone(),
        date: date.to_string(),
        description: file.description.clone(),
    };
    let contents = renderer
        .file(&header, &bodies, &rollbacks)
        .with_context(|| format!("rendering {}", file.file_name))?;
    // Parsing in C only: a tree thousands of levels deep (a long `||` chain in a view)
    // is never decoded here.
    pg_query::split_with_parser(&contents)
        .map_err(|e| anyhow::anyhow!("rendering {}: the SQL does not parse ({e}); this is a bug in pgdrift or in a --templates file", file.file_name))?;
    Ok(contents)
}

/// `git config user.name` in the output folder, when git knows it.
pub(super) fn git_author(dir: &Path) -> Option<String> {
    let out = std::process::Command::new("git")
        .args(["config", "user.name"])
        .current_dir(dir)
        .output()
        .ok()?;
    let name = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (out.status.success() && !name.is_empty()).then_some(name)
}

/// `20261128093000` → `2026-11-28`: the `-- Date:` of a migration header.
pub(super) fn date_text(version: &str) -> String {
    let v = version.get(..8).unwrap_or(version);
    match (v.get(..4), v.get(4..6), v.get(6..8)) {
        (Some(y), Some(m), Some(d)) => format!("{y}-{m}-{d}"),
        _ => version.to_string(),
    }
}

fn print_plan(plan: &Plan, history: &history::History, out: &mut impl Write) -> Result<()> {
    writeln!(out, "Import plan: {} file(s)", plan.files.len())?;
    let mut slot = usize::MAX;
    for file in &plan.files {
        if file.slot != slot {
            slot = file.slot;
            let place = match history.files.get(slot) {
                Some(next) => format!("before {}", next.path.display()),
                None if history.files.is_empty() => "in an empty history".to_string(),
                None => "after the last migration".to_string(),
            };
            writeln!(out, "\n  {place}:")?;
        }
        let count = file.items.len() + file.drops.len();
        let plural = if count == 1 { "" } else { "s" };
        writeln!(out, "    {} ({count} item{plural})", file.file_name)?;
    }
    Ok(())
}

/// Asks a yes/no question on the terminal; without one, the default stands. Ctrl-C is "no".
pub(super) fn confirm(question: &str, default: bool) -> Result<bool> {
    if !std::io::stdin().is_terminal() {
        return Ok(default);
    }
    let _prompt = progress::prompt();
    Ok(dialoguer::Confirm::new()
        .with_prompt(question)
        .default(default)
        .interact_opt()?
        .unwrap_or(false))
}

fn next_steps(
    plan: &Plan,
    settings: &Settings,
    db_url: Option<&str>,
    args: &ImportArgs,
    out: &mut impl Write,
) -> Result<()> {
    let versions: Vec<&str> = plan.files.iter().map(|f| f.version.as_str()).collect();
    if args.mark_applied {
        return mark_applied(&versions, plan, settings, db_url, args, out);
    }
    writeln!(
        out,
        "\nProduction already has what these files create. Record them as applied there, or the next \
         `supabase db push` will run them again:\n  supabase migration repair --status applied {}\n\
         (or run pgdrift import again with --mark-applied)",
        versions.join(" ")
    )?;
    Ok(())
}

/// `--mark-applied` needs the Supabase CLI's history table: checked before any file is written.
fn check_migrations_table(db_url: Option<&str>, settings: &Settings) -> Result<()> {
    let mut client = db::Target::resolve(db_url)?.connect()?;
    let mut snapshot = db::Snapshot::begin(&mut client, settings.statement_timeout)?;
    let rows = snapshot.query(
        "SELECT to_regclass('supabase_migrations.schema_migrations') IS NOT NULL",
        &[],
    )?;
    let exists: bool = rows.first().map(|r| r.get(0)).unwrap_or(false);
    snapshot.finish()?;
    if !exists {
        bail!(
            "--mark-applied records versions in supabase_migrations.schema_migrations, which production \
             does not have: leave out --mark-applied and record the versions with your migration tool"
        );
    }
    Ok(())
}

/// Inserts the new versions into `supabase_migrations.schema_migrations`, after confirmation.
fn mark_applied(
    versions: &[&str],
    plan: &Plan,
    _settings: &Settings,
    db_url: Option<&str>,
    args: &ImportArgs,
    out: &mut impl Write,
) -> Result<()> {
    let target = db::Target::resolve(db_url)?;
    let question = format!(
        "Record {} version(s) as applied in {} (a write to production)?",
        versions.len(),
        target.display
    );
    if !args.yes && !confirm(&question, false)? {
        writeln!(out, "Production was not changed. To record the versions later:\n  supabase migration repair --status applied {}", versions.join(" "))?;
        return Ok(());
    }
    let mut client = target.connect()?;
    let mut tx = client
        .transaction()
        .context("starting a transaction on production")?;
    for file in &plan.files {
        let name = file
            .file_name
            .trim_end_matches(".sql")
            .split_once('_')
            .map_or("", |(_, n)| n);
        tx.execute(
            "INSERT INTO supabase_migrations.schema_migrations (version, name) VALUES ($1, $2) ON CONFLICT (version) DO NOTHING",
            &[&file.version, &name],
        )
        .map_err(|e| anyhow::anyhow!("recording version {}: {}", file.version, db::describe_db_error(&e)))?;
    }
    tx.commit().context("committing the recorded versions")?;
    writeln!(
        out,
        "Recorded {} version(s) as applied in production.",
        versions.len()
    )?;
    Ok(())
}
