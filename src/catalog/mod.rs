//! Reads production's catalog into the model.
//!
//! One batched query per object kind covers every managed schema at once (the schema list
//! is one `text[]` parameter), so the number of queries does not grow with the number of
//! tables. Each kind has its module here and its SQL beside it in `queries/`. Oids and
//! attnums are used to put the parts together and never leave this module.
//!
//! Objects that belong to an extension are left out everywhere: they are the extension's,
//! not drift.

mod aggregates;
mod changes;
mod collations;
mod columns;
mod comments;
mod constraints;
mod default_privileges;
mod depend;
mod event_triggers;
mod extensions;
mod functions;
mod grants;
mod indexes;
mod namespaces;
mod operators;
mod policies;
mod publications;
mod rules;
mod sequences;
mod tables;
mod triggers;
mod types;
mod views;

use crate::db::{schema_changed, Snapshot};
use crate::model::{
    Collation, DefaultPrivilege, Dependency, EventTrigger, Extension, Function, Grant, Namespace,
    ObjectKey, Operator, Publication, QualifiedName, ReplicaIdentity, Schema, Sequence, Table,
    TypeDef, View,
};
use anyhow::{anyhow, Context, Result};
use indexmap::IndexMap;
use postgres::types::{FromSql, ToSql, Type, WasNull};
use postgres::Row;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

/// How much of each object a read brings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Detail {
    /// Everything: definitions, columns, indexes, comments, grants, dependencies. What an
    /// import renders and a comparison compares.
    Full,
    /// What a drift report lists: every object by name, and the facts of each table (rows,
    /// size, foreign keys, how many policies and triggers, partitions). Columns, indexes,
    /// rules, comments, grants and dependencies are not read, and definitions are left
    /// empty: the server's deparsing functions, most of a full read's time, never run.
    Summary,
}

/// Reads every object of the managed `schemas` from one snapshot.
pub fn load(snapshot: &mut Snapshot, schemas: &[String]) -> Result<Schema> {
    read(snapshot, schemas, Detail::Full)
}

/// Reads the managed `schemas` from one snapshot at the given detail.
pub fn read(snapshot: &mut Snapshot, schemas: &[String], detail: Detail) -> Result<Schema> {
    read_with(snapshot, None, schemas, detail)
}

/// Reads the managed `schemas` at the given detail from `snapshot` and, when given,
/// `helper`: a second connection's snapshot that shares the first's (`Snapshot::join`). The
/// helper runs the queries that need no table (dependencies, routines, types...) while the
/// first reads the tables and their parts, so that the server works on both at once.
pub fn read_with(
    snapshot: &mut Snapshot,
    helper: Option<&mut Snapshot>,
    schemas: &[String],
    detail: Detail,
) -> Result<Schema> {
    let full = detail == Detail::Full;
    let mut reader = Reader {
        snapshot,
        schemas,
        full,
    };
    let (relations, rest) = match helper {
        None => {
            let notes = Notes::load(&mut reader)?;
            let relations = read_relations(&mut reader, &notes)?;
            let dependencies = read_dependencies(&mut reader)?;
            (relations, read_rest(&mut reader, &notes, dependencies)?)
        }
        Some(helper) => {
            let mut second = Reader {
                snapshot: helper,
                schemas,
                full,
            };
            std::thread::scope(|scope| {
                let (give_notes, take_notes) = std::sync::mpsc::channel::<Arc<Notes>>();
                let side = scope.spawn(move || -> Result<Option<Rest>> {
                    let dependencies = read_dependencies(&mut second)?;
                    // No notes: the first read failed, and its error is the one reported.
                    let Ok(notes) = take_notes.recv() else {
                        return Ok(None);
                    };
                    read_rest(&mut second, &notes, dependencies).map(Some)
                });
                let notes = Arc::new(Notes::load(&mut reader)?);
                let _ = give_notes.send(Arc::clone(&notes));
                let relations = read_relations(&mut reader, &notes)?;
                let rest = match side.join() {
                    Ok(rest) => rest?.context("the second catalog read stopped")?,
                    Err(panic) => std::panic::resume_unwind(panic),
                };
                Ok::<_, anyhow::Error>((relations, rest))
            })?
        }
    };
    let schema = Schema {
        schemas: schemas.to_vec(),
        namespaces: rest.namespaces,
        tables: by_name(relations.tables.into_values(), |t| &t.name),
        views: by_name(relations.views.into_values(), |v| &v.name),
        functions: rest.functions,
        types: rest.types,
        collations: rest.collations,
        sequences: by_name(relations.sequences, |s| &s.name),
        operators: rest.operators,
        event_triggers: rest.event_triggers,
        extensions: rest.extensions,
        dependencies: rest.dependencies,
        replica_identities: relations.replica_identities,
        default_privileges: rest
            .default_privileges
            .into_iter()
            .filter(|d| d.schema.as_ref().is_none_or(|s| schemas.contains(s)))
            .collect(),
        publications: rest.publications,
    };
    // Last, once both reads are done, so that a change made at any moment of them is seen.
    changes::check(&mut reader)?;
    Ok(schema)
}

/// Sequences, tables and views, with every part of a table: what needs the tables' oids.
fn read_relations(reader: &mut Reader, notes: &Notes) -> Result<Relations> {
    let full = reader.full;
    let sequences = sequences::load(reader, notes)?;
    let tables = tables::load(reader, notes)?;
    let mut relations = Relations {
        tables: tables.by_oid,
        views: views::load(reader, notes)?,
        sequences,
        replica_identities: tables.replica_identities,
    };
    if full {
        columns::load(reader, notes, &relations.sequences, &mut relations.tables)?;
    }
    constraints::load(reader, notes, &mut relations.tables)?;
    if full {
        indexes::load(reader, notes, &mut relations)?;
    }
    policies::load(reader, notes, &mut relations.tables)?;
    triggers::load(reader, notes, &mut relations)?;
    if full {
        rules::load(reader, notes, &mut relations)?;
    }
    Ok(relations)
}

/// What a full read knows of dependencies (none for a summary).
fn read_dependencies(reader: &mut Reader) -> Result<Vec<Dependency>> {
    match reader.full {
        true => depend::load(reader),
        false => Ok(Vec::new()),
    }
}

/// Everything but the relations.
struct Rest {
    namespaces: Vec<Namespace>,
    functions: IndexMap<ObjectKey, Function>,
    types: IndexMap<QualifiedName, TypeDef>,
    collations: IndexMap<QualifiedName, Collation>,
    operators: IndexMap<ObjectKey, Operator>,
    event_triggers: IndexMap<ObjectKey, EventTrigger>,
    extensions: Vec<Extension>,
    dependencies: Vec<Dependency>,
    default_privileges: Vec<DefaultPrivilege>,
    publications: Vec<Publication>,
}

fn read_rest(reader: &mut Reader, notes: &Notes, dependencies: Vec<Dependency>) -> Result<Rest> {
    Ok(Rest {
        namespaces: namespaces::load(reader)?,
        functions: functions::load(reader, notes)?,
        types: types::load(reader, notes)?,
        collations: collations::load(reader, notes)?,
        operators: operators::load(reader, notes)?,
        event_triggers: event_triggers::load(reader, notes)?,
        extensions: extensions::load(reader, notes)?,
        dependencies,
        default_privileges: default_privileges::load(reader)?,
        publications: publications::load(reader)?,
    })
}

/// Fails, naming them, when some of the managed `schemas` do not exist: reading them would
/// report everything their migrations declare as missing.
pub fn check_schemas(snapshot: &mut Snapshot, schemas: &[String]) -> Result<()> {
    namespaces::check_exist(&mut Reader {
        snapshot,
        schemas,
        full: true,
    })
}

/// The schemas of `names` that exist (a name a migration mentions may be a CTE's or a
/// typo), in name order.
pub fn existing_schemas(snapshot: &mut Snapshot, names: &[String]) -> Result<Vec<String>> {
    namespaces::existing(&mut Reader {
        snapshot,
        schemas: names,
        full: true,
    })
}

/// The schemas, besides `managed`, with tables that have policies or triggers: where the
/// application may have added parts to tables it does not manage (see `Schema::app_parts`).
pub fn schemas_with_table_parts(
    snapshot: &mut Snapshot,
    managed: &[String],
) -> Result<Vec<String>> {
    let rows = Reader {
        snapshot,
        schemas: managed,
        full: true,
    }
    .rows(
        "SELECT DISTINCT n.nspname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE c.oid IN (SELECT polrelid FROM pg_policy UNION SELECT tgrelid FROM pg_trigger WHERE NOT tgisinternal)
            AND n.nspname <> ALL($1) AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
          ORDER BY 1",
        "schemas with policies or triggers",
    )?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

/// The database's default privileges (`ALTER DEFAULT PRIVILEGES`), in catalog order.
pub fn default_privileges(snapshot: &mut Snapshot) -> Result<Vec<DefaultPrivilege>> {
    default_privileges::load(&mut Reader {
        snapshot,
        schemas: &[],
        full: true,
    })
}

fn by_name<T, K: Clone + std::hash::Hash + Eq>(
    items: impl IntoIterator<Item = T>,
    key: impl Fn(&T) -> &K,
) -> IndexMap<K, T> {
    items
        .into_iter()
        .map(|item| (key(&item).clone(), item))
        .collect()
}

/// Runs the catalog queries against one snapshot, with the managed schemas as `$1`.
struct Reader<'r, 'a> {
    snapshot: &'r mut Snapshot<'a>,
    schemas: &'r [String],
    /// A full read (`Detail::Full`): `$2` of the queries that can leave definitions out.
    full: bool,
}

impl Reader<'_, '_> {
    /// Runs one query that takes the managed schemas as `$1` (`text[]`).
    fn rows(&mut self, sql: &str, what: &str) -> Result<Vec<Row>> {
        self.all_rows(sql, what, false)
    }

    /// Runs one query that takes the managed schemas as `$1` (`text[]`) and, as `$2`
    /// (`boolean`), whether definitions are read: without them, the query leaves its
    /// deparsed columns (`pg_get_*def`, `pg_get_expr`) empty and never calls those functions.
    fn rows_at_detail(&mut self, sql: &str, what: &str) -> Result<Vec<Row>> {
        self.all_rows(sql, what, true)
    }

    /// Every row of `each_with`, collected.
    fn all_rows(&mut self, sql: &str, what: &str, detail: bool) -> Result<Vec<Row>> {
        let mut rows = Vec::new();
        self.each_with(sql, what, detail, |row| {
            rows.push(row);
            Ok(())
        })?;
        Ok(rows)
    }

    /// Like `rows`, but hands each row to `each` as it arrives.
    fn each_row(
        &mut self,
        sql: &str,
        what: &str,
        each: impl FnMut(Row) -> Result<()>,
    ) -> Result<()> {
        self.each_with(sql, what, false, each)
    }

    /// Like `rows_at_detail`, but hands each row to `each` as it arrives.
    fn each_row_at_detail(
        &mut self,
        sql: &str,
        what: &str,
        each: impl FnMut(Row) -> Result<()>,
    ) -> Result<()> {
        self.each_with(sql, what, true, each)
    }

    /// Runs `sql` with the schemas as `$1` and, when `detail`, the read's detail as `$2`.
    fn each_with(
        &mut self,
        sql: &str,
        what: &str,
        detail: bool,
        each: impl FnMut(Row) -> Result<()>,
    ) -> Result<()> {
        let params: &[(&(dyn ToSql + Sync), Type)] =
            &[(&self.schemas, Type::TEXT_ARRAY), (&self.full, Type::BOOL)];
        let used = if detail { params } else { &params[..1] };
        self.snapshot
            .query_each(sql, used, each)
            .with_context(|| format!("reading {what} from the catalog"))
    }

    /// Runs one query without parameters.
    fn rows_unfiltered(&mut self, sql: &str, what: &str) -> Result<Vec<Row>> {
        self.snapshot
            .query(sql, &[])
            .with_context(|| format!("reading {what} from the catalog"))
    }
}

/// Reads one column of a catalog row, naming the column if its type is not the expected one.
///
/// A column that is never empty for an object that exists comes back empty when the object
/// was dropped after the snapshot began: `pg_get_indexdef`, `pg_get_triggerdef`,
/// `pg_get_functiondef`, `pg_total_relation_size`... look at the latest catalog, not at the
/// snapshot. That is reported as a change to run again after, never read as an empty value.
fn get<'r, T: FromSql<'r>>(row: &'r Row, column: &str) -> Result<T> {
    row.try_get(column).map_err(|e| {
        let was_null = std::error::Error::source(&e).is_some_and(|s| s.is::<WasNull>());
        if was_null {
            anyhow!(schema_changed(&format!(
                "an object was dropped: the catalog column {column} came back empty"
            )))
        } else {
            anyhow::Error::new(e).context(format!("reading the catalog column {column}"))
        }
    })
}

/// A type as `format_type` or `oidvectortypes` prints it (several joined with `, `). Both
/// print `???` for a type the latest catalog no longer has: one dropped after the snapshot
/// began.
fn get_type(row: &Row, column: &str) -> Result<String> {
    let text: String = get(row, column)?;
    if names_a_dropped_type(&text) {
        return Err(anyhow!(schema_changed(&format!(
            "a type in the catalog column {column} was dropped"
        ))));
    }
    Ok(text)
}

fn names_a_dropped_type(text: &str) -> bool {
    text.split(", ").any(|t| t.trim_end_matches("[]") == "???")
}

/// A schema-qualified name from two optional columns: `None` when the row has none.
fn optional_name(
    row: &Row,
    schema_column: &str,
    name_column: &str,
) -> Result<Option<QualifiedName>> {
    let schema: Option<String> = get(row, schema_column)?;
    let name: Option<String> = get(row, name_column)?;
    Ok(schema.zip(name).map(|(s, n)| QualifiedName::new(s, n)))
}

/// `pg_class.reltuples` as a row count: -1 when the relation was never analyzed.
fn estimated_rows(reltuples: f32) -> i64 {
    if reltuples < 0.0 {
        -1
    } else {
        // `as` saturates at the bounds of i64.
        reltuples.round() as i64
    }
}

/// A one-letter code from a `"char"` catalog column (`relkind`, `contype`, `polcmd`...),
/// remembered with the column's name for error messages. The empty code is `'\0'`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Code {
    column: &'static str,
    value: char,
}

impl Code {
    fn read(row: &Row, column: &'static str) -> Result<Code> {
        let byte: i8 = get(row, column)?;
        Ok(Code {
            column,
            value: byte as u8 as char,
        })
    }

    /// `None` for the empty code (`attidentity = ''`).
    fn non_empty(self) -> Option<Code> {
        (self.value != '\0').then_some(self)
    }

    fn unknown(self) -> UnknownCode {
        UnknownCode(self)
    }
}

/// A catalog code pgdrift does not know, from a newer PostgreSQL or a broken catalog.
#[derive(Debug)]
struct UnknownCode(Code);

impl UnknownCode {
    /// The error for the object that carries the code: `unknown relkind 'x' for public.t`.
    fn for_object(self, object: impl fmt::Display) -> anyhow::Error {
        anyhow!("{self} for {object}; pgdrift does not know this kind of object, please report it")
    }
}

impl fmt::Display for UnknownCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown {} '{}'",
            self.0.column,
            self.0.value.escape_default()
        )
    }
}

impl std::error::Error for UnknownCode {}

/// The system catalog an oid belongs to, for comments and privileges.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Catalog {
    Class,
    Constraint,
    Policy,
    Trigger,
    Proc,
    Type,
    Rule,
    Collation,
    Operator,
    EventTrigger,
}

impl TryFrom<&str> for Catalog {
    type Error = anyhow::Error;

    fn try_from(name: &str) -> Result<Self> {
        Ok(match name {
            "pg_class" => Catalog::Class,
            "pg_constraint" => Catalog::Constraint,
            "pg_policy" => Catalog::Policy,
            "pg_trigger" => Catalog::Trigger,
            "pg_proc" => Catalog::Proc,
            "pg_type" => Catalog::Type,
            "pg_rewrite" => Catalog::Rule,
            "pg_collation" => Catalog::Collation,
            "pg_operator" => Catalog::Operator,
            "pg_event_trigger" => Catalog::EventTrigger,
            other => return Err(anyhow!("unknown catalog {other}")),
        })
    }
}

/// Comments and privileges of every object, read once and handed out by oid.
#[derive(Default)]
struct Notes {
    /// `(catalog, oid, objsubid)` → comment; objsubid is the attnum for a column, else 0.
    comments: HashMap<(Catalog, u32, i32), String>,
    /// `(catalog, oid, attnum)` → explicit grants; attnum is 0 for the object itself.
    grants: HashMap<(Catalog, u32, i16), Vec<Grant>>,
}

impl Notes {
    /// Comments and grants (none for a summary).
    fn load(reader: &mut Reader) -> Result<Notes> {
        Ok(match reader.full {
            true => Notes {
                comments: comments::load(reader)?,
                grants: grants::load(reader)?,
            },
            false => Notes::default(),
        })
    }

    fn comment(&self, catalog: Catalog, oid: u32, subid: i32) -> Option<String> {
        self.comments.get(&(catalog, oid, subid)).cloned()
    }

    fn grants(&self, catalog: Catalog, oid: u32, attnum: i16) -> Vec<Grant> {
        self.grants
            .get(&(catalog, oid, attnum))
            .cloned()
            .unwrap_or_default()
    }
}

/// Tables and views by oid while their parts (indexes, triggers...) are attached.
struct Relations {
    tables: IndexMap<u32, Table>,
    views: IndexMap<u32, View>,
    sequences: Vec<Sequence>,
    replica_identities: IndexMap<QualifiedName, ReplicaIdentity>,
}

/// The table or view a part belongs to.
enum Owner<'a> {
    Table(&'a mut Table),
    View(&'a mut View),
}

impl Relations {
    /// The relation `oid` names; an error naming `part` when it was not read, which the
    /// queries rule out by filtering parts exactly as their relations.
    fn owner(&mut self, oid: u32, part: &str) -> Result<Owner<'_>> {
        if let Some(table) = self.tables.get_mut(&oid) {
            return Ok(Owner::Table(table));
        }
        self.views
            .get_mut(&oid)
            .map(Owner::View)
            .ok_or_else(|| anyhow!("{part} belongs to a relation that was not read"))
    }
}

/// The table `oid` names, for parts only tables have (columns, constraints, policies).
fn table_of<'t>(
    tables: &'t mut IndexMap<u32, Table>,
    oid: u32,
    part: &str,
) -> Result<&'t mut Table> {
    tables
        .get_mut(&oid)
        .ok_or_else(|| anyhow!("{part} belongs to a table that was not read"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_codes_name_the_column_the_code_and_the_object() {
        let code = Code {
            column: "relkind",
            value: 'x',
        };
        let message = code.unknown().for_object("public.t").to_string();
        assert!(
            message.starts_with("unknown relkind 'x' for public.t"),
            "{message}"
        );
    }

    #[test]
    fn empty_codes_are_none() {
        let empty = Code {
            column: "attidentity",
            value: '\0',
        };
        assert_eq!(empty.non_empty(), None);
        assert_eq!(empty.unknown().to_string(), "unknown attidentity '\\u{0}'");
    }

    #[test]
    fn row_estimates_keep_never_analyzed_and_clamp() {
        assert_eq!(estimated_rows(-1.0), -1);
        assert_eq!(estimated_rows(0.0), 0);
        assert_eq!(estimated_rows(41.6), 42);
        assert_eq!(estimated_rows(f32::MAX), i64::MAX);
    }

    #[test]
    fn format_type_marks_dropped_types() {
        assert!(["???", "integer, ???", "???[]"]
            .into_iter()
            .all(names_a_dropped_type));
        assert!(!names_a_dropped_type("public.\"???\", integer"));
    }

    #[test]
    fn catalogs_are_named_by_their_table() {
        assert_eq!(Catalog::try_from("pg_policy").unwrap(), Catalog::Policy);
        assert!(Catalog::try_from("pg_am").is_err());
    }
}
