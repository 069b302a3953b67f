//! Writing migration files: all or none, never over an existing file, each appearing whole
//! (written to a temporary file, then linked into place).

use anyhow::{bail, Context, Result};
use std::collections::HashMap;
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
    let names: Vec<&str> = outputs.iter().map(|o| o.name.as_str()).collect();
    let mut staged = Staged::begin(dir, &names)?;
    let progress = crate::progress::Progress::bar(outputs.len(), "writing files");
    for output in outputs {
        progress.inc();
        staged.add(&output.name, &output.contents)?;
    }
    drop(progress);
    staged.commit()
}

/// Files written to hidden temporary names in their folder, one by one as they are made,
/// and put in place all together by `commit`: a file's text need not be held until every
/// file is ready. Dropped without `commit`, it removes what it wrote and no file appears.
pub struct Staged {
    dir: PathBuf,
    /// Each file's name, and the temporary file that holds its text.
    files: Vec<(String, PathBuf)>,
}

impl Staged {
    /// Ready to write the files `names` into `dir`: fails before anything is written when a
    /// file there has one of the names or one of their versions.
    pub fn begin(dir: &Path, names: &[&str]) -> Result<Self> {
        let existing: Vec<String> = fs::read_dir(dir)
            .with_context(|| format!("reading {}", dir.display()))?
            .filter_map(|e| e.ok().and_then(|e| e.file_name().into_string().ok()))
            .collect();
        check_collisions(dir, &existing, names)?;
        remove_stale_temporaries(dir, &existing);
        Ok(Staged {
            dir: dir.to_path_buf(),
            files: Vec::with_capacity(names.len()),
        })
    }

    /// Writes the file `name` to its temporary name.
    pub fn add(&mut self, name: &str, contents: &str) -> Result<()> {
        let temp = self.dir.join(temporary_name(name, std::process::id()));
        let created = fs::File::create(&temp);
        if created.is_ok() {
            self.files.push((name.to_string(), temp));
        }
        if let Err(e) = created.and_then(|mut file| file.write_all(contents.as_bytes())) {
            bail!(
                "cannot write {name} in {}: {e}; no file was written",
                self.dir.display()
            );
        }
        Ok(())
    }

    /// Makes every file durable, then puts each in place under its name: all of them, or,
    /// when one fails, none.
    pub fn commit(self) -> Result<Vec<PathBuf>> {
        let dir = &self.dir;
        let temps: Vec<PathBuf> = self.files.iter().map(|(_, t)| t.clone()).collect();
        if let Err(e) = flush(dir, &temps) {
            bail!(
                "cannot write the files in {}: {e}; no file was written",
                dir.display()
            );
        }
        let mut written = Vec::new();
        for (name, temp) in &self.files {
            let target = dir.join(name);
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
}

impl Drop for Staged {
    fn drop(&mut self) {
        for (_, temp) in &self.files {
            let _ = fs::remove_file(temp);
        }
    }
}

/// Fails when a file of `existing` (the names in `dir`) has one of `names` or its version.
fn check_collisions(dir: &Path, existing: &[String], names: &[&str]) -> Result<()> {
    let mut taken: HashMap<&str, &str> = HashMap::new();
    for name in existing {
        taken.insert(name, name);
        taken.entry(version_of(name)).or_insert(name);
    }
    for name in names {
        let clash = taken.get(name).or_else(|| taken.get(version_of(name)));
        if let Some(clash) = clash {
            bail!(
                "{} already exists in {}: pgdrift never overwrites a file; move it away or pass --out DIR",
                clash,
                dir.display()
            );
        }
    }
    Ok(())
}

/// The version of a migration file name: what comes before the first `_`.
fn version_of(name: &str) -> &str {
    name.split('_').next().unwrap_or_default()
}

/// The hidden file `name` is first written to by the process `pid`.
fn temporary_name(name: &str, pid: u32) -> String {
    format!(".{name}.pgdrift-{pid}.tmp")
}

/// Removes, among `existing` (the names in `dir`), the temporary files of an earlier run
/// that was killed before it could remove them, judged by its process no longer running
/// (where the system shows processes in `/proc`).
fn remove_stale_temporaries(dir: &Path, existing: &[String]) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    for name in existing {
        let Some(pid) = temporary_pid(name) else {
            continue;
        };
        if !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = fs::remove_file(dir.join(name));
        }
    }
}

/// The process id in a temporary file's name, `None` for any other name.
fn temporary_pid(name: &str) -> Option<u32> {
    let rest = name.strip_prefix('.')?.strip_suffix(".tmp")?;
    let (_, pid) = rest.rsplit_once(".pgdrift-")?;
    pid.parse().ok()
}

/// Replaces the contents of `path` (a user's file pgdrift edits) all at once: the new text
/// goes to a temporary file beside it, which is then renamed over it, so that a failure
/// leaves the old file whole.
pub fn replace(path: &Path, contents: &str) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(temporary_name(&name, std::process::id()));
    let written = fs::File::create(&temp).and_then(|mut file| {
        file.write_all(contents.as_bytes())?;
        file.sync_all()
    });
    if let Err(e) = written.and_then(|_| {
        if let Ok(meta) = fs::metadata(path) {
            fs::set_permissions(&temp, meta.permissions())?;
        }
        fs::rename(&temp, path)
    }) {
        let _ = fs::remove_file(&temp);
        bail!(
            "cannot write {}: {e}; it was left as it was",
            path.display()
        );
    }
    Ok(())
}

/// Makes the written `files` of `dir` durable, once they are all written, so that the
/// system writes them out together: a flush after each file waits for the disk once per
/// file. On Linux one `syncfs` flushes the folder's whole file system.
#[cfg(target_os = "linux")]
fn flush(dir: &Path, _files: &[PathBuf]) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    let folder = fs::File::open(dir)?;
    // SAFETY: syncfs only reads the descriptor, which `folder` keeps open for the call.
    match unsafe { libc::syncfs(folder.as_raw_fd()) } {
        0 => Ok(()),
        _ => Err(std::io::Error::last_os_error()),
    }
}

#[cfg(not(target_os = "linux"))]
fn flush(_dir: &Path, files: &[PathBuf]) -> std::io::Result<()> {
    files
        .iter()
        .try_for_each(|f| fs::File::open(f).and_then(|file| file.sync_all()))
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
    fn a_failure_half_way_leaves_no_file() {
        let dir = tempfile::tempdir().unwrap();
        // The second file's temporary name is taken by a folder, so writing it fails.
        let blocker = dir
            .path()
            .join(temporary_name("2_b.sql", std::process::id()));
        fs::create_dir(&blocker).unwrap();
        let outputs = [output("1_a.sql"), output("2_b.sql"), output("3_c.sql")];
        let err = files(dir.path(), &outputs).unwrap_err().to_string();
        assert!(
            err.starts_with("cannot write 2_b.sql in ") && err.ends_with("no file was written"),
            "{err}"
        );
        let names: Vec<PathBuf> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(names, [blocker]);
    }

    #[test]
    fn temporaries_of_a_killed_run_are_removed_by_the_next() {
        let dir = tempfile::tempdir().unwrap();
        // No process has the largest pid; this process is running.
        let stale = dir.path().join(temporary_name("1_a.sql", u32::MAX));
        let live = dir
            .path()
            .join(temporary_name("1_a.sql", std::process::id()));
        let unrelated = dir.path().join(".1_a.sql.tmp");
        for path in [&stale, &live, &unrelated] {
            fs::write(path, "half").unwrap();
        }
        files(dir.path(), &[output("2_b.sql")]).unwrap();
        assert!(!stale.exists());
        assert!(live.exists() && unrelated.exists());
        assert_eq!(temporary_pid(".1_a.sql.pgdrift-42.tmp"), Some(42));
        assert_eq!(temporary_pid(".1_a.sql.pgdrift-x.tmp"), None);
        assert_eq!(temporary_pid("1_a.sql"), None);
    }

    #[test]
    fn staged_files_appear_only_on_commit_and_vanish_when_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let listing = || -> Vec<String> {
            let mut names: Vec<String> = fs::read_dir(dir.path())
                .unwrap()
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect();
            names.sort();
            names
        };
        let mut staged = Staged::begin(dir.path(), &["1_a.sql", "2_b.sql"]).unwrap();
        staged.add("1_a.sql", "-- a\n").unwrap();
        staged.add("2_b.sql", "-- b\n").unwrap();
        let pid = std::process::id();
        assert_eq!(
            listing(),
            [
                temporary_name("1_a.sql", pid),
                temporary_name("2_b.sql", pid)
            ]
        );
        drop(staged);
        assert!(listing().is_empty(), "{:?}", listing());

        let mut staged = Staged::begin(dir.path(), &["1_a.sql"]).unwrap();
        staged.add("1_a.sql", "-- a\n").unwrap();
        staged.commit().unwrap();
        assert_eq!(listing(), ["1_a.sql"]);
        assert_eq!(
            fs::read_to_string(dir.path().join("1_a.sql")).unwrap(),
            "-- a\n"
        );
        // A clash is found before anything is written.
        let err = Staged::begin(dir.path(), &["1_other.sql"]).err().unwrap();
        assert!(
            err.to_string().starts_with("1_a.sql already exists"),
            "{err}"
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
