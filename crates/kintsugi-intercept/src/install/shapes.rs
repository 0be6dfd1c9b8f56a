//! What `init` writes for each agent (the hook entry's shape in its config,
//! with the host timeout of the hold budget table), the files that are ours
//! alone (OpenCode's plugin, Cline's hook script, Copilot's user hooks
//! file), and what `doctor` sends and reads back in each dialect.

use super::jsonc::Doc;
use crate::hook::Agent;
use crate::hook::budget::hold_budget;
use serde_json::{Value, json};
use std::path::Path;

/// The name of our hook in Antigravity's `hooks.json` (grouped by name).
pub(super) const ANTIGRAVITY_HOOK: &str = "kintsugi";

/// The host timeout `init` writes for `agent`, in whole seconds.
fn host_secs(agent: Agent) -> u64 {
    hold_budget(agent)
        .host_timeout
        .map(|t| t.as_secs())
        .unwrap_or(60)
}

/// The event an agent's post-tool hook (`--after`, which reports that a
/// command finished) goes under; `None` where `init` wires none.
pub(super) fn after_event(agent: Agent) -> Option<&'static str> {
    match agent {
        Agent::Claude | Agent::Codex | Agent::Qwen => Some("PostToolUse"),
        Agent::Gemini => Some("AfterTool"),
        _ => None,
    }
}

/// Add our post-tool entry to a JSON config.
pub(super) fn wire_json_after(agent: Agent, doc: &mut Doc, command: &str) -> Result<(), String> {
    let (matcher, named) = match agent {
        Agent::Claude => ("Bash", false),
        Agent::Gemini => ("run_shell_command", true),
        Agent::Qwen => ("^run_shell_command$", true),
        other => return Err(format!("no post-tool hook shape for {}", other.name())),
    };
    // Claude counts `timeout` in seconds, Gemini and Qwen in milliseconds.
    let timeout = if agent == Agent::Claude { 10 } else { 10_000 };
    let mut hook = json!({"type": "command", "command": command, "timeout": timeout});
    if named {
        hook["name"] = json!("kintsugi-after");
    }
    let event = after_event(agent).expect("the agents above have one");
    doc.push(
        &["hooks", event],
        &json!({"matcher": matcher, "hooks": [hook]}),
    )
}

/// Add our pre-tool entry to a JSON config (the shape per agent from its
/// docs), with the host timeout of the hold budget table.
pub(super) fn wire_json(agent: Agent, doc: &mut Doc, command: &str) -> Result<(), String> {
    let secs = host_secs(agent);
    match agent {
        Agent::Claude | Agent::Droid => {
            // Claude's file tools go to the hook too: a write outside the
            // project or to a shell rc, credential or Kintsugi file is judged.
            let matcher = if agent == Agent::Claude {
                "Bash|Write|Edit|MultiEdit|NotebookEdit"
            } else {
                "Execute"
            };
            doc.push(
                &["hooks", "PreToolUse"],
                &json!({"matcher": matcher, "hooks": [
                    {"type": "command", "command": command, "timeout": secs}]}),
            )
        }
        Agent::Gemini => {
            doc.set(&["hooksConfig", "enabled"], &json!(true), false)?;
            doc.push(
                &["hooks", "BeforeTool"],
                &json!({"matcher": "run_shell_command", "hooks": [
                    {"name": "kintsugi", "type": "command", "command": command, "timeout": secs * 1000}]}),
            )
        }
        Agent::Qwen => doc.push(
            &["hooks", "PreToolUse"],
            &json!({"matcher": "^run_shell_command$", "hooks": [
                {"type": "command", "command": command, "name": "kintsugi", "timeout": secs * 1000}]}),
        ),
        Agent::Cursor => {
            doc.set(&["version"], &json!(1), true)?;
            // Up to 3.10 shell calls come as `beforeShellExecution`; 3.11
            // sends them (and `Delete`) as `preToolUse`.
            doc.push(
                &["hooks", "beforeShellExecution"],
                &json!({"command": command}),
            )?;
            doc.push(&["hooks", "preToolUse"], &json!({"command": command}))
        }
        Agent::Antigravity => doc.set(
            &[ANTIGRAVITY_HOOK],
            &json!({"PreToolUse": [{"matcher": "run_command", "hooks": [
                {"type": "command", "command": command, "timeout": secs}]}]}),
            false,
        ),
        Agent::Crush => doc.push(
            &["hooks", "PreToolUse"],
            &json!({"matcher": "^bash$", "command": command, "timeout": secs}),
        ),
        Agent::Kiro => doc.push(
            &["hooks", "preToolUse"],
            &json!({"matcher": "execute_bash", "command": command, "timeout_ms": secs * 1000}),
        ),
        Agent::Windsurf => doc.push(
            &["hooks", "pre_run_command"],
            &json!({"command": command, "show_output": true}),
        ),
        other => Err(format!("no JSON hook shape for {}", other.name())),
    }
}

/// The whole text of a file that is ours alone.
pub(super) fn own_file(agent: Agent, bin: &Path, command: &str) -> String {
    match agent {
        Agent::Copilot => {
            let v = json!({"version": 1, "hooks": {"preToolUse": [
                {"type": "command", "bash": command, "timeoutSec": host_secs(agent)}]}});
            format!("{}\n", serde_json::to_string_pretty(&v).unwrap_or_default())
        }
        Agent::Cline => format!(
            "#!/bin/sh\n# Kintsugi guard for Cline, written by `kintsugi init` (removed by `kintsugi init --undo`).\n# Cline runs this before each tool call with the call as JSON on stdin.\nexec {command}\n"
        ),
        _ => crate::hook::opencode::plugin_source(
            &bin.display().to_string(),
            Agent::OpenCode.default_wait(),
        ),
    }
}

/// A payload in `agent`'s dialect proposing `command` in `cwd`.
pub fn probe_payload(agent: Agent, command: &str, cwd: &str) -> Value {
    let claude = |tool: &str| {
        json!({"session_id": "kintsugi-doctor", "cwd": cwd,
            "hook_event_name": "PreToolUse", "tool_name": tool,
            "tool_input": {"command": command}, "tool_use_id": "doctor"})
    };
    match agent {
        Agent::Claude | Agent::Codex => claude("Bash"),
        Agent::Droid => claude("Execute"),
        Agent::Crush => claude("bash"),
        Agent::Kiro => claude("execute_bash"),
        Agent::Qwen => claude("run_shell_command"),
        Agent::Gemini => json!({"session_id": "kintsugi-doctor", "cwd": cwd,
            "hook_event_name": "BeforeTool", "tool_name": "run_shell_command",
            "tool_input": {"command": command}}),
        Agent::Cursor => json!({"hook_event_name": "beforeShellExecution",
            "conversation_id": "kintsugi-doctor", "command": command, "cwd": cwd}),
        Agent::Copilot => json!({"sessionId": "kintsugi-doctor", "cwd": cwd, "toolName": "bash",
            "toolArgs": json!({"command": command}).to_string()}),
        Agent::Antigravity => json!({"conversationId": "kintsugi-doctor",
            "toolCall": {"name": "run_command", "args": {"CommandLine": command, "Cwd": cwd}}}),
        Agent::Windsurf => json!({"agent_action_name": "pre_run_command",
            "trajectory_id": "kintsugi-doctor", "tool_info": {"command_line": command, "cwd": cwd}}),
        Agent::Cline => json!({"hookName": "PreToolUse", "taskId": "kintsugi-doctor",
            "workspaceRoots": [cwd], "preToolUse": {"toolName": "execute_command",
            "parameters": {"command": command}}}),
        Agent::OpenCode => {
            json!({"tool": "bash", "command": command, "cwd": cwd, "sessionID": "kintsugi-doctor"})
        }
    }
}

/// Did the hook's answer block the call, in `agent`'s dialect?
pub fn blocked(agent: Agent, code: Option<i32>, stdout: &str) -> bool {
    let v: Value = serde_json::from_str(stdout).unwrap_or(Value::Null);
    match agent {
        Agent::Copilot => v["permissionDecision"] == "deny",
        Agent::Antigravity => v["decision"] == "deny",
        Agent::Cline => v["cancel"] == true,
        Agent::OpenCode => code == Some(2) || v["decision"] == "block",
        _ => code == Some(2),
    }
}

/// Whether a config text runs our hook for `agent` (for tests).
#[cfg(test)]
pub(super) fn mentions(text: &str, agent: Agent) -> bool {
    text.contains(&super::marker(agent))
}
