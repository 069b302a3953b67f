//! Small schemas built by hand: one object of each kind, then one change at a time on
//! one side, checking the exact lines and JSON that come out.

mod objects;
mod tables;

use super::compare;
use crate::model::*;
use serde_json::{json, Value};

fn qn(name: &str) -> QualifiedName {
    let (schema, name) = name.split_once('.').unwrap_or(("public", name));
    QualifiedName::new(schema, name)
}

fn column(name: &str, type_sql: &str) -> Column {
    Column::new(name, type_sql)
}

fn grant(grantee: &str, privilege: &str) -> Grant {
    Grant::new(grantee, privilege)
}

fn sequence(name: &str) -> Sequence {
    Sequence::new(qn(name))
}

fn table(name: &str, columns: Vec<Column>) -> Table {
    Table {
        columns,
        estimated_rows: -1,
        size_bytes: 8192,
        ..Table::new(qn(name))
    }
}

fn constraint(name: &str, kind: ConstraintKind, definition: &str) -> Constraint {
    Constraint::new(name, kind, definition)
}

fn policy(name: &str, command: PolicyCommand, using: &str) -> Policy {
    Policy {
        name: name.into(),
        command,
        permissive: true,
        roles: vec!["authenticated".into()],
        using: Some(using.into()),
        with_check: None,
        comment: None,
    }
}

const TOUCH: &str = "CREATE OR REPLACE FUNCTION public.touch()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
begin
  new.updated_at := now();
  return new;
end;
$function$
";

const OPEN_DEALS: &str = " SELECT id,
    title
   FROM deals
  WHERE (amount > (0)::numeric);";

/// One of each kind: an extension, an enum, a standalone sequence, a table with an
/// identity column and every part, the identity's sequence, a view and a function.
fn base() -> Schema {
    let mut id = column("id", "bigint");
    let mut id_seq = sequence("public.deals_id_seq");
    id_seq.owned_by = Some((qn("public.deals"), "id".into()));
    id_seq.is_identity = true;
    id.not_null = true;
    id.identity = Some(Box::new(Identity {
        kind: IdentityKind::Always,
        sequence: id_seq.clone(),
    }));
    let mut title = column("title", "text");
    title.not_null = true;
    title.comment = Some("What the deal is about".into());
    let mut amount = column("amount", "numeric(12,2)");
    amount.default = Some("0".into());
    let mut deals = table("public.deals", vec![id, title, amount]);
    deals.constraints = vec![constraint(
        "deals_pkey",
        ConstraintKind::PrimaryKey,
        "PRIMARY KEY (id)",
    )];
    deals.indexes = vec![Index {
        name: "deals_title_idx".into(),
        definition: "CREATE INDEX deals_title_idx ON public.deals USING btree (title)".into(),
        inherited: false,
        comment: None,
    }];
    deals.rls_enabled = true;
    deals.policies = vec![policy("Members read", PolicyCommand::Select, "true")];
    deals.triggers = vec![Trigger {
        name: "deals_touch".into(),
        definition: "CREATE TRIGGER deals_touch BEFORE UPDATE ON public.deals FOR EACH ROW EXECUTE FUNCTION touch()".into(),
        function: qn("public.touch"),
        enabled: 'O',
        is_constraint: false,
        comment: None,
    }];
    deals.comment = Some("Open and won deals".into());
    deals.grants = vec![grant("anon", "SELECT"), grant("authenticated", "SELECT")];

    let mut schema = Schema {
        schemas: vec!["public".into()],
        ..Schema::default()
    };
    schema.extensions = vec![Extension {
        name: "pgcrypto".into(),
        schema: "extensions".into(),
        version: "1.3".into(),
        member_grants: Vec::new(),
    }];
    schema.types.insert(
        qn("public.mood"),
        TypeDef {
            name: qn("public.mood"),
            body: TypeBody::Enum {
                values: vec!["sad".into(), "ok".into(), "happy".into()],
            },
            owner: "postgres".into(),
            comment: None,
            grants: vec![grant("PUBLIC", "USAGE")],
        },
    );
    schema.sequences.insert(id_seq.name.clone(), id_seq);
    let invoice_no = sequence("public.invoice_no");
    schema.sequences.insert(invoice_no.name.clone(), invoice_no);
    schema.tables.insert(deals.name.clone(), deals);
    schema.views.insert(
        qn("public.open_deals"),
        View {
            name: qn("public.open_deals"),
            materialized: false,
            definition: OPEN_DEALS.into(),
            options: vec!["security_invoker=true".into()],
            owner: "postgres".into(),
            comment: None,
            column_comments: vec![],
            grants: vec![grant("authenticated", "SELECT")],
            indexes: vec![],
            clustered_on: None,
            rules: vec![],
            triggers: vec![],
            estimated_rows: -1,
            size_bytes: 0,
        },
    );
    let key = ObjectKey::routine(ObjectKind::Function, qn("public.touch"), "");
    schema.functions.insert(
        key,
        Function {
            name: qn("public.touch"),
            kind: RoutineKind::Function,
            signature: String::new(),
            identity_arguments: String::new(),
            definition: TOUCH.into(),
            language: "plpgsql".into(),
            owner: "postgres".into(),
            comment: None,
            grants: vec![grant("authenticated", "EXECUTE")],
        },
    );
    schema
}

fn deals(schema: &mut Schema) -> &mut Table {
    schema
        .tables
        .get_mut(&qn("public.deals"))
        .expect("base has deals")
}

/// Compares and checks the printed lines and the JSON, in order.
fn expect(production: &Schema, migrations: &Schema, lines: &[&str], json: Value) {
    let found = compare(production, migrations);
    let printed: Vec<String> = found.iter().map(ToString::to_string).collect();
    assert_eq!(printed, lines);
    assert_eq!(serde_json::to_value(&found).unwrap(), json);
}

#[test]
fn identical_schemas_have_no_difference() {
    expect(&base(), &base(), &[], json!([]));
    expect(&Schema::default(), &Schema::default(), &[], json!([]));
}

#[test]
fn owners_sizes_and_row_estimates_are_not_differences() {
    let mut replay = base();
    let t = deals(&mut replay);
    t.owner = "supabase_admin".into();
    t.estimated_rows = 12_000;
    t.size_bytes = 1 << 30;
    for v in replay.views.values_mut() {
        v.owner = "supabase_admin".into();
        v.size_bytes = 1;
    }
    for f in replay.functions.values_mut() {
        f.owner = "supabase_admin".into();
    }
    for t in replay.types.values_mut() {
        t.owner = "supabase_admin".into();
    }
    expect(&base(), &replay, &[], json!([]));
}

#[test]
fn differences_come_in_kind_then_name_order() {
    let mut prod = base();
    prod.extensions.clear();
    deals(&mut prod).grants.clear();
    let zeta = table("public.zeta", vec![]);
    let alpha = table("public.alpha", vec![]);
    prod.tables.insert(zeta.name.clone(), zeta);
    prod.tables.insert(alpha.name.clone(), alpha);
    deals(&mut prod).columns.push(column("note", "text"));
    expect(
        &prod,
        &base(),
        &[
            "extension pgcrypto: in migrations, not in production",
            "table public.alpha: in production, not in migrations",
            "table public.zeta: in production, not in migrations",
            "column public.deals.note: in production, not in migrations",
            "grant SELECT on public.deals to anon: in migrations, not in production",
            "grant SELECT on public.deals to authenticated: in migrations, not in production",
        ],
        json!([
            {"object": "extension pgcrypto", "kind": "extension", "state": "in_migrations_only"},
            {"object": "table public.alpha", "kind": "table", "state": "in_production_only"},
            {"object": "table public.zeta", "kind": "table", "state": "in_production_only"},
            {"object": "column public.deals.note", "kind": "column", "state": "in_production_only"},
            {"object": "grant SELECT on public.deals to anon", "kind": "grant", "state": "in_migrations_only"},
            {"object": "grant SELECT on public.deals to authenticated", "kind": "grant",
             "state": "in_migrations_only"},
        ]),
    );
}

/// Each difference names, for code that acts on it, the object it is in and the part of it.
#[test]
fn differences_name_their_object_and_part() {
    let mut prod = base();
    let t = deals(&mut prod);
    t.columns[1].comment = Some("Changed".into());
    t.columns.push(column("note", "text"));
    t.indexes.clear();
    t.rls_forced = true;
    if let TypeBody::Enum { values } = &mut prod.types[0].body {
        values.push("elated".into());
    }
    let view = prod.views.get_mut(&qn("public.open_deals")).unwrap();
    view.materialized = true;
    view.definition = "SELECT 1".into();
    prod.functions[0].definition = TOUCH.replace("now()", "clock_timestamp()");
    let table = ObjectKey::relation(ObjectKind::Table, qn("public.deals"));
    let found: Vec<(ObjectKind, ObjectKey, Part)> = compare(&prod, &base())
        .into_iter()
        .map(|d| (d.kind, d.key, d.part))
        .collect();
    let column_part = |c: &str| Part::Column(c.into());
    assert_eq!(
        found,
        [
            (
                ObjectKind::EnumValue,
                ObjectKey::relation(ObjectKind::Type, qn("public.mood")),
                Part::Whole
            ),
            (ObjectKind::Column, table.clone(), column_part("note")),
            (
                ObjectKind::Index,
                table.clone(),
                Part::Index("deals_title_idx".into())
            ),
            (ObjectKind::Rls, table.clone(), Part::Whole),
            (
                ObjectKind::MaterializedView,
                ObjectKey::relation(ObjectKind::MaterializedView, qn("public.open_deals")),
                Part::Whole
            ),
            (
                ObjectKind::Function,
                ObjectKey::routine(ObjectKind::Function, qn("public.touch"), ""),
                Part::Whole
            ),
            (ObjectKind::Comment, table, column_part("title")),
        ]
    );
}
