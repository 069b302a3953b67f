//! Row backups before a drop: one SQL file per table that `psql -f` restores into an empty
//! database (the table's columns, the types they use, then its rows as a COPY), written
//! from production's read-only snapshot as a stream, never holding the table in memory.

use crate::db::Snapshot;
use crate::model::{quote_ident, ObjectKind, QualifiedName, Schema};
use crate::plan::Item;
use crate::render::Renderer;
use anyhow::{bail, Context, Result};
use std::fs;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};

/// A written backup.
#[derive(Clone, Debug)]
pub struct Backup {
    pub table: QualifiedName,
    pub path: PathBuf,
    pub rows: u64,
}

/// Creates the backup folder when needed, with a `.gitignore` that keeps its files out of
/// git, and checks that files can be created in it. Fails before anything is backed up.
pub fn prepare_dir(dir: &Path) -> Result<()> {
    let cannot = |e: std::io::Error| {
        anyhow::anyhow!(
            "cannot write to the backup folder {}: {e}; pass --backup-dir DIR (nothing was backed up, dropped or written)",
            dir.display()
        )
    };
    fs::create_dir_all(dir).map_err(cannot)?;
    let ignore = dir.join(".gitignore");
    if !ignore.exists() {
        fs::write(
            &ignore,
            "# Row backups may hold personal data: keep them out of git.\n*\n",
        )
        .map_err(cannot)?;
    }
    let probe = dir.join(format!(".pgdrift-probe-{}", std::process::id()));
    fs::File::create(&probe).map_err(cannot)?;
    let _ = fs::remove_file(&probe);
    Ok(())
}

/// `<stamp>_<schema>_<table>.sql` in `dir`; refuses to replace a file.
pub fn file_name(table: &QualifiedName, stamp: &str) -> String {
    format!(
        "{stamp}_{}_{}.sql",
        crate::plan::file_stem(&table.schema),
        crate::plan::file_stem(&table.name)
    )
}

/// Writes the backup of `table` into `dir`, reading its rows in `snapshot`.
pub fn write(
    snapshot: &mut Snapshot,
    renderer: &Renderer,
    prod: &Schema,
    table: &QualifiedName,
    dir: &Path,
    stamp: &str,
    source: &str,
) -> Result<Backup> {
    let Some(t) = prod.tables.get(table) else {
        bail!("table {table} is not in production's catalog");
    };
    let path = dir.join(file_name(table, stamp));
    if path.exists() {
        bail!(
            "{} already exists: pgdrift never overwrites a backup; move it away and run again",
            path.display()
        );
    }
    let columns: Vec<String> = t.columns.iter().map(|c| quote_ident(&c.name)).collect();
    let temp = dir.join(format!(
        ".{}.pgdrift-{}.tmp",
        file_name(table, stamp),
        std::process::id()
    ));
    let result = (|| -> Result<u64> {
        let file = fs::File::create(&temp)?;
        let mut out = BufWriter::new(file);
        out.write_all(header(prod, renderer, table, source)?.as_bytes())?;
        writeln!(out, "COPY {table} ({}) FROM stdin;", columns.join(", "))?;
        let sql = format!(
            "COPY (SELECT {} FROM {}) TO STDOUT",
            columns.join(", "),
            super::own_rows(prod, table)
        );
        let mut reader = snapshot
            .copy_out(&sql)
            .with_context(|| format!("reading the rows of {table}"))?;
        let mut rows = 0u64;
        let mut buffer = vec![0u8; 64 * 1024];
        loop {
            let n = reader.read(&mut buffer)?;
            if n == 0 {
                break;
            }
            rows += buffer[..n].iter().filter(|&&b| b == b'\n').count() as u64;
            out.write_all(&buffer[..n])?;
        }
        drop(reader);
        writeln!(out, "\\.\n\nCOMMIT;")?;
        let file = out.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        Ok(rows)
    })();
    let rows = match result {
        Ok(rows) => rows,
        Err(e) => {
            let _ = fs::remove_file(&temp);
            return Err(e.context(format!("backing up {table} to {}", path.display())));
        }
    };
    // A hard link never replaces a file that appeared meanwhile.
    let linked = fs::hard_link(&temp, &path);
    let _ = fs::remove_file(&temp);
    linked.with_context(|| format!("writing {}", path.display()))?;
    Ok(Backup {
        table: table.clone(),
        path,
        rows,
    })
}

/// The comment, the schema, the types the columns use and the table with its columns, NOT
/// NULL and primary key: what the rows need. Defaults, other constraints, policies and
/// triggers are left out: they may need objects an empty database lacks, and a trigger
/// would fire on the restore.
fn header(
    prod: &Schema,
    renderer: &Renderer,
    table: &QualifiedName,
    source: &str,
) -> Result<String> {
    let t = &prod.tables[table];
    let mut s = String::new();
    let plain = |text: String| -> String {
        text.chars()
            .map(|c| if c.is_control() { '?' } else { c })
            .collect()
    };
    s.push_str(&format!(
        "-- Backup of the rows of {}, taken by pgdrift from {}.\n",
        plain(table.to_string()),
        plain(source.to_string())
    ));
    s.push_str(
        "-- It may hold personal data: keep it out of git and delete it when no longer needed.\n",
    );
    s.push_str("-- Restore: psql -v ON_ERROR_STOP=1 -f THIS_FILE \"$DATABASE_URL\"\n");
    s.push_str(
        "-- It creates the table (with its columns, NOT NULL and primary key) where it does\n",
    );
    s.push_str("-- not exist, then loads the rows.\n\n");
    s.push_str("BEGIN;\n");
    let mut schemas = vec![table.schema.clone()];
    let types: Vec<&QualifiedName> = prod
        .dependencies
        .iter()
        .filter(|d| d.from.kind == ObjectKind::Table && &d.from.name == table)
        .filter(|d| d.to.kind == ObjectKind::Type && prod.types.contains_key(&d.to.name))
        .map(|d| &d.to.name)
        .collect();
    for ty in &types {
        if !schemas.contains(&ty.schema) {
            schemas.push(ty.schema.clone());
        }
    }
    for schema in schemas {
        s.push_str(&format!(
            "CREATE SCHEMA IF NOT EXISTS {};\n",
            quote_ident(&schema)
        ));
    }
    let mut seen = Vec::new();
    for ty in types {
        if seen.contains(&ty) {
            continue;
        }
        seen.push(ty);
        let item = Item::Type {
            name: ty.clone(),
            omit_values: Vec::new(),
        };
        s.push_str(renderer.item(prod, &item)?.trim_end());
        s.push('\n');
    }
    let mut lines: Vec<String> = t
        .columns
        .iter()
        .map(|c| {
            let not_null = if c.not_null { " NOT NULL" } else { "" };
            format!("    {} {}{not_null}", quote_ident(&c.name), c.type_sql)
        })
        .collect();
    if let Some(pk) = t
        .constraints
        .iter()
        .find(|c| c.kind == crate::model::ConstraintKind::PrimaryKey)
    {
        lines.push(format!(
            "    CONSTRAINT {} {}",
            quote_ident(&pk.name),
            pk.definition
        ));
    }
    s.push_str(&format!(
        "CREATE TABLE IF NOT EXISTS {table} (\n{}\n);\n",
        lines.join(",\n")
    ));
    Ok(s)
}
