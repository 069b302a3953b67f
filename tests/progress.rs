//! Progress on stderr: drawn on a terminal and erased, never on a pipe, never with
//! `--format json`, never in stdout, and never while a question is asked.

mod common;

use common::{acme_production, acme_project, pgdrift, TestDb};
use rexpect::session::{spawn_command, PtySession};
use std::path::Path;

/// Texts that only progress bars print.
const PROGRESS: [&str; 4] = [
    "reading production's catalog",
    "parsing migrations",
    "rendering files",
    "writing files",
];

/// pgdrift on a pseudo-terminal (stdin and stderr), its stdout going to `stdout.txt` in the
/// project, as `pgdrift status > report.txt` in a shell does.
fn spawn(project: &Path, prod: &TestDb, args: &[&str]) -> PtySession {
    let mut cmd = std::process::Command::new("sh");
    cmd.current_dir(project)
        .arg("-c")
        .arg(r#"exec "$0" "$@" > stdout.txt"#)
        .arg(assert_cmd::cargo::cargo_bin("pgdrift"))
        .args(["--db-url", &prod.url()])
        .args(args)
        .env("TERM", "xterm")
        .env_remove("DATABASE_URL");
    spawn_command(cmd, Some(30_000)).expect("starting pgdrift on a pseudo-terminal")
}

/// What pgdrift printed to stdout in a `spawn` run.
fn stdout_of(project: &Path) -> Vec<u8> {
    std::fs::read(project.join("stdout.txt")).expect("stdout.txt")
}

/// Everything the terminal received until pgdrift exited.
fn until_exit(p: &mut PtySession) -> String {
    p.exp_eof().expect("pgdrift exits")
}

/// The stdout of `args` run with a pipe for every stream; stderr is checked to hold no
/// progress.
fn piped(project: &Path, prod: &TestDb, args: &[&str]) -> Vec<u8> {
    let out = pgdrift(project)
        .args(["--db-url", &prod.url()])
        .args(args)
        .output()
        .unwrap();
    // `check` exits 1 on drift; 2 is an error.
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "pgdrift {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    for text in PROGRESS {
        assert!(!stderr.contains(text), "{args:?} drew {text:?}: {stderr}");
    }
    assert!(
        !stderr.contains('\x1b'),
        "{args:?} drew on a pipe: {stderr:?}"
    );
    out.stdout
}

#[test]
fn a_terminal_sees_the_phases_and_stdout_is_the_same_as_without() {
    let prod = acme_production();
    let project = acme_project();
    let mut p = spawn(project.path(), &prod, &["status"]);
    p.exp_string("parsing migrations")
        .expect("a bar while the migrations are parsed");
    p.exp_string("reading production's catalog")
        .expect("a spinner while the catalog is read");
    let rest = until_exit(&mut p);
    // The last thing drawn is the erasing of the spinner's line.
    assert!(
        rest.contains("\x1b[2K"),
        "the spinner is not erased: {rest:?}"
    );

    let on_terminal = stdout_of(project.path());
    let text = String::from_utf8_lossy(&on_terminal);
    assert!(text.contains("drifted"), "{text}");
    for needle in PROGRESS {
        assert!(!text.contains(needle), "progress in stdout: {text}");
    }
    assert!(!text.contains('\x1b'), "escape codes in stdout: {text:?}");
    let on_pipe = piped(project.path(), &prod, &["status"]);
    assert!(
        on_terminal == on_pipe,
        "stdout differs with progress shown:\n{}",
        common::line_diff(&String::from_utf8_lossy(&on_pipe), &text, 20)
    );
}

#[test]
fn json_draws_nothing_even_on_a_terminal() {
    let prod = acme_production();
    let project = acme_project();
    for command in ["status", "check"] {
        let mut p = spawn(project.path(), &prod, &[command, "--format", "json"]);
        let terminal = until_exit(&mut p);
        for text in PROGRESS {
            assert!(
                !terminal.contains(text),
                "{command} --format json drew {text:?}: {terminal:?}"
            );
        }
        let on_terminal = stdout_of(project.path());
        let on_pipe = piped(project.path(), &prod, &[command, "--format", "json"]);
        assert!(on_terminal == on_pipe, "{command} --format json differs");
        serde_json::from_slice::<serde_json::Value>(&on_terminal).expect("JSON on stdout");
    }
}

#[test]
fn pipes_get_no_progress_and_the_same_stdout_each_time() {
    let prod = acme_production();
    let project = acme_project();
    for args in [
        &["status"][..],
        &["status", "--format", "markdown"],
        &["status", "--format", "json"],
    ] {
        let first = piped(project.path(), &prod, args);
        assert!(!first.is_empty(), "{args:?} printed nothing");
        assert!(
            first == piped(project.path(), &prod, args),
            "{args:?}: stdout changed between runs"
        );
    }
    // An import renders and writes files: still nothing drawn on a pipe.
    let out = tempfile::tempdir().unwrap();
    let out_dir = out.path().to_str().unwrap();
    let written = piped(
        project.path(),
        &prod,
        &["import", "--all", "--yes", "--out", out_dir],
    );
    assert!(String::from_utf8_lossy(&written).contains("Wrote "));
}

#[test]
fn the_bars_are_gone_before_the_question() {
    let prod = acme_production();
    let project = acme_project();
    let out = tempfile::tempdir().unwrap();
    let out_dir = out.path().to_str().unwrap();
    let mut p = spawn(
        project.path(),
        &prod,
        &["import", "--all", "--out", out_dir],
    );
    p.exp_string("rendering files")
        .expect("a bar while the files are rendered");
    let (before, _) = p.exp_regex(r"Write \d+ file\(s\)").expect("the question");
    // The rendering bar was erased, and nothing else was drawn after it, before the question.
    let last_bar = before.rfind("rendering files").unwrap();
    assert!(
        before[last_bar..].contains("\x1b[2K"),
        "the bar is still up: {:?}",
        &before[last_bar..]
    );
    std::thread::sleep(std::time::Duration::from_millis(150));
    p.send("y").unwrap();
    p.flush().unwrap();
    until_exit(&mut p);
    assert!(
        std::fs::read_dir(out.path()).unwrap().count() > 10,
        "files were written"
    );
    let stdout = String::from_utf8_lossy(&stdout_of(project.path())).into_owned();
    assert!(stdout.contains("Wrote "), "{stdout}");
    for text in PROGRESS {
        assert!(!stdout.contains(text), "progress in stdout: {stdout}");
    }
}

#[test]
fn no_bar_while_a_question_is_up() {
    let prod = acme_production();
    let project = acme_project();
    let mut p = spawn(project.path(), &prod, &["resolve"]);
    p.exp_string("q to quit)").expect("the first card");
    std::thread::sleep(std::time::Duration::from_millis(150));
    // `?` renders the table's file while the card waits for an answer: no bar for it.
    p.send("?").unwrap();
    p.flush().unwrap();
    let shown = p.exp_string("CREATE TABLE IF NOT EXISTS").expect("the DDL");
    p.exp_string("q to quit)").expect("the choices again");
    assert!(
        !shown.contains("rendering files"),
        "a bar was drawn under the question: {shown:?}"
    );
    std::thread::sleep(std::time::Duration::from_millis(150));
    p.send("q").unwrap();
    p.flush().unwrap();
    let rest = until_exit(&mut p);
    assert!(!rest.contains("rendering files"), "{rest:?}");
}
