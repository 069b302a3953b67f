//! The last query of a read: whether an object of the managed schemas was dropped or renamed
//! while pgdrift read the catalog. Server functions that print definitions see the latest
//! catalog, not the snapshot, so such a change would leave definitions that name objects
//! the rest of the model does not have.

use super::{get, Reader};
use crate::db::schema_changed;
use anyhow::{anyhow, Result};

const QUERY: &str = include_str!("queries/changes.sql");

/// An error naming the first object that changed since the snapshot began, if any did.
pub(super) fn check(reader: &mut Reader) -> Result<()> {
    let rows = reader.rows_at_detail(QUERY, "changes made during the read")?;
    let Some(row) = rows.first() else {
        return Ok(());
    };
    let was: String = get(row, "snapshot_name")?;
    let now: Option<String> = get(row, "latest_name")?;
    Err(anyhow!(schema_changed(&describe(&was, now.as_deref()))))
}

/// `public.orders was dropped`, `public.orders is now public.purchases`.
fn describe(was: &str, now: Option<&str>) -> String {
    match now {
        Some(now)
            if !now.is_empty() && now != "???" && !now.bytes().all(|b| b.is_ascii_digit()) =>
        {
            format!("{was} is now {now}")
        }
        _ => format!("{was} was dropped"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renames_and_drops_are_told_apart() {
        assert_eq!(
            describe("public.orders", Some("public.purchases")),
            "public.orders is now public.purchases"
        );
        assert_eq!(describe("public.v", Some("34861")), "public.v was dropped");
        assert_eq!(
            describe("public.mood", Some("???")),
            "public.mood was dropped"
        );
        assert_eq!(describe("public.t.c", None), "public.t.c was dropped");
    }
}
