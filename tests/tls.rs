//! TLS against the test server, when it has TLS turned on (Debian's PostgreSQL does, with a
//! self-signed certificate for `localhost`).

mod common;

use pgdrift::db::Target;

/// The server's certificate file, when TLS is on and the file is readable here.
fn server_certificate() -> Option<String> {
    let mut client = common::connect(&common::server_url());
    let ssl: String = client.query_one("SHOW ssl", &[]).unwrap().get(0);
    let cert: String = client.query_one("SHOW ssl_cert_file", &[]).unwrap().get(0);
    if ssl != "on" || std::fs::metadata(&cert).is_err() {
        eprintln!("skipped: the test server has no TLS certificate readable here");
        return None;
    }
    Some(cert)
}

fn with_params(host: &str, params: &str) -> String {
    let mut url = url::Url::parse(&common::server_url()).unwrap();
    url.set_host(Some(host)).unwrap();
    url.set_query(Some(params));
    url.to_string()
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

#[test]
fn sslmodes_follow_libpq() {
    let Some(cert) = server_certificate() else {
        return;
    };
    assert!(!encrypted(&with_params("127.0.0.1", "sslmode=disable")).unwrap());
    assert!(encrypted(&with_params("127.0.0.1", "sslmode=prefer")).unwrap());
    // require encrypts without checking the certificate.
    assert!(encrypted(&with_params("127.0.0.1", "sslmode=require")).unwrap());
    // verify-ca checks the chain, not the host name.
    assert!(encrypted(&with_params(
        "127.0.0.1",
        &format!("sslmode=verify-ca&sslrootcert={cert}")
    ))
    .unwrap());
    // verify-full also checks the host name: the certificate is for localhost.
    assert!(encrypted(&with_params(
        "localhost",
        &format!("sslmode=verify-full&sslrootcert={cert}")
    ))
    .unwrap());
    let err = encrypted(&with_params(
        "127.0.0.1",
        &format!("sslmode=verify-full&sslrootcert={cert}"),
    ))
    .unwrap_err()
    .to_string();
    assert!(err.starts_with("cannot connect to postgres://"), "{err}");
}

#[test]
fn verify_ca_with_the_wrong_root_fails() {
    if server_certificate().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let wrong = dir.path().join("other.pem");
    let made = std::process::Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=other",
        ])
        .arg("-keyout")
        .arg(dir.path().join("k.pem"))
        .arg("-out")
        .arg(&wrong)
        .output()
        .expect("running openssl");
    assert!(made.status.success());
    let url = with_params(
        "127.0.0.1",
        &format!("sslmode=verify-ca&sslrootcert={}", wrong.display()),
    );
    assert!(encrypted(&url).is_err());
    // The same certificate is not checked at all under require.
    let url = with_params("127.0.0.1", "sslmode=require");
    assert!(encrypted(&url).unwrap());
}

#[test]
fn verify_modes_need_a_root_certificate() {
    let err = Target::resolve(Some(&with_params("127.0.0.1", "sslmode=verify-full")))
        .and_then(|t| t.connect().map(|_| ()))
        .unwrap_err()
        .to_string();
    if !err.contains("needs the server's root certificate") {
        // Only when ~/.postgresql/root.crt exists does this connect attempt get further.
        assert!(std::path::Path::new(&format!(
            "{}/.postgresql/root.crt",
            std::env::var("HOME").unwrap()
        ))
        .exists());
    }
}
