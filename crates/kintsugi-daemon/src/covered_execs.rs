//! Execs covered by an allowed line are answered before their ledger record.
//!
//! Every proposal is committed before its answer, with one exception the
//! guard issue asks for: an exec caught by `kintsugi guard` (origin `exec`)
//! that descends from an exec the daemon allowed (its `exec.parent`, checked
//! by [`crate::guarded::ExecAllowances`]: allowed by the engine, or approved
//! by a human) and is itself allowed. Such an exec is part of a decision
//! already on the ledger (a build's compilers under its `make`, each program
//! of an allowed pipeline), so it continues at once and its own event is
//! gathered with the others of the next few milliseconds
//! ([`crate::writer::DEFER_WINDOW`]) and committed with them in one
//! transaction. Its verdict then carries no event
//! number. Anything else (a top-level command, a hold, a deny) is committed
//! first, as before.
//!
//! What this gives up: a daemon killed within that window after the answer
//! loses that exec's own line (its parent's is on the
//! ledger). A commit that fails is logged.

use crate::state::State;
use kintsugi_ledger::NewEvent;
use kintsugi_protocol::{Decision, ProposedCommand, Response};

/// Commit `event` (the proposal of `cmd`, decided `decision`) now, or, for
/// an allowed exec covered by an allowed parent, hand it to the writer and
/// return at once. `Ok(Some(seq))` when committed, `Ok(None)` when deferred.
pub(crate) async fn commit_or_defer(
    state: &State,
    cmd: &ProposedCommand,
    decision: Decision,
    event: NewEvent,
) -> Result<Option<u64>, Response> {
    if !covered(state, cmd, decision) {
        return crate::events::commit(state, event).await.map(Some);
    }
    state.writer.append_later(event);
    Ok(None)
}

/// An allowed exec whose named parent exec was really allowed.
fn covered(state: &State, cmd: &ProposedCommand, decision: Decision) -> bool {
    decision == Decision::Allow
        && !state.engine.panicked()
        && state
            .execs
            .allowed_parent(cmd, &|id| state.queue.status(id))
            .is_some()
}
