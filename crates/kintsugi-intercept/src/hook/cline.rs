//! Cline, the `PreToolUse` hook: an executable named `PreToolUse` in
//! `~/Documents/Cline/Hooks/` (global) or `.clinerules/hooks/` (project).
//!
//! In: `{"clineVersion", "hookName":"PreToolUse", "timestamp", "taskId",
//! "workspaceRoots":[…], "preToolUse":{"toolName":"execute_command",
//! "parameters":{"command", "requires_approval"}}}` (docs.cline.bot,
//! hooks). Out: JSON on stdout, `{"cancel":bool, "errorMessage",
//! "contextModification"}`; `cancel:true` stops the tool. Not run here (a
//! VS Code extension).
//!
//! Out, always at exit 0 (the documented contract; what Cline does with a
//! failing hook is not documented, so a block does not rely on it): allow
//! and no opinion → `{"cancel":false}`; block →
//! `{"cancel":true,"errorMessage"}`, the reason also on stderr.

use super::{Answer, HookRequest, Outcome, command_in, str_field};
use crate::install::{ConfigStore, InstallFacts};
use serde_json::{Value, json};

/// Where Cline lives under HOME and where `kintsugi init` wires this hook.
pub(crate) const INSTALL: InstallFacts = InstallFacts {
    dirs: &["Documents/Cline"],
    file: "Documents/Cline/Hooks/PreToolUse",
    store: ConfigStore::OwnFile,
};

pub(crate) fn parse(v: &Value) -> Result<HookRequest, String> {
    let obj = v.as_object().ok_or("the payload is not a JSON object")?;
    let pre = obj
        .get("preToolUse")
        .ok_or("the payload has no `preToolUse` object")?;
    let tool = str_field(pre, "toolName").ok_or("`preToolUse` has no `toolName` string")?;
    let mut req = HookRequest {
        command: None,
        cwd: super::cursor::first_root(obj.get("workspaceRoots")),
        session: str_field(v, "taskId").map(str::to_string),
        tool_name: tool.to_string(),
        ..HookRequest::default()
    };
    if tool != "execute_command" {
        return Ok(req);
    }
    let params = pre
        .get("parameters")
        .ok_or("`preToolUse` for `execute_command` came without `parameters`")?;
    req.command = Some(command_in(
        params,
        &["command"],
        "preToolUse.parameters",
        tool,
    )?);
    Ok(req)
}

pub(crate) fn answer(o: &Outcome) -> Answer {
    match o {
        Outcome::NoOpinion | Outcome::Allow { .. } => Answer::json(json!({"cancel": false})),
        Outcome::Block { reason } => {
            let mut a = Answer::json(json!({"cancel": true, "errorMessage": reason}));
            a.stderr = format!("{reason}\n");
            a
        }
    }
}
