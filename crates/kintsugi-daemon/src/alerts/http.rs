//! A minimal blocking HTTP/1.1 POST for the webhook: one request per
//! connection (`Connection: close`), TLS through rustls for `https`, every
//! step under one deadline, and only the status line read back.

use super::message::Request;
use crate::config::WebhookUrl;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, RootCertStore};
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Where the system's CA bundle is looked for (Debian/Ubuntu, Fedora/RHEL,
/// Alpine/Arch), first readable one wins.
pub const SYSTEM_CA_BUNDLES: &[&str] = &[
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/cert.pem",
];
/// The longest status line read back from a webhook.
pub const MAX_STATUS_LINE: usize = 8 * 1024;

/// The TLS client settings: the roots from `ca_file`, else the system bundle.
pub fn tls_config(ca_file: Option<&Path>) -> Result<Arc<ClientConfig>, String> {
    let (path, pem) = match ca_file {
        Some(p) => (
            p.to_path_buf(),
            std::fs::read(p).map_err(|e| format!("[alerts] ca_file {}: {e}", p.display()))?,
        ),
        None => SYSTEM_CA_BUNDLES
            .iter()
            .find_map(|p| {
                std::fs::read(p)
                    .ok()
                    .map(|b| (Path::new(p).to_path_buf(), b))
            })
            .ok_or_else(|| {
                format!(
                    "no system CA bundle found (looked at {}); set [alerts] ca_file",
                    SYSTEM_CA_BUNDLES.join(", ")
                )
            })?,
    };
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(&pem).flatten() {
        let _ = roots.add(cert);
    }
    if roots.is_empty() {
        return Err(format!("no usable CA certificate in {}", path.display()));
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS setup: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// POST `req` to `url` within `timeout`; the HTTP status code, or why none
/// came back.
pub fn post(
    url: &WebhookUrl,
    req: &Request,
    tls: Option<&Arc<ClientConfig>>,
    timeout: Duration,
) -> Result<u16, String> {
    let deadline = Instant::now() + timeout;
    let left = || {
        deadline
            .checked_duration_since(Instant::now())
            .filter(|d| !d.is_zero())
            .ok_or_else(|| format!("timed out after {} ms", timeout.as_millis()))
    };
    let addrs: Vec<_> = (url.host.as_str(), url.port)
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve {}: {e}", url.host))?
        .collect();
    let mut last = format!("{} has no address", url.host);
    let mut stream = None;
    for addr in addrs {
        match TcpStream::connect_timeout(&addr, left()?) {
            Ok(s) => {
                stream = Some(s);
                break;
            }
            Err(e) => last = format!("cannot connect to {addr}: {e}"),
        }
    }
    let tcp = stream.ok_or(last)?;
    tcp.set_nodelay(true).ok();
    let head = request_head(url, req);
    if url.tls {
        let config = tls.ok_or("https needs a TLS setup")?.clone();
        let name = ServerName::try_from(url.host.clone())
            .map_err(|e| format!("bad TLS server name {}: {e}", url.host))?;
        let conn = rustls::ClientConnection::new(config, name).map_err(|e| e.to_string())?;
        let mut s = rustls::StreamOwned::new(conn, tcp);
        exchange(
            &mut s,
            |s, d| {
                s.sock
                    .set_read_timeout(Some(d))
                    .and(s.sock.set_write_timeout(Some(d)))
            },
            &head,
            &req.body,
            &left,
        )
    } else {
        let mut s = tcp;
        exchange(
            &mut s,
            |s, d| {
                s.set_read_timeout(Some(d))
                    .and(s.set_write_timeout(Some(d)))
            },
            &head,
            &req.body,
            &left,
        )
    }
}

fn request_head(url: &WebhookUrl, req: &Request) -> String {
    let host = if url.host.contains(':') {
        format!("[{}]", url.host)
    } else {
        url.host.clone()
    };
    let default_port = if url.tls { 443 } else { 80 };
    let host = if url.port == default_port {
        host
    } else {
        format!("{host}:{}", url.port)
    };
    let mut head = format!(
        "POST {} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: kintsugi/{}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n",
        url.path,
        env!("CARGO_PKG_VERSION"),
        req.content_type,
        req.body.len()
    );
    for (k, v) in &req.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    head
}

/// Send the request and read the status line, each I/O step bounded by
/// what is left of the deadline.
fn exchange<S: Read + Write>(
    s: &mut S,
    set_timeouts: impl Fn(&S, Duration) -> std::io::Result<()>,
    head: &str,
    body: &[u8],
    left: &dyn Fn() -> Result<Duration, String>,
) -> Result<u16, String> {
    let io = |e: std::io::Error| match e.kind() {
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => "timed out".to_string(),
        _ => e.to_string(),
    };
    set_timeouts(&*s, left()?).map_err(io)?;
    s.write_all(head.as_bytes()).map_err(io)?;
    set_timeouts(&*s, left()?).map_err(io)?;
    s.write_all(body).map_err(io)?;
    s.flush().map_err(io)?;
    let mut line = Vec::new();
    let mut buf = [0u8; 512];
    while !line.windows(2).any(|w| w == b"\r\n") {
        if line.len() > MAX_STATUS_LINE {
            return Err("the answer's status line is too long".into());
        }
        set_timeouts(&*s, left()?).map_err(io)?;
        let n = s.read(&mut buf).map_err(io)?;
        if n == 0 {
            return Err("the server closed the connection without an answer".into());
        }
        line.extend_from_slice(&buf[..n]);
    }
    let text = String::from_utf8_lossy(&line);
    let mut parts = text.split_whitespace();
    match (
        parts.next(),
        parts.next().and_then(|c| c.parse::<u16>().ok()),
    ) {
        (Some(v), Some(code)) if v.starts_with("HTTP/1.") => Ok(code),
        _ => Err(format!(
            "not an HTTP answer: {:?}",
            super::message::cut(text.lines().next().unwrap_or(""), 80)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::BufRead;
    use std::net::TcpListener;

    fn req() -> Request {
        Request {
            content_type: "application/json",
            headers: vec![("Title", "t".into())],
            body: b"{\"a\":1}".to_vec(),
        }
    }

    #[test]
    fn posts_the_body_and_reads_the_status() {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let server = std::thread::spawn(move || {
            let (s, _) = l.accept().unwrap();
            let mut r = std::io::BufReader::new(s.try_clone().unwrap());
            let mut head = String::new();
            loop {
                let mut line = String::new();
                r.read_line(&mut line).unwrap();
                if line == "\r\n" {
                    break;
                }
                head.push_str(&line);
            }
            let mut body = vec![0u8; 7];
            r.read_exact(&mut body).unwrap();
            (&s).write_all(b"HTTP/1.1 204 No Content\r\n\r\n").unwrap();
            (head, body)
        });
        let url = WebhookUrl::parse(&format!("http://127.0.0.1:{port}/hook?k=1")).unwrap();
        let code = post(&url, &req(), None, Duration::from_secs(5)).unwrap();
        assert_eq!(code, 204);
        let (head, body) = server.join().unwrap();
        assert!(head.starts_with("POST /hook?k=1 HTTP/1.1\r\n"), "{head}");
        assert!(
            head.contains(&format!("Host: 127.0.0.1:{port}\r\n")),
            "{head}"
        );
        assert!(head.contains("Content-Length: 7\r\n") && head.contains("Title: t\r\n"));
        assert_eq!(body, b"{\"a\":1}");
    }

    #[test]
    fn a_silent_server_times_out_within_the_deadline() {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = WebhookUrl::parse(&format!(
            "http://127.0.0.1:{}/",
            l.local_addr().unwrap().port()
        ))
        .unwrap();
        let t = Instant::now();
        let err = post(&url, &req(), None, Duration::from_millis(300)).unwrap_err();
        assert!(err.contains("timed out"), "{err}");
        assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
        drop(l);
    }

    #[test]
    fn tls_roots_come_from_the_ca_file_or_say_what_is_wrong() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("ca.pem");
        std::fs::write(&f, "not a certificate").unwrap();
        let err = tls_config(Some(&f)).unwrap_err();
        assert!(err.contains("no usable CA certificate"), "{err}");
        let err = tls_config(Some(&dir.path().join("missing.pem"))).unwrap_err();
        assert!(err.contains("ca_file"), "{err}");
    }
}
