//! TLS and passwords against a PostgreSQL server of the test's own: a fresh cluster with a
//! certificate authority and a server certificate (for `localhost`) made by the test, TLS
//! required for every TCP connection, and password authentication.
//!
//! It needs the PostgreSQL server programs (`initdb`, `pg_ctl`) and `openssl` on this
//! machine; `.ci/setup` installs them. `PGDRIFT_PG_BINDIR` names another folder of them.

mod common;

use common::pgdrift;
use pgdrift::db::Target;
use std::path::{Path, PathBuf};
use std::process::Command;

const PASSWORD: &str = "Tls-Pw-7c1d";

/// A cluster that runs for the life of the value, in a temporary folder.
struct Cluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
}

impl Cluster {
    fn start() -> Cluster {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        make_certificates(root);
        std::fs::write(root.join("pwfile"), PASSWORD).unwrap();
        let bin = bindir();
        // The server refuses to run as root: hand the folder to the postgres user.
        if is_root() {
            run(Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(root));
        }
        let data = root.join("data");
        run(as_server_user(&bin.join("initdb"))
            .arg("-D")
            .arg(&data)
            .args(["-U", "postgres", "-N", "-A", "scram-sha-256", "--pwfile"])
            .arg(root.join("pwfile")));
        let port = free_port();
        let conf = format!(
            "port = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{}'\n\
             ssl = on\nssl_cert_file = '{}'\nssl_key_file = '{}'\nfsync = off\n",
            root.display(),
            root.join("server.crt").display(),
            root.join("server.key").display(),
        );
        append(&data.join("postgresql.conf"), &conf);
        std::fs::write(
            data.join("pg_hba.conf"),
            "hostssl all all 127.0.0.1/32 scram-sha-256\nhostnossl all all 127.0.0.1/32 reject\n",
        )
        .unwrap();
        run(as_server_user(&bin.join("pg_ctl"))
            .arg("-D")
            .arg(&data)
            .arg("-l")
            .arg(root.join("log"))
            .args(["-w", "start"]));
        Cluster { dir, bin, port }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `postgres://postgres[:password]@host:port/postgres[?params]`.
    fn url(&self, host: &str, password: Option<&str>, params: &str) -> String {
        let password = password.map(|p| format!(":{p}")).unwrap_or_default();
        let query = if params.is_empty() {
            String::new()
        } else {
            format!("?{params}")
        };
        format!(
            "postgres://postgres{password}@{host}:{}/postgres{query}",
            self.port
        )
    }

    /// The certificate authority's certificate, as a URL parameter.
    fn root_cert(&self) -> String {
        format!("sslrootcert={}", self.path("ca.crt").display())
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = as_server_user(&self.bin.join("pg_ctl"))
            .arg("-D")
            .arg(self.dir.path().join("data"))
            .args(["-m", "immediate", "-w", "stop"])
            .output();
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

/// A command that runs as the `postgres` user when the tests run as root.
fn as_server_user(program: &Path) -> Command {
    if is_root() {
        let mut cmd = Command::new("runuser");
        cmd.args(["-u", "postgres", "--"]).arg(program);
        cmd
    } else {
        Command::new(program)
    }
}

/// The folder of `initdb` and `pg_ctl`: `PGDRIFT_PG_BINDIR`, else Debian's newest
/// `/usr/lib/postgresql/*/bin`, else `pg_config --bindir`.
fn bindir() -> PathBuf {
    if let Ok(dir) = std::env::var("PGDRIFT_PG_BINDIR") {
        return dir.into();
    }
    let mut debian: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|entries| entries.map(|e| e.unwrap().path().join("bin")).collect())
        .unwrap_or_default();
    debian.retain(|d| d.join("initdb").exists());
    debian.sort_by_key(|d| {
        d.parent()
            .and_then(|v| v.file_name()?.to_str()?.parse::<u32>().ok())
            .unwrap_or(0)
    });
    if let Some(dir) = debian.pop() {
        return dir;
    }
    let out = Command::new("pg_config")
        .arg("--bindir")
        .output()
        .expect("finding PostgreSQL's programs: install the server or set PGDRIFT_PG_BINDIR");
    PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

fn append(path: &Path, text: &str) {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new().append(true).open(path).unwrap();
    file.write_all(text.as_bytes()).unwrap();
}

fn run(cmd: &mut Command) {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("running {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A certificate authority (`ca.crt`), a server certificate for `localhost` signed by it
/// (`server.crt`, `server.key`) and an unrelated authority (`other.crt`).
fn make_certificates(dir: &Path) {
    let openssl = |args: &[&str]| run(Command::new("openssl").current_dir(dir).args(args));
    for (name, subject) in [("ca", "/CN=pgdrift test CA"), ("other", "/CN=other CA")] {
        openssl(&[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            subject,
            "-keyout",
            &format!("{name}.key"),
            "-out",
            &format!("{name}.crt"),
        ]);
    }
    openssl(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=localhost",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
    ]);
    std::fs::write(dir.join("san.ext"), "subjectAltName = DNS:localhost\n").unwrap();
    openssl(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        "san.ext",
        "-out",
        "server.crt",
    ]);
    set_mode(&dir.join("server.key"), 0o600);
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Connects and asks the server whether this session is encrypted.
fn encrypted(url: &str) -> anyhow::Result<bool> {
    let mut client = Target::resolve(Some(url))?.connect()?;
    Ok(client
        .query_one(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )?
        .get(0))
}

fn refused(url: &str) -> String {
    let err = encrypted(url).unwrap_err().to_string();
    assert!(!err.contains(PASSWORD), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    err
}

#[test]
fn sslmodes_follow_libpq_against_a_certificate_made_here() {
    let cluster = Cluster::start();
    let root = cluster.root_cert();
    let url = |host: &str, params: &str| cluster.url(host, Some(PASSWORD), params);

    // prefer and require encrypt without checking the certificate.
    assert!(encrypted(&url("127.0.0.1", "")).unwrap());
    assert!(encrypted(&url("127.0.0.1", "sslmode=prefer")).unwrap());
    assert!(encrypted(&url("127.0.0.1", "sslmode=require")).unwrap());
    // verify-ca checks the chain, not the host name.
    assert!(encrypted(&url("127.0.0.1", &format!("sslmode=verify-ca&{root}"))).unwrap());
    // verify-full checks both: the certificate names localhost, not 127.0.0.1.
    assert!(encrypted(&url("localhost", &format!("sslmode=verify-full&{root}"))).unwrap());
    let err = refused(&url("127.0.0.1", &format!("sslmode=verify-full&{root}")));
    assert!(
        err.starts_with("cannot connect to postgres://postgres@127.0.0.1:"),
        "{err}"
    );
    assert!(err.contains("the TLS handshake failed"), "{err}");

    // A certificate from another authority is refused by verify-ca and verify-full.
    let other = format!("sslrootcert={}", cluster.path("other.crt").display());
    for mode in ["verify-ca", "verify-full"] {
        let err = refused(&url("localhost", &format!("sslmode={mode}&{other}")));
        assert!(err.contains("the TLS handshake failed"), "{err}");
    }
    // Without TLS the server refuses the connection, and pgdrift says so.
    let err = refused(&url("127.0.0.1", "sslmode=disable"));
    assert!(err.contains("no encryption"), "{err}");
}

#[test]
fn tls_settings_from_the_environment() {
    let cluster = Cluster::start();
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("supabase/migrations")).unwrap();
    let home = tempfile::tempdir().unwrap();
    let ca = cluster.path("ca.crt");
    let other = cluster.path("other.crt");
    let status = |host: &str, mode: &str, root: Option<&Path>| {
        let mut cmd = pgdrift(dir.path());
        cmd.arg("status")
            .env("DATABASE_URL", cluster.url(host, Some(PASSWORD), ""))
            .env("PGSSLMODE", mode)
            .env("HOME", home.path());
        match root {
            Some(root) => cmd.env("PGSSLROOTCERT", root),
            None => cmd.env_remove("PGSSLROOTCERT"),
        };
        let out = cmd.output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(!stderr.contains(PASSWORD), "{stderr}");
        (out.status.code().unwrap(), stderr)
    };
    assert_eq!(status("localhost", "verify-full", Some(&ca)).0, 0);
    assert_eq!(status("127.0.0.1", "verify-ca", Some(&ca)).0, 0);
    let (code, stderr) = status("localhost", "verify-full", Some(&other));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.starts_with("error: cannot connect to"), "{stderr}");
    // With no root certificate anywhere (HOME has no ~/.postgresql/root.crt).
    let (code, stderr) = status("localhost", "verify-ca", None);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("sslmode=verify-ca needs the server's root certificate"),
        "{stderr}"
    );
    // The URL's own sslmode wins over PGSSLMODE.
    let mut cmd = pgdrift(dir.path());
    cmd.args([
        "--db-url",
        &cluster.url("127.0.0.1", Some(PASSWORD), "sslmode=disable"),
        "status",
    ])
    .env("PGSSLMODE", "require");
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no encryption"));
}

#[test]
fn passwords_from_every_source_against_a_server_that_checks_them() {
    let cluster = Cluster::start();
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("supabase/migrations")).unwrap();
    let home = tempfile::tempdir().unwrap();
    let line = format!("127.0.0.1:{}:*:postgres:{PASSWORD}\n", cluster.port);
    let status = |url: String, env: &[(&str, &Path)], password: Option<&str>| {
        let mut cmd = pgdrift(dir.path());
        cmd.args(["--db-url", &url, "status"])
            .env("HOME", home.path());
        for (key, value) in env {
            cmd.env(key, value);
        }
        if let Some(password) = password {
            cmd.env("PGPASSWORD", password);
        }
        let out = cmd.output().unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        for secret in [PASSWORD, "not-the-password"] {
            assert!(!text.contains(secret), "the password was printed: {text}");
        }
        (
            out.status.code().unwrap(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let plain = cluster.url("127.0.0.1", None, "");

    assert_eq!(
        status(cluster.url("127.0.0.1", Some(PASSWORD), ""), &[], None).0,
        0
    );
    assert_eq!(status(plain.clone(), &[], Some(PASSWORD)).0, 0);

    // A password file named by PGPASSFILE, then ~/.pgpass.
    let pgpass = cluster.path("pgpass");
    std::fs::write(&pgpass, &line).unwrap();
    set_mode(&pgpass, 0o600);
    assert_eq!(status(plain.clone(), &[("PGPASSFILE", &pgpass)], None).0, 0);
    std::fs::write(home.path().join(".pgpass"), &line).unwrap();
    set_mode(&home.path().join(".pgpass"), 0o600);
    assert_eq!(status(plain.clone(), &[], None).0, 0);
    std::fs::remove_file(home.path().join(".pgpass")).unwrap();

    // A password file others can read is ignored, as libpq does, and pgdrift says why.
    set_mode(&pgpass, 0o644);
    let (code, stderr) = status(plain.clone(), &[("PGPASSFILE", &pgpass)], None);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.starts_with("warning: password file ") && stderr.contains("chmod 0600"),
        "{stderr}"
    );
    assert!(stderr.contains("error: cannot connect to"), "{stderr}");

    // No password at all, then a wrong one.
    let (code, stderr) = status(plain.clone(), &[], None);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("password missing; the server asks for a password"),
        "{stderr}"
    );
    let (code, stderr) = status(plain, &[], Some("not-the-password"));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("password authentication failed for user \"postgres\""),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}
