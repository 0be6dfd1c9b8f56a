//! Gemini CLI, `BeforeTool` (matcher `run_shell_command`).
//!
//! In: `{"session_id", "cwd", "hook_event_name":"BeforeTool", "timestamp",
//! "tool_name":"run_shell_command", "tool_input":{"command", "description"}}`
//! (observed with Gemini CLI 0.61.0; no `tool_use_id`).
//! Out (stdout must be JSON only):
//! - allow → exit 0, `{"decision":"allow","reason"}`;
//! - no opinion → exit 0, nothing printed;
//! - block → exit 2 with the reason on stderr (observed to block), plus
//!   `{"decision":"deny","reason"}` on stdout (observed to block on its own).
//!   Gemini silently ignores `hookSpecificOutput.permissionDecision`
//!   (observed), so that shape is never used here. Gemini has no `ask`.

use super::{Answer, HookRequest, Outcome, parse_tool_payload};
use crate::install::{ConfigStore, InstallFacts};
use serde_json::{Value, json};

/// Where Gemini CLI lives under HOME and where `kintsugi init` wires this hook.
pub(crate) const INSTALL: InstallFacts = InstallFacts {
    dirs: &[".gemini"],
    file: ".gemini/settings.json",
    store: ConfigStore::Json,
};

pub(crate) fn parse(v: &Value) -> Result<HookRequest, String> {
    parse_tool_payload(v, &["run_shell_command"], &["command"])
}

pub(crate) fn answer(o: &Outcome) -> Answer {
    match o {
        Outcome::NoOpinion => Answer::silent(),
        Outcome::Allow { reason } => Answer::json(json!({"decision": "allow", "reason": reason})),
        Outcome::Block { reason } => {
            Answer::exit2(reason, json!({"decision": "deny", "reason": reason}))
        }
    }
}
