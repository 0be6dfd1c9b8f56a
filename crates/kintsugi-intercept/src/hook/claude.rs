//! Claude Code, `PreToolUse` (matcher `Bash`).
//!
//! In: `{"session_id", "cwd", "hook_event_name":"PreToolUse", "tool_name":"Bash",
//! "tool_input":{"command", "description"}, …}` (observed with Claude Code 2.1.197).
//! Its file tools (`Write`, `Edit`, `MultiEdit`, `NotebookEdit`, with
//! `tool_input.file_path` or `notebook_path`) are judged as `tee -- PATH`
//! when the path is outside the project or a sensitive file (`files.rs`).
//! Out:
//! - allow → exit 0, `hookSpecificOutput.permissionDecision:"allow"` (skips
//!   Claude's prompt; Claude's own deny/ask rules still apply);
//! - no opinion → exit 0, nothing printed (Claude's normal flow);
//! - block → exit 2 with the reason on stderr (observed to block), plus
//!   `permissionDecision:"deny"` on stdout, which Claude ignores at exit 2
//!   but also honours on its own (observed). `{"decision":"deny"}` is NOT
//!   used: Claude rejects it and runs the command (observed). `ask` is not
//!   used either: the daemon snapshots and logs only what it allows itself.

use super::{Answer, HookRequest, Outcome, command_in, files, parse_tool_payload};
use crate::install::{ConfigStore, InstallFacts};
use serde_json::{Value, json};

/// Where Claude Code lives under HOME and where `kintsugi init` wires this hook.
pub(crate) const INSTALL: InstallFacts = InstallFacts {
    dirs: &[".claude"],
    file: ".claude/settings.json",
    store: ConfigStore::Json,
};

/// Claude Code's tools that write a file.
const FILE_TOOLS: &[&str] = &["Write", "Edit", "MultiEdit", "NotebookEdit"];

pub(crate) fn parse(v: &Value) -> Result<HookRequest, String> {
    let mut req = parse_tool_payload(v, &["Bash"], &["command"])?;
    if FILE_TOOLS.contains(&req.tool_name.as_str()) {
        let input = v
            .get("tool_input")
            .ok_or_else(|| format!("tool `{}` came without `tool_input`", req.tool_name))?;
        let path = command_in(
            input,
            &["file_path", "notebook_path"],
            "tool_input",
            &req.tool_name,
        )?;
        req.command = files::judged_write(&path, req.cwd.as_deref());
    }
    Ok(req)
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
