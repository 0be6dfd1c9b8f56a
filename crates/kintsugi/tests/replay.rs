//! `kintsugi replay` on synthetic transcripts shaped like the ones the real
//! CLIs write (Claude Code projects JSONL, Codex rollout JSONL, Gemini CLI
//! chats JSONL and the older whole-file JSON): every shell call is found
//! once, decided by the daemon's engine under the config's rules and mode
//! (or `--mode`), garbled and oversized files are skipped and counted, and
//! `--against-ledger` lists the calls no ledger event saw, first, with
//! secrets redacted. The real CLIs' transcripts: `replay_real.rs`.

mod common;
use common::*;
use serde_json::{Value, json};
use std::path::Path;
use std::process::Output;

fn write_lines(path: &Path, lines: &[Value]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    std::fs::write(path, text).unwrap();
}

fn claude_line(id: &str, name: &str, command: &str, cwd: &str, ts: &str) -> Value {
    json!({"type": "assistant", "sessionId": "s-claude", "cwd": cwd, "timestamp": ts,
           "message": {"role": "assistant", "content": [
               {"type": "tool_use", "id": id, "name": name,
                "input": {"command": command, "description": "x"}}]}})
}

fn report(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "replay failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("replay --json printed one JSON object")
}

fn decision_of<'a>(r: &'a Value, command: &str) -> &'a str {
    if let Some(e) = r["held_or_denied"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["command"] == command)
    {
        return e["decision"].as_str().unwrap();
    }
    "allow"
}

/// Transcripts of all three agents under the sandbox HOME's default places.
fn write_all_agents(sb: &Sandbox) -> std::path::PathBuf {
    let home = sb.root().join("home");
    let proj = sb.project();
    let p = proj.display().to_string();
    let claude = home.join(".claude/projects/-proj/11111111-aaaa.jsonl");
    let first = claude_line("toolu_1", "Bash", "ls -la", &p, "2026-12-01T10:00:00.000Z");
    write_lines(
        &claude,
        &[
            json!({"type": "user", "sessionId": "s-claude", "cwd": p, "message": {"role": "user", "content": "go"}}),
            first.clone(),
            // The same block written again (streamed update): counted once.
            first,
            claude_line(
                "toolu_2",
                "Read",
                "not a shell call",
                &p,
                "2026-12-01T10:00:01.000Z",
            ),
            claude_line(
                "toolu_3",
                "Bash",
                "rm -rf ~",
                &p,
                "2026-12-01T10:00:02.000Z",
            ),
        ],
    );
    let codex = home.join(".codex/sessions/2026/12/01/rollout-2026-12-01T10-00-00-abc.jsonl");
    write_lines(
        &codex,
        &[
            json!({"timestamp": "2026-12-01T10:01:00.000Z", "type": "session_meta",
                   "payload": {"id": "s-codex", "cwd": p}}),
            json!({"timestamp": "2026-12-01T10:01:01.000Z", "type": "response_item",
                   "payload": {"type": "function_call", "name": "exec_command", "call_id": "c1",
                               "arguments": json!({"cmd": "git status"}).to_string()}}),
            json!({"timestamp": "2026-12-01T10:01:02.000Z", "type": "response_item",
                   "payload": {"type": "function_call", "name": "shell", "call_id": "c2",
                               "arguments": json!({"command": ["bash", "-lc", "terraform destroy -auto-approve"]}).to_string()}}),
            json!({"timestamp": "2026-12-01T10:01:03.000Z", "type": "response_item",
                   "payload": {"type": "local_shell_call", "call_id": "c3",
                               "action": {"type": "exec", "command": ["rm", "-rf", "/"]}}}),
            json!({"timestamp": "2026-12-01T10:01:04.000Z", "type": "response_item",
                   "payload": {"type": "function_call_output", "call_id": "c1", "output": "ok"}}),
        ],
    );
    let gem = home.join(".gemini/tmp/proj-hash");
    std::fs::create_dir_all(gem.join("chats")).unwrap();
    std::fs::write(gem.join(".project_root"), format!("{p}\n")).unwrap();
    let tc = |id: &str, cmd: &str| {
        json!({"id": "m1", "timestamp": "2026-12-01T10:02:00.000Z", "type": "gemini", "content": "",
               "toolCalls": [{"id": id, "name": "run_shell_command", "args": {"command": cmd}}]})
    };
    write_lines(
        &gem.join("chats/session-2026-12-01T10-02-aaaa.jsonl"),
        &[
            json!({"sessionId": "s-gemini", "projectHash": "h", "startTime": "2026-12-01T10:02:00.000Z", "kind": "main"}),
            tc("g1", "echo hi"),
            tc("g1", "echo hi"),
            json!({"$set": {"messages": [tc("g2", "chmod -R 777 /")]}}),
            json!({"id": "m2", "type": "gemini", "toolCalls": [{"id": "g3", "name": "read_file", "args": {"command": "x"}}]}),
        ],
    );
    // The older whole-file form.
    std::fs::write(
        gem.join("chats/session-old.json"),
        json!({"sessionId": "s-gemini-old", "messages": [tc("g9", "pwd")]}).to_string(),
    )
    .unwrap();
    home
}

#[test]
fn replay_reads_each_agents_transcripts_and_decides_with_the_policy_and_mode() {
    let sb = Sandbox::new();
    sb.write_config("[rules]\ndeny = [\"terraform destroy*\"]\n");
    write_all_agents(&sb);
    let r = report(&sb.run(&["replay", "--json"]));
    assert_eq!(r["files_read"], 4, "{r:#}");
    assert_eq!(
        r["totals"]["calls"], 8,
        "each call once, non-shell tools ignored: {r:#}"
    );
    assert_eq!(r["per_agent"]["claude"]["calls"], 2);
    assert_eq!(r["per_agent"]["codex"]["calls"], 3);
    assert_eq!(r["per_agent"]["gemini"]["calls"], 3);
    assert_eq!(r["mode"], "attended");
    for safe in ["ls -la", "git status", "echo hi", "pwd"] {
        assert_eq!(decision_of(&r, safe), "allow", "{safe}: {r:#}");
    }
    for bad in ["rm -rf ~", "rm -rf /", "chmod -R 777 /"] {
        assert_eq!(
            decision_of(&r, bad),
            "hold",
            "{bad} is held in attended mode: {r:#}"
        );
    }
    let tf = r["held_or_denied"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["command"] == "terraform destroy -auto-approve")
        .expect("the codex argv call is unwrapped from bash -lc");
    assert_eq!(tf["decision"], "deny", "the user's deny rule applies: {tf}");
    assert!(
        tf["reason"]
            .as_str()
            .unwrap()
            .contains("terraform destroy*"),
        "{tf}"
    );
    let proj = sb.project().display().to_string();
    assert_eq!(
        r["per_project"][&proj]["calls"], 8,
        "every call ran in the project: {r:#}"
    );
    assert_eq!(r["top_holds"].as_array().unwrap().len(), 3, "{r:#}");
    assert_eq!(r["totals"]["held"], 3);
    assert_eq!(r["totals"]["denied"], 1);

    // What if: unattended denies what attended holds.
    let r = report(&sb.run(&["replay", "--json", "--mode", "unattended"]));
    assert_eq!(decision_of(&r, "rm -rf ~"), "deny", "{r:#}");
    assert_eq!(r["totals"]["denied"], 4);
    // One agent only, by default place or within a PATH holding them all.
    let r = report(&sb.run(&["replay", "--json", "--agent", "codex"]));
    assert_eq!(r["totals"]["calls"], 3, "{r:#}");
    assert!(r["per_agent"].get("claude").is_none());
    let home = sb.root().join("home");
    let r = report(&sb.run(&[
        "replay",
        "--json",
        "--agent",
        "gemini",
        home.to_str().unwrap(),
    ]));
    assert_eq!(r["files_read"], 2, "only Gemini's files are read: {r:#}");
    assert_eq!(r["per_agent"]["gemini"]["calls"], 3, "{r:#}");
    // The text report names the held commands and the counts.
    let out = sb.run(&["replay"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(
        text.contains("8 shell call(s)") && text.contains("3 held, 1 denied"),
        "{text}"
    );
    assert!(
        text.contains("rm -rf ~") && text.contains("most frequent holds"),
        "{text}"
    );
}

#[test]
fn replay_skips_garbled_and_oversized_files_with_a_message_and_counts_them() {
    let sb = Sandbox::new();
    let dir = sb.root().join("in/.claude/projects/p");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("garbled.jsonl"), b"\x00\xff\xfe not json\n{{{{\n").unwrap();
    let big = std::fs::File::create(dir.join("huge.jsonl")).unwrap();
    big.set_len(513 * 1024 * 1024).unwrap(); // sparse: costs no disk
    let cwd = sb.root().display().to_string();
    let good = dir.join("good.jsonl");
    write_lines(
        &good,
        &[claude_line(
            "t1",
            "Bash",
            "ls",
            &cwd,
            "2026-12-01T10:00:00Z",
        )],
    );
    let mut text = std::fs::read_to_string(&good).unwrap();
    text.push_str("this line is not JSON\n");
    std::fs::write(&good, text).unwrap();
    let r = report(&sb.run(&["replay", "--json", sb.root().join("in").to_str().unwrap()]));
    assert_eq!(r["files_read"], 1, "{r:#}");
    assert_eq!(r["bad_lines"], 1, "{r:#}");
    assert_eq!(r["totals"]["calls"], 1);
    let skipped = r["files_skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 2, "{r:#}");
    let why = |name: &str| {
        skipped
            .iter()
            .find(|s| s["file"].as_str().unwrap().ends_with(name))
            .map(|s| s["why"].as_str().unwrap().to_string())
            .unwrap_or_default()
    };
    assert!(why("garbled.jsonl").contains("none is JSON"), "{r:#}");
    assert!(why("huge.jsonl").contains("limit"), "{r:#}");
    // The text report says so too.
    let out = sb.run(&["replay", sb.root().join("in").to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("skipped") && text.contains("garbled.jsonl"),
        "{text}"
    );

    // A file outside any agent's directory: its format is told from its
    // first records.
    let loose = sb.root().join("loose.jsonl");
    write_lines(
        &loose,
        &[
            json!({"type": "session_meta", "payload": {"id": "s", "cwd": cwd}}),
            json!({"type": "response_item", "timestamp": "2026-12-01T10:00:00Z",
                   "payload": {"type": "function_call", "name": "exec_command", "call_id": "c",
                               "arguments": json!({"cmd": "git status"}).to_string()}}),
        ],
    );
    let r = report(&sb.run(&["replay", "--json", loose.to_str().unwrap()]));
    assert_eq!(r["per_agent"]["codex"]["calls"], 1, "{r:#}");
    let odd = sb.root().join("odd.jsonl");
    std::fs::write(&odd, "{\"hello\": 1}\n").unwrap();
    let r = report(&sb.run(&["replay", "--json", odd.to_str().unwrap()]));
    assert!(
        r["files_skipped"][0]["why"]
            .as_str()
            .unwrap()
            .contains("--agent"),
        "{r:#}"
    );

    // Bad arguments are clear errors.
    let out = sb.run(&["replay", "/nonexistent/transcripts"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read /nonexistent/transcripts"));
    let out = sb.run(&["replay", "--agent", "vim"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown agent"));
    let out = sb.run(&["replay"]);
    assert!(!out.status.success(), "no transcripts at all is an error");
    assert!(String::from_utf8_lossy(&out.stderr).contains("no transcripts found"));
}

#[test]
fn against_ledger_lists_the_calls_never_seen_first_and_redacts_them() {
    let mut sb = Sandbox::new();
    sb.start();
    let cwd = sb.project().display().to_string();
    let mut c = Conn::open(&sb.socket());
    let mut frame: Value = serde_json::from_str(&propose("ls /srv/seen", &cwd)).unwrap();
    frame["agent"] = json!("hook:claude");
    let answer = c.ask(&frame.to_string()).unwrap();
    assert_eq!(answer["decision"], "allow", "{answer}");

    let now = time::OffsetDateTime::now_utc();
    let fmt = |t: time::OffsetDateTime| {
        t.format(&time::format_description::well_known::Rfc3339)
            .unwrap()
    };
    let long_ago = fmt(now - time::Duration::hours(2));
    let now = fmt(now);
    let secret = "sk-live-Zq81Xw7Yv6Ut5Sr4Qp3";
    let curl = format!("curl -H 'Authorization: Bearer {secret}' https://api.example.com/x");
    let file = sb.root().join("t/.claude/projects/p/s.jsonl");
    write_lines(
        &file,
        &[
            claude_line("a", "Bash", "ls /srv/seen", &cwd, &now),
            claude_line("b", "Bash", "ls /srv/unseen", &cwd, &now),
            claude_line("c", "Bash", "ls /srv/seen", &cwd, &long_ago),
            claude_line("d", "Bash", &curl, &cwd, &now),
        ],
    );
    let path = file.to_str().unwrap();
    let out = sb.run(&["replay", "--json", "--against-ledger", path]);
    let raw = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        !raw.contains(secret),
        "the secret reached the report: {raw}"
    );
    let r = report(&out);
    assert_eq!(r["totals"]["never_seen"], 3, "{r:#}");
    let unseen: Vec<&str> = r["never_seen"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["command"].as_str().unwrap())
        .collect();
    assert!(unseen.contains(&"ls /srv/unseen"), "{unseen:?}");
    assert_eq!(
        unseen.iter().filter(|c| **c == "ls /srv/seen").count(),
        1,
        "only the call two hours off the proposal is unseen: {unseen:?}"
    );
    assert!(
        unseen
            .iter()
            .any(|c| c.starts_with("curl ") && c.contains("REDACTED")),
        "{unseen:?}"
    );
    assert_eq!(r["per_agent"]["claude"]["never_seen"], 3);

    let out = sb.run(&["replay", "--against-ledger", path]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains(secret));
    let gap = text
        .find("never seen by Kintsugi")
        .expect("the gap is reported");
    assert!(
        gap < text.find("held or denied").unwrap(),
        "the gap comes first:\n{text}"
    );
    assert!(text.contains("3 of 4"), "{text}");

    // No ledger at that data dir: a clear error.
    let out = sb.run(&[
        "replay",
        "--against-ledger",
        "--data-dir",
        sb.root().join("nothing").to_str().unwrap(),
        path,
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no ledger at"));
}
