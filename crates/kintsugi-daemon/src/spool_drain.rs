//! Drain the spool (`kintsugi_protocol::spool`): lines a human shell
//! recorded and changes the watcher saw while the daemon was down are
//! recorded as `record` and `observe` events, in the order they happened, when the daemon starts and every [`DRAIN_EVERY`] after. The
//! drained file is removed only after its last line is committed.

use crate::peer::{Peer, own_uid};
use crate::requests::record::record;
use crate::state::State;
use kintsugi_protocol::Response;
use kintsugi_protocol::spool::{self, Spooled};
use std::sync::Arc;
use std::time::Duration;

/// How often the spool is checked while the daemon runs.
pub const DRAIN_EVERY: Duration = Duration::from_secs(2);

/// Start the drain loop (first drain at once).
pub fn spawn(state: Arc<State>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(DRAIN_EVERY);
        loop {
            tick.tick().await;
            if let Err(e) = drain(&state).await {
                tracing::warn!("cannot drain the recorder spool: {e}");
            }
        }
    });
}

/// Record everything waiting in the spool; the number of lines recorded.
pub async fn drain(state: &State) -> Result<usize, String> {
    let dir = state.paths.data_dir.clone();
    let mut total = 0;
    // A leftover file from an interrupted drain comes first, then the spool.
    for _ in 0..2 {
        let d = dir.clone();
        let taken = tokio::task::spawn_blocking(move || spool::take(&d))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())?;
        let Some(path) = taken else { break };
        let p = path.clone();
        let (mut items, bad) = tokio::task::spawn_blocking(move || spool::read(&p))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| format!("{}: {e}", path.display()))?;
        if bad > 0 {
            tracing::warn!("{bad} unreadable line(s) in {} skipped", path.display());
        }
        // Background senders may append out of order: record in the order
        // the lines were typed (stable; an unreadable time sorts first).
        items.sort_by_key(|c| c.time().and_then(typed_at));
        let peer = Peer {
            uid: own_uid(),
            pid: None,
        };
        for item in items {
            let failed = match item {
                Spooled::Record(cmd) => match record(state, peer, cmd).await {
                    Response::Error { message } => Some(message),
                    _ => None,
                },
                Spooled::Observe { observed } => {
                    let e = crate::observed::event(state, peer, observed);
                    crate::events::commit(state, e)
                        .await
                        .err()
                        .map(|r| match r {
                            Response::Error { message } => message,
                            other => format!("{other:?}"),
                        })
                }
            };
            if let Some(message) = failed {
                // Keep the file: it is drained again (from the start) next time.
                return Err(format!("recording a spooled line failed: {message}"));
            }
            total += 1;
        }
        std::fs::remove_file(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(total)
}

fn typed_at(ts: &str) -> Option<time::OffsetDateTime> {
    time::OffsetDateTime::parse(ts, &time::format_description::well_known::Rfc3339).ok()
}
