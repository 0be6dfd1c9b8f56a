//! Qwen Code, `PreToolUse` (matcher `run_shell_command`).
//!
//! Qwen Code forked Gemini CLI but its hooks follow Claude Code's contract
//! (QwenLM/qwen-code docs/users/features/hooks.md): event `PreToolUse`,
//! common fields `session_id`, `transcript_path`, `cwd`, `hook_event_name`,
//! `timestamp`, plus `permission_mode`, `tool_name` (runtime ids such as
//! `run_shell_command`), `tool_input`, `tool_use_id`. Exit 2 is a blocking
//! error with stderr fed to the model; exit 0 output is
//! `hookSpecificOutput.permissionDecision` (`allow`/`deny`/`ask`). Not run
//! against a real Qwen Code here: this follows its documentation only.
//!
//! Out: the same as Claude's (exit 2 + stderr + `deny` JSON to block; an
//! explicit `allow` when the daemon allowed; silence for no opinion).

use super::{Answer, HookRequest, Outcome, claude, parse_tool_payload};
use crate::install::{ConfigStore, InstallFacts};
use serde_json::Value;

/// Where Qwen Code lives under HOME and where `kintsugi init` wires this hook.
pub(crate) const INSTALL: InstallFacts = InstallFacts {
    dirs: &[".qwen"],
    file: ".qwen/settings.json",
    store: ConfigStore::Json,
};

pub(crate) fn parse(v: &Value) -> Result<HookRequest, String> {
    parse_tool_payload(v, &["run_shell_command", "Shell", "Bash"], &["command"])
}

pub(crate) fn answer(o: &Outcome) -> Answer {
    claude::hook_specific(o)
}
