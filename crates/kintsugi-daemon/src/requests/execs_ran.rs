//! `execsran`: the execs a guard answered itself under its lease
//! (`lease.rs`), judged again by the daemon and recorded as covered execs
//! are: gathered with the next batch of the ledger writer, one `propose`
//! event each with origin `exec`, decision `allow` (they ran) and
//! `"lease": true` in the detail. An exec the daemon's current rules would
//! not have let through is recorded with the daemon's own class and says so.
//! One of the agent's own commands the daemon agrees with is remembered as
//! an allowed exec, so the execs under it can name it as their parent.
//! Only a live guard of the exec layer may report (its pid and start time
//! match its note); anyone else is refused and nothing is recorded.

use crate::events::{command_detail, command_event};
use crate::peer::Peer;
use crate::scrub::{self, Secrets};
use crate::state::State;
use kintsugi_protocol::{Decision, MAX_RAN_EXECS, Origin, RanExecs, Response};

/// Answer `execsran`: check the report whole, then record each exec.
pub(crate) async fn execs_ran(state: &State, peer: Peer, ran: RanExecs) -> Response {
    if ran.execs.len() > MAX_RAN_EXECS {
        return Response::error(format!(
            "an execsran report carries at most {MAX_RAN_EXECS} execs and this one has {}; send them in smaller reports",
            ran.execs.len()
        ));
    }
    let caught =
        |c: &kintsugi_protocol::ProposedCommand| c.origin == Some(Origin::Exec) && c.exec.is_some();
    if let Some(bad) = ran.execs.iter().position(|c| !caught(c)) {
        return Response::error(format!(
            "exec {bad} of the execsran report is not an exec the guard caught: each needs origin `exec` and an exec form; nothing of this report was recorded"
        ));
    }
    // Checked after the report's shape, so a malformed one says what is wrong.
    if !peer
        .pid
        .is_some_and(|pid| crate::guard_tree::is_live_exec_guard(state, pid))
    {
        return Response::error(
            "only a running `kintsugi guard` (its note in the data dir names its pid) may report the execs it answered; nothing was recorded",
        );
    }
    let current = crate::lease::Lease::of(&crate::lease::terms(&state.engine));
    for cmd in ran.execs {
        let (class, rule, reason, agreed) = crate::lease::rejudge(state, current.as_ref(), &cmd);
        let secrets = Secrets::of(&cmd);
        let cmd = scrub::command(cmd);
        // Only the agent's own: a covered exec passes its parent's
        // allowance on, and remembering a build's thousands would crowd
        // that parent out.
        if agreed && cmd.exec.as_ref().is_some_and(|x| x.parent.is_none()) {
            state.execs.note(&cmd, class, Decision::Allow, None);
        }
        let mut e = command_event("propose", &cmd, peer);
        e.class = Some(class.as_str().into());
        e.decision = Some(Decision::Allow.as_str().into());
        e.rule = Some(rule);
        e.reason = Some(secrets.text(reason));
        let mut detail = command_detail(&cmd);
        detail["lease"] = true.into();
        e.detail = Some(detail.to_string());
        state.writer.append_later(e);
    }
    Response::Ack
}
