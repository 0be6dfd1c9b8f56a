//! The control room's server over real loopback TCP, without a daemon: the
//! connection limit, the login link, 401/403, and a ledger of 100,000
//! events opened (page, script, first page of events, a search) in < 1 s.

use kintsugi_ledger::{DB_FILE, Durability, Ledger, NewEvent};
use kintsugi_web::{MAX_CONNECTIONS, Places, Server};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::{Duration, Instant};

struct Running {
    port: u16,
    login: String,
    _rt: std::thread::JoinHandle<()>,
}

fn start(data_dir: &Path) -> Running {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let places = Places {
        socket: data_dir.join("no-daemon.sock"),
        data_dir: data_dir.to_path_buf(),
        wiring: kintsugi_web::no_wiring,
    };
    let server = rt.block_on(Server::bind(0, places)).unwrap();
    let port = server.port();
    let login = server.login_url();
    let handle = std::thread::spawn(move || {
        let _ = rt.block_on(server.serve());
    });
    Running {
        port,
        login,
        _rt: handle,
    }
}

/// One request; (status, head, body).
fn http(port: u16, method: &str, path: &str, headers: &[(&str, &str)]) -> (u16, String, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut req =
        format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\n");
    for (n, v) in headers {
        req.push_str(&format!("{n}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let (head, body) = out.split_once("\r\n\r\n").unwrap_or((&out, ""));
    let status = head[9..12].parse().unwrap();
    (status, head.to_string(), body.to_string())
}

/// Log in through the one-time link; the `Cookie` header value.
fn login(r: &Running) -> String {
    let path = r.login.split_once(&format!(":{}", r.port)).unwrap().1;
    let (status, head, _) = http(r.port, "GET", path, &[]);
    assert_eq!(status, 303, "{head}");
    assert!(head.contains("Location: /"));
    let cookie = head
        .lines()
        .find_map(|l| l.strip_prefix("Set-Cookie: "))
        .expect("a cookie");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    cookie.split(';').next().unwrap().to_string()
}

#[test]
fn connections_beyond_the_limit_are_answered_503() {
    let dir = tempfile::tempdir().unwrap();
    let r = start(dir.path());
    // Each silent connection holds a slot until its request times out.
    let held: Vec<TcpStream> = (0..MAX_CONNECTIONS)
        .map(|_| TcpStream::connect(("127.0.0.1", r.port)).unwrap())
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    let (status, _, body) = http(r.port, "GET", "/", &[]);
    assert_eq!(status, 503, "{body}");
    assert!(body.contains(&MAX_CONNECTIONS.to_string()), "{body}");
    drop(held);
    // The slots come back once those connections end.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let (status, _, _) = http(r.port, "GET", "/", &[]);
        if status == 401 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "slots never came back ({status})"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn the_login_link_is_one_time_and_everything_else_needs_the_cookie() {
    let dir = tempfile::tempdir().unwrap();
    let r = start(dir.path());
    assert_eq!(http(r.port, "GET", "/api/pending", &[]).0, 401);
    let (status, _, body) = http(r.port, "GET", "/", &[]);
    assert_eq!(status, 401);
    assert!(body.contains("login URL"), "{body}");
    let cookie = login(&r);
    let path = r.login.split_once(&format!(":{}", r.port)).unwrap().1;
    assert_eq!(http(r.port, "GET", path, &[]).0, 403, "a second use");
    let (status, head, body) = http(r.port, "GET", "/", &[("Cookie", &cookie)]);
    assert_eq!(status, 200);
    assert!(head.contains("Content-Security-Policy"));
    assert!(body.contains("Kintsugi control room"));
    // A write without the CSRF token is refused before it reaches anything.
    let (status, _, body) = http(r.port, "POST", "/api/deny/abc", &[("Cookie", &cookie)]);
    assert_eq!(status, 403, "{body}");
    // A request naming another host (DNS rebinding) is refused.
    let mut s = TcpStream::connect(("127.0.0.1", r.port)).unwrap();
    write!(
        s,
        "GET /api/session HTTP/1.1\r\nHost: evil.example\r\nCookie: {cookie}\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    assert!(out.starts_with("HTTP/1.1 403"), "{out}");
    // Without a daemon, daemon-backed calls say so (502), not crash.
    let (status, _, body) = http(r.port, "GET", "/api/pending", &[("Cookie", &cookie)]);
    assert_eq!(status, 502, "{body}");
    assert!(body.contains("cannot reach the daemon"), "{body}");
}

#[test]
fn a_hundred_thousand_events_open_in_under_a_second() {
    const N: usize = 100_000;
    let dir = tempfile::tempdir().unwrap();
    {
        let mut ledger = Ledger::open(&dir.path().join(DB_FILE), Durability::Normal).unwrap();
        let batch: Vec<NewEvent> = (0..1000)
            .map(|i| NewEvent {
                kind: "propose".into(),
                agent: if i % 2 == 0 { "claude" } else { "codex" }.into(),
                cwd: "/work/p".into(),
                raw: format!("cargo test --package p{i}"),
                class: Some("safe".into()),
                decision: Some("allow".into()),
                ..Default::default()
            })
            .collect();
        for _ in 0..N / 1000 {
            ledger.append(&batch, "2026-12-01T00:00:00Z").unwrap();
        }
        let needle = NewEvent {
            kind: "propose".into(),
            agent: "claude".into(),
            cwd: "/work/p".into(),
            raw: "rm -rf needle-in-haystack".into(),
            class: Some("catastrophic".into()),
            decision: Some("deny".into()),
            ..Default::default()
        };
        ledger.append(&[needle], "2026-12-01T00:00:01Z").unwrap();
        // And bury it under more events so the search must scan.
        for _ in 0..5 {
            ledger.append(&batch, "2026-12-01T00:00:02Z").unwrap();
        }
        ledger.close().unwrap();
    }
    let r = start(dir.path());
    let cookie = login(&r);
    let c = [("Cookie", cookie.as_str())];
    let t0 = Instant::now();
    assert_eq!(http(r.port, "GET", "/", &c).0, 200);
    assert_eq!(http(r.port, "GET", "/app.js", &c).0, 200);
    assert_eq!(http(r.port, "GET", "/style.css", &c).0, 200);
    let (status, _, body) = http(r.port, "GET", "/api/events", &c);
    let opened = t0.elapsed();
    assert_eq!(status, 200, "{body}");
    let page: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        page["events"].as_array().unwrap().len(),
        kintsugi_web::data::DEFAULT_PAGE
    );
    assert_eq!(page["events"][0]["seq"], (N + 1 + 5000) as u64);
    let t1 = Instant::now();
    let (status, _, body) = http(r.port, "GET", "/api/events?text=needle&decision=deny", &c);
    let searched = t1.elapsed();
    assert_eq!(status, 200);
    let found: serde_json::Value = serde_json::from_str(&body).unwrap();
    let events = found["events"].as_array().unwrap();
    assert_eq!(events.len(), 1, "{body}");
    assert_eq!(events[0]["raw"], "rm -rf needle-in-haystack");
    assert!(found["next_before"].is_null());
    // Paging: the cursor walks on without repeating.
    let before = page["next_before"].as_u64().unwrap();
    let (_, _, body) = http(
        r.port,
        "GET",
        &format!("/api/events?before={before}&limit=3"),
        &c,
    );
    let next: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(next["events"][0]["seq"], before - 1);
    eprintln!(
        "100k-event ledger: page + script + style + first page of events in {} ms; full-ledger search in {} ms",
        opened.as_millis(),
        searched.as_millis()
    );
    assert!(opened < Duration::from_secs(1), "opened in {opened:?}");
    assert!(
        searched < Duration::from_secs(1),
        "searched in {searched:?}"
    );
}
