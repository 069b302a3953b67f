//! Renames, schema moves and drops of declared objects.

use super::fold::{note_alteration, Folder};
use super::names::{object_parts, range_var_parts, strings};
use super::{ColumnRename, Rename};
use crate::model::{ObjectKey, ObjectKind, QualifiedName};
use pg_query::protobuf::{
    AlterObjectSchemaStmt, DropBehavior, DropStmt, Node, ObjectType, ObjectWithArgs, RangeVar,
    RenameStmt,
};
use pg_query::NodeEnum;

/// Which declared objects a statement's object type can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Family {
    /// Tables, views, materialized views and sequences share one namespace; the kind is
    /// the one the statement names.
    Relation(ObjectKind),
    Type,
    Collation,
    /// `None` for `ROUTINE`, which names a function or a procedure.
    Routine(Option<ObjectKind>),
    Operator,
    /// Named without a schema: found by name among the declared event triggers.
    EventTrigger,
}

impl Family {
    pub(super) fn of(object_type: i32) -> Option<Family> {
        let family = match ObjectType::try_from(object_type).ok()? {
            ObjectType::ObjectTable | ObjectType::ObjectForeignTable => {
                Family::Relation(ObjectKind::Table)
            }
            ObjectType::ObjectView => Family::Relation(ObjectKind::View),
            ObjectType::ObjectMatview => Family::Relation(ObjectKind::MaterializedView),
            ObjectType::ObjectSequence => Family::Relation(ObjectKind::Sequence),
            ObjectType::ObjectType | ObjectType::ObjectDomain => Family::Type,
            ObjectType::ObjectCollation => Family::Collation,
            ObjectType::ObjectFunction | ObjectType::ObjectAggregate => {
                Family::Routine(Some(ObjectKind::Function))
            }
            ObjectType::ObjectProcedure => Family::Routine(Some(ObjectKind::Procedure)),
            ObjectType::ObjectRoutine => Family::Routine(None),
            ObjectType::ObjectOperator => Family::Operator,
            ObjectType::ObjectEventTrigger => Family::EventTrigger,
            _ => return None,
        };
        Some(family)
    }

    fn matches(self, kind: ObjectKind) -> bool {
        match self {
            Family::Relation(_) => kind.is_relation(),
            Family::Type => kind == ObjectKind::Type,
            Family::Collation => kind == ObjectKind::Collation,
            Family::Routine(Some(k)) => kind == k,
            Family::Routine(None) => kind.is_routine(),
            Family::Operator => kind == ObjectKind::Operator,
            Family::EventTrigger => kind == ObjectKind::EventTrigger,
        }
    }

    /// The kind to report for an object no migration declared.
    fn kind(self) -> ObjectKind {
        match self {
            Family::Relation(kind) | Family::Routine(Some(kind)) => kind,
            Family::Type => ObjectKind::Type,
            Family::Collation => ObjectKind::Collation,
            Family::Routine(None) => ObjectKind::Function,
            Family::Operator => ObjectKind::Operator,
            Family::EventTrigger => ObjectKind::EventTrigger,
        }
    }
}

/// An object a statement names: its name and, for a routine given with its arguments, the
/// signature.
#[derive(Clone, Debug)]
pub(super) struct Target {
    pub(super) name: QualifiedName,
    pub(super) signature: Option<String>,
}

impl Folder {
    /// Resolves an object node (`RangeVar`, `ObjectWithArgs`, a name list or a `TypeName`).
    pub(super) fn object_target(&self, node: &Node) -> Option<Target> {
        match node.node.as_ref()? {
            NodeEnum::RangeVar(relation) => self.relation_target(relation),
            NodeEnum::ObjectWithArgs(routine) => self.routine_target(routine),
            _ => Some(Target {
                name: self.existing_name(&object_parts(node)?)?,
                signature: None,
            }),
        }
    }

    pub(super) fn relation_target(&self, relation: &RangeVar) -> Option<Target> {
        Some(Target {
            name: self.existing_name(&range_var_parts(relation))?,
            signature: None,
        })
    }

    pub(super) fn routine_target(&self, routine: &ObjectWithArgs) -> Option<Target> {
        let name = self.existing_name(&strings(&routine.objname)?)?;
        let signature = if routine.args_unspecified {
            None
        } else if routine.objfuncargs.is_empty() {
            Some(self.argument_types(&routine.objargs))
        } else {
            Some(self.signature(&routine.objfuncargs))
        };
        Some(Target { name, signature })
    }

    /// The statement's target, from its `relation` or its `object`.
    fn statement_target(
        &self,
        relation: Option<&RangeVar>,
        object: Option<&Node>,
    ) -> Option<Target> {
        match (relation, object) {
            (Some(relation), _) => self.relation_target(relation),
            (None, Some(object)) => self.object_target(object),
            (None, None) => None,
        }
    }

    /// Declared objects of `family` named `name` (every overload when `signature` is `None`).
    pub(super) fn find(
        &self,
        family: Family,
        name: &QualifiedName,
        signature: Option<&str>,
    ) -> Vec<ObjectKey> {
        self.keys_named(name)
            .into_iter()
            .filter(|k| family.matches(k.kind))
            .filter(|k| signature.is_none_or(|s| k.signature.as_deref() == Some(s)))
            .collect()
    }

    /// `ALTER ... RENAME TO`. Renaming a column, constraint, trigger, policy or index alters
    /// the relation that holds it.
    pub(super) fn rename(&mut self, s: &RenameStmt) {
        if s.rename_type == ObjectType::ObjectSchema as i32 {
            self.move_schema(&s.subname, &s.newname);
            return;
        }
        match Family::of(s.rename_type) {
            Some(Family::EventTrigger) => {
                let old = s
                    .object
                    .as_deref()
                    .and_then(object_parts)
                    .unwrap_or_default();
                for key in self.event_triggers_named(&old.concat()) {
                    let to = QualifiedName::new(key.name.schema.clone(), s.newname.clone());
                    self.rename_key(key, to);
                }
            }
            Some(family) => {
                let object = s.object.as_deref();
                if let Some(target) = self.statement_target(s.relation.as_ref(), object) {
                    let to = QualifiedName::new(target.name.schema.clone(), s.newname.clone());
                    self.move_object(family, target, to);
                }
            }
            None => {
                if let Some(target) = s.relation.as_ref().and_then(|r| self.relation_target(r)) {
                    if s.rename_type == ObjectType::ObjectColumn as i32 {
                        self.history.column_renames.push(ColumnRename {
                            file: self.file,
                            table: target.name.clone(),
                            from: s.subname.clone(),
                            to: s.newname.clone(),
                        });
                    }
                    self.touch_name(&target.name);
                }
            }
        }
    }

    /// `ALTER ... SET SCHEMA`.
    pub(super) fn set_schema(&mut self, s: &AlterObjectSchemaStmt) {
        let Some(family) = Family::of(s.object_type) else {
            return;
        };
        let object = s.object.as_deref();
        if let Some(target) = self.statement_target(s.relation.as_ref(), object) {
            let to = QualifiedName::new(s.newschema.clone(), target.name.name.clone());
            self.move_object(family, target, to);
        }
    }

    /// Gives declared objects a new name, or remembers the rename of an undeclared one.
    fn move_object(&mut self, family: Family, from: Target, to: QualifiedName) {
        let keys = self.find(family, &from.name, from.signature.as_deref());
        if keys.is_empty() {
            self.history.renames.push(Rename {
                file: self.file,
                kind: family.kind(),
                from: from.name,
                to,
                signature: from.signature,
                declared: false,
            });
            return;
        }
        for key in keys {
            self.rename_key(key, to.clone());
        }
    }

    fn rename_key(&mut self, key: ObjectKey, to: QualifiedName) {
        let Some((index, mut declaration)) = self.undeclare(&key) else {
            return;
        };
        declaration.renamed_from.push(key.name.clone());
        note_alteration(&mut declaration, self.file);
        self.history.renames.push(Rename {
            file: self.file,
            kind: key.kind,
            from: key.name.clone(),
            to: to.clone(),
            signature: key.signature.clone(),
            declared: true,
        });
        let renamed = ObjectKey { name: to, ..key };
        // A rename that ran means nothing held the new name any more (it was dropped in a
        // way the history does not show, or in a branch of a DO block).
        let mut index = index;
        if let Some(existing) = self.conflicting(&renamed) {
            if let Some((at, _)) = self.undeclare(&existing) {
                if at < index {
                    index -= 1;
                }
            }
        }
        self.declare_at(index, renamed, declaration);
    }

    /// `ALTER SCHEMA a RENAME TO b` moves every declared object of `a`.
    fn move_schema(&mut self, from: &str, to: &str) {
        let keys: Vec<ObjectKey> = self
            .history
            .declared
            .keys()
            .filter(|k| k.name.schema == from)
            .cloned()
            .collect();
        for key in keys {
            let new_name = QualifiedName::new(to, key.name.name.clone());
            self.rename_key(key, new_name);
        }
    }

    /// `DROP ...`, with several names, `IF EXISTS` and `CASCADE`.
    pub(super) fn drop(&mut self, s: &DropStmt) {
        if s.remove_type == ObjectType::ObjectSchema as i32 {
            for schema in s.objects.iter().filter_map(object_parts) {
                if let [schema] = schema.as_slice() {
                    self.drop_schema(schema);
                }
            }
            return;
        }
        let Some(family) = Family::of(s.remove_type) else {
            self.touch_parents(s);
            return;
        };
        if family == Family::EventTrigger {
            for name in s.objects.iter().filter_map(object_parts) {
                for key in self.event_triggers_named(&name.concat()) {
                    self.undeclare(&key);
                }
            }
            return;
        }
        let cascade = s.behavior == DropBehavior::DropCascade as i32;
        for object in &s.objects {
            let Some(target) = self.object_target(object) else {
                continue;
            };
            for key in self.find(family, &target.name, target.signature.as_deref()) {
                self.undeclare(&key);
                if cascade && family == Family::Type {
                    self.drop_routines_using(&key.name);
                }
            }
        }
    }

    /// `DROP TRIGGER t ON tbl`, `DROP POLICY p ON tbl`, `DROP RULE`: they alter `tbl`.
    fn touch_parents(&mut self, s: &DropStmt) {
        let parts_of_relation = [
            ObjectType::ObjectTrigger,
            ObjectType::ObjectPolicy,
            ObjectType::ObjectRule,
        ];
        if !parts_of_relation.iter().any(|t| *t as i32 == s.remove_type) {
            return;
        }
        for parts in s.objects.iter().filter_map(object_parts) {
            if let Some((_, relation)) = parts.split_last() {
                if let Some(name) = self.existing_name(relation) {
                    self.touch_name(&name);
                }
            }
        }
    }

    /// `DROP SCHEMA` (with `CASCADE`, or of an empty schema) drops what it holds.
    fn drop_schema(&mut self, schema: &str) {
        let keys: Vec<ObjectKey> = self
            .history
            .declared
            .keys()
            .filter(|k| k.name.schema == schema)
            .cloned()
            .collect();
        for key in keys {
            self.undeclare(&key);
        }
    }

    /// `DROP TYPE ... CASCADE` also drops the routines that take the type as an argument.
    fn drop_routines_using(&mut self, type_name: &QualifiedName) {
        let spelled = type_name.to_sql();
        let keys: Vec<ObjectKey> = self
            .history
            .declared
            .keys()
            .filter(|k| {
                k.signature.as_deref().is_some_and(|signature| {
                    signature
                        .split(", ")
                        .any(|arg| arg.trim_end_matches("[]") == spelled)
                })
            })
            .cloned()
            .collect();
        for key in keys {
            self.undeclare(&key);
        }
    }
}
