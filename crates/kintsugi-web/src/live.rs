//! The live feed: one thread subscribes to the daemon's `subscribe` stream
//! and turns each line into a server-sent event on a broadcast channel;
//! every open page (`GET /api/live`) streams that channel. When the daemon
//! goes away the pages are told (`link`) and the thread reconnects.

use kintsugi_protocol::{Client, Request, Response};
use serde_json::json;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::sync::broadcast;

/// Server-sent events buffered for a slow page before it is told to resync.
pub const LIVE_BUFFER: usize = 1024;
/// A comment line sent this often keeps idle streams open through proxies
/// and lets the server notice a page that went away.
pub const KEEPALIVE: Duration = Duration::from_secs(15);
/// Wait between attempts to reach a daemon that went away.
pub const RECONNECT: Duration = Duration::from_secs(1);

/// One server-sent event: `event: NAME` and one `data:` line of JSON.
pub fn frame(name: &str, data: &serde_json::Value) -> Arc<str> {
    Arc::from(format!("event: {name}\ndata: {data}\n\n"))
}

/// Start the subscribing thread; frames go to `tx` until the process ends.
pub fn spawn(socket: PathBuf, tx: broadcast::Sender<Arc<str>>) {
    let _ = std::thread::Builder::new()
        .name("kintsugi-web-live".into())
        .spawn(move || {
            loop {
                let why = follow(&socket, &tx);
                let _ = tx.send(frame("link", &json!({ "up": false, "why": why })));
                std::thread::sleep(RECONNECT);
            }
        });
}

/// Subscribe and forward until the stream ends; the reason it ended.
fn follow(socket: &std::path::Path, tx: &broadcast::Sender<Arc<str>>) -> String {
    let mut sub = match Client::connect(socket) {
        Ok(c) => c,
        Err(e) => return format!("cannot reach the daemon: {e}"),
    };
    match sub.request(&Request::Subscribe) {
        Ok(Response::Ack) => {}
        Ok(Response::Error { message }) => return format!("subscription refused: {message}"),
        Ok(other) => return format!("unexpected answer to subscribe: {other:?}"),
        Err(e) => return format!("subscription failed: {e}"),
    }
    let _ = tx.send(frame("link", &json!({ "up": true })));
    loop {
        let frame = match sub.read_response() {
            Ok(Response::Event { event }) => frame("event", &json!(event)),
            Ok(Response::Queue { change, item }) => {
                frame("queue", &json!({ "change": change, "item": item }))
            }
            Ok(Response::Lagged { missed }) => frame("resync", &json!({ "missed": missed })),
            Ok(_) => continue,
            Err(e) => return format!("the live feed stopped: {e}"),
        };
        let _ = tx.send(frame);
    }
}

/// Stream `rx` to one page as `text/event-stream` until it goes away.
pub async fn stream<W: tokio::io::AsyncWrite + Unpin>(
    w: &mut W,
    mut rx: broadcast::Receiver<Arc<str>>,
) -> std::io::Result<()> {
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n{}Connection: close\r\n\r\n",
        crate::http::SECURITY_HEADERS
    );
    w.write_all(head.as_bytes()).await?;
    w.write_all(frame("hello", &json!({})).as_bytes()).await?;
    w.flush().await?;
    loop {
        let next = tokio::time::timeout(KEEPALIVE, rx.recv()).await;
        let bytes: Arc<str> = match next {
            Err(_) => Arc::from(": keepalive\n\n"),
            Ok(Ok(f)) => f,
            Ok(Err(broadcast::error::RecvError::Lagged(n))) => {
                frame("resync", &json!({ "missed": n }))
            }
            Ok(Err(broadcast::error::RecvError::Closed)) => return Ok(()),
        };
        w.write_all(bytes.as_bytes()).await?;
        w.flush().await?;
    }
}
