//! Human decisions on held commands: `approve`/`deny` by queue id, `resolve`
//! (only for a command the daemon is holding), remembering a decision, and
//! the grants an approval leaves for the commands run inside it (`riding`;
//! `verdict.rs` spends them).

use crate::events::{ack, command_event, commit, now, peer_event};
use crate::human_proof::{Approver, Proof, Verdict, prove_human};
use crate::peer::Peer;
use crate::scrub;
use crate::snapshots::Snapshots;
use crate::state::State;
use kintsugi_protocol::{HumanDecision, PendingItem, ProposedCommand, Response};
use std::path::Path;

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
pub(crate) async fn refuse(state: &State, peer: Peer, what: &str, why: String) -> Response {
    refuse_with(state, peer, what, why, None).await
}

/// Refuse (and record, with who asked: `verdict`) an approval.
async fn refuse_with(
    state: &State,
    peer: Peer,
    what: &str,
    why: String,
    verdict: Option<&Verdict>,
) -> Response {
    let mut e = peer_event("refused", peer, what, format!("approval refused: {why}"));
    if let Some(v) = verdict {
        e.detail = Some(serde_json::json!({ "approver": v.to_json() }).to_string());
    }
    let _ = commit(state, e).await;
    Response::error(format!("approval refused: {why}"))
}

/// Add who approved (`verdict`) to an event's JSON detail.
fn with_approver(detail: Option<String>, verdict: &Verdict) -> Option<String> {
    let mut v: serde_json::Value = detail
        .and_then(|d| serde_json::from_str(&d).ok())
        .unwrap_or_else(|| serde_json::json!({}));
    v["approver"] = verdict.to_json();
    Some(v.to_string())
}

/// The human proof for approving held item `id` (see `human_proof.rs`):
/// the verdict to record, or the refusal already recorded.
async fn human_or_refuse(
    state: &State,
    peer: Peer,
    id: &str,
    what: &str,
    pin: Option<&str>,
) -> Result<Verdict, Response> {
    let Some(proposer) = state.queue.proposer(id) else {
        return Err(Response::error(format!(
            "held command `{id}` vanished before it was decided"
        )));
    };
    let v = prove_human(state, Approver { pid: peer.pid, pin }, Some(proposer)).await;
    match &v.proof {
        Ok(_) => Ok(v),
        Err(why) => Err(refuse_with(state, peer, what, why.clone(), Some(&v)).await),
    }
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
        .map_err(|e| Response::error(format!("decided, but could not remember it: {e}")))?;
    state.lease_terms_changed();
    Ok(())
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
    pin: Option<String>,
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
    let mut verdict = None;
    if allow {
        match human_or_refuse(state, peer, &id, &held.command.raw, pin.as_deref()).await {
            Ok(v) => verdict = Some(v),
            Err(resp) => return resp,
        }
    }
    if let Err(e) = state.queue.settle(&id, allow) {
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
    if let Some(v) = &verdict {
        e.detail = with_approver(e.detail.take(), v);
    }
    e.pending = Some(id);
    e.reason = Some(if keep {
        format!("a human chose {word} for this held command and asked to remember it")
    } else {
        format!("a human chose {word} for this held command")
    });
    ack(commit(state, e).await)
}

/// `approve` (with `approve`) or `deny` of held item `id`: the human proof
/// (or the admin proof when `proven`), the snapshot of an approved command
/// before its waiter is released, the grant it leaves, memory, the record.
pub(crate) async fn answer_held(
    state: &State,
    peer: Peer,
    id: &str,
    approve: bool,
    keep: bool,
    proven: bool,
    pin: Option<String>,
) -> Response {
    // An admin proof stands in for the human proof; its facts are recorded.
    let mut verdict = None;
    if approve {
        if let Err(e) = state.queue.pending_proposer(id) {
            return Response::error(e.to_string());
        }
        if proven {
            let facts = peer
                .pid
                .and_then(|p| crate::approver::ApproverFacts::of(p).ok());
            verdict = Some(Verdict {
                proof: Ok(Proof::AdminPassword),
                facts,
                suspect: None,
            });
        } else {
            match human_or_refuse(state, peer, id, id, pin.as_deref()).await {
                Ok(v) => verdict = Some(v),
                Err(resp) => return resp,
            }
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
    let item = match state.queue.settle(id, approve) {
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
    let how = match verdict.as_ref().and_then(|v| v.proof.as_ref().ok()) {
        Some(Proof::Pin) => " (proven by the approval PIN)",
        Some(Proof::AdminPassword) => " (proven by the admin password)",
        Some(Proof::Terminal) => " (terminal test only: no approval PIN is set)",
        None => "",
    };
    e.reason = Some(format!(
        "a human chose to {kind} held command {id}{remembered}{how}.{note}"
    ));
    if let Some(v) = &verdict {
        e.detail = with_approver(e.detail.take(), v);
    }
    e.pending = Some(id.to_string());
    e.snapshot = snapshot;
    ack(commit(state, e).await)
}
