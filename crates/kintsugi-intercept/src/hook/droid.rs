//! Factory Droid, `PreToolUse` (matcher `Execute`) in `~/.factory/hooks.json`
//! (project `.factory/hooks.json`).
//!
//! Droid's hooks are Claude Code compatible (docs.factory.ai, hooks
//! reference): the same payload (`session_id`, `cwd`, `hook_event_name`,
//! `tool_name`, `tool_input`), its shell tool named `Execute` with the line
//! in `tool_input.command`; exit 2 blocks with stderr shown to the model;
//! `hookSpecificOutput.permissionDecision` `allow`/`deny`/`ask` at exit 0.
//! Not run here: `@factory/cli` needs a Factory login and its own model
//! gateway (see docs/hooks.md).
//!
//! Out: the same as Claude's.

use super::{Answer, HookRequest, Outcome, claude, parse_tool_payload};
use serde_json::Value;

pub(crate) fn parse(v: &Value) -> Result<HookRequest, String> {
    parse_tool_payload(v, &["Execute"], &["command"])
}

pub(crate) fn answer(o: &Outcome) -> Answer {
    claude::hook_specific(o)
}
