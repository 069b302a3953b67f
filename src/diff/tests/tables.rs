//! Tables and their parts: columns, constraints, indexes, RLS, policies, triggers,
//! comments, grants.

use super::*;

#[test]
fn a_table_on_one_side_is_one_line() {
    let mut prod = base();
    let mut old = table("public.old_stuff", vec![column("id", "integer")]);
    old.policies = vec![policy("Anyone", PolicyCommand::All, "true")];
    old.grants = vec![grant("anon", "SELECT")];
    prod.tables.insert(old.name.clone(), old);
    expect(
        &prod,
        &base(),
        &["table public.old_stuff: in production, not in migrations"],
        json!([{"object": "table public.old_stuff", "kind": "table", "state": "in_production_only"}]),
    );
    expect(
        &base(),
        &prod,
        &["table public.old_stuff: in migrations, not in production"],
        json!([{"object": "table public.old_stuff", "kind": "table", "state": "in_migrations_only"}]),
    );
}

#[test]
fn a_column_only_in_production_is_one_line() {
    let mut prod = base();
    let mut lost = column("lost_reason", "text");
    lost.comment = Some("Why we lost it".into());
    lost.grants = vec![grant("authenticated", "UPDATE")];
    deals(&mut prod).columns.push(lost);
    expect(
        &prod,
        &base(),
        &["column public.deals.lost_reason: in production, not in migrations"],
        json!([{
            "object": "column public.deals.lost_reason",
            "kind": "column",
            "state": "in_production_only"
        }]),
    );
}

#[test]
fn column_storage_compression_statistics_and_options_differ() {
    let mut prod = base();
    let amount = &mut deals(&mut prod).columns[2];
    amount.storage = Some(Storage::Main);
    amount.compression = Some(Compression::Lz4);
    amount.statistics = Some(500);
    amount.options = vec!["n_distinct=100".into()];
    expect(
        &prod,
        &base(),
        &[
            "column public.deals.amount: differs: storage MAIN in production, none in migrations",
            "column public.deals.amount: differs: compression lz4 in production, none in migrations",
            "column public.deals.amount: differs: statistics 500 in production, none in migrations",
            "column public.deals.amount: differs: options n_distinct=100 in production, none in migrations",
        ],
        json!([
            {"object": "column public.deals.amount", "kind": "column", "state": "differs",
             "detail": "storage MAIN in production, none in migrations"},
            {"object": "column public.deals.amount", "kind": "column", "state": "differs",
             "detail": "compression lz4 in production, none in migrations"},
            {"object": "column public.deals.amount", "kind": "column", "state": "differs",
             "detail": "statistics 500 in production, none in migrations"},
            {"object": "column public.deals.amount", "kind": "column", "state": "differs",
             "detail": "options n_distinct=100 in production, none in migrations"},
        ]),
    );
}

#[test]
fn a_column_type_difference() {
    let mut replay = base();
    deals(&mut replay).columns[2].type_sql = "numeric".into();
    expect(
        &base(),
        &replay,
        &["column public.deals.amount: differs: type numeric(12,2) in production, numeric in migrations"],
        json!([{
            "object": "column public.deals.amount",
            "kind": "column",
            "state": "differs",
            "detail": "type numeric(12,2) in production, numeric in migrations"
        }]),
    );
}

#[test]
fn each_column_field_is_its_own_line() {
    let mut replay = base();
    let amount = &mut deals(&mut replay).columns[2];
    amount.default = None;
    amount.not_null = true;
    amount.collation = Some(qn("pg_catalog.C"));
    expect(
        &base(),
        &replay,
        &[
            "column public.deals.amount: differs: collation none in production, pg_catalog.\"C\" in migrations",
            "column public.deals.amount: differs: default 0 in production, none in migrations",
            "column public.deals.amount: differs: not null in migrations, not in production",
        ],
        json!([
            {"object": "column public.deals.amount", "kind": "column", "state": "differs",
             "detail": "collation none in production, pg_catalog.\"C\" in migrations"},
            {"object": "column public.deals.amount", "kind": "column", "state": "differs",
             "detail": "default 0 in production, none in migrations"},
            {"object": "column public.deals.amount", "kind": "column", "state": "differs",
             "detail": "not null in migrations, not in production"},
        ]),
    );
}

#[test]
fn a_column_order_difference() {
    let mut replay = base();
    deals(&mut replay).columns.swap(1, 2);
    deals(&mut replay).columns.push(column("extra", "text"));
    expect(
        &base(),
        &replay,
        &[
            "table public.deals: differs: column order id, title, amount in production, id, amount, title in migrations",
            "column public.deals.extra: in migrations, not in production",
        ],
        json!([
            {"object": "table public.deals", "kind": "column", "state": "differs",
             "detail": "column order id, title, amount in production, id, amount, title in migrations"},
            {"object": "column public.deals.extra", "kind": "column", "state": "in_migrations_only"},
        ]),
    );
}

#[test]
fn a_constraint_only_in_migrations() {
    let mut replay = base();
    deals(&mut replay).constraints.push(constraint(
        "deals_amount_check",
        ConstraintKind::Check,
        "CHECK ((amount >= (0)::numeric))",
    ));
    expect(
        &base(),
        &replay,
        &["constraint deals_amount_check on public.deals: in migrations, not in production"],
        json!([{
            "object": "constraint deals_amount_check on public.deals",
            "kind": "constraint",
            "state": "in_migrations_only"
        }]),
    );
}

#[test]
fn an_unvalidated_constraint_reads_as_such() {
    let mut prod = base();
    let pkey = &mut deals(&mut prod).constraints[0];
    pkey.definition = "PRIMARY KEY (id) NOT VALID".into();
    pkey.validated = false;
    expect(
        &prod,
        &base(),
        &["constraint deals_pkey on public.deals: differs: validated in migrations, not in production"],
        json!([{
            "object": "constraint deals_pkey on public.deals",
            "kind": "constraint",
            "state": "differs",
            "detail": "validated in migrations, not in production"
        }]),
    );
}

#[test]
fn an_index_definition_difference() {
    let mut replay = base();
    deals(&mut replay).indexes[0].definition =
        "CREATE INDEX deals_title_idx ON public.deals USING btree (lower(title))".into();
    let detail = "definition CREATE INDEX deals_title_idx ON public.deals USING btree (title) \
                  in production, CREATE INDEX deals_title_idx ON public.deals USING btree \
                  (lower(title)) in migrations";
    expect(
        &base(),
        &replay,
        &[&format!("index public.deals_title_idx: differs: {detail}")],
        json!([{
            "object": "index public.deals_title_idx",
            "kind": "index",
            "state": "differs",
            "detail": detail
        }]),
    );
}

#[test]
fn an_rls_flag_difference() {
    let mut replay = base();
    deals(&mut replay).rls_enabled = false;
    deals(&mut replay).rls_forced = true;
    expect(
        &base(),
        &replay,
        &[
            "row level security on public.deals: differs: enabled in production, not in migrations",
            "row level security on public.deals: differs: forced in migrations, not in production",
        ],
        json!([
            {"object": "row level security on public.deals", "kind": "rls", "state": "differs",
             "detail": "enabled in production, not in migrations"},
            {"object": "row level security on public.deals", "kind": "rls", "state": "differs",
             "detail": "forced in migrations, not in production"},
        ]),
    );
}

#[test]
fn a_policy_only_in_production() {
    let mut prod = base();
    deals(&mut prod).policies.push(policy(
        "Owners delete",
        PolicyCommand::Delete,
        "(owner_id = auth.uid())",
    ));
    expect(
        &prod,
        &base(),
        &["policy \"Owners delete\" on public.deals: in production, not in migrations"],
        json!([{
            "object": "policy \"Owners delete\" on public.deals",
            "kind": "policy",
            "state": "in_production_only"
        }]),
    );
}

#[test]
fn policy_fields_differ() {
    let mut replay = base();
    let read = &mut deals(&mut replay).policies[0];
    read.permissive = false;
    read.roles = vec!["authenticated".into(), "anon".into()];
    expect(
        &base(),
        &replay,
        &[
            "policy \"Members read\" on public.deals: differs: permissive in production, restrictive in migrations",
            "policy \"Members read\" on public.deals: differs: roles authenticated in production, anon, authenticated in migrations",
        ],
        json!([
            {"object": "policy \"Members read\" on public.deals", "kind": "policy", "state": "differs",
             "detail": "permissive in production, restrictive in migrations"},
            {"object": "policy \"Members read\" on public.deals", "kind": "policy", "state": "differs",
             "detail": "roles authenticated in production, anon, authenticated in migrations"},
        ]),
    );
}

#[test]
fn a_trigger_disabled_in_production() {
    let mut prod = base();
    deals(&mut prod).triggers[0].enabled = 'D';
    expect(
        &prod,
        &base(),
        &["trigger deals_touch on public.deals: differs: disabled in production, enabled in migrations"],
        json!([{
            "object": "trigger deals_touch on public.deals",
            "kind": "trigger",
            "state": "differs",
            "detail": "disabled in production, enabled in migrations"
        }]),
    );
}

#[test]
fn a_long_line_is_shown_around_its_first_difference() {
    let mut replay = base();
    let trigger = &mut deals(&mut replay).triggers[0];
    trigger.definition = trigger.definition.replace("touch()", "touch_deal()");
    let detail = "definition …EXECUTE FUNCTION touch() in production, \
                  …EXECUTE FUNCTION touch_deal() in migrations";
    expect(
        &base(),
        &replay,
        &[&format!(
            "trigger deals_touch on public.deals: differs: {detail}"
        )],
        json!([{
            "object": "trigger deals_touch on public.deals",
            "kind": "trigger",
            "state": "differs",
            "detail": detail
        }]),
    );
}

#[test]
fn missing_and_extra_grants_are_one_line_each() {
    let mut replay = base();
    let t = deals(&mut replay);
    t.grants.retain(|g| g.grantee != "anon");
    t.columns[1].grants.push(grant("authenticated", "UPDATE"));
    for f in replay.functions.values_mut() {
        f.grants[0].grantable = true;
    }
    expect(
        &base(),
        &replay,
        &[
            "grant SELECT on public.deals to anon: in production, not in migrations",
            "grant UPDATE (title) on public.deals to authenticated: in migrations, not in production",
            "grant EXECUTE on function public.touch() to authenticated: in production, not in migrations",
            "grant EXECUTE on function public.touch() to authenticated with grant option: in migrations, not in production",
        ],
        json!([
            {"object": "grant SELECT on public.deals to anon", "kind": "grant", "state": "in_production_only"},
            {"object": "grant UPDATE (title) on public.deals to authenticated", "kind": "grant",
             "state": "in_migrations_only"},
            {"object": "grant EXECUTE on function public.touch() to authenticated", "kind": "grant",
             "state": "in_production_only"},
            {"object": "grant EXECUTE on function public.touch() to authenticated with grant option",
             "kind": "grant", "state": "in_migrations_only"},
        ]),
    );
}

#[test]
fn comment_differences() {
    let mut replay = base();
    let t = deals(&mut replay);
    t.comment = Some("Deals".into());
    t.columns[1].comment = None;
    t.policies[0].comment = Some("Everyone signed in".into());
    expect(
        &base(),
        &replay,
        &[
            "comment on table public.deals: differs: 'Open and won deals' in production, 'Deals' in migrations",
            "comment on policy \"Members read\" on public.deals: in migrations, not in production",
            "comment on column public.deals.title: in production, not in migrations",
        ],
        json!([
            {"object": "comment on table public.deals", "kind": "comment", "state": "differs",
             "detail": "'Open and won deals' in production, 'Deals' in migrations"},
            {"object": "comment on policy \"Members read\" on public.deals", "kind": "comment",
             "state": "in_migrations_only"},
            {"object": "comment on column public.deals.title", "kind": "comment",
             "state": "in_production_only"},
        ]),
    );
}

#[test]
fn table_properties_differ() {
    let with_partition = |unlogged: bool, upper: &str, options: &[&str]| {
        let mut schema = base();
        let mut events = table("public.events", vec![column("at", "date")]);
        events.kind = TableKind::Partitioned;
        events.partition_key = Some("RANGE (at)".into());
        let mut part = table("public.events_2025", vec![column("at", "date")]);
        part.unlogged = unlogged;
        part.options = options.iter().map(|o| o.to_string()).collect();
        part.partition_of = Some(PartitionOf {
            parent: events.name.clone(),
            bound: format!("FOR VALUES FROM ('2025-01-01') TO ('{upper}')"),
        });
        schema.tables.insert(events.name.clone(), events);
        schema.tables.insert(part.name.clone(), part);
        schema
    };
    let prod = with_partition(
        true,
        "2026-01-01",
        &["fillfactor=70", "autovacuum_enabled=off"],
    );
    let replay = with_partition(false, "2025-07-01", &["autovacuum_enabled=off"]);
    let bound = "partition bound FOR VALUES FROM ('2025-01-01') TO ('2026-01-01') in production, \
                 FOR VALUES FROM ('2025-01-01') TO ('2025-07-01') in migrations";
    let options = "storage options autovacuum_enabled=off, fillfactor=70 in production, \
                   autovacuum_enabled=off in migrations";
    expect(
        &prod,
        &replay,
        &[
            "table public.events_2025: differs: unlogged in production, not in migrations",
            &format!("table public.events_2025: differs: {bound}"),
            &format!("table public.events_2025: differs: {options}"),
        ],
        json!([
            {"object": "table public.events_2025", "kind": "table", "state": "differs",
             "detail": "unlogged in production, not in migrations"},
            {"object": "table public.events_2025", "kind": "table", "state": "differs", "detail": bound},
            {"object": "table public.events_2025", "kind": "table", "state": "differs", "detail": options},
        ]),
    );
}

#[test]
fn the_index_cluster_uses_differs() {
    let mut prod = base();
    deals(&mut prod).clustered_on = Some("deals_pkey".into());
    let mut replay = base();
    deals(&mut replay).clustered_on = Some("deals_title_idx".into());
    expect(
        &prod,
        &base(),
        &["table public.deals: differs: cluster on deals_pkey in production, none in migrations"],
        json!([{"object": "table public.deals", "kind": "table", "state": "differs",
                "detail": "cluster on deals_pkey in production, none in migrations"}]),
    );
    expect(
        &prod,
        &replay,
        &["table public.deals: differs: cluster on deals_pkey in production, deals_title_idx in migrations"],
        json!([{"object": "table public.deals", "kind": "table", "state": "differs",
                "detail": "cluster on deals_pkey in production, deals_title_idx in migrations"}]),
    );
}

#[test]
fn rules_are_parts_of_their_table() {
    let rule = |enabled: char, action: &str| Rule {
        name: "deals_kept".into(),
        definition: format!(
            "CREATE RULE deals_kept AS\n    ON DELETE TO public.deals DO INSTEAD {action}"
        ),
        enabled,
        comment: None,
    };
    let mut prod = base();
    deals(&mut prod).rules = vec![rule('D', "NOTHING")];
    let mut replay = base();
    deals(&mut replay).rules = vec![rule('O', "SELECT 1")];
    expect(
        &prod,
        &base(),
        &["rule deals_kept on public.deals: in production, not in migrations"],
        json!([{"object": "rule deals_kept on public.deals", "kind": "rule",
                "state": "in_production_only"}]),
    );
    let definition = "definition line 2 …public.deals DO INSTEAD NOTHING in production, \
                      …public.deals DO INSTEAD SELECT 1 in migrations";
    expect(
        &prod,
        &replay,
        &[
            &format!("rule deals_kept on public.deals: differs: {definition}"),
            "rule deals_kept on public.deals: differs: disabled in production, enabled in migrations",
        ],
        json!([
            {"object": "rule deals_kept on public.deals", "kind": "rule", "state": "differs",
             "detail": definition},
            {"object": "rule deals_kept on public.deals", "kind": "rule", "state": "differs",
             "detail": "disabled in production, enabled in migrations"},
        ]),
    );
    let found = crate::diff::compare(&prod, &base());
    assert_eq!(found[0].part, Part::Rule("deals_kept".into()));
}
