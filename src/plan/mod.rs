//! What an import writes, in which order and where in history: items, their dependency
//! order, and the files they are grouped into.

mod item;

pub use item::{Item, TableItem};
