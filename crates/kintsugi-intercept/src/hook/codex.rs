//! OpenAI Codex CLI, `PreToolUse` (matcher `Bash`).
//!
//! In: Claude's shape; Codex reports its `exec_command {"cmd"}` call as
//! `tool_name:"Bash"`, `tool_input:{"command"}` (observed with Codex 0.169.0;
//! `transcript_path` may be null). Older shell tool names are accepted too.
//! Out:
//! - allow and no opinion → exit 0, nothing printed. Codex has no bare
//!   allow: `permissionDecision:"allow"` without `updatedInput` and `ask`
//!   are "unsupported" and fail open (observed), so silence is the allow;
//! - block → exit 2 with the reason on stderr (observed to block), plus
//!   `permissionDecision:"deny"` on stdout (observed to block on its own).
//!
//! Codex runs a non-managed hook only when its hash is trusted (see
//! docs/hooks.md); an untrusted hook is skipped silently.

use super::{Answer, HookRequest, Outcome, parse_tool_payload};
use crate::install::{ConfigStore, InstallFacts};
use serde_json::{Value, json};

/// Where Codex lives under HOME and where `kintsugi init` wires this hook.
pub(crate) const INSTALL: InstallFacts = InstallFacts {
    dirs: &[".codex"],
    file: ".codex/config.toml",
    store: ConfigStore::CodexToml,
};

pub(crate) fn parse(v: &Value) -> Result<HookRequest, String> {
    parse_tool_payload(
        v,
        &[
            "Bash",
            "shell",
            "exec_command",
            "shell_command",
            "local_shell",
        ],
        &["command", "cmd"],
    )
}

pub(crate) fn answer(o: &Outcome) -> Answer {
    match o {
        Outcome::NoOpinion | Outcome::Allow { .. } => Answer::silent(),
        Outcome::Block { reason } => Answer::exit2(
            reason,
            json!({"hookSpecificOutput": {
                "hookEventName": "PreToolUse",
                "permissionDecision": "deny",
                "permissionDecisionReason": reason,
            }}),
        ),
    }
}
