//! The `execlease` stream: the daemon answers with its current `lease`
//! terms (`lease.rs`), then writes them again each time they change (the
//! kill switch turned on or off, a decision remembered), so a guard stops
//! answering execs itself as soon as it reads the new line. Like a
//! subscription it holds a subscriber slot, runs no read timeout, and ends
//! when the client closes, a write cannot finish within
//! [`crate::load::SUBSCRIBER_WRITE_TIMEOUT`], or the daemon stops.

use crate::connection::{Connection, Incoming};
use crate::state::{State, StopReason};
use crate::subscribe::written;
use kintsugi_protocol::Response;
use tokio::sync::watch;

/// Stream the lease terms to `conn` until it closes or the daemon stops.
pub async fn serve(conn: &mut Connection, state: &State, mut stop: watch::Receiver<StopReason>) {
    // Taken before the first line, so no change after it is missed.
    let mut changed = state.lease.subscribe();
    changed.mark_unchanged();
    let mut last = crate::lease::terms(&state.engine);
    if !written(conn, &Response::Lease(last.clone())).await {
        return;
    }
    loop {
        tokio::select! {
            biased;
            _ = stop.changed() => return,
            got = changed.changed() => {
                if got.is_err() {
                    return;
                }
                let now = crate::lease::terms(&state.engine);
                if now != last {
                    last = now.clone();
                    if !written(conn, &Response::Lease(now)).await {
                        return;
                    }
                }
            }
            incoming = conn.read_frame() => match incoming {
                // The guard has nothing to say; anything but a close is ignored.
                Ok(Incoming::Frame(_)) => continue,
                _ => return,
            },
        }
    }
}
