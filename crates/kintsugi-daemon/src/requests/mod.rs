//! Answer one request: one file per request kind, and [`handle`], which
//! sends each request to its file. Every request that changes or reports
//! state comes through here; everything recorded is committed before the
//! answer is sent.
//!
//! Layering: this side imports the engine side (`verdict`, `engine`,
//! `queue`, `riding`, `guarded`, `snapshots`, `events`, …), never the other
//! way round (`crates/kintsugi-daemon/tests/layers.rs` checks it). The
//! privileged kinds all pass through `privileged::serve`.

pub(crate) mod admin;
pub(crate) mod approve;
pub(crate) mod complete;
pub(crate) mod execs_ran;
pub(crate) mod pending;
pub(crate) mod pin;
pub(crate) mod privileged;
pub(crate) mod propose;
pub(crate) mod record;
pub(crate) mod relay;
pub(crate) mod status;
pub(crate) mod undo;
pub(crate) mod vault;

use crate::peer::Peer;
use crate::state::State;
use kintsugi_protocol::{Request, Response};

/// What the connection should do after writing the response.
pub enum After {
    Continue,
    Close,
}

/// Answer `req` from `peer`.
pub async fn handle(state: &State, peer: Peer, req: Request) -> (Response, After) {
    // A privileged request from inside a guarded agent's tree is refused
    // whatever its kind (`guard_tree.rs`).
    if let Some(refused) = crate::guard_tree::refusal(state, peer, &req).await {
        return (refused, After::Continue);
    }
    let response = match req {
        Request::Propose(cmd) => propose::propose(state, peer, cmd).await,
        Request::Record(cmd) => record::record(state, peer, cmd).await,
        Request::Observe(obs) => record::observe(state, peer, obs).await,
        req @ Request::Complete { .. } => complete::complete(state, peer, req).await,
        Request::ListPending => pending::list(state),
        Request::PendingStatus { id } => pending::status(state, &id),
        Request::Wait { id, timeout_ms } => pending::wait(state, &id, timeout_ms).await,
        Request::Status => status::status(state),
        Request::Gc => undo::gc(state, peer).await,
        // Turning the kill switch on only tightens: anyone may.
        Request::Panic => admin::kill_switch(state, peer, true).await,
        Request::AuthBegin { op } => vault::challenge(state, peer, &op).await,
        // The connection loop turns the connection into a stream first.
        Request::Subscribe => Response::error("`subscribe` is served by the connection loop"),
        Request::ExecLease => Response::error("`execlease` is served by the connection loop"),
        Request::ExecsRan(ran) => execs_ran::execs_ran(state, peer, ran).await,
        req @ (Request::Approve { .. }
        | Request::Deny { .. }
        | Request::Resolve { .. }
        | Request::Undo { .. }
        | Request::Resume { .. }
        | Request::Shutdown { .. }
        | Request::SetMode { .. }
        | Request::VaultUpdate { .. }
        | Request::Authorize { .. }
        | Request::SetPin { .. }) => return privileged::serve(state, peer, req).await,
    };
    (response, After::Continue)
}
