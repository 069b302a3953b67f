//! The schema model that both the catalog reader and the migration history produce.
//! Nothing downstream of this module knows where a model came from.

mod name;
mod object;
mod types;

pub use name::{
    is_hidden_char, quote_ident, quote_literal, split_identifiers, QualifiedName,
    MAX_IDENTIFIER_BYTES,
};
pub use object::{ObjectKey, ObjectKind};
pub use types::{is_builtin_type, normalize_type};

use indexmap::IndexMap;
use serde::Serialize;

/// Everything pgdrift knows about the managed schemas of one database.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Schema {
    /// The managed schemas that were read, in the order given.
    pub schemas: Vec<String>,
    /// Those of them that exist, in the same order, with what a new database needs to give
    /// them (see `Schema::namespace`).
    pub namespaces: Vec<Namespace>,
    pub tables: IndexMap<QualifiedName, Table>,
    pub views: IndexMap<QualifiedName, View>,
    /// Keyed by `ObjectKey` (kind function or procedure, with the signature).
    pub functions: IndexMap<ObjectKey, Function>,
    pub types: IndexMap<QualifiedName, TypeDef>,
    pub collations: IndexMap<QualifiedName, Collation>,
    pub sequences: IndexMap<QualifiedName, Sequence>,
    /// Keyed by `ObjectKey` (kind operator, with the operand types as signature).
    pub operators: IndexMap<ObjectKey, Operator>,
    /// Event triggers whose function is in a managed schema, keyed by `EventTrigger::key`.
    pub event_triggers: IndexMap<ObjectKey, EventTrigger>,
    /// Extensions installed in the database (any schema).
    pub extensions: Vec<Extension>,
    /// Edges "`from` (or one of its parts) needs `to`", between objects of the managed schemas
    /// and from them to objects elsewhere (for example `auth.uid()`).
    pub dependencies: Vec<Dependency>,
    /// The `REPLICA IDENTITY` of each table whose identity is not the default, by table name
    /// (see `Schema::replica_identity`).
    pub replica_identities: IndexMap<QualifiedName, ReplicaIdentity>,
    /// `ALTER DEFAULT PRIVILEGES` for the managed schemas and for every schema, in catalog
    /// order.
    pub default_privileges: Vec<DefaultPrivilege>,
    /// Publications that publish tables of the managed schemas, in name order.
    pub publications: Vec<Publication>,
}

/// A publication (`CREATE PUBLICATION`), with what it publishes of the managed schemas.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Publication {
    pub name: String,
    /// `FOR ALL TABLES`.
    pub all_tables: bool,
    /// The `publish` option: `insert, update, delete, truncate`.
    pub publish: String,
    /// `publish_via_partition_root`.
    pub via_root: bool,
    /// `FOR TABLES IN SCHEMA`: the managed schemas it publishes whole.
    pub schemas: Vec<String>,
    /// The managed tables it publishes one by one, in name order.
    pub tables: Vec<PublishedTable>,
}

/// One table of a publication: which columns (empty for all) and which rows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PublishedTable {
    pub name: QualifiedName,
    pub columns: Vec<String>,
    /// The row filter (`WHERE (...)`), as PostgreSQL prints it.
    pub filter: Option<String>,
}

/// A managed schema itself (`pg_namespace`), with what a new database's schema of that name
/// lacks: the comment and the privileges production changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Namespace {
    pub name: String,
    pub owner: String,
    /// `COMMENT ON SCHEMA`. None also for the comment every new database gives `public`
    /// (`standard public schema`).
    pub comment: Option<String>,
    /// Of the privileges the schema has as soon as it exists (for `public`, USAGE for
    /// PUBLIC; its owner's aside), those of each grantee whose privileges production does not
    /// have as they are: revoked before `grants`, as pg_dump does.
    pub revokes: Vec<Grant>,
    /// Production's privileges that are not among those the schema has as soon as it
    /// exists, a grantee's whole ACL entry at a time, in ACL order (the order pg_dump prints
    /// them in, which replaying them gives).
    pub grants: Vec<Grant>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TableKind {
    Regular,
    Partitioned,
}

#[derive(Clone, Debug, Serialize)]
pub struct Table {
    pub name: QualifiedName,
    pub kind: TableKind,
    pub unlogged: bool,
    /// `PARTITION BY ...` clause body (`pg_get_partkeydef`), for partitioned tables.
    pub partition_key: Option<String>,
    /// Set when this table is a partition of another.
    pub partition_of: Option<PartitionOf>,
    /// Inheritance parents (not partitioning), in `inhseqno` order.
    pub inherits: Vec<QualifiedName>,
    /// Storage parameters, `fillfactor=70`.
    pub options: Vec<String>,
    pub owner: String,
    pub columns: Vec<Column>,
    pub constraints: Vec<Constraint>,
    /// Indexes that do not back a constraint.
    pub indexes: Vec<Index>,
    pub rls_enabled: bool,
    pub rls_forced: bool,
    /// The index `CLUSTER` uses when given none (`ALTER TABLE ... CLUSTER ON`): an index of
    /// the table, or a primary key or unique constraint (its index has its name).
    pub clustered_on: Option<String>,
    pub policies: Vec<Policy>,
    pub triggers: Vec<Trigger>,
    /// Rewrite rules (`CREATE RULE`).
    pub rules: Vec<Rule>,
    pub comment: Option<String>,
    pub grants: Vec<Grant>,
    /// `pg_class.reltuples`; -1 when never analyzed.
    pub estimated_rows: i64,
    /// `pg_total_relation_size`.
    pub size_bytes: i64,
}

/// What logical replication writes to identify the old row of an updated or deleted row
/// (`ALTER TABLE ... REPLICA IDENTITY`); Supabase Realtime wants `FULL` to send old rows.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(tag = "replica_identity", content = "index", rename_all = "snake_case")]
pub enum ReplicaIdentity {
    /// The primary key, if there is one.
    #[default]
    Default,
    /// Every column.
    Full,
    Nothing,
    /// `USING INDEX`: a unique index of the table, or the primary key or unique constraint
    /// behind it (an index has its constraint's name).
    Index(String),
}

#[derive(Clone, Debug, Serialize)]
pub struct PartitionOf {
    pub parent: QualifiedName,
    /// `FOR VALUES ...` or `DEFAULT` (`pg_get_expr(relpartbound)`).
    pub bound: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Column {
    pub name: String,
    /// `format_type(atttypid, atttypmod)`, schema-qualified for user types.
    pub type_sql: String,
    /// Set only when it differs from the type's default collation.
    pub collation: Option<QualifiedName>,
    pub not_null: bool,
    pub default: Option<String>,
    /// Boxed: most columns have none, and an identity holds a whole sequence.
    pub identity: Option<Box<Identity>>,
    /// Expression of a `GENERATED ALWAYS AS (...) STORED` column.
    pub generated: Option<String>,
    /// False for a column that only comes from an inheritance parent or partition parent.
    pub is_local: bool,
    /// `SET STORAGE`: set only when it is not the storage of the column's type.
    pub storage: Option<Storage>,
    /// The storage of the column's type: what a child's column is set back to when its
    /// parent's column has another (`INHERITS` and `PARTITION OF` copy the parent's).
    pub type_storage: Storage,
    /// `SET COMPRESSION`; none for the server's `default_toast_compression`.
    pub compression: Option<Compression>,
    /// `SET STATISTICS`: the column's statistics target, when it has its own.
    pub statistics: Option<i32>,
    /// `SET (n_distinct = 100)`: the column's attribute options, `name=value`.
    pub options: Vec<String>,
    pub comment: Option<String>,
    /// Column-level privileges.
    pub grants: Vec<Grant>,
}

/// How a column's values are stored (`pg_attribute.attstorage`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Storage {
    Plain,
    External,
    Extended,
    Main,
}

impl Storage {
    /// The keyword of `SET STORAGE`.
    pub fn as_sql(self) -> &'static str {
        match self {
            Storage::Plain => "PLAIN",
            Storage::External => "EXTERNAL",
            Storage::Extended => "EXTENDED",
            Storage::Main => "MAIN",
        }
    }
}

impl std::fmt::Display for Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_sql())
    }
}

/// How a column's large values are compressed (`pg_attribute.attcompression`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Compression {
    Pglz,
    Lz4,
}

impl Compression {
    /// The method name of `SET COMPRESSION`.
    pub fn as_sql(self) -> &'static str {
        match self {
            Compression::Pglz => "pglz",
            Compression::Lz4 => "lz4",
        }
    }
}

impl std::fmt::Display for Compression {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_sql())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentityKind {
    Always,
    ByDefault,
}

#[derive(Clone, Debug, Serialize)]
pub struct Identity {
    pub kind: IdentityKind,
    pub sequence: Sequence,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConstraintKind {
    PrimaryKey,
    Unique,
    ForeignKey,
    Check,
    Exclusion,
    Trigger,
}

#[derive(Clone, Debug, Serialize)]
pub struct Constraint {
    pub name: String,
    pub kind: ConstraintKind,
    /// `pg_get_constraintdef`: `PRIMARY KEY (id)`, `FOREIGN KEY (a) REFERENCES ... NOT VALID`,
    /// with the storage parameters of a primary key's or unique constraint's index, which it
    /// leaves out, put back: `UNIQUE (a) WITH (fillfactor='80') DEFERRABLE`.
    pub definition: String,
    pub validated: bool,
    pub deferrable: bool,
    pub initially_deferred: bool,
    /// The referenced table of a foreign key.
    pub references: Option<QualifiedName>,
    /// False for a constraint inherited from a parent (it comes with the parent's).
    pub is_local: bool,
    pub comment: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Index {
    pub name: String,
    /// `pg_get_indexdef`: a whole `CREATE [UNIQUE] INDEX ... ON ... USING ...` statement.
    pub definition: String,
    /// True for an index that only exists because its partitioned parent has one.
    pub inherited: bool,
    pub comment: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PolicyCommand {
    All,
    Select,
    Insert,
    Update,
    Delete,
}

#[derive(Clone, Debug, Serialize)]
pub struct Policy {
    pub name: String,
    pub command: PolicyCommand,
    pub permissive: bool,
    /// Role names, `public` for PUBLIC.
    pub roles: Vec<String>,
    pub using: Option<String>,
    pub with_check: Option<String>,
    pub comment: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Trigger {
    pub name: String,
    /// `pg_get_triggerdef`: a whole `CREATE [CONSTRAINT] TRIGGER` statement.
    pub definition: String,
    /// The trigger function.
    pub function: QualifiedName,
    /// `pg_trigger.tgenabled`: `O` (origin, the default), `D`, `R`, `A`.
    pub enabled: char,
    pub is_constraint: bool,
    pub comment: Option<String>,
}

/// A rewrite rule of a table or view: `CREATE RULE name AS ON event TO relation ... DO ...`.
/// A view's own `_RETURN` rule is its query, not a rule of its own.
#[derive(Clone, Debug, Serialize)]
pub struct Rule {
    pub name: String,
    /// `pg_get_ruledef` without its final semicolon: a whole `CREATE RULE` statement,
    /// schema-qualified.
    pub definition: String,
    /// `pg_rewrite.ev_enabled`: `O` (origin, the default), `D`, `R`, `A`.
    pub enabled: char,
    pub comment: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Grant {
    /// Role name, or `PUBLIC`.
    pub grantee: String,
    /// `SELECT`, `INSERT`, `EXECUTE`, `USAGE`...
    pub privilege: String,
    pub grantable: bool,
}

/// One privilege of `ALTER DEFAULT PRIVILEGES`: what `owner` creates (in `schema`, or in
/// any schema) gets `privilege` granted to `grantee`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DefaultPrivilege {
    pub owner: String,
    /// None for the defaults of every schema, which replace the built-in ones.
    pub schema: Option<String>,
    /// `TABLES`, `SEQUENCES`, `FUNCTIONS`, `TYPES` or `SCHEMAS`.
    pub objects: String,
    pub privilege: String,
    /// Role name, or `PUBLIC`.
    pub grantee: String,
    pub grantable: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RoutineKind {
    Function,
    Procedure,
    Aggregate,
    Window,
}

#[derive(Clone, Debug, Serialize)]
pub struct Function {
    pub name: QualifiedName,
    pub kind: RoutineKind,
    /// Input argument types, normalised (see `normalize_type`): `uuid, text`.
    pub signature: String,
    /// `pg_get_function_identity_arguments`, with argument names.
    pub identity_arguments: String,
    /// A whole `CREATE OR REPLACE` statement without its semicolon: `pg_get_functiondef`'s,
    /// or for an aggregate `CREATE OR REPLACE AGGREGATE name(args) (SFUNC = ..., ...)`.
    pub definition: String,
    pub language: String,
    pub owner: String,
    pub comment: Option<String>,
    pub grants: Vec<Grant>,
}

/// A user-defined operator (`CREATE OPERATOR`).
#[derive(Clone, Debug, Serialize)]
pub struct Operator {
    /// The schema, and the operator's symbols as the name (`=~=`): written as they are, never
    /// quoted (see `Operator::to_sql`).
    pub name: QualifiedName,
    /// The left operand's type (`format_type`); none for a prefix operator.
    pub left: Option<String>,
    pub right: String,
    /// A whole `CREATE OPERATOR name (FUNCTION = ..., ...)` statement without its semicolon,
    /// the options in pg_dump's order, those at their default left out.
    pub definition: String,
    pub owner: String,
    pub comment: Option<String>,
}

impl Operator {
    /// The signature of its key: the operand types, `NONE` for a missing left one, as
    /// `COMMENT ON OPERATOR` and `DROP OPERATOR` take them (`NONE, bigint`).
    pub fn signature(left: Option<&str>, right: &str) -> String {
        let left = left.map_or_else(|| "NONE".to_string(), normalize_type);
        format!("{left}, {}", normalize_type(right))
    }

    pub fn key(&self) -> ObjectKey {
        let signature = Operator::signature(self.left.as_deref(), &self.right);
        ObjectKey::routine(ObjectKind::Operator, self.name.clone(), signature)
    }

    /// `schema.=~=`: the schema quoted where needed, the symbols as they are.
    pub fn to_sql(&self) -> String {
        operator_sql(&self.name)
    }
}

/// An operator's qualified name as SQL writes it: `public.=~=`.
pub fn operator_sql(name: &QualifiedName) -> String {
    format!("{}.{}", quote_ident(&name.schema), name.name)
}

/// An event trigger (`CREATE EVENT TRIGGER`): it belongs to the database, not to a schema,
/// and its name is unique there. pgdrift reads those whose function is in a managed schema.
#[derive(Clone, Debug, Serialize)]
pub struct EventTrigger {
    pub name: String,
    /// `ddl_command_start`, `ddl_command_end`, `sql_drop`, `table_rewrite`.
    pub event: String,
    /// The command tags of `WHEN TAG IN (...)`; empty for every command.
    pub tags: Vec<String>,
    /// The trigger function, which takes no argument.
    pub function: QualifiedName,
    pub enabled: Firing,
    pub owner: String,
    pub comment: Option<String>,
}

impl EventTrigger {
    /// Its key: of kind event trigger, with its function's schema as the schema, so that the
    /// managed schemas decide which event triggers are pgdrift's.
    pub fn key(&self) -> ObjectKey {
        event_trigger_key(&self.function.schema, &self.name)
    }
}

/// The key of the event trigger `name` whose function is in `schema`.
pub fn event_trigger_key(schema: &str, name: &str) -> ObjectKey {
    ObjectKey::relation(ObjectKind::EventTrigger, QualifiedName::new(schema, name))
}

/// When an event trigger fires (`pg_event_trigger.evtenabled`), as `session_replication_role`
/// decides.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Firing {
    /// In the origin and local roles: what `CREATE EVENT TRIGGER` gives.
    Origin,
    Disabled,
    Replica,
    Always,
}

impl Firing {
    /// The clause of `ALTER EVENT TRIGGER name ...` that sets it.
    pub fn as_sql(self) -> &'static str {
        match self {
            Firing::Origin => "ENABLE",
            Firing::Disabled => "DISABLE",
            Firing::Replica => "ENABLE REPLICA",
            Firing::Always => "ENABLE ALWAYS",
        }
    }
}

impl std::fmt::Display for Firing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_sql())
    }
}

#[derive(Clone, Debug, Serialize)]
#[serde(tag = "type_kind", rename_all = "snake_case")]
pub enum TypeBody {
    Enum {
        values: Vec<String>,
    },
    Domain {
        base_type: String,
        collation: Option<QualifiedName>,
        default: Option<String>,
        not_null: bool,
        /// `(name, pg_get_constraintdef)` of each domain constraint.
        constraints: Vec<(String, String)>,
    },
    Composite {
        attributes: Vec<(String, String)>,
    },
    Range {
        subtype: String,
        definition: String,
    },
}

#[derive(Clone, Debug, Serialize)]
pub struct TypeDef {
    pub name: QualifiedName,
    pub body: TypeBody,
    pub owner: String,
    pub comment: Option<String>,
    /// `USAGE` on the type; a type nobody granted or revoked anything on has the default,
    /// USAGE for PUBLIC.
    pub grants: Vec<Grant>,
}

/// A collation made by `CREATE COLLATION`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Collation {
    pub name: QualifiedName,
    /// The options of `CREATE COLLATION name (...)` as pg_dump writes them:
    /// `provider = icu, locale = 'en-u-kn-true'`.
    pub definition: String,
    pub owner: String,
    pub comment: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Sequence {
    pub name: QualifiedName,
    pub data_type: String,
    pub start: i64,
    pub increment: i64,
    pub min_value: i64,
    pub max_value: i64,
    pub cache: i64,
    pub cycle: bool,
    /// `(table, column)` owning this sequence (`OWNED BY`, serial and identity columns).
    pub owned_by: Option<(QualifiedName, String)>,
    /// True for the sequence behind an identity column.
    pub is_identity: bool,
    pub comment: Option<String>,
    pub grants: Vec<Grant>,
}

#[derive(Clone, Debug, Serialize)]
pub struct View {
    pub name: QualifiedName,
    pub materialized: bool,
    /// `pg_get_viewdef`: the SELECT.
    pub definition: String,
    /// `security_invoker=true`, `check_option=local`...
    pub options: Vec<String>,
    pub owner: String,
    pub comment: Option<String>,
    /// `(column, comment)`.
    pub column_comments: Vec<(String, String)>,
    pub grants: Vec<Grant>,
    /// Indexes of a materialized view.
    pub indexes: Vec<Index>,
    /// The index of a materialized view that `CLUSTER` uses when given none.
    pub clustered_on: Option<String>,
    pub triggers: Vec<Trigger>,
    /// Rules besides the view's query (`ON INSERT ... DO INSTEAD ...`).
    pub rules: Vec<Rule>,
    pub estimated_rows: i64,
    pub size_bytes: i64,
}

#[derive(Clone, Debug, Serialize)]
pub struct Extension {
    pub name: String,
    pub schema: String,
    pub version: String,
    /// Routines of the extension in the managed schemas whose privileges were changed
    /// after it was created.
    pub member_grants: Vec<MemberGrants>,
}

/// The privileges of one object that belongs to an extension.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MemberGrants {
    /// `FUNCTION` or `PROCEDURE`.
    pub kind: String,
    /// The object as SQL: `public.similarity(text, text)`.
    pub target: String,
    pub grants: Vec<Grant>,
}

/// Which part of an object holds a dependency.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(tag = "part", content = "name", rename_all = "snake_case")]
pub enum Part {
    Whole,
    Column(String),
    Constraint(String),
    Index(String),
    Policy(String),
    Trigger(String),
    Rule(String),
}

impl Part {
    /// The part of `kind` named `name`; `None` for a kind that is no such part.
    pub fn new(kind: ObjectKind, name: impl Into<String>) -> Option<Part> {
        let name = name.into();
        Some(match kind {
            ObjectKind::Column => Part::Column(name),
            ObjectKind::Constraint => Part::Constraint(name),
            ObjectKind::Index => Part::Index(name),
            ObjectKind::Policy => Part::Policy(name),
            ObjectKind::Trigger => Part::Trigger(name),
            ObjectKind::Rule => Part::Rule(name),
            _ => return None,
        })
    }

    /// The kind of a named part; `None` for the whole object.
    pub fn kind(&self) -> Option<ObjectKind> {
        match self {
            Part::Whole => None,
            Part::Column(_) => Some(ObjectKind::Column),
            Part::Constraint(_) => Some(ObjectKind::Constraint),
            Part::Index(_) => Some(ObjectKind::Index),
            Part::Policy(_) => Some(ObjectKind::Policy),
            Part::Trigger(_) => Some(ObjectKind::Trigger),
            Part::Rule(_) => Some(ObjectKind::Rule),
        }
    }

    /// The part's own name; `None` for the whole object.
    pub fn name(&self) -> Option<&str> {
        match self {
            Part::Whole => None,
            Part::Column(n)
            | Part::Constraint(n)
            | Part::Index(n)
            | Part::Policy(n)
            | Part::Trigger(n)
            | Part::Rule(n) => Some(n),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Dependency {
    pub from: ObjectKey,
    pub part: Part,
    pub to: ObjectKey,
}

impl Schema {
    /// The parts of these tables, outside the managed schemas (`self` is such a read, and
    /// `managed` names the managed ones), that the application made: their policies (a
    /// platform such as Supabase ships none on `storage.objects`), and the triggers that
    /// call a function of the managed schemas (`on_auth_user_created` on `auth.users`).
    pub fn app_parts(&self, managed: &[String]) -> Vec<(QualifiedName, Part)> {
        let mut parts = Vec::new();
        for table in self.tables.values() {
            parts.extend(
                table
                    .policies
                    .iter()
                    .map(|p| (table.name.clone(), Part::Policy(p.name.clone()))),
            );
            let uses_managed = |trigger: &str| {
                self.dependencies.iter().any(|d| {
                    d.from.name == table.name
                        && d.part == Part::Trigger(trigger.to_string())
                        && managed.contains(&d.to.name.schema)
                })
            };
            parts.extend(
                table
                    .triggers
                    .iter()
                    .filter(|t| uses_managed(&t.name))
                    .map(|t| (table.name.clone(), Part::Trigger(t.name.clone()))),
            );
        }
        parts
    }
}

impl Table {
    /// An empty regular table owned by `postgres`: columns, constraints and the rest are
    /// added by whoever builds the model.
    pub fn new(name: QualifiedName) -> Table {
        Table {
            name,
            kind: TableKind::Regular,
            unlogged: false,
            partition_key: None,
            partition_of: None,
            inherits: Vec::new(),
            options: Vec::new(),
            owner: "postgres".into(),
            columns: Vec::new(),
            constraints: Vec::new(),
            indexes: Vec::new(),
            rls_enabled: false,
            rls_forced: false,
            clustered_on: None,
            policies: Vec::new(),
            triggers: Vec::new(),
            rules: Vec::new(),
            comment: None,
            grants: Vec::new(),
            estimated_rows: 0,
            size_bytes: 0,
        }
    }
}

impl Constraint {
    /// A validated, immediate constraint the table declares itself, with no comment; the
    /// referenced table of a foreign key is set by the caller.
    pub fn new(name: &str, kind: ConstraintKind, definition: &str) -> Constraint {
        Constraint {
            name: name.into(),
            kind,
            definition: definition.into(),
            validated: true,
            deferrable: false,
            initially_deferred: false,
            references: None,
            is_local: true,
            comment: None,
        }
    }
}

impl Sequence {
    /// A `bigint` sequence from 1 by 1 to the type's maximum, cache 1, no cycle, owned by
    /// no column.
    pub fn new(name: QualifiedName) -> Sequence {
        Sequence {
            name,
            data_type: "bigint".into(),
            start: 1,
            increment: 1,
            min_value: 1,
            max_value: i64::MAX,
            cache: 1,
            cycle: false,
            owned_by: None,
            is_identity: false,
            comment: None,
            grants: Vec::new(),
        }
    }
}

impl Grant {
    /// `privilege` granted to `grantee`, without GRANT OPTION.
    pub fn new(grantee: &str, privilege: &str) -> Grant {
        Grant {
            grantee: grantee.into(),
            privilege: privilege.into(),
            grantable: false,
        }
    }
}

impl Column {
    /// A nullable column of `type_sql` with no default, declared by its table, stored as
    /// its type stores it (taken to be `EXTENDED`).
    pub fn new(name: &str, type_sql: &str) -> Column {
        Column {
            name: name.into(),
            type_sql: type_sql.into(),
            collation: None,
            not_null: false,
            default: None,
            identity: None,
            generated: None,
            is_local: true,
            storage: None,
            type_storage: Storage::Extended,
            compression: None,
            statistics: None,
            options: Vec::new(),
            comment: None,
            grants: Vec::new(),
        }
    }
}

impl Schema {
    /// The managed schema `name`, when it exists in production.
    pub fn namespace(&self, name: &str) -> Option<&Namespace> {
        self.namespaces.iter().find(|n| n.name == name)
    }

    /// The `REPLICA IDENTITY` of `table`: the default unless production set another.
    pub fn replica_identity(&self, table: &QualifiedName) -> &ReplicaIdentity {
        const DEFAULT: &ReplicaIdentity = &ReplicaIdentity::Default;
        self.replica_identities.get(table).unwrap_or(DEFAULT)
    }

    /// Is `table` created on its own, with all its columns in its own order, and then
    /// attached to its partition parent or made to inherit from its parents? `PARTITION OF`
    /// and `INHERITS` put the parents' columns first, so a table made on its own and
    /// attached (`ATTACH PARTITION`) or given parents later (`ALTER TABLE ... INHERIT`)
    /// would otherwise come out in another column order. An inheritance child is made so
    /// only when every column is its own, as `INHERIT` leaves them.
    pub fn made_on_its_own(&self, table: &Table) -> bool {
        let names = |t: &Table| t.columns.iter().map(|c| c.name.clone()).collect::<Vec<_>>();
        if let Some(of) = &table.partition_of {
            return self
                .tables
                .get(&of.parent)
                .is_some_and(|parent| names(parent) != names(table));
        }
        if table.inherits.is_empty() || !table.columns.iter().all(|c| c.is_local) {
            return false;
        }
        // The order `CREATE TABLE ... INHERITS` gives: each parent's columns in turn, merged
        // by name, then the table's own.
        let mut merged: Vec<String> = Vec::new();
        for parent in &table.inherits {
            let Some(parent) = self.tables.get(parent) else {
                return false;
            };
            for column in names(parent) {
                if !merged.contains(&column) {
                    merged.push(column);
                }
            }
        }
        for column in names(table) {
            if !merged.contains(&column) {
                merged.push(column);
            }
        }
        merged != names(table)
    }

    /// Every object of the model as a key, tables first, in catalog order.
    pub fn keys(&self) -> Vec<ObjectKey> {
        let tables = self
            .tables
            .keys()
            .map(|n| ObjectKey::relation(ObjectKind::Table, n.clone()));
        let views = self.views.values().map(|v| {
            let kind = if v.materialized {
                ObjectKind::MaterializedView
            } else {
                ObjectKind::View
            };
            ObjectKey::relation(kind, v.name.clone())
        });
        let types = self
            .types
            .keys()
            .map(|n| ObjectKey::relation(ObjectKind::Type, n.clone()));
        let collations = self
            .collations
            .keys()
            .map(|n| ObjectKey::relation(ObjectKind::Collation, n.clone()));
        let seqs = self
            .sequences
            .keys()
            .map(|n| ObjectKey::relation(ObjectKind::Sequence, n.clone()));
        tables
            .chain(views)
            .chain(self.functions.keys().cloned())
            .chain(types)
            .chain(collations)
            .chain(seqs)
            .chain(self.operators.keys().cloned())
            .chain(self.event_triggers.keys().cloned())
            .collect()
    }
}
