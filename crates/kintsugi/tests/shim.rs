//! The PATH shim and `kintsugi exec` with real programs: exit codes, signal
//! deaths, stdin, argv0, signal forwarding, deny (126, target untouched),
//! holds approved in a real terminal (and the commands inside them not held
//! again), and the local fallback when the daemon is down. Everything that
//! deletes works inside the sandbox.

mod common;
use common::*;
use std::io::Write;
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn setup(start: bool) -> Sandbox {
    let mut sb = Sandbox::new();
    sb.init_shims();
    if start {
        sb.start();
    }
    sb
}

fn via_shim(sb: &Sandbox, program: &str) -> Command {
    sb.via_shim(program)
}

fn project(sb: &Sandbox) -> std::path::PathBuf {
    sb.project()
}

#[test]
fn exit_codes_signals_stdin_and_argv0_pass_through() {
    let mut sb = setup(false);
    // `kill` is ambiguous: allow this test's own shell lines by a user rule.
    sb.write_config("[rules]\nallow = [\"sh -c *\"]\n");
    sb.start();
    for code in [0, 1, 42] {
        let st = via_shim(&sb, "sh")
            .args(["-c", &format!("exit {code}")])
            .status()
            .unwrap();
        assert_eq!(st.code(), Some(code));
    }
    for (name, number) in [("TERM", 15), ("KILL", 9), ("SEGV", 11)] {
        let st = via_shim(&sb, "sh")
            .args(["-c", &format!("kill -{name} $$")])
            .status()
            .unwrap();
        assert_eq!(st.signal(), Some(number), "{name}: {st:?}");
    }
    let mut child = via_shim(&sb, "sed")
        .arg("s/hello/bye/")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"hello world\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "bye world\n");
    let out = via_shim(&sb, "sh")
        .args(["-c", "echo $0"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "sh\n");
    // The completion of each allowed command is recorded.
    let log = sb.log_text(100);
    assert!(
        log.contains("\"kind\":\"complete\"") && log.contains("exited with code 42"),
        "{log}"
    );
}

#[test]
fn signals_sent_to_the_shim_reach_the_child() {
    let sb = setup(true);
    for (name, code) in [("TERM", 7), ("INT", 8), ("USR1", 9), ("WINCH", 10)] {
        let marker = sb.root().join(format!("started-{name}"));
        let script = format!(
            "trap 'echo got-{name}; exit {code}' {name}; touch '{}'; while :; do sleep 0.05; done",
            marker.display()
        );
        let child = via_shim(&sb, "sh")
            .args(["-c", &script])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while !marker.exists() {
            assert!(Instant::now() < deadline, "the child never started");
            std::thread::sleep(Duration::from_millis(20));
        }
        // The signal goes to the shim's pid only, as `kill PID` would.
        Command::new("kill")
            .args([&format!("-{name}"), &child.id().to_string()])
            .status()
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(code), "{name}");
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            format!("got-{name}\n")
        );
    }
}

#[test]
fn denied_commands_exit_126_and_touch_nothing() {
    let mut sb = setup(false);
    sb.write_config("mode = \"unattended\"\n");
    sb.start();
    let victim = project(&sb).join("victim");
    std::fs::create_dir_all(victim.join("sub")).unwrap();
    let out = via_shim(&sb, "rm")
        .args(["-rf", "victim"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(126));
    assert!(String::from_utf8_lossy(&out.stderr).contains("denied"));
    assert!(victim.join("sub").exists());
}

#[test]
fn daemon_down_blocks_catastrophic_and_follows_the_fail_mode() {
    let sb = setup(false);
    let home = sb.root().join("home");
    std::fs::write(home.join("keep.txt"), "x").unwrap();
    let out = via_shim(&sb, "rm")
        .args(["-rf", home.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(126));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("daemon unreachable") && err.contains("blocked"),
        "{err}"
    );
    assert!(home.join("keep.txt").exists());
    let victim = project(&sb).join("victim");
    std::fs::create_dir_all(&victim).unwrap();
    let out = via_shim(&sb, "rm")
        .args(["-rf", "victim"])
        .env("KINTSUGI_FAIL_MODE", "closed")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(126));
    assert!(victim.exists());
    let out = via_shim(&sb, "rm")
        .args(["-rf", "victim"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !victim.exists(),
        "fail mode open runs non-catastrophic commands"
    );
}

#[test]
fn a_hold_approved_at_a_terminal_runs_once_without_holding_its_parts_again() {
    let sb = setup(true);
    let build = project(&sb).join("build");
    std::fs::create_dir_all(build.join("out")).unwrap();
    let child = via_shim(&sb, "sh")
        .args(["-c", "rm -rf build && echo cleaned"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut c = Conn::open(&sb.socket());
    let id = first_pending(&mut c)["id"].as_str().unwrap().to_string();
    assert!(build.exists(), "ran before approval");
    let screen = approve_in_terminal(&sb, &id, "");
    assert!(screen.contains("EXIT=0"), "{screen}");
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "cleaned\n");
    assert!(!build.exists());
    let log = sb.log_text(100);
    assert!(
        log.contains("which a human approved"),
        "the inner rm was not linked to the approval: {log}"
    );
    let holds = log
        .lines()
        .filter(|l| l.contains("\"decision\":\"hold\""))
        .count();
    assert_eq!(holds, 1, "{log}");
}

#[test]
fn exec_runs_lines_and_argv_through_the_gate() {
    let mut sb = setup(false);
    sb.write_config("hold_timeout_secs = 1\n");
    sb.start();
    let out = sb
        .cmd()
        .args(["exec", "--", "echo hi | tr a-z A-Z"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "HI\n");
    let out = sb
        .cmd()
        .args(["exec", "--", "sh", "-c", "exit 3"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    // `--agent` names who proposed it on the ledger.
    let out = sb
        .cmd()
        .args(["exec", "--agent", "nightly-bot", "--", "true"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let log = sb.log_text(20);
    assert!(log.contains("\"agent\":\"nightly-bot\""), "{log}");
    // A hold nobody answers within hold_timeout_secs is not run, and says how
    // a human can still run it.
    let home = sb.root().join("home");
    std::fs::write(home.join("keep.txt"), "x").unwrap();
    let out = sb
        .cmd()
        .args(["exec", "--", &format!("rm -rf {}", home.display())])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(126));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("kintsugi run"), "{err}");
    assert!(home.join("keep.txt").exists());
}

#[test]
fn a_held_command_shows_its_card_on_the_terminal_and_times_out_to_a_refusal() {
    require_tmux();
    let mut sb = setup(false);
    sb.write_config("hold_timeout_secs = 2\n");
    sb.start();
    let build = project(&sb).join("build");
    std::fs::create_dir_all(&build).unwrap();
    let tmux = Tmux::new();
    tmux.run(&format!(
        "cd '{}' && PATH='{}:/usr/bin:/bin' HOME='{}' KINTSUGI_DATA_DIR='{}' KINTSUGI_CONFIG='{}' \
         sh -c 'rm -rf build'; echo EXIT=$?; sleep 30",
        project(&sb).display(),
        sb.shims().display(),
        sb.root().join("home").display(),
        sb.data().display(),
        sb.config().display(),
    ));
    let card = tmux.wait_for("kintsugi approve");
    assert!(
        card.contains("kintsugi: HELD ") && card.contains("rm -rf build"),
        "{card}"
    );
    let screen = tmux.wait_for("EXIT=");
    assert!(screen.contains("EXIT=126"), "{screen}");
    assert!(screen.contains("kintsugi run "), "{screen}");
    assert!(build.exists(), "a hold nobody answered must not run");
}
