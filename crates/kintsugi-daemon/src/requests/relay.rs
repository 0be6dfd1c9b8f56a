//! Approvals relayed for another process: `kintsugi web` passes the pids of
//! the browser that owns the loopback connection (`relayed_for`), and the
//! daemon refuses, and records, the approval when any of them belongs to
//! the proposing agent's process tree — a page the agent opened itself.

use crate::integrity::outside_agent_tree;
use crate::peer::Peer;
use crate::requests::approve::refuse;
use crate::state::State;
use kintsugi_protocol::Response;

/// Most relayed pids one approval may name.
pub const MAX_RELAYED: usize = 64;

/// `Err` (already recorded) when the relayed processes may not approve `id`.
pub(crate) async fn check(
    state: &State,
    peer: Peer,
    id: &str,
    pids: Option<&[u32]>,
) -> Result<(), Response> {
    let Some(pids) = pids else { return Ok(()) };
    let why = if pids.is_empty() {
        Some("the relaying client named no process to approve for".to_string())
    } else if pids.len() > MAX_RELAYED {
        Some(format!(
            "the relaying client named {} processes; at most {MAX_RELAYED} are checked",
            pids.len()
        ))
    } else {
        let proposer = match state.queue.pending_proposer(id) {
            Ok(p) => p,
            Err(e) => return Err(Response::error(e.to_string())),
        };
        pids.iter()
            .find_map(|&pid| outside_agent_tree(pid, proposer).err())
            .map(|why| format!("the browser relayed by `kintsugi web`: {why}"))
    };
    match why {
        Some(why) => Err(refuse(state, peer, id, why).await),
        None => Ok(()),
    }
}
