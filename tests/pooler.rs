//! Through a transaction-mode pooler (PgBouncer, as Supavisor on port 6543 behaves): reading
//! keeps no named prepared statement across transactions, so clients that share one server
//! connection do not trip over each other's statements.

mod common;

use common::{pgdrift, TestDb};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};

struct Pooler {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Drop for Pooler {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts PgBouncer in transaction mode with one server connection per database, in front
/// of the test server. None when PgBouncer is not installed, outside CI only: `.ci/setup`
/// installs it, so in CI (`CI` set) a missing PgBouncer fails the test instead of passing
/// it untested.
fn start_pooler() -> Option<Pooler> {
    let binary = ["/usr/sbin/pgbouncer", "/usr/bin/pgbouncer"]
        .into_iter()
        .find(|p| Path::new(p).exists());
    let Some(binary) = binary else {
        assert!(
            std::env::var_os("CI").is_none(),
            "pgbouncer is not installed, and CI is set: .ci/setup must install it"
        );
        eprintln!("skipped: pgbouncer is not installed (.ci/setup installs it)");
        return None;
    };
    let server = url::Url::parse(&common::server_url()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let user = server.username().to_string();
    std::fs::write(dir.path().join("users.txt"), format!("\"{user}\" \"\"\n")).unwrap();
    let config = format!(
        "[databases]\n* = host={} port={}\n[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {port}\n\
         unix_socket_dir =\nauth_type = trust\nauth_file = {}\npool_mode = transaction\n\
         default_pool_size = 1\nmax_client_conn = 20\n",
        server.host_str().unwrap(),
        server.port().unwrap_or(5432),
        dir.path().join("users.txt").display(),
    );
    let ini = dir.path().join("pgbouncer.ini");
    std::fs::write(&ini, config).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut cmd = Command::new(binary);
    // PgBouncer refuses to run as root; it switches to the server's system user.
    if is_root() {
        cmd.args(["-u", "postgres"]);
    }
    let log_path = dir.path().join("pgbouncer.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let child = cmd
        .arg(&ini)
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("starting pgbouncer");
    // From here on, dropping the value stops PgBouncer, also when the test fails.
    let pooler = Pooler {
        child,
        port,
        _dir: dir,
    };
    for _ in 0..50 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Some(pooler);
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!(
        "pgbouncer did not start: {}",
        std::fs::read_to_string(&log_path).unwrap_or_default()
    );
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout.starts_with(b"0\n"))
        .unwrap_or(false)
}

#[test]
fn status_through_a_transaction_pooler_matches_a_direct_read() {
    let Some(pooler) = start_pooler() else { return };
    let db = TestDb::create("pooler");
    db.execute(
        "create type mood as enum ('ok', 'sad');
         create table people (id serial primary key, m mood default 'ok');
         create function cheer() returns trigger language plpgsql as $$ begin return new; end $$;
         create trigger people_cheer before insert on people for each row execute function cheer();
         create view v as select * from people;",
    );
    let project = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(project.path().join("supabase/migrations")).unwrap();
    let user = url::Url::parse(&common::server_url())
        .unwrap()
        .username()
        .to_string();
    let pooled = format!(
        "postgres://{user}@127.0.0.1:{}/{}?sslmode=disable",
        pooler.port, db.name
    );

    let direct = pgdrift(project.path())
        .args(["status", "--format", "json", "--db-url", &db.url()])
        .output()
        .unwrap();
    assert!(direct.status.success());
    let strip = |out: &[u8]| {
        let mut v: serde_json::Value = serde_json::from_slice(out).unwrap();
        v.as_object_mut().unwrap().remove("database");
        v
    };
    // Several clients at once share the pooler's single server connection.
    let runs: Vec<_> = (0..4)
        .map(|_| {
            let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("pgdrift"));
            cmd.current_dir(project.path())
                .args(["status", "--format", "json", "--db-url", &pooled]);
            cmd.env_remove("DATABASE_URL")
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
            cmd.spawn().unwrap()
        })
        .collect();
    for run in runs {
        let out = run.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "through the pooler: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(strip(&out.stdout), strip(&direct.stdout));
    }
}
