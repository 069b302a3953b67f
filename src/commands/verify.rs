//! `pgdrift verify`: replay, compare, print.

use super::Outcome;
use crate::cli::VerifyArgs;
use crate::config::Settings;
use crate::report::Format;
use crate::verify::{self, Verification};
use anyhow::{Context, Result};
use std::io::Write;

pub fn run(
    settings: &Settings,
    db_url: Option<&str>,
    args: &VerifyArgs,
    out: &mut impl Write,
) -> Result<Outcome> {
    let result = verify::verify(settings, db_url, &args.scratch_url, args.prelude.as_deref())?;
    match args.format {
        Format::Json => {
            let json = serde_json::json!({
                "identical": result.identical(),
                "migrations": result.migrations,
                "failure": result.failure,
                "differences": result.differences,
                "notes": result.notes,
            });
            serde_json::to_writer_pretty(&mut *out, &json).context("writing the report")?;
            writeln!(out)?;
        }
        Format::Text => print(&result, out).context("writing the report")?,
    }
    Ok(if result.identical() {
        Outcome::Success
    } else {
        Outcome::DriftFound
    })
}

fn print(result: &Verification, out: &mut impl Write) -> std::io::Result<()> {
    for note in &result.notes {
        writeln!(out, "note: {note}")?;
    }
    if let Some(failure) = &result.failure {
        writeln!(out, "The migrations do not replay: {failure}")?;
        writeln!(out, "Fix or complete the history before that file (pgdrift import writes what production has).")?;
        return Ok(());
    }
    if result.differences.is_empty() {
        writeln!(
            out,
            "Identical: the {} migrations rebuild production's managed schemas.",
            result.migrations
        )?;
        return Ok(());
    }
    writeln!(
        out,
        "The {} migrations replay, but the result differs from production:",
        result.migrations
    )?;
    for d in &result.differences {
        writeln!(out, "  {d}")?;
    }
    writeln!(
        out,
        "{} difference{}.",
        result.differences.len(),
        if result.differences.len() == 1 {
            ""
        } else {
            "s"
        }
    )
}
