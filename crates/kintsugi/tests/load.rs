//! The daemon under connection load, against a real daemon and the real
//! binary: subscribers have their own limit and never crowd out the
//! interceptors, a subscriber that stops reading is dropped, and a daemon
//! that turns a request away for load makes `kintsugi exec` and the agent
//! hook block (never run unrecorded), whatever the fail mode.

mod common;
use common::*;
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// Subscribe on a fresh connection; the daemon's first line.
fn try_subscribe(sb: &Sandbox) -> (Conn, serde_json::Value) {
    let mut c = Conn::open(&sb.socket());
    let first = c
        .ask(r#"{"kind":"subscribe"}"#)
        .expect("the daemon answers a subscribe (ack or busy) before closing");
    (c, first)
}

fn is_busy(v: &serde_json::Value) -> bool {
    v["kind"] == "error"
        && v["busy"] == true
        && v["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("busy: "))
}

/// `kintsugi exec -- LINE` in `dir`; (exit code, stderr).
fn exec(sb: &Sandbox, dir: &std::path::Path, line: &str) -> (Option<i32>, String) {
    let out = sb
        .cmd()
        .env_remove("KINTSUGI_FAIL_MODE")
        .current_dir(dir)
        .args(["exec", "--", line])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A project with a `data` dir worth keeping.
fn project_with_data(sb: &Sandbox) -> std::path::PathBuf {
    let proj = sb.project();
    std::fs::create_dir_all(proj.join("data")).unwrap();
    std::fs::write(proj.join("data/keep.txt"), "keep").unwrap();
    proj
}

#[test]
fn eleven_hundred_never_reading_subscribers_cannot_get_a_destructive_command_through() {
    let mut sb = Sandbox::new();
    // Fail mode open: if the flood made the exec gate decide locally, the
    // ambiguous `rm -rf data` would run. It must be held (and time out).
    sb.write_config("fail_mode = \"open\"\nhold_timeout_secs = 1\n");
    sb.start();
    let proj = project_with_data(&sb);

    let mut subscribers = Vec::new();
    let (mut acks, mut busy) = (0, 0);
    for _ in 0..1100 {
        let (c, first) = try_subscribe(&sb);
        if first["kind"] == "ack" {
            acks += 1;
        } else {
            assert!(is_busy(&first), "neither ack nor busy: {first}");
            assert!(
                first["message"]
                    .as_str()
                    .unwrap()
                    .contains("max_subscribers"),
                "{first}"
            );
            busy += 1;
        }
        // Kept open and never read again.
        subscribers.push(c);
    }
    assert_eq!(
        (acks, busy),
        (64, 1036),
        "64 subscribers (the default limit) stream; the rest are told busy"
    );

    // A destructive command through the real binary: held, not run.
    let (code, err) = exec(&sb, &proj, "rm -rf data");
    assert_eq!(code, Some(126), "{err}");
    assert!(
        err.contains("no decision on"),
        "it was held by the daemon: {err}"
    );
    assert!(proj.join("data/keep.txt").exists(), "{err}");

    // A safe proposal still gets the daemon's verdict at once.
    let mut c = Conn::open(&sb.socket());
    let v = c
        .ask(&propose("ls -la", &proj.display().to_string()))
        .unwrap();
    assert_eq!(v["kind"], "verdict", "{v}");
    assert_eq!(v["decision"], "allow", "{v}");
    let log = sb.log_text(10);
    assert!(log.contains("\"raw\":\"rm -rf data\""), "recorded: {log}");
    let status = sb.run(&["status", "--json"]);
    let s: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(s["subscribers"], 64, "{s}");
    assert!(s["refused_busy"].as_u64().unwrap() >= 1036, "{s}");
    drop(subscribers);
}

/// Connections that never send anything fill a table of two; wait until a
/// probe is told busy.
fn fill_table(sb: &Sandbox) -> Vec<Conn> {
    let idle = vec![Conn::open(&sb.socket()), Conn::open(&sb.socket())];
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let mut probe = Conn::open(&sb.socket());
        let answer = probe.ask(r#"{"kind":"status"}"#);
        if answer.as_ref().is_some_and(is_busy) {
            let m = answer.unwrap()["message"].as_str().unwrap().to_string();
            assert!(m.contains("max_connections"), "{m}");
            return idle;
        }
        assert!(Instant::now() < deadline, "never busy: {answer:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_busy_daemon_blocks_what_fail_open_would_have_run_unrecorded() {
    let mut sb = Sandbox::new();
    sb.write_config("fail_mode = \"open\"\nmax_connections = 2\n");
    sb.start();
    let proj = project_with_data(&sb);
    let idle = fill_table(&sb);

    let (code, err) = exec(&sb, &proj, "rm -rf data");
    assert_eq!(code, Some(126), "{err}");
    assert!(err.contains("busy"), "{err}");
    assert!(err.contains("whatever the fail mode"), "{err}");
    assert!(proj.join("data/keep.txt").exists(), "{err}");

    // The agent hook, fail mode open, too.
    let payload = serde_json::json!({
        "session_id": "s-busy",
        "cwd": proj.display().to_string(),
        "hook_event_name": "PreToolUse",
        "tool_name": "Bash",
        "tool_input": {"command": "rm -rf data"},
        "tool_use_id": "toolu_busy",
    })
    .to_string();
    let mut child = sb
        .cmd()
        .env_remove("KINTSUGI_FAIL_MODE")
        .env_remove("KINTSUGI_HOOK_WAIT_SECS")
        .current_dir(&proj)
        .args(["hook", "--agent", "claude"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(payload.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stdout}{stderr}");
    let j: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(j["hookSpecificOutput"]["permissionDecision"], "deny", "{j}");
    assert!(stderr.contains("busy"), "{stderr}");

    // Once the table has room again, the same command gets a verdict.
    drop(idle);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let mut c = Conn::open(&sb.socket());
        let v = c.ask(&propose("rm -rf data", &proj.display().to_string()));
        if let Some(v) = v.filter(|v| v["kind"] == "verdict") {
            assert_eq!(v["decision"], "hold", "{v}");
            break;
        }
        assert!(Instant::now() < deadline, "the table never freed");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn one_process_cannot_fill_the_table() {
    let mut sb = Sandbox::new();
    sb.write_config("max_connections_per_process = 3\n");
    sb.start();
    let mut held = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    let message = loop {
        let mut c = Conn::open(&sb.socket());
        // A status round trip proves the connection holds a slot.
        let v = c.ask(r#"{"kind":"status"}"#).unwrap();
        if is_busy(&v) {
            break v["message"].as_str().unwrap().to_string();
        }
        assert_eq!(v["kind"], "status", "{v}");
        held.push(c);
        assert!(
            Instant::now() < deadline && held.len() <= 3,
            "{}",
            held.len()
        );
    };
    assert_eq!(held.len(), 3, "{message}");
    assert!(message.contains("max_connections_per_process"), "{message}");
    // Another process (the CLI) is still served.
    let out = sb.run(&["status"]);
    assert!(out.status.success(), "{}", text(&out));
}

#[test]
fn a_subscriber_that_stops_reading_is_dropped_and_its_slot_freed() {
    let mut sb = Sandbox::new();
    sb.write_config("max_subscribers = 1\n");
    sb.start();
    let proj = sb.project();
    let mut stalled = UnixStream::connect(sb.socket()).unwrap();
    stalled.write_all(b"{\"kind\":\"subscribe\"}\n").unwrap();
    let mut ack = [0u8; 15];
    stalled.read_exact(&mut ack).unwrap();
    assert_eq!(&ack, b"{\"kind\":\"ack\"}\n", "the ack, read byte by byte");
    let (_, refused) = try_subscribe(&sb);
    assert!(is_busy(&refused), "{refused}");

    // Events far larger than a socket buffer, streamed to a client that
    // never reads: its writes block until the daemon gives up on it.
    let big = format!("echo {}", "x".repeat(64 * 1024));
    let mut c = Conn::open(&sb.socket());
    for _ in 0..16 {
        let v = c.ask(&propose(&big, &proj.display().to_string())).unwrap();
        assert_eq!(v["kind"], "verdict", "{v}");
    }
    let stalled_at = Instant::now();
    let deadline = stalled_at + Duration::from_secs(30);
    let fresh = loop {
        let (c, first) = try_subscribe(&sb);
        if first["kind"] == "ack" {
            break c;
        }
        assert!(is_busy(&first), "{first}");
        assert!(
            Instant::now() < deadline,
            "the stalled subscriber was never dropped"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    drop(fresh);
    // The stalled stream ends: what was buffered (perhaps a cut line), then
    // end of stream.
    stalled
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut rest = Vec::new();
    stalled
        .read_to_end(&mut rest)
        .expect("the daemon closed the stalled stream");
    assert!(
        rest.len() > 64 * 1024,
        "it had received {} bytes",
        rest.len()
    );
}
