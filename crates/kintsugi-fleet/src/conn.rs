//! Connecting to the central database, with TLS as libpq's `sslmode` in the
//! URL says (rustls with the `ring` provider; no OpenSSL):
//!
//! - `disable`: plain text.
//! - `prefer` (the default when absent): TLS when the server offers it, plain
//!   text when it does not; the certificate is not verified.
//! - `require`: TLS or no connection; the certificate is not verified.
//! - `verify-ca`: TLS, and the server's certificate chain must lead to a CA in
//!   `sslrootcert=PATH` (a PEM file; required for the verify modes).
//! - `verify-full`: as `verify-ca`, and the URL's host must be named in the
//!   certificate.
//!
//! As in libpq, `prefer`/`require` with an `sslrootcert` verify the chain like
//! `verify-ca`. `sslrootcert` is taken out of the URL here (the `postgres`
//! crate does not know it), and the verify modes are handed to it as
//! `require`, with the verification done by our own rustls configuration.

use crate::{FleetError, Result};
use postgres::config::{Host, SslMode};
use postgres::{Client, Config, NoTls};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::ParsedCertificate;
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio_postgres_rustls::MakeRustlsConnect;

/// How long a connection attempt may take unless the URL sets `connect_timeout`.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// The `sslmode` values understood, as libpq spells them.
const MODES: &str = "disable, prefer, require, verify-ca, verify-full";

/// libpq's `sslmode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

/// A URL split into what the `postgres` crate parses and what we handle.
struct Parsed {
    cfg: Config,
    mode: Mode,
    root: Option<PathBuf>,
}

/// How the certificate is checked once TLS is on.
enum Tls {
    Off,
    Unverified,
    Chain(Arc<RootCertStore>),
    Full(Arc<RootCertStore>),
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok();
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Take `sslmode` and `sslrootcert` out of a URL (or a `key=value` string):
/// the rest, and the two values.
fn split_tls_params(url: &str) -> (String, Option<String>, Option<String>) {
    let (mut mode, mut root) = (None, None);
    let is_url = url.starts_with("postgres://") || url.starts_with("postgresql://");
    if is_url {
        let Some((base, query)) = url.split_once('?') else {
            return (url.to_string(), None, None);
        };
        let mut kept = Vec::new();
        for pair in query.split('&') {
            match pair.split_once('=') {
                Some(("sslmode", v)) => mode = Some(percent_decode(v)),
                Some(("sslrootcert", v)) => root = Some(percent_decode(v)),
                _ => kept.push(pair),
            }
        }
        let rest = if kept.is_empty() {
            base.to_string()
        } else {
            format!("{base}?{}", kept.join("&"))
        };
        (rest, mode, root)
    } else {
        let mut kept = Vec::new();
        for tok in url.split_whitespace() {
            match tok.split_once('=') {
                Some(("sslmode", v)) => mode = Some(v.to_string()),
                Some(("sslrootcert", v)) => root = Some(v.to_string()),
                _ => kept.push(tok),
            }
        }
        (kept.join(" "), mode, root)
    }
}

fn parse(url: &str) -> Result<Parsed> {
    let (rest, mode, root) = split_tls_params(url);
    let mode = match mode.as_deref() {
        None | Some("prefer") => Mode::Prefer,
        Some("disable") => Mode::Disable,
        Some("require") => Mode::Require,
        Some("verify-ca") => Mode::VerifyCa,
        Some("verify-full") => Mode::VerifyFull,
        Some(other) => {
            return Err(FleetError::Invalid(format!(
                "{}: sslmode={other} is not supported; use one of {MODES}",
                redact(url)
            )));
        }
    };
    let root = match root.as_deref() {
        None | Some("") => None,
        Some("system") => {
            return Err(FleetError::Invalid(format!(
                "{}: sslrootcert=system is not supported; give the path of a PEM file \
                 with the CA certificate(s) that signed the server's certificate",
                redact(url)
            )));
        }
        Some(p) => Some(PathBuf::from(p)),
    };
    if matches!(mode, Mode::VerifyCa | Mode::VerifyFull) && root.is_none() {
        return Err(FleetError::Invalid(format!(
            "{}: sslmode=verify-ca/verify-full needs sslrootcert=PATH in the URL, \
             the PEM file of the CA that signed the server's certificate",
            redact(url)
        )));
    }
    let mut cfg: Config = rest.parse().map_err(|e| {
        FleetError::Invalid(format!("{} is not a PostgreSQL URL: {e}", redact(url)))
    })?;
    cfg.ssl_mode(match mode {
        Mode::Disable => SslMode::Disable,
        Mode::Prefer => SslMode::Prefer,
        Mode::Require | Mode::VerifyCa | Mode::VerifyFull => SslMode::Require,
    });
    Ok(Parsed { cfg, mode, root })
}

/// Read the CA certificates in `path` (PEM).
fn load_roots(path: &std::path::Path) -> Result<Arc<RootCertStore>> {
    let what = |e: String| {
        FleetError::Invalid(format!(
            "sslrootcert={}: {e}; point it at a readable PEM file with the CA certificate(s) \
             that signed the server's certificate",
            path.display()
        ))
    };
    let pem = std::fs::read(path).map_err(|e| what(format!("cannot read it ({e})")))?;
    let mut store = RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(&pem) {
        let cert = cert.map_err(|e| what(format!("not a PEM certificate file ({e})")))?;
        store
            .add(cert)
            .map_err(|e| what(format!("not a usable CA certificate ({e})")))?;
    }
    if store.is_empty() {
        return Err(what("no certificate in it".into()));
    }
    Ok(Arc::new(store))
}

fn tls_for(p: &Parsed) -> Result<Tls> {
    if p.mode == Mode::Disable {
        return Ok(Tls::Off);
    }
    let roots = p.root.as_deref().map(load_roots).transpose()?;
    Ok(match (p.mode, roots) {
        (Mode::Disable, _) => Tls::Off,
        (Mode::VerifyFull, Some(r)) => Tls::Full(r),
        (_, Some(r)) => Tls::Chain(r),
        (_, None) => Tls::Unverified,
    })
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Checks the TLS handshake signatures, and the certificate chain against
/// `roots` when there are roots; never the host name.
#[derive(Debug)]
struct NoNameCheck {
    roots: Option<Arc<RootCertStore>>,
    algs: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for NoNameCheck {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        if let Some(roots) = &self.roots {
            let cert = ParsedCertificate::try_from(end_entity)?;
            rustls::client::verify_server_cert_signed_by_trust_anchor(
                &cert,
                roots,
                intermediates,
                now,
                self.algs.all,
            )?;
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algs)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algs)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algs.supported_schemes()
    }
}

fn connector(tls: Tls) -> Result<Option<MakeRustlsConnect>> {
    let provider = provider();
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| FleetError::Invalid(format!("TLS setup: {e}")))?;
    let no_name = |roots| NoNameCheck {
        roots,
        algs: provider.signature_verification_algorithms,
    };
    let config = match tls {
        Tls::Off => return Ok(None),
        Tls::Unverified => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(no_name(None)))
            .with_no_client_auth(),
        Tls::Chain(roots) => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(no_name(Some(roots))))
            .with_no_client_auth(),
        Tls::Full(roots) => {
            let verifier = rustls::client::WebPkiServerVerifier::builder_with_provider(
                roots,
                provider.clone(),
            )
            .build()
            .map_err(|e| FleetError::Invalid(format!("TLS setup: {e}")))?;
            builder.with_webpki_verifier(verifier).with_no_client_auth()
        }
    };
    Ok(Some(MakeRustlsConnect::new(config)))
}

/// Check a fleet URL without connecting: it parses, its `sslmode` is known,
/// and the verify modes have a readable `sslrootcert`.
pub fn check_url(url: &str) -> Result<()> {
    let p = parse(url)?;
    tls_for(&p).map(|_| ())
}

/// Connect, with TLS as the URL's `sslmode` says (see the module doc).
pub fn connect(url: &str) -> Result<Client> {
    let p = parse(url)?;
    let tls = tls_for(&p)?;
    let mut cfg = p.cfg;
    if cfg.get_connect_timeout().is_none() {
        cfg.connect_timeout(CONNECT_TIMEOUT);
    }
    cfg.keepalives(true);
    cfg.keepalives_idle(Duration::from_secs(30));
    if cfg.get_application_name().is_none() {
        cfg.application_name("kintsugi-fleet");
    }
    Ok(match connector(tls)? {
        None => cfg.connect(NoTls)?,
        Some(c) => cfg.connect(c)?,
    })
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
    let cfg = parse(url)?.cfg;
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
    fn sslmodes_follow_libpq() {
        for (url, mode) in [
            (
                "postgres://u@127.0.0.1:5432/db?sslmode=disable",
                Mode::Disable,
            ),
            ("postgres://u@localhost/db", Mode::Prefer),
            ("postgres://u@h/db?sslmode=prefer", Mode::Prefer),
            ("postgres://u@h/db?sslmode=require", Mode::Require),
            ("host=h user=u sslmode=require", Mode::Require),
        ] {
            check_url(url).unwrap();
            assert_eq!(parse(url).unwrap().mode, mode, "{url}");
        }
        assert_eq!(
            parse("postgres://u@h/db?sslmode=disable")
                .unwrap()
                .cfg
                .get_ssl_mode(),
            SslMode::Disable
        );
        let err = check_url("postgres://u@h/db?sslmode=sometimes")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("sslmode=sometimes") && err.contains("verify-full"),
            "{err}"
        );
        assert!(check_url("postgres://u@h/db?sslmode=allow").is_err());
        assert!(check_url("mysql://x").is_err());
    }

    #[test]
    fn verify_modes_need_a_readable_root_cert() {
        for mode in ["verify-ca", "verify-full"] {
            let err = check_url(&format!("postgres://u:pw@h/db?sslmode={mode}"))
                .unwrap_err()
                .to_string();
            assert!(err.contains("sslrootcert=PATH"), "{err}");
            assert!(!err.contains("pw"), "{err}");
            let err = check_url(&format!(
                "postgres://u@h/db?sslmode={mode}&sslrootcert=/nonexistent/ca.crt"
            ))
            .unwrap_err()
            .to_string();
            assert!(
                err.contains("/nonexistent/ca.crt") && err.contains("cannot read"),
                "{err}"
            );
        }
        let dir = tempfile::tempdir().unwrap();
        let junk = dir.path().join("junk.crt");
        std::fs::write(&junk, "not a certificate").unwrap();
        let err = check_url(&format!(
            "postgres://u@h/db?sslmode=verify-full&sslrootcert={}",
            junk.display()
        ))
        .unwrap_err()
        .to_string();
        assert!(err.contains("no certificate"), "{err}");
        assert!(check_url("postgres://u@h/db?sslmode=verify-ca&sslrootcert=system").is_err());
    }

    #[test]
    fn tls_params_are_taken_out_of_the_url() {
        let (rest, mode, root) = split_tls_params(
            "postgres://u@h:1/db?application_name=x&sslrootcert=%2Ftmp%2Fca.crt&sslmode=verify-full",
        );
        assert_eq!(rest, "postgres://u@h:1/db?application_name=x");
        assert_eq!(mode.as_deref(), Some("verify-full"));
        assert_eq!(root.as_deref(), Some("/tmp/ca.crt"));
        let (rest, _, root) = split_tls_params("host=h sslrootcert=/ca.pem dbname=d");
        assert_eq!(
            (rest.as_str(), root.as_deref()),
            ("host=h dbname=d", Some("/ca.pem"))
        );
        let p = parse("postgres://u@h/db?sslmode=verify-ca&sslrootcert=/x").unwrap();
        assert_eq!(p.cfg.get_ssl_mode(), SslMode::Require);
        assert_eq!(
            target_key("postgres://u@h:2/d?sslmode=verify-full&sslrootcert=/x").unwrap(),
            "u@h:2/d"
        );
    }

    #[test]
    fn passwords_never_reach_messages_or_keys() {
        let url = "postgres://u:secret@h:5/db?sslmode=disable";
        assert!(!redact(url).contains("secret"));
        let key = target_key(url).unwrap();
        assert_eq!(key, "u@h:5/db");
    }
}
