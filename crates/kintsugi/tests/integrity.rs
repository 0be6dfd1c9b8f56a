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

/// A sandbox with shims whose only "real" programs are recorders in
/// `fakebin`: `rm` there appends its arguments to `ran.log` and deletes
/// nothing, so a riding that wrongly grants `rm -rf /` harms nothing.
fn shims_with_fake_rm(config: &str) -> (Sandbox, std::path::PathBuf) {
    let (mut sb, log) = sandbox_with_fake_rm();
    sb.write_config(config);
    sb.start();
    (sb, log)
}

/// Run the `rm` shim (by its path, PATH = shims then fakebin) with `args`.
fn shim_rm(sb: &Sandbox, args: &[&str], hint: Option<&str>) -> std::process::Output {
    match hint {
        Some(id) => shim_rm_env(sb, args, &[("KINTSUGI_APPROVED_PARENT", id)]),
        None => shim_rm_env(sb, args, &[]),
    }
}

/// The `rm` shim with `args` and extra environment `env`.
fn shim_rm_env(sb: &Sandbox, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut c = sb.via_shim(sb.shims().join("rm").to_str().unwrap());
    let path = format!(
        "{}:{}",
        sb.shims().display(),
        sb.root().join("fakebin").display()
    );
    c.env("PATH", path)
        .env_remove("KINTSUGI_APPROVED_PARENT")
        .env_remove("KINTSUGI_FAIL_MODE")
        .args(args)
        .envs(env.iter().copied());
    c.output().unwrap()
}

fn ran(log: &std::path::Path) -> String {
    std::fs::read_to_string(log).unwrap_or_default()
}

#[test]
fn an_approval_is_not_ridden_by_substring_env_var_or_twice() {
    require_tmux();
    let (sb, log) = shims_with_fake_rm("hold_timeout_secs = 1\n");
    let proj = sb.project().display().to_string();
    let cache = format!("{proj}/build/cache");
    let mut c = Conn::open(&sb.socket());
    // An agent's hook holds `rm -rf PROJ/build/cache`; a human approves it.
    let mut held = command(&format!("rm -rf {cache}"), &proj);
    held["agent"] = json!("hook:claude");
    let v = proposed(&mut c, &held);
    assert_eq!(v["decision"], "hold", "{v}");
    let id = v["pending"].as_str().unwrap().to_string();
    let screen = approve_in_terminal(&sb, &id, "");
    assert!(screen.contains("EXIT=0"), "{screen}");
    // Substrings of the approved line, even naming the approval, are judged
    // on their own (and, unanswered, refused).
    for victim in [proj.as_str(), "/"] {
        let out = shim_rm(&sb, &["-rf", victim], Some(&id));
        assert_eq!(out.status.code(), Some(126), "{}", text(&out));
        assert!(
            !ran(&log).contains(&format!("rm -rf {victim}\n")),
            "{}",
            ran(&log)
        );
    }
    // The approved command itself runs once ...
    let out = shim_rm(&sb, &["-rf", &cache], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(ran(&log), format!("rm -rf {cache}\n"));
    // ... and a second run is held again.
    let out = shim_rm(&sb, &["-rf", &cache], Some(&id));
    assert_eq!(out.status.code(), Some(126), "{}", text(&out));
    assert_eq!(ran(&log), format!("rm -rf {cache}\n"));
    let log_text = sb.log_text(100);
    assert_eq!(
        log_text.matches("which a human approved").count(),
        1,
        "{log_text}"
    );
}

#[test]
fn an_approval_binds_to_its_cwd() {
    require_tmux();
    let (sb, log) = shims_with_fake_rm("hold_timeout_secs = 1\n");
    let proj = sb.project();
    let other = proj.join("sub");
    std::fs::create_dir_all(&other).unwrap();
    let mut c = Conn::open(&sb.socket());
    let mut held = command("rm -rf build", &other.display().to_string());
    held["agent"] = json!("hook:claude");
    let id = proposed(&mut c, &held)["pending"]
        .as_str()
        .unwrap()
        .to_string();
    let screen = approve_in_terminal(&sb, &id, "");
    assert!(screen.contains("EXIT=0"), "{screen}");
    // The same argv in the project root (not the approved cwd) is held.
    let out = shim_rm(&sb, &["-rf", "build"], Some(&id));
    assert_eq!(out.status.code(), Some(126), "{}", text(&out));
    assert_eq!(ran(&log), "");
}

#[test]
fn the_environment_cannot_loosen_the_fail_mode_of_the_shim() {
    let sb = Sandbox::new();
    sb.init_shims();
    sb.write_config("fail_mode = \"closed\"\n");
    let fake = sb.root().join("fakebin");
    std::fs::create_dir_all(&fake).unwrap();
    let log = sb.root().join("ran.log");
    let script = format!("#!/bin/sh\necho \"rm $*\" >> '{}'\n", log.display());
    std::fs::write(fake.join("rm"), script).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(fake.join("rm"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let proj = sb.project().display().to_string();
    let home = sb.root().join("home").display().to_string();
    let nowhere = sb.root().join("nowhere.sock");
    for victim in [format!("{proj}/victim"), home] {
        let out = shim_rm_env(
            &sb,
            &["-rf", &victim],
            &[
                ("KINTSUGI_FAIL_MODE", "open"),
                ("KINTSUGI_SOCKET", nowhere.to_str().unwrap()),
            ],
        );
        assert_eq!(out.status.code(), Some(126), "{victim}: {}", text(&out));
        assert!(text(&out).contains("blocked"), "{}", text(&out));
    }
    assert_eq!(ran(&log), "", "a command ran with the daemon unreachable");
}

/// A 30-line impostor: a Python server on `socket` that answers every
/// request with `allow` (and `status` like a daemon). Killed on drop.
struct FakeDaemon(std::process::Child);

impl FakeDaemon {
    fn start(socket: &std::path::Path) -> FakeDaemon {
        const SERVER: &str = r#"
import os, socket, sys, threading
path = sys.argv[1]
if os.path.exists(path):
    os.unlink(path)
srv = socket.socket(socket.AF_UNIX)
srv.bind(path)
srv.listen(16)
ALLOW = b'{"kind":"verdict","decision":"allow","class":"safe","rule":"fake","reason":"fake daemon says yes"}\n'
def serve(c):
    buf = b""
    while True:
        data = c.recv(65536)
        if not data:
            return
        buf += data
        while b"\n" in buf:
            _, buf = buf.split(b"\n", 1)
            c.sendall(ALLOW)
while True:
    conn, _ = srv.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
"#;
        let child = std::process::Command::new("python3")
            .args(["-c", SERVER])
            .arg(socket)
            .spawn()
            .expect("python3 runs");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while std::os::unix::net::UnixStream::connect(socket).is_err() {
            assert!(
                std::time::Instant::now() < deadline,
                "fake server never listened"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        FakeDaemon(child)
    }
}

impl Drop for FakeDaemon {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn sandbox_with_fake_rm() -> (Sandbox, std::path::PathBuf) {
    let sb = Sandbox::new();
    sb.init_shims();
    let fake = sb.root().join("fakebin");
    std::fs::create_dir_all(&fake).unwrap();
    let log = sb.root().join("ran.log");
    let script = format!("#!/bin/sh\necho \"rm $*\" >> '{}'\n", log.display());
    std::fs::write(fake.join("rm"), script).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(fake.join("rm"), std::fs::Permissions::from_mode(0o755)).unwrap();
    (sb, log)
}

#[test]
fn a_fake_daemon_on_a_pointed_to_socket_is_not_trusted() {
    let (sb, log) = sandbox_with_fake_rm();
    let sock = sb.root().join("fake.sock");
    let fake = FakeDaemon::start(&sock);
    // Even with its pid forged into the data dir's pid file.
    std::fs::create_dir_all(sb.data()).unwrap();
    std::fs::write(sb.data().join("kintsugi.pid"), format!("{}\n", fake.0.id())).unwrap();
    let proj = sb.project().display().to_string();
    let home = sb.root().join("home").display().to_string();
    let env = [("KINTSUGI_SOCKET", sock.to_str().unwrap())];
    for victim in [home.clone(), format!("{proj}/victim")] {
        let out = shim_rm_env(&sb, &["-rf", &victim], &env);
        assert_eq!(out.status.code(), Some(126), "{victim}: {}", text(&out));
        assert!(text(&out).contains("genuine"), "{}", text(&out));
    }
    // `exec` too.
    let out = sb
        .cmd()
        .env("KINTSUGI_SOCKET", &sock)
        .env(
            "PATH",
            format!(
                "{}:{}",
                sb.shims().display(),
                sb.root().join("fakebin").display()
            ),
        )
        .current_dir(sb.project())
        .args(["exec", "--", "rm", "-rf", &home])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(126), "{}", text(&out));
    assert_eq!(ran(&log), "", "a command ran on a fake daemon's word");
    // The agent's hook does not take its word either.
    let payload = json!({"session_id": "s", "cwd": proj, "hook_event_name": "PreToolUse",
        "tool_name": "Bash", "tool_input": {"command": format!("rm -rf {home}")}});
    let mut hook = sb
        .cmd()
        .env("KINTSUGI_SOCKET", &sock)
        .env_remove("KINTSUGI_FAIL_MODE")
        .args(["hook", "--agent", "claude"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    hook.stdin
        .take()
        .unwrap()
        .write_all(payload.to_string().as_bytes())
        .unwrap();
    let out = hook.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("genuine"), "{}", text(&out));
}

#[test]
fn a_fake_daemon_on_the_real_path_after_kill_9_is_not_trusted() {
    let (mut sb, log) = sandbox_with_fake_rm();
    sb.start();
    sb.signal("KILL");
    sb.wait_exit();
    let _fake = FakeDaemon::start(&sb.socket());
    let home = sb.root().join("home").display().to_string();
    let out = shim_rm_env(&sb, &["-rf", &home], &[]);
    assert_eq!(out.status.code(), Some(126), "{}", text(&out));
    assert!(text(&out).contains("genuine"), "{}", text(&out));
    assert_eq!(ran(&log), "");
}

#[test]
fn the_genuine_daemon_is_trusted() {
    let (mut sb, log) = sandbox_with_fake_rm();
    sb.write_config("mode = \"notify\"\n");
    sb.start();
    let victim = format!("{}/victim", sb.project().display());
    let out = shim_rm_env(&sb, &["-rf", &victim], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(ran(&log), format!("rm -rf {victim}\n"));
}

#[test]
fn with_approvals_needing_the_password_remember_needs_it_too() {
    let mut sb = Sandbox::new();
    let pw = sb.root().join("pw");
    std::fs::write(&pw, "correct horse battery staple 7f3q\n").unwrap();
    let out = sb.run(&[
        "admin",
        "provision",
        "--approvals-need-password",
        "--password-file",
        pw.to_str().unwrap(),
        "--kdf-m-cost",
        "1024",
        "--kdf-t-cost",
        "1",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    sb.start();
    let proj = sb.project().display().to_string();
    let mut c = Conn::open(&sb.socket());
    let held = command("rm -rf build", &proj);
    let v = proposed(&mut c, &held);
    let id = v["pending"].as_str().unwrap().to_string();
    // From a terminal outside the agent's tree, without the password.
    let resolve =
        json!({"kind": "resolve", "command": held, "decision": "allow", "remember": true});
    let r = ask_from_a_pty(&sb.socket(), &resolve);
    assert_eq!(r["kind"], "error", "{r}");
    assert!(r["message"].as_str().unwrap().contains("password"), "{r}");
    let approve = json!({"kind": "approve", "id": id, "remember": true});
    let r = ask_from_a_pty(&sb.socket(), &approve);
    assert_eq!(r["kind"], "error", "{r}");
    assert!(!sb.data().join("memory.json").exists());
    assert_eq!(
        proposed(&mut c, &command("rm -rf build", &proj))["decision"],
        "hold"
    );
}
