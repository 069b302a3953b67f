//! A parse tree in its serde form, as `walk` reads it: the same shape `serde_json::to_value`
//! gives (structs as maps of their field names, a `oneof` node as a one-entry map named by
//! its variant, `None` as null), built without a string per field name or a sorted map per
//! node. A history of thousands of files is walked node by node, so this is where reading it
//! spends its time.

use serde::ser::{self, Serialize};
use std::fmt;

/// One value of the tree.
#[derive(Debug, PartialEq)]
pub(super) enum Tree {
    Null,
    Bool(bool),
    Int(i64),
    Str(String),
    Seq(Vec<Tree>),
    Map(Vec<(&'static str, Tree)>),
}

impl Tree {
    /// The tree of `value`; `None` for a value this form cannot hold (none of the parser's).
    pub(super) fn of<T: Serialize + ?Sized>(value: &T) -> Option<Tree> {
        value.serialize(Builder).ok()
    }

    /// The field `key` of a map.
    pub(super) fn get(&self, key: &str) -> Option<&Tree> {
        match self {
            Tree::Map(fields) => fields.iter().find(|(k, _)| *k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Item `index` of a sequence.
    pub(super) fn item(&self, index: usize) -> Option<&Tree> {
        self.as_array()?.get(index)
    }

    pub(super) fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// The value at a path of field names (`["node", "List", "items"]`).
    pub(super) fn path(&self, keys: &[&str]) -> Option<&Tree> {
        keys.iter().try_fold(self, |tree, key| tree.get(key))
    }

    pub(super) fn as_str(&self) -> Option<&str> {
        match self {
            Tree::Str(s) => Some(s),
            _ => None,
        }
    }

    pub(super) fn as_i64(&self) -> Option<i64> {
        match self {
            Tree::Int(i) => Some(*i),
            _ => None,
        }
    }

    pub(super) fn as_bool(&self) -> Option<bool> {
        match self {
            Tree::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub(super) fn as_array(&self) -> Option<&[Tree]> {
        match self {
            Tree::Seq(items) => Some(items),
            _ => None,
        }
    }

    /// The values of a map or the items of a sequence: the tree's children.
    pub(super) fn children(&self) -> Box<dyn Iterator<Item = &Tree> + '_> {
        match self {
            Tree::Seq(items) => Box::new(items.iter()),
            Tree::Map(fields) => Box::new(fields.iter().map(|(_, v)| v)),
            _ => Box::new(std::iter::empty()),
        }
    }
}

/// Why a value has no tree: a map whose keys are not field names (the parser has none).
#[derive(Debug)]
pub(super) struct Unsupported(String);

impl fmt::Display for Unsupported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Unsupported {}

impl ser::Error for Unsupported {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Unsupported(msg.to_string())
    }
}

struct Builder;

/// `Serializer` methods for the integer types that fit in an `i64` as they are.
macro_rules! integers {
    ($($method:ident : $int:ty),*) => {$(
        fn $method(self, v: $int) -> Result<Tree> {
            Ok(Tree::Int(v.into()))
        }
    )*};
}

type Result<T> = std::result::Result<T, Unsupported>;

impl ser::Serializer for Builder {
    type Ok = Tree;
    type Error = Unsupported;
    type SerializeSeq = Items;
    type SerializeTuple = Items;
    type SerializeTupleStruct = Items;
    type SerializeTupleVariant = Variant<Items>;
    type SerializeMap = ser::Impossible<Tree, Unsupported>;
    type SerializeStruct = Fields;
    type SerializeStructVariant = Variant<Fields>;

    fn serialize_bool(self, v: bool) -> Result<Tree> {
        Ok(Tree::Bool(v))
    }
    integers!(serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64);
    integers!(serialize_u8: u8, serialize_u16: u16, serialize_u32: u32);
    fn serialize_u64(self, v: u64) -> Result<Tree> {
        Ok(i64::try_from(v).map_or(Tree::Null, Tree::Int))
    }
    fn serialize_f32(self, _: f32) -> Result<Tree> {
        Ok(Tree::Null)
    }
    fn serialize_f64(self, _: f64) -> Result<Tree> {
        Ok(Tree::Null)
    }
    fn serialize_char(self, v: char) -> Result<Tree> {
        Ok(Tree::Str(v.to_string()))
    }
    fn serialize_str(self, v: &str) -> Result<Tree> {
        Ok(Tree::Str(v.to_string()))
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<Tree> {
        Ok(Tree::Null)
    }
    fn serialize_none(self) -> Result<Tree> {
        Ok(Tree::Null)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Tree> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Tree> {
        Ok(Tree::Null)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<Tree> {
        Ok(Tree::Null)
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<Tree> {
        Ok(Tree::Str(variant.to_string()))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<Tree> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<Tree> {
        Ok(Tree::Map(vec![(variant, value.serialize(Builder)?)]))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Items> {
        Ok(Items(Vec::with_capacity(len.unwrap_or(0))))
    }
    fn serialize_tuple(self, len: usize) -> Result<Items> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<Items> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Variant<Items>> {
        Ok(Variant(variant, Items(Vec::with_capacity(len))))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap> {
        Err(Unsupported("a map with keys of its own".into()))
    }
    fn serialize_struct(self, _: &'static str, len: usize) -> Result<Fields> {
        Ok(Fields(Vec::with_capacity(len)))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Variant<Fields>> {
        Ok(Variant(variant, Fields(Vec::with_capacity(len))))
    }
}

struct Items(Vec<Tree>);

impl Items {
    fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.0.push(value.serialize(Builder)?);
        Ok(())
    }
}

/// The three sequence forms serde has, each a list of items.
macro_rules! items {
    ($($form:ident :: $method:ident),*) => {$(
        impl ser::$form for Items {
            type Ok = Tree;
            type Error = Unsupported;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
                self.push(value)
            }
            fn end(self) -> Result<Tree> {
                Ok(Tree::Seq(self.0))
            }
        }
    )*};
}

items!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field
);

struct Fields(Vec<(&'static str, Tree)>);

impl ser::SerializeStruct for Fields {
    type Ok = Tree;
    type Error = Unsupported;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<()> {
        self.0.push((key, value.serialize(Builder)?));
        Ok(())
    }
    fn end(self) -> Result<Tree> {
        Ok(Tree::Map(self.0))
    }
}

/// An enum variant with fields: a one-entry map named by the variant, as serde_json has it.
struct Variant<T>(&'static str, T);

impl ser::SerializeTupleVariant for Variant<Items> {
    type Ok = Tree;
    type Error = Unsupported;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.1.push(value)
    }
    fn end(self) -> Result<Tree> {
        Ok(Tree::Map(vec![(self.0, Tree::Seq(self.1 .0))]))
    }
}

impl ser::SerializeStructVariant for Variant<Fields> {
    type Ok = Tree;
    type Error = Unsupported;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<()> {
        ser::SerializeStruct::serialize_field(&mut self.1, key, value)
    }
    fn end(self) -> Result<Tree> {
        Ok(Tree::Map(vec![(self.0, Tree::Map(self.1 .0))]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tree has the shape serde_json gives the same parse tree, field for field.
    #[test]
    fn matches_the_serde_json_form() {
        let sql = "CREATE TABLE IF NOT EXISTS s.t (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), \
                   n numeric(12,2) CHECK (n >= 0.5), parent uuid REFERENCES s.p (id));
                   SELECT 'x'::regclass, nextval('s.seq'), -1.5::float8, true, NULL
                     FROM s.t WHERE id = ANY(ARRAY[1, 2]);
                   COMMENT ON COLUMN s.t.n IS 'note';";
        let parsed = pg_query::parse(sql, pg_query::ParserOptions::DEFAULT).unwrap();
        for raw in &parsed.protobuf.stmts {
            let json = serde_json::to_value(raw).unwrap();
            let tree = Tree::of(raw).unwrap();
            assert_same(&tree, &json);
        }
    }

    fn assert_same(tree: &Tree, json: &serde_json::Value) {
        use serde_json::Value;
        match (tree, json) {
            (Tree::Null, Value::Null) => {}
            // Floats are not read: the tree keeps none.
            (Tree::Null, Value::Number(n)) if n.is_f64() => {}
            (Tree::Bool(a), Value::Bool(b)) => assert_eq!(a, b),
            (Tree::Int(a), Value::Number(b)) => assert_eq!(Some(*a), b.as_i64()),
            (Tree::Str(a), Value::String(b)) => assert_eq!(a, b),
            (Tree::Seq(a), Value::Array(b)) => {
                assert_eq!(a.len(), b.len());
                a.iter().zip(b).for_each(|(a, b)| assert_same(a, b));
            }
            (Tree::Map(a), Value::Object(b)) => {
                assert_eq!(a.len(), b.len(), "{a:?}");
                for (key, value) in a {
                    assert_same(value, &b[*key]);
                }
            }
            (a, b) => panic!("{a:?} is not {b}"),
        }
    }
}
