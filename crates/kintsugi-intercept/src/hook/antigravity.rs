//! Antigravity CLI (`agy`, Gemini CLI's successor), `PreToolUse` (matcher
//! `run_command`) in its own `hooks.json` (`~/.gemini/config/hooks.json`,
//! project `.agents/hooks.json`), grouped by hook name, timeouts in seconds.
//!
//! In (camelCase): `{"toolCall":{"name":"run_command","args":{"CommandLine",
//! "Cwd"}}, "conversationId"|"sessionId", "cwd"|"workspaceRoots"}`. Both
//! spellings of the line (`CommandLine`, `commandLine`) and of the working
//! directory are read. Antigravity is not on npm, so this follows its
//! documentation and a published live probe (v1.1.2), not a run here.
//!
//! Out, always at exit 0 (a malformed or missing answer fails closed in
//! Antigravity, so every outcome is one well-formed JSON object). The live
//! probe saw `{"decision","reason"}`; the migration guide names
//! `{"allowTool","denyReason"}`; every answer carries both spellings:
//! - allow → `decision:"allow"`, `allowTool:true` (Antigravity still shows
//!   its own prompt: its `allow` does not suppress it);
//! - no opinion → `decision:"ask"` (its own review flow and always-allow
//!   cache decide; silence would be read as malformed and block);
//! - block → `decision:"deny"`, `allowTool:false`, the reason in `reason`
//!   and `denyReason`, and on stderr. A hold is never `ask`ed: the daemon
//!   waits for the human itself, then allows or denies with the
//!   `kintsugi run ID` hint.

use super::{Answer, HookRequest, Outcome, command_in, str_field};
use crate::install::{ConfigStore, InstallFacts};
use serde_json::{Value, json};

/// Where Antigravity CLI lives under HOME and where `kintsugi init` wires this hook.
pub(crate) const INSTALL: InstallFacts = InstallFacts {
    dirs: &[".gemini/antigravity-cli", ".gemini/config"],
    file: ".gemini/config/hooks.json",
    store: ConfigStore::Json,
};

const SHELL_TOOLS: &[&str] = &["run_command"];

pub(crate) fn parse(v: &Value) -> Result<HookRequest, String> {
    let obj = v.as_object().ok_or("the payload is not a JSON object")?;
    let call = obj
        .get("toolCall")
        .ok_or("the payload has no `toolCall` object")?;
    let tool = str_field(call, "name")
        .ok_or("`toolCall` has no `name` string")?
        .to_string();
    let args = call.get("args");
    let cwd = args
        .and_then(|a| str_field(a, "Cwd").or_else(|| str_field(a, "cwd")))
        .or_else(|| str_field(v, "cwd"))
        .map(str::to_string)
        .or_else(|| super::cursor::first_root(obj.get("workspaceRoots")));
    let mut req = HookRequest {
        command: None,
        cwd,
        session: str_field(v, "conversationId")
            .or_else(|| str_field(v, "sessionId"))
            .map(str::to_string),
        tool_name: tool,
        tool_use_id: str_field(call, "id").map(str::to_string),
        ..HookRequest::default()
    };
    if !SHELL_TOOLS.contains(&req.tool_name.as_str()) {
        return Ok(req);
    }
    let args =
        args.ok_or_else(|| format!("tool `{}` came without `toolCall.args`", req.tool_name))?;
    req.command = Some(command_in(
        args,
        &["CommandLine", "commandLine"],
        "toolCall.args",
        &req.tool_name,
    )?);
    Ok(req)
}

pub(crate) fn answer(o: &Outcome) -> Answer {
    match o {
        Outcome::NoOpinion => Answer::json(json!({"decision": "ask"})),
        Outcome::Allow { reason } => Answer::json(json!({
            "decision": "allow", "reason": reason, "allowTool": true,
        })),
        Outcome::Block { reason } => {
            let mut a = Answer::json(json!({
                "decision": "deny", "reason": reason,
                "allowTool": false, "denyReason": reason,
            }));
            a.stderr = format!("{reason}\n");
            a
        }
    }
}
