//! Items with what each needs: other items (an order) and migrations (a slot in history).

use super::item::{Item, TableItem};
use super::Options;
use crate::history::History;
use crate::model::{ConstraintKind, ObjectKey, ObjectKind, Part, QualifiedName, Schema, Table};
use std::collections::{BTreeMap, BTreeSet};

/// One item and its constraints. Slots number the gaps of history: slot `k` runs before
/// migration `k`; slot `files.len()` runs after the last one.
#[derive(Clone, Debug)]
pub struct Node {
    pub item: Item,
    /// The object the item belongs to (the table, for a table's part); none for a schema
    /// or an extension.
    pub owner: Option<ObjectKey>,
    /// The schema the item creates something in.
    pub schema: String,
    /// Items that must run first.
    pub needs: BTreeSet<usize>,
    /// Items better run first when a cycle allows it: the tables a table's foreign keys
    /// point to, so that the keys can be created with the table.
    pub prefers: BTreeSet<usize>,
    /// The first slot where everything it needs from migrations exists, with the migration
    /// that forces it.
    pub earliest: (usize, Option<usize>),
    /// The last slot that still runs before the first migration that references it.
    pub latest: (usize, Option<usize>),
}

impl Node {
    /// Orders items of one kind before another when nothing else decides.
    pub fn rank(&self) -> u8 {
        match &self.item {
            Item::Schema { .. } => 0,
            Item::Extension { .. } => 1,
            Item::Collation { .. } => 2,
            Item::Type { .. } => 3,
            Item::Sequence { .. } => 4,
            Item::Function { .. } => 5,
            Item::Operator { .. } => 6,
            Item::Table(_) => 7,
            Item::TablePart { .. } => 8,
            Item::View { .. } => 9,
            Item::Publication { .. } => 10,
            Item::EventTrigger { .. } => 11,
            Item::DefaultPrivileges => 12,
        }
    }
}

/// Builds the items for `objects` (drifted, to import) and what each needs. `everything`
/// (an import of all drift) adds what belongs to the database rather than to one object:
/// the managed schemas, the extensions installed in them and the default privileges.
pub fn build(
    prod: &Schema,
    history: &History,
    objects: &[ObjectKey],
    options: &Options,
) -> Vec<Node> {
    let everything = options.everything;
    // Room for every node at once: grown one node at a time, the vector would be copied
    // at each doubling and could hold room for twice as many.
    let room: usize = objects
        .iter()
        .map(|key| match prod.tables.get(&key.name) {
            Some(t) if key.kind == ObjectKind::Table => {
                1 + t.constraints.len()
                    + t.indexes.len()
                    + t.policies.len()
                    + t.triggers.len()
                    + t.rules.len()
            }
            _ => 1,
        })
        .sum();
    let mut builder = Builder {
        prod,
        history,
        nodes: Vec::with_capacity(room + options.outside_parts.len() + 8),
        by_owner: BTreeMap::new(),
        parts: BTreeMap::new(),
        schemas: BTreeMap::new(),
        extensions: BTreeMap::new(),
        renamed_until: BTreeMap::new(),
    };
    for key in objects {
        builder.add_object(key);
    }
    for (table, part) in &options.outside_parts {
        let item = Item::TablePart {
            table: table.clone(),
            part: part.clone(),
        };
        let index = builder.push(item, Some(table_key(table)), &table.schema);
        builder.parts.insert((table.clone(), part.clone()), index);
    }
    builder.add_schemas_and_extensions(everything);
    builder.add_publications(everything);
    if everything && !prod.default_privileges.is_empty() && history.default_privileges.is_none() {
        builder.push(Item::DefaultPrivileges, None, "");
    }
    builder.link();
    builder.nodes
}

struct Builder<'a> {
    prod: &'a Schema,
    history: &'a History,
    nodes: Vec<Node>,
    /// The item that creates each imported object.
    by_owner: BTreeMap<ObjectKey, usize>,
    /// The item of each imported part.
    parts: BTreeMap<(QualifiedName, Part), usize>,
    /// The item of each schema the import creates.
    schemas: BTreeMap<String, usize>,
    /// Where each needed extension comes from (an item or a migration), by the schema it
    /// is installed in.
    extensions: BTreeMap<String, Vec<Target>>,
    /// For a table that migrations rename (or whose columns they rename), the last migration
    /// that does: its parts, written with production's names, go after it.
    renamed_until: BTreeMap<QualifiedName, usize>,
}

fn table_key(name: &QualifiedName) -> ObjectKey {
    ObjectKey::relation(ObjectKind::Table, name.clone())
}

impl<'a> Builder<'a> {
    fn push(&mut self, item: Item, owner: Option<ObjectKey>, schema: &str) -> usize {
        let last = self.history.files.len();
        self.nodes.push(Node {
            item,
            owner,
            schema: schema.to_string(),
            needs: BTreeSet::new(),
            prefers: BTreeSet::new(),
            earliest: (0, None),
            latest: (last, None),
        });
        self.nodes.len() - 1
    }

    fn add_object(&mut self, key: &ObjectKey) {
        if self.by_owner.contains_key(key) {
            return;
        }
        let item = match key.kind {
            ObjectKind::Table => return self.add_table(&key.name),
            ObjectKind::View | ObjectKind::MaterializedView => Item::View {
                name: key.name.clone(),
            },
            ObjectKind::Function | ObjectKind::Procedure => Item::Function { key: key.clone() },
            ObjectKind::Operator => Item::Operator { key: key.clone() },
            ObjectKind::EventTrigger => Item::EventTrigger { key: key.clone() },
            ObjectKind::Sequence => Item::Sequence {
                name: key.name.clone(),
            },
            ObjectKind::Collation => Item::Collation {
                name: key.name.clone(),
            },
            ObjectKind::Type => Item::Type {
                name: key.name.clone(),
                omit_values: self.added(std::slice::from_ref(&key.name), ObjectKind::EnumValue),
            },
            _ => return,
        };
        let index = self.push(item, Some(key.clone()), &key.name.schema);
        self.by_owner.insert(key.clone(), index);
    }

    /// The names of parts of `kind` that migrations add to an object known by any of `names`.
    fn added(&self, names: &[QualifiedName], kind: ObjectKind) -> Vec<String> {
        let mut out: Vec<String> = self
            .history
            .additions
            .iter()
            .filter(|a| a.part == kind && names.contains(&a.target))
            .map(|a| a.name.clone())
            .collect();
        out.dedup();
        out
    }

    /// A table, its parts, and its partitions (which are not reported on their own).
    fn add_table(&mut self, name: &QualifiedName) {
        let Some(table) = self.prod.tables.get(name) else {
            return;
        };
        let names = self.earlier_names(name);
        let item = self.table_item(table, &names);
        let table_renames = self
            .history
            .renames
            .iter()
            .filter(|r| !r.declared && names.contains(&r.from))
            .map(|r| r.file);
        let column_renames = self
            .history
            .column_renames
            .iter()
            .filter(|r| names.contains(&r.table))
            .map(|r| r.file);
        if let Some(last) = table_renames.chain(column_renames).max() {
            self.renamed_until.insert(name.clone(), last);
        }
        let key = table_key(name);
        let index = self.push(Item::Table(item), Some(key.clone()), &name.schema);
        self.by_owner.insert(key.clone(), index);
        let added: BTreeSet<(ObjectKind, String)> = self
            .history
            .additions
            .iter()
            .filter(|a| names.contains(&a.target))
            .map(|a| (a.part, a.name.clone()))
            .collect();
        for part in parts_of(table) {
            let (Some(kind), Some(part_name)) = (part.kind(), part.name()) else {
                continue;
            };
            if added.contains(&(kind, part_name.to_string())) {
                continue;
            }
            let part_item = Item::TablePart {
                table: name.clone(),
                part: part.clone(),
            };
            let i = self.push(part_item, Some(key.clone()), &name.schema);
            self.parts.insert((name.clone(), part), i);
        }
        let partitions: Vec<QualifiedName> = self
            .prod
            .tables
            .values()
            .filter(|t| t.partition_of.as_ref().is_some_and(|p| &p.parent == name))
            .map(|t| t.name.clone())
            .collect();
        for partition in partitions {
            if !self.is_declared(&table_key(&partition)) {
                self.add_table(&partition);
            }
        }
    }

    /// The names a table had in history, the production name last: a migration may have
    /// renamed a hand-made table.
    fn earlier_names(&self, name: &QualifiedName) -> Vec<QualifiedName> {
        let mut names = vec![name.clone()];
        for rename in self.history.renames.iter().rev() {
            if !rename.declared && rename.to == names[0] && rename.kind.is_relation() {
                names.insert(0, rename.from.clone());
            }
        }
        names
    }

    fn table_item(&self, table: &Table, names: &[QualifiedName]) -> TableItem {
        let mut item = TableItem::whole(table.name.clone());
        item.as_name = names[0].clone();
        item.omit_columns = self.added(names, ObjectKind::Column);
        // Walk the column renames backwards: production name -> the name it had first.
        for rename in self
            .history
            .column_renames
            .iter()
            .rev()
            .filter(|r| names.contains(&r.table))
        {
            let renamed = item
                .column_names
                .iter()
                .find(|(_, first)| **first == rename.to)
                .map(|(p, _)| p.clone());
            let production = renamed.or_else(|| {
                let unmapped = !item.column_names.contains_key(&rename.to);
                (unmapped && table.columns.iter().any(|c| c.name == rename.to))
                    .then(|| rename.to.clone())
            });
            if let Some(production) = production {
                item.column_names.insert(production, rename.from.clone());
            }
        }
        item
    }

    fn is_declared(&self, key: &ObjectKey) -> bool {
        self.declared_in(key).is_some()
    }

    /// The migration that creates `key`, if any.
    fn declared_in(&self, key: &ObjectKey) -> Option<usize> {
        if let Some(d) = self.history.declared.get(key) {
            return Some(d.created_in);
        }
        self.history
            .declared
            .iter()
            .find(|(k, _)| {
                k.name == key.name
                    && ((k.kind.is_relation() && key.kind.is_relation())
                        || (k.kind.is_routine() && key.kind.is_routine())
                        || k.kind == key.kind)
            })
            .map(|(_, d)| d.created_in)
    }
}

/// The parts of a table an import creates separately, in catalog order: constraints (not
/// inherited, not constraint triggers, which come as triggers), indexes (not partition
/// copies), policies, triggers, rules.
pub fn parts_of(table: &Table) -> Vec<Part> {
    let constraints = table
        .constraints
        .iter()
        .filter(|c| c.is_local && c.kind != ConstraintKind::Trigger)
        .map(|c| Part::Constraint(c.name.clone()));
    let indexes = table
        .indexes
        .iter()
        .filter(|i| !i.inherited)
        .map(|i| Part::Index(i.name.clone()));
    let policies = table.policies.iter().map(|p| Part::Policy(p.name.clone()));
    let triggers = table.triggers.iter().map(|t| Part::Trigger(t.name.clone()));
    let rules = table.rules.iter().map(|r| Part::Rule(r.name.clone()));
    constraints
        .chain(indexes)
        .chain(policies)
        .chain(triggers)
        .chain(rules)
        .collect()
}

/// Where a dependency points: an imported item, a migration, or something that exists
/// before history (another schema, an extension).
#[derive(Clone, Copy, Debug)]
enum Target {
    Item(usize),
    Migration(usize),
    Outside,
}

impl<'a> Builder<'a> {
    /// Schemas no migration creates (all the managed ones for `everything`, else those the
    /// items create something in), and extensions whose objects the items use.
    fn add_schemas_and_extensions(&mut self, everything: bool) {
        let mut schemas: BTreeSet<String> = self.nodes.iter().map(|n| n.schema.clone()).collect();
        if everything {
            schemas.extend(self.prod.namespaces.iter().map(|n| n.name.clone()));
        }
        // Parts of tables elsewhere (`auth.users`) go into a schema that exists already.
        schemas.retain(|s| self.prod.schemas.contains(s));
        for schema in schemas {
            // A schema is created when no migration does; `public` (which every database
            // has) is written when production gave it a comment or changed its privileges.
            let migration_made = self.history.schemas.contains_key(&schema);
            let decorated = self.prod.namespace(&schema).is_some_and(|n| {
                n.comment.is_some() || !n.grants.is_empty() || !n.revokes.is_empty()
            });
            if !migration_made && (schema != "public" || decorated) {
                let index = self.push(
                    Item::Schema {
                        name: schema.clone(),
                    },
                    None,
                    &schema,
                );
                self.schemas.insert(schema, index);
            }
        }
        let owners: BTreeSet<ObjectKey> = self.by_owner.keys().cloned().collect();
        let used: BTreeSet<String> = self
            .prod
            .dependencies
            .iter()
            .filter(|d| owners.contains(&d.from) && !self.prod_has(&d.to))
            .map(|d| d.to.name.schema.clone())
            .collect();
        // An extension is needed when the items use an object of its schema that is not
        // the model's, or when it lives in a managed schema (its objects sit beside the
        // imported ones); an import of everything installs every extension production has.
        // A migration that creates it makes it a place in history instead.
        let managed: BTreeSet<&String> = self.prod.schemas.iter().collect();
        for ext in &self.prod.extensions {
            let wanted = everything || used.contains(&ext.schema) || managed.contains(&ext.schema);
            if ext.name == "plpgsql" || !wanted {
                continue;
            }
            let target = match self.history.extensions.get(&ext.name) {
                Some(&file) => Target::Migration(file),
                None => {
                    let item = Item::Extension {
                        name: ext.name.clone(),
                        schema: ext.schema.clone(),
                    };
                    Target::Item(self.push(item, None, &ext.schema))
                }
            };
            self.extensions
                .entry(ext.schema.clone())
                .or_default()
                .push(target);
        }
    }

    /// Publications of the imported tables; with `everything`, also those that publish the
    /// managed schemas whole or every table.
    fn add_publications(&mut self, everything: bool) {
        for publication in &self.prod.publications {
            let in_history = self.history.published.get(&publication.name);
            let tables: Vec<QualifiedName> = publication
                .tables
                .iter()
                .filter(|t| self.by_owner.contains_key(&table_key(&t.name)))
                .filter(|t| !in_history.is_some_and(|h| h.contains(&t.name)))
                .map(|t| t.name.clone())
                .collect();
            let missing = !self.history.publications.contains_key(&publication.name);
            if tables.is_empty() && !(everything && missing) {
                continue;
            }
            let item = Item::Publication {
                name: publication.name.clone(),
                tables,
            };
            self.push(item, None, "");
        }
    }

    /// Is `key` an object of production's managed schemas (not an extension's)?
    fn prod_has(&self, key: &ObjectKey) -> bool {
        match key.kind {
            ObjectKind::Table => self.prod.tables.contains_key(&key.name),
            ObjectKind::View | ObjectKind::MaterializedView => {
                self.prod.views.contains_key(&key.name)
            }
            ObjectKind::Type => self.prod.types.contains_key(&key.name),
            ObjectKind::Collation => self.prod.collations.contains_key(&key.name),
            ObjectKind::Sequence => self.prod.sequences.contains_key(&key.name),
            ObjectKind::Function | ObjectKind::Procedure => self.prod.functions.contains_key(key),
            ObjectKind::Operator => self.prod.operators.contains_key(key),
            ObjectKind::EventTrigger => self.prod.event_triggers.contains_key(key),
            _ => false,
        }
    }

    /// Fills each node's needs, earliest and latest slots.
    fn link(&mut self) {
        let mut edges: Vec<(usize, Target)> = Vec::new();
        for (index, node) in self.nodes.iter().enumerate() {
            edges.extend(self.structural_needs(index, node));
        }
        for dep in &self.prod.dependencies {
            if let Some(from) = self.source(&dep.from, &dep.part) {
                edges.push((from, self.target(&dep.to)));
                if !self.prod_has(&dep.to) {
                    let extensions = self
                        .extensions
                        .get(&dep.to.name.schema)
                        .into_iter()
                        .flatten();
                    edges.extend(extensions.map(|&e| (from, e)));
                }
            }
        }
        for (from, target) in edges {
            match target {
                Target::Item(to) if to != from => {
                    self.nodes[from].needs.insert(to);
                }
                Target::Migration(file) if file + 1 > self.nodes[from].earliest.0 => {
                    self.nodes[from].earliest = (file + 1, Some(file));
                }
                _ => {}
            }
        }
        // An event trigger fires on the DDL of every migration after it, which production
        // ran before it existed, and what its function writes to may come late: it goes
        // after the last migration. So do what production added to the database as a
        // whole, as it is now: publications, default privileges (which would otherwise
        // reach the objects of later migrations), and parts of tables outside the managed
        // schemas.
        let last = self.history.files.len();
        let managed = &self.prod.schemas;
        for node in &mut self.nodes {
            let after_history = match &node.item {
                Item::EventTrigger { .. } | Item::Publication { .. } | Item::DefaultPrivileges => {
                    true
                }
                Item::TablePart { table, .. } => !managed.contains(&table.schema),
                _ => false,
            };
            if after_history && node.earliest.0 < last {
                node.earliest = (last, last.checked_sub(1));
            }
        }
        for index in 0..self.nodes.len() {
            self.nodes[index].latest = self.latest(&self.nodes[index]);
            self.nodes[index].prefers = self.referenced_tables(&self.nodes[index]);
        }
    }

    /// What an item needs by its nature: a part its table, a partition its parent, an
    /// object its schema, a foreign key the keys of the table it references.
    fn structural_needs(&self, index: usize, node: &Node) -> Vec<(usize, Target)> {
        let mut out = Vec::new();
        if !matches!(node.item, Item::Extension { .. } | Item::Schema { .. }) {
            let extensions = self.extensions.get(&node.schema).into_iter().flatten();
            out.extend(extensions.map(|&e| (index, e)));
        }
        if let Some(&file) = self.history.schemas.get(&node.schema) {
            out.push((index, Target::Migration(file)));
        } else if let Some(&s) = self.schemas.get(&node.schema) {
            if s != index {
                out.push((index, Target::Item(s)));
            }
        }
        match &node.item {
            Item::TablePart { table, part } => {
                out.push((index, self.target(&table_key(table))));
                if let Some(&file) = self.renamed_until.get(table) {
                    out.push((index, Target::Migration(file)));
                }
                if let Part::Constraint(name) = part {
                    out.extend(self.foreign_key_needs(index, table, name));
                }
            }
            Item::EventTrigger { key } => {
                if let Some(trigger) = self.prod.event_triggers.get(key) {
                    let function = ObjectKey::routine(
                        ObjectKind::Function,
                        trigger.function.clone(),
                        String::new(),
                    );
                    out.push((index, self.target(&function)));
                }
            }
            Item::Publication { name, tables } => {
                for table in tables {
                    out.push((index, self.target(&table_key(table))));
                }
                let whole = self.prod.publications.iter().filter(|p| &p.name == name);
                for schema in whole.flat_map(|p| &p.schemas) {
                    out.extend(self.schema_target(schema).map(|t| (index, t)));
                }
            }
            Item::DefaultPrivileges => {
                out.extend(
                    (0..self.nodes.len())
                        .filter(|&i| i != index)
                        .map(|i| (index, Target::Item(i))),
                );
                for d in &self.prod.default_privileges {
                    out.extend(
                        d.schema
                            .iter()
                            .filter_map(|s| self.schema_target(s))
                            .map(|t| (index, t)),
                    );
                }
            }
            Item::Table(item) => {
                if let Some(table) = self.prod.tables.get(&item.name) {
                    let parents = table
                        .partition_of
                        .iter()
                        .map(|p| &p.parent)
                        .chain(&table.inherits);
                    for parent in parents {
                        out.push((index, self.target(&table_key(parent))));
                    }
                }
            }
            _ => {}
        }
        out
    }

    /// Where a schema comes from: a migration or an item, if not from outside.
    fn schema_target(&self, schema: &str) -> Option<Target> {
        match (self.history.schemas.get(schema), self.schemas.get(schema)) {
            (Some(&file), _) => Some(Target::Migration(file)),
            (None, Some(&item)) => Some(Target::Item(item)),
            (None, None) => None,
        }
    }

    /// The imported tables a table's foreign keys reference, itself excluded.
    fn referenced_tables(&self, node: &Node) -> BTreeSet<usize> {
        let Item::Table(item) = &node.item else {
            return BTreeSet::new();
        };
        let Some(table) = self.prod.tables.get(&item.name) else {
            return BTreeSet::new();
        };
        table
            .constraints
            .iter()
            .filter_map(|c| c.references.as_ref())
            .filter(|r| **r != item.name)
            .filter_map(|r| self.by_owner.get(&table_key(r)).copied())
            .collect()
    }

    /// A foreign key needs the table it references and that table's keys.
    fn foreign_key_needs(
        &self,
        index: usize,
        table: &QualifiedName,
        name: &str,
    ) -> Vec<(usize, Target)> {
        let constraint = self
            .prod
            .tables
            .get(table)
            .and_then(|t| t.constraints.iter().find(|c| c.name == name));
        let Some(referenced) = constraint.and_then(|c| c.references.as_ref()) else {
            return Vec::new();
        };
        let mut out = vec![(index, self.target(&table_key(referenced)))];
        if let Some(target) = self.prod.tables.get(referenced) {
            let keys = target
                .constraints
                .iter()
                .filter(|c| matches!(c.kind, ConstraintKind::PrimaryKey | ConstraintKind::Unique));
            for key in keys {
                if let Some(&i) = self
                    .parts
                    .get(&(referenced.clone(), Part::Constraint(key.name.clone())))
                {
                    out.push((index, Target::Item(i)));
                }
            }
            for unique in target
                .indexes
                .iter()
                .filter(|i| i.definition.starts_with("CREATE UNIQUE"))
            {
                if let Some(&i) = self
                    .parts
                    .get(&(referenced.clone(), Part::Index(unique.name.clone())))
                {
                    out.push((index, Target::Item(i)));
                }
            }
        }
        out
    }

    /// The item a dependency starts from, if that part is imported.
    fn source(&self, from: &ObjectKey, part: &Part) -> Option<usize> {
        // Only a table's parts are items of their own: a domain's constraints, for one, are
        // created with the domain, which then needs what they call.
        if from.kind != ObjectKind::Table {
            return self.by_owner.get(from).copied();
        }
        match part {
            Part::Whole => self.by_owner.get(from).copied(),
            Part::Column(column) => {
                let index = *self.by_owner.get(from)?;
                match &self.nodes[index].item {
                    Item::Table(t) if t.omit_columns.contains(column) => None,
                    _ => Some(index),
                }
            }
            Part::Constraint(name) => self
                .parts
                .get(&(from.name.clone(), part.clone()))
                .or_else(|| {
                    self.parts
                        .get(&(from.name.clone(), Part::Trigger(name.clone())))
                })
                .copied(),
            _ => self.parts.get(&(from.name.clone(), part.clone())).copied(),
        }
    }

    /// Where the object a dependency points to comes from.
    fn target(&self, to: &ObjectKey) -> Target {
        if let Some(&index) = self.by_owner.get(to) {
            return Target::Item(index);
        }
        if to.kind == ObjectKind::Sequence {
            if let Some((table, _)) = self
                .prod
                .sequences
                .get(&to.name)
                .and_then(|s| s.owned_by.as_ref())
            {
                return self.target(&table_key(table));
            }
        }
        match self.declared_in(to) {
            Some(file) => Target::Migration(file),
            None => Target::Outside,
        }
    }

    /// The last slot before the first migration that references the item's object.
    fn latest(&self, node: &Node) -> (usize, Option<usize>) {
        let none = (self.history.files.len(), None);
        let name = match &node.item {
            Item::Table(t) => t.as_name.clone(),
            // Parts carry the production name of their table, and go after the migrations
            // that rename it: only later users of that name count.
            Item::TablePart { table, part } if self.is_key_part(table, part) => {
                let after = self.renamed_until.get(table).map_or(0, |f| f + 1);
                return match self
                    .history
                    .files_referencing(table)
                    .iter()
                    .find(|&&f| f >= after)
                {
                    Some(&file) => (file, Some(file)),
                    None => none,
                };
            }
            Item::Type { name, .. }
            | Item::Collation { name }
            | Item::Sequence { name }
            | Item::View { name } => name.clone(),
            Item::Function { key } | Item::Operator { key } => key.name.clone(),
            _ => return none,
        };
        match self.history.first_reference(&name) {
            Some(file) => (file, Some(file)),
            None => none,
        }
    }

    /// Primary keys, unique constraints and unique indexes: what a migration's foreign key
    /// to the table needs.
    fn is_key_part(&self, table: &QualifiedName, part: &Part) -> bool {
        if !self.by_owner.contains_key(&table_key(table)) {
            return false;
        }
        let Some(t) = self.prod.tables.get(table) else {
            return false;
        };
        match part {
            Part::Constraint(n) => t.constraints.iter().any(|c| {
                &c.name == n
                    && matches!(c.kind, ConstraintKind::PrimaryKey | ConstraintKind::Unique)
            }),
            Part::Index(n) => t
                .indexes
                .iter()
                .any(|i| &i.name == n && i.definition.starts_with("CREATE UNIQUE")),
            _ => false,
        }
    }
}
