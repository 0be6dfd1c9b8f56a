//! `complete`: a runner reports how a command it ran ended; the report
//! closes the command's snapshot (so undo knows what it covers).

use crate::events::{ack, commit, peer_event};
use crate::peer::Peer;
use crate::scrub;
use crate::state::State;
use kintsugi_protocol::Response;

/// What a `complete` request carries.
pub(crate) struct Completion {
    pub id: String,
    pub exit_code: Option<i32>,
    pub signal: Option<i32>,
    pub duration_ms: Option<u64>,
    pub agent: String,
    pub raw: String,
    pub cwd: String,
}

/// Answer `complete`.
pub(crate) async fn complete(state: &State, peer: Peer, done: Completion) -> Response {
    let Completion {
        id,
        exit_code,
        signal,
        duration_ms,
        agent,
        raw,
        cwd,
    } = done;
    let how = match (exit_code, signal) {
        (_, Some(sig)) => format!("ended by signal {sig}"),
        (Some(code), None) => format!("exited with code {code}"),
        (None, None) => "finished".to_string(),
    };
    let snapshot = state.snapshots.completed(&id).await;
    let raw = scrub::text(raw);
    let mut e = peer_event("complete", peer, &raw, format!("the command {how}"));
    e.snapshot = snapshot;
    e.agent = if agent.is_empty() {
        "runner".into()
    } else {
        agent
    };
    e.cwd = if cwd.is_empty() { "/".into() } else { cwd };
    e.detail = Some(
        serde_json::json!({"id": id, "exit_code": exit_code, "signal": signal, "duration_ms": duration_ms})
            .to_string(),
    );
    ack(commit(state, e).await)
}
