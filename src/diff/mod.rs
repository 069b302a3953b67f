//! (Being written.)
use crate::model::Schema;
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Difference {
    pub object: String,
    pub kind: String,
    pub detail: Option<String>,
}
impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.object)
    }
}
pub fn compare(_p: &Schema, _m: &Schema) -> Vec<Difference> {
    Vec::new()
}
