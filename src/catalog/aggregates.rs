//! The `CREATE OR REPLACE AGGREGATE` statement of an aggregate, which `pg_get_functiondef`
//! cannot print. It is put together from the `agg_*` columns of the functions query
//! (`pg_aggregate`), with the options in pg_dump's order and left out where they have
//! their default, so that it reads like pg_dump's and replays to the same catalog.

use super::{get, Code, UnknownCode};
use crate::model::{quote_literal, QualifiedName};
use anyhow::Result;
use postgres::Row;

/// `pg_aggregate.aggkind`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum AggregateKind {
    Normal,
    OrderedSet,
    Hypothetical,
}

impl TryFrom<Code> for AggregateKind {
    type Error = UnknownCode;

    fn try_from(code: Code) -> Result<Self, UnknownCode> {
        match code.value {
            'n' => Ok(AggregateKind::Normal),
            'o' => Ok(AggregateKind::OrderedSet),
            'h' => Ok(AggregateKind::Hypothetical),
            _ => Err(code.unknown()),
        }
    }
}

/// `aggfinalmodify` and `aggmfinalmodify`: what the final function does to the state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FinalModify {
    ReadOnly,
    Shareable,
    ReadWrite,
}

impl TryFrom<Code> for FinalModify {
    type Error = UnknownCode;

    fn try_from(code: Code) -> Result<Self, UnknownCode> {
        match code.value {
            'r' => Ok(FinalModify::ReadOnly),
            's' => Ok(FinalModify::Shareable),
            'w' => Ok(FinalModify::ReadWrite),
            _ => Err(code.unknown()),
        }
    }
}

impl FinalModify {
    fn as_sql(self) -> &'static str {
        match self {
            FinalModify::ReadOnly => "READ_ONLY",
            FinalModify::Shareable => "SHAREABLE",
            FinalModify::ReadWrite => "READ_WRITE",
        }
    }
}

/// `pg_proc.proparallel`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Parallel {
    Safe,
    Restricted,
    Unsafe,
}

impl TryFrom<Code> for Parallel {
    type Error = UnknownCode;

    fn try_from(code: Code) -> Result<Self, UnknownCode> {
        match code.value {
            's' => Ok(Parallel::Safe),
            'r' => Ok(Parallel::Restricted),
            'u' => Ok(Parallel::Unsafe),
            _ => Err(code.unknown()),
        }
    }
}

/// A final function (plain or moving-aggregate) with its options.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Final {
    /// The function as regproc prints it.
    function: String,
    extra: bool,
    modify: FinalModify,
}

/// The moving-aggregate mode (`MSFUNC`...), when the aggregate has one.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Moving {
    transition: String,
    inverse: String,
    state_type: String,
    state_space: i32,
    initial: Option<String>,
    finish: Option<Final>,
}

/// One row of `pg_aggregate`, functions as regproc prints them and types as format_type.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Aggregate {
    kind: AggregateKind,
    transition: String,
    state_type: String,
    state_space: i32,
    initial: Option<String>,
    finish: Option<Final>,
    combine: Option<String>,
    serial: Option<String>,
    deserial: Option<String>,
    moving: Option<Moving>,
    /// `OPERATOR(schema.op)`.
    sort_operator: Option<String>,
    parallel: Parallel,
}

/// The whole statement for the aggregate `name`, whose identity arguments (with
/// `ORDER BY` for an ordered-set aggregate) are `arguments`.
pub(super) fn definition(row: &Row, name: &QualifiedName, arguments: &str) -> Result<String> {
    let object = || format!("aggregate {name}({arguments})");
    let code = |column| -> Result<Code> { Code::read(row, column) };
    let kind = AggregateKind::try_from(code("agg_kind")?).map_err(|e| e.for_object(object()))?;
    let modify = |column| -> Result<FinalModify> {
        FinalModify::try_from(code(column)?).map_err(|e| e.for_object(object()))
    };
    let finish = |function: Option<String>, extra, modify| {
        function.map(|function| Final {
            function,
            extra,
            modify,
        })
    };
    let moving = match get::<Option<String>>(row, "agg_mtransfn")? {
        None => None,
        Some(transition) => Some(Moving {
            transition,
            inverse: get(row, "agg_minvtransfn")?,
            state_type: get(row, "agg_mtranstype")?,
            state_space: get(row, "agg_mtransspace")?,
            initial: get(row, "agg_minitval")?,
            finish: finish(
                get(row, "agg_mfinalfn")?,
                get(row, "agg_mfinalextra")?,
                modify("agg_mfinalmodify")?,
            ),
        }),
    };
    let aggregate = Aggregate {
        kind,
        transition: get(row, "agg_transfn")?,
        state_type: get(row, "agg_transtype")?,
        state_space: get(row, "agg_transspace")?,
        initial: get(row, "agg_initval")?,
        finish: finish(
            get(row, "agg_finalfn")?,
            get(row, "agg_finalextra")?,
            modify("agg_finalmodify")?,
        ),
        combine: get(row, "agg_combinefn")?,
        serial: get(row, "agg_serialfn")?,
        deserial: get(row, "agg_deserialfn")?,
        moving,
        sort_operator: get(row, "agg_sortop")?,
        parallel: Parallel::try_from(code("parallel")?).map_err(|e| e.for_object(object()))?,
    };
    Ok(aggregate.statement(name, arguments))
}

impl Aggregate {
    /// `CREATE OR REPLACE AGGREGATE name(arguments) (\n    SFUNC = ...\n)`, `(*)` for an
    /// aggregate without arguments.
    fn statement(&self, name: &QualifiedName, arguments: &str) -> String {
        let arguments = if arguments.is_empty() { "*" } else { arguments };
        format!(
            "CREATE OR REPLACE AGGREGATE {}({arguments}) (\n    {}\n)",
            name.to_sql(),
            self.options().join(",\n    ")
        )
    }

    /// The options that differ from their default, in pg_dump's order.
    fn options(&self) -> Vec<String> {
        // An ordered-set aggregate's final function may modify the state by default.
        let default_modify = match self.kind {
            AggregateKind::Normal => FinalModify::ReadOnly,
            AggregateKind::OrderedSet | AggregateKind::Hypothetical => FinalModify::ReadWrite,
        };
        let mut options = vec![
            format!("SFUNC = {}", self.transition),
            format!("STYPE = {}", self.state_type),
        ];
        if self.state_space != 0 {
            options.push(format!("SSPACE = {}", self.state_space));
        }
        if let Some(initial) = &self.initial {
            options.push(format!("INITCOND = {}", quote_literal(initial)));
        }
        push_final(&mut options, "", self.finish.as_ref(), default_modify);
        let functions = [
            ("COMBINEFUNC", &self.combine),
            ("SERIALFUNC", &self.serial),
            ("DESERIALFUNC", &self.deserial),
        ];
        for (option, function) in functions {
            if let Some(function) = function {
                options.push(format!("{option} = {function}"));
            }
        }
        if let Some(m) = &self.moving {
            options.push(format!("MSFUNC = {}", m.transition));
            options.push(format!("MINVFUNC = {}", m.inverse));
            options.push(format!("MSTYPE = {}", m.state_type));
            if m.state_space != 0 {
                options.push(format!("MSSPACE = {}", m.state_space));
            }
            if let Some(initial) = &m.initial {
                options.push(format!("MINITCOND = {}", quote_literal(initial)));
            }
            push_final(&mut options, "M", m.finish.as_ref(), default_modify);
        }
        if let Some(operator) = &self.sort_operator {
            options.push(format!("SORTOP = {operator}"));
        }
        if self.kind == AggregateKind::Hypothetical {
            options.push("HYPOTHETICAL".into());
        }
        match self.parallel {
            Parallel::Safe => options.push("PARALLEL = safe".into()),
            Parallel::Restricted => options.push("PARALLEL = restricted".into()),
            Parallel::Unsafe => {}
        }
        options
    }
}

/// `FINALFUNC`, `FINALFUNC_EXTRA`, `FINALFUNC_MODIFY` (with `prefix` `M` for the moving
/// mode's).
fn push_final(
    options: &mut Vec<String>,
    prefix: &str,
    finish: Option<&Final>,
    default_modify: FinalModify,
) {
    let Some(f) = finish else {
        return;
    };
    options.push(format!("{prefix}FINALFUNC = {}", f.function));
    if f.extra {
        options.push(format!("{prefix}FINALFUNC_EXTRA"));
    }
    if f.modify != default_modify {
        options.push(format!("{prefix}FINALFUNC_MODIFY = {}", f.modify.as_sql()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain() -> Aggregate {
        Aggregate {
            kind: AggregateKind::Normal,
            transition: "public.\"Concat\"".into(),
            state_type: "text".into(),
            state_space: 0,
            initial: None,
            finish: None,
            combine: None,
            serial: None,
            deserial: None,
            moving: None,
            sort_operator: None,
            parallel: Parallel::Unsafe,
        }
    }

    #[test]
    fn a_plain_aggregate_names_only_its_function_and_state() {
        let name = QualifiedName::new("public", "group_concat");
        assert_eq!(
            plain().statement(&name, "text"),
            "CREATE OR REPLACE AGGREGATE public.group_concat(text) (\n    \
             SFUNC = public.\"Concat\",\n    STYPE = text\n)"
        );
        assert!(plain()
            .statement(&QualifiedName::new("public", "Count"), "")
            .starts_with("CREATE OR REPLACE AGGREGATE public.\"Count\"(*) ("));
    }

    #[test]
    fn options_follow_pg_dump_order_and_skip_defaults() {
        let mut a = plain();
        a.state_space = 16;
        a.initial = Some("it's".into());
        a.finish = Some(Final {
            function: "public.fin".into(),
            extra: true,
            modify: FinalModify::Shareable,
        });
        a.combine = Some("public.comb".into());
        a.moving = Some(Moving {
            transition: "public.madd".into(),
            inverse: "public.msub".into(),
            state_type: "numeric".into(),
            state_space: 0,
            initial: Some("0".into()),
            finish: Some(Final {
                function: "public.mfin".into(),
                extra: false,
                modify: FinalModify::ReadOnly,
            }),
        });
        a.sort_operator = Some("OPERATOR(pg_catalog.>)".into());
        a.parallel = Parallel::Safe;
        assert_eq!(
            a.options(),
            [
                "SFUNC = public.\"Concat\"",
                "STYPE = text",
                "SSPACE = 16",
                "INITCOND = 'it''s'",
                "FINALFUNC = public.fin",
                "FINALFUNC_EXTRA",
                "FINALFUNC_MODIFY = SHAREABLE",
                "COMBINEFUNC = public.comb",
                "MSFUNC = public.madd",
                "MINVFUNC = public.msub",
                "MSTYPE = numeric",
                "MINITCOND = '0'",
                "MFINALFUNC = public.mfin",
                "SORTOP = OPERATOR(pg_catalog.>)",
                "PARALLEL = safe",
            ]
        );
    }

    #[test]
    fn ordered_set_final_functions_modify_the_state_by_default() {
        let mut a = plain();
        a.kind = AggregateKind::Hypothetical;
        a.finish = Some(Final {
            function: "rank_final".into(),
            extra: true,
            modify: FinalModify::ReadWrite,
        });
        assert_eq!(
            &a.options()[2..],
            ["FINALFUNC = rank_final", "FINALFUNC_EXTRA", "HYPOTHETICAL"]
        );
        a.kind = AggregateKind::Normal;
        assert!(a
            .options()
            .contains(&"FINALFUNC_MODIFY = READ_WRITE".to_string()));
    }

    #[test]
    fn catalog_codes_are_checked() {
        let code = |column, value| Code { column, value };
        assert_eq!(
            AggregateKind::try_from(code("agg_kind", 'o')).unwrap(),
            AggregateKind::OrderedSet
        );
        assert_eq!(
            AggregateKind::try_from(code("agg_kind", 'x'))
                .unwrap_err()
                .to_string(),
            "unknown agg_kind 'x'"
        );
        assert!(FinalModify::try_from(code("agg_finalmodify", 'q')).is_err());
        assert_eq!(
            Parallel::try_from(code("parallel", 'r')).unwrap(),
            Parallel::Restricted
        );
    }
}
