//! Publications (logical replication, Supabase Realtime) that publish the managed schemas'
//! tables, with the members of the managed schemas only.

use super::{get, optional_name, Reader};
use crate::model::{Publication, PublishedTable};
use anyhow::Result;

const QUERY: &str = include_str!("queries/publications.sql");

pub(super) fn load(reader: &mut Reader) -> Result<Vec<Publication>> {
    let mut publications: Vec<Publication> = Vec::new();
    for row in reader.rows(QUERY, "publications")? {
        let name: String = get(&row, "name")?;
        if publications.last().is_none_or(|p| p.name != name) {
            publications.push(Publication {
                name,
                all_tables: get(&row, "all_tables")?,
                publish: get(&row, "publish")?,
                via_root: get(&row, "via_root")?,
                schemas: get(&row, "schemas")?,
                tables: Vec::new(),
            });
        }
        let publication = publications.last_mut().expect("just pushed");
        if let Some(table) = optional_name(&row, "table_schema", "table_name")? {
            publication.tables.push(PublishedTable {
                name: table,
                columns: get(&row, "columns")?,
                filter: get(&row, "filter")?,
            });
        }
    }
    Ok(publications)
}
