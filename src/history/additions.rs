//! Parts that statements add to existing objects: columns, constraints, indexes, policies,
//! triggers, rules, enum values, row security, comments and grants. A statement that adds a part
//! to a declared object, or otherwise alters it, also counts as altering it.

use super::changes::{Family, Target};
use super::fold::Folder;
use super::names::{column_names_part, object_name, object_parts, strings};
use super::Addition;
use crate::model::{ObjectKind, QualifiedName};
use pg_query::protobuf::{
    AlterDomainStmt, AlterEnumStmt, AlterTableCmd, AlterTableStmt, AlterTableType, CommentStmt,
    ConstrType, Constraint, GrantStmt, GrantTargetType, IndexStmt, Node, ObjectType, RangeVar,
};
use pg_query::NodeEnum;
use std::collections::BTreeSet;

impl Folder {
    /// Folds the statements that add to or alter an existing object.
    pub(super) fn add_parts(&mut self, node: &NodeEnum) {
        match node {
            NodeEnum::AlterTableStmt(s) => self.alter_table(s),
            NodeEnum::IndexStmt(s) => self.add_index(s),
            NodeEnum::CreatePolicyStmt(s) => {
                self.add_to_relation(s.table.as_ref(), ObjectKind::Policy, &s.policy_name)
            }
            NodeEnum::CreateTrigStmt(s) => {
                self.add_to_relation(s.relation.as_ref(), ObjectKind::Trigger, &s.trigname)
            }
            NodeEnum::RuleStmt(s) => {
                self.add_to_relation(s.relation.as_ref(), ObjectKind::Rule, &s.rulename)
            }
            NodeEnum::CommentStmt(s) => self.add_comment(s),
            NodeEnum::GrantStmt(s) => self.add_grants(s),
            NodeEnum::AlterEnumStmt(s) => self.alter_enum(s),
            NodeEnum::AlterDomainStmt(s) => self.alter_domain(s),
            NodeEnum::AlterPolicyStmt(s) => self.touch_relation(s.table.as_ref()),
            NodeEnum::AlterSeqStmt(s) => self.touch_relation(s.sequence.as_ref()),
            NodeEnum::AlterTypeStmt(s) => {
                if let Some(name) = strings(&s.type_name).and_then(|p| self.existing_name(&p)) {
                    self.touch_name(&name);
                }
            }
            NodeEnum::AlterFunctionStmt(s) => {
                let target = s.func.as_ref().and_then(|f| self.routine_target(f));
                self.touch_object(s.objtype, target);
            }
            NodeEnum::AlterOwnerStmt(s)
                if s.object_type == ObjectType::ObjectEventTrigger as i32 =>
            {
                let name = s.object.as_deref().and_then(object_parts);
                self.touch_event_trigger(&name.unwrap_or_default().concat());
            }
            NodeEnum::AlterOwnerStmt(s) => {
                let target = s.object.as_deref().and_then(|o| self.object_target(o));
                self.touch_object(s.object_type, target);
            }
            NodeEnum::AlterEventTrigStmt(s) => self.touch_event_trigger(&s.trigname),
            _ => {}
        }
    }

    /// Records a part the current file adds to `target`, which it thereby alters.
    fn add(&mut self, target: &QualifiedName, part: ObjectKind, name: impl Into<String>) {
        self.touch_name(target);
        self.history.additions.push(Addition {
            file: self.file,
            target: target.clone(),
            part,
            name: name.into(),
        });
    }

    fn add_to_relation(&mut self, relation: Option<&RangeVar>, part: ObjectKind, name: &str) {
        if let Some(target) = relation.and_then(|r| self.relation_target(r)) {
            self.add(&target.name, part, name);
        }
    }

    fn touch_relation(&mut self, relation: Option<&RangeVar>) {
        if let Some(target) = relation.and_then(|r| self.relation_target(r)) {
            self.touch_name(&target.name);
        }
    }

    /// Records that the current file alters the declared event trigger `name`, whatever the
    /// schema of its function.
    fn touch_event_trigger(&mut self, name: &str) {
        for key in self.event_triggers_named(name) {
            self.touch(&key);
        }
    }

    /// Records that the current file alters the declared objects a target names.
    fn touch_object(&mut self, object_type: i32, target: Option<Target>) {
        let (Some(family), Some(target)) = (Family::of(object_type), target) else {
            return;
        };
        for key in self.find(family, &target.name, target.signature.as_deref()) {
            self.touch(&key);
        }
    }

    fn alter_table(&mut self, s: &AlterTableStmt) {
        let Some(table) = s.relation.as_ref().and_then(|r| self.relation_target(r)) else {
            return;
        };
        self.touch_name(&table.name);
        if s.objtype == ObjectType::ObjectIndex as i32 {
            return;
        }
        for command in &s.cmds {
            if let Some(NodeEnum::AlterTableCmd(command)) = command.node.as_ref() {
                self.alter_table_command(&table.name, command);
            }
        }
    }

    fn alter_table_command(&mut self, table: &QualifiedName, command: &AlterTableCmd) {
        let definition = command.def.as_ref().and_then(|d| d.node.as_ref());
        match (AlterTableType::try_from(command.subtype), definition) {
            (
                Ok(AlterTableType::AtAddColumn | AlterTableType::AtAddColumnToView),
                Some(NodeEnum::ColumnDef(column)),
            ) => {
                self.add(table, ObjectKind::Column, column.colname.as_str());
                for constraint in &column.constraints {
                    if let Some(NodeEnum::Constraint(constraint)) = constraint.node.as_ref() {
                        let name = constraint_name(&table.name, constraint, Some(&column.colname));
                        if let Some(name) = name {
                            self.add(table, ObjectKind::Constraint, name);
                        }
                    }
                }
            }
            (Ok(AlterTableType::AtAddConstraint), Some(NodeEnum::Constraint(constraint))) => {
                if let Some(name) = constraint_name(&table.name, constraint, None) {
                    self.add(table, ObjectKind::Constraint, name);
                }
            }
            (Ok(AlterTableType::AtEnableRowSecurity), _) => {
                self.add(table, ObjectKind::Rls, "enable")
            }
            (Ok(AlterTableType::AtForceRowSecurity), _) => {
                self.add(table, ObjectKind::Rls, "force")
            }
            _ => {}
        }
    }

    fn add_index(&mut self, s: &IndexStmt) {
        if let Some(table) = s.relation.as_ref().and_then(|r| self.relation_target(r)) {
            let name = index_name(&table.name.name, s);
            self.add(&table.name, ObjectKind::Index, name);
        }
    }

    fn add_comment(&mut self, s: &CommentStmt) {
        let Some(object) = s.object.as_deref() else {
            return;
        };
        use ObjectType as T;
        match ObjectType::try_from(s.objtype) {
            Ok(T::ObjectColumn | T::ObjectTabconstraint | T::ObjectTrigger | T::ObjectPolicy) => {
                let Some(mut parts) = object_parts(object) else {
                    return;
                };
                let part = parts.pop().unwrap_or_default();
                if let Some(target) = self.existing_name(&parts) {
                    self.add(&target, ObjectKind::Comment, part);
                }
            }
            Ok(T::ObjectEventTrigger) => {
                let name = object_parts(object).unwrap_or_default();
                self.touch_event_trigger(&name.concat());
            }
            Ok(T::ObjectDomconstraint) => {
                let Some(NodeEnum::List(list)) = object.node.as_ref() else {
                    return;
                };
                let domain = list.items.first().and_then(object_parts);
                let name = list.items.get(1).and_then(object_parts).unwrap_or_default();
                if let Some(domain) = domain.and_then(|d| self.existing_name(&d)) {
                    self.add(&domain, ObjectKind::Comment, name.concat());
                }
            }
            _ if Family::of(s.objtype).is_some() => {
                if let Some(target) = self.object_target(object) {
                    self.add(&target.name, ObjectKind::Comment, "");
                }
            }
            _ => {}
        }
    }

    /// `GRANT ... ON` named objects (not `ALL ... IN SCHEMA`, not `REVOKE`).
    fn add_grants(&mut self, s: &GrantStmt) {
        if !s.is_grant || s.targtype != GrantTargetType::AclTargetObject as i32 {
            return;
        }
        if Family::of(s.objtype).is_none() {
            return;
        }
        let privileges = privileges(&s.privileges);
        for object in &s.objects {
            if let Some(target) = self.object_target(object) {
                for privilege in &privileges {
                    self.add(&target.name, ObjectKind::Grant, privilege.as_str());
                }
            }
        }
    }

    /// `ALTER TYPE e ADD VALUE 'v'` adds a value; renaming a value only alters the type.
    fn alter_enum(&mut self, s: &AlterEnumStmt) {
        let Some(name) = strings(&s.type_name).and_then(|p| self.existing_name(&p)) else {
            return;
        };
        if s.old_val.is_empty() && !s.new_val.is_empty() {
            self.add(&name, ObjectKind::EnumValue, s.new_val.as_str());
        } else {
            self.touch_name(&name);
        }
    }

    fn alter_domain(&mut self, s: &AlterDomainStmt) {
        let Some(domain) = strings(&s.type_name).and_then(|p| self.existing_name(&p)) else {
            return;
        };
        match s.def.as_ref().and_then(|d| d.node.as_ref()) {
            Some(NodeEnum::Constraint(constraint)) if s.subtype == "C" => {
                let name = if constraint.conname.is_empty() {
                    object_name(&domain.name, None, "check")
                } else {
                    constraint.conname.clone()
                };
                self.add(&domain, ObjectKind::Constraint, name);
            }
            _ => self.touch_name(&domain),
        }
    }
}

/// `SELECT`, `UPDATE (a, b)`, or `ALL` when the statement says `ALL [PRIVILEGES]`.
fn privileges(nodes: &[Node]) -> Vec<String> {
    let named: Vec<String> = nodes
        .iter()
        .filter_map(|node| match node.node.as_ref()? {
            NodeEnum::AccessPriv(p) => {
                let name = if p.priv_name.is_empty() {
                    "all"
                } else {
                    &p.priv_name
                };
                let columns = strings(&p.cols).unwrap_or_default();
                Some(match columns.is_empty() {
                    true => name.to_uppercase(),
                    false => format!("{} ({})", name.to_uppercase(), columns.join(", ")),
                })
            }
            _ => None,
        })
        .collect();
    if named.is_empty() {
        vec!["ALL".to_string()]
    } else {
        named
    }
}

/// A constraint's name, or the one PostgreSQL chooses when the statement gives none.
/// `column` is set for a constraint written on a column definition.
fn constraint_name(table: &str, c: &Constraint, column: Option<&str>) -> Option<String> {
    if !c.conname.is_empty() {
        return Some(c.conname.clone());
    }
    let own = || column.map(|c| vec![c.to_string()]).unwrap_or_default();
    let or_own = |nodes: &[Node]| match strings(nodes) {
        Some(columns) if !columns.is_empty() => columns,
        _ => own(),
    };
    let (columns, label) = match ConstrType::try_from(c.contype).ok()? {
        ConstrType::ConstrPrimary => return Some(object_name(table, None, "pkey")),
        ConstrType::ConstrUnique => {
            let mut columns = or_own(&c.keys);
            columns.extend(strings(&c.including).unwrap_or_default());
            (columns, "key")
        }
        ConstrType::ConstrForeign => (or_own(&c.fk_attrs), "fkey"),
        ConstrType::ConstrExclusion => (exclusion_columns(c), "excl"),
        ConstrType::ConstrCheck => {
            let columns = c
                .raw_expr
                .as_deref()
                .map(referenced_columns)
                .unwrap_or_default();
            let single = columns.len() == 1;
            (columns.into_iter().filter(|_| single).collect(), "check")
        }
        _ => return None,
    };
    let middle = (!columns.is_empty()).then(|| column_names_part(&columns));
    Some(object_name(table, middle.as_deref(), label))
}

fn exclusion_columns(c: &Constraint) -> Vec<String> {
    c.exclusions
        .iter()
        .filter_map(|pair| match pair.node.as_ref()? {
            NodeEnum::List(list) => list.items.first().map(index_column_name),
            _ => None,
        })
        .collect()
}

/// The distinct column names an expression refers to.
fn referenced_columns(expr: &Node) -> BTreeSet<String> {
    fn collect(value: &serde_json::Value, out: &mut BTreeSet<String>) {
        match value {
            serde_json::Value::Array(items) => items.iter().for_each(|i| collect(i, out)),
            serde_json::Value::Object(map) => {
                if let Some(fields) = map.get("ColumnRef").and_then(|c| c.get("fields")) {
                    let last = fields.as_array().and_then(|f| f.last());
                    if let Some(name) = last.and_then(|f| f.pointer("/node/String/sval")) {
                        out.extend(name.as_str().map(str::to_string));
                    }
                }
                map.values().for_each(|v| collect(v, out));
            }
            _ => {}
        }
    }
    let mut columns = BTreeSet::new();
    if let Ok(tree) = serde_json::to_value(expr) {
        collect(&tree, &mut columns);
    }
    columns
}

/// An index's name, or the one PostgreSQL chooses (`t_a_b_idx`, `t_lower_idx`).
fn index_name(table: &str, s: &IndexStmt) -> String {
    if !s.idxname.is_empty() {
        return s.idxname.clone();
    }
    if s.primary {
        return object_name(table, None, "pkey");
    }
    let label = if !s.exclude_op_names.is_empty() {
        "excl"
    } else if s.isconstraint {
        "key"
    } else {
        "idx"
    };
    let columns: Vec<String> = s
        .index_params
        .iter()
        .chain(&s.index_including_params)
        .map(index_column_name)
        .collect();
    object_name(table, Some(&column_names_part(&columns)), label)
}

/// The name an index element contributes to a generated index name.
fn index_column_name(node: &Node) -> String {
    let Some(NodeEnum::IndexElem(element)) = node.node.as_ref() else {
        return "expr".to_string();
    };
    if !element.indexcolname.is_empty() {
        return element.indexcolname.clone();
    }
    if !element.name.is_empty() {
        return element.name.clone();
    }
    element
        .expr
        .as_deref()
        .and_then(expression_name)
        .unwrap_or_else(|| "expr".to_string())
}

/// The column name PostgreSQL gives an expression (`FigureColname`), for the cases that
/// name one.
fn expression_name(expr: &Node) -> Option<String> {
    match expr.node.as_ref()? {
        NodeEnum::FuncCall(call) => strings(&call.funcname)?.pop(),
        NodeEnum::ColumnRef(column) => strings(&column.fields)?.pop(),
        NodeEnum::TypeCast(cast) => cast
            .arg
            .as_deref()
            .and_then(expression_name)
            .or_else(|| strings(&cast.type_name.as_ref()?.names)?.pop()),
        NodeEnum::CollateClause(collate) => collate.arg.as_deref().and_then(expression_name),
        NodeEnum::CoalesceExpr(_) => Some("coalesce".to_string()),
        NodeEnum::CaseExpr(_) => Some("case".to_string()),
        _ => None,
    }
}
