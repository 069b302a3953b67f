//! Planning on hand-made models: order, cycle breaking, placement in history, file names.

use super::*;
use crate::history::{parse_sources, MigrationFile};
use crate::model::{
    Column, Constraint, ConstraintKind, Dependency, ObjectKind, Part, QualifiedName, Table,
};
use std::path::PathBuf;

fn qn(name: &str) -> QualifiedName {
    QualifiedName::new("public", name)
}

fn constraint(name: &str, kind: ConstraintKind, references: Option<&str>) -> Constraint {
    Constraint {
        references: references.map(qn),
        ..Constraint::new(name, kind, "")
    }
}

/// A table with a primary key and a foreign key to each of `references`.
fn table(name: &str, references: &[&str]) -> Table {
    let mut constraints = vec![constraint(
        &format!("{name}_pkey"),
        ConstraintKind::PrimaryKey,
        None,
    )];
    for r in references {
        constraints.push(constraint(
            &format!("{name}_{r}_fkey"),
            ConstraintKind::ForeignKey,
            Some(r),
        ));
    }
    Table {
        columns: vec![
            Column::new("id", "integer"),
            Column::new("source", "integer"),
            Column::new("x", "integer"),
        ],
        constraints,
        ..Table::new(qn(name))
    }
}

fn schema(tables: Vec<Table>) -> Schema {
    let mut s = Schema {
        schemas: vec!["public".into()],
        ..Schema::default()
    };
    for t in tables {
        s.tables.insert(t.name.clone(), t);
    }
    s
}

fn history(texts: &[&str]) -> History {
    let files = texts
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let version = format!("2024010{}120000", i + 1);
            let path = PathBuf::from(format!("{version}_m{i}.sql"));
            (
                MigrationFile {
                    version,
                    name: format!("m{i}"),
                    path,
                },
                text.to_string(),
            )
        })
        .collect();
    parse_sources(files).unwrap()
}

fn tables(names: &[&str]) -> Vec<ObjectKey> {
    names
        .iter()
        .map(|n| ObjectKey::relation(ObjectKind::Table, qn(n)))
        .collect()
}

/// Each file as `name: item, item...`; a table with the constraints written inside it as
/// `table a(a_pkey, a_b_fkey)`.
fn layout(plan: &Plan) -> Vec<String> {
    plan.files
        .iter()
        .map(|f| {
            let items: Vec<String> = f
                .items
                .iter()
                .map(|i| match i {
                    Item::Table(t) if t.constraints.is_empty() => format!("table {}", t.name.name),
                    Item::Table(t) => {
                        format!("table {}({})", t.name.name, t.constraints.join(", "))
                    }
                    Item::TablePart {
                        part: Part::Constraint(n),
                        ..
                    } => n.clone(),
                    other => format!("{other:?}"),
                })
                .collect();
            format!("{}: {}", f.file_name, items.join(", "))
        })
        .collect()
}

fn plan(prod: &Schema, history: &History, names: &[&str]) -> Plan {
    build(prod, history, &tables(names), &Options::default()).unwrap()
}

#[test]
fn referenced_tables_come_first_with_their_keys() {
    let prod = schema(vec![
        table("a", &["b"]),
        table("b", &["c"]),
        table("c", &[]),
    ]);
    let plan = plan(&prod, &History::default(), &["a", "b", "c"]);
    let layout = layout(&plan);
    let stems: Vec<&str> = layout
        .iter()
        .map(|l| l.split_once('_').unwrap().1)
        .collect();
    assert_eq!(
        stems,
        [
            "import_c.sql: table c(c_pkey)",
            "import_b.sql: table b(b_pkey, b_c_fkey)",
            "import_a.sql: table a(a_pkey, a_b_fkey)",
        ]
    );
}

#[test]
fn a_two_table_cycle_adds_its_foreign_key_once_both_exist() {
    let prod = schema(vec![table("a", &["b"]), table("b", &["a"])]);
    let layout = layout(&plan(&prod, &History::default(), &["a", "b"]));
    let stems: Vec<&str> = layout
        .iter()
        .map(|l| l.split_once('_').unwrap().1)
        .collect();
    assert_eq!(
        stems,
        [
            "import_a.sql: table a(a_pkey)",
            "import_b.sql: table b(b_pkey, b_a_fkey)",
            "import_a_foreign_keys.sql: a_b_fkey",
        ]
    );
}

#[test]
fn a_three_table_cycle_and_a_self_reference() {
    let prod = schema(vec![
        table("a", &["b"]),
        table("b", &["c"]),
        table("c", &["a", "c"]),
    ]);
    let layout = layout(&plan(&prod, &History::default(), &["a", "b", "c"]));
    let stems: Vec<&str> = layout
        .iter()
        .map(|l| l.split_once('_').unwrap().1)
        .collect();
    assert_eq!(
        stems,
        [
            "import_a.sql: table a(a_pkey)",
            "import_c.sql: table c(c_pkey, c_a_fkey, c_c_fkey)",
            "import_b.sql: table b(b_pkey, b_c_fkey)",
            "import_a_foreign_keys.sql: a_b_fkey",
        ]
    );
}

#[test]
fn files_go_before_the_first_migration_that_uses_the_table() {
    let prod = schema(vec![table("a", &[]), table("b", &[])]);
    let h = history(&["create table m (id int)", "alter table a add column x int"]);
    let plan = plan(&prod, &h, &["a", "b"]);
    let names: Vec<&str> = plan.files.iter().map(|f| f.file_name.as_str()).collect();
    // a must precede m1 (its first user); b needs nothing, so it goes first too.
    assert_eq!(
        names,
        ["20240101115958_import_a.sql", "20240101115959_import_b.sql"]
    );
    let Item::Table(a) = &plan.files[0].items[0] else {
        panic!()
    };
    assert_eq!(a.omit_columns, ["x"], "the column m1 adds is left to m1");
}

#[test]
fn a_foreign_key_to_a_migration_table_goes_after_that_migration() {
    let prod = schema(vec![table("d", &["m"]), table("m", &[])]);
    let h = history(&["create table m (id int primary key)", "select 1"]);
    let layout = layout(&plan(&prod, &h, &["d"]));
    assert_eq!(
        layout,
        [
            "20240101115959_import_d.sql: table d(d_pkey)",
            "20240101120001_import_d.sql: d_m_fkey",
        ]
    );
}

#[test]
fn a_base_table_renamed_by_a_migration_is_created_under_its_old_names() {
    let prod = schema(vec![table("archive", &[])]);
    let h = history(&[
        "alter table legacy rename to archive; alter table archive rename column src to source",
    ]);
    let plan = plan(&prod, &h, &["archive"]);
    let Item::Table(item) = &plan.files[0].items[0] else {
        panic!()
    };
    assert_eq!(item.as_name, qn("legacy"));
    assert_eq!(item.renamed_later(), Some(&qn("archive")));
    assert_eq!(
        item.column_names.get("source").map(String::as_str),
        Some("src")
    );
    assert_eq!(plan.files[0].slot, 0);
}

#[test]
fn an_impossible_placement_names_both_migrations() {
    let mut prod = schema(vec![table("e", &[])]);
    prod.dependencies.push(Dependency {
        from: ObjectKey::relation(ObjectKind::Table, qn("e")),
        part: Part::Column("x".into()),
        to: ObjectKey::relation(ObjectKind::Type, qn("mood")),
    });
    let h = history(&["insert into e values (1)", "create type mood as enum ('a')"]);
    let err = build(&prod, &h, &tables(&["e"]), &Options::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("cannot place table public.e: it needs what 20240102120000_m1.sql creates, but the earlier 20240101120000_m0.sql already uses it"),
        "{err}"
    );
}

#[test]
fn single_file_mode_makes_one_file_per_place_in_history() {
    let prod = schema(vec![
        table("a", &["b"]),
        table("b", &["a"]),
        table("d", &["m"]),
    ]);
    let h = history(&["create table m (id int primary key)"]);
    let options = Options {
        single_file: Some("base_schema".into()),
        ..Options::default()
    };
    let plan = build(&prod, &h, &tables(&["a", "b", "d"]), &options).unwrap();
    let names: Vec<&str> = plan.files.iter().map(|f| f.file_name.as_str()).collect();
    assert_eq!(
        names,
        [
            "20240101115959_base_schema.sql",
            "20240101120001_base_schema_2.sql"
        ]
    );
    // Keys whose tables exist by then are written inside CREATE TABLE; the cycle's closing
    // foreign key is added after its table.
    assert_eq!(
        layout(&plan)[0],
        "20240101115959_base_schema.sql: table d(d_pkey), table a(a_pkey), table b(b_pkey, b_a_fkey), a_b_fkey"
    );
}

#[test]
fn file_stems_are_safe() {
    assert_eq!(file_stem("UserSettings"), "usersettings");
    assert_eq!(file_stem("import log"), "import_log");
    assert_eq!(file_stem("x\"; DROP TABLE y; --"), "x_drop_table_y");
    assert_eq!(file_stem("../../etc/passwd"), "etc_passwd");
    assert_eq!(file_stem("ünï"), "n");
    assert_eq!(file_stem("…"), "object");
    assert_eq!(file_stem(&"a".repeat(300)).len(), 60);
}

#[test]
fn file_stems_of_hostile_names_are_plain_bounded_and_never_empty() {
    let long_unicode = "表é🎉".repeat(100) + "tail";
    let hostile = [
        "",
        ".",
        "..",
        "/",
        "\\",
        "***",
        "\u{1}\u{7f}\n\t\r\u{1b}",
        "$$",
        "--",
        "  ",
        "é表🎉",
        "__a__",
        "a/../b",
        "C:\\x",
        "tab\there\nnew\u{1b}[31mline",
        &long_unicode,
    ];
    for name in hostile {
        let stem = file_stem(name);
        assert!(!stem.is_empty() && stem.len() <= 60, "{name:?}: {stem}");
        assert!(
            stem.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
            "{name:?}: {stem}"
        );
        assert!(
            !stem.starts_with('_') && !stem.ends_with('_') && !stem.contains("__"),
            "{name:?}: {stem}"
        );
    }
    for only_symbols in ["", ".", "..", "/", "\\", "***", "$$", "--", "  ", "é表🎉"] {
        assert_eq!(file_stem(only_symbols), "object", "{only_symbols:?}");
    }
    assert_eq!(file_stem("\u{1}\u{7f}\n\t\r\u{1b}"), "object");
    assert_eq!(file_stem("__a__"), "a");
    assert_eq!(file_stem("a/../b"), "a_b");
    assert_eq!(file_stem("C:\\x"), "c_x");
    assert_eq!(
        file_stem("tab\there\nnew\u{1b}[31mline"),
        "tab_here_new_31mline"
    );
    assert_eq!(file_stem(&long_unicode), "tail");
    // Cut at 60 characters, and no `_` left at the cut.
    let cut = format!("{}_{}", "a".repeat(59), "b".repeat(10));
    assert_eq!(file_stem(&cut), "a".repeat(59));
}

#[test]
fn names_with_one_stem_get_files_that_differ_by_version() {
    // 62 characters each, the same in the first 60: one stem for both; and two names that
    // differ only in case.
    let a = format!("{}_a", "long_name_".repeat(6));
    let b = format!("{}_b", "long_name_".repeat(6));
    assert_eq!(file_stem(&a), file_stem(&b));
    let prod = schema(vec![
        table(&a, &[]),
        table(&b, &[]),
        table("Users", &[]),
        table("users", &[]),
    ]);
    let h = history(&["create table m (id int primary key)"]);
    let plan = plan(&prod, &h, &[&a, &b, "Users", "users"]);
    let names: Vec<&str> = plan.files.iter().map(|f| f.file_name.as_str()).collect();
    assert_eq!(names.len(), 4, "{names:?}");
    let stem = format!("_import_{}.sql", file_stem(&a));
    assert_eq!(names.iter().filter(|n| n.ends_with(&stem)).count(), 2);
    assert_eq!(
        names
            .iter()
            .filter(|n| n.ends_with("_import_users.sql"))
            .count(),
        2
    );
    let versions: std::collections::BTreeSet<&str> =
        plan.files.iter().map(|f| f.version.as_str()).collect();
    assert_eq!(versions.len(), 4, "{names:?}");
    assert!(
        names.iter().all(|n| n.len() <= 14 + stem.len()),
        "{names:?}"
    );
}

#[test]
fn a_trigger_needing_a_later_migrations_function_gets_its_own_file_after_it() {
    let mut t = table("t", &[]);
    t.triggers.push(crate::model::Trigger {
        name: "t_audit".into(),
        definition: String::new(),
        function: qn("audit"),
        enabled: 'O',
        is_constraint: false,
        comment: None,
    });
    let mut prod = schema(vec![t]);
    prod.dependencies.push(Dependency {
        from: ObjectKey::relation(ObjectKind::Table, qn("t")),
        part: Part::Trigger("t_audit".into()),
        to: ObjectKey::routine(ObjectKind::Function, qn("audit"), ""),
    });
    let h = history(&[
        "alter table t add column y int",
        "create function audit() returns trigger language plpgsql as $$ begin return new; end $$",
    ]);
    let plan = plan(&prod, &h, &["t"]);
    let files: Vec<(&str, usize)> = plan
        .files
        .iter()
        .map(|f| (f.file_name.as_str(), f.items.len()))
        .collect();
    assert_eq!(
        files,
        [
            ("20240101115959_import_t.sql", 1),
            ("20240102120001_import_t.sql", 1)
        ]
    );
    assert!(
        matches!(&plan.files[1].items[0], Item::TablePart { part: Part::Trigger(n), .. } if n == "t_audit")
    );
    assert_eq!(plan.files[1].title, "Import parts of table public.t");
}

#[test]
fn a_domain_comes_after_the_function_its_check_calls() {
    let mut prod = schema(vec![]);
    let domain = ObjectKey::relation(ObjectKind::Type, qn("custom_id"));
    let function = ObjectKey::routine(ObjectKind::Function, qn("valid"), "text");
    prod.dependencies.push(Dependency {
        from: domain.clone(),
        part: Part::Constraint("custom_id_check".into()),
        to: function.clone(),
    });
    // By kind alone a type goes before a function; the domain's check decides here.
    let plan = build(
        &prod,
        &History::default(),
        &[domain, function],
        &Options::default(),
    )
    .unwrap();
    let items: Vec<String> = plan
        .files
        .iter()
        .flat_map(|f| &f.items)
        .map(|i| format!("{i:?}"))
        .collect();
    assert_eq!(items.len(), 2, "{items:?}");
    assert!(items[0].starts_with("Function"), "{items:?}");
    assert!(items[1].starts_with("Type"), "{items:?}");
}

#[test]
fn a_collation_comes_before_the_table_that_uses_it_and_the_migration_that_does() {
    let mut prod = schema(vec![table("t", &[])]);
    let collation = ObjectKey::relation(ObjectKind::Collation, qn("numeric_order"));
    prod.dependencies.push(Dependency {
        from: ObjectKey::relation(ObjectKind::Table, qn("t")),
        part: Part::Column("x".into()),
        to: collation.clone(),
    });
    let h = history(&[
        "create table m (id int)",
        "create table n (a text collate numeric_order)",
    ]);
    let objects = [tables(&["t"]), vec![collation]].concat();
    let plan = build(&prod, &h, &objects, &Options::default()).unwrap();
    let placed: Vec<(usize, String)> = plan
        .files
        .iter()
        .flat_map(|f| f.items.iter().map(move |i| (f.slot, format!("{i:?}"))))
        .collect();
    assert!(placed[0].1.starts_with("Collation"), "{placed:?}");
    assert!(placed.iter().all(|(slot, _)| *slot <= 1), "{placed:?}");
}

#[test]
fn a_unique_twin_of_the_primary_key_is_added_on_its_own() {
    // Inside one CREATE TABLE, PostgreSQL would fold `UNIQUE (id)` into the primary key.
    let mut t = table("a", &[]);
    t.constraints[0].definition = "PRIMARY KEY (id)".into();
    let mut twin = constraint("a_id_key", ConstraintKind::Unique, None);
    twin.definition = "UNIQUE (id)".into();
    let mut other = constraint("a_x_key", ConstraintKind::Unique, None);
    other.definition = "UNIQUE (x)".into();
    t.constraints.extend([twin, other]);
    let layout = layout(&plan(&schema(vec![t]), &History::default(), &["a"]));
    assert_eq!(layout.len(), 1);
    assert!(
        layout[0].ends_with("_import_a.sql: table a(a_pkey, a_x_key), a_id_key"),
        "{layout:?}"
    );
}

#[test]
fn catch_up_files_follow_the_differences_in_production_order() {
    // Production added column z and a check to a migration's table, and dropped another
    // migration table, its foreign key and column x.
    let mut prod_t = table("t", &[]);
    prod_t.columns.retain(|c| c.name != "x");
    prod_t.columns.push(Column {
        name: "z".into(),
        ..prod_t.columns[0].clone()
    });
    prod_t
        .constraints
        .push(constraint("t_z_check", ConstraintKind::Check, None));
    let prod = schema(vec![prod_t]);
    let replayed = schema(vec![table("t", &["gone"]), table("gone", &[])]);
    let differences = crate::diff::compare(&prod, &replayed);
    let files = catchup::files(&prod, &replayed, &differences, Some("20240101120000"), 1).unwrap();
    let names: Vec<&str> = files.iter().map(|f| f.file_name.as_str()).collect();
    assert_eq!(
        names,
        [
            "20240101120001_catch_up_dropped_by_hand.sql",
            "20240101120002_catch_up_t.sql"
        ]
    );
    assert_eq!(files[0].drops, [Item::Table(TableItem::whole(qn("gone")))]);
    let part = |p: Part| Item::TablePart {
        table: qn("t"),
        part: p,
    };
    assert_eq!(
        files[1].items,
        [
            part(Part::Column("z".into())),
            part(Part::Constraint("t_z_check".into()))
        ]
    );
    assert_eq!(
        files[1].drops,
        [
            part(Part::Constraint("t_gone_fkey".into())),
            part(Part::Column("x".into()))
        ]
    );
    // Nothing differs, nothing to catch up.
    let same = crate::diff::compare(&prod, &prod);
    assert!(catchup::files(&prod, &prod, &same, None, 1)
        .unwrap()
        .is_empty());
}

#[test]
fn an_event_trigger_goes_after_the_last_migration_and_an_operator_with_its_check() {
    // The check of t uses an operator made by hand; an event trigger, made by hand too,
    // fires on a function a migration creates.
    let mut t = table("t", &[]);
    t.constraints
        .push(constraint("t_x_check", ConstraintKind::Check, None));
    let mut prod = schema(vec![t]);
    let operator = crate::model::Operator {
        name: qn("=~="),
        left: Some("integer".into()),
        right: "integer".into(),
        definition: String::new(),
        owner: "postgres".into(),
        comment: None,
    };
    let trigger = crate::model::EventTrigger {
        name: "log_ddl".into(),
        event: "ddl_command_end".into(),
        tags: Vec::new(),
        function: qn("log_ddl"),
        enabled: crate::model::Firing::Origin,
        owner: "postgres".into(),
        comment: None,
    };
    prod.dependencies.push(Dependency {
        from: ObjectKey::relation(ObjectKind::Table, qn("t")),
        part: Part::Constraint("t_x_check".into()),
        to: operator.key(),
    });
    let keys = vec![
        ObjectKey::relation(ObjectKind::Table, qn("t")),
        operator.key(),
        trigger.key(),
    ];
    prod.operators.insert(operator.key(), operator);
    prod.event_triggers.insert(trigger.key(), trigger);
    let h = history(&[
        "create function log_ddl() returns event_trigger language plpgsql as $$ begin end $$",
        "create table other (id int)",
    ]);
    let plan = build(&prod, &h, &keys, &Options::default()).unwrap();
    let layout = layout(&plan);
    assert_eq!(layout.len(), 2, "{layout:?}");
    // The operator comes with the table that needs it, before its check inside the table.
    assert!(
        layout[0].starts_with("20240101115959_import_t.sql: Operator"),
        "{layout:?}"
    );
    assert!(
        layout[0].ends_with(", table t(t_pkey, t_x_check)"),
        "{layout:?}"
    );
    assert!(
        layout[1].starts_with("20240102120001_import_event_trigger_log_ddl.sql: EventTrigger"),
        "{layout:?}"
    );
    assert_eq!(plan.files[1].slot, 2);
}
