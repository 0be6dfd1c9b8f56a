//! `record` and `observe`: what already happened, for the ledger. `record`
//! is a command a human ran (also how the spool of a down daemon is
//! drained); `observe` is a change the watcher saw.

use crate::events::{ack, command_event, commit};
use crate::peer::Peer;
use crate::scrub;
use crate::snapshots::Snapshots;
use crate::state::State;
use kintsugi_protocol::{Observation, ProposedCommand, Response};

/// Record a command a human already ran (also used to drain the spool).
pub(crate) async fn record(state: &State, peer: Peer, cmd: ProposedCommand) -> Response {
    let analysis = state.engine.classify(&cmd);
    let secrets = scrub::Secrets::of(&cmd);
    let cmd = scrub::command(cmd);
    let plan = Snapshots::plan(&cmd, &secrets.effects(analysis.effects));
    state.recent.note(&cmd.raw, &plan.paths);
    let mut e = command_event("record", &cmd, peer);
    e.class = Some(crate::engine::wire_class(analysis.class).as_str().into());
    e.rule = Some(analysis.rule);
    e.reason = Some(secrets.text(analysis.reason));
    ack(commit(state, e).await)
}

/// Record a change the watcher saw (explained by a recent command when one
/// touched it).
pub(crate) async fn observe(state: &State, peer: Peer, obs: Observation) -> Response {
    ack(commit(state, crate::observed::event(state, peer, obs)).await)
}
