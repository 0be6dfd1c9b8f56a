//! `kintsugi hook --agent NAME` through the real binary against a real
//! sandbox daemon, for every dialect, with the payload fixtures under
//! `tests/fixtures/hooks/`. Holds are decided by `deny` over the socket (always
//! allowed), by letting the wait run out, or by `kintsugi approve` typed in a
//! tmux pane (a real terminal in a separate process tree). Written to hold for
//! any classifier: `ls -la` is safe, `rm -rf ~` is dangerous, and classes are
//! only asserted through decisions.

mod common;
use common::hooking::*;
use common::*;
use serde_json::Value;
use std::process::Command;
use std::time::{Duration, Instant};

#[test]
fn safe_command_is_allowed_and_recorded_for_every_agent() {
    let mut sb = Sandbox::new();
    sb.start();
    for agent in AGENTS {
        let r = hook(&sb, agent, &fixture(agent, "allow"), &[], &[]);
        assert_allowed(agent, &r);
        let log = sb.run(&["log", "--json", "--agent", &format!("hook:{agent}")]);
        let text = String::from_utf8_lossy(&log.stdout);
        assert!(
            text.contains("ls -la"),
            "{agent}: not in the ledger: {text}"
        );
        assert!(
            text.contains("fixture"),
            "{agent}: cwd from the payload: {text}"
        );
    }
}

#[test]
fn held_command_denied_by_a_human_is_blocked_for_every_agent() {
    let mut sb = Sandbox::new();
    sb.start();
    for agent in AGENTS {
        let raw = command_of(agent, "deny");
        let child = spawn_hook(
            &sb,
            agent,
            &fixture(agent, "deny"),
            &["--wait-secs", "30"],
            &[],
        );
        let id = held_id(&sb, agent, &raw);
        let mut c = Conn::open(&sb.socket());
        let ack = c.ask(&format!(r#"{{"kind":"deny","id":"{id}"}}"#)).unwrap();
        assert_eq!(ack["kind"], "ack", "{ack}");
        let r = finish(child);
        assert_blocked(agent, &r);
        assert!(r.reason().contains("a human denied"), "{agent}: {r:?}");
    }
}

#[test]
fn a_command_the_daemon_denies_outright_is_blocked_for_every_agent() {
    let mut sb = Sandbox::new();
    // A user rule: the daemon answers `deny` at once, nobody is asked.
    sb.write_config("[rules]\ndeny = [\"ls *\"]\n");
    sb.start();
    for agent in AGENTS {
        let r = hook(&sb, agent, &fixture(agent, "allow"), &[], &[]);
        assert_blocked(agent, &r);
        assert!(
            r.reason().contains("Denied by the rule \"ls *\""),
            "{agent}: {r:?}"
        );
        assert!(
            pending_ids(&sb, agent, "ls -la").is_empty(),
            "{agent}: not held"
        );
    }
}

#[test]
fn unanswered_hold_times_out_to_a_block_naming_the_pending_id() {
    let mut sb = Sandbox::new();
    sb.start();
    let start = Instant::now();
    let children: Vec<_> = AGENTS
        .iter()
        .map(|a| {
            (
                *a,
                spawn_hook(&sb, a, &fixture(a, "hold"), &["--wait-secs", "1"], &[]),
            )
        })
        .collect();
    for (agent, child) in children {
        let r = finish(child);
        assert_blocked(agent, &r);
        let ids = pending_ids(&sb, agent, &command_of(agent, "hold"));
        assert_eq!(
            ids.len(),
            1,
            "{agent}: the hold stays pending for later: {ids:?}"
        );
        let reason = r.reason();
        assert!(
            reason.contains(&format!("kintsugi run {}", ids[0])),
            "{agent}: {r:?}"
        );
        assert!(reason.contains("did not run"), "{agent}: {r:?}");
    }
    assert!(
        start.elapsed() < Duration::from_secs(12),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn other_tools_pass_through_without_a_verdict() {
    let mut sb = Sandbox::new();
    sb.start();
    let len = |sb: &Sandbox| {
        let mut c = Conn::open(&sb.socket());
        c.ask(r#"{"kind":"status"}"#).unwrap()["ledger_len"]
            .as_u64()
            .unwrap()
    };
    let before = len(&sb);
    for agent in AGENTS {
        let r = hook(&sb, agent, &fixture(agent, "other_tool"), &[], &[]);
        assert_no_opinion(agent, &r);
        assert!(r.stderr.is_empty(), "{agent}: {r:?}");
    }
    assert_eq!(
        len(&sb),
        before,
        "a non-shell tool must not reach the daemon"
    );
}

#[test]
fn daemon_down_blocks_catastrophic_and_follows_the_fail_mode() {
    let sb = Sandbox::new(); // never started
    let dangerous = local_class(&sb, "rm -rf ~");
    for agent in AGENTS {
        let safe = hook(&sb, agent, &fixture(agent, "allow"), &[], &[]);
        assert_no_opinion(agent, &safe);
        assert!(safe.stderr.contains("unreachable"), "{agent}: {safe:?}");
        assert!(
            safe.stderr.contains("fail_mode = \"open\" in the config"),
            "{agent}: {safe:?}"
        );

        let open = hook(&sb, agent, &fixture(agent, "deny"), &[], &[]);
        if dangerous == "catastrophic" {
            assert_blocked(agent, &open);
            assert!(open.reason().contains("catastrophic"), "{agent}: {open:?}");
        } else {
            assert_no_opinion(agent, &open);
            assert!(open.stderr.contains(&dangerous), "{agent}: {open:?}");
        }

        let closed = [("KINTSUGI_FAIL_MODE", "closed")];
        for case in ["deny", "hold"] {
            let r = hook(&sb, agent, &fixture(agent, case), &[], &closed);
            assert_blocked(agent, &r);
            assert!(r.reason().contains("unreachable"), "{agent}: {r:?}");
        }
    }
}

#[test]
fn daemon_down_follows_the_fail_mode_in_the_config_which_the_environment_cannot_loosen() {
    let sb = Sandbox::new(); // never started
    sb.write_config("fail_mode = \"closed\"\n");
    // Dangerous but not catastrophic: the fail mode decides it.
    let risky = "chmod -R 777 .";
    assert_eq!(local_class(&sb, risky), "ambiguous");
    for agent in AGENTS {
        let payload = fixture(agent, "allow").replace("ls -la", risky);
        let r = hook(&sb, agent, &payload, &[], &[]);
        assert_blocked(agent, &r);
        assert!(
            r.reason().contains("fail_mode = \"closed\" in the config"),
            "{agent}: {r:?}"
        );
        // The agent's environment saying `open` does not loosen it.
        let open = [("KINTSUGI_FAIL_MODE", "open")];
        let r = hook(&sb, agent, &payload, &[], &open);
        assert_blocked(agent, &r);
        assert!(
            r.reason().contains("fail_mode = \"closed\" in the config"),
            "{agent}: {r:?}"
        );
    }
    sb.write_config("fail_mode = \"sideways\"\n");
    let payload = fixture("claude", "allow").replace("ls -la", risky);
    let r = hook(&sb, "claude", &payload, &[], &[]);
    assert_blocked("claude", &r);
    assert!(r.reason().contains("until it is fixed"), "{r:?}");
}

#[test]
fn approval_typed_in_a_terminal_lets_the_held_command_through() {
    require_tmux();
    let mut sb = Sandbox::new();
    sb.start();
    let raw = command_of("claude", "hold");
    let child = spawn_hook(
        &sb,
        "claude",
        &fixture("claude", "hold"),
        &["--wait-secs", "40"],
        &[],
    );
    let id = held_id(&sb, "claude", &raw);
    let screen = approve_in_terminal(&sb, &id, "");
    assert!(screen.contains("EXIT=0"), "{screen}");
    let r = finish(child);
    let pane = screen;
    assert_allowed("claude", &r);
    assert!(
        r.json()["hookSpecificOutput"]["permissionDecisionReason"]
            .as_str()
            .unwrap()
            .contains("approved"),
        "{r:?}\npane:\n{pane}"
    );
    // The agent now runs it, and a PATH shim sees it (with `~` expanded by
    // the shell): let through once without asking again, then held again.
    let home = sb.root().join("home");
    let shim_view = serde_json::json!({
        "kind": "propose", "id": common::uuid_like(), "ts": "2026-11-24T00:00:00Z",
        "agent": "shim", "cwd": "/tmp/kintsugi-fixture/project",
        "argv": ["rm", "-rf", format!("{}/project-backup", home.display())],
        "raw": format!("rm -rf {}/project-backup", home.display()),
    })
    .to_string();
    let mut c = common::Conn::open(&sb.socket());
    let v = c.ask(&shim_view).unwrap();
    assert_eq!(v["decision"], "allow", "{v}");
    assert!(v["reason"].as_str().unwrap().contains(&id), "{v}");
    let v = c.ask(&shim_view).unwrap();
    assert_eq!(v["decision"], "hold", "an approval is claimed once: {v}");
}

#[test]
fn a_hold_approved_in_a_terminal_is_allowed_in_every_dialect() {
    require_tmux();
    let mut sb = Sandbox::new();
    sb.start();
    for agent in AGENTS {
        let raw = command_of(agent, "hold");
        let child = spawn_hook(
            &sb,
            agent,
            &fixture(agent, "hold"),
            &["--wait-secs", "40"],
            &[],
        );
        let id = held_id(&sb, agent, &raw);
        let screen = approve_in_terminal(&sb, &id, "");
        assert!(screen.contains("EXIT=0"), "{agent}: {screen}");
        assert_allowed(agent, &finish(child));
    }
}

/// The agents whose post-tool hook `init` wires.
const AFTER_AGENTS: [&str; 4] = ["claude", "codex", "gemini", "qwen"];

/// The ledger events of `kind` from `agent`, newest first.
fn events(sb: &Sandbox, kind: &str, agent: &str) -> Vec<Value> {
    sb.log_text(200)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|e| e["kind"] == kind && e["agent"] == agent)
        .collect()
}

#[test]
fn the_post_tool_hook_records_that_the_allowed_command_finished() {
    let mut sb = Sandbox::new();
    sb.start();
    for agent in AFTER_AGENTS {
        assert_allowed(agent, &hook(&sb, agent, &fixture(agent, "allow"), &[], &[]));
        let post = hook(&sb, agent, &fixture(agent, "post"), &["--after"], &[]);
        assert_eq!(
            (post.code, post.stdout.as_str()),
            (0, ""),
            "{agent}: {post:?}"
        );
        assert_eq!(post.stderr, "", "{agent}: {post:?}");
        let done = events(&sb, "complete", &format!("hook:{agent}"));
        assert_eq!(done.len(), 1, "{agent}: {done:?}");
        assert_eq!(done[0]["raw"], "ls -la", "{agent}");
        let detail: Value = serde_json::from_str(done[0]["detail"].as_str().unwrap()).unwrap();
        let proposed = events(&sb, "propose", &format!("hook:{agent}"));
        assert!(
            proposed
                .iter()
                .any(|e| e.to_string().contains(detail["id"].as_str().unwrap())),
            "{agent}: the completion names the proposal's id: {detail} vs {proposed:?}"
        );
    }
    // A post-tool hook never gets in the way: no daemon, no payload, no shell
    // tool all exit 0 with nothing on stdout.
    sb.signal("TERM");
    sb.wait_exit();
    let r = hook(&sb, "claude", &fixture("claude", "post"), &["--after"], &[]);
    assert_eq!((r.code, r.stdout.as_str()), (0, ""), "{r:?}");
    assert!(r.stderr.contains("completion not recorded"), "{r:?}");
    let r = hook(&sb, "claude", "{not json", &["--after"], &[]);
    assert_eq!((r.code, r.stdout.as_str()), (0, ""), "{r:?}");
    assert!(r.stderr.contains("not JSON"), "{r:?}");
    let r = hook(
        &sb,
        "claude",
        &fixture("claude", "other_tool"),
        &["--after"],
        &[],
    );
    assert_eq!(
        (r.code, r.stdout.as_str(), r.stderr.as_str()),
        (0, "", ""),
        "{r:?}"
    );
}

#[test]
fn with_the_post_tool_hook_an_approved_agent_command_undoes_without_force() {
    require_tmux();
    let mut sb = Sandbox::new();
    sb.start();
    let victim = sb.root().join("home/project-backup");
    std::fs::create_dir_all(&victim).unwrap();
    std::fs::write(victim.join("notes.txt"), "precious").unwrap();
    let project = sb.project();
    let raw = format!("rm -rf {}", victim.display());
    let as_agent = |case: &str| {
        fixture("claude", case)
            .replace("ls -la", &raw)
            .replace("/tmp/kintsugi-fixture/project", project.to_str().unwrap())
    };
    // Claude asks; the human approves at a terminal; the hook allows.
    let child = spawn_hook(
        &sb,
        "claude",
        &as_agent("allow"),
        &["--wait-secs", "40"],
        &[],
    );
    let id = held_id(&sb, "claude", &raw);
    assert!(approve_in_terminal(&sb, &id, "").contains("EXIT=0"));
    assert_allowed("claude", &finish(child));
    // Claude runs it, then calls its PostToolUse hook.
    assert!(
        std::process::Command::new("sh")
            .args(["-c", &raw])
            .status()
            .unwrap()
            .success()
    );
    assert!(!victim.exists());
    let post = hook(&sb, "claude", &as_agent("post"), &["--after"], &[]);
    assert_eq!((post.code, post.stderr.as_str()), (0, ""), "{post:?}");
    // The completion fingerprinted what the command left, so undo needs no
    // --force (it would without the post-tool hook).
    let undo = sb.run(&["undo"]);
    assert!(undo.status.success(), "{}", text(&undo));
    assert_eq!(
        std::fs::read_to_string(victim.join("notes.txt")).unwrap(),
        "precious"
    );
}

#[test]
fn opencode_plugin_blocks_by_throwing_and_allows_safe_commands() {
    if Command::new("node").arg("--version").output().is_err() {
        eprintln!("SKIP: node is not installed (needed to load the OpenCode plugin)");
        return;
    }
    let mut sb = Sandbox::new();
    sb.start();
    let out = sb.run(&["hook", "--print-opencode-plugin", "--wait-secs", "1"]);
    assert!(out.status.success());
    let plugin = sb.root().join("kintsugi.mjs");
    std::fs::write(&plugin, &out.stdout).unwrap();
    let driver = sb.root().join("drive.mjs");
    std::fs::write(
        &driver,
        r#"const { KintsugiGuard } = await import(process.argv[2]);
const hooks = await KintsugiGuard({ directory: process.argv[4] });
try {
  await hooks["tool.execute.before"]({ tool: process.argv[5], sessionID: "ses_t", callID: "c1" },
    { args: { command: process.argv[3] } });
  console.log("RAN");
} catch (e) {
  console.log("BLOCKED: " + e.message);
}
"#,
    )
    .unwrap();
    let node = |cmd: &str, tool: &str, env: &[(&str, &str)]| {
        let mut c = node_cmd(&sb);
        for (k, v) in env {
            c.env(k, v);
        }
        let o = c
            .args([
                driver.to_str().unwrap(),
                plugin.to_str().unwrap(),
                cmd,
                sb.root().to_str().unwrap(),
                tool,
            ])
            .output()
            .unwrap();
        format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    };
    assert!(node("ls -la", "bash", &[]).starts_with("RAN"));
    let held = node("rm -rf ~", "bash", &[]);
    assert!(
        held.starts_with("BLOCKED: ") && held.contains("kintsugi run"),
        "{held}"
    );
    assert!(node("rm -rf ~", "read", &[]).starts_with("RAN"));
    let missing = [
        ("KINTSUGI_BIN", "/nonexistent/kintsugi"),
        ("KINTSUGI_FAIL_MODE", "closed"),
    ];
    assert!(node("ls", "bash", &missing).starts_with("BLOCKED: "));
    let open = node("ls", "bash", &missing[..1]);
    assert!(
        open.starts_with("RAN") && open.contains("not checked"),
        "{open}"
    );
}

/// `node` with the sandbox's environment (the plugin runs kintsugi from it).
fn node_cmd(sb: &Sandbox) -> Command {
    let mut c = Command::new("node");
    c.env("KINTSUGI_DATA_DIR", sb.data())
        .env("KINTSUGI_CONFIG", sb.config())
        .env("HOME", sb.root().join("home"))
        .env_remove("KINTSUGI_SOCKET")
        .env_remove("XDG_RUNTIME_DIR")
        .env_remove("KINTSUGI_FAIL_MODE")
        .env_remove("KINTSUGI_BIN");
    c
}

/// Cursor 3.11's shape (`preToolUse`, `Shell`, a UTF-8 BOM, no `cwd`, the
/// project as a `file://` root): allowed, held to a block naming the
/// pending id, other tools passed through; its `Delete` tool is judged as
/// the `rm` it amounts to.
#[test]
fn cursor_3_11_pre_tool_use_shell_and_delete() {
    let mut sb = Sandbox::new();
    sb.start();
    let bom = |case: &str| {
        let mut b = b"\xEF\xBB\xBF".to_vec();
        b.extend(fixture("cursor311", case).into_bytes());
        b
    };
    assert_allowed("cursor", &hook(&sb, "cursor", &bom("allow"), &[], &[]));
    let log = sb.run(&["log", "--json", "--agent", "hook:cursor"]);
    let text = String::from_utf8_lossy(&log.stdout);
    assert!(
        text.contains(r#""cwd":"/tmp/kintsugi-fixture/project""#),
        "the cwd comes from the file:// root: {text}"
    );
    let r = hook(&sb, "cursor", &bom("hold"), &["--wait-secs", "1"], &[]);
    assert_blocked("cursor", &r);
    let ids = pending_ids(&sb, "cursor", "rm -rf ~/project-backup");
    assert_eq!(ids.len(), 1, "{r:?}");
    assert!(
        r.reason().contains(&format!("kintsugi run {}", ids[0])),
        "{r:?}"
    );
    assert_no_opinion("cursor", &hook(&sb, "cursor", &bom("other_tool"), &[], &[]));

    let delete = fixture("cursor311", "allow")
        .replace(r#""tool_name":"Shell""#, r#""tool_name":"Delete""#)
        .replace(r#"{"command":"ls -la"}"#, r#"{"path":"~/.ssh/id_ed25519"}"#);
    let r = hook(&sb, "cursor", &delete, &["--wait-secs", "1"], &[]);
    assert_blocked("cursor", &r);
    let log = sb.run(&["log", "--json", "--agent", "hook:cursor"]);
    assert!(
        String::from_utf8_lossy(&log.stdout).contains(r#""raw":"rm -- '~/.ssh/id_ed25519'""#),
        "{}",
        String::from_utf8_lossy(&log.stdout)
    );
}

/// Claude Code's `Write` of a shell rc reaches the daemon as the `tee` it
/// amounts to and is blocked (held, nobody answers); a `Write` inside the
/// project passes without asking (the `other_tool` fixture elsewhere).
#[test]
fn claude_write_to_a_shell_rc_is_judged_and_blocked() {
    let mut sb = Sandbox::new();
    sb.start();
    let payload = fixture("claude", "other_tool").replace(
        "/tmp/kintsugi-fixture/project/notes.txt",
        "/home/dev/.bashrc",
    );
    let r = hook(&sb, "claude", &payload, &["--wait-secs", "1"], &[]);
    assert_blocked("claude", &r);
    let log = sb.run(&["log", "--json", "--agent", "hook:claude"]);
    let text = String::from_utf8_lossy(&log.stdout);
    assert!(
        text.contains(r#""raw":"tee -- /home/dev/.bashrc""#),
        "{text}"
    );
}
