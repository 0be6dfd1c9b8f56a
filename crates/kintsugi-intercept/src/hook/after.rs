//! The post-tool hook (`kintsugi hook --agent NAME --after`): after the agent
//! ran a shell command that its pre-tool hook let through, tell the daemon it
//! finished (`complete`, a protocol extension), so the ledger records it and
//! undo knows what the command left behind (without a completion, undo
//! cannot tell the command's own changes from later ones and asks for
//! `--force`).
//!
//! Claude Code and Codex (`PostToolUse`) carry the `tool_use_id` of the
//! pre-tool call; Gemini CLI (`AfterTool`) and Qwen Code do not, so the
//! command is matched by session, cwd and command text instead. Both hooks
//! derive the proposal id from the same fields ([`command_id`]), so the
//! daemon pairs them without keeping any state in the hook.
//!
//! A post-tool hook must never get in the way: it always exits 0 with
//! nothing on stdout; trouble is one line on stderr.

use super::{Answer, HookRequest, Options};
use kintsugi_protocol::{Client, Request, Response};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::time::Duration;

/// How long the daemon may take to acknowledge a completion.
pub const COMPLETE_TIMEOUT: Duration = Duration::from_secs(2);

/// The proposal id of one tool call: a UUID (version 8, name-based) from the
/// agent, its session, and the tool call id when the agent gives one, else
/// the cwd and the command. The pre-tool and post-tool hooks compute the
/// same id from their two payloads.
pub fn command_id(agent: &str, req: &HookRequest, command: &str, cwd: &str) -> String {
    let mut h = Sha256::new();
    let session = req.session.as_deref().unwrap_or("");
    let parts: [&str; 4] = match req.tool_use_id.as_deref() {
        Some(call) => ["call", agent, session, call],
        None => ["command", agent, session, &format!("{cwd}\0{command}")],
    };
    for part in parts {
        h.update(part.as_bytes());
        h.update([0]);
    }
    let digest = h.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_custom_bytes(bytes)
        .into_uuid()
        .to_string()
}

/// Run the post-tool hook: read the payload, report the completion.
pub fn run(opts: &Options, input: &mut dyn Read) -> Answer {
    let tag = opts.agent.name();
    let note = match report(opts, input) {
        Ok(()) => return Answer::silent(),
        Err(e) => e,
    };
    Answer {
        stderr: format!("kintsugi hook ({tag} --after): {note}\n"),
        ..Answer::silent()
    }
}

fn report(opts: &Options, input: &mut dyn Read) -> Result<(), String> {
    let req = super::read_payload(opts.agent, input).map_err(|(_, e)| e)?;
    let Some(call) = req.shell_call(opts.agent) else {
        return Ok(()); // not a shell tool
    };
    let request = Request::Complete {
        id: call.id,
        exit_code: req.exit_code,
        signal: None,
        duration_ms: req.duration_ms,
        agent: format!("hook:{}", opts.agent.name()),
        raw: call.command.to_string(),
        cwd: call.cwd,
    };
    let mut client =
        Client::connect(&opts.socket).map_err(|e| format!("completion not recorded: {e}"))?;
    client
        .set_read_timeout(Some(COMPLETE_TIMEOUT))
        .map_err(|e| e.to_string())?;
    match client.request(&request) {
        Ok(Response::Ack) => Ok(()),
        Ok(Response::Error { message }) => {
            Err(format!("the daemon refused the completion: {message}"))
        }
        Ok(other) => Err(format!("the daemon answered `complete` with {other:?}")),
        Err(e) => Err(format!("completion not recorded: {e}")),
    }
}
