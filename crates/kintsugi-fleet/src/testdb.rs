//! Throwaway databases on a test server, for the fleet tests and the bench:
//! the server comes from `KINTSUGI_TEST_PG_URL` (see `scripts/pg-test-server`);
//! each caller gets its own freshly created database, so tests run in
//! parallel without seeing each other's rows.

use crate::{Result, connect};
use std::sync::atomic::{AtomicU32, Ordering};

/// The variable naming the test server's URL.
pub const URL_VAR: &str = "KINTSUGI_TEST_PG_URL";
/// The variable naming the PEM file of the CA that signed the test server's
/// certificate (printed by `scripts/pg-test-server start`).
pub const CA_VAR: &str = "KINTSUGI_TEST_PG_CA";
/// When set, a missing server fails the tests instead of skipping them.
pub const REQUIRE_VAR: &str = "KINTSUGI_REQUIRE_PG";

/// The test server's URL, or `None` (tests then skip, unless
/// `KINTSUGI_REQUIRE_PG` is set, which makes this panic).
pub fn server_url() -> Option<String> {
    match std::env::var(URL_VAR) {
        Ok(u) if !u.is_empty() => Some(u),
        _ => {
            assert!(
                std::env::var_os(REQUIRE_VAR).is_none(),
                "a PostgreSQL test server is required here ({REQUIRE_VAR} is set) but {URL_VAR} is missing; \
                 start one with `scripts/pg-test-server start DIR` and export what it prints"
            );
            eprintln!("SKIP: no PostgreSQL test server; set {URL_VAR} (scripts/pg-test-server)");
            None
        }
    }
}

/// The test server's CA file, or `None` (TLS tests then skip, unless
/// `KINTSUGI_REQUIRE_PG` is set, which makes this panic).
pub fn server_ca() -> Option<String> {
    match std::env::var(CA_VAR) {
        Ok(c) if !c.is_empty() => Some(c),
        _ => {
            assert!(
                std::env::var_os(REQUIRE_VAR).is_none(),
                "a TLS PostgreSQL test server is required here ({REQUIRE_VAR} is set) but {CA_VAR} is missing; \
                 start one with `scripts/pg-test-server start DIR` and export what it prints"
            );
            eprintln!(
                "SKIP: no CA for the PostgreSQL test server; set {CA_VAR} (scripts/pg-test-server)"
            );
            None
        }
    }
}

/// `url` with its database name replaced by `db`.
pub fn with_database(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let after_scheme = base.find("://").map(|i| i + 3).unwrap_or(0);
    let path_start = base[after_scheme..]
        .find('/')
        .map(|i| after_scheme + i)
        .unwrap_or(base.len());
    format!("{}/{db}{query}", &base[..path_start])
}

/// Create a new, empty database named after `prefix` and return its URL.
pub fn fresh_database(server: &str, prefix: &str) -> Result<String> {
    static N: AtomicU32 = AtomicU32::new(0);
    let clean: String = prefix
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .take(30)
        .collect();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let name = format!(
        "k_{clean}_{}_{}_{nanos}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    );
    let mut client = connect(server)?;
    client.batch_execute(&format!("CREATE DATABASE \"{name}\""))?;
    Ok(with_database(server, &name))
}

#[cfg(test)]
mod tests {
    #[test]
    fn database_name_is_replaced() {
        assert_eq!(
            super::with_database("postgres://u@h:1/postgres?sslmode=disable", "x"),
            "postgres://u@h:1/x?sslmode=disable"
        );
        assert_eq!(
            super::with_database("postgres://u@h", "x"),
            "postgres://u@h/x"
        );
    }
}
