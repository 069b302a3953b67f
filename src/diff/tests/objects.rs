//! Objects other than tables: routines, types, sequences, views, extensions.

use super::*;
use crate::model::{Grant, MemberGrants};

#[test]
fn a_function_definition_difference_shows_the_first_line_that_differs() {
    let mut replay = base();
    for f in replay.functions.values_mut() {
        f.definition = TOUCH.replace("now()", "clock_timestamp()");
    }
    let detail = "definition line 6 new.updated_at := now(); in production, \
                  new.updated_at := clock_timestamp(); in migrations";
    expect(
        &base(),
        &replay,
        &[&format!("function public.touch(): differs: {detail}")],
        json!([{
            "object": "function public.touch()",
            "kind": "function",
            "state": "differs",
            "detail": detail
        }]),
    );
}

#[test]
fn an_enum_value_missing_in_migrations_and_an_order_difference() {
    let mut replay = base();
    for t in replay.types.values_mut() {
        t.body = TypeBody::Enum {
            values: vec!["happy".into(), "sad".into()],
        };
    }
    expect(
        &base(),
        &replay,
        &[
            "type public.mood: differs: enum value order 'sad', 'happy' in production, 'happy', 'sad' in migrations",
            "enum value public.mood.'ok': in production, not in migrations",
        ],
        json!([
            {"object": "type public.mood", "kind": "enum_value", "state": "differs",
             "detail": "enum value order 'sad', 'happy' in production, 'happy', 'sad' in migrations"},
            {"object": "enum value public.mood.'ok'", "kind": "enum_value", "state": "in_production_only"},
        ]),
    );
}

#[test]
fn a_sequence_option_difference() {
    let mut replay = base();
    for s in replay.sequences.values_mut() {
        s.increment = 10;
    }
    expect(
        &base(),
        &replay,
        &["sequence public.invoice_no: differs: increment 1 in production, 10 in migrations"],
        json!([{
            "object": "sequence public.invoice_no",
            "kind": "sequence",
            "state": "differs",
            "detail": "increment 1 in production, 10 in migrations"
        }]),
    );
}

#[test]
fn only_standalone_sequences_are_reported_missing() {
    let mut prod = base();
    let mut legacy = sequence("public.deals_legacy_seq");
    legacy.owned_by = Some((qn("public.deals"), "amount".into()));
    prod.sequences.insert(legacy.name.clone(), legacy);
    prod.sequences
        .insert(qn("public.ticket_no"), sequence("public.ticket_no"));
    expect(
        &prod,
        &base(),
        &["sequence public.ticket_no: in production, not in migrations"],
        json!([{"object": "sequence public.ticket_no", "kind": "sequence", "state": "in_production_only"}]),
    );
    expect(
        &base(),
        &prod,
        &["sequence public.ticket_no: in migrations, not in production"],
        json!([{"object": "sequence public.ticket_no", "kind": "sequence", "state": "in_migrations_only"}]),
    );
}

#[test]
fn identity_options_are_compared_through_the_column() {
    let mut replay = base();
    if let Some(identity) = &mut deals(&mut replay).columns[0].identity {
        identity.sequence.start = 100;
    }
    for s in replay.sequences.values_mut().filter(|s| s.is_identity) {
        s.start = 100;
    }
    expect(
        &base(),
        &replay,
        &["column public.deals.id: differs: identity start 1 in production, 100 in migrations"],
        json!([{
            "object": "column public.deals.id",
            "kind": "column",
            "state": "differs",
            "detail": "identity start 1 in production, 100 in migrations"
        }]),
    );
}

#[test]
fn a_view_definition_difference() {
    let mut replay = base();
    for v in replay.views.values_mut() {
        v.definition = OPEN_DEALS.replace("(0)::numeric", "(100)::numeric");
    }
    let detail = "definition line 4 WHERE (amount > (0)::numeric); in production, \
                  WHERE (amount > (100)::numeric); in migrations";
    expect(
        &base(),
        &replay,
        &[&format!("view public.open_deals: differs: {detail}")],
        json!([{
            "object": "view public.open_deals",
            "kind": "view",
            "state": "differs",
            "detail": detail
        }]),
    );
}

#[test]
fn an_extension_missing_and_another_of_another_version() {
    let mut prod = base();
    prod.extensions.push(Extension {
        name: "pg_trgm".into(),
        schema: "extensions".into(),
        version: "1.6".into(),
        member_grants: Vec::new(),
    });
    let mut replay = base();
    replay.extensions[0].version = "1.2".into();
    expect(
        &prod,
        &replay,
        &[
            "extension pg_trgm: in production, not in migrations",
            "extension pgcrypto: differs: version 1.3 in production, 1.2 in migrations",
        ],
        json!([
            {"object": "extension pg_trgm", "kind": "extension", "state": "in_production_only"},
            {"object": "extension pgcrypto", "kind": "extension", "state": "differs",
             "detail": "version 1.3 in production, 1.2 in migrations"},
        ]),
    );
}

#[test]
fn privileges_granted_on_an_extension_routine_are_a_difference() {
    let mut prod = base();
    prod.extensions[0].member_grants.push(MemberGrants {
        kind: "FUNCTION".into(),
        target: "public.gen_random_uuid()".into(),
        grants: vec![Grant::new("anon", "EXECUTE")],
    });
    let replay = base();
    expect(
        &prod,
        &replay,
        &["extension pgcrypto: differs: privileges of its routines FUNCTION public.gen_random_uuid(): EXECUTE to anon in production, nothing in migrations"],
        json!([
            {"object": "extension pgcrypto", "kind": "extension", "state": "differs",
             "detail": "privileges of its routines FUNCTION public.gen_random_uuid(): EXECUTE to anon in production, nothing in migrations"},
        ]),
    );
}

#[test]
fn domain_and_composite_differences() {
    let with_types = |not_null: bool, check: bool, attributes: [(&str, &str); 2]| {
        let grants = if check {
            vec![grant("PUBLIC", "USAGE"), grant("app_user", "USAGE")]
        } else {
            vec![grant("PUBLIC", "USAGE")]
        };
        let mut schema = base();
        let constraints = if check {
            vec![("email_check".into(), "CHECK ((VALUE ~ '@'::text))".into())]
        } else {
            vec![]
        };
        let body = TypeBody::Domain {
            base_type: "text".into(),
            collation: None,
            default: None,
            not_null,
            constraints,
        };
        let attributes = attributes.map(|(a, t)| (a.to_string(), t.to_string()));
        let composite = TypeBody::Composite {
            attributes: attributes.to_vec(),
        };
        for (name, body) in [("public.email", body), ("public.address", composite)] {
            let owner = "postgres".into();
            let (name, comment) = (qn(name), None);
            let def = TypeDef {
                name: name.clone(),
                body,
                owner,
                comment,
                grants: grants.clone(),
            };
            schema.types.insert(name, def);
        }
        schema
    };
    let prod = with_types(true, true, [("street", "text"), ("zip", "text")]);
    let replay = with_types(false, false, [("zip", "integer"), ("street", "text")]);
    expect(
        &prod,
        &replay,
        &[
            "type public.email: differs: not null in production, not in migrations",
            "type public.address: differs: attribute order street, zip in production, zip, street in migrations",
            "attribute public.address.zip: differs: type text in production, integer in migrations",
            "constraint email_check on domain public.email: in production, not in migrations",
            "grant USAGE on type public.address to app_user: in production, not in migrations",
            "grant USAGE on type public.email to app_user: in production, not in migrations",
        ],
        json!([
            {"object": "type public.email", "kind": "type", "state": "differs",
             "detail": "not null in production, not in migrations"},
            {"object": "type public.address", "kind": "attribute", "state": "differs",
             "detail": "attribute order street, zip in production, zip, street in migrations"},
            {"object": "attribute public.address.zip", "kind": "attribute", "state": "differs",
             "detail": "type text in production, integer in migrations"},
            {"object": "constraint email_check on domain public.email", "kind": "constraint",
             "state": "in_production_only"},
            {"object": "grant USAGE on type public.address to app_user", "kind": "grant",
             "state": "in_production_only"},
            {"object": "grant USAGE on type public.email to app_user", "kind": "grant",
             "state": "in_production_only"},
        ]),
    );
}

#[test]
fn collations_by_name_options_and_comment() {
    let collation = |name: &str, locale: &str, comment: Option<&str>| Collation {
        name: qn(name),
        definition: format!("provider = icu, locale = '{locale}'"),
        owner: "postgres".into(),
        comment: comment.map(Into::into),
    };
    let with = |collations: Vec<Collation>| {
        let mut schema = base();
        for c in collations {
            schema.collations.insert(c.name.clone(), c);
        }
        schema
    };
    let prod = with(vec![
        collation(
            "public.numeric_order",
            "en-u-kn-true",
            Some("digits as numbers"),
        ),
        collation("public.loose", "und-u-ks-level2", None),
    ]);
    let replay = with(vec![collation("public.numeric_order", "en", None)]);
    let options = "options provider = icu, locale = 'en-u-kn-true' in production, \
                   provider = icu, locale = 'en' in migrations";
    expect(
        &prod,
        &replay,
        &[
            "collation public.loose: in production, not in migrations",
            &format!("collation public.numeric_order: differs: {options}"),
            "comment on collation public.numeric_order: in production, not in migrations",
        ],
        json!([
            {"object": "collation public.loose", "kind": "collation", "state": "in_production_only"},
            {"object": "collation public.numeric_order", "kind": "collation", "state": "differs",
             "detail": options},
            {"object": "comment on collation public.numeric_order", "kind": "comment",
             "state": "in_production_only"},
        ]),
    );
}

fn operator(definition: &str) -> Operator {
    Operator {
        name: qn("public.=~="),
        left: Some("numeric".into()),
        right: "numeric".into(),
        definition: definition.into(),
        owner: "postgres".into(),
        comment: None,
    }
}

fn event_trigger(enabled: Firing) -> EventTrigger {
    EventTrigger {
        name: "log_ddl".into(),
        event: "ddl_command_end".into(),
        tags: vec!["CREATE TABLE".into()],
        function: qn("public.log_ddl"),
        enabled,
        owner: "postgres".into(),
        comment: None,
    }
}

#[test]
fn operators_differ_by_definition_and_are_missing_by_operands() {
    let mut prod = base();
    let mut replay = base();
    let close = operator("CREATE OPERATOR public.=~= (\n    FUNCTION = public.close_to\n)");
    let mut other = close.clone();
    other.definition = "CREATE OPERATOR public.=~= (\n    FUNCTION = public.near\n)".into();
    let mut prefix = close.clone();
    prefix.left = None;
    prod.operators.insert(close.key(), close);
    prod.operators.insert(prefix.key(), prefix);
    replay.operators.insert(other.key(), other);
    let detail = "definition line 2 FUNCTION = public.close_to in production, \
                  FUNCTION = public.near in migrations";
    expect(
        &prod,
        &replay,
        &[
            "operator public.=~=(NONE, numeric): in production, not in migrations",
            &format!("operator public.=~=(numeric, numeric): differs: {detail}"),
        ],
        json!([
            {"object": "operator public.=~=(NONE, numeric)", "kind": "operator",
             "state": "in_production_only"},
            {"object": "operator public.=~=(numeric, numeric)", "kind": "operator",
             "state": "differs", "detail": detail},
        ]),
    );
}

#[test]
fn event_triggers_differ_in_when_they_fire() {
    let mut prod = base();
    let mut replay = base();
    let always = event_trigger(Firing::Always);
    let mut commented = event_trigger(Firing::Origin);
    commented.comment = Some("What changed".into());
    prod.event_triggers.insert(always.key(), always);
    replay.event_triggers.insert(commented.key(), commented);
    expect(
        &prod,
        &replay,
        &[
            "event_trigger log_ddl: differs: enabled ENABLE ALWAYS in production, ENABLE in migrations",
            "comment on event_trigger log_ddl: in migrations, not in production",
        ],
        json!([
            {"object": "event_trigger log_ddl", "kind": "event_trigger", "state": "differs",
             "detail": "enabled ENABLE ALWAYS in production, ENABLE in migrations"},
            {"object": "comment on event_trigger log_ddl", "kind": "comment",
             "state": "in_migrations_only"},
        ]),
    );
}
