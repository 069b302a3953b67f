//! Writing migration files: all or none, never over an existing file, each appearing whole
//! (written to a temporary file, then linked into place).

use anyhow::{bail, Context, Result};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// A file to write: its name in the output folder and its text.
#[derive(Clone, Debug)]
pub struct Output {
    pub name: String,
    pub contents: String,
}

/// Fails unless `dir` is a folder pgdrift can create files in: checked before production is
/// read, so that a mistake costs nothing.
pub fn check_dir(dir: &Path) -> Result<()> {
    if !dir.is_dir() {
        bail!(
            "output folder {} does not exist: create it or pass --out DIR",
            dir.display()
        );
    }
    let probe = dir.join(format!(".pgdrift-probe-{}", std::process::id()));
    fs::File::create(&probe).map_err(|e| {
        anyhow::anyhow!(
            "cannot write to the output folder {}: {e}; pass --out DIR",
            dir.display()
        )
    })?;
    let _ = fs::remove_file(&probe);
    Ok(())
}

/// Writes every file into `dir`, or none: an existing file of the same name (or the same
/// version) stops the whole write before anything is created.
pub fn files(dir: &Path, outputs: &[Output]) -> Result<Vec<PathBuf>> {
    check_collisions(dir, outputs)?;
    let mut temps = Vec::new();
    let result = write_all(dir, outputs, &mut temps);
    for temp in &temps {
        let _ = fs::remove_file(temp);
    }
    result
}

fn check_collisions(dir: &Path, outputs: &[Output]) -> Result<()> {
    let existing: Vec<String> = fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|e| e.ok().and_then(|e| e.file_name().into_string().ok()))
        .collect();
    for output in outputs {
        let version = output.name.split('_').next().unwrap_or_default();
        if let Some(clash) = existing
            .iter()
            .find(|e| **e == output.name || e.split('_').next() == Some(version))
        {
            bail!(
                "{} already exists in {}: pgdrift never overwrites a file; move it away or pass --out DIR",
                clash,
                dir.display()
            );
        }
    }
    Ok(())
}

fn write_all(dir: &Path, outputs: &[Output], temps: &mut Vec<PathBuf>) -> Result<Vec<PathBuf>> {
    for output in outputs {
        let temp = dir.join(format!(
            ".{}.pgdrift-{}.tmp",
            output.name,
            std::process::id()
        ));
        temps.push(temp.clone());
        let mut file =
            fs::File::create(&temp).with_context(|| format!("writing {}", temp.display()))?;
        file.write_all(output.contents.as_bytes())
            .with_context(|| format!("writing {}", temp.display()))?;
        file.sync_all()
            .with_context(|| format!("writing {}", temp.display()))?;
    }
    let mut written = Vec::new();
    for (output, temp) in outputs.iter().zip(temps.iter()) {
        let target = dir.join(&output.name);
        // A hard link fails when the target exists: no file is ever replaced.
        if let Err(e) = fs::hard_link(temp, &target) {
            for done in &written {
                let _ = fs::remove_file(done);
            }
            bail!("writing {}: {e}; no file was written", target.display());
        }
        written.push(target);
    }
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn output(name: &str) -> Output {
        Output {
            name: name.into(),
            contents: format!("-- {name}\n"),
        }
    }

    #[test]
    fn writes_all_files_and_no_temporaries() {
        let dir = tempfile::tempdir().unwrap();
        let written = files(dir.path(), &[output("1_a.sql"), output("2_b.sql")]).unwrap();
        assert_eq!(written.len(), 2);
        let mut names: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, ["1_a.sql", "2_b.sql"]);
        assert_eq!(
            fs::read_to_string(dir.path().join("2_b.sql")).unwrap(),
            "-- 2_b.sql\n"
        );
    }

    #[test]
    fn never_overwrites_and_writes_nothing_on_a_clash() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("2_existing.sql"), "keep").unwrap();
        let err = files(dir.path(), &[output("1_a.sql"), output("2_b.sql")])
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("2_existing.sql already exists"), "{err}");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
        assert_eq!(
            fs::read_to_string(dir.path().join("2_existing.sql")).unwrap(),
            "keep"
        );
    }

    #[test]
    fn output_folder_must_exist() {
        let err = check_dir(Path::new("/nonexistent/pgdrift"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("does not exist"), "{err}");
    }
}
