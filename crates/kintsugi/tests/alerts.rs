//! `[alerts]` end to end through a real daemon: the desktop notification
//! captured on a real session bus (`dbus-daemon --session` and a test
//! notification server that records `Notify` calls and serves the portal's
//! `OpenURI`), the webhook received by a local HTTP server that answers 500
//! first, a dead webhook that never delays a verdict, no session bus, and
//! the default config sending nothing.

mod common;
use common::*;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use zbus::zvariant::{OwnedObjectPath, OwnedValue};

/// Start the daemon with extra environment (the session bus address).
fn start_with(sb: &mut Sandbox, env: &[(&str, &str)]) {
    let child = sb
        .cmd()
        .envs(env.iter().copied())
        .args(["daemon", "--log", "warn"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    sb.child = Some(child);
    wait_for(&sb.socket());
}

fn status_json(sb: &Sandbox) -> serde_json::Value {
    let out = sb.run(&["status", "--json"]);
    assert!(out.status.success(), "{}", text(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn wait_until<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// The daemon's thread names (`/proc/PID/task/*/comm`).
fn thread_names(pid: u32) -> Vec<String> {
    std::fs::read_dir(format!("/proc/{pid}/task"))
        .unwrap()
        .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("comm")).ok())
        .map(|s| s.trim().to_string())
        .collect()
}

// ---------------------------------------------------------------- D-Bus --

struct Bus {
    child: Child,
    address: String,
}

impl Drop for Bus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A private session bus in `dir`.
fn session_bus(dir: &std::path::Path) -> Bus {
    let mut child = Command::new("dbus-daemon")
        .args([
            "--session",
            "--nofork",
            "--print-address=1",
            &format!("--address=unix:path={}", dir.join("bus").display()),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("dbus-daemon (package dbus) is needed for this test");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(line.starts_with("unix:"), "dbus-daemon said {line:?}");
    Bus {
        child,
        address: line.trim().to_string(),
    }
}

#[derive(Debug, Clone)]
struct Notified {
    id: u32,
    app: String,
    summary: String,
    body: String,
    actions: Vec<String>,
    urgency: Option<u8>,
}

#[derive(Default, Clone)]
struct Seen {
    notified: Arc<Mutex<Vec<Notified>>>,
    opened: Arc<Mutex<Vec<String>>>,
}

struct Notifications {
    seen: Seen,
    caps: Vec<String>,
}

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl Notifications {
    fn get_capabilities(&self) -> Vec<String> {
        self.caps.clone()
    }

    #[allow(clippy::too_many_arguments)]
    fn notify(
        &self,
        app_name: String,
        _replaces_id: u32,
        _app_icon: String,
        summary: String,
        body: String,
        actions: Vec<String>,
        hints: HashMap<String, OwnedValue>,
        _expire_timeout: i32,
    ) -> u32 {
        let mut n = self.seen.notified.lock().unwrap();
        let id = 100 + n.len() as u32;
        n.push(Notified {
            id,
            app: app_name,
            summary,
            body,
            actions,
            urgency: hints.get("urgency").and_then(|v| u8::try_from(v).ok()),
        });
        id
    }

    fn get_server_information(&self) -> (String, String, String, String) {
        ("test".into(), "kintsugi".into(), "1".into(), "1.2".into())
    }
}

struct Portal {
    seen: Seen,
}

#[zbus::interface(name = "org.freedesktop.portal.OpenURI")]
impl Portal {
    #[zbus(name = "OpenURI")]
    fn open_uri(
        &self,
        _parent_window: String,
        uri: String,
        _options: HashMap<String, OwnedValue>,
    ) -> OwnedObjectPath {
        self.seen.opened.lock().unwrap().push(uri);
        OwnedObjectPath::try_from("/org/freedesktop/portal/desktop/request/1/t").unwrap()
    }
}

/// A notification server (and desktop portal) on `address`; send
/// `(id, action)` to make it emit `ActionInvoked`, as a click would.
fn notification_server(
    address: &str,
    caps: &[&str],
) -> (Seen, tokio::sync::mpsc::UnboundedSender<(u32, String)>) {
    let seen = Seen::default();
    let (click_tx, mut click_rx) = tokio::sync::mpsc::unbounded_channel::<(u32, String)>();
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let address = address.to_string();
    let caps: Vec<String> = caps.iter().map(|c| c.to_string()).collect();
    let server_seen = seen.clone();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let conn = zbus::connection::Builder::address(address.as_str())
                .unwrap()
                .name("org.freedesktop.Notifications")
                .unwrap()
                .name("org.freedesktop.portal.Desktop")
                .unwrap()
                .serve_at(
                    "/org/freedesktop/Notifications",
                    Notifications {
                        seen: server_seen.clone(),
                        caps,
                    },
                )
                .unwrap()
                .serve_at(
                    "/org/freedesktop/portal/desktop",
                    Portal { seen: server_seen },
                )
                .unwrap()
                .build()
                .await
                .unwrap();
            ready_tx.send(()).unwrap();
            while let Some((id, key)) = click_rx.recv().await {
                conn.emit_signal(
                    None::<&str>,
                    "/org/freedesktop/Notifications",
                    "org.freedesktop.Notifications",
                    "ActionInvoked",
                    &(id, key.as_str()),
                )
                .await
                .unwrap();
            }
        });
    });
    ready_rx.recv_timeout(Duration::from_secs(10)).unwrap();
    (seen, click_tx)
}

#[test]
fn a_hold_becomes_a_desktop_notification_with_open_and_never_approve() {
    let mut sb = Sandbox::new();
    let bus = session_bus(sb.root());
    let (seen, click) = notification_server(&bus.address, &["body", "actions", "body-markup"]);
    sb.write_config("[alerts]\ndesktop = true\nopen_url = \"http://127.0.0.1:7777/room\"\n");
    start_with(&mut sb, &[("DBUS_SESSION_BUS_ADDRESS", &bus.address)]);
    let mut c = Conn::open(&sb.socket());
    let v = c
        .ask(&propose("rm -rf ~/old && echo gone > log", "/tmp"))
        .unwrap();
    assert_eq!(v["decision"], "hold", "{v}");
    let id = v["pending"].as_str().unwrap().to_string();

    let n = wait_until("the Notify call", || {
        seen.notified.lock().unwrap().first().cloned()
    });
    assert_eq!(n.app, "Kintsugi");
    assert!(n.summary.contains("held for you"), "{n:?}");
    assert!(n.summary.contains(v["class"].as_str().unwrap()), "{n:?}");
    // The server renders markup, so the command's `&` and `>` are escaped.
    assert!(
        n.body
            .starts_with("rm -rf ~/old &amp;&amp; echo gone &gt; log\ntest in /tmp\n"),
        "{n:?}"
    );
    assert!(n.body.contains("Expires in 60 min"), "{n:?}");
    assert!(n.body.contains(&format!("kintsugi approve {id}")), "{n:?}");
    assert_eq!(n.urgency, Some(2), "a hold is critical: {n:?}");
    assert_eq!(n.actions, vec!["open".to_string(), "Open".to_string()]);
    assert!(
        !n.actions
            .iter()
            .any(|a| a.to_lowercase().contains("approv")),
        "{n:?}"
    );

    // A click on "Open" asks the desktop portal to open the control room.
    click.send((n.id, "open".into())).unwrap();
    let url = wait_until("the OpenURI call", || {
        seen.opened.lock().unwrap().first().cloned()
    });
    assert_eq!(url, "http://127.0.0.1:7777/room");
    // A click on someone else's notification opens nothing.
    click.send((9999, "open".into())).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(seen.opened.lock().unwrap().len(), 1);

    // An allowed command is not announced; a deny is not either by default.
    assert_eq!(c.ask(&propose("ls", "/tmp")).unwrap()["decision"], "allow");
    let s = status_json(&sb);
    assert_eq!(s["alerts"]["desktop"]["delivered"], 1, "{s}");
    assert_eq!(s["alerts"]["desktop"]["target"], "session bus", "{s}");
    assert!(s["alerts"]["desktop"]["last_delivery"].is_string(), "{s}");
    assert!(s["alerts"].get("webhook").is_none(), "{s}");
    assert_eq!(seen.notified.lock().unwrap().len(), 1);
    let human = text(&sb.run(&["status"]));
    assert!(
        human.contains("alerts desktop  session bus: 1 delivered, 0 failed, 0 dropped"),
        "{human}"
    );
}

#[test]
fn without_actions_no_button_is_offered() {
    let mut sb = Sandbox::new();
    let bus = session_bus(sb.root());
    let (seen, _click) = notification_server(&bus.address, &["body"]);
    sb.write_config(
        "[alerts]\ndesktop = true\nopen_url = \"http://127.0.0.1:7777/\"\non_deny = true\n",
    );
    start_with(&mut sb, &[("DBUS_SESSION_BUS_ADDRESS", &bus.address)]);
    let mut c = Conn::open(&sb.socket());
    assert_eq!(
        c.ask(&propose("rm -rf ~/x", "/tmp")).unwrap()["decision"],
        "hold"
    );
    let n = wait_until("the Notify call", || {
        seen.notified.lock().unwrap().first().cloned()
    });
    assert!(n.actions.is_empty(), "{n:?}");
    // Without body-markup the text is sent as written.
    assert!(n.body.starts_with("rm -rf ~/x\n"), "{n:?}");
}

#[test]
fn no_session_bus_skips_with_one_log_line_and_verdicts_go_on() {
    let mut sb = Sandbox::new();
    sb.write_config("[alerts]\ndesktop = true\n");
    let nowhere = format!("unix:path={}", sb.root().join("no-bus").display());
    start_with(&mut sb, &[("DBUS_SESSION_BUS_ADDRESS", &nowhere)]);
    let mut c = Conn::open(&sb.socket());
    for i in 0..3 {
        let v = c
            .ask(&propose(&format!("rm -rf ~/old{i}"), "/tmp"))
            .unwrap();
        assert_eq!(v["decision"], "hold", "{v}");
    }
    let s = wait_until("three failed desktop alerts", || {
        let s = status_json(&sb);
        (s["alerts"]["desktop"]["failed"] == 3).then_some(s)
    });
    assert!(
        s["alerts"]["desktop"]["last_error"]
            .as_str()
            .unwrap()
            .contains("no session bus"),
        "{s}"
    );
    sb.signal("TERM");
    let (_, log) = sb.wait_exit();
    assert_eq!(
        log.matches("desktop notifications skipped").count(),
        1,
        "{log}"
    );
}

#[test]
fn the_default_config_starts_no_alert_thread_and_sends_nothing() {
    let mut sb = Sandbox::new();
    let bus = session_bus(sb.root());
    let (seen, _click) = notification_server(&bus.address, &["body", "actions"]);
    start_with(&mut sb, &[("DBUS_SESSION_BUS_ADDRESS", &bus.address)]);
    let mut c = Conn::open(&sb.socket());
    assert_eq!(
        c.ask(&propose("rm -rf ~/x", "/tmp")).unwrap()["decision"],
        "hold"
    );
    std::thread::sleep(Duration::from_millis(500));
    assert!(seen.notified.lock().unwrap().is_empty());
    let names = thread_names(sb.pid());
    assert!(!names.iter().any(|n| n.starts_with("alerts")), "{names:?}");
    assert!(status_json(&sb).get("alerts").is_none());
}

// -------------------------------------------------------------- webhook --

#[derive(Debug, Clone)]
struct Received {
    head: String,
    body: Vec<u8>,
    at: Instant,
}

/// A local HTTP server answering each request with the next status of
/// `answers` (the last one repeats); records every request.
fn http_server(answers: Vec<u16>) -> (u16, Arc<Mutex<Vec<Received>>>) {
    serve(answers, None)
}

/// The same over TLS with `tls`.
fn serve(
    answers: Vec<u16>,
    tls: Option<Arc<rustls::ServerConfig>>,
) -> (u16, Arc<Mutex<Vec<Received>>>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let got = Arc::new(Mutex::new(Vec::new()));
    let rec = got.clone();
    std::thread::spawn(move || {
        for (i, s) in l.incoming().enumerate() {
            let Ok(s) = s else { return };
            s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            let code = answers[i.min(answers.len() - 1)];
            match &tls {
                None => answer(s, code, &rec),
                Some(cfg) => {
                    let conn = rustls::ServerConnection::new(cfg.clone()).unwrap();
                    answer(rustls::StreamOwned::new(conn, s), code, &rec)
                }
            }
        }
    });
    (port, got)
}

fn answer<S: Read + Write>(mut s: S, code: u16, rec: &Mutex<Vec<Received>>) {
    let mut r = BufReader::new(&mut s);
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        head.push_str(&line);
    }
    let len = head
        .lines()
        .find_map(|l| l.strip_prefix("Content-Length: "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; len];
    // A client that gave up (e.g. refused the certificate) sent no request.
    if head.is_empty() || r.read_exact(&mut body).is_err() {
        return;
    }
    drop(r);
    rec.lock().unwrap().push(Received {
        head,
        body,
        at: Instant::now(),
    });
    let _ = write!(s, "HTTP/1.1 {code} X\r\nContent-Length: 0\r\n\r\n");
    let _ = s.flush();
}

/// A throwaway CA and a `localhost` server certificate signed by it
/// (openssl, as scripts/pg-test-server makes them); the server's TLS setup.
fn test_ca(dir: &std::path::Path) -> Arc<rustls::ServerConfig> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    let run = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("openssl is needed for this test");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&[
        &["req", "-x509"][..],
        &ec,
        &[
            "-days",
            "1",
            "-subj",
            "/CN=kintsugi test CA",
            "-keyout",
            "ca.key",
            "-out",
            "ca.crt",
        ],
    ]
    .concat());
    run(&[
        &["req"][..],
        &ec,
        &[
            "-subj",
            "/CN=localhost",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
        ],
    ]
    .concat());
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    run(&[
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
        "1",
        "-extfile",
        "server.ext",
        "-out",
        "server.crt",
    ]);
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(dir.join("server.crt"))
        .unwrap()
        .map(|c| c.unwrap())
        .collect();
    let key = PrivateKeyDer::from_pem_file(dir.join("server.key")).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let cfg = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    Arc::new(cfg)
}

#[test]
fn an_https_webhook_is_verified_against_the_configured_ca() {
    let sb = Sandbox::new();
    let tls = test_ca(sb.root());
    let (port, got) = serve(vec![200], Some(tls));
    // Without the CA (the system bundle only) the certificate is refused.
    let mut plain = Sandbox::new();
    plain.write_config(&format!(
        "[alerts]\nwebhook = \"https://localhost:{port}/h\"\n"
    ));
    plain.start();
    let mut c = Conn::open(&plain.socket());
    assert_eq!(
        c.ask(&propose("rm -rf ~/x", "/tmp")).unwrap()["decision"],
        "hold"
    );
    let s = wait_until("a certificate error", || {
        let s = status_json(&plain);
        s["alerts"]["webhook"]["last_error"]
            .is_string()
            .then_some(s)
    });
    let e = s["alerts"]["webhook"]["last_error"].as_str().unwrap();
    assert!(e.to_lowercase().contains("certificate"), "{e}");
    assert!(
        got.lock().unwrap().is_empty(),
        "{e} {:?}",
        got.lock().unwrap()
    );
    drop(plain);

    let mut sb = sb;
    sb.write_config(&format!(
        "[alerts]\nwebhook = \"https://localhost:{port}/h\"\nca_file = \"{}\"\nformat = \"slack\"\n",
        sb.root().join("ca.crt").display()
    ));
    sb.start();
    let mut c = Conn::open(&sb.socket());
    assert_eq!(
        c.ask(&propose("rm -rf ~/x", "/tmp")).unwrap()["decision"],
        "hold"
    );
    let r = wait_until("the https request", || got.lock().unwrap().first().cloned());
    assert!(r.head.starts_with("POST /h HTTP/1.1\r\n"), "{}", r.head);
    let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    let text = body["text"].as_str().unwrap();
    assert!(
        text.contains("```rm -rf ~/x```") && text.contains("held for you"),
        "{text}"
    );
    let s = wait_until("the delivery", || {
        let s = status_json(&sb);
        (s["alerts"]["webhook"]["delivered"] == 1).then_some(s)
    });
    assert_eq!(
        s["alerts"]["webhook"]["target"], "https://localhost (slack)",
        "{s}"
    );
}

#[test]
fn the_webhook_gets_each_hold_as_json_and_is_retried_after_a_500() {
    let (port, got) = http_server(vec![500, 200]);
    let mut sb = Sandbox::new();
    sb.write_config(&format!(
        "[alerts]\nwebhook = \"http://127.0.0.1:{port}/hook?t=1\"\n"
    ));
    sb.start();
    let mut c = Conn::open(&sb.socket());
    let token = "ghp_0123456789abcdefABCDEF0123456789abcd";
    let v = c
        .ask(&propose(
            &format!("GITHUB_TOKEN={token} rm -rf ~/old"),
            "/tmp",
        ))
        .unwrap();
    assert_eq!(v["decision"], "hold", "{v}");
    let reqs = wait_until("two webhook requests", || {
        let g = got.lock().unwrap();
        (g.len() >= 2).then(|| g.clone())
    });
    // The retry waited the first backoff (500 ms).
    let gap = reqs[1].at - reqs[0].at;
    assert!(gap >= Duration::from_millis(450), "{gap:?}");
    assert_eq!(reqs[0].body, reqs[1].body);
    assert!(
        reqs[1].head.starts_with("POST /hook?t=1 HTTP/1.1\r\n"),
        "{}",
        reqs[1].head
    );
    assert!(reqs[1].head.contains("Content-Type: application/json"));
    let body: serde_json::Value = serde_json::from_slice(&reqs[1].body).unwrap();
    assert_eq!(body["kind"], "hold", "{body}");
    assert_eq!(body["id"], v["pending"], "{body}");
    assert_eq!(body["class"], v["class"], "{body}");
    assert_eq!(body["rule"], v["rule"], "{body}");
    assert_eq!(body["agent"], "test");
    assert_eq!(body["cwd"], "/tmp");
    assert_eq!(body["expires_in_secs"], 3600);
    let command = body["command"].as_str().unwrap();
    assert!(command.contains("rm -rf ~/old"), "{body}");
    assert!(
        !String::from_utf8_lossy(&reqs[1].body).contains(token),
        "the secret left the machine: {body}"
    );
    let s = wait_until("the delivery in status", || {
        let s = status_json(&sb);
        (s["alerts"]["webhook"]["delivered"] == 1).then_some(s)
    });
    let w = &s["alerts"]["webhook"];
    assert_eq!(w["target"], "http://127.0.0.1 (json)", "{s}");
    assert_eq!(
        (w["failed"].as_u64(), w["dropped"].as_u64()),
        (Some(0), Some(0))
    );
    assert!(w["last_delivery"].is_string(), "{s}");
    assert!(
        !s.to_string().contains("hook?t=1"),
        "status shows the path: {s}"
    );
}

#[test]
fn ntfy_format_posts_text_with_title_and_priority_and_denies_when_asked() {
    let (port, got) = http_server(vec![200]);
    let mut sb = Sandbox::new();
    sb.write_config(&format!(
        "mode = \"unattended\"\n[alerts]\nwebhook = \"http://localhost:{port}/kintsugi\"\nformat = \"ntfy\"\non_deny = true\n"
    ));
    sb.start();
    let mut c = Conn::open(&sb.socket());
    let v = c.ask(&propose("rm -rf ~/old", "/tmp")).unwrap();
    assert_eq!(v["decision"], "deny", "{v}");
    let r = wait_until("the ntfy request", || got.lock().unwrap().first().cloned());
    assert!(
        r.head.starts_with("POST /kintsugi HTTP/1.1\r\n"),
        "{}",
        r.head
    );
    assert!(r.head.contains("Content-Type: text/plain"), "{}", r.head);
    assert!(r.head.contains("Title: Kintsugi: "), "{}", r.head);
    assert!(r.head.contains("command denied on "), "{}", r.head);
    assert!(r.head.contains("Priority: default\r\n"), "{}", r.head);
    let body = String::from_utf8(r.body).unwrap();
    assert!(body.starts_with("rm -rf ~/old\ntest in /tmp\n"), "{body}");
}

/// A webhook that accepts the connection and never answers (its TLS
/// handshake never completes) costs the verdicts nothing: each proposal is
/// timed with and without it. The host is loopback: tests send nothing off
/// this machine.
#[test]
fn a_dead_webhook_never_delays_a_verdict() {
    fn timings(sb: &Sandbox, n: usize) -> Vec<Duration> {
        let mut c = Conn::open(&sb.socket());
        (0..n)
            .map(|i| {
                let t = Instant::now();
                let v = c
                    .ask(&propose(&format!("rm -rf ~/old{i}"), "/tmp"))
                    .unwrap();
                assert_eq!(v["decision"], "hold", "{v}");
                t.elapsed()
            })
            .collect()
    }
    fn median(mut v: Vec<Duration>) -> Duration {
        v.sort();
        v[v.len() / 2]
    }
    const N: usize = 15;
    let mut base = Sandbox::new();
    base.start();
    let baseline = timings(&base, N);

    let hole = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = hole.local_addr().unwrap().port();
    let mut sb = Sandbox::new();
    sb.write_config(&format!(
        "[alerts]\nwebhook = \"https://localhost:{port}/hook\"\ntimeout_ms = 300\n"
    ));
    sb.start();
    let dead = timings(&sb, N);
    let (b, d) = (median(baseline), median(dead.clone()));
    eprintln!("propose latency, median of {N} holds: no alerts {b:?}, dead webhook {d:?}");
    let worst = dead.iter().max().unwrap();
    assert!(
        *worst < Duration::from_secs(1),
        "a verdict waited {worst:?}"
    );
    // The sender is retrying meanwhile, and says why.
    let s = wait_until("a webhook error in status", || {
        let s = status_json(&sb);
        s["alerts"]["webhook"]["last_error"]
            .is_string()
            .then_some(s)
    });
    let e = s["alerts"]["webhook"]["last_error"].as_str().unwrap();
    assert!(e.contains("timed out") && e.contains("attempt"), "{e}");
    assert_eq!(s["alerts"]["webhook"]["delivered"], 0, "{s}");
    drop(hole);
}

#[test]
fn limits_lists_the_alert_limits_from_the_constants() {
    let sb = Sandbox::new();
    let out = text(&sb.run(&["limits"]));
    let flat = out.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("- alerts ([alerts], off unless"), "{out}");
    assert!(
        flat.contains(&format!(
            "queue of {} (desktop) / {} (webhook)",
            kintsugi_daemon::DESKTOP_QUEUE_LEN,
            kintsugi_daemon::WEBHOOK_QUEUE_LEN
        )),
        "{out}"
    );
    assert!(
        flat.contains(&format!(
            "{} attempts of at most 5000 ms",
            kintsugi_daemon::WEBHOOK_ATTEMPTS
        )),
        "{out}"
    );
}
