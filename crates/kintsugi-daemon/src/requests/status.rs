//! `status`: what the daemon is and holds right now (version, ledger head,
//! queue, mode, kill switch, warnings, vault, fleet shipping, load, alerts,
//! live guards, approval PIN).

use crate::state::State;
use kintsugi_protocol::{Response, StatusInfo};

/// Answer `status`.
pub(crate) fn status(state: &State) -> Response {
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
