//! Where application code mentions a table: `.from('name')` (supabase-js), `"schema"."name"`,
//! `schema.name`, or the bare name as a word inside a string that reads like SQL. The policy
//! says "verify unused" before a drop; this is the evidence shown on the card.

use crate::model::QualifiedName;
use std::path::{Path, PathBuf};

/// Folders never searched: dependencies, build output, version control.
const SKIPPED: [&str; 3] = ["node_modules", ".git", "target"];
/// Files larger than this are not read (bundles, dumps).
const MAX_FILE_BYTES: u64 = 2 * 1024 * 1024;

/// One place a table is mentioned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    pub path: PathBuf,
    pub line: usize,
}

/// The references to each of `tables` in the files under `dirs`, leaving out `exclude`
/// (the migrations folder). Files that are not UTF-8 text are skipped.
pub fn search(dirs: &[PathBuf], exclude: &Path, tables: &[QualifiedName]) -> Vec<Vec<Reference>> {
    let mut found = vec![Vec::new(); tables.len()];
    let exclude = exclude.canonicalize().ok();
    for dir in dirs {
        let mut stack = vec![dir.clone()];
        while let Some(path) = stack.pop() {
            let Ok(meta) = std::fs::symlink_metadata(&path) else {
                continue;
            };
            if meta.is_dir() {
                let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
                if SKIPPED.contains(&name) || path.canonicalize().ok() == exclude {
                    continue;
                }
                if let Ok(entries) = std::fs::read_dir(&path) {
                    let mut children: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
                    children.sort();
                    stack.extend(children.into_iter().rev());
                }
            } else if meta.is_file() && meta.len() <= MAX_FILE_BYTES {
                if let Ok(text) = std::fs::read_to_string(&path) {
                    scan(&path, &text, tables, &mut found);
                }
            }
        }
    }
    found
}

fn scan(path: &Path, text: &str, tables: &[QualifiedName], found: &mut [Vec<Reference>]) {
    for (n, line) in text.lines().enumerate() {
        for (i, table) in tables.iter().enumerate() {
            if line.contains(table.name.as_str()) && mentions(line, table) {
                found[i].push(Reference {
                    path: path.to_path_buf(),
                    line: n + 1,
                });
            }
        }
    }
}

/// Does `line` name `table` in one of the ways code does?
pub fn mentions(line: &str, table: &QualifiedName) -> bool {
    let name = table.name.as_str();
    let schema = table.schema.as_str();
    let spelled = [
        format!(".from('{name}')"),
        format!(".from(\"{name}\")"),
        format!(".from(`{name}`)"),
        format!("\"{schema}\".\"{name}\""),
    ];
    if spelled.iter().any(|s| line.contains(s.as_str())) {
        return true;
    }
    let dotted = format!("{schema}.{name}");
    if word_at(line, &dotted) {
        return true;
    }
    let sql_like = ["from ", "join ", "into ", "update ", "table "]
        .iter()
        .any(|k| line.to_lowercase().contains(k));
    let in_string = line.contains(['\'', '"', '`']);
    sql_like && in_string && (word_at(line, name) || line.contains(&format!("\"{name}\"")))
}

/// Is `word` in `line` with no identifier character right before or after it?
fn word_at(line: &str, word: &str) -> bool {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    line.match_indices(word).any(|(i, _)| {
        let before = line[..i].chars().next_back();
        let after = line[i + word.len()..].chars().next();
        !before.is_some_and(ident) && !after.is_some_and(ident)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_the_ways_code_names_a_table() {
        let t = QualifiedName::new("public", "orders");
        assert!(mentions("await supabase.from('orders').select()", &t));
        assert!(mentions(
            r#"db.query("SELECT * FROM orders WHERE id = $1")"#,
            &t
        ));
        assert!(mentions(r#"sql`update "public"."orders" set x = 1`"#, &t));
        assert!(mentions("-- see public.orders", &t));
        assert!(!mentions("const orders_total = 1;", &t));
        assert!(!mentions("let reorders = from('x');", &t));
        assert!(!mentions("orders.push(order)", &t));
    }

    #[test]
    fn skips_dependencies_and_the_migrations_folder() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for sub in ["src", "node_modules/lib", "supabase/migrations"] {
            std::fs::create_dir_all(root.join(sub)).unwrap();
        }
        std::fs::write(root.join("src/a.ts"), "x\nsupabase.from('orders')\n").unwrap();
        std::fs::write(
            root.join("node_modules/lib/b.js"),
            "supabase.from('orders')\n",
        )
        .unwrap();
        std::fs::write(
            root.join("supabase/migrations/1_x.sql"),
            "select 1 from public.orders;\n",
        )
        .unwrap();
        let tables = [
            QualifiedName::new("public", "orders"),
            QualifiedName::new("public", "none"),
        ];
        let found = search(
            &[root.to_path_buf()],
            &root.join("supabase/migrations"),
            &tables,
        );
        assert_eq!(
            found[0],
            [Reference {
                path: root.join("src/a.ts"),
                line: 2
            }]
        );
        assert!(found[1].is_empty());
    }
}
