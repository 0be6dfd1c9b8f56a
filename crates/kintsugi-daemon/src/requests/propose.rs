//! `propose`: an interceptor asks before a command runs. The verdict is
//! made in `verdict.rs`; this records it (the answer is sent only after its
//! ledger event is committed) and announces it to the alert channels.

use crate::events::command_event;
use crate::peer::Peer;
use crate::scrub::Secrets;
use crate::state::State;
use crate::verdict::{self, Reached};
use kintsugi_protocol::{Decision, ProposedCommand, Response};

/// Answer `propose`: reach the verdict, record it, answer it.
pub(crate) async fn propose(state: &State, peer: Peer, cmd: ProposedCommand) -> Response {
    let reached = match verdict::reach(state, peer, cmd).await {
        Ok(r) => r,
        Err(resp) => return resp,
    };
    let Reached {
        cmd,
        secrets,
        mut verdict,
        preview,
        scorer_note,
        touches,
    } = reached;
    if verdict.decision == Decision::Allow {
        state.recent.note(&cmd.raw, &touches);
    }
    state.execs.note(
        &cmd,
        verdict.class,
        verdict.decision,
        verdict.pending.clone(),
    );
    let mut e = command_event("propose", &cmd, peer);
    e.class = Some(verdict.class.as_str().into());
    e.decision = Some(verdict.decision.as_str().into());
    e.rule = Some(verdict.rule.clone());
    e.reason = Some(verdict.reason.clone());
    e.summary = verdict.summary.clone();
    e.risk = verdict.risk;
    if let Some(note) = scorer_note {
        e.detail = Some(with_scorer_note(e.detail.take(), note, &secrets));
    }
    e.pending = verdict.pending.clone();
    e.snapshot = verdict.snapshot.clone();
    // An exec covered by an allowed line is answered before its record
    // (`covered_execs.rs`); everything else is committed first.
    match crate::covered_execs::commit_or_defer(state, &cmd, verdict.decision, e).await {
        Ok(seq) => {
            verdict.event = seq;
            crate::alerts::announce(state, &cmd, &verdict, preview.as_deref());
            Response::Verdict(verdict)
        }
        Err(resp) => {
            if let Some(id) = &verdict.pending {
                let _ = state.queue.settle(id, false);
            }
            resp
        }
    }
}

/// Add `"scorer": note` to an event's JSON detail.
fn with_scorer_note(detail: Option<String>, note: String, secrets: &Secrets) -> String {
    let mut v: serde_json::Value = detail
        .and_then(|d| serde_json::from_str(&d).ok())
        .unwrap_or_else(|| serde_json::json!({}));
    v["scorer"] = serde_json::Value::String(secrets.text(note));
    v.to_string()
}
