//! Cursor: `beforeShellExecution` (up to 3.10) and, since 3.11,
//! `preToolUse` with `tool_name:"Shell"`; also its `Delete` file tool.
//!
//! In: `{"hook_event_name":"beforeShellExecution", "conversation_id",
//! "generation_id", "workspace_roots":[…], "command", "cwd"}`, or
//! `{"hook_event_name":"preToolUse", "tool_name":"Shell"|"Delete"|…,
//! "tool_input":{"command"}|{"path"}, "workspace_roots":["file:///…"]}`.
//! Cursor 3.11 prefixes the JSON with a UTF-8 byte order mark (read by
//! `payload.rs`) and sends no `cwd`: the project is the first
//! `workspace_roots` entry, a path or a `file://` URI. A `Delete` is
//! judged as the `rm -- PATH` it amounts to. (Cursor's hook reference and
//! public reports of 3.11; not run against a real Cursor here.)
//! Out: `{"permission":"allow"|"deny", "user_message", "agent_message"}`.
//! - allow → exit 0, `permission:"allow"` (3.11 ignores it on `preToolUse`:
//!   its own prompt still applies);
//! - no opinion → exit 0, `{}` (Cursor treats output that is not JSON from a
//!   permission hook as a failure, so we never answer with silence);
//! - block → exit 2 with the reason on stderr, plus `permission:"deny"` on
//!   stdout: exit 2 is documented to block like a deny, and the JSON blocks
//!   on its own. `ask` is not used: the daemon snapshots and logs only what
//!   it allows itself, so a hold waits here instead.

use super::{Answer, HookRequest, Outcome, command_in, str_field};
use crate::install::{ConfigStore, InstallFacts};
use serde_json::{Value, json};

/// Where Cursor lives under HOME and where `kintsugi init` wires this hook.
pub(crate) const INSTALL: InstallFacts = InstallFacts {
    dirs: &[".cursor"],
    file: ".cursor/hooks.json",
    store: ConfigStore::Json,
};

/// The first entry of a `workspace_roots` list as a path: a plain path is
/// kept, a `file://` URI is decoded (`%20` and friends); anything else
/// (another URI scheme, not a string) is no directory.
pub(crate) fn first_root(roots: Option<&Value>) -> Option<String> {
    let first = roots?.get(0)?.as_str()?;
    match first.strip_prefix("file://") {
        Some(rest) => {
            // `file:///p` or `file://localhost/p`.
            let path = rest.strip_prefix("localhost").unwrap_or(rest);
            path.starts_with('/').then(|| percent_decode(path))?
        }
        None => first.starts_with('/').then(|| first.to_string()),
    }
}

/// `%XX` escapes decoded; `None` when the result is not UTF-8 or an escape
/// is cut short.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

pub(crate) fn parse(v: &Value) -> Result<HookRequest, String> {
    let obj = v.as_object().ok_or("the payload is not a JSON object")?;
    // Without an event name the payload is taken for a shell call (the
    // shape Cursor has always sent); a name that is not a string is garbage.
    let event = match obj.get("hook_event_name") {
        None => "beforeShellExecution",
        Some(Value::String(s)) => s.as_str(),
        Some(_) => return Err("`hook_event_name` is not a string".into()),
    };
    let cwd = str_field(v, "cwd")
        .map(str::to_string)
        .or_else(|| first_root(obj.get("workspace_roots")));
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
            if tool == "Shell" || tool == "Delete" {
                let input = obj.get("tool_input").ok_or_else(|| {
                    format!("a `preToolUse` payload for `{tool}` came without `tool_input`")
                })?;
                req.command = Some(if tool == "Shell" {
                    command_in(input, &["command"], "tool_input", tool)?
                } else {
                    let path = command_in(
                        input,
                        &["path", "file_path", "target_file"],
                        "tool_input",
                        tool,
                    )?;
                    kintsugi_protocol::argv_to_line(&["rm".into(), "--".into(), path])
                });
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
