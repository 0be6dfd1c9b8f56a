//! The `subscribe` extension: after answering `ack`, the connection becomes a
//! one-way stream of NDJSON lines: every ledger event as the writer commits
//! it (`event`), every change to the approval queue (`queue`), and `lagged`
//! when this subscriber fell behind the broadcast buffer. A queue change
//! is streamed before the ledger event that records it. No read timeout
//! runs while the daemon streams; the stream ends when the client closes,
//! a write fails or cannot finish within [`SUBSCRIBER_WRITE_TIMEOUT`] (the
//! client stopped reading), or the daemon stops. Subscribers hold their own
//! slots (`load.rs`), never the interceptors'.

use crate::connection::{Connection, Incoming};
use crate::load::SUBSCRIBER_WRITE_TIMEOUT;
use crate::state::{State, StopReason};
use kintsugi_ledger::NewEvent;
use kintsugi_ledger_wire::event_record;
use kintsugi_protocol::{PendingItem, QueueChange, Response};
use std::sync::Arc;
use tokio::sync::broadcast::{self, error::RecvError};
use tokio::sync::watch;

/// Lines a slow subscriber may fall behind before it gets `lagged`.
pub const BUFFER: usize = 4096;

/// One committed event, as the writer thread publishes it.
#[derive(Debug)]
pub struct Committed {
    pub seq: u64,
    pub ts: String,
    pub event: NewEvent,
}

/// One queue change, as the queue publishes it.
pub type QueueNote = (QueueChange, PendingItem);

/// What one receive from a broadcast produced, as a line to write (or the
/// end of that source).
fn line<T>(got: Result<T, RecvError>, to_line: impl FnOnce(T) -> Response) -> Option<Response> {
    match got {
        Ok(v) => Some(to_line(v)),
        Err(RecvError::Lagged(missed)) => Some(Response::Lagged { missed }),
        Err(RecvError::Closed) => None,
    }
}

/// Stream to `conn` until the client goes away or the daemon stops. The
/// receivers are taken before `ack` is written, so nothing committed after
/// the client reads `ack` is missed.
pub async fn stream(
    conn: &mut Connection,
    mut events: broadcast::Receiver<Arc<Committed>>,
    mut queue: broadcast::Receiver<QueueNote>,
    mut stop: watch::Receiver<StopReason>,
) {
    if !written(conn, &Response::Ack).await {
        return;
    }
    loop {
        // Queue first: a hold is published before the event that records it
        // is committed, so polling in this order streams them in causal
        // order (created, then its `propose` event).
        let out = tokio::select! {
            biased;
            got = queue.recv() => line(got, |(change, item)| Response::Queue { change, item }),
            got = events.recv() => line(got, |c| Response::Event {
                event: event_record(c.seq, &c.ts, &c.event),
            }),
            incoming = conn.read_frame() => match incoming {
                // A subscriber has nothing to say; anything but a close is ignored.
                Ok(Incoming::Frame(_)) => continue,
                _ => return,
            },
            _ = stop.changed() => return,
        };
        let Some(resp) = out else { return };
        if !written(conn, &resp).await {
            return;
        }
    }
}

/// Write one stream line within [`SUBSCRIBER_WRITE_TIMEOUT`]; false when it
/// failed or the client stopped reading (the stream then ends).
pub(crate) async fn written(conn: &mut Connection, resp: &Response) -> bool {
    match tokio::time::timeout(SUBSCRIBER_WRITE_TIMEOUT, conn.write(resp)).await {
        Ok(Ok(())) => true,
        Ok(Err(_)) => false,
        Err(_) => {
            tracing::warn!(
                "dropped a subscriber that read nothing for {} s",
                SUBSCRIBER_WRITE_TIMEOUT.as_secs()
            );
            false
        }
    }
}

/// Start a subscription on `conn` (called by the connection loop).
pub async fn serve(conn: &mut Connection, state: &State, stop: watch::Receiver<StopReason>) {
    let events = state.writer.subscribe();
    let queue = state.queue.subscribe();
    stream(conn, events, queue, stop).await;
}
