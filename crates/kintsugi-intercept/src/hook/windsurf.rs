//! Windsurf Cascade, `pre_run_command` in `hooks.json` (system
//! `/etc/windsurf/hooks.json`, user `~/.codeium/windsurf/hooks.json`,
//! workspace `.windsurf/hooks.json`; merged, all run).
//!
//! In: `{"agent_action_name":"pre_run_command", "trajectory_id",
//! "execution_id", "timestamp", "tool_info":{"command_line", "cwd"}}`
//! (docs.windsurf.com, Cascade hooks). Only the exit code counts: 2 blocks
//! the command (stderr shown), anything else lets it run; Cascade cannot be
//! asked to prompt. Not run here (an editor, not on npm).
//!
//! Out: allow and no opinion → exit 0, nothing printed; block → exit 2
//! with the reason on stderr.

use super::{Answer, HookRequest, Outcome, command_in, str_field};
use crate::install::{ConfigStore, InstallFacts};
use serde_json::{Value, json};

/// Where Windsurf lives under HOME and where `kintsugi init` wires this hook.
pub(crate) const INSTALL: InstallFacts = InstallFacts {
    dirs: &[".codeium/windsurf"],
    file: ".codeium/windsurf/hooks.json",
    store: ConfigStore::Json,
};

pub(crate) fn parse(v: &Value) -> Result<HookRequest, String> {
    let obj = v.as_object().ok_or("the payload is not a JSON object")?;
    let action =
        str_field(v, "agent_action_name").ok_or("the payload has no `agent_action_name` string")?;
    let info = obj.get("tool_info");
    let mut req = HookRequest {
        command: None,
        cwd: info.and_then(|i| str_field(i, "cwd")).map(str::to_string),
        session: str_field(v, "trajectory_id").map(str::to_string),
        tool_name: action.to_string(),
        tool_use_id: str_field(v, "execution_id").map(str::to_string),
        ..HookRequest::default()
    };
    if action != "pre_run_command" {
        return Ok(req);
    }
    let info = info.ok_or("a `pre_run_command` payload came without `tool_info`")?;
    req.command = Some(command_in(info, &["command_line"], "tool_info", action)?);
    Ok(req)
}

pub(crate) fn answer(o: &Outcome) -> Answer {
    match o {
        Outcome::NoOpinion | Outcome::Allow { .. } => Answer::silent(),
        Outcome::Block { reason } => {
            Answer::exit2(reason, json!({"decision": "deny", "reason": reason}))
        }
    }
}
