//! `pgdrift resolve` on a real pseudo-terminal: the cards, arrow keys, `?` for the DDL, a
//! typed reason, the one confirmation, and Quit leaving everything as it was.

mod common;

use common::{acme_production, migration_files, TestDb};
use rexpect::session::{spawn_command, PtySession};
use std::collections::BTreeMap;
use std::path::Path;

const DOWN: &str = "\x1b[B";

fn spawn(project: &Path, prod: &TestDb, extra: &[&str]) -> PtySession {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("pgdrift"));
    cmd.current_dir(project)
        .args([
            "--db-url",
            &prod.url(),
            "--audit-log",
            "inventory.md",
            "resolve",
        ])
        .args(extra)
        .env("TERM", "xterm")
        .env_remove("DATABASE_URL");
    spawn_command(cmd, Some(30_000)).expect("starting pgdrift on a pseudo-terminal")
}

/// Types keys on the terminal.
fn press(p: &mut PtySession, keys: &str) {
    p.send(keys).unwrap();
    p.flush().unwrap();
}

/// Waits for the next card and returns its first line.
fn next_card(p: &mut PtySession) -> String {
    let (_, line) = p
        .exp_regex(r"\[\d+/\d+\] [^\r\n]*\(row level security o[nf]+\)")
        .expect("a table card");
    let body = ready(p);
    format!("{line}{body}")
}

/// Waits for the choices; then a moment, for the terminal to be switched to reading keys
/// (a key typed before that is discarded with the line buffer).
fn ready(p: &mut PtySession) -> String {
    let before = p.exp_string("q to quit)").expect("the choices");
    std::thread::sleep(std::time::Duration::from_millis(150));
    before
}

/// Every file of the project but the backups, with the parts that change each run (the
/// date line, the backup's time stamp) blanked out.
fn project_files(dir: &Path) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    let mut paths = migration_files(&dir.join("supabase/migrations"));
    paths.push(dir.join("pgdrift.toml"));
    paths.push(dir.join("inventory.md"));
    for path in paths {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let text: Vec<String> = text
            .lines()
            .map(|l| {
                if l.starts_with("-- Date: ") {
                    "-- Date:".to_string()
                } else {
                    blank_stamps(l)
                }
            })
            .collect();
        let name = path.strip_prefix(dir).unwrap().display().to_string();
        files.insert(name, text.join("\n"));
    }
    files
}

fn blank_stamps(line: &str) -> String {
    let marker = ".pgdrift/backups/";
    let mut out = String::new();
    let mut rest = line;
    while let Some(i) = rest.find(marker) {
        let after = &rest[i + marker.len()..];
        out.push_str(&rest[..i + marker.len()]);
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        out.push_str("STAMP");
        rest = &after[digits..];
    }
    out.push_str(rest);
    out
}

#[test]
fn a_terminal_session_writes_what_the_same_decisions_file_writes() {
    let prod = acme_production();
    let project = common::acme_project();
    let mut p = spawn(project.path(), &prod, &[]);
    let mut seen = 0;
    let mut asked_ddl = false;
    while seen < 52 {
        let card = next_card(&mut p);
        seen += 1;
        if !asked_ddl {
            press(&mut p, "?");
            p.exp_string("CREATE TABLE IF NOT EXISTS").unwrap();
            let _ = ready(&mut p);
            asked_ddl = true;
        }
        if card.contains("] public.audit_log ") {
            press(&mut p, &format!("{DOWN}\r"));
        } else if card.contains("] public.promo_banners ") {
            press(&mut p, &format!("{DOWN}{DOWN}\r"));
            p.exp_string("Why is it managed outside the migrations?")
                .unwrap();
            std::thread::sleep(std::time::Duration::from_millis(150));
            p.send_line("written by the CRM sync job").unwrap();
        } else {
            press(&mut p, "\r");
        }
    }
    p.exp_string("public.audit_log").unwrap();
    p.exp_string("Write all of this?").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(150));
    press(&mut p, "y");
    p.exp_string("Recorded in inventory.md").unwrap();
    p.exp_eof().unwrap();

    let twin = common::acme_project();
    std::fs::write(
        twin.path().join("decisions.toml"),
        "default = \"import\"\n[tables]\naudit_log = \"drop\"\npromo_banners = \"system\"\n[reasons]\npromo_banners = \"written by the CRM sync job\"\n",
    )
    .unwrap();
    common::succeeded(
        common::pgdrift(twin.path())
            .args(["--db-url", &prod.url(), "--audit-log", "inventory.md"])
            .args(["resolve", "--decisions", "decisions.toml"])
            .output()
            .unwrap(),
    );

    let by_terminal = project_files(project.path());
    let by_file = project_files(twin.path());
    assert!(by_terminal.len() > 20, "{:?}", by_terminal.keys());
    assert_eq!(
        by_terminal.keys().collect::<Vec<_>>(),
        by_file.keys().collect::<Vec<_>>()
    );
    for (name, text) in &by_terminal {
        assert_eq!(Some(text), by_file.get(name), "{name} differs");
    }
    assert!(by_terminal["pgdrift.toml"].contains("written by the CRM sync job"));
}

#[test]
fn quit_leaves_everything_untouched() {
    let prod = acme_production();
    let project = common::acme_project();
    let before = project_files(project.path());
    std::fs::create_dir_all(project.path().join("app/src")).unwrap();
    std::fs::write(
        project.path().join("app/src/rates.ts"),
        "// rates\nconst { data } = await supabase.schema('billing').from('tax_rates').select();\n",
    )
    .unwrap();
    let mut p = spawn(project.path(), &prod, &["--code-dir", "app"]);
    // The first card says where the code uses the table; the second that nothing does.
    let first = next_card(&mut p);
    assert!(first.contains("] billing.tax_rates "), "{first}");
    assert!(
        first.contains("code      app/src/rates.ts:2 (1 reference)"),
        "{first}"
    );
    press(&mut p, "\r");
    let second = next_card(&mut p);
    assert!(
        second.contains("code      no references found in app"),
        "{second}"
    );
    press(&mut p, &format!("{DOWN}{DOWN}{DOWN}{DOWN}\r"));
    p.exp_string("Quit: nothing was written.").unwrap();
    p.exp_eof().unwrap();

    // "No" at the confirmation writes nothing either.
    let mut p = spawn(project.path(), &prod, &[]);
    for _ in 0..52 {
        next_card(&mut p);
        press(&mut p, "\r");
    }
    p.exp_string("Write all of this?").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(150));
    press(&mut p, "n");
    p.exp_string("Nothing was written.").unwrap();
    p.exp_eof().unwrap();

    assert_eq!(project_files(project.path()), before);
    assert!(!project.path().join(".pgdrift").exists());
    assert!(!project.path().join("inventory.md").exists());
}
