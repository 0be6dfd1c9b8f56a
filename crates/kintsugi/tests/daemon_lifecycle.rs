//! Start, refuse a second daemon, replace a stale socket, stop by signal and
//! by request, file modes, foreign uids, and the kill -9 crash test.

mod common;
use common::*;
use std::os::unix::fs::PermissionsExt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn mode(p: &std::path::Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn files_are_private_and_a_second_daemon_is_refused() {
    let mut sb = Sandbox::new();
    sb.start();
    assert_eq!(mode(&sb.data()), 0o700);
    assert_eq!(mode(&sb.socket()), 0o600);
    assert_eq!(mode(&sb.data().join("checkpoint.key")), 0o600);
    let second = sb.cmd().args(["daemon"]).output().unwrap();
    assert!(!second.status.success());
    let err = String::from_utf8_lossy(&second.stderr);
    assert!(err.contains("already serving"), "{err}");
    assert!(err.contains(&format!("pid {}", sb.pid())), "{err}");
    let start = sb.run(&["start"]);
    assert!(!start.status.success());
    assert!(String::from_utf8_lossy(&start.stderr).contains("already answers"));
}

#[test]
fn stale_socket_is_replaced_and_sigterm_stops_cleanly() {
    let mut sb = Sandbox::new();
    std::fs::create_dir_all(sb.data()).unwrap();
    // A leftover socket file nobody listens on.
    drop(std::os::unix::net::UnixListener::bind(sb.socket()).unwrap());
    assert!(sb.socket().exists());
    sb.start();
    let mut c = Conn::open(&sb.socket());
    c.ask(&propose("ls", "/tmp")).unwrap();
    sb.signal("TERM");
    let (status, _) = sb.wait_exit();
    assert!(status.success());
    assert!(!sb.socket().exists());
    assert!(!sb.data().join("ledger.db-wal").exists());
    assert!(!sb.data().join("kintsugi.pid").exists());
    let (ok, text) = verify(&sb);
    assert!(ok, "{text}");
    let log = String::from_utf8_lossy(&sb.run(&["log", "--json"]).stdout).into_owned();
    assert!(log.contains("daemon stopped by SIGTERM"), "{log}");
    // The final checkpoint covers the stop event itself.
    let cps = std::fs::read_to_string(sb.data().join("checkpoints.jsonl")).unwrap();
    let last: serde_json::Value = serde_json::from_str(cps.lines().last().unwrap()).unwrap();
    let newest: serde_json::Value = serde_json::from_str(log.lines().next().unwrap()).unwrap();
    assert_eq!(last["seq"], newest["seq"]);
}

#[test]
fn cli_start_status_stop() {
    let sb = Sandbox::new();
    let out = sb.run(&["start"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let status = sb.run(&["status"]);
    let text = String::from_utf8_lossy(&status.stdout);
    assert!(text.contains("scorer          heuristic"), "{text}");
    assert!(text.contains(&sb.socket().display().to_string()));
    let stop = sb.run(&["stop"]);
    assert!(
        stop.status.success(),
        "{}",
        String::from_utf8_lossy(&stop.stderr)
    );
    assert!(!sb.socket().exists());
    let after = sb.run(&["status"]);
    assert!(!after.status.success());
    assert!(String::from_utf8_lossy(&after.stderr).contains("kintsugi start"));
}

#[test]
fn peers_with_another_uid_are_refused() {
    if rustix_uid() != 0 || which("setpriv").is_none() {
        eprintln!("skipped: needs root and setpriv to connect as another uid");
        return;
    }
    let mut sb = Sandbox::new();
    sb.start();
    // Open the path up so the kernel lets uid 65534 connect; the daemon must still refuse.
    std::fs::set_permissions(sb.root(), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(sb.data(), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(sb.socket(), std::fs::Permissions::from_mode(0o666)).unwrap();
    // Our own binary, run as uid 65534, is the foreign client.
    let out = std::process::Command::new("setpriv")
        .args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            BIN,
            "status",
        ])
        .env("KINTSUGI_SOCKET", sb.socket())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        text.contains("serves uid 0 only and the peer is uid 65534"),
        "{text}"
    );
    let log = String::from_utf8_lossy(&sb.run(&["log", "--json"]).stdout).into_owned();
    assert!(log.contains("\"kind\":\"refused\""), "{log}");
}

fn rustix_uid() -> u32 {
    let out = std::process::Command::new("id").arg("-u").output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

fn which(prog: &str) -> Option<std::path::PathBuf> {
    std::env::var_os("PATH").and_then(|p| {
        std::env::split_paths(&p)
            .map(|d| d.join(prog))
            .find(|f| f.exists())
    })
}

/// Kill -9 the daemon under concurrent load, repeatedly: after each restart
/// the chain verifies and every event a client got an answer for is there.
#[test]
fn sigkill_under_load_loses_no_acknowledged_event() {
    let mut sb = Sandbox::new();
    let acknowledged: Arc<Mutex<Vec<(u64, String)>>> = Arc::default();
    for round in 0..4 {
        sb.start();
        let stop = Arc::new(AtomicBool::new(false));
        let workers: Vec<_> = (0..8)
            .map(|w| {
                let socket = sb.socket();
                let stop = stop.clone();
                let acked = acknowledged.clone();
                std::thread::spawn(move || {
                    let Ok(s) = std::os::unix::net::UnixStream::connect(&socket) else {
                        return;
                    };
                    let mut c = Conn::from(s);
                    let mut i = 0;
                    while !stop.load(Ordering::Relaxed) {
                        let raw = format!("echo round{round}-worker{w}-{i}");
                        let Some(v) = c.ask(&propose(&raw, "/tmp")) else {
                            return;
                        };
                        let Some(seq) = v["event"].as_u64() else {
                            return;
                        };
                        acked.lock().unwrap().push((seq, raw));
                        i += 1;
                    }
                })
            })
            .collect();
        std::thread::sleep(Duration::from_millis(400));
        sb.signal("KILL");
        stop.store(true, Ordering::Relaxed);
        for w in workers {
            w.join().unwrap();
        }
        let _ = sb.wait_exit();
        let (ok, text) = verify(&sb);
        assert!(ok, "round {round}: {text}");
    }
    sb.start();
    let log = sb.run(&["log", "--json", "-n", "1000000"]);
    let text = String::from_utf8_lossy(&log.stdout);
    let stored: std::collections::HashMap<u64, String> = text
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                v["seq"].as_u64().unwrap(),
                v["raw"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let acked = acknowledged.lock().unwrap();
    assert!(acked.len() > 100, "load too light: {}", acked.len());
    for (seq, raw) in acked.iter() {
        assert_eq!(
            stored.get(seq),
            Some(raw),
            "acknowledged event {seq} missing or changed"
        );
    }
    assert!(
        text.contains("without a clean stop"),
        "the unclean stop was not recorded"
    );
}
