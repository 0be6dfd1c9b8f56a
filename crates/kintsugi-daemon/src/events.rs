//! Ledger events as the daemon builds them, and committing one through the
//! single writer. Both the request handlers (`requests/`) and the engine
//! side (vault guard, PIN guard, kill switch) record events, so the builders
//! live here, below both, and neither imports the other to write a line.

use crate::peer::Peer;
use crate::state::State;
use kintsugi_ledger::NewEvent;
use kintsugi_protocol::{ProposedCommand, Response, now_rfc3339};

/// The current time for events and files.
pub fn now() -> String {
    now_rfc3339()
}

/// An event about a proposed or recorded command, from `peer`.
pub(crate) fn command_event(kind: &str, cmd: &ProposedCommand, peer: Peer) -> NewEvent {
    NewEvent {
        kind: kind.to_string(),
        agent: cmd.agent.clone(),
        session: cmd.session.clone(),
        cwd: cmd.cwd.clone(),
        raw: cmd.raw.clone(),
        argv: cmd.argv.clone(),
        peer_pid: peer.pid,
        peer_uid: Some(peer.uid),
        detail: Some(command_detail(cmd).to_string()),
        ..Default::default()
    }
}

/// A command event's detail: its id and client time, and the typed origin
/// and exec form when the client sent them.
pub(crate) fn command_detail(cmd: &ProposedCommand) -> serde_json::Value {
    let mut d = serde_json::json!({"id": cmd.id, "client_ts": cmd.ts});
    if let Some(origin) = cmd.origin {
        d["origin"] = origin.as_str().into();
    }
    if let Some(x) = &cmd.exec {
        d["exec"] = serde_json::json!({"program": x.program, "parent": x.parent, "pid": x.pid});
    }
    d
}

/// A daemon-originated event (start, stop, expiry, refusals).
pub fn daemon_event(kind: &str, raw: String, reason: String) -> NewEvent {
    NewEvent {
        kind: kind.to_string(),
        agent: "daemon".into(),
        cwd: "/".into(),
        raw,
        reason: Some(reason),
        ..Default::default()
    }
}

/// An event a CLI peer caused (approvals, undo, the kill switch, refusals).
pub(crate) fn peer_event(kind: &str, peer: Peer, raw: &str, reason: String) -> NewEvent {
    let mut e = daemon_event(kind, raw.to_string(), reason);
    e.agent = "cli".into();
    e.peer_pid = peer.pid;
    e.peer_uid = Some(peer.uid);
    e
}

/// Commit `event` through the single writer; its sequence number, or the
/// error response to send.
pub(crate) async fn commit(state: &State, event: NewEvent) -> Result<u64, Response> {
    state.writer.append(event).await.map_err(Response::error)
}

/// `ack` for a committed event, else the commit's error.
pub(crate) fn ack(result: Result<u64, Response>) -> Response {
    match result {
        Ok(_) => Response::Ack,
        Err(e) => e,
    }
}
