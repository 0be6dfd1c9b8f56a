//! Connecting to the central database. TLS is not built in: `sslmode=disable`
//! and `prefer` connect in plain text; `require` and `verify-*` are refused
//! with an error that says so, rather than silently sending in the clear.

use crate::{FleetError, Result};
use postgres::config::{Host, SslMode};
use postgres::{Client, Config, NoTls};
use std::time::Duration;

/// How long a connection attempt may take unless the URL sets `connect_timeout`.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

fn parse(url: &str) -> Result<Config> {
    let lower = url.to_ascii_lowercase();
    if lower.contains("sslmode=verify") {
        return Err(FleetError::Invalid(format!(
            "{}: sslmode=verify-ca/verify-full needs TLS, which this build does not include; \
             use sslmode=disable on a trusted network or a local socket, or tunnel the connection",
            redact(url)
        )));
    }
    let cfg: Config = url.parse().map_err(|e| {
        FleetError::Invalid(format!("{} is not a PostgreSQL URL: {e}", redact(url)))
    })?;
    match cfg.get_ssl_mode() {
        SslMode::Disable | SslMode::Prefer => Ok(cfg),
        _ => Err(FleetError::Invalid(format!(
            "{}: sslmode=require needs TLS, which this build does not include; \
             use sslmode=disable on a trusted network or a local socket, or tunnel the connection",
            redact(url)
        ))),
    }
}

/// Check a fleet URL without connecting: it parses, and asks for no TLS.
pub fn check_url(url: &str) -> Result<()> {
    parse(url).map(|_| ())
}

/// Connect (plain text; see the module doc).
pub fn connect(url: &str) -> Result<Client> {
    let mut cfg = parse(url)?;
    if cfg.get_connect_timeout().is_none() {
        cfg.connect_timeout(CONNECT_TIMEOUT);
    }
    cfg.keepalives(true);
    cfg.keepalives_idle(Duration::from_secs(30));
    if cfg.get_application_name().is_none() {
        cfg.application_name("kintsugi-fleet");
    }
    Ok(cfg.connect(NoTls)?)
}

/// The URL with any password replaced, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(s), Some(at)) if at > s => {
            let auth = &url[s + 3..at];
            match auth.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &auth[..c], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// Which central database a URL points at (user, hosts, ports, database; no
/// password): the outbox keeps one cursor per target, so pointing a host at a
/// new central database ships its whole ledger there.
pub fn target_key(url: &str) -> Result<String> {
    let cfg = parse(url)?;
    let hosts: Vec<String> = cfg
        .get_hosts()
        .iter()
        .map(|h| match h {
            Host::Tcp(s) => s.clone(),
            Host::Unix(p) => p.display().to_string(),
        })
        .collect();
    let ports: Vec<String> = cfg.get_ports().iter().map(u16::to_string).collect();
    Ok(format!(
        "{}@{}:{}/{}",
        cfg.get_user().unwrap_or(""),
        hosts.join(","),
        ports.join(","),
        cfg.get_dbname().unwrap_or("")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_modes_are_refused_plain_ones_accepted() {
        check_url("postgres://u@127.0.0.1:5432/db?sslmode=disable").unwrap();
        check_url("postgres://u@localhost/db").unwrap();
        for mode in ["require", "verify-ca", "verify-full"] {
            let err = check_url(&format!("postgres://u@h/db?sslmode={mode}"))
                .unwrap_err()
                .to_string();
            assert!(err.contains("TLS"), "{err}");
        }
        assert!(check_url("mysql://x").is_err());
    }

    #[test]
    fn passwords_never_reach_messages_or_keys() {
        let url = "postgres://u:secret@h:5/db?sslmode=disable";
        assert!(!redact(url).contains("secret"));
        let key = target_key(url).unwrap();
        assert_eq!(key, "u@h:5/db");
    }
}
