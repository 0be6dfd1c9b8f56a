//! A human, not the agent: the attacks of issue 18 that an agent running as
//! the same user can make over the socket and the environment, each against
//! a real daemon. `resolve` records only a decision on a held item.

mod common;
use common::*;
use serde_json::{Value, json};

fn ask_json(c: &mut Conn, v: &Value) -> Value {
    c.ask(&v.to_string()).unwrap()
}

fn command(raw: &str, cwd: &str) -> Value {
    json!({"id": uuid_like(), "ts": "2026-11-24T00:00:00Z", "agent": "test",
           "cwd": cwd, "argv": [], "raw": raw})
}

/// Send `frame` the way the issue's attacker does: from a process that left
/// the test's tree (fork, setsid, fork; the middle one exits) and then took
/// a pseudo-terminal of its own (`pty.fork`), so the daemon's terminal and
/// ancestry checks alone would take it for a human. Returns the answer.
fn ask_from_a_pty(socket: &std::path::Path, frame: &Value) -> Value {
    const FORGER: &str = r#"
import os, pty, socket, sys, time
sock, frame, out = sys.argv[1], sys.argv[2], sys.argv[3]
if os.fork() != 0:
    for _ in range(400):
        if os.path.exists(out):
            sys.exit(0)
        time.sleep(0.025)
    sys.exit(1)
os.setsid()
if os.fork() != 0:
    os._exit(0)
time.sleep(0.2)
pid, fd = pty.fork()
if pid == 0:
    s = socket.socket(socket.AF_UNIX)
    s.connect(sock)
    s.sendall(frame.encode() + b"\n")
    data = b""
    while not data.endswith(b"\n"):
        data += s.recv(65536)
    open(out + ".tmp", "w").write(data.decode())
    os.rename(out + ".tmp", out)
    os._exit(0)
try:
    while os.read(fd, 1024):
        pass
except OSError:
    pass
os.waitpid(pid, 0)
"#;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("answer");
    let ok = std::process::Command::new("python3")
        .args(["-c", FORGER])
        .arg(socket)
        .arg(frame.to_string())
        .arg(&out)
        .status()
        .expect("python3 runs")
        .success();
    assert!(ok, "the forger did not answer");
    serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap()
}

fn proposed(c: &mut Conn, cmd: &Value) -> Value {
    let mut frame = cmd.clone();
    frame["kind"] = json!("propose");
    ask_json(c, &frame)
}

#[test]
fn a_forged_resolve_remembers_nothing_and_the_command_stays_held() {
    let mut sb = Sandbox::new();
    sb.start();
    let proj = sb.project().display().to_string();
    let mut c = Conn::open(&sb.socket());
    assert_eq!(
        proposed(&mut c, &command("rm -rf build", &proj))["decision"],
        "hold"
    );
    // A resolve+remember for a command that was never held (fresh id).
    let forged = json!({"kind": "resolve", "command": command("rm -rf build", &proj),
                        "decision": "allow", "remember": true});
    let v = ask_from_a_pty(&sb.socket(), &forged);
    assert_eq!(v["kind"], "error", "{v}");
    let msg = v["message"].as_str().unwrap();
    assert!(msg.contains("no held command"), "{msg}");
    assert!(
        !sb.data().join("memory.json").exists(),
        "a forged resolve grew the memory"
    );
    // The same command is still held next time.
    assert_eq!(
        proposed(&mut c, &command("rm -rf build", &proj))["decision"],
        "hold"
    );
    assert!(sb.log_text(50).contains("resolve refused"));
}

#[test]
fn a_resolve_decides_the_held_line_not_the_line_it_carries() {
    let mut sb = Sandbox::new();
    sb.start();
    let proj = sb.project().display().to_string();
    let mut c = Conn::open(&sb.socket());
    let held = command("rm -rf build", &proj);
    assert_eq!(proposed(&mut c, &held)["decision"], "hold");
    // The held item's id, but another line: the memory keeps the held line.
    let mut other = held.clone();
    other["raw"] = json!("rm -rf dist");
    let deny = json!({"kind": "resolve", "command": other, "decision": "deny", "remember": true});
    assert_eq!(ask_json(&mut c, &deny)["kind"], "ack");
    assert_eq!(
        proposed(&mut c, &command("rm -rf build", &proj))["decision"],
        "deny"
    );
    assert_eq!(
        proposed(&mut c, &command("rm -rf dist", &proj))["decision"],
        "hold"
    );
    // Decided once: the same resolve again is refused.
    assert_eq!(ask_json(&mut c, &deny)["kind"], "error");
}
