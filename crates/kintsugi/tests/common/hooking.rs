//! Helpers for hook tests: the payload fixtures under
//! `tests/fixtures/hooks/`, running `kintsugi hook --agent NAME` against a
//! sandbox, and what blocks, allows and passes look like in each dialect.

use super::{Conn, Sandbox};
use serde_json::Value;
use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const AGENTS: [&str; 13] = [
    "claude",
    "codex",
    "gemini",
    "cursor",
    "copilot",
    "qwen",
    "opencode",
    "antigravity",
    "droid",
    "crush",
    "kiro",
    "windsurf",
    "cline",
];

/// Dialects with no explicit allow: silence (or Cline's `cancel:false`) is
/// both their allow and their "no opinion".
pub const NO_EXPLICIT_ALLOW: [&str; 4] = ["codex", "kiro", "windsurf", "cline"];

/// Where the shell command sits in `agent`'s payload (a JSON pointer);
/// Copilot's is inside the JSON string `toolArgs`.
pub fn command_pointer(agent: &str) -> &'static str {
    match agent {
        "cursor" | "opencode" => "/command",
        "antigravity" => "/toolCall/args/CommandLine",
        "windsurf" => "/tool_info/command_line",
        "cline" => "/preToolUse/parameters/command",
        "copilot" => "/toolArgs",
        _ => "/tool_input/command",
    }
}

pub fn fixture(agent: &str, case: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/hooks/{agent}/{case}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

pub fn command_of(agent: &str, case: &str) -> String {
    let v: Value = serde_json::from_str(&fixture(agent, case)).unwrap();
    // Copilot's `toolArgs` is an object (CLI 1.0.102, captured) or a
    // JSON-encoded string (older CLIs and its docs).
    let args = match &v["toolArgs"] {
        Value::String(s) => serde_json::from_str(s).unwrap(),
        other => other.clone(),
    };
    v.pointer(command_pointer(agent))
        .filter(|_| agent != "copilot")
        .or_else(|| args.get("command"))
        .and_then(Value::as_str)
        .unwrap()
        .to_string()
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {}\n--stdout--\n{}--stderr--\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

impl Run {
    pub fn json(&self) -> Value {
        serde_json::from_str(self.stdout.trim()).unwrap_or(Value::Null)
    }
    /// The reason a block carries: stderr, or the JSON reason of the
    /// dialects that block at exit 0.
    pub fn reason(&self) -> String {
        let j = self.json();
        let json_reason = ["permissionDecisionReason", "denyReason", "errorMessage"]
            .iter()
            .find_map(|k| j.get(*k).and_then(Value::as_str));
        match json_reason {
            Some(r) => format!("{r}\n{}", self.stderr),
            None => self.stderr.clone(),
        }
    }
}

pub fn hook_cmd(sb: &Sandbox, agent: &str, args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut c = sb.cmd();
    c.env_remove("KINTSUGI_FAIL_MODE")
        .env_remove("KINTSUGI_HOOK_WAIT_SECS")
        .args(["hook", "--agent", agent])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        c.env(k, v);
    }
    c
}

pub fn spawn_hook(
    sb: &Sandbox,
    agent: &str,
    payload: &(impl AsRef<[u8]> + ?Sized),
    args: &[&str],
    env: &[(&str, &str)],
) -> Child {
    let mut child = hook_cmd(sb, agent, args, env).spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // The hook may stop reading early (an oversized payload): not an error here.
    let _ = stdin.write_all(payload.as_ref());
    drop(stdin);
    child
}

pub fn finish(child: Child) -> Run {
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

pub fn hook(
    sb: &Sandbox,
    agent: &str,
    payload: &(impl AsRef<[u8]> + ?Sized),
    args: &[&str],
    env: &[(&str, &str)],
) -> Run {
    finish(spawn_hook(sb, agent, payload, args, env))
}

/// The answer that really blocks in each dialect.
pub fn assert_blocked(agent: &str, r: &Run) {
    match agent {
        "copilot" => {
            assert_eq!(r.code, 0, "{agent}: {r:?}");
            assert_eq!(r.json()["permissionDecision"], "deny", "{agent}: {r:?}");
        }
        // A missing or malformed answer fails closed in Antigravity; its
        // deny is JSON at exit 0, in both spellings.
        "antigravity" => {
            assert_eq!(r.code, 0, "{agent}: {r:?}");
            let j = r.json();
            assert_eq!(j["decision"], "deny", "{agent}: {r:?}");
            assert_eq!(j["allowTool"], false, "{agent}: {r:?}");
        }
        "cline" => {
            assert_eq!(r.code, 0, "{agent}: {r:?}");
            assert_eq!(r.json()["cancel"], true, "{agent}: {r:?}");
        }
        _ => {
            assert_eq!(r.code, 2, "{agent}: {r:?}");
            assert!(
                !r.stderr.trim().is_empty(),
                "{agent}: exit 2 needs a reason: {r:?}"
            );
            let j = r.json();
            let word = match agent {
                "claude" | "codex" | "qwen" | "droid" => {
                    &j["hookSpecificOutput"]["permissionDecision"]
                }
                "gemini" | "opencode" | "crush" | "kiro" | "windsurf" => &j["decision"],
                "cursor" => &j["permission"],
                other => panic!("unknown agent {other}"),
            };
            assert!(word == "deny" || word == "block", "{agent}: {r:?}");
        }
    }
}

/// The dialect's explicit allow (the daemon vouched for the command).
pub fn assert_allowed(agent: &str, r: &Run) {
    assert_eq!(r.code, 0, "{agent}: {r:?}");
    let j = r.json();
    let ok = match agent {
        "claude" | "qwen" | "droid" => j["hookSpecificOutput"]["permissionDecision"] == "allow",
        "codex" | "kiro" | "windsurf" => r.stdout.is_empty(),
        "cline" => j["cancel"] == false,
        "gemini" | "opencode" | "crush" => j["decision"] == "allow",
        "antigravity" => j["decision"] == "allow" && j["allowTool"] == true,
        "cursor" => j["permission"] == "allow",
        "copilot" => j["permissionDecision"] == "allow",
        other => panic!("unknown agent {other}"),
    };
    assert!(ok, "{agent}: not an allow: {r:?}");
}

/// The dialect's "no opinion": the call goes ahead under the agent's rules.
pub fn assert_no_opinion(agent: &str, r: &Run) {
    assert_eq!(r.code, 0, "{agent}: {r:?}");
    let ok = match agent {
        "cursor" => r.stdout.trim() == "{}",
        "opencode" => r.json()["decision"] == "none",
        "antigravity" => r.json()["decision"] == "ask",
        "cline" => r.json()["cancel"] == false,
        _ => r.stdout.is_empty(),
    };
    assert!(ok, "{agent}: not a pass-through: {r:?}");
}

pub fn pending_ids(sb: &Sandbox, agent: &str, raw: &str) -> Vec<String> {
    let mut c = Conn::open(&sb.socket());
    let list = c.ask(r#"{"kind":"listpending"}"#).unwrap();
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| {
            i["command"]["raw"] == raw && i["command"]["agent"] == format!("hook:{agent}").as_str()
        })
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect()
}

/// Wait (up to 10 s) until the hook of `agent` holds `raw`; its pending id.
pub fn held_id(sb: &Sandbox, agent: &str, raw: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(id) = pending_ids(sb, agent, raw).pop() {
            return id;
        }
        assert!(
            Instant::now() < deadline,
            "{agent}: the hook never held {raw}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// What the local classifier says about `cmd` (for the daemon-down cases).
pub fn local_class(sb: &Sandbox, cmd: &str) -> String {
    let out = sb.run(&["test", "--json", "--", cmd]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v["class"].as_str().unwrap().to_string()
}
