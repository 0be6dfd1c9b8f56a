//! Factory Droid, `PreToolUse` (matcher `Execute`) under `hooks` in
//! `~/.factory/settings.json` (Droid 0.225.2 ran hooks from there, not from
//! the `hooks.json` its docs also name).
//!
//! Droid's hooks are Claude Code compatible (docs.factory.ai, hooks
//! reference): the same payload (`session_id`, `cwd`, `hook_event_name`,
//! `tool_name`, `tool_input`), its shell tool named `Execute` with the line
//! in `tool_input.command`; exit 2 blocks with stderr shown to the model;
//! `hookSpecificOutput.permissionDecision` `allow`/`deny`/`ask` at exit 0.
//! Run here for real (`scripts/realagents-chat-test`): Droid 0.225.2 with
//! a custom model on a loopback mock, no login; exit 2 blocked `rm -rf`.
//!
//! Out: the same as Claude's.

use super::{Answer, HookRequest, Outcome, claude, parse_tool_payload};
use crate::install::{ConfigStore, InstallFacts};
use serde_json::Value;

/// Where Droid lives under HOME and where `kintsugi init` wires this hook.
pub(crate) const INSTALL: InstallFacts = InstallFacts {
    dirs: &[".factory"],
    // Droid 0.225.2 runs the hooks in settings.json (observed; the docs
    // also name hooks.json, which it did not read).
    file: ".factory/settings.json",
    store: ConfigStore::Json,
};

pub(crate) fn parse(v: &Value) -> Result<HookRequest, String> {
    parse_tool_payload(v, &["Execute"], &["command"])
}

pub(crate) fn answer(o: &Outcome) -> Answer {
    claude::hook_specific(o)
}
