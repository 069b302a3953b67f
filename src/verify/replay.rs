//! Applying SQL to the scratch database: the prelude, then every migration file in its own
//! transaction, as the Supabase CLI does.

use crate::db::describe_db_error;
use anyhow::{Context, Result};
use postgres::error::ErrorPosition;
use postgres::Client;
use serde::Serialize;
use std::fmt;
use std::path::{Path, PathBuf};

/// Why a file did not apply: the file, the line of the failing statement, the server's
/// message.
#[derive(Clone, Debug, Serialize)]
pub struct Failure {
    pub file: PathBuf,
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.file.display(), self.message),
            None => write!(f, "{}: {}", self.file.display(), self.message),
        }
    }
}

/// Runs `sql` (the text of `file`) in one transaction, statement by statement so that a
/// failure names its statement's line. A failure is returned, not raised: it is a finding
/// about the migrations, not an error of pgdrift.
pub fn apply(client: &mut Client, file: &Path, sql: &str) -> Result<Option<Failure>> {
    let mut tx = client
        .transaction()
        .context("starting a transaction on the scratch database")?;
    let statements = match pg_query::split_with_parser(sql) {
        Ok(statements) => statements,
        Err(_) => vec![sql],
    };
    for statement in statements {
        let offset = statement.as_ptr() as usize - sql.as_ptr() as usize;
        if let Err(e) = tx.batch_execute(statement) {
            let position = e.as_db_error().and_then(|db| match db.position() {
                Some(ErrorPosition::Original(p)) => Some(*p as usize),
                _ => None,
            });
            let start = offset + first_token(statement);
            let line = match position {
                Some(p) => line_of(sql, sql[..offset].chars().count() + p),
                None => line_of(sql, sql[..start].chars().count() + 1),
            };
            let message = describe_db_error(&e);
            return Ok(Some(Failure {
                file: file.to_path_buf(),
                line: Some(line),
                message,
            }));
        }
    }
    tx.commit()
        .map_err(|e| anyhow::anyhow!("committing {}: {}", file.display(), describe_db_error(&e)))?;
    Ok(None)
}

/// The byte offset of a statement's first token, past blank lines and `--` comments.
fn first_token(statement: &str) -> usize {
    let mut offset = 0;
    for line in statement.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with("--") {
            offset += line.len();
        } else {
            return offset + (line.len() - trimmed.len());
        }
    }
    0
}

/// The 1-based line of the 1-based character position `position`.
fn line_of(sql: &str, position: usize) -> usize {
    1 + sql
        .chars()
        .take(position.saturating_sub(1))
        .filter(|&c| c == '\n')
        .count()
}

#[cfg(test)]
mod tests {
    #[test]
    fn positions_become_lines() {
        assert_eq!(super::line_of("a\nb\nc", 1), 1);
        assert_eq!(super::line_of("a\nb\nc", 3), 2);
        assert_eq!(super::line_of("é\nb", 3), 2);
        assert_eq!(super::first_token("\n-- c\n  select 1"), 8);
    }
}
