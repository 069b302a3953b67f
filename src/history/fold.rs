//! Folds parsed statements, in order, into a `History`: the statement dispatch, and the
//! objects `CREATE` statements declare.

use super::names::{range_var_parts, strings};
use super::search_path::SearchPath;
use super::{native, Declaration, History, Warning};
use crate::model::{event_trigger_key, ObjectKey, ObjectKind, Operator, QualifiedName};
use anyhow::anyhow;
use pg_query::protobuf::{
    CreateEventTrigStmt, CreateFunctionStmt, CreateSchemaStmt, CreateStmt, CreateTableAsStmt,
    DefineStmt, Node, ObjectType, RangeVar, RawStmt, SelectStmt,
};
use pg_query::NodeEnum;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// One statement of a file, parsed: where its text is in the file, and its tree.
pub(super) struct Parsed {
    offset: usize,
    len: usize,
    result: pg_query::ParseResult,
}

/// The largest file parsed in one piece (see `parse_file`).
const PARSED_WHOLE: usize = 64 * 1024;

/// Parses a migration file: whole when it is of ordinary size, else split first and parsed
/// one statement at a time, since the parse tree of a whole data dump takes many times the
/// memory of its text. Needs nothing but the text, so files are parsed ahead of the fold,
/// on another thread. A file with a NUL byte is not parsed (`Folder::read_file` names the
/// line).
pub(super) fn parse_file(text: &str) -> Result<Vec<Parsed>, pg_query::Error> {
    if text.contains('\0') {
        return Ok(Vec::new());
    }
    // A file of ordinary size is parsed whole, once: splitting it would parse it twice.
    if text.len() <= PARSED_WHOLE {
        return Ok(vec![Parsed {
            offset: 0,
            len: text.len(),
            result: pg_query::parse(text, pg_query::ParserOptions::DEFAULT)?,
        }]);
    }
    pg_query::split_with_parser(text)?
        .into_iter()
        .map(|statement| {
            Ok(Parsed {
                offset: statement.as_ptr() as usize - text.as_ptr() as usize,
                len: statement.len(),
                result: pg_query::parse(statement, pg_query::ParserOptions::DEFAULT)?,
            })
        })
        .collect()
}

/// The state of a reading: the history so far and what the current file has set.
#[derive(Default)]
pub(super) struct Folder {
    pub(super) history: History,
    /// Index of the file being read.
    pub(super) file: usize,
    pub(super) path: PathBuf,
    pub(super) search_path: SearchPath,
    /// The declared objects that carry each name (relations, types and routines together),
    /// so that finding them does not scan every declaration: a schema dump of many thousand
    /// tables would otherwise take quadratic time.
    names: HashMap<QualifiedName, Vec<ObjectKey>>,
}

/// Where a statement's text comes from, to turn parser locations into file lines.
#[derive(Clone, Copy)]
pub(super) struct Source<'a> {
    pub(super) text: &'a str,
    /// File line of the first line of `text`.
    pub(super) first_line: usize,
    /// True inside a `DO` block, where a statement may sit in a branch that does not run:
    /// there a plain `CREATE` of something declared leaves the declaration as it is.
    pub(super) conditional: bool,
}

impl Source<'_> {
    /// File line of a byte offset into `text`.
    pub(super) fn line_of(&self, location: i32) -> usize {
        let end = usize::try_from(location).unwrap_or(0).min(self.text.len());
        self.first_line
            + self.text.as_bytes()[..end]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
    }
}

/// How a `CREATE` treats an object that already exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Create {
    Plain,
    IfNotExists,
    OrReplace,
}

impl Folder {
    /// Folds the statements of one file, parsed by `parse_file`. The search path starts
    /// from the default.
    pub(super) fn read_file(
        &mut self,
        file: usize,
        path: &Path,
        text: &str,
        parsed: Result<Vec<Parsed>, pg_query::Error>,
    ) -> anyhow::Result<()> {
        self.file = file;
        self.path = path.to_path_buf();
        self.search_path = SearchPath::default();
        if let Some(offset) = text.find('\0') {
            let line = 1 + text[..offset].matches('\n').count();
            return Err(anyhow!(
                "{}:{line}: the file contains a NUL byte, which PostgreSQL cannot read: remove it",
                path.display()
            ));
        }
        let statements = parsed.map_err(|e| parse_error(path, text, e))?;
        let mut line = 1;
        let mut counted = 0;
        for statement in statements {
            let offset = statement.offset;
            line += text.as_bytes()[counted..offset]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            counted = offset;
            let source = Source {
                text: &text[offset..offset + statement.len],
                first_line: line,
                conditional: false,
            };
            self.statements(&statement.result.protobuf.stmts, source);
        }
        Ok(())
    }

    /// Folds a list of parsed statements whose locations point into `source`.
    pub(super) fn statements(&mut self, stmts: &[RawStmt], source: Source<'_>) {
        for raw in stmts {
            if let Some(node) = raw.stmt.as_ref().and_then(|s| s.node.as_ref()) {
                self.statement(node, source, statement_text(source.text, raw));
            }
        }
    }

    /// Records what one statement mentions, then folds what it changes.
    pub(super) fn statement(&mut self, node: &NodeEnum, source: Source<'_>, text: &str) {
        if !matches!(node, NodeEnum::CreateSchemaStmt(_)) {
            self.reference_all(node);
        }
        match node {
            NodeEnum::CreateStmt(s) => self.create_table(s, source),
            NodeEnum::CreateTableAsStmt(s) => self.create_table_as(s, source),
            NodeEnum::SelectStmt(s) => self.select(s, source),
            NodeEnum::ViewStmt(s) => {
                let mode = or_replace(s.replace);
                self.create_relation(ObjectKind::View, s.view.as_ref(), mode, source);
            }
            NodeEnum::CreateSeqStmt(s) => {
                let mode = if_not_exists(s.if_not_exists);
                self.create_relation(ObjectKind::Sequence, s.sequence.as_ref(), mode, source);
            }
            NodeEnum::CreateEnumStmt(s) => self.create_type(strings(&s.type_name), source),
            NodeEnum::CreateRangeStmt(s) => self.create_type(strings(&s.type_name), source),
            NodeEnum::CreateDomainStmt(s) => self.create_type(strings(&s.domainname), source),
            NodeEnum::CompositeTypeStmt(s) => {
                self.create_type(s.typevar.as_ref().map(range_var_parts), source)
            }
            NodeEnum::DefineStmt(s) if s.kind == ObjectType::ObjectType as i32 => {
                self.create_type(strings(&s.defnames), source)
            }
            NodeEnum::DefineStmt(s) if s.kind == ObjectType::ObjectAggregate as i32 => {
                self.create_aggregate(s, source)
            }
            NodeEnum::DefineStmt(s) if s.kind == ObjectType::ObjectCollation as i32 => {
                self.create_collation(s, source)
            }
            NodeEnum::DefineStmt(s) if s.kind == ObjectType::ObjectOperator as i32 => {
                self.create_operator(s, source)
            }
            NodeEnum::CreateEventTrigStmt(s) => self.create_event_trigger(s, source),
            NodeEnum::CreateFunctionStmt(s) => {
                self.create_routine(s, source);
                self.read_routine_body(s, text);
            }
            NodeEnum::RenameStmt(s) => self.rename(s),
            NodeEnum::AlterObjectSchemaStmt(s) => self.set_schema(s),
            NodeEnum::DropStmt(s) => self.drop(s),
            NodeEnum::VariableSetStmt(s) => {
                if let Some(path) = SearchPath::from_set(s) {
                    self.search_path = path;
                }
            }
            NodeEnum::DoStmt(s) => self.read_do_block(s, source),
            NodeEnum::CreateSchemaStmt(s) => self.create_schema_elements(s, source, text),
            NodeEnum::CreateExtensionStmt(s) => {
                self.history
                    .extensions
                    .entry(s.extname.clone())
                    .or_insert(self.file);
            }
            NodeEnum::AlterDefaultPrivilegesStmt(_) => {
                self.history.default_privileges.get_or_insert(self.file);
            }
            NodeEnum::CreatePublicationStmt(s) => {
                self.history
                    .publications
                    .entry(s.pubname.clone())
                    .or_insert(self.file);
                self.publish(&s.pubname, &s.pubobjects);
            }
            NodeEnum::AlterPublicationStmt(s)
                if s.action == pg_query::protobuf::AlterPublicationAction::ApAddObjects as i32 =>
            {
                self.publish(&s.pubname, &s.pubobjects);
            }
            other => self.add_parts(other),
        }
    }

    /// The tables of `FOR TABLE a, b` / `ADD TABLE a, b`.
    fn publish(&mut self, publication: &str, objects: &[Node]) {
        for object in objects {
            let Some(NodeEnum::PublicationObjSpec(spec)) = &object.node else {
                continue;
            };
            let relation = spec.pubtable.as_ref().and_then(|t| t.relation.as_ref());
            if let Some(name) = relation.and_then(|r| self.created_name(&range_var_parts(r))) {
                self.history
                    .published
                    .entry(publication.to_string())
                    .or_default()
                    .push(name);
            }
        }
    }

    fn create_table(&mut self, s: &CreateStmt, source: Source<'_>) {
        let mode = if_not_exists(s.if_not_exists);
        self.create_relation(ObjectKind::Table, s.relation.as_ref(), mode, source);
    }

    /// `CREATE TABLE ... AS`, `SELECT ... INTO` and `CREATE MATERIALIZED VIEW`.
    fn create_table_as(&mut self, s: &CreateTableAsStmt, source: Source<'_>) {
        let kind = if s.objtype == ObjectType::ObjectMatview as i32 {
            ObjectKind::MaterializedView
        } else {
            ObjectKind::Table
        };
        let relation = s.into.as_ref().and_then(|into| into.rel.as_ref());
        self.create_relation(kind, relation, if_not_exists(s.if_not_exists), source);
    }

    /// `SELECT ... INTO t` creates a table; `SELECT set_config('search_path', ...)` sets
    /// the path.
    fn select(&mut self, s: &SelectStmt, source: Source<'_>) {
        if let Some(into) = &s.into_clause {
            self.create_relation(ObjectKind::Table, into.rel.as_ref(), Create::Plain, source);
        } else if let Some(path) = SearchPath::from_select(s) {
            self.search_path = path;
        }
    }

    fn create_relation(
        &mut self,
        kind: ObjectKind,
        relation: Option<&RangeVar>,
        mode: Create,
        source: Source<'_>,
    ) {
        let Some(relation) = relation else { return };
        if relation.relpersistence == "t" {
            return;
        }
        if let Some(name) = self.created_name(&range_var_parts(relation)) {
            self.create(ObjectKey::relation(kind, name), mode, source);
        }
    }

    fn create_type(&mut self, parts: Option<Vec<String>>, source: Source<'_>) {
        if let Some(name) = parts.and_then(|parts| self.created_name(&parts)) {
            self.create(
                ObjectKey::relation(ObjectKind::Type, name),
                Create::Plain,
                source,
            );
        }
    }

    /// `CREATE COLLATION [IF NOT EXISTS] name (...)` or `... FROM other`.
    fn create_collation(&mut self, s: &DefineStmt, source: Source<'_>) {
        if let Some(name) = strings(&s.defnames).and_then(|parts| self.created_name(&parts)) {
            let key = ObjectKey::relation(ObjectKind::Collation, name);
            self.create(key, if_not_exists(s.if_not_exists), source);
        }
    }

    fn create_routine(&mut self, s: &CreateFunctionStmt, source: Source<'_>) {
        let Some(name) = strings(&s.funcname).and_then(|parts| self.created_name(&parts)) else {
            return;
        };
        let kind = if s.is_procedure {
            ObjectKind::Procedure
        } else {
            ObjectKind::Function
        };
        let signature = self.signature(&s.parameters);
        self.create(
            ObjectKey::routine(kind, name, signature),
            or_replace(s.replace),
            source,
        );
    }

    /// `CREATE [OR REPLACE] AGGREGATE name (args) (...)`: a routine of kind function. The
    /// old style (`BASETYPE = t`) names its one argument type in the definition list.
    fn create_aggregate(&mut self, s: &DefineStmt, source: Source<'_>) {
        let Some(name) = strings(&s.defnames).and_then(|parts| self.created_name(&parts)) else {
            return;
        };
        let parameters = match s.args.first().and_then(|a| a.node.as_ref()) {
            Some(NodeEnum::List(list)) => list.items.clone(),
            _ => Vec::new(),
        };
        let signature = if s.oldstyle {
            self.old_style_aggregate_signature(&s.definition)
        } else {
            self.signature(&parameters)
        };
        let key = ObjectKey::routine(ObjectKind::Function, name, signature);
        self.create(key, or_replace(s.replace), source);
    }

    /// `CREATE OPERATOR name (LEFTARG = t, RIGHTARG = u, ...)`, keyed by its operand types.
    fn create_operator(&mut self, s: &DefineStmt, source: Source<'_>) {
        let Some(name) = strings(&s.defnames).and_then(|parts| self.created_name(&parts)) else {
            return;
        };
        let operand = |option: &str| {
            s.definition.iter().find_map(|d| match d.node.as_ref()? {
                NodeEnum::DefElem(e) if e.defname.eq_ignore_ascii_case(option) => {
                    match e.arg.as_ref()?.node.as_ref()? {
                        NodeEnum::TypeName(t) => Some(self.type_text(t)),
                        _ => None,
                    }
                }
                _ => None,
            })
        };
        let Some(right) = operand("rightarg") else {
            return;
        };
        let signature = Operator::signature(operand("leftarg").as_deref(), &right);
        let key = ObjectKey::routine(ObjectKind::Operator, name, signature);
        self.create(key, Create::Plain, source);
    }

    /// `CREATE EVENT TRIGGER name ON event EXECUTE FUNCTION f()`, keyed by the schema of its
    /// function (see `EventTrigger::key`).
    fn create_event_trigger(&mut self, s: &CreateEventTrigStmt, source: Source<'_>) {
        let Some(function) = strings(&s.funcname).and_then(|parts| self.existing_name(&parts))
        else {
            return;
        };
        let key = event_trigger_key(&function.schema, &s.trigname);
        // Event trigger names are unique in the database, whatever their function.
        for existing in self.event_triggers_named(&s.trigname) {
            if existing != key && !source.conditional {
                self.undeclare(&existing);
            }
        }
        self.create(key, Create::Plain, source);
    }

    /// The declared event triggers called `name`.
    pub(super) fn event_triggers_named(&self, name: &str) -> Vec<ObjectKey> {
        self.history
            .declared
            .keys()
            .filter(|k| k.kind == ObjectKind::EventTrigger && k.name.name == name)
            .cloned()
            .collect()
    }

    fn old_style_aggregate_signature(&self, definition: &[Node]) -> String {
        definition
            .iter()
            .find_map(|d| match d.node.as_ref()? {
                NodeEnum::DefElem(e) if e.defname.eq_ignore_ascii_case("basetype") => {
                    match e.arg.as_ref()?.node.as_ref()? {
                        NodeEnum::TypeName(t) => Some(self.type_text(t)),
                        _ => None,
                    }
                }
                _ => None,
            })
            .filter(|t| t != "\"any\"" && t != "public.any")
            .unwrap_or_default()
    }

    /// `CREATE SCHEMA s CREATE TABLE t ...`: the elements are created in `s`.
    fn create_schema_elements(&mut self, s: &CreateSchemaStmt, source: Source<'_>, text: &str) {
        if !s.schemaname.is_empty() {
            self.history
                .schemas
                .entry(s.schemaname.clone())
                .or_insert(self.file);
        }
        let outer = std::mem::replace(&mut self.search_path, SearchPath::only(&s.schemaname));
        for element in &s.schema_elts {
            if let Some(node) = element.node.as_ref() {
                self.statement(node, source, text);
            }
        }
        self.search_path = outer;
    }

    /// Declares `key`, or applies `mode` when an object of that name exists.
    pub(super) fn create(&mut self, key: ObjectKey, mode: Create, source: Source<'_>) {
        let mode = match mode {
            Create::Plain if source.conditional => Create::IfNotExists,
            mode => mode,
        };
        match (self.conflicting(&key), mode) {
            (Some(_), Create::IfNotExists) => {}
            (Some(existing), Create::OrReplace) => self.touch(&existing),
            (existing, _) => {
                // A plain CREATE that ran means no such object existed any more.
                if let Some(existing) = existing {
                    self.undeclare(&existing);
                }
                let declaration = Declaration {
                    created_in: self.file,
                    ..Declaration::default()
                };
                self.declare(key, declaration);
            }
        }
    }

    /// The declared object a new `key` would clash with: any relation of that name (they
    /// share one namespace), or the same type or routine.
    pub(super) fn conflicting(&self, key: &ObjectKey) -> Option<ObjectKey> {
        if !key.kind.is_relation() {
            return self.history.declared.contains_key(key).then(|| key.clone());
        }
        self.keys_named(&key.name)
            .into_iter()
            .find(|k| k.kind.is_relation())
    }

    /// The declared objects named `name`, in declaration order.
    pub(super) fn keys_named(&self, name: &QualifiedName) -> Vec<ObjectKey> {
        let Some(keys) = self.names.get(name) else {
            return Vec::new();
        };
        let mut keys = keys.clone();
        keys.sort_by_key(|k| self.history.declared.get_index_of(k));
        keys
    }

    pub(super) fn declare(&mut self, key: ObjectKey, declaration: Declaration) {
        let index = self.history.declared.len();
        self.declare_at(index, key, declaration);
    }

    /// Declares `key` at `index` of the declared map (a renamed object keeps its place).
    pub(super) fn declare_at(&mut self, index: usize, key: ObjectKey, declaration: Declaration) {
        // An existing key is moved, so the last place is one less than for a new key.
        let last = match self.history.declared.contains_key(&key) {
            true => self.history.declared.len() - 1,
            false => self.history.declared.len(),
        };
        let index = index.min(last);
        if self
            .history
            .declared
            .shift_insert(index, key.clone(), declaration)
            .is_none()
        {
            self.names.entry(key.name.clone()).or_default().push(key);
        }
    }

    /// Removes a declaration, returning where it was.
    pub(super) fn undeclare(&mut self, key: &ObjectKey) -> Option<(usize, Declaration)> {
        let (index, _, declaration) = self.history.declared.shift_remove_full(key)?;
        if let Some(keys) = self.names.get_mut(&key.name) {
            keys.retain(|k| k != key);
            if keys.is_empty() {
                self.names.remove(&key.name);
            }
        }
        Some((index, declaration))
    }

    /// Does a migration declare some object (of any kind) with this name?
    pub(super) fn is_declared_name(&self, name: &QualifiedName) -> bool {
        self.names.contains_key(name)
    }

    /// Records that the current file alters a declared object.
    pub(super) fn touch(&mut self, key: &ObjectKey) {
        let file = self.file;
        if let Some(declaration) = self.history.declared.get_mut(key) {
            note_alteration(declaration, file);
        }
    }

    /// Records that the current file alters every declared object named `name`.
    pub(super) fn touch_name(&mut self, name: &QualifiedName) {
        for key in self.keys_named(name) {
            self.touch(&key);
        }
    }

    pub(super) fn warn(&mut self, line: usize, message: impl Into<String>) {
        self.history.warnings.push(Warning {
            path: self.path.clone(),
            line,
            message: message.into().replace(['\r', '\n'], " "),
        });
    }
}

pub(super) fn note_alteration(declaration: &mut Declaration, file: usize) {
    if declaration.created_in != file && declaration.altered_in.last() != Some(&file) {
        declaration.altered_in.push(file);
    }
}

fn if_not_exists(flag: bool) -> Create {
    if flag {
        Create::IfNotExists
    } else {
        Create::Plain
    }
}

fn or_replace(flag: bool) -> Create {
    if flag {
        Create::OrReplace
    } else {
        Create::Plain
    }
}

/// The text of one statement (`stmt_len` 0 means "to the end").
fn statement_text<'a>(text: &'a str, raw: &RawStmt) -> &'a str {
    let start = usize::try_from(raw.stmt_location).unwrap_or(0);
    let end = match usize::try_from(raw.stmt_len) {
        Ok(0) | Err(_) => text.len(),
        Ok(len) => start + len,
    };
    text.get(start..end).unwrap_or("")
}

/// `path:line:column: message`, from the position the parser reports.
fn parse_error(path: &Path, text: &str, error: pg_query::Error) -> anyhow::Error {
    let message = match error {
        pg_query::Error::Parse(message) | pg_query::Error::Split(message) => message,
        other => other.to_string(),
    };
    let message = one_line(&message);
    match native::error_position(text) {
        Some(position) => {
            let (line, column) = line_column(text, position);
            anyhow!("{}:{line}:{column}: {message}", path.display())
        }
        None => anyhow!("{}: {message}", path.display()),
    }
}

/// Line and column, both 1-based, of the 1-based character `position` of `text`.
pub(super) fn line_column(text: &str, position: usize) -> (usize, usize) {
    let mut line = 1;
    let mut column = 1;
    for c in text.chars().take(position.saturating_sub(1)) {
        if c == '\n' {
            line += 1;
            column = 1;
        } else {
            column += 1;
        }
    }
    (line, column)
}

/// A parser message on one line. The parser quotes the rest of the input after an
/// unterminated string or comment (`at or near "$$ ...`), which can be the rest of the file:
/// only the start of its first line is kept.
pub(super) fn one_line(message: &str) -> String {
    const NEAR: &str = " at or near \"";
    const KEEP: usize = 40;
    let message = match message.find(NEAR) {
        Some(start) => {
            let fragment = &message[start + NEAR.len()..];
            let fragment = fragment.strip_suffix('"').unwrap_or(fragment);
            let first = fragment.split(['\r', '\n']).next().unwrap_or("");
            let mut kept: String = first.chars().take(KEEP).collect();
            if kept.len() < fragment.len() {
                kept.push_str("...");
            }
            format!("{}{NEAR}{kept}\"", &message[..start])
        }
        None => message.to_string(),
    };
    message.replace(['\r', '\n'], " ")
}
