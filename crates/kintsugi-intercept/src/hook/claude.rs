//! Claude Code, `PreToolUse` (matcher `Bash`).
//!
//! In: `{"session_id", "cwd", "hook_event_name":"PreToolUse", "tool_name":"Bash",
//! "tool_input":{"command", "description"}, …}` (observed with Claude Code 2.1.197).
//! Out:
//! - allow → exit 0, `hookSpecificOutput.permissionDecision:"allow"` (skips
//!   Claude's prompt; Claude's own deny/ask rules still apply);
//! - no opinion → exit 0, nothing printed (Claude's normal flow);
//! - block → exit 2 with the reason on stderr (observed to block), plus
//!   `permissionDecision:"deny"` on stdout, which Claude ignores at exit 2
//!   but also honours on its own (observed). `{"decision":"deny"}` is NOT
//!   used: Claude rejects it and runs the command (observed). `ask` is not
//!   used either: the daemon snapshots and logs only what it allows itself.

use super::{Answer, HookRequest, Outcome, parse_tool_payload};
use serde_json::{Value, json};

pub(crate) fn parse(v: &Value) -> Result<HookRequest, String> {
    parse_tool_payload(v, &["Bash"], &["command"])
}

pub(crate) fn answer(o: &Outcome) -> Answer {
    hook_specific(o)
}

/// The `hookSpecificOutput` answer Claude Code and Qwen Code share.
pub(crate) fn hook_specific(o: &Outcome) -> Answer {
    match o {
        Outcome::NoOpinion => Answer::silent(),
        Outcome::Allow { reason } => Answer::json(decision_json("allow", reason)),
        Outcome::Block { reason } => Answer::exit2(reason, decision_json("deny", reason)),
    }
}

fn decision_json(decision: &str, reason: &str) -> Value {
    json!({"hookSpecificOutput": {
        "hookEventName": "PreToolUse",
        "permissionDecision": decision,
        "permissionDecisionReason": reason,
    }})
}
