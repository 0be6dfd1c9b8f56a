//! `kintsugi guard` with the seccomp exec supervisor: every exec of the
//! agent's tree is proposed to a real sandbox daemon with origin `exec`,
//! whatever spells it (absolute paths, scripts, `env -i`, Python's
//! `os.execv`, `find -exec`, `xargs`). Held execs nobody answers are refused
//! with EPERM and the victim stays; safe ones run; an exec that is part of
//! a line a human approved is not asked about again; an unknown tool under
//! an allowed build inherits its allowance. Everything deletes inside the
//! sandbox.

mod common;
use common::*;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

/// A sandbox whose holds time out after a second (nobody answers).
fn sandbox() -> Sandbox {
    let mut sb = Sandbox::new();
    sb.write_config("hold_timeout_secs = 1\n");
    sb.start();
    sb
}

fn victim(sb: &Sandbox) -> PathBuf {
    let v = sb.root().join("home/victim");
    std::fs::create_dir_all(&v).unwrap();
    std::fs::write(v.join("f"), "precious").unwrap();
    v
}

/// `kintsugi guard -- ARGS…` from the sandbox project.
fn guard(sb: &Sandbox, args: &[&str]) -> Output {
    sb.cmd()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .current_dir(sb.project())
        .arg("guard")
        .arg("--")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// The ledger's exec proposals (origin `exec` in the detail).
fn exec_events(sb: &Sandbox) -> Vec<serde_json::Value> {
    sb.log_text(200)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|e| {
            e["kind"] == "propose"
                && e["agent"] == "exec"
                && e["detail"]
                    .as_str()
                    .and_then(|d| serde_json::from_str::<serde_json::Value>(d).ok())
                    .is_some_and(|d| d["origin"] == "exec")
        })
        .collect()
}

/// The exec proposal whose line contains `needle`, waited for: an exec
/// covered by an allowed line is answered before its ledger record, so its
/// event may land just after the guard exits.
fn event_for(sb: &Sandbox, needle: &str) -> serde_json::Value {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let events = exec_events(sb);
        if let Some(e) = events
            .iter()
            .find(|e| e["raw"].as_str().is_some_and(|r| r.contains(needle)))
        {
            return e.clone();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no exec event with {needle:?} in {events:#?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

fn intact(v: &Path) {
    assert_eq!(
        std::fs::read_to_string(v.join("f")).ok().as_deref(),
        Some("precious"),
        "the victim must be intact"
    );
}

#[test]
fn an_absolute_rm_is_held_then_refused_and_ls_runs() {
    let sb = sandbox();
    let v = victim(&sb);
    let script = format!("ls {v}; /bin/rm -rf {v}; echo rm=$?", v = v.display());
    let out = guard(&sb, &["sh", "-c", &script]);
    let all = text(&out);
    assert!(out.status.success(), "{all}");
    // ls ran (it listed the victim's file), rm was refused with EPERM.
    assert!(all.contains("\nf\n") || all.starts_with("f\n"), "{all}");
    assert!(all.contains("rm=126"), "{all}");
    assert!(all.contains("Operation not permitted"), "{all}");
    assert!(all.contains("HELD"), "the hold reached the human: {all}");
    intact(&v);
    let rm = event_for(&sb, "/bin/rm -rf");
    assert_eq!(rm["decision"], "hold", "{rm}");
    assert_eq!(rm["class"], "catastrophic", "{rm}");
    let ls = event_for(&sb, "ls ");
    assert_eq!(ls["decision"], "allow", "{ls}");
    let events = exec_events(&sb);
    // The agent itself (sh, started by the human) is not proposed.
    assert!(
        !events
            .iter()
            .any(|e| e["raw"].as_str().unwrap().contains("sh -c"))
    );
}

#[test]
fn a_script_the_agent_wrote_is_held_for_its_inner_delete_and_named() {
    let sb = sandbox();
    let v = victim(&sb);
    // The agent stand-in writes wipe.sh, makes it executable, runs it.
    let script = format!(
        "printf '#!/bin/sh\\necho wiping\\nrm -rf {v}\\n' > wipe.sh; chmod +x wipe.sh; ./wipe.sh; echo wipe=$?",
        v = v.display()
    );
    let out = guard(&sb, &["sh", "-c", &script]);
    let all = text(&out);
    assert!(all.contains("wipe=126"), "{all}");
    assert!(
        !all.contains("wiping"),
        "the script must not have started: {all}"
    );
    intact(&v);
    // The script run by its path (not the `chmod +x wipe.sh` before it).
    let wipe = event_for(&sb, "proj/wipe.sh");
    assert_eq!(wipe["decision"], "hold", "{wipe}");
    let reason = wipe["reason"].as_str().unwrap();
    assert!(
        reason.contains("wipe.sh` line 3") && reason.contains("rm -rf"),
        "the script line is named: {reason}"
    );
}

#[test]
fn env_python_find_and_xargs_execs_are_each_judged() {
    let sb = sandbox();
    let v = victim(&sb);
    let vs = v.display().to_string();
    let f = v.join("f").display().to_string();
    // Each agent stand-in is started by the human (not judged); what it
    // execs is.
    let py = format!("import os; os.execv('/bin/rm', ['rm', '-rf', '{vs}'])");
    let cases: Vec<Vec<&str>> = vec![
        vec!["env", "-i", "/usr/bin/rm", "-rf", &vs],
        vec!["/usr/bin/python3", "-c", &py],
        vec!["find", &vs, "-name", "f", "-exec", "/bin/rm", "{}", ";"],
    ];
    for case in &cases {
        let out = guard(&sb, case);
        intact(&v);
        assert!(
            text(&out).contains("Operation not permitted")
                || text(&out).contains("Permission denied")
                || text(&out).contains("PermissionError"),
            "{case:?}: {}",
            text(&out)
        );
    }
    // xargs reads the names on stdin.
    let mut child = sb
        .cmd()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .current_dir(sb.project())
        .args(["guard", "--", "xargs", "rm"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{f}\n").as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    intact(&v);
    for needle in [
        format!("/usr/bin/rm -rf {vs}"),
        format!("/bin/rm -rf {vs}"),
        format!("/bin/rm {f}"),
        format!("rm {f}"),
    ] {
        let e = event_for(&sb, &needle);
        assert_ne!(e["decision"], "allow", "{needle}: {e} / {}", text(&out));
    }
}

#[test]
fn an_unknown_tool_under_an_allowed_build_inherits_but_a_delete_in_it_is_judged() {
    let sb = sandbox();
    let v = victim(&sb);
    let p = sb.project();
    std::fs::copy("/bin/true", p.join("frobnicate")).unwrap();
    std::fs::write(
        p.join("Makefile"),
        format!(
            "all:\n\t./frobnicate --x\n\techo made\n\trm -rf {}\n",
            v.display()
        ),
    )
    .unwrap();
    let out = guard(&sb, &["sh", "-c", "make; echo make=$?"]);
    let all = text(&out);
    assert!(all.contains("made"), "{all}");
    assert!(
        all.contains("make=2"),
        "make failed at the refused rm: {all}"
    );
    intact(&v);
    let tool = event_for(&sb, "frobnicate --x");
    assert_eq!(tool["decision"], "allow", "{tool}");
    assert!(
        tool["reason"].as_str().unwrap().contains("inherits"),
        "{tool}"
    );
    // The same unknown tool as a top-level command is held.
    let out = guard(&sb, &["sh", "-c", "./frobnicate --top; echo top=$?"]);
    assert!(text(&out).contains("top=126"), "{}", text(&out));
    let rm = event_for(&sb, &format!("rm -rf {}", v.display()));
    assert_eq!(
        rm["decision"], "hold",
        "a delete under make is judged: {rm}"
    );
}

#[test]
fn an_exec_that_is_part_of_an_approved_line_is_not_asked_again() {
    require_tmux();
    let mut sb = Sandbox::new();
    sb.write_config("hold_timeout_secs = 60\n");
    sb.start();
    let v = victim(&sb);
    let line = format!("rm -rf {}", v.display());
    let child = sb
        .cmd()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .current_dir(sb.project())
        .args(["guard", "--", "sh", "-c"])
        .arg(format!("bash -c '{line}'; echo bash=$?"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The bash exec is held; a human approves it in a real terminal.
    let mut c = Conn::open(&sb.socket());
    let id = first_pending(&mut c)["id"].as_str().unwrap().to_string();
    let screen = approve_in_terminal(&sb, &id, "");
    assert!(screen.contains("EXIT=0"), "{screen}");
    let out = child.wait_with_output().unwrap();
    assert!(text(&out).contains("bash=0"), "{}", text(&out));
    assert!(!v.exists(), "the approved line ran");
    let rm = event_for(&sb, "/usr/bin/rm -rf");
    assert_eq!(rm["decision"], "allow", "{rm}");
    assert!(rm["raw"].as_str().unwrap().starts_with('/'), "{rm}");
    let events = exec_events(&sb);
    let holds = events.iter().filter(|e| e["decision"] == "hold").count();
    assert_eq!(holds, 1, "asked once: {events:#?}");
}

#[test]
fn where_a_supervisor_already_listens_guard_says_so_and_falls_back_to_the_shims() {
    let sb = sandbox();
    // A guard inside a guard: the kernel refuses a second listener (EBUSY).
    // The outer guard runs without Landlock: with it, its tree may not
    // write the shim dir, so the inner guard could not make its shims
    // (docs/GUARD.md, "The agent is not the human").
    let out = sb
        .cmd()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .env("KINTSUGI_SHIM_DIR", sb.shims())
        .current_dir(sb.project())
        .args([
            "guard",
            "--no-landlock",
            "--",
            BIN,
            "guard",
            "--",
            "sh",
            "-c",
            "echo inner; echo $PATH",
        ])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let all = text(&out);
    assert!(out.status.success(), "{all}");
    assert!(all.contains("exec supervisor is unavailable"), "{all}");
    assert!(all.contains("EBUSY"), "{all}");
    assert!(all.contains("falling back to the PATH shims"), "{all}");
    let shims = sb.shims().display().to_string();
    assert!(
        all.contains(&format!("inner\n{shims}:")),
        "shims first: {all}"
    );
}

#[test]
fn status_and_doctor_name_the_layer_that_protects_a_live_guard() {
    let sb = sandbox();
    let mut agent = sb
        .cmd()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .current_dir(sb.project())
        .args(["guard", "--", "sleep", "3"])
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    let status = loop {
        let s = text(&sb.run(&["status"]));
        if s.contains("guarded agent") || std::time::Instant::now() > deadline {
            break s;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert!(
        status.contains("guarded agent   sleep") && status.contains("exec supervisor (seccomp"),
        "{status}"
    );
    let doctor = text(&sb.run(&["doctor"]));
    assert!(doctor.contains("guard      sleep"), "{doctor}");
    assert!(doctor.contains("no_new_privs"), "{doctor}");
    assert!(agent.wait().unwrap().success());
    // Gone with the guard.
    assert!(!text(&sb.run(&["status"])).contains("guarded agent"));
}

#[test]
fn a_line_the_agents_hook_held_and_a_human_approved_is_not_asked_again_at_exec_time() {
    require_tmux();
    let mut sb = Sandbox::new();
    sb.write_config("hold_timeout_secs = 2\n");
    sb.start();
    let v = victim(&sb);
    let line = format!("rm -rf {}", v.display());
    let cwd = sb.project().display().to_string();
    // The agent's pre-tool hook proposes the line; it is held.
    let mut frame: serde_json::Value = serde_json::from_str(&propose(&line, &cwd)).unwrap();
    frame["agent"] = "hook:claude".into();
    let mut c = Conn::open(&sb.socket());
    let verdict = c.ask(&frame.to_string()).unwrap();
    assert_eq!(verdict["decision"], "hold", "{verdict}");
    let id = first_pending(&mut c)["id"].as_str().unwrap().to_string();
    let screen = approve_in_terminal(&sb, &id, "");
    assert!(screen.contains("EXIT=0"), "{screen}");
    // The agent then runs it itself, by absolute path, under guard (as
    // Codex does with `/bin/bash -lc`): nothing is held a second time.
    let out = guard(
        &sb,
        &["sh", "-c", &format!("/bin/bash -c '{line}'; echo bash=$?")],
    );
    assert!(text(&out).contains("bash=0"), "{}", text(&out));
    assert!(!v.exists(), "the approved line ran");
    let bash = event_for(&sb, "/bin/bash -c");
    assert!(
        bash["reason"]
            .as_str()
            .unwrap()
            .contains("a human approved"),
        "{bash}"
    );
    assert!(
        event_for(&sb, "/usr/bin/rm -rf")["reason"]
            .as_str()
            .unwrap()
            .contains("Part of")
    );
    let events = exec_events(&sb);
    assert!(
        !events.iter().any(|e| e["decision"] != "allow"),
        "asked again: {events:#?}"
    );
}

/// An exec proposal frame (origin `exec`) for `raw`, naming `parent`.
fn exec_frame(raw: &str, cwd: &str, parent: Option<&str>) -> (String, serde_json::Value) {
    let mut frame: serde_json::Value = serde_json::from_str(&propose(raw, cwd)).unwrap();
    frame["agent"] = "exec".into();
    frame["origin"] = "exec".into();
    frame["exec"] = serde_json::json!({"program": raw.split(' ').next().unwrap()});
    if let Some(p) = parent {
        frame["exec"]["parent"] = p.into();
    }
    (frame["id"].as_str().unwrap().to_string(), frame)
}

#[test]
fn an_allowed_exec_under_an_allowed_parent_is_answered_before_its_record_and_recorded_after() {
    let sb = sandbox();
    let cwd = sb.project().display().to_string();
    let mut c = Conn::open(&sb.socket());
    // A top-level exec: committed before the answer (the verdict names its
    // ledger event).
    let (parent, frame) = exec_frame("/bin/sh -c 'make all'", &cwd, None);
    let v = c.ask(&frame.to_string()).unwrap();
    assert_eq!(v["decision"], "allow", "{v}");
    assert!(v["event"].is_u64(), "top-level: recorded first: {v}");
    // Allowed, under that allowed parent: answered at once, no event yet…
    let (child, frame) = exec_frame("/usr/bin/make all", &cwd, Some(&parent));
    let v = c.ask(&frame.to_string()).unwrap();
    assert_eq!(v["decision"], "allow", "{v}");
    assert!(v.get("event").is_none(), "covered: answered first: {v}");
    // … and on the ledger right after, with its parent.
    let e = event_for(&sb, "/usr/bin/make all");
    assert_eq!(e["decision"], "allow", "{e}");
    let detail: serde_json::Value = serde_json::from_str(e["detail"].as_str().unwrap()).unwrap();
    assert_eq!(detail["id"], child.as_str());
    assert_eq!(detail["exec"]["parent"], parent.as_str());
    // A parent the daemon never allowed covers nothing.
    let (_, frame) = exec_frame("/bin/true", &cwd, Some("no-such-exec"));
    let v = c.ask(&frame.to_string()).unwrap();
    assert!(v["event"].is_u64(), "unknown parent: recorded first: {v}");
    // A hold under an allowed parent is recorded before it is answered.
    let v_path = victim(&sb);
    let rm = format!("/bin/rm -rf {}", v_path.display());
    let (_, frame) = exec_frame(&rm, &cwd, Some(&parent));
    let v = c.ask(&frame.to_string()).unwrap();
    assert_eq!(v["decision"], "hold", "{v}");
    assert!(v["event"].is_u64(), "a hold is recorded first: {v}");
    let (ok, why) = verify(&sb);
    assert!(ok, "the ledger verifies with the late records: {why}");
}

/// A covered loop's execs all reach the ledger (gathered and committed in
/// batches after they ran), the chain verifies, and `limits` states the
/// window in which a killed daemon would lose them.
#[test]
fn every_exec_of_a_covered_loop_is_recorded_after_it_ran() {
    let sb = sandbox();
    let n = 300;
    let line =
        format!("/bin/sh -c 'i=0; while [ $i -lt {n} ]; do /bin/true; i=$((i+1)); done'; exit $?");
    let out = guard(&sb, &["/bin/sh", "-c", &line]);
    assert!(out.status.success(), "{}", text(&out));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let trues = loop {
        let events: Vec<serde_json::Value> = sb
            .log_text(2 * n)
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter(|e| e["kind"] == "propose" && e["raw"] == "/bin/true")
            .collect();
        if events.len() >= n || std::time::Instant::now() > deadline {
            break events;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    assert_eq!(trues.len(), n, "every covered exec is on the ledger");
    assert!(trues.iter().all(|e| e["decision"] == "allow"));
    assert!(
        trues.iter().all(leased),
        "each safe covered exec was answered by the guard under the daemon's lease"
    );
    let (ok, why) = verify(&sb);
    assert!(ok, "{why}");
    let limits = text(&sb.run(&["limits"]));
    let flat = limits.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains(&format!(
            "records are gathered for {} ms",
            kintsugi_daemon::DEFER_WINDOW.as_millis()
        )),
        "{limits}"
    );
}

/// One of the agent's own commands that is safe (`make` here) is answered
/// under the lease too, and recorded right after. An unknown program it
/// starts is proposed naming it, only once its report reached the daemon,
/// and inherits its allowance instead of being held.
#[test]
fn a_safe_command_of_the_agent_is_leased_and_its_unknown_helper_inherits_it() {
    let sb = sandbox();
    let proj = sb.project();
    // A program the classifier cannot know: a copy of `echo` under another name.
    let tool = proj.join("tool-xq");
    std::fs::copy("/bin/echo", &tool).unwrap();
    std::fs::write(proj.join("Makefile"), "all:\n\t./tool-xq helper-ran\n").unwrap();
    let out = guard(&sb, &["/bin/sh", "-c", "make; exit $?"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("helper-ran"),
        "{}",
        text(&out)
    );
    let make = event_for(&sb, "make");
    assert!(make["decision"] == "allow" && leased(&make), "{make}");
    let helper = event_for(&sb, "tool-xq");
    assert!(
        helper["decision"] == "allow" && !leased(&helper),
        "{helper}"
    );
    assert!(
        helper["reason"].as_str().unwrap().contains("inherits"),
        "{helper}"
    );
    let detail = |e: &serde_json::Value| -> serde_json::Value {
        serde_json::from_str(e["detail"].as_str().unwrap()).unwrap()
    };
    assert_eq!(detail(&helper)["exec"]["parent"], detail(&make)["id"]);
    let (ok, why) = verify(&sb);
    assert!(ok, "{why}");
}

/// Whether an event's detail says the guard answered it under the lease.
fn leased(e: &serde_json::Value) -> bool {
    e["detail"]
        .as_str()
        .and_then(|d| serde_json::from_str::<serde_json::Value>(d).ok())
        .is_some_and(|d| d["lease"] == true)
}

/// `--ask-every-exec` asks the daemon about each covered exec; by default a
/// safe covered exec is answered under the lease, and the kill switch stops
/// that at once: the next covered exec is asked, and denied.
#[test]
fn the_kill_switch_stops_the_guards_own_answers_at_once_and_ask_every_exec_asks() {
    let sb = sandbox();
    let out = sb
        .cmd()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .current_dir(sb.project())
        .args(["guard", "--ask-every-exec", "--"])
        .args([
            "/bin/sh",
            "-c",
            "/bin/sh -c '/bin/echo asked-each-time'; exit $?",
        ])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let e = event_for(&sb, "asked-each-time");
    assert!(e["decision"] == "allow" && !leased(&e), "{e}");

    let go = sb.root().join("go");
    // The agent's own command runs a line, so the line's execs are covered
    // (the loop gives up after a minute, should the test fail first).
    let line = format!(
        "/bin/sh -c '/bin/echo before-panic; i=0; while [ ! -e {} ] && [ $i -lt 600 ]; do /bin/sleep 0.1; i=$((i+1)); done; /bin/echo after-panic'; exit $?",
        go.display()
    );
    let agent = sb
        .cmd()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .current_dir(sb.project())
        .args(["guard", "--", "/bin/sh", "-c", &line])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let e = event_for(&sb, "before-panic");
    assert!(e["decision"] == "allow" && leased(&e), "{e}");
    let p = sb.run(&["panic"]);
    assert!(p.status.success(), "{}", text(&p));
    std::fs::write(&go, "").unwrap();
    let out = agent.wait_with_output().unwrap();
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(
        !printed.lines().any(|l| l == "after-panic"),
        "ran under the kill switch: {}",
        text(&out)
    );
    let e = event_for(&sb, "after-panic");
    assert!(e["decision"] == "deny" && !leased(&e), "{e}");
    assert!(e["reason"].as_str().unwrap().contains("kill switch"), "{e}");
}

/// `execlease` answers the daemon's terms; an `execsran` report is checked
/// whole (only execs the guard caught, at most `MAX_RAN_EXECS`) before anything of it
/// is recorded, only a live guard may report, and what it records is judged
/// by the daemon again.
#[test]
fn a_lease_is_streamed_and_a_bad_execsran_report_records_nothing() {
    let sb = sandbox();
    let cwd = sb.project().display().to_string();
    let mut lease = Conn::open(&sb.socket());
    let terms = lease.ask(r#"{"kind":"execlease"}"#).unwrap();
    assert_eq!(terms["kind"], "lease", "{terms}");
    assert_eq!(terms["granted"], true, "{terms}");
    let mut c = Conn::open(&sb.socket());
    let (_, ok) = exec_frame("/bin/echo reported-ok", &cwd, Some("p"));
    let one = serde_json::json!({"kind": "execsran", "execs": [ok.clone()]});
    let v = c.ask(&one.to_string()).unwrap();
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .contains("only a running `kintsugi guard`"),
        "a process that is not a guard may not report: {v}"
    );
    // From here on this test process stands for a guard: its note says so.
    let _note = kintsugi_protocol::guards::GuardNote::write(
        &sb.data(),
        &kintsugi_protocol::GuardInfo {
            guard_pid: std::process::id(),
            agent: "test".into(),
            session: "s".into(),
            layer: "exec".into(),
            ..Default::default()
        },
    );
    let (_, mut formless) = exec_frame("/bin/echo no-exec-form", &cwd, None);
    formless.as_object_mut().unwrap().remove("exec");
    let bad = serde_json::json!({"kind": "execsran", "execs": [ok.clone(), formless]});
    let v = c.ask(&bad.to_string()).unwrap();
    assert_eq!(v["kind"], "error", "{v}");
    assert!(v["message"].as_str().unwrap().contains("exec 1"), "{v}");
    let many = vec![ok.clone(); kintsugi_protocol::MAX_RAN_EXECS + 1];
    let v = c
        .ask(&serde_json::json!({"kind": "execsran", "execs": many}).to_string())
        .unwrap();
    assert!(v["message"].as_str().unwrap().contains("at most"), "{v}");
    let rm = format!(
        "/bin/rm -rf {}",
        sb.root().join("home/x-reported").display()
    );
    let (_, rm) = exec_frame(&rm, &cwd, Some("p"));
    let v = c
        .ask(&serde_json::json!({"kind": "execsran", "execs": [ok, rm]}).to_string())
        .unwrap();
    assert_eq!(v["kind"], "ack", "{v}");
    let e = event_for(&sb, "reported-ok");
    assert!(e["class"] == "safe" && leased(&e), "{e}");
    let e = event_for(&sb, "x-reported");
    assert_ne!(e["class"], "safe", "judged by the daemon again: {e}");
    assert!(
        e["reason"]
            .as_str()
            .unwrap()
            .contains("would not let it through unasked"),
        "{e}"
    );
    assert_eq!(
        exec_events(&sb).len(),
        2,
        "nothing of the bad reports was recorded"
    );
    // The kill switch is streamed at once.
    assert!(sb.run(&["panic"]).status.success());
    let terms = lease.read().unwrap();
    assert_eq!(terms["granted"], false, "{terms}");
}
