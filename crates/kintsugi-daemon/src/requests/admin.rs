//! The daemon's own switches: the kill switch (`panic` turns it on for
//! anyone; `resume` turns it off and needs the admin proof when a vault is
//! provisioned) and `shutdown` (always with the proof made for op
//! `shutdown`).

use crate::events::{ack, commit, peer_event};
use crate::peer::Peer;
use crate::requests::vault;
use crate::state::{State, StopReason};
use kintsugi_protocol::Response;

/// Turn the kill switch on or off, persisted and recorded.
pub(crate) async fn kill_switch(state: &State, peer: Peer, on: bool) -> Response {
    if let Err(e) = state.set_panic(on) {
        return Response::error(format!("cannot persist the kill switch: {e}"));
    }
    let (raw, reason) = if on {
        (
            "panic",
            "kill switch ON: every verdict is deny until `kintsugi resume`",
        )
    } else {
        ("resume", "kill switch OFF: verdicts follow the rules again")
    };
    ack(commit(state, peer_event("killswitch", peer, raw, reason.into())).await)
}

/// Answer `resume`: the kill switch off, behind the admin gate.
pub(crate) async fn resume(
    state: &State,
    peer: Peer,
    nonce: Option<String>,
    proof: Option<String>,
) -> Response {
    match vault::gate(state, peer, "resume", nonce, proof).await {
        Ok(_) => kill_switch(state, peer, false).await,
        Err(resp) => resp,
    }
}

/// Answer `shutdown`: `Ok` when the daemon is stopping (the connection is
/// then closed after the `ack`), `Err` with the refusal.
pub(crate) async fn shutdown(
    state: &State,
    peer: Peer,
    op: &str,
    nonce: String,
    proof: String,
) -> Result<(), Response> {
    if op != "shutdown" {
        return Err(Response::error(format!(
            "`shutdown` must carry op \"shutdown\" (the op its proof was made for), not {op:?}"
        )));
    }
    vault::gate(state, peer, "shutdown", Some(nonce), Some(proof)).await?;
    state.request_stop(StopReason::Requested { pid: peer.pid });
    Ok(())
}
