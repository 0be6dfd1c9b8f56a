//! Cursor, `beforeShellExecution` (and `preToolUse` on its `Shell` tool).
//!
//! In: `{"hook_event_name":"beforeShellExecution", "conversation_id",
//! "generation_id", "workspace_roots":[…], "command", "cwd"}` (Cursor's hook
//! reference as summarised in shared/AGENT-HOOKS.md; not run against a real
//! Cursor here).
//! Out: `{"permission":"allow"|"deny", "user_message", "agent_message"}`.
//! - allow → exit 0, `permission:"allow"`;
//! - no opinion → exit 0, `{}` (Cursor treats output that is not JSON from a
//!   permission hook as a failure, so we never answer with silence);
//! - block → exit 2 with the reason on stderr, plus `permission:"deny"` on
//!   stdout: exit 2 is documented to block like a deny, and the JSON blocks
//!   on its own. `ask` is not used: the daemon snapshots and logs only what
//!   it allows itself, so a hold waits here instead.

use super::{Answer, HookRequest, Outcome, str_field};
use serde_json::{Value, json};

pub(crate) fn parse(v: &Value) -> Result<HookRequest, String> {
    let obj = v.as_object().ok_or("the payload is not a JSON object")?;
    let event = str_field(v, "hook_event_name").unwrap_or("beforeShellExecution");
    let cwd = str_field(v, "cwd").map(str::to_string).or_else(|| {
        obj.get("workspace_roots")
            .and_then(|r| r.get(0))
            .and_then(Value::as_str)
            .map(str::to_string)
    });
    let mut req = HookRequest {
        command: None,
        cwd,
        session: str_field(v, "conversation_id").map(str::to_string),
        tool_name: event.to_string(),
        ..HookRequest::default()
    };
    match event {
        "beforeShellExecution" => {
            let c = str_field(v, "command")
                .ok_or("a `beforeShellExecution` payload came without a `command` string")?;
            req.command = Some(c.to_string());
        }
        "preToolUse" => {
            let tool = str_field(v, "tool_name").unwrap_or_default();
            req.tool_name = tool.to_string();
            if tool == "Shell" {
                let c = v
                    .get("tool_input")
                    .and_then(|i| i.get("command"))
                    .and_then(Value::as_str)
                    .ok_or(
                        "a `preToolUse` payload for `Shell` came without `tool_input.command`",
                    )?;
                req.command = Some(c.to_string());
            }
        }
        _ => {}
    }
    Ok(req)
}

pub(crate) fn answer(o: &Outcome) -> Answer {
    match o {
        Outcome::NoOpinion => Answer::json(json!({})),
        Outcome::Allow { reason } => Answer::json(json!({
            "permission": "allow",
            "agent_message": reason,
        })),
        Outcome::Block { reason } => Answer::exit2(
            reason,
            json!({"permission": "deny", "user_message": reason, "agent_message": reason}),
        ),
    }
}
