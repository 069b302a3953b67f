//! Default privileges (`ALTER DEFAULT PRIVILEGES`), database-wide: a platform such as
//! Supabase grants its API roles everything created in `public`, and a replay of the
//! history must give the objects it creates the same privileges.

use super::{get, Reader};
use crate::model::DefaultPrivilege;
use anyhow::Result;

const QUERY: &str = include_str!("queries/default_privileges.sql");

pub(super) fn load(reader: &mut Reader) -> Result<Vec<DefaultPrivilege>> {
    reader
        .rows_unfiltered(QUERY, "default privileges")?
        .iter()
        .map(|row| {
            Ok(DefaultPrivilege {
                owner: get(row, "owner")?,
                schema: get(row, "schema")?,
                objects: get(row, "objects")?,
                privilege: get(row, "privilege")?,
                grantee: get(row, "grantee")?,
                grantable: get(row, "grantable")?,
            })
        })
        .collect()
}
