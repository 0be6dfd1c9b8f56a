//! The seed protocol over a real socket: every request kind, the errors for
//! every kind of bad input, and the connection limits.

mod common;
use common::*;
use std::time::{Duration, Instant};

#[test]
fn every_request_kind_is_answered() {
    let mut sb = Sandbox::new();
    sb.start();
    let mut c = Conn::open(&sb.socket());

    let v = c.ask(&propose("ls -la", "/tmp")).unwrap();
    assert_eq!(v["kind"], "verdict");
    assert!(v["event"].as_u64().unwrap() >= 1);
    assert!(v["rule"].is_string() && v["reason"].is_string());

    let held = c.ask(&propose("rm -rf ~", "/tmp")).unwrap();
    assert_eq!(held["decision"], "hold", "{held}");
    let id = held["pending"].as_str().unwrap().to_string();

    let cmd = serde_json::json!({"id": uuid_like(), "ts": "2026-11-24T00:00:00Z", "agent": "recorder",
        "cwd": "/tmp", "argv": ["ls"], "raw": "ls"});
    let mut record = cmd.clone();
    record["kind"] = "record".into();
    assert_eq!(c.ask(&record.to_string()).unwrap()["kind"], "ack");
    // `resolve` answers only for a held command: `ls` was never held.
    let resolve = serde_json::json!({"kind": "resolve", "command": cmd, "decision": "deny", "remember": false});
    let refused = c.ask(&resolve.to_string()).unwrap();
    assert_eq!(refused["kind"], "error", "{refused}");
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("no held command"),
        "{refused}"
    );
    let mut second: serde_json::Value =
        serde_json::from_str(&propose("rm -rf ~/old", "/tmp")).unwrap();
    assert_eq!(c.ask(&second.to_string()).unwrap()["decision"], "hold");
    second.as_object_mut().unwrap().remove("kind");
    let resolve = serde_json::json!({"kind": "resolve", "command": second, "decision": "deny", "remember": false});
    assert_eq!(c.ask(&resolve.to_string()).unwrap()["kind"], "ack");
    let observe = r#"{"kind":"observe","change":"removed","path":"/home/dev/proj/src/main.rs"}"#;
    assert_eq!(c.ask(observe).unwrap(), serde_json::json!({"kind": "ack"}));

    let list = c.ask(r#"{"kind":"listpending"}"#).unwrap();
    assert_eq!(list["kind"], "pendinglist");
    assert_eq!(list["items"][0]["id"], id.as_str());
    assert_eq!(list["items"][0]["command"]["raw"], "rm -rf ~");
    assert_eq!(list["items"][0]["status"], "pending");

    let st = c
        .ask(&format!(r#"{{"kind":"pendingstatus","id":"{id}"}}"#))
        .unwrap();
    assert_eq!(
        st,
        serde_json::json!({"kind": "pending", "status": "pending"})
    );
    let gone = c
        .ask(r#"{"kind":"pendingstatus","id":"7f3a2c10"}"#)
        .unwrap();
    assert_eq!(
        gone,
        serde_json::json!({"kind": "pending", "status": "gone"})
    );

    assert_eq!(
        c.ask(&format!(r#"{{"kind":"deny","id":"{id}"}}"#)).unwrap()["kind"],
        "ack"
    );
    let again = c
        .ask(&format!(r#"{{"kind":"approve","id":"{id}"}}"#))
        .unwrap();
    assert_eq!(again["kind"], "error");
    assert!(
        again["message"]
            .as_str()
            .unwrap()
            .contains("already denied")
    );
    let unknown = c.ask(r#"{"kind":"approve","id":"nope"}"#).unwrap();
    assert_eq!(unknown["kind"], "error");

    let status = c.ask(r#"{"kind":"status"}"#).unwrap();
    assert_eq!(status["scorer"], "heuristic");
    assert!(status["ledger_len"].as_u64().unwrap() >= 6);

    let ch = c.ask(r#"{"kind":"authbegin","op":"shutdown"}"#).unwrap();
    assert_eq!(ch["kind"], "challenge");
    assert_eq!(ch["locked"], false);
    for field in ["nonce", "salt", "params"] {
        assert!(ch.get(field).is_some(), "challenge lacks {field}");
    }
    assert_eq!(ch["params"]["alg"], "argon2id");

    let bye = c
        .ask(r#"{"kind":"shutdown","op":"shutdown","nonce":"","proof":""}"#)
        .unwrap();
    assert_eq!(bye["kind"], "ack");
    let (status, _) = sb.wait_exit();
    assert!(status.success());
    assert!(!sb.socket().exists(), "socket file left behind");
    assert!(!sb.data().join("ledger.db-wal").exists(), "WAL left behind");
    let (ok, text) = verify(&sb);
    assert!(ok, "{text}");
    let log = sb.run(&["log", "--json", "-n", "100"]);
    let text = String::from_utf8_lossy(&log.stdout);
    for kind in ["propose", "record", "resolve", "observe", "deny", "daemon"] {
        assert!(
            text.contains(&format!("\"kind\":\"{kind}\"")),
            "no {kind} event in log"
        );
    }
    assert!(text.contains("authorised shutdown"));
}

fn expect_error_then_close(c: &mut Conn, needle: &str) {
    let v = c.read().expect("an error response");
    assert_eq!(v["kind"], "error", "{v}");
    let msg = v["message"].as_str().unwrap();
    assert!(msg.contains(needle), "message {msg:?} lacks {needle:?}");
    assert!(
        c.read().is_none(),
        "connection stayed open after a bad frame"
    );
}

#[test]
fn bad_input_gets_a_clear_error_and_the_daemon_stays_up() {
    let mut sb = Sandbox::new();
    sb.start();
    let cases: [(&[u8], &str); 6] = [
        (b"\xff\xfe\xfd\n", "UTF-8"),
        (b"{not json\n", "not valid JSON"),
        (b"[1,2,3]\n", "not a JSON object"),
        (b"{\"kind\":\"bogus\"}\n", "unknown request kind `bogus`"),
        (b"{\"kind\":\"approve\"}\n", "missing field `id`"),
        (
            b"{\"kind\":\"observe\",\"change\":\"exploded\",\"path\":\"/x\"}\n",
            "observe",
        ),
    ];
    for (bytes, needle) in cases {
        let mut c = Conn::open(&sb.socket());
        c.send_raw(bytes).unwrap();
        expect_error_then_close(&mut c, needle);
    }
    // A 20 MiB frame with no newline.
    let mut c = Conn::open(&sb.socket());
    let garbage = vec![b'x'; 20 * 1024 * 1024];
    let _ = c.send_raw(&garbage);
    expect_error_then_close(&mut c, "16 MiB");
    let mut ok = Conn::open(&sb.socket());
    assert_eq!(ok.ask(r#"{"kind":"status"}"#).unwrap()["kind"], "status");
}

#[test]
fn idle_and_trickling_peers_never_delay_others() {
    let mut sb = Sandbox::new();
    sb.write_config("read_timeout_secs = 2\n");
    sb.start();
    let idle: Vec<_> = (0..100)
        .map(|_| std::os::unix::net::UnixStream::connect(sb.socket()).unwrap())
        .collect();
    let mut trickle = Conn::open(&sb.socket());
    trickle.send_raw(b"{\"kind\":").unwrap();
    let t = Instant::now();
    let mut c = Conn::open(&sb.socket());
    let v = c.ask(&propose("git status", "/tmp")).unwrap();
    assert_eq!(v["kind"], "verdict");
    assert!(
        t.elapsed() < Duration::from_secs(1),
        "a client waited {:?} behind idle peers",
        t.elapsed()
    );
    // The trickler is cut off by the read timeout with a clear message.
    let v = trickle.read().expect("timeout error");
    assert!(
        v["message"].as_str().unwrap().contains("read_timeout_secs"),
        "{v}"
    );
    drop(idle);
}

#[test]
fn persistent_connections_serve_many_requests() {
    let mut sb = Sandbox::new();
    sb.start();
    let mut c = Conn::open(&sb.socket());
    let mut last = 0;
    for _ in 0..200 {
        let v = c.ask(&propose("cargo test", "/tmp")).unwrap();
        let seq = v["event"].as_u64().unwrap();
        assert!(seq > last);
        last = seq;
    }
}

#[test]
fn wait_extension_answers_when_a_human_decides() {
    let mut sb = Sandbox::new();
    sb.start();
    let mut c = Conn::open(&sb.socket());
    let v = c.ask(&propose("rm -rf ~", "/tmp")).unwrap();
    let id = v["pending"].as_str().unwrap().to_string();
    let socket = sb.socket();
    let id2 = id.clone();
    let waiter = std::thread::spawn(move || {
        let mut w = Conn::open(&socket);
        w.ask(&format!(
            r#"{{"kind":"wait","id":"{id2}","timeout_ms":20000}}"#
        ))
    });
    std::thread::sleep(Duration::from_millis(200));
    // Deny needs no terminal; approvals from this test process are refused.
    c.ask(&format!(r#"{{"kind":"deny","id":"{id}"}}"#)).unwrap();
    let got = waiter.join().unwrap().unwrap();
    assert_eq!(
        got,
        serde_json::json!({"kind": "pending", "status": "denied"})
    );
    let t = c
        .ask(r#"{"kind":"wait","id":"zzzz","timeout_ms":10}"#)
        .unwrap();
    assert_eq!(t["status"], "gone");
}
