//! Reads the migration folder and folds its statements, in filename order, into what they
//! declare: the objects that exist once every migration ran, the names each file mentions,
//! and the parts (columns, indexes, policies...) each file adds to an object.
//!
//! Statements are parsed with pg_query. Literal SQL inside `DO` blocks is folded like any
//! other statement; dynamic SQL (`EXECUTE`) cannot be read and becomes a [`Warning`].

mod additions;
mod changes;
mod fold;
mod names;
mod native;
mod plpgsql;
mod search_path;
mod tree;
mod walk;

#[cfg(test)]
mod tests;

use crate::model::{ObjectKey, ObjectKind, QualifiedName};
use crate::progress::Progress;
use anyhow::{bail, Context};
use indexmap::IndexMap;
use std::fs;
use std::path::{Path, PathBuf};

/// One migration file, `<version>_<name>.sql`.
#[derive(Clone, Debug)]
pub struct MigrationFile {
    pub version: String,
    pub name: String,
    pub path: PathBuf,
}

/// Something the static reading could not resolve, with where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    pub path: PathBuf,
    pub line: usize,
    pub message: String,
}

/// Where an object of the final declared state comes from. File indexes point into
/// `History::files`.
#[derive(Clone, Debug, Default)]
pub struct Declaration {
    pub created_in: usize,
    /// Files that alter the object after creating it (renames, `ALTER`, `CREATE OR REPLACE`,
    /// indexes, policies, triggers, comments and grants on it), in order. The creating file
    /// itself is not repeated here.
    pub altered_in: Vec<usize>,
    /// Earlier names (renames or schema moves), oldest first.
    pub renamed_from: Vec<QualifiedName>,
}

/// A rename or schema move made by a migration, whether or not the object was declared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rename {
    pub file: usize,
    /// The declared object's kind, or the kind the statement names (`ALTER TABLE` gives
    /// `Table` even for a view that no migration declares).
    pub kind: ObjectKind,
    pub from: QualifiedName,
    pub to: QualifiedName,
    /// Input argument types of a renamed routine, when the statement or the declaration
    /// gives them.
    pub signature: Option<String>,
    /// False when no migration declared the object: a hand-made object was renamed, and the
    /// new name is not declared.
    pub declared: bool,
}

/// One part a file adds to a table, view, type, sequence or routine, named as it was
/// named at that point of the history (see `History::renames` for later names).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Addition {
    pub file: usize,
    pub target: QualifiedName,
    /// A column, constraint, index, policy, trigger, enum value, row level security,
    /// comment or grant.
    pub part: ObjectKind,
    /// The part's name. Unnamed constraints and indexes get the name PostgreSQL chooses
    /// (`t_pkey`, `t_user_id_fkey`, `t_a_b_idx`), without its numeric suffix on a clash.
    /// For row level security `enable` or `force`; for a comment, empty for the object
    /// itself, else the commented column, constraint, trigger or policy; for a grant, the
    /// privilege in upper case, with its columns if any (`SELECT`, `UPDATE (a, b)`, `ALL`).
    pub name: String,
}

/// The result of reading a migration folder.
#[derive(Clone, Debug, Default)]
pub struct History {
    pub files: Vec<MigrationFile>,
    /// Entries of the folder that are not read: files (or links that cannot be followed)
    /// whose name is not `<digits>_<name>.sql`, and folders whose name is.
    pub skipped: Vec<PathBuf>,
    /// The declared state after every file: what exists if all migrations ran.
    pub declared: IndexMap<ObjectKey, Declaration>,
    /// For every relation, type or routine name that a file mentions (creates, alters,
    /// references, drops), the files that mention it, in order. Unqualified names are
    /// resolved with the file's `search_path`; built-in types and `pg_catalog` names are
    /// left out. The new name of a rename is in `renames`, not here. Over-approximates
    /// (a CTE name, a built-in function called without `pg_catalog.`).
    pub references: IndexMap<QualifiedName, Vec<usize>>,
    pub warnings: Vec<Warning>,
    /// Every rename and schema move, in history order.
    pub renames: Vec<Rename>,
    /// Parts that files add to existing objects, in history order.
    pub additions: Vec<Addition>,
    /// `ALTER TABLE t RENAME COLUMN a TO b`, in history order.
    pub column_renames: Vec<ColumnRename>,
    /// Each schema a file creates (`CREATE SCHEMA`), with the first file that does.
    pub schemas: IndexMap<String, usize>,
    /// Each extension a file creates (`CREATE EXTENSION`), with the first file that does.
    pub extensions: IndexMap<String, usize>,
    /// The first file that sets default privileges (`ALTER DEFAULT PRIVILEGES`).
    pub default_privileges: Option<usize>,
    /// Each publication a file creates, with the first file that does.
    pub publications: IndexMap<String, usize>,
    /// The tables files add to a publication (`CREATE PUBLICATION ... FOR TABLE`, `ALTER
    /// PUBLICATION ... ADD TABLE`), by publication.
    pub published: IndexMap<String, Vec<QualifiedName>>,
}

/// A column renamed by a migration, under the table's name at that point of the history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnRename {
    pub file: usize,
    pub table: QualifiedName,
    pub from: String,
    pub to: String,
}

impl History {
    /// Each migration file with its text, read again with the rule `parse_dir` reads it
    /// with (see [`read_text`]): what a replay runs is what was parsed.
    pub fn texts(&self) -> anyhow::Result<Vec<(PathBuf, String)>> {
        self.files
            .iter()
            .map(|f| Ok((f.path.clone(), read_text(&f.path)?)))
            .collect()
    }

    /// The files that mention `name`, in order; empty when none does.
    pub fn files_referencing(&self, name: &QualifiedName) -> &[usize] {
        self.references.get(name).map_or(&[], Vec::as_slice)
    }

    /// The first file that mentions `name`.
    pub fn first_reference(&self, name: &QualifiedName) -> Option<usize> {
        self.files_referencing(name).first().copied()
    }

    /// The parts that files add to `target`, in history order.
    pub fn additions_to(&self, target: &QualifiedName) -> impl Iterator<Item = &Addition> + '_ {
        let target = target.clone();
        self.additions.iter().filter(move |a| a.target == target)
    }
}

/// Reads every migration file of `dir`, in filename order, and folds them into a history.
/// Symbolic links are followed. An entry named like a migration that cannot be read as a
/// file (a dangling link, a link loop, a pipe, a name that is not UTF-8) stops the reading:
/// leaving it out would report its objects as drift.
pub fn parse_dir(dir: &Path) -> anyhow::Result<History> {
    check_folder(dir)?;
    let mut entries = Vec::new();
    let listing = fs::read_dir(dir)
        .with_context(|| format!("reading migrations folder {}", dir.display()))?;
    for entry in listing {
        let entry =
            entry.with_context(|| format!("reading migrations folder {}", dir.display()))?;
        entries.push((entry.file_name(), entry.path()));
    }
    entries.sort();

    let mut sources = Vec::new();
    let mut skipped = Vec::new();
    for (name, path) in entries {
        let named_like_migration = is_migration_name(&name);
        match fs::metadata(&path) {
            Ok(meta) if meta.is_file() => match migration_file(&path) {
                Some(file) => {
                    let text = read_text(&path)?;
                    sources.push((file, text));
                }
                None if named_like_migration => bail!(
                    "{}: the file name is not valid UTF-8, so pgdrift cannot name this migration: rename the file",
                    path.display()
                ),
                None => skipped.push(path),
            },
            // Other folders (an archive of old migrations...) are not pgdrift's business.
            Ok(meta) if meta.is_dir() => {
                if named_like_migration {
                    skipped.push(path);
                }
            }
            Ok(_) if named_like_migration => bail!(
                "{}: not a regular file (a pipe, socket or device), so the migration cannot be read: replace it with the migration file",
                path.display()
            ),
            Err(e) if named_like_migration => return Err(unopenable(&path, &e)),
            _ => skipped.push(path),
        }
    }
    let mut history = parse_sources(sources)?;
    history.skipped = skipped;
    Ok(history)
}

/// The migrations folder exists and is a folder (through symbolic links).
fn check_folder(dir: &Path) -> anyhow::Result<()> {
    match fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => Ok(()),
        Ok(_) => bail!(
            "migrations folder {} is a file: pass --migrations DIR or set migrations in pgdrift.toml",
            dir.display()
        ),
        Err(e) if fs::symlink_metadata(dir).is_ok() => bail!(
            "migrations folder {} is a symbolic link that cannot be followed ({e}): fix the link, or pass --migrations DIR",
            dir.display()
        ),
        Err(_) => bail!(
            "migrations folder {} not found: pass --migrations DIR or set migrations in pgdrift.toml",
            dir.display()
        ),
    }
}

/// The error for a migration that cannot be opened: most often a symbolic link whose
/// target is gone, or a loop of links.
fn unopenable(path: &Path, error: &std::io::Error) -> anyhow::Error {
    match fs::read_link(path) {
        Ok(target) => anyhow::anyhow!(
            "{}: a symbolic link to {} that cannot be followed ({error}), so the migration cannot be read: fix or remove the link",
            path.display(),
            target.display()
        ),
        Err(_) => anyhow::anyhow!(
            "{}: the migration cannot be opened ({error}): check the file and its folder",
            path.display()
        ),
    }
}

/// Whether a file name has the shape `<digits>_<name>.sql`, whatever its encoding.
fn is_migration_name(name: &std::ffi::OsStr) -> bool {
    let Some(stem) = name.as_encoded_bytes().strip_suffix(b".sql") else {
        return false;
    };
    let digits = stem.iter().take_while(|b| b.is_ascii_digit()).count();
    digits > 0 && stem.get(digits) == Some(&b'_')
}

/// Room for the deepest parse tree the parser hands over (10000 nested messages), which
/// is decoded, walked and dropped recursively. Only the pages used are ever committed.
const FOLD_STACK: usize = 512 << 20;

/// Folds migration files given in memory, in the order given (the caller sorts them).
pub fn parse_sources(files: Vec<(MigrationFile, String)>) -> anyhow::Result<History> {
    // A valid statement can nest expressions thousands of levels deep (`a || b || ...`):
    // read on a thread whose stack holds them rather than overflow the caller's.
    std::thread::scope(|scope| {
        let reader = std::thread::Builder::new()
            .name("pgdrift-history".into())
            .stack_size(FOLD_STACK)
            .spawn_scoped(scope, move || fold_sources(files));
        match reader {
            Ok(reader) => reader
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            Err(e) => Err(no_thread(&e)),
        }
    })
}

/// The error when the system refuses a thread for reading the migrations.
fn no_thread(error: &std::io::Error) -> anyhow::Error {
    anyhow::anyhow!(
        "cannot start a thread to read the migrations ({error}): free some memory and retry"
    )
}

/// Files parsed ahead of the fold: enough to keep both busy, few enough that the parse
/// trees waiting take little memory.
const PARSED_AHEAD: usize = 8;

fn fold_sources(files: Vec<(MigrationFile, String)>) -> anyhow::Result<History> {
    let mut folder = fold::Folder::default();
    let progress = Progress::bar(files.len(), "parsing migrations");
    std::thread::scope(|scope| {
        let (sender, parsed) = std::sync::mpsc::sync_channel(PARSED_AHEAD);
        let texts: Vec<&str> = files.iter().map(|(_, text)| text.as_str()).collect();
        // The parser runs on a thread of its own while the fold walks the files before: the
        // two halves of reading a history take about as long as each other.
        let parser = std::thread::Builder::new()
            .name("pgdrift-parser".into())
            .stack_size(FOLD_STACK)
            .spawn_scoped(scope, move || {
                for text in texts {
                    if sender.send(fold::parse_file(text)).is_err() {
                        break;
                    }
                }
            });
        let parser = match parser {
            Ok(parser) => parser,
            Err(e) => return Err(no_thread(&e)),
        };
        let mut folded = Ok(());
        for (index, (file, text)) in files.iter().enumerate() {
            let Ok(statements) = parsed.recv() else {
                break;
            };
            folded = folder.read_file(index, &file.path, text, statements);
            if folded.is_err() {
                break;
            }
            folder.history.files.push(file.clone());
            progress.inc();
        }
        // Stops the parser when the fold stopped early.
        drop(parsed);
        if let Err(panic) = parser.join() {
            std::panic::resume_unwind(panic);
        }
        folded
    })?;
    Ok(folder.history)
}

/// Recognises a migration file name, `<digits>_<name>.sql` (the name may be empty, as the
/// Supabase CLI allows).
pub fn migration_file(path: &Path) -> Option<MigrationFile> {
    let file_name = path.file_name()?.to_str()?;
    let stem = file_name.strip_suffix(".sql")?;
    let (version, name) = stem.split_once('_')?;
    if version.is_empty() || !version.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(MigrationFile {
        version: version.to_string(),
        name: name.to_string(),
        path: path.to_path_buf(),
    })
}

/// Reads a migration file as UTF-8 text, without its byte order mark (one, as editors
/// write it). The one rule for a migration's text, for parsing and replaying alike.
pub fn read_text(path: &Path) -> anyhow::Result<String> {
    let bytes = fs::read(path).map_err(|e| {
        anyhow::anyhow!(
            "{}: the migration cannot be read ({e}): check that this user may read the file",
            path.display()
        )
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = 1 + valid.iter().filter(|&&b| b == b'\n').count();
        anyhow::anyhow!(
            "{}:{line}: the file is not valid UTF-8: save it as UTF-8",
            path.display()
        )
    })?;
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    })
}
