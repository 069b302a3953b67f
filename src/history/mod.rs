//! Reads the migration folder and folds its statements into the objects it declares.
//! (Being written.)

use crate::model::{ObjectKey, QualifiedName};
use indexmap::IndexMap;
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
    /// Files that alter the object after creating it.
    pub altered_in: Vec<usize>,
    /// Earlier names (renames or schema moves), oldest first.
    pub renamed_from: Vec<QualifiedName>,
}

/// The result of reading a migration folder.
#[derive(Clone, Debug, Default)]
pub struct History {
    pub files: Vec<MigrationFile>,
    /// Files in the folder whose name is not `<digits>_<name>.sql`, skipped.
    pub skipped: Vec<PathBuf>,
    /// The declared state after every file: what exists if all migrations ran.
    pub declared: IndexMap<ObjectKey, Declaration>,
    /// For every relation, type or routine name that a file mentions (creates, alters,
    /// references, drops), the files that mention it, in order.
    pub references: IndexMap<QualifiedName, Vec<usize>>,
    pub warnings: Vec<Warning>,
}

pub fn parse_dir(_dir: &Path) -> anyhow::Result<History> {
    Ok(History::default())
}
