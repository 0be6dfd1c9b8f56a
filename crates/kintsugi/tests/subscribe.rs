//! The `subscribe` extension over a real socket: the daemon answers `ack`,
//! then streams committed events and queue changes as they happen; the read
//! timeout never cuts a stream; a subscriber that falls behind gets `lagged`
//! and the stream goes on.

mod common;
use common::*;
use std::time::{Duration, Instant};

fn subscribed(sb: &Sandbox) -> Conn {
    let mut sub = Conn::open(&sb.socket());
    let ack = sub.ask(r#"{"kind":"subscribe"}"#).expect("an answer");
    assert_eq!(ack["kind"], "ack", "{ack}");
    sub
}

/// Read stream lines until `pred` matches one; panics after 5 s.
fn next_matching(sub: &mut Conn, pred: impl Fn(&serde_json::Value) -> bool) -> serde_json::Value {
    let start = Instant::now();
    let mut seen = Vec::new();
    loop {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "no matching stream line; saw {seen:?}"
        );
        let Some(v) = sub.read() else {
            panic!("the stream ended after {:?}; saw {seen:?}", start.elapsed());
        };
        if pred(&v) {
            return v;
        }
        seen.push(v["kind"].to_string());
    }
}

#[test]
fn holds_and_events_stream_as_they_happen_past_the_read_timeout() {
    let mut sb = Sandbox::new();
    sb.write_config("read_timeout_secs = 1\n");
    sb.start();
    let proj = sb.root().join("home/proj");
    std::fs::create_dir_all(&proj).unwrap();
    let mut sub = subscribed(&sb);
    // Longer than the read timeout: a stream is never cut by it.
    std::thread::sleep(Duration::from_millis(1500));

    let mut client = Conn::open(&sb.socket());
    let sent = Instant::now();
    let verdict = client
        .ask(&propose("rm -rf build", &proj.display().to_string()))
        .unwrap();
    assert_eq!(verdict["decision"], "hold", "{verdict}");
    let id = verdict["pending"].as_str().unwrap().to_string();

    let created = next_matching(&mut sub, |v| v["kind"] == "queue");
    assert!(
        sent.elapsed() < Duration::from_millis(100),
        "hold took {:?} to stream",
        sent.elapsed()
    );
    assert_eq!(created["change"], "created");
    assert_eq!(created["item"]["id"], id.as_str());
    assert_eq!(created["item"]["command"]["raw"], "rm -rf build");

    let event = next_matching(&mut sub, |v| v["kind"] == "event");
    assert_eq!(event["event"]["kind"], "propose");
    assert_eq!(event["event"]["decision"], "hold");
    assert_eq!(event["event"]["pending"], id.as_str());
    assert_eq!(event["event"]["seq"], verdict["event"]);

    let denied = client
        .ask(&format!(r#"{{"kind":"deny","id":"{id}"}}"#))
        .unwrap();
    assert_eq!(denied["kind"], "ack", "{denied}");
    let decided = next_matching(&mut sub, |v| v["kind"] == "queue");
    assert_eq!(decided["change"], "decided");
    assert_eq!(decided["item"]["status"], "denied");
    let event = next_matching(&mut sub, |v| v["kind"] == "event");
    assert_eq!(event["event"]["kind"], "deny");

    // Other clients are served as usual meanwhile, and a plain request on
    // a fresh connection still gets the read timeout.
    let mut idle = Conn::open(&sb.socket());
    let cut = idle.read().expect("a timeout error");
    assert_eq!(cut["kind"], "error");
}

#[test]
fn a_subscriber_that_falls_behind_gets_lagged_and_continues() {
    let mut sb = Sandbox::new();
    sb.start();
    let mut sub = subscribed(&sb);
    let mut client = Conn::open(&sb.socket());
    // Far more lines than the socket and the broadcast buffer hold while
    // the subscriber reads only a trickle: it falls behind, but its socket
    // never stalls for the whole write timeout (a subscriber that reads
    // nothing at all for that long is dropped: load.rs), however slowly
    // this loop runs on a loaded machine.
    let mut lagged = None;
    for i in 0..12_000 {
        let v = client.ask(&propose("ls", "/")).unwrap();
        assert_eq!(v["kind"], "verdict");
        if i % 100 == 99 {
            // 40 lines is more than one 8 KiB buffer fill of the reader, so
            // each batch really reads the socket; 60 of every 100 events
            // still pile up and overflow the daemon's 4,096-line buffer.
            for _ in 0..40 {
                let Some(line) = sub.read() else {
                    sb.signal("TERM");
                    let (_, log) = sb.wait_exit();
                    panic!("the stream ended at proposal {i}; daemon log:\n{log}");
                };
                if line["kind"] == "lagged" && lagged.is_none() {
                    lagged = Some(line);
                }
            }
        }
    }
    let lagged = match lagged {
        Some(l) => l,
        None => next_matching(&mut sub, |v| v["kind"] == "lagged"),
    };
    assert!(lagged["missed"].as_u64().unwrap() > 0, "{lagged}");
    // The stream continues with the newest events.
    let marker = client.ask(&propose("echo after-the-lag", "/")).unwrap();
    let seq = marker["event"].clone();
    let after = next_matching(&mut sub, |v| {
        v["kind"] == "event" && v["event"]["seq"] == seq
    });
    assert_eq!(after["event"]["raw"], "echo after-the-lag");
}
