//! Operators (`CREATE OPERATOR`), keyed by schema, symbols and operand types. No server
//! function prints an operator's definition: it is put together here from `pg_operator`, in
//! pg_dump's order and without the options left at their default.

use super::{get, get_type, Catalog, Notes, Reader};
use crate::model::{ObjectKey, Operator, QualifiedName};
use anyhow::Result;
use indexmap::IndexMap;
use postgres::Row;

const QUERY: &str = include_str!("queries/operators.sql");

/// Operators by key, in schema, name and operand order.
pub(super) fn load(reader: &mut Reader, notes: &Notes) -> Result<IndexMap<ObjectKey, Operator>> {
    let mut operators = IndexMap::new();
    for row in reader.rows(QUERY, "operators")? {
        let operator = read(&row, notes)?;
        operators.insert(operator.key(), operator);
    }
    Ok(operators)
}

fn read(row: &Row, notes: &Notes) -> Result<Operator> {
    let oid: u32 = get(row, "oid")?;
    let left: Option<String> = match get::<Option<String>>(row, "left_type")? {
        Some(_) => Some(get_type(row, "left_type")?),
        None => None,
    };
    let mut operator = Operator {
        name: QualifiedName::new(get::<String>(row, "schema")?, get::<String>(row, "name")?),
        left,
        right: get_type(row, "right_type")?,
        definition: String::new(),
        owner: get(row, "owner")?,
        comment: notes.comment(Catalog::Operator, oid, 0),
    };
    let options = Options {
        function: get(row, "function")?,
        commutator: get(row, "commutator")?,
        negator: get(row, "negator")?,
        restrict: get(row, "restrict")?,
        join: get(row, "join")?,
        hashes: get(row, "hashes")?,
        merges: get(row, "merges")?,
    };
    operator.definition = definition(&operator, &options);
    Ok(operator)
}

/// What `CREATE OPERATOR` takes besides the name and the operand types.
struct Options {
    function: String,
    commutator: Option<String>,
    negator: Option<String>,
    restrict: Option<String>,
    join: Option<String>,
    hashes: bool,
    merges: bool,
}

/// `CREATE OPERATOR schema.op (FUNCTION = f, LEFTARG = t, ...)`, one option a line.
fn definition(operator: &Operator, o: &Options) -> String {
    let mut options = vec![format!("FUNCTION = {}", o.function)];
    if let Some(left) = &operator.left {
        options.push(format!("LEFTARG = {left}"));
    }
    options.push(format!("RIGHTARG = {}", operator.right));
    let named = [
        ("COMMUTATOR", &o.commutator),
        ("NEGATOR", &o.negator),
        ("RESTRICT", &o.restrict),
        ("JOIN", &o.join),
    ];
    for (option, value) in named {
        if let Some(value) = value {
            options.push(format!("{option} = {value}"));
        }
    }
    if o.hashes {
        options.push("HASHES".into());
    }
    if o.merges {
        options.push("MERGES".into());
    }
    format!(
        "CREATE OPERATOR {} (\n    {}\n)",
        operator.to_sql(),
        options.join(",\n    ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn operator(left: Option<&str>) -> Operator {
        Operator {
            name: QualifiedName::new("My Schema", "=~="),
            left: left.map(Into::into),
            right: "numeric".into(),
            definition: String::new(),
            owner: "postgres".into(),
            comment: None,
        }
    }

    #[test]
    fn definitions_list_what_is_set_in_pg_dump_order() {
        let options = Options {
            function: "public.close_to".into(),
            commutator: Some("OPERATOR(public.=~=)".into()),
            negator: None,
            restrict: Some("eqsel".into()),
            join: Some("eqjoinsel".into()),
            hashes: false,
            merges: true,
        };
        assert_eq!(
            definition(&operator(Some("numeric")), &options),
            "CREATE OPERATOR \"My Schema\".=~= (\n    FUNCTION = public.close_to,\n    \
             LEFTARG = numeric,\n    RIGHTARG = numeric,\n    COMMUTATOR = OPERATOR(public.=~=),\n    \
             RESTRICT = eqsel,\n    JOIN = eqjoinsel,\n    MERGES\n)"
        );
    }

    #[test]
    fn a_prefix_operator_has_no_left_operand() {
        let options = Options {
            function: "public.negated".into(),
            commutator: None,
            negator: None,
            restrict: None,
            join: None,
            hashes: false,
            merges: false,
        };
        let op = operator(None);
        assert_eq!(
            definition(&op, &options),
            "CREATE OPERATOR \"My Schema\".=~= (\n    FUNCTION = public.negated,\n    RIGHTARG = numeric\n)"
        );
        assert_eq!(op.key().signature.as_deref(), Some("NONE, numeric"));
    }
}
