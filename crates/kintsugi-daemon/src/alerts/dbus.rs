//! Desktop notifications through `org.freedesktop.Notifications` on the
//! session D-Bus (zbus, pure Rust), on a thread of their own with a
//! current-thread runtime. Where the server lists the `actions` capability
//! and `[alerts] open_url` is set, the notification offers one button,
//! "Open", which asks the desktop portal (`org.freedesktop.portal.OpenURI`)
//! to open the web control room. Approving is never offered: a click on a
//! notification cannot prove that a human, not the agent, made it.

use super::{Alert, Counters, DESKTOP_CALL_TIMEOUT, DESKTOP_QUEUE_LEN, message};
use futures_lite::StreamExt;
use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::sync::Arc;
use tokio::sync::mpsc;
use zbus::zvariant::Value;

const NAME: &str = "org.freedesktop.Notifications";
const PATH: &str = "/org/freedesktop/Notifications";
/// The action key of the one button offered.
pub const ACTION_OPEN: &str = "open";
/// Notification ids remembered so an "Open" click is matched to one of
/// ours (older ones are forgotten).
pub const REMEMBERED_NOTIFICATIONS: usize = 64;

/// Start the desktop thread; alerts go into the returned bounded queue.
pub fn spawn(open_url: Option<String>, counters: Arc<Counters>) -> mpsc::Sender<Alert> {
    let (tx, rx) = mpsc::channel(DESKTOP_QUEUE_LEN);
    let spawned = std::thread::Builder::new()
        .name("alerts-desktop".into())
        .spawn(move || {
            match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(rt) => rt.block_on(run(rx, open_url, counters)),
                Err(e) => tracing::error!("alerts: no runtime for desktop notifications: {e}"),
            }
        });
    if let Err(e) = spawned {
        tracing::error!("alerts: cannot start the desktop notification thread: {e}");
    }
    tx
}

struct Session {
    conn: zbus::Connection,
    proxy: zbus::Proxy<'static>,
    markup: bool,
    /// "Open" clicks, when a button is offered.
    actions: Option<zbus::proxy::SignalStream<'static>>,
}

async fn bounded<T, E: std::fmt::Display>(
    what: &str,
    f: impl Future<Output = Result<T, E>>,
) -> Result<T, String> {
    match tokio::time::timeout(DESKTOP_CALL_TIMEOUT, f).await {
        Ok(r) => r.map_err(|e| format!("{what}: {e}")),
        Err(_) => Err(format!(
            "{what}: no answer within {} ms",
            DESKTOP_CALL_TIMEOUT.as_millis()
        )),
    }
}

async fn connect(offer_open: bool) -> Result<Session, String> {
    let conn = bounded("no session bus", zbus::Connection::session()).await?;
    let proxy = bounded(
        "notification service",
        zbus::Proxy::new(&conn, NAME, PATH, NAME),
    )
    .await?;
    let caps: Vec<String> = bounded(
        "notification service GetCapabilities",
        proxy.call("GetCapabilities", &()),
    )
    .await?;
    let has = |c: &str| caps.iter().any(|x| x == c);
    let actions = if offer_open && has("actions") {
        Some(bounded("ActionInvoked", proxy.receive_signal("ActionInvoked")).await?)
    } else {
        None
    };
    Ok(Session {
        markup: has("body-markup"),
        conn,
        proxy,
        actions,
    })
}

async fn notify(s: &Session, a: &Alert) -> Result<u32, String> {
    let (summary, body) = message::desktop(a, s.markup);
    let actions: Vec<&str> = if s.actions.is_some() {
        vec![ACTION_OPEN, "Open"]
    } else {
        vec![]
    };
    let mut hints: HashMap<&str, Value> = HashMap::new();
    // Critical for a hold: it stays until dismissed; normal for a deny.
    hints.insert("urgency", Value::U8(if a.kind == "hold" { 2 } else { 1 }));
    hints.insert("category", Value::from("im.received"));
    let args = (
        "Kintsugi",
        0u32,
        "dialog-warning",
        summary.as_str(),
        body.as_str(),
        actions,
        hints,
        -1i32,
    );
    bounded("Notify", s.proxy.call("Notify", &args)).await
}

/// Ask the desktop portal to open `url` (the web control room).
async fn open(conn: &zbus::Connection, url: &str) -> Result<(), String> {
    let portal = bounded(
        "desktop portal",
        zbus::Proxy::new(
            conn,
            "org.freedesktop.portal.Desktop",
            "/org/freedesktop/portal/desktop",
            "org.freedesktop.portal.OpenURI",
        ),
    )
    .await?;
    let options: HashMap<&str, Value> = HashMap::new();
    let _: zbus::zvariant::OwnedObjectPath =
        bounded("OpenURI", portal.call("OpenURI", &("", url, options))).await?;
    Ok(())
}

enum Next {
    Alert(Option<Box<Alert>>),
    Click(Option<zbus::Message>),
}

async fn run(mut rx: mpsc::Receiver<Alert>, open_url: Option<String>, counters: Arc<Counters>) {
    let mut session: Option<Session> = None;
    // Log a missing bus once, not once per alert.
    let mut said_unavailable = false;
    let mut ours: VecDeque<u32> = VecDeque::new();
    loop {
        let next = match session.as_mut().and_then(|s| s.actions.as_mut()) {
            Some(clicks) => tokio::select! {
                a = rx.recv() => Next::Alert(a.map(Box::new)),
                m = clicks.next() => Next::Click(m),
            },
            None => Next::Alert(rx.recv().await.map(Box::new)),
        };
        match next {
            Next::Alert(None) => return,
            Next::Alert(Some(alert)) => {
                if session.is_none() {
                    match connect(open_url.is_some()).await {
                        Ok(s) => {
                            said_unavailable = false;
                            session = Some(s);
                        }
                        Err(e) => {
                            if !said_unavailable {
                                tracing::warn!("alerts: desktop notifications skipped: {e}");
                                said_unavailable = true;
                            }
                            counters.failed(e);
                            continue;
                        }
                    }
                }
                let Some(s) = &session else { continue };
                match notify(s, &alert).await {
                    Ok(id) => {
                        if ours.len() == REMEMBERED_NOTIFICATIONS {
                            ours.pop_front();
                        }
                        ours.push_back(id);
                        counters.delivered();
                    }
                    Err(e) => {
                        tracing::warn!("alerts: desktop notification failed: {e}");
                        counters.failed(e);
                        // Connect afresh for the next one (the bus may have restarted).
                        session = None;
                    }
                }
            }
            Next::Click(None) => {
                if let Some(s) = &mut session {
                    s.actions = None;
                }
            }
            Next::Click(Some(msg)) => {
                let Ok((id, key)) = msg.body().deserialize::<(u32, String)>() else {
                    continue;
                };
                if let (Some(s), Some(url)) = (&session, &open_url)
                    && key == ACTION_OPEN
                    && ours.contains(&id)
                    && let Err(e) = open(&s.conn, url).await
                {
                    tracing::warn!("alerts: cannot open the control room: {e}");
                }
            }
        }
    }
}
