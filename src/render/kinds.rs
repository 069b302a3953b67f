//! One snapshot per kind of object, rendered from a hand-built model: no database, so a
//! change to a template or a renderer shows up as a reviewed diff of the SQL it writes.
//! Every rendered text must also parse.

use super::{FileHeader, Renderer};
use crate::model::*;
use crate::plan::{Item, TableItem};

fn qn(schema: &str, name: &str) -> QualifiedName {
    QualifiedName::new(schema, name)
}

fn grant(grantee: &str, privilege: &str) -> Grant {
    Grant::new(grantee, privilege)
}

fn column(name: &str, type_sql: &str, not_null: bool, default: Option<&str>) -> Column {
    Column {
        not_null,
        default: default.map(Into::into),
        ..Column::new(name, type_sql)
    }
}

fn constraint(name: &str, kind: ConstraintKind, definition: &str) -> Constraint {
    Constraint {
        validated: !definition.ends_with("NOT VALID"),
        ..Constraint::new(name, kind, definition)
    }
}

fn sequence(name: &str, owned_by: Option<(&str, &str)>, is_identity: bool) -> Sequence {
    Sequence {
        owned_by: owned_by.map(|(t, c)| (qn("public", t), c.to_string())),
        is_identity,
        ..Sequence::new(qn("public", name))
    }
}

fn table(name: &str, columns: Vec<Column>) -> Table {
    Table {
        columns,
        ..Table::new(qn("public", name))
    }
}

/// `public.orders`: an identity key (which CLUSTER uses), a serial number, a check, a foreign
/// key written inline, one not yet validated (guarded), an index, two policies, a trigger and
/// a constraint trigger, a disabled rule, comments and grants to some of the API roles.
fn orders() -> Table {
    let mut id = column("id", "bigint", true, None);
    id.identity = Some(Box::new(Identity {
        kind: IdentityKind::Always,
        sequence: sequence("orders_id_seq", Some(("orders", "id")), true),
    }));
    let mut note = column("note", "text", false, None);
    note.collation = Some(qn("pg_catalog", "C"));
    note.comment = Some("Free text; it's shown to the customer.".into());
    let mut t = table(
        "orders",
        vec![
            id,
            column(
                "number",
                "integer",
                true,
                Some("nextval('public.orders_number_seq'::regclass)"),
            ),
            column("customer_id", "uuid", true, None),
            column("total", "numeric(12,2)", true, Some("0")),
            column("status", "public.mood", false, None),
            note,
        ],
    );
    let mut check = constraint(
        "orders_total_check",
        ConstraintKind::Check,
        "CHECK (total >= 0::numeric)",
    );
    check.comment = Some("Refunds are separate rows.".into());
    let mut fk = constraint(
        "orders_customer_id_fkey",
        ConstraintKind::ForeignKey,
        "FOREIGN KEY (customer_id) REFERENCES public.customers(id) ON DELETE CASCADE",
    );
    fk.references = Some(qn("public", "customers"));
    let mut late = constraint(
        "orders_number_check",
        ConstraintKind::Check,
        "CHECK (number > 0) NOT VALID",
    );
    late.validated = false;
    t.constraints = vec![
        constraint(
            "orders_pkey",
            ConstraintKind::PrimaryKey,
            "PRIMARY KEY (id)",
        ),
        check,
        fk,
        late,
        constraint("orders_audit", ConstraintKind::Trigger, ""),
    ];
    t.indexes = vec![Index {
        name: "orders_open_idx".into(),
        definition: "CREATE INDEX orders_open_idx ON public.orders USING btree (customer_id) WHERE (status IS NULL)".into(),
        inherited: false,
        comment: Some("Open orders per customer.".into()),
    }];
    t.rls_enabled = true;
    t.clustered_on = Some("orders_pkey".into());
    t.policies = vec![
        Policy {
            name: "Customers read their orders".into(),
            command: PolicyCommand::Select,
            permissive: true,
            roles: vec!["authenticated".into()],
            using: Some("(customer_id = auth.uid())".into()),
            with_check: None,
            comment: Some("Row owner only.".into()),
        },
        Policy {
            name: "no_deletes".into(),
            command: PolicyCommand::Delete,
            permissive: false,
            roles: vec!["public".into()],
            using: Some("false".into()),
            with_check: None,
            comment: None,
        },
    ];
    t.triggers = vec![
        Trigger {
            name: "orders_touch".into(),
            definition: "CREATE TRIGGER orders_touch BEFORE UPDATE ON public.orders FOR EACH ROW EXECUTE FUNCTION public.touch()".into(),
            function: qn("public", "touch"),
            enabled: 'O',
            is_constraint: false,
            comment: None,
        },
        Trigger {
            name: "orders_audit".into(),
            definition: "CREATE CONSTRAINT TRIGGER orders_audit AFTER INSERT ON public.orders DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.touch()".into(),
            function: qn("public", "touch"),
            enabled: 'D',
            is_constraint: true,
            comment: Some("Checked at commit.".into()),
        },
    ];
    t.rules = vec![Rule {
        name: "orders_kept".into(),
        definition: "CREATE RULE orders_kept AS\n    ON DELETE TO public.orders DO INSTEAD NOTHING"
            .into(),
        enabled: 'D',
        comment: Some("Orders are never deleted.".into()),
    }];
    t.comment = Some("One row per order.".into());
    t.grants = vec![
        grant("authenticated", "SELECT"),
        grant("authenticated", "INSERT"),
    ];
    t.columns[5].grants = vec![grant("anon", "SELECT")];
    t
}

/// A model holding one object of every kind.
fn model() -> Schema {
    let mut s = Schema {
        schemas: vec!["public".into(), "app".into()],
        ..Schema::default()
    };
    s.namespaces.push(Namespace {
        name: "app".into(),
        owner: "postgres".into(),
        comment: Some("Application objects.".into()),
        revokes: Vec::new(),
        grants: vec![grant("authenticated", "USAGE")],
    });
    // USAGE taken from PUBLIC, then everything granted to a role and to PUBLIC, in that
    // order.
    s.namespaces.push(Namespace {
        name: "public".into(),
        owner: "pg_database_owner".into(),
        comment: None,
        revokes: vec![grant("PUBLIC", "USAGE")],
        grants: vec![
            grant("postgres", "USAGE"),
            grant("postgres", "CREATE"),
            grant("PUBLIC", "USAGE"),
            grant("PUBLIC", "CREATE"),
        ],
    });
    let natural = Collation {
        name: qn("app", "Natural Order"),
        definition: "provider = icu, deterministic = false, locale = 'en-u-kn-true'".into(),
        owner: "postgres".into(),
        comment: Some("Digits sort as numbers; it's case-blind.".into()),
    };
    s.collations.insert(natural.name.clone(), natural);
    s.extensions.push(Extension {
        name: "citext".into(),
        schema: "extensions".into(),
        version: "1.6".into(),
        member_grants: Vec::new(),
    });
    let types = [
        (
            "mood",
            TypeBody::Enum {
                values: vec!["sad".into(), "ok".into(), "it's fine".into()],
            },
        ),
        (
            "percentage",
            TypeBody::Domain {
                base_type: "integer".into(),
                collation: None,
                default: Some("0".into()),
                not_null: true,
                constraints: vec![(
                    "percentage_check".into(),
                    "CHECK (VALUE >= 0 AND VALUE <= 100)".into(),
                )],
            },
        ),
        (
            "address",
            TypeBody::Composite {
                attributes: vec![
                    ("street".into(), "text".into()),
                    ("zip".into(), "character varying(10)".into()),
                ],
            },
        ),
        (
            "floatrange",
            TypeBody::Range {
                subtype: "double precision".into(),
                definition: "SUBTYPE = double precision, SUBTYPE_DIFF = float8mi".into(),
            },
        ),
    ];
    for (name, body) in types {
        s.types.insert(
            qn("public", name),
            TypeDef {
                name: qn("public", name),
                body,
                owner: "postgres".into(),
                comment: (name == "mood").then(|| "How it went.".into()),
                grants: match name {
                    "percentage" => vec![grant("PUBLIC", "USAGE"), grant("app_user", "USAGE")],
                    _ => vec![grant("PUBLIC", "USAGE")],
                },
            },
        );
    }
    let mut invoices = sequence("invoice_numbers", None, false);
    invoices.start = 1000;
    invoices.cycle = true;
    invoices.comment = Some("Invoice numbers.".into());
    invoices.grants = vec![grant("service_role", "USAGE")];
    s.sequences.insert(invoices.name.clone(), invoices);
    let number = sequence("orders_number_seq", Some(("orders", "number")), false);
    s.sequences.insert(number.name.clone(), number);
    let touch = ObjectKey::routine(ObjectKind::Function, qn("public", "touch"), "");
    s.functions.insert(
        touch,
        Function {
            name: qn("public", "touch"),
            kind: RoutineKind::Function,
            signature: String::new(),
            identity_arguments: String::new(),
            definition: "CREATE OR REPLACE FUNCTION public.touch()\n RETURNS trigger\n LANGUAGE plpgsql\nAS $function$\nBEGIN\n  NEW.updated_at := now();\n  RETURN NEW;\nEND;\n$function$".into(),
            language: "plpgsql".into(),
            owner: "postgres".into(),
            comment: Some("Keeps updated_at current.".into()),
            grants: vec![grant("PUBLIC", "EXECUTE"), grant("anon", "EXECUTE")],
        },
    );
    let mut customers = table(
        "customers",
        vec![column("id", "uuid", true, Some("gen_random_uuid()"))],
    );
    customers.constraints = vec![constraint(
        "customers_pkey",
        ConstraintKind::PrimaryKey,
        "PRIMARY KEY (id)",
    )];
    customers.clustered_on = Some("customers_pkey".into());
    s.tables.insert(customers.name.clone(), customers);
    let orders = orders();
    s.tables.insert(orders.name.clone(), orders);
    let mut events = table(
        "events",
        vec![
            column("at", "timestamp with time zone", true, None),
            column("payload", "jsonb", false, None),
        ],
    );
    events.kind = TableKind::Partitioned;
    events.partition_key = Some("RANGE (at)".into());
    events.columns[1].storage = Some(Storage::External);
    events.columns[1].compression = Some(Compression::Lz4);
    let mut events_2024 = table("events_2024", Vec::new());
    events_2024.columns = events
        .columns
        .iter()
        .cloned()
        .map(|mut c| {
            c.is_local = false;
            c
        })
        .collect();
    // The partition's column is set back to its type's storage and the default compression,
    // and has a statistics target and options of its own.
    let payload = &mut events_2024.columns[1];
    payload.storage = None;
    payload.compression = None;
    payload.statistics = Some(500);
    payload.options = vec!["n_distinct=-1".into()];
    events_2024.partition_of = Some(PartitionOf {
        parent: qn("public", "events"),
        bound: "FOR VALUES FROM ('2024-01-01 00:00:00+00') TO ('2025-01-01 00:00:00+00')".into(),
    });
    events_2024.options = vec!["fillfactor=70".into()];
    s.tables.insert(events.name.clone(), events);
    s.tables.insert(events_2024.name.clone(), events_2024);
    s.replica_identities
        .insert(qn("public", "events"), ReplicaIdentity::Full);
    let view = View {
        name: qn("public", "open_orders"),
        materialized: false,
        definition:
            " SELECT id,\n    customer_id\n   FROM public.orders\n  WHERE (status IS NULL);".into(),
        options: vec!["security_invoker=true".into()],
        owner: "postgres".into(),
        comment: Some("Orders not yet settled.".into()),
        column_comments: vec![("id".into(), "The order.".into())],
        grants: vec![grant("authenticated", "SELECT")],
        indexes: Vec::new(),
        clustered_on: None,
        triggers: Vec::new(),
        rules: vec![Rule {
            name: "open_orders_insert".into(),
            definition: "CREATE RULE open_orders_insert AS\n    ON INSERT TO public.open_orders DO INSTEAD  INSERT INTO public.orders (customer_id)\n  VALUES (new.customer_id)".into(),
            enabled: 'O',
            comment: None,
        }],
        estimated_rows: 0,
        size_bytes: 0,
    };
    let mut totals = View {
        name: qn("public", "order_totals"),
        materialized: true,
        definition: " SELECT customer_id,\n    sum(total) AS total\n   FROM public.orders\n  GROUP BY customer_id;".into(),
        options: Vec::new(),
        comment: None,
        column_comments: Vec::new(),
        grants: Vec::new(),
        rules: Vec::new(),
        ..view.clone()
    };
    totals.indexes = vec![Index {
        name: "order_totals_customer_idx".into(),
        definition: "CREATE UNIQUE INDEX order_totals_customer_idx ON public.order_totals USING btree (customer_id)".into(),
        inherited: false,
        comment: None,
    }];
    totals.clustered_on = Some("order_totals_customer_idx".into());
    s.views.insert(view.name.clone(), view);
    s.views.insert(totals.name.clone(), totals);
    s
}

fn renderer() -> Renderer {
    Renderer::new(None).unwrap()
}

/// The bodies of `items` as one file would hold them, checked to parse.
fn bodies(schema: &Schema, items: &[Item]) -> String {
    let text = renderer().bodies(schema, items).unwrap().join("\n");
    pg_query::parse(&text, pg_query::ParserOptions::DEFAULT).unwrap();
    text
}

fn part(table: &str, part: Part) -> Item {
    Item::TablePart {
        table: qn("public", table),
        part,
    }
}

#[test]
fn schema_and_extension() {
    let s = model();
    insta::assert_snapshot!(bodies(
        &s,
        &[
            Item::Schema { name: "app".into() },
            Item::Schema {
                name: "public".into(),
            },
            Item::Extension {
                name: "citext".into(),
                schema: "extensions".into(),
            },
        ]
    ));
}

#[test]
fn collation() {
    let s = model();
    let item = Item::Collation {
        name: qn("app", "Natural Order"),
    };
    let rollback = renderer().rollback(&s, &item).unwrap().unwrap();
    insta::assert_snapshot!(format!("{}-- {rollback}", bodies(&s, &[item])));
}

#[test]
fn types() {
    let s = model();
    let items: Vec<Item> = ["mood", "percentage", "address", "floatrange"]
        .iter()
        .map(|n| Item::Type {
            name: qn("public", n),
            omit_values: if *n == "mood" {
                vec!["it's fine".into()]
            } else {
                Vec::new()
            },
        })
        .collect();
    insta::assert_snapshot!(bodies(&s, &items));
}

#[test]
fn sequence_and_function() {
    let s = model();
    insta::assert_snapshot!(bodies(
        &s,
        &[
            Item::Sequence {
                name: qn("public", "invoice_numbers"),
            },
            Item::Function {
                key: ObjectKey::routine(ObjectKind::Function, qn("public", "touch"), ""),
            },
        ]
    ));
}

/// A prefix operator with a comment, and an event trigger limited to some commands that
/// fires always, with their rollbacks.
#[test]
fn operator_and_event_trigger() {
    let mut s = model();
    let operator = Operator {
        name: qn("app", "~~~"),
        left: None,
        right: "bigint".into(),
        definition:
            "CREATE OPERATOR app.~~~ (\n    FUNCTION = app.negated,\n    RIGHTARG = bigint\n)"
                .into(),
        owner: "postgres".into(),
        comment: Some("Minus, as a prefix".into()),
    };
    let trigger = EventTrigger {
        name: "Log DDL".into(),
        event: "ddl_command_end".into(),
        tags: vec!["CREATE TABLE".into(), "ALTER TABLE".into()],
        function: qn("app", "log_ddl"),
        enabled: Firing::Always,
        owner: "postgres".into(),
        comment: Some("What changed the schema".into()),
    };
    let items = [
        Item::Operator {
            key: operator.key(),
        },
        Item::EventTrigger { key: trigger.key() },
    ];
    s.operators.insert(operator.key(), operator);
    s.event_triggers.insert(trigger.key(), trigger);
    let r = renderer();
    let rollbacks: Vec<String> = items
        .iter()
        .filter_map(|i| r.rollback(&s, i).unwrap())
        .collect();
    let text = format!("{}\n{}", bodies(&s, &items), rollbacks.join(""));
    pg_query::parse(&text, pg_query::ParserOptions::DEFAULT).unwrap();
    insta::assert_snapshot!(text);
}

/// A table with its keys inside CREATE TABLE, and every other part in one guard block.
#[test]
fn table_with_its_parts() {
    let s = model();
    let mut orders = TableItem::whole(qn("public", "orders"));
    orders.constraints = vec![
        "orders_pkey".into(),
        "orders_total_check".into(),
        "orders_customer_id_fkey".into(),
    ];
    insta::assert_snapshot!(bodies(
        &s,
        &[
            Item::Table(orders),
            part("orders", Part::Constraint("orders_number_check".into())),
            part("orders", Part::Index("orders_open_idx".into())),
            part("orders", Part::Policy("Customers read their orders".into())),
            part("orders", Part::Policy("no_deletes".into())),
            part("orders", Part::Trigger("orders_touch".into())),
            part("orders", Part::Constraint("orders_audit".into())),
            part("orders", Part::Rule("orders_kept".into())),
        ]
    ));
}

/// Parts added to a table that exists already (a later file, a catch-up).
#[test]
fn parts_of_an_existing_table() {
    let s = model();
    insta::assert_snapshot!(bodies(
        &s,
        &[
            part("orders", Part::Column("note".into())),
            part("orders", Part::Constraint("orders_customer_id_fkey".into())),
            part("orders", Part::Policy("no_deletes".into())),
        ]
    ));
}

#[test]
fn partitioned_table_and_partition() {
    let s = model();
    insta::assert_snapshot!(bodies(
        &s,
        &[
            Item::Table(TableItem::whole(qn("public", "events"))),
            Item::Table(TableItem::whole(qn("public", "events_2024"))),
        ]
    ));
}

/// A partition made on its own, its columns in another order than its parent's: created
/// with them and its parent's check, then attached where it is not a partition yet.
#[test]
fn partition_in_its_own_column_order() {
    let mut s = model();
    let mut old = table("events_2023", Vec::new());
    old.columns = s.tables[&qn("public", "events")]
        .columns
        .iter()
        .rev()
        .cloned()
        .map(|mut c| {
            c.is_local = false;
            c
        })
        .collect();
    old.partition_of = Some(PartitionOf {
        parent: qn("public", "events"),
        bound: "FOR VALUES FROM ('2023-01-01 00:00:00+00') TO ('2024-01-01 00:00:00+00')".into(),
    });
    let mut check = constraint(
        "events_at_check",
        ConstraintKind::Check,
        "CHECK (at > '2000-01-01')",
    );
    check.is_local = false;
    old.constraints.push(check);
    s.tables.insert(old.name.clone(), old);
    insta::assert_snapshot!(bodies(
        &s,
        &[Item::Table(TableItem::whole(qn("public", "events_2023")))]
    ));
}

/// A table a later migration renames: created under its earlier name, only where neither
/// name exists; its guards run inside that block.
#[test]
fn table_renamed_later() {
    let s = model();
    let mut item = TableItem::whole(qn("public", "orders"));
    item.as_name = qn("public", "legacy_orders");
    item.omit_columns = vec!["note".into()];
    insta::assert_snapshot!(bodies(&s, &[Item::Table(item)]));
}

#[test]
fn view_and_materialized_view() {
    let s = model();
    insta::assert_snapshot!(bodies(
        &s,
        &[
            Item::View {
                name: qn("public", "open_orders"),
            },
            Item::View {
                name: qn("public", "order_totals"),
            },
        ]
    ));
}

/// A whole file: the header, the bodies and the rollback of every item, commented out.
#[test]
fn file_with_header_and_rollback() {
    let s = model();
    let r = renderer();
    let items = [
        Item::Type {
            name: qn("public", "percentage"),
            omit_values: Vec::new(),
        },
        Item::Table(TableItem::whole(qn("public", "customers"))),
        part("customers", Part::Constraint("customers_pkey".into())),
        Item::View {
            name: qn("public", "open_orders"),
        },
    ];
    let rollbacks: Vec<String> = items
        .iter()
        .filter_map(|i| r.rollback(&s, i).unwrap())
        .collect();
    let header = FileHeader {
        title: "Import table public.customers".into(),
        author: Some("Ada Lovelace".into()),
        date: "2024-08-01".into(),
        description: "Made in production outside the migrations, and written here as production has it. Every statement is idempotent.\n\nHolds: table public.customers (1 constraint).".into(),
    };
    let text = r
        .file(&header, &r.bodies(&s, &items).unwrap(), &rollbacks)
        .unwrap();
    pg_query::parse(&text, pg_query::ParserOptions::DEFAULT).unwrap();
    insta::assert_snapshot!(text);
}

#[test]
fn drop_migration() {
    let s = model();
    let text = renderer()
        .drop_table(
            &s,
            &qn("public", "orders"),
            &[ObjectKey::relation(ObjectKind::Type, qn("public", "mood"))],
            "backups/20240801120000_public.orders.sql",
            42,
        )
        .unwrap();
    pg_query::parse(&text, pg_query::ParserOptions::DEFAULT).unwrap();
    insta::assert_snapshot!(text);
}
