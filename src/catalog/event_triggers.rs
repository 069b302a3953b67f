//! Event triggers (`CREATE EVENT TRIGGER`) whose function is in a managed schema: the event,
//! the command tags, the function, when it fires, owner and comment.

use super::{get, Catalog, Code, Notes, Reader, UnknownCode};
use crate::model::{EventTrigger, Firing, ObjectKey, QualifiedName};
use anyhow::Result;
use indexmap::IndexMap;
use postgres::Row;

const QUERY: &str = include_str!("queries/event_triggers.sql");

impl TryFrom<Code> for Firing {
    type Error = UnknownCode;

    fn try_from(code: Code) -> Result<Self, UnknownCode> {
        match code.value {
            'O' => Ok(Firing::Origin),
            'D' => Ok(Firing::Disabled),
            'R' => Ok(Firing::Replica),
            'A' => Ok(Firing::Always),
            _ => Err(code.unknown()),
        }
    }
}

/// Event triggers by key, in name order.
pub(super) fn load(
    reader: &mut Reader,
    notes: &Notes,
) -> Result<IndexMap<ObjectKey, EventTrigger>> {
    let mut triggers = IndexMap::new();
    for row in reader.rows(QUERY, "event triggers")? {
        let trigger = read(&row, notes)?;
        triggers.insert(trigger.key(), trigger);
    }
    Ok(triggers)
}

fn read(row: &Row, notes: &Notes) -> Result<EventTrigger> {
    let oid: u32 = get(row, "oid")?;
    let name: String = get(row, "name")?;
    let enabled = Firing::try_from(Code::read(row, "enabled")?)
        .map_err(|e| e.for_object(format!("event trigger {name}")))?;
    Ok(EventTrigger {
        event: get(row, "event")?,
        tags: get(row, "tags")?,
        function: QualifiedName::new(
            get::<String>(row, "function_schema")?,
            get::<String>(row, "function_name")?,
        ),
        enabled,
        owner: get(row, "owner")?,
        comment: notes.comment(Catalog::EventTrigger, oid, 0),
        name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evtenabled_codes_become_firings() {
        let code = |value| Code {
            column: "enabled",
            value,
        };
        assert_eq!(Firing::try_from(code('A')).unwrap(), Firing::Always);
        assert_eq!(Firing::try_from(code('D')).unwrap(), Firing::Disabled);
        let err = Firing::try_from(code('x')).unwrap_err();
        assert_eq!(err.to_string(), "unknown enabled 'x'");
    }
}
