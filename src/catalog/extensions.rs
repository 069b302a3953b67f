//! Installed extensions, in every schema: their objects are never drift.

use super::{get, Reader};
use crate::model::Extension;
use anyhow::Result;

const QUERY: &str = include_str!("queries/extensions.sql");

pub(super) fn load(reader: &mut Reader) -> Result<Vec<Extension>> {
    reader
        .rows_unfiltered(QUERY, "extensions")?
        .iter()
        .map(|row| {
            Ok(Extension {
                name: get(row, "name")?,
                schema: get(row, "schema")?,
                version: get(row, "version")?,
            })
        })
        .collect()
}
