//! Answer one request. Every request that changes or reports state goes
//! through here; everything recorded is committed before the answer is sent.

use crate::decide::{self, Decided};
use crate::human;
use crate::integrity::Proposer;
use crate::peer::Peer;
use crate::queue::QueueError;
use crate::scrub;
use crate::snapshots::Snapshots;
use crate::state::{State, StopReason};
use crate::vault_guard;
use kintsugi_ledger::NewEvent;
use kintsugi_protocol::{
    DEFAULT_WAIT_MS, Decision, MAX_WAIT_MS, PendingItem, PendingState, ProposedCommand, Request,
    Response, StatusInfo, Verdict, now_rfc3339,
};
use std::path::PathBuf;

/// What the connection should do after writing the response.
pub enum After {
    Continue,
    Close,
}

/// The current time for events and files.
pub fn now() -> String {
    now_rfc3339()
}

pub(crate) fn command_event(kind: &str, cmd: &ProposedCommand, peer: Peer) -> NewEvent {
    NewEvent {
        kind: kind.to_string(),
        agent: cmd.agent.clone(),
        session: cmd.session.clone(),
        cwd: cmd.cwd.clone(),
        raw: cmd.raw.clone(),
        argv: cmd.argv.clone(),
        peer_pid: peer.pid,
        peer_uid: Some(peer.uid),
        detail: Some(command_detail(cmd).to_string()),
        ..Default::default()
    }
}

/// A command event's detail: its id and client time, and the typed origin
/// and exec form when the client sent them.
fn command_detail(cmd: &ProposedCommand) -> serde_json::Value {
    let mut d = serde_json::json!({"id": cmd.id, "client_ts": cmd.ts});
    if let Some(origin) = cmd.origin {
        d["origin"] = origin.as_str().into();
    }
    if let Some(x) = &cmd.exec {
        d["exec"] = serde_json::json!({"program": x.program, "parent": x.parent, "pid": x.pid});
    }
    d
}

/// Add `"scorer": note` to an event's JSON detail.
fn with_scorer_note(detail: Option<String>, note: String, secrets: &scrub::Secrets) -> String {
    let mut v: serde_json::Value = detail
        .and_then(|d| serde_json::from_str(&d).ok())
        .unwrap_or_else(|| serde_json::json!({}));
    v["scorer"] = serde_json::Value::String(secrets.text(note));
    v.to_string()
}

/// A daemon-originated event (start, stop, expiry, refusals).
pub fn daemon_event(kind: &str, raw: String, reason: String) -> NewEvent {
    NewEvent {
        kind: kind.to_string(),
        agent: "daemon".into(),
        cwd: "/".into(),
        raw,
        reason: Some(reason),
        ..Default::default()
    }
}

pub(crate) fn peer_event(kind: &str, peer: Peer, raw: &str, reason: String) -> NewEvent {
    let mut e = daemon_event(kind, raw.to_string(), reason);
    e.agent = "cli".into();
    e.peer_pid = peer.pid;
    e.peer_uid = Some(peer.uid);
    e
}

pub(crate) async fn commit(state: &State, event: NewEvent) -> Result<u64, Response> {
    state.writer.append(event).await.map_err(Response::error)
}

pub(crate) fn ack(result: Result<u64, Response>) -> Response {
    match result {
        Ok(_) => Response::Ack,
        Err(e) => e,
    }
}

/// Answer `req` from `peer`.
pub async fn handle(state: &State, peer: Peer, req: Request) -> (Response, After) {
    if let Some(refused) = crate::guard_tree::refusal(state, peer, &req).await {
        return (refused, After::Continue);
    }
    let response = match req {
        Request::Propose(cmd) => propose(state, peer, cmd).await,
        Request::Record(cmd) => record(state, peer, cmd).await,
        Request::Observe(obs) => ack(commit(state, crate::observed::event(state, peer, obs)).await),
        Request::Resolve {
            command,
            decision,
            remember,
            pin,
        } => human::resolve(state, peer, command, decision, remember, pin).await,
        Request::ListPending => Response::PendingList {
            items: state.queue.pending(),
        },
        Request::PendingStatus { id } => Response::Pending {
            status: state.queue.status(&id),
        },
        Request::Approve {
            id,
            remember,
            nonce,
            proof,
            relayed_for,
            pin,
            ..
        } => {
            if let Err(resp) = crate::relay::check(state, peer, &id, relayed_for.as_deref()).await {
                return (resp, After::Continue);
            }
            match vault_guard::approve_gate(state, peer, &id, nonce, proof).await {
                Ok(proven) => {
                    let keep = remember.unwrap_or(false);
                    human::decide_pending(state, peer, &id, true, keep, proven, pin).await
                }
                Err(resp) => resp,
            }
        }
        Request::Deny { id, remember } => {
            let keep = remember.unwrap_or(false);
            human::decide_pending(state, peer, &id, false, keep, false, None).await
        }
        Request::SetPin { pin, current } => {
            crate::pin_ops::set_pin(state, peer, pin, current).await
        }
        Request::Status => status(state),
        Request::Wait { id, timeout_ms } => wait(state, &id, timeout_ms).await,
        Request::Complete {
            id,
            exit_code,
            signal,
            duration_ms,
            agent,
            raw,
            cwd,
        } => {
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
        Request::Undo {
            id,
            session,
            force,
            to,
        } => undo(state, peer, id, session, force, to).await,
        Request::Gc => match state.snapshots.gc(&state.config).await {
            Ok(text) => {
                let _ = commit(state, peer_event("gc", peer, "gc", text.clone())).await;
                Response::Report { text }
            }
            Err(e) => Response::error(format!("snapshot GC failed: {e}")),
        },
        // The connection loop turns the connection into a stream first.
        Request::Subscribe => Response::error("`subscribe` is served by the connection loop"),
        Request::Panic => kill_switch(state, peer, true).await,
        Request::Resume { nonce, proof } => {
            match vault_guard::gate(state, peer, "resume", nonce, proof).await {
                Ok(_) => kill_switch(state, peer, false).await,
                Err(resp) => resp,
            }
        }
        Request::AuthBegin { op } => vault_guard::challenge(state, peer, &op).await,
        Request::Shutdown { op, nonce, proof } => {
            if op != "shutdown" {
                Response::error(format!(
                    "`shutdown` must carry op \"shutdown\" (the op its proof was made for), not {op:?}"
                ))
            } else {
                match vault_guard::gate(state, peer, "shutdown", Some(nonce), Some(proof)).await {
                    Ok(_) => {
                        state.request_stop(StopReason::Requested { pid: peer.pid });
                        return (Response::Ack, After::Close);
                    }
                    Err(resp) => resp,
                }
            }
        }
        Request::SetMode { mode, nonce, proof } => {
            vault_guard::set_mode(state, peer, &mode, nonce, proof).await
        }
        Request::VaultUpdate {
            op,
            vault,
            nonce,
            proof,
        } => vault_guard::update(state, peer, &op, &vault, nonce, proof).await,
        Request::Authorize { op, nonce, proof } => {
            vault_guard::authorize(state, peer, &op, nonce, proof).await
        }
    };
    (response, After::Continue)
}

async fn propose(state: &State, peer: Peer, cmd: ProposedCommand) -> Response {
    let mut decided = state.engine.decide(&cmd).await;
    // Judged as sent; from here on only the scrubbed command is kept, and
    // every sentence derived from it is scrubbed of its secret values.
    let secrets = scrub::Secrets::of(&cmd);
    let cmd = scrub::command(cmd);
    decided.effects = secrets.effects(std::mem::take(&mut decided.effects));
    // Held first: a claim on a hook's approval is spent only on a hold.
    if decided.decision == kintsugi_protocol::Decision::Hold
        && !state.engine.panicked()
        && let Some(parent) = human::covered_by_approval(state, &cmd, decided.class)
    {
        decided.decision = kintsugi_protocol::Decision::Allow;
        decided.reason = format!(
            "Part of held command {parent}, which a human approved (same cwd, the same simple command, used once). {}",
            decided.reason
        );
    }
    if crate::guarded::may_inherit(&cmd, decided.decision)
        && !state.engine.panicked()
        && let Some(why) = state.execs.inherit(
            &cmd,
            decided.class,
            &decided.effects,
            &|id| state.queue.status(id),
            &|c| {
                let a = state.engine.classify(c);
                a.commands.into_iter().map(|p| p.argv).collect()
            },
        )
    {
        decided.decision = kintsugi_protocol::Decision::Allow;
        decided.reason = format!("{} {}", why.reason(), decided.reason);
    }
    let Decided {
        mut decision,
        class,
        rule,
        mut reason,
        summary,
        risk,
        repo_warnings,
        effects,
        project_root,
        scorer_note,
    } = decided;
    reason = secrets.text(reason);
    let summary = summary.map(|s| secrets.text(s));
    for (file, ignored) in repo_warnings {
        let text = format!("{} {}", file.display(), ignored.join("; "));
        if state.warn_once(text.clone()) {
            let e = peer_event(
                "policy",
                peer,
                &file.display().to_string(),
                format!("repository policy ignored in part: {text}"),
            );
            let _ = commit(state, e).await;
        }
    }
    // Planned once (globs are expanded against the disk): captured, noted
    // for the watcher, or previewed.
    let plan = Snapshots::plan(&cmd, &effects);
    let mut snapshot = None;
    if decision == Decision::Allow && class != kintsugi_protocol::Class::Safe {
        match state.snapshots.capture(plan.clone(), &cmd.id).await {
            Ok(Some(c)) => {
                if !c.complete {
                    let gap = c.uncovered.join("; ");
                    if state.engine.mode() == crate::config::Mode::Attended {
                        decision = Decision::Hold;
                        reason = format!(
                            "{reason} Held: the snapshot could not cover everything, so undo could not bring it all back ({gap})."
                        );
                    } else {
                        reason = format!("{reason} Undo cannot cover: {gap}.");
                    }
                }
                snapshot = c.id;
            }
            Ok(None) => {}
            Err(e) => reason = format!("{reason} No snapshot could be taken: {e}."),
        }
    }
    if decision == Decision::Allow {
        state.recent.note(&cmd.raw, &plan.paths);
    }
    // The snapshot's notes may quote a path the classifier took from the line.
    reason = secrets.text(reason);
    let mut pending = None;
    let mut preview = None;
    if decision == Decision::Hold {
        preview = if plan.is_empty() {
            None
        } else {
            Some(secrets.text(state.snapshots.preview(plan, project_root).await))
        };
        let item = PendingItem {
            id: String::new(),
            command: cmd.clone(),
            class,
            rule: rule.clone(),
            reason: reason.clone(),
            created: now(),
            status: PendingState::Pending,
            preview: preview.clone(),
        };
        match state.queue.hold(item, Proposer::of(peer.pid), effects) {
            Ok(id) => pending = Some(id),
            Err(e @ (QueueError::Full(_) | QueueError::SessionFull { .. })) => {
                decision = Decision::Deny;
                reason = format!("{reason} Denied: {e}");
            }
            Err(e) => return Response::error(e.to_string()),
        }
    }
    state.execs.note(&cmd, class, decision, pending.clone());
    let mut e = command_event("propose", &cmd, peer);
    e.class = Some(class.as_str().into());
    e.decision = Some(decision.as_str().into());
    e.rule = Some(rule.clone());
    e.reason = Some(reason.clone());
    e.summary = summary.clone();
    e.risk = risk;
    if let Some(note) = scorer_note {
        e.detail = Some(with_scorer_note(e.detail.take(), note, &secrets));
    }
    e.pending = pending.clone();
    e.snapshot = snapshot.clone();
    match commit(state, e).await {
        Ok(seq) => {
            let verdict = Verdict {
                decision,
                class,
                rule,
                reason,
                summary,
                risk,
                event: Some(seq),
                pending,
                snapshot,
            };
            crate::alerts::announce(state, &cmd, &verdict, preview.as_deref());
            Response::Verdict(verdict)
        }
        Err(resp) => {
            if let Some(id) = &pending {
                let _ = state.queue.decide(id, false);
            }
            resp
        }
    }
}

/// Record a command a human already ran (also used to drain the spool).
pub(crate) async fn record(state: &State, peer: Peer, cmd: ProposedCommand) -> Response {
    let analysis = state.engine.classify(&cmd);
    let secrets = scrub::Secrets::of(&cmd);
    let cmd = scrub::command(cmd);
    let plan = Snapshots::plan(&cmd, &secrets.effects(analysis.effects));
    state.recent.note(&cmd.raw, &plan.paths);
    let mut e = command_event("record", &cmd, peer);
    e.class = Some(decide::wire_class(analysis.class).as_str().into());
    e.rule = Some(analysis.rule);
    e.reason = Some(secrets.text(analysis.reason));
    ack(commit(state, e).await)
}

async fn undo(
    state: &State,
    peer: Peer,
    id: Option<String>,
    session: Option<String>,
    force: bool,
    to: Option<String>,
) -> Response {
    if to.is_some() && session.is_some() {
        return Response::error(
            "undo `to` restores one snapshot; name it by id instead of a session",
        );
    }
    let to = to.map(PathBuf::from);
    let targets = match state.snapshots.targets(id.as_deref(), session.as_deref()) {
        Ok(t) => t,
        Err(e) => return Response::error(e),
    };
    let mut text = String::new();
    for snap in targets {
        // What undo writes is no change behind Kintsugi's back.
        let written = match &to {
            Some(dir) => vec![kintsugi_snapshot::PlannedPath {
                path: dir.clone(),
                recursive: true,
                action: "restores",
            }],
            None => state.snapshots.roots(&snap),
        };
        state
            .recent
            .note(&format!("kintsugi undo {snap}"), &written);
        let result = state.snapshots.undo(&snap, force, to.clone()).await;
        let (reason, failed) = match &result {
            Ok(report) => (format!("undo of snapshot {snap}: {report}"), false),
            Err(e) => (format!("undo of snapshot {snap} refused: {e}"), true),
        };
        let mut e = peer_event("undo", peer, &snap, reason.clone());
        e.snapshot = Some(snap.clone());
        let _ = commit(state, e).await;
        if failed {
            return Response::error(format!("{text}{reason}"));
        }
        text.push_str(&reason);
        text.push('\n');
    }
    Response::Report { text }
}

async fn kill_switch(state: &State, peer: Peer, on: bool) -> Response {
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

async fn wait(state: &State, id: &str, timeout_ms: Option<u64>) -> Response {
    let ms = timeout_ms.unwrap_or(DEFAULT_WAIT_MS).min(MAX_WAIT_MS);
    let Some(mut rx) = state.queue.watch(id) else {
        return Response::Pending {
            status: PendingState::Gone,
        };
    };
    let decided = async {
        loop {
            if *rx.borrow_and_update() != PendingState::Pending {
                return;
            }
            if rx.changed().await.is_err() {
                return;
            }
        }
    };
    let _ = tokio::time::timeout(std::time::Duration::from_millis(ms), decided).await;
    Response::Pending {
        status: state.queue.status(id),
    }
}

fn status(state: &State) -> Response {
    let head = state.writer.head();
    let mut warnings: Vec<String> = state
        .warnings
        .lock()
        .map(|w| w.iter().cloned().collect())
        .unwrap_or_default();
    if let Ok(d) = state.degraded.lock() {
        warnings.extend(d.iter().cloned());
    }
    if let Some(w) = state.admin.warning() {
        warnings.push(w);
    }
    Response::Status(Box::new(StatusInfo {
        scorer: state.engine.scorer_name(),
        model: Some(state.engine.model.describe()),
        version: Some(env!("CARGO_PKG_VERSION").into()),
        pid: Some(std::process::id()),
        uptime_secs: Some(state.started.elapsed().as_secs()),
        socket: Some(state.paths.socket.display().to_string()),
        data_dir: Some(state.paths.data_dir.display().to_string()),
        ledger_len: Some(head.seq),
        ledger_head: Some(head.hash),
        last_checkpoint: head.checkpoint,
        pending: Some(state.queue.len_pending() as u64),
        mode: Some(state.engine.mode().as_str().into()),
        panic: Some(state.engine.panicked()),
        warnings: (!warnings.is_empty()).then_some(warnings),
        admin: Some(state.admin.describe()),
        fleet: fleet_status(state, head.seq),
        connections: Some(state.load.in_use().0 as u64),
        subscribers: Some(state.load.in_use().1 as u64),
        refused_busy: Some(state.load.refused()),
        alerts: state.alerts.as_ref().map(|a| Box::new(a.status())),
        pending_ttl_secs: Some(state.queue.ttl().as_secs()),
        guards: Some(kintsugi_protocol::guards::live(&state.paths.data_dir)),
        approval_pin: Some(state.pin.describe()),
    }))
}

/// Shipping status: the backlog against the writer's own head (always
/// current), its age from the shipper's last look at the ledger.
fn fleet_status(state: &State, head_seq: u64) -> Option<kintsugi_protocol::FleetStatus> {
    let guard = state.fleet.lock().ok()?;
    let s = guard.as_ref()?.status();
    let backlog = head_seq.saturating_sub(s.shipped_seq);
    let age = s
        .oldest_unshipped_ts
        .as_deref()
        .filter(|_| backlog > 0)
        .and_then(|ts| {
            time::OffsetDateTime::parse(ts, &time::format_description::well_known::Rfc3339).ok()
        })
        .map(|t| (time::OffsetDateTime::now_utc() - t).whole_seconds().max(0) as u64)
        .or((backlog > 0).then_some(0));
    Some(kintsugi_protocol::FleetStatus {
        host_id: s.host_id,
        shipped_seq: s.shipped_seq,
        backlog,
        backlog_age_secs: age,
        connected: s.connected,
        last_ok: s.last_ok,
        last_error: s.last_error,
        key_changed: s.key_changed,
    })
}
