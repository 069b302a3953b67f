//! Bad input: every mistake a user can make gets one clear line on stderr and exit code 2.

mod common;

use common::{one_line_error, pgdrift, TestDb};
use predicates::prelude::*;
use std::io::{Read, Write};
use std::net::TcpListener;

fn empty_migrations() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("supabase/migrations")).unwrap();
    dir
}

#[test]
fn unreachable_server() {
    let dir = empty_migrations();
    pgdrift(dir.path())
        .args([
            "status",
            "--db-url",
            "postgres://postgres@127.0.0.1:1/app?sslmode=disable",
        ])
        .assert()
        .code(2)
        .stdout("")
        .stderr(one_line_error(
            "cannot connect to postgres://postgres@127.0.0.1:1/app",
        ))
        .stderr(predicate::str::contains("is the server running"));
}

/// A server that asks for a password and refuses it, as PostgreSQL does for a wrong one.
fn refusing_server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(4) {
            let Ok(mut s) = stream else { continue };
            let _ = refuse_password(&mut s);
        }
    });
    port
}

fn read_message(s: &mut std::net::TcpStream, tagged: bool) -> std::io::Result<Vec<u8>> {
    if tagged {
        let mut tag = [0u8; 1];
        s.read_exact(&mut tag)?;
    }
    let mut len = [0u8; 4];
    s.read_exact(&mut len)?;
    let mut body = vec![0u8; u32::from_be_bytes(len) as usize - 4];
    s.read_exact(&mut body)?;
    Ok(body)
}

fn refuse_password(s: &mut std::net::TcpStream) -> std::io::Result<()> {
    let mut startup = read_message(s, false)?;
    if startup.len() == 4 && startup == [0x04, 0xd2, 0x16, 0x2f] {
        s.write_all(b"N")?; // no TLS here
        startup = read_message(s, false)?;
    }
    let _ = startup;
    s.write_all(&[b'R', 0, 0, 0, 8, 0, 0, 0, 3])?; // AuthenticationCleartextPassword
    read_message(s, true)?; // the password
    let mut fields = Vec::new();
    for (code, value) in [
        (b'S', "FATAL"),
        (b'V', "FATAL"),
        (b'C', "28P01"),
        (b'M', "password authentication failed for user \"app\""),
    ] {
        fields.push(code);
        fields.extend_from_slice(value.as_bytes());
        fields.push(0);
    }
    fields.push(0);
    let mut msg = vec![b'E'];
    msg.extend_from_slice(&((fields.len() + 4) as u32).to_be_bytes());
    msg.extend_from_slice(&fields);
    s.write_all(&msg)
}

#[test]
fn wrong_password_is_reported_and_never_printed() {
    let dir = empty_migrations();
    let port = refusing_server();
    let url = format!("postgres://app:s3cr3t-Pw@127.0.0.1:{port}/app");
    pgdrift(dir.path())
        .args(["status", "--db-url", &url])
        .assert()
        .code(2)
        .stderr(one_line_error(
            "password authentication failed for user \"app\"",
        ))
        .stderr(predicate::str::contains(format!(
            "postgres://app@127.0.0.1:{port}/app"
        )))
        .stderr(predicate::str::contains("s3cr3t").not());

    // The same through DATABASE_URL and PGPASSWORD.
    pgdrift(dir.path())
        .arg("check")
        .env(
            "DATABASE_URL",
            format!("postgres://app@127.0.0.1:{port}/app"),
        )
        .env("PGPASSWORD", "s3cr3t-Pw")
        .assert()
        .code(2)
        .stderr(one_line_error("check the user and password"))
        .stderr(predicate::str::contains("s3cr3t").not());
}

#[test]
fn missing_migrations_folder() {
    let dir = tempfile::tempdir().unwrap();
    pgdrift(dir.path())
        .args(["status", "--db-url", &common::server_url()])
        .assert()
        .code(2)
        .stderr(one_line_error("supabase/migrations"))
        .stderr(predicate::str::contains("--migrations"));
}

#[test]
fn unparsable_migration_names_file_line_and_column() {
    let dir = empty_migrations();
    let file = dir
        .path()
        .join("supabase/migrations/20240101000000_init.sql");
    std::fs::write(
        &file,
        "-- first\ncreate table ok (id int);\n\ncreate tablee broken (id int);\n",
    )
    .unwrap();
    pgdrift(dir.path())
        .args(["check", "--db-url", &common::server_url()])
        .assert()
        .code(2)
        .stderr(one_line_error("20240101000000_init.sql:4:8"))
        .stderr(predicate::str::contains(
            "syntax error at or near \"tablee\"",
        ));
}

#[test]
fn unknown_schema() {
    let dir = empty_migrations();
    let db = TestDb::create("errors");
    pgdrift(dir.path())
        .args([
            "--schema",
            "public",
            "status",
            "--schema",
            "nosuch",
            "--db-url",
            &db.url(),
        ])
        .assert()
        .code(2)
        .stderr(one_line_error("schema nosuch does not exist in production"));
}

#[test]
fn bad_config_file_and_bad_sslmode() {
    let dir = empty_migrations();
    std::fs::write(dir.path().join("pgdrift.toml"), "schemas = \"public\"\n").unwrap();
    pgdrift(dir.path())
        .args(["status", "--db-url", &common::server_url()])
        .assert()
        .code(2)
        .stderr(one_line_error("pgdrift.toml:1:"));

    let dir = empty_migrations();
    pgdrift(dir.path())
        .args([
            "status",
            "--db-url",
            "postgres://u:pw@127.0.0.1/x?sslmode=maybe",
        ])
        .assert()
        .code(2)
        .stderr(one_line_error("unknown sslmode `maybe`"));

    pgdrift(dir.path())
        .args(["status", "--config", "nope.toml"])
        .assert()
        .code(2)
        .stderr(one_line_error("nope.toml"));
}

#[test]
fn bad_arguments_exit_2() {
    let dir = empty_migrations();
    pgdrift(dir.path())
        .args(["status", "--format", "yaml"])
        .assert()
        .code(2);
    pgdrift(dir.path()).arg("frobnicate").assert().code(2);
}
