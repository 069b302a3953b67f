//! Turns plan items into SQL through the tera templates in `templates/`. (Being written.)

use crate::model::Schema;
use crate::plan::Item;
use std::path::Path;

pub struct FileHeader {
    pub title: String,
    pub author: Option<String>,
    pub date: String,
    pub description: String,
}

pub struct Renderer;

impl Renderer {
    pub fn new(_dir: Option<&Path>) -> anyhow::Result<Renderer> {
        Ok(Renderer)
    }
    pub fn item(&self, _schema: &Schema, item: &Item) -> anyhow::Result<String> {
        Ok(format!("-- {item:?}\n"))
    }
    pub fn rollback(&self, _schema: &Schema, _item: &Item) -> anyhow::Result<Option<String>> {
        Ok(None)
    }
    pub fn file(
        &self,
        header: &FileHeader,
        bodies: &[String],
        _rollbacks: &[String],
    ) -> anyhow::Result<String> {
        Ok(format!("-- {}\n{}", header.title, bodies.join("\n")))
    }
}
