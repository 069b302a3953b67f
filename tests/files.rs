//! Writing files: nothing half-written, even when pgdrift is killed while writing, and an
//! output folder pgdrift cannot write to is an error before production is read.

mod common;

use common::{pgdrift, TestDb};
use predicates::prelude::*;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

/// Every migration file of `dir` by name, without the date line (the rest is deterministic).
fn migrations_in(dir: &Path) -> BTreeMap<String, String> {
    common::migration_files(dir)
        .into_iter()
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&path).unwrap();
            let text: Vec<&str> = text
                .lines()
                .filter(|l| !l.starts_with("-- Date:"))
                .collect();
            (name, text.join("\n"))
        })
        .collect()
}

fn hidden_temporaries(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .filter(|e| {
            let name = e.as_ref().unwrap().file_name();
            let name = name.to_string_lossy();
            name.starts_with('.') && name.ends_with(".tmp")
        })
        .count()
}

/// Starts `import --all --yes --out out` and kills it (SIGKILL) as soon as its first
/// temporary file appears. Returns whether it was still writing when killed.
fn import_killed_while_writing(project: &Path, url: &str, out: &Path) -> bool {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("pgdrift"))
        .current_dir(project)
        .args(["--db-url", url, "import", "--all", "--yes", "--out"])
        .arg(out)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if hidden_temporaries(out) > 0 {
            child.kill().unwrap();
            child.wait().unwrap();
            return true;
        }
        if child.try_wait().unwrap().is_some() || Instant::now() > deadline {
            let _ = child.kill();
            child.wait().unwrap();
            return false;
        }
        std::thread::sleep(Duration::from_micros(200));
    }
}

#[test]
fn a_run_killed_while_writing_leaves_no_partial_file() {
    let db = common::acme_production();
    let project = common::acme_project();
    let complete = tempfile::tempdir().unwrap();
    pgdrift(project.path())
        .args(["--db-url", &db.url(), "import", "--all", "--yes", "--out"])
        .arg(complete.path())
        .assert()
        .success();
    let expected = migrations_in(complete.path());
    assert!(expected.len() > 50, "{}", expected.len());

    // Each file is written whole to a hidden temporary, synced, then linked into place.
    let mut caught = 0;
    for _ in 0..3 {
        let out = tempfile::tempdir().unwrap();
        if !import_killed_while_writing(project.path(), &db.url(), out.path()) {
            continue;
        }
        caught += 1;
        let found = migrations_in(out.path());
        eprintln!(
            "killed with {} of {} files linked",
            found.len(),
            expected.len()
        );
        assert!(
            found.len() < expected.len(),
            "the run finished before the kill"
        );
        for (name, text) in &found {
            assert_eq!(Some(text), expected.get(name), "{name} is not whole");
        }
        // The next run removes the dead run's temporaries. It writes everything when the
        // killed run linked nothing, and otherwise refuses, naming a file it would replace.
        let next = pgdrift(project.path())
            .args(["--db-url", &db.url(), "import", "--all", "--yes", "--out"])
            .arg(out.path())
            .assert();
        if found.is_empty() {
            next.success();
            assert_eq!(migrations_in(out.path()), expected);
        } else {
            next.code(2)
                .stderr(predicate::str::contains("pgdrift never overwrites a file"));
        }
        assert_eq!(hidden_temporaries(out.path()), 0);
    }
    assert!(caught > 0, "no run was caught while writing its files");
}

#[test]
fn an_output_folder_that_cannot_be_written_is_an_error_before_reading_production() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("supabase/migrations")).unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "").unwrap();
    // /proc/self is a folder no one can create files in, not even root.
    for (out, needle) in [
        (
            Path::new("/proc/self"),
            "cannot write to the output folder /proc/self",
        ),
        (file.as_path(), "does not exist"),
    ] {
        // The URL leads nowhere: an error about it would mean production was tried first.
        pgdrift(dir.path())
            .args([
                "--db-url",
                "postgres://u@127.0.0.1:1/x",
                "import",
                "--all",
                "--out",
            ])
            .arg(out)
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::starts_with("error: "))
            .stderr(predicate::str::contains(needle));
    }
    // With a reachable production, nothing is read and nothing written either.
    let db = TestDb::create("unwritable");
    db.execute("create table drifted (id int)");
    pgdrift(dir.path())
        .args([
            "--db-url",
            &db.url(),
            "import",
            "--all",
            "--yes",
            "--out",
            "/proc/self",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "cannot write to the output folder",
        ));
}
