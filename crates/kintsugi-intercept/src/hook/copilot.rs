//! GitHub Copilot CLI, `preToolUse`.
//!
//! In (camelCase): `{"timestamp", "cwd", "toolName":"bash", "toolArgs"}`,
//! where `toolArgs` is a JSON-encoded STRING in the CLI (`"{\"command\":…}"`)
//! and an object in the SDK; both are accepted (docs.github.com CLI hooks
//! reference and SDK pre-tool-use page; not run against a real Copilot here).
//! Out: `{"permissionDecision":"allow"|"deny", "permissionDecisionReason"}`
//! at exit 0, the documented contract. Copilot documents no exit-code
//! semantics, so a block does NOT rely on exit 2 (a failing hook may be
//! ignored); the reason is also written to stderr for the log.
//! - no opinion → exit 0, nothing printed ("return nothing to allow");
//! - `ask` is not used: the daemon snapshots and logs only what it allows.

use super::{Answer, HookRequest, Outcome, command_in, str_field};
use crate::install::{ConfigStore, InstallFacts};
use serde_json::{Value, json};

/// Where Copilot CLI lives under HOME and where `kintsugi init` wires this hook.
pub(crate) const INSTALL: InstallFacts = InstallFacts {
    dirs: &[".copilot"],
    file: ".copilot/hooks/kintsugi.json",
    store: ConfigStore::OwnFile,
};

const SHELL_TOOLS: &[&str] = &["bash", "shell", "powershell", "Bash"];

pub(crate) fn parse(v: &Value) -> Result<HookRequest, String> {
    let obj = v.as_object().ok_or("the payload is not a JSON object")?;
    let tool_name = str_field(v, "toolName")
        .ok_or("the payload has no `toolName` string")?
        .to_string();
    let mut req = HookRequest {
        command: None,
        cwd: str_field(v, "cwd").map(str::to_string),
        session: str_field(v, "sessionId").map(str::to_string),
        tool_name,
        ..HookRequest::default()
    };
    if !SHELL_TOOLS.contains(&req.tool_name.as_str()) {
        return Ok(req);
    }
    let args = match obj.get("toolArgs") {
        Some(Value::String(s)) => serde_json::from_str::<Value>(s)
            .map_err(|e| format!("`toolArgs` is a string that is not JSON ({e})"))?,
        Some(other) => other.clone(),
        None => return Err(format!("tool `{}` came without `toolArgs`", req.tool_name)),
    };
    req.command = Some(command_in(&args, &["command"], "toolArgs", &req.tool_name)?);
    Ok(req)
}

pub(crate) fn answer(o: &Outcome) -> Answer {
    match o {
        Outcome::NoOpinion => Answer::silent(),
        Outcome::Allow { reason } => Answer::json(json!({
            "permissionDecision": "allow",
            "permissionDecisionReason": reason,
        })),
        Outcome::Block { reason } => {
            let mut a = Answer::json(json!({
                "permissionDecision": "deny",
                "permissionDecisionReason": reason,
            }));
            a.stderr = format!("{reason}\n");
            a
        }
    }
}
