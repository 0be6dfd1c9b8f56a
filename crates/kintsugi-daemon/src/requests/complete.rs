//! `complete`: a runner reports how a command it ran ended; the report
//! closes the command's snapshot (so undo knows what it covers).

use crate::events::{ack, commit, peer_event};
use crate::peer::Peer;
use crate::scrub;
use crate::state::State;
use kintsugi_protocol::{Request, Response};

/// Answer `complete` (`req` is a `Request::Complete`; `handle` sends no
/// other kind here).
pub(crate) async fn complete(state: &State, peer: Peer, req: Request) -> Response {
    let Request::Complete {
        id,
        exit_code,
        signal,
        duration_ms,
        agent,
        raw,
        cwd,
    } = req
    else {
        return Response::error("a request other than `complete` reached `complete`");
    };
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
