//! Human decisions on held commands: `approve`/`deny` by queue id, `resolve`
//! (only for a command the daemon is holding), remembering a decision, and
//! the grants an approval leaves for the commands run inside it (`riding`).

use crate::handle::{ack, command_event, commit, now, peer_event};
use crate::integrity::check_approver;
use crate::peer::Peer;
use crate::scrub;
use crate::snapshots::Snapshots;
use crate::state::State;
use kintsugi_protocol::{HumanDecision, PendingItem, ProposedCommand, Response};
use std::path::Path;

/// A held command that a human already approved as part of another line
/// (see `riding`): the queue id of that approval, spent by this use.
pub(crate) fn covered_by_approval(
    state: &State,
    cmd: &ProposedCommand,
    class: kintsugi_protocol::Class,
) -> Option<String> {
    if state.grants.is_empty() {
        return None;
    }
    let commands = crate::guarded::rider_commands(cmd, state.engine.classify(cmd).commands);
    state.grants.claim(&crate::riding::Rider {
        hint: cmd.approved_parent.as_deref(),
        agent: &cmd.agent,
        cwd: &cmd.cwd,
        commands,
        class,
    })
}

/// A human approved held item `id`: keep what its line may run (`riding`).
fn grant(state: &State, id: &str, item: &PendingItem) {
    let commands = state
        .engine
        .classify(&item.command)
        .commands
        .into_iter()
        .map(|p| p.argv)
        .collect();
    state.grants.grant(id, item, commands);
}

/// Refuse (and record) an approval that fails the integrity check.
async fn refuse(state: &State, peer: Peer, what: &str, why: String) -> Response {
    let e = peer_event("refused", peer, what, format!("approval refused: {why}"));
    let _ = commit(state, e).await;
    Response::error(format!("approval refused: {why}"))
}

async fn remember(state: &State, cmd: &ProposedCommand, decision: &str) -> Result<(), Response> {
    state
        .engine
        .memory
        .remember(
            &state.engine.repo_of(Path::new(&cmd.cwd)),
            &cmd.raw,
            decision,
            &now(),
        )
        .map_err(|e| Response::error(format!("decided, but could not remember it: {e}")))
}

/// `resolve`: a human's decision on a command the daemon is HOLDING. The
/// command's client id must name a pending item; the decision, the record
/// and any memory use the held item's command as the daemon stored it, never
/// the line the client sent, so a `resolve` cannot invent an approval.
pub(crate) async fn resolve(
    state: &State,
    peer: Peer,
    command: ProposedCommand,
    decision: HumanDecision,
    keep: bool,
) -> Response {
    let command = scrub::command(command);
    let allow = decision == HumanDecision::Allow;
    let what = if allow { "approval" } else { "denial" };
    let Some(id) = state.queue.find_by_command(&command.id) else {
        let why = format!(
            "no held command has client id `{}`: `resolve` records a human's decision on a command the daemon is holding (`kintsugi queue` lists them); nothing was recorded or remembered",
            command.id
        );
        let e = peer_event(
            "refused",
            peer,
            &command.raw,
            format!("resolve refused: {why}"),
        );
        let _ = commit(state, e).await;
        return Response::error(format!("{what} refused: {why}"));
    };
    let Some((held, _)) = state.queue.held(&id) else {
        return Response::error(format!(
            "held command `{id}` vanished before it was decided"
        ));
    };
    if allow && state.admin.approvals_need_password() {
        let why = "the admin vault requires the password for approvals (remembered ones too); use `kintsugi approve ID`"
            .to_string();
        return refuse(state, peer, &held.command.raw, why).await;
    }
    if allow {
        let proposer = state.queue.proposer(&id).unwrap_or_default();
        if let Err(why) = check_approver(peer.pid, proposer) {
            return refuse(state, peer, &held.command.raw, why).await;
        }
    }
    if let Err(e) = state.queue.decide(&id, allow) {
        return Response::error(e.to_string());
    }
    if allow {
        grant(state, &id, &held);
    }
    let word = if allow { "allow" } else { "deny" };
    if keep && let Err(resp) = remember(state, &held.command, word).await {
        return resp;
    }
    let mut e = command_event("resolve", &held.command, peer);
    e.decision = Some(word.into());
    e.pending = Some(id);
    e.reason = Some(if keep {
        format!("a human chose {word} for this held command and asked to remember it")
    } else {
        format!("a human chose {word} for this held command")
    });
    ack(commit(state, e).await)
}

pub(crate) async fn decide_pending(
    state: &State,
    peer: Peer,
    id: &str,
    approve: bool,
    keep: bool,
    proven: bool,
) -> Response {
    // An admin proof stands in for the terminal check.
    if approve && !proven {
        let proposer = match state.queue.pending_proposer(id) {
            Ok(p) => p,
            Err(e) => return Response::error(e.to_string()),
        };
        if let Err(why) = check_approver(peer.pid, proposer) {
            return refuse(state, peer, id, why).await;
        }
    }
    // Snapshot what the approved command will touch BEFORE the waiter is
    // released (it runs the command the moment the decision lands).
    let mut snapshot = None;
    let mut note = String::new();
    if approve && let Some((held, effects)) = state.queue.held(id) {
        match state
            .snapshots
            .capture(Snapshots::plan(&held.command, &effects), &held.command.id)
            .await
        {
            Ok(Some(c)) => {
                if !c.complete {
                    note = format!(" Undo cannot cover: {}.", c.uncovered.join("; "));
                }
                snapshot = c.id;
            }
            Ok(None) => {}
            Err(e) => note = format!(" No snapshot could be taken: {e}."),
        }
    }
    let item = match state.queue.decide(id, approve) {
        Ok(item) => item,
        Err(e) => return Response::error(e.to_string()),
    };
    if approve {
        grant(state, id, &item);
    }
    let word = if approve { "allow" } else { "deny" };
    if keep && let Err(resp) = remember(state, &item.command, word).await {
        return resp;
    }
    let kind = if approve { "approve" } else { "deny" };
    let mut e = command_event(kind, &item.command, peer);
    e.class = Some(item.class.as_str().into());
    e.decision = Some(word.into());
    e.rule = Some(item.rule.clone());
    let remembered = if keep {
        " and asked to remember it"
    } else {
        ""
    };
    e.reason = Some(format!(
        "a human chose to {kind} held command {id}{remembered}.{note}"
    ));
    e.pending = Some(id.to_string());
    e.snapshot = snapshot;
    ack(commit(state, e).await)
}
