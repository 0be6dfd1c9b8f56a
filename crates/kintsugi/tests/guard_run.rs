//! `kintsugi guard --shims-only -- AGENT…` (the layer guard falls back to
//! where seccomp is unavailable; the exec layer is tests/guard_exec.rs)
//! runs an agent with the shims first on PATH (a
//! shimmed SHELL, a session of its own) and exits as the agent did; a
//! dangerous command the agent runs inside is held and, unanswered, refused.
//! `kintsugi run ID` lets a human run a held command after typing the code
//! in a real terminal: snapshotted first, run in its original cwd, its
//! completion recorded, and undoable. Everything that deletes stays inside
//! the sandbox.

mod common;
use common::*;
use std::os::unix::process::ExitStatusExt;
use std::process::Output;
use std::time::{Duration, Instant};

fn guard(sb: &Sandbox, script: &str) -> Output {
    sb.cmd()
        .env("KINTSUGI_SHIM_DIR", sb.shims())
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .current_dir(sb.project())
        .args(["guard", "--shims-only", "--", "sh", "-c", script])
        .output()
        .unwrap()
}

#[test]
fn guard_puts_the_shims_first_and_exits_as_the_agent_did() {
    let mut sb = Sandbox::new();
    // Nobody answers holds in this test: refuse after a second.
    sb.write_config("hold_timeout_secs = 1\n");
    sb.start();

    let out = guard(
        &sb,
        "echo \"$PATH\"; echo \"$SHELL\"; echo \"$KINTSUGI_SESSION\"",
    );
    assert!(out.status.success(), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let lines: Vec<&str> = stdout.lines().collect();
    let shims = sb.shims().display().to_string();
    assert_eq!(lines[0].split(':').next(), Some(shims.as_str()), "{stdout}");
    assert!(
        lines[0].ends_with(":/usr/local/bin:/usr/bin:/bin"),
        "{stdout}"
    );
    assert_eq!(lines[1], format!("{shims}/bash"), "{stdout}");
    assert_eq!(lines[2].len(), 36, "a session id: {stdout}");

    assert_eq!(guard(&sb, "exit 42").status.code(), Some(42));
    let died = guard(&sb, "kill -TERM $$");
    assert_eq!(died.status.signal(), Some(15), "{:?}", died.status);

    // The agent's `rm` is the shim's: held, unanswered, refused (126).
    let precious = sb.root().join("home/precious");
    std::fs::create_dir_all(&precious).unwrap();
    std::fs::write(precious.join("a.txt"), "keep").unwrap();
    let out = guard(&sb, "rm -rf \"$HOME/precious\"");
    assert_eq!(out.status.code(), Some(126), "{}", text(&out));
    assert_eq!(
        std::fs::read_to_string(precious.join("a.txt")).unwrap(),
        "keep"
    );
    let log = sb.log_text(50);
    assert!(
        log.contains("\"agent\":\"shim\"") && log.contains("precious"),
        "{log}"
    );
}

#[test]
fn run_id_runs_a_held_command_after_the_code_is_typed_and_undo_restores_it() {
    require_tmux();
    let mut sb = Sandbox::new();
    sb.start();
    let home = sb.root().join("home");
    let victim = home.join("project-backup");
    std::fs::create_dir_all(&victim).unwrap();
    std::fs::write(victim.join("notes.txt"), "precious").unwrap();
    let cwd = sb.project();
    // An agent proposed it and gave up waiting; it stays in the queue.
    let raw = format!("rm -rf {} && touch ran-here", victim.display());
    let mut c = Conn::open(&sb.socket());
    let v = c.ask(&propose(&raw, cwd.to_str().unwrap())).unwrap();
    assert_eq!(v["decision"], "hold", "{v}");
    let id = first_pending(&mut c)["id"].as_str().unwrap().to_string();

    let unknown = sb.run(&["run", "no-such-id"]);
    assert!(!unknown.status.success());
    assert!(
        text(&unknown).contains("no held command has id"),
        "{}",
        text(&unknown)
    );

    let screen = confirm_in_terminal(&sb, &format!("run {id}"));
    assert!(screen.contains("EXIT=0"), "{screen}");
    assert!(!victim.exists(), "the approved command ran");
    assert!(cwd.join("ran-here").exists(), "it ran in its original cwd");

    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let log = sb.log_text(50);
        if log.contains("\"kind\":\"complete\"") && log.contains("exited with code 0") {
            break;
        }
        assert!(Instant::now() < deadline, "no completion recorded:\n{log}");
        std::thread::sleep(Duration::from_millis(50));
    }
    // Snapshotted before it ran, so it can be undone (no --force needed:
    // the completion report says what the command left behind).
    let undo = sb.run(&["undo"]);
    assert!(undo.status.success(), "{}", text(&undo));
    assert_eq!(
        std::fs::read_to_string(victim.join("notes.txt")).unwrap(),
        "precious"
    );
}
