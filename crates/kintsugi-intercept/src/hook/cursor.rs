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

use super::{Answer, HookRequest, Outcome, command_in, str_field};
use serde_json::{Value, json};

pub(crate) fn parse(v: &Value) -> Result<HookRequest, String> {
    let obj = v.as_object().ok_or("the payload is not a JSON object")?;
    // Without an event name the payload is taken for a shell call (the
    // shape Cursor has always sent); a name that is not a string is garbage.
    let event = match obj.get("hook_event_name") {
        None => "beforeShellExecution",
        Some(Value::String(s)) => s.as_str(),
        Some(_) => return Err("`hook_event_name` is not a string".into()),
    };
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
            req.command = Some(command_in(v, &["command"], "", event)?);
        }
        "preToolUse" => {
            // Which tool it is decides everything: without a name, block.
            let tool = str_field(v, "tool_name")
                .ok_or("a `preToolUse` payload came without a `tool_name` string")?;
            req.tool_name = tool.to_string();
            if tool == "Shell" {
                let input = obj
                    .get("tool_input")
                    .ok_or("a `preToolUse` payload for `Shell` came without `tool_input`")?;
                req.command = Some(command_in(input, &["command"], "tool_input", tool)?);
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
