//! Kiro CLI, `preToolUse` (matcher `execute_bash`) under `hooks` in an agent
//! file, `~/.kiro/agents/NAME.json`.
//!
//! In: `{"hook_event_name":"preToolUse", "cwd", "tool_name":"execute_bash",
//! "tool_input":{"command", …}}` (kiro.dev/docs/cli/hooks). Kiro reads exit
//! codes only: 0 lets the tool run (stdout is context), 2 blocks it with
//! stderr returned to the model, anything else warns and runs. Default
//! timeout 30 s (`timeout_ms`). Not run here (not on npm).
//!
//! Out: allow and no opinion → exit 0, nothing printed (an explicit allow
//! does not exist); block → exit 2 with the reason on stderr.

use super::{Answer, HookRequest, Outcome, parse_tool_payload};
use crate::install::{ConfigStore, InstallFacts};
use serde_json::{Value, json};

/// Where Kiro CLI lives under HOME and where `kintsugi init` wires this hook.
pub(crate) const INSTALL: InstallFacts = InstallFacts {
    dirs: &[".kiro"],
    file: ".kiro/agents",
    store: ConfigStore::Json,
};

pub(crate) fn parse(v: &Value) -> Result<HookRequest, String> {
    parse_tool_payload(v, &["execute_bash", "execute_cmd", "shell"], &["command"])
}

pub(crate) fn answer(o: &Outcome) -> Answer {
    match o {
        Outcome::NoOpinion | Outcome::Allow { .. } => Answer::silent(),
        Outcome::Block { reason } => {
            Answer::exit2(reason, json!({"decision": "deny", "reason": reason}))
        }
    }
}
