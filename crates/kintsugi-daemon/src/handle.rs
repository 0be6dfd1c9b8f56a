//! Answer one request. Every request that changes or reports state goes
//! through here; everything recorded is committed before the answer is sent.

use crate::auth;
use crate::decide::{self, Decided};
use crate::peer::Peer;
use crate::queue::QueueError;
use crate::state::{State, StopReason};
use kintsugi_ledger::NewEvent;
use kintsugi_protocol::{
    DEFAULT_WAIT_MS, Decision, MAX_WAIT_MS, PendingItem, PendingState, ProposedCommand, Request,
    Response, StatusInfo, Verdict, now_rfc3339,
};

/// What the connection should do after writing the response.
pub enum After {
    Continue,
    Close,
}

fn command_event(kind: &str, cmd: &ProposedCommand, peer: Peer) -> NewEvent {
    NewEvent {
        kind: kind.to_string(),
        agent: cmd.agent.clone(),
        session: cmd.session.clone(),
        cwd: cmd.cwd.clone(),
        raw: cmd.raw.clone(),
        argv: cmd.argv.clone(),
        peer_pid: peer.pid,
        peer_uid: Some(peer.uid),
        detail: Some(serde_json::json!({"id": cmd.id, "client_ts": cmd.ts}).to_string()),
        ..Default::default()
    }
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

async fn commit(state: &State, event: NewEvent) -> Result<u64, Response> {
    state.writer.append(event).await.map_err(Response::error)
}

/// Answer `req` from `peer`.
pub async fn handle(state: &State, peer: Peer, req: Request) -> (Response, After) {
    let response = match req {
        Request::Propose(cmd) => propose(state, peer, cmd).await,
        Request::Record(cmd) => record(state, peer, cmd).await,
        Request::Observe { change, path } => {
            let mut e = daemon_event(
                "observe",
                path,
                format!("filesystem change: {}", change.as_str()),
            );
            e.agent = "watcher".into();
            e.peer_pid = peer.pid;
            e.peer_uid = Some(peer.uid);
            e.detail = Some(serde_json::json!({"change": change.as_str()}).to_string());
            ack(commit(state, e).await)
        }
        Request::Resolve {
            command,
            decision,
            remember,
        } => {
            let mut e = command_event("resolve", &command, peer);
            e.decision = Some(format!("{decision:?}").to_lowercase());
            e.reason = Some(if remember {
                "a human decided this command and asked to remember it".into()
            } else {
                "a human decided this command".into()
            });
            ack(commit(state, e).await)
        }
        Request::ListPending => Response::PendingList {
            items: state.queue.pending(),
        },
        Request::PendingStatus { id } => Response::Pending {
            status: state.queue.status(&id),
        },
        Request::Approve { id } => decide_pending(state, peer, &id, true).await,
        Request::Deny { id } => decide_pending(state, peer, &id, false).await,
        Request::Status => status(state),
        Request::Wait { id, timeout_ms } => wait(state, &id, timeout_ms).await,
        Request::AuthBegin { .. } => auth::unlocked_challenge(),
        Request::Shutdown { op, .. } => {
            if op != "shutdown" {
                Response::error(format!(
                    "`shutdown` must carry op \"shutdown\" (the op its proof was made for), not {op:?}"
                ))
            } else {
                state.request_stop(StopReason::Requested { pid: peer.pid });
                return (Response::Ack, After::Close);
            }
        }
    };
    (response, After::Continue)
}

fn ack(result: Result<u64, Response>) -> Response {
    match result {
        Ok(_) => Response::Ack,
        Err(e) => e,
    }
}

async fn propose(state: &State, peer: Peer, cmd: ProposedCommand) -> Response {
    let Decided {
        mut decision,
        class,
        rule,
        mut reason,
        summary,
    } = decide::decide(&cmd, &state.home);
    let mut pending = None;
    if decision == Decision::Hold {
        let item = PendingItem {
            id: String::new(),
            command: cmd.clone(),
            class,
            rule: rule.clone(),
            reason: reason.clone(),
            created: now_rfc3339(),
            status: PendingState::Pending,
        };
        match state.queue.hold(item) {
            Ok(id) => pending = Some(id),
            Err(e @ QueueError::Full(_)) => {
                decision = Decision::Deny;
                reason = format!("{reason} Denied: {e}");
            }
            Err(e) => return Response::error(e.to_string()),
        }
    }
    let mut e = command_event("propose", &cmd, peer);
    e.class = Some(class.as_str().into());
    e.decision = Some(decision.as_str().into());
    e.rule = Some(rule.clone());
    e.reason = Some(reason.clone());
    e.summary = summary.clone();
    e.pending = pending.clone();
    match commit(state, e).await {
        Ok(seq) => Response::Verdict(Verdict {
            decision,
            class,
            rule,
            reason,
            summary,
            risk: None,
            event: Some(seq),
            pending,
            snapshot: None,
        }),
        Err(resp) => {
            if let Some(id) = &pending {
                let _ = state.queue.decide(id, false);
            }
            resp
        }
    }
}

async fn record(state: &State, peer: Peer, cmd: ProposedCommand) -> Response {
    let analysis = decide::classify(&cmd, &state.home);
    let mut e = command_event("record", &cmd, peer);
    e.class = Some(decide::wire_class(analysis.class).as_str().into());
    e.rule = Some(analysis.rule);
    e.reason = Some(analysis.reason);
    ack(commit(state, e).await)
}

async fn decide_pending(state: &State, peer: Peer, id: &str, approve: bool) -> Response {
    let item = match state.queue.decide(id, approve) {
        Ok(item) => item,
        Err(e) => return Response::error(e.to_string()),
    };
    let word = if approve { "approve" } else { "deny" };
    let mut e = command_event(word, &item.command, peer);
    e.class = Some(item.class.as_str().into());
    e.decision = Some(if approve { "allow" } else { "deny" }.into());
    e.rule = Some(item.rule.clone());
    e.reason = Some(format!("a human chose to {word} held command {id}"));
    e.pending = Some(id.to_string());
    ack(commit(state, e).await)
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
    Response::Status(StatusInfo {
        scorer: "heuristic".into(),
        version: Some(env!("CARGO_PKG_VERSION").into()),
        pid: Some(std::process::id()),
        uptime_secs: Some(state.started.elapsed().as_secs()),
        socket: Some(state.paths.socket.display().to_string()),
        data_dir: Some(state.paths.data_dir.display().to_string()),
        ledger_len: Some(head.seq),
        ledger_head: Some(head.hash),
        last_checkpoint: head.checkpoint,
        pending: Some(state.queue.len_pending() as u64),
        mode: Some("attended".into()),
    })
}
