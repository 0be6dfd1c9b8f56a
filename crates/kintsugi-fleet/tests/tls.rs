//! TLS to the central database against a real TLS PostgreSQL (from
//! `scripts/pg-test-server`, whose certificate names only `localhost` and is
//! signed by the throwaway CA in `KINTSUGI_TEST_PG_CA`): shipping and
//! verifying over `verify-full`, `require` without a root certificate, a
//! wrong CA and a host name mismatch refused, and `pg_stat_ssl` showing the
//! session really is encrypted (and really is not under `disable`).

mod common;
use common::*;
use kintsugi_fleet::{connect, ship_all, testdb, verify};
use std::path::Path;
use std::process::Command;

/// A fresh database with the schema applied (over plain text), and the CA
/// file; `None` to skip.
fn setup(name: &str) -> Option<(String, String)> {
    let server = testdb::server_url()?;
    let ca = testdb::server_ca()?;
    let url = testdb::fresh_database(&server, name).unwrap();
    kintsugi_fleet::init(&mut connect(&url).unwrap()).unwrap();
    Some((url, ca))
}

/// `url` pointed at `host` (same port and database) with `params` as its
/// whole query string.
fn retarget(url: &str, host: &str, params: &str) -> String {
    let base = url.split_once('?').map_or(url, |(b, _)| b);
    let (scheme, rest) = base.split_once("://").unwrap();
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let (user, hostport) = match authority.rsplit_once('@') {
        Some((u, hp)) => (format!("{u}@"), hp),
        None => (String::new(), authority),
    };
    let port = hostport
        .rsplit_once(':')
        .map(|(_, p)| format!(":{p}"))
        .unwrap_or_default();
    format!("{scheme}://{user}{host}{port}/{path}?{params}")
}

fn encrypted(url: &str) -> bool {
    connect(url)
        .unwrap()
        .query_one(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .unwrap()
        .get(0)
}

/// A second throwaway CA, which signed nothing the server presents.
fn other_ca(dir: &Path) -> String {
    let ca = dir.join("other-ca.crt");
    let out = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        ])
        .args(["-subj", "/CN=kintsugi wrong test CA", "-keyout"])
        .arg(dir.join("other-ca.key"))
        .arg("-out")
        .arg(&ca)
        .output()
        .expect("the openssl CLI is needed for this test");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    ca.display().to_string()
}

#[test]
fn ships_and_verifies_over_verify_full() {
    let Some((url, ca)) = setup("tls_full") else {
        return;
    };
    let tls = retarget(
        &url,
        "localhost",
        &format!("sslmode=verify-full&sslrootcert={ca}"),
    );
    kintsugi_fleet::check_url(&tls).unwrap();
    assert!(encrypted(&tls));
    let mut host = Host::new();
    host.append(120, "tls");
    host.checkpoint();
    let c = ship_all(&tls, host.path(), 50).unwrap();
    assert_eq!((c.inserted, c.duplicates, c.conflicts), (120, 0, 0));
    let r = verify(&mut connect(&tls).unwrap(), None).unwrap();
    assert!(r.intact());
    assert_eq!(r.events, 120);
    assert_eq!(r.hosts[0].last_matched_checkpoint, Some(120));
}

#[test]
fn require_encrypts_without_checking_the_certificate() {
    let Some((url, _ca)) = setup("tls_require") else {
        return;
    };
    // 127.0.0.1 is not named in the certificate and no CA is given: require
    // checks neither, as in libpq.
    let tls = retarget(&url, "127.0.0.1", "sslmode=require");
    assert!(encrypted(&tls));
    let mut host = Host::new();
    host.append(10, "req");
    host.checkpoint();
    assert_eq!(ship_all(&tls, host.path(), 50).unwrap().inserted, 10);
    // prefer (also the default) takes TLS when the server offers it.
    assert!(encrypted(&retarget(&url, "127.0.0.1", "sslmode=prefer")));
    assert!(encrypted(&retarget(&url, "127.0.0.1", "connect_timeout=5")));
}

#[test]
fn disable_is_plain_text() {
    let Some((url, _ca)) = setup("tls_disable") else {
        return;
    };
    assert!(!encrypted(&retarget(&url, "127.0.0.1", "sslmode=disable")));
}

#[test]
fn verify_full_refuses_a_wrong_ca() {
    let Some((url, _ca)) = setup("tls_wrong_ca") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let wrong = other_ca(dir.path());
    for mode in ["verify-full", "verify-ca"] {
        let tls = retarget(
            &url,
            "localhost",
            &format!("sslmode={mode}&sslrootcert={wrong}"),
        );
        kintsugi_fleet::check_url(&tls).unwrap();
        let err = connect(&tls)
            .err()
            .expect("a wrong CA must not connect")
            .to_string();
        eprintln!("{mode}, wrong CA: {err}");
        assert!(
            err.contains("invalid peer certificate") && err.contains("UnknownIssuer"),
            "{mode}: {err}"
        );
    }
}

#[test]
fn verify_full_refuses_a_host_name_mismatch() {
    let Some((url, ca)) = setup("tls_name") else {
        return;
    };
    // The certificate names localhost only.
    let tls = retarget(
        &url,
        "127.0.0.1",
        &format!("sslmode=verify-full&sslrootcert={ca}"),
    );
    let err = connect(&tls)
        .err()
        .expect("a wrong name must not connect")
        .to_string();
    eprintln!("verify-full, wrong name: {err}");
    assert!(
        err.contains("invalid peer certificate") && err.contains("not valid for name"),
        "{err}"
    );
    // verify-ca checks the chain only, so the same address is fine there.
    let ca_only = retarget(
        &url,
        "127.0.0.1",
        &format!("sslmode=verify-ca&sslrootcert={ca}"),
    );
    assert!(encrypted(&ca_only));
}
