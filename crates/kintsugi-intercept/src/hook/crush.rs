//! Crush (Charm), `PreToolUse` (matcher `^bash$`) under `hooks` in
//! `crush.json` (`~/.config/crush/crush.json`, project `crush.json`).
//!
//! In: `{"event":"PreToolUse", "session_id", "cwd", "tool_name":"bash",
//! "tool_input":{"command", …}}` (Crush's `internal/hooks` payload; the
//! same data is in `CRUSH_TOOL_INPUT_COMMAND`). Crush reads either its own
//! `{"decision":"allow"|"deny", "reason"}` or Claude's
//! `hookSpecificOutput`; exit 2 blocks the tool call, exit 49 halts the
//! turn; default timeout 30 s. Not run here: the npm package downloads its
//! binary from github.com at install time (see docs/hooks.md).
//!
//! Out: allow → `{"decision":"allow","reason"}`; no opinion → nothing;
//! block → exit 2 with the reason on stderr and `{"decision":"deny"}`.

use super::{Answer, HookRequest, Outcome, parse_tool_payload};
use crate::install::{ConfigStore, InstallFacts};
use serde_json::{Value, json};

/// Where Crush lives under HOME and where `kintsugi init` wires this hook.
pub(crate) const INSTALL: InstallFacts = InstallFacts {
    dirs: &[".config/crush", ".local/share/crush"],
    file: ".config/crush/crush.json",
    store: ConfigStore::Json,
};

pub(crate) fn parse(v: &Value) -> Result<HookRequest, String> {
    parse_tool_payload(v, &["bash"], &["command"])
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
