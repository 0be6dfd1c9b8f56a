//! The live feed: a thread that subscribes to the daemon, loads recent
//! history from the ledger (read-only) and the current queue, then forwards
//! every streamed line to the UI as an [`Update`]. When the daemon goes
//! away it says so and reconnects once a second.
//!
//! Order matters: the subscription is acknowledged BEFORE history and queue
//! are read, so nothing committed in between is lost; duplicates are
//! harmless (the app keeps each sequence number once).

use crate::app::Update;
use kintsugi_ledger::{DB_FILE, Filter, open_read_only, query};
use kintsugi_ledger_wire::stored_event_record;
use kintsugi_protocol::{Client, EventRecord, Request, Response};
use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;
use std::time::Duration;

/// Events of history loaded when the feed (re)connects.
pub const HISTORY: usize = 2000;

/// The newest [`HISTORY`] events of the ledger in `data_dir`.
pub fn history(data_dir: &Path) -> Result<Vec<EventRecord>, String> {
    let conn = open_read_only(&data_dir.join(DB_FILE)).map_err(|e| e.to_string())?;
    let filter = Filter {
        limit: HISTORY,
        ..Default::default()
    };
    let events = query(&conn, &filter).map_err(|e| e.to_string())?;
    Ok(events.iter().map(stored_event_record).collect())
}

/// One request on a fresh connection; `error` answers become `Err`.
pub fn ask(socket: &Path, req: &Request) -> Result<Response, String> {
    let mut c = Client::connect(socket).map_err(|e| e.to_string())?;
    c.set_read_timeout(Some(Duration::from_secs(60)))
        .map_err(|e| e.to_string())?;
    match c.request(req).map_err(|e| e.to_string())? {
        Response::Error { message } => Err(message),
        other => Ok(other),
    }
}

/// Start the feed thread.
pub fn spawn(socket: PathBuf, tx: Sender<Update>) {
    let _ = std::thread::Builder::new()
        .name("kintsugi-tui-feed".into())
        .spawn(move || {
            loop {
                let why = match session(&socket, &tx) {
                    Ok(()) => return, // the UI has gone
                    Err(why) => why,
                };
                if tx.send(Update::Link(Some(why))).is_err() {
                    return;
                }
                std::thread::sleep(Duration::from_secs(1));
            }
        });
}

/// Load the current state: status, history, queue.
fn resync(socket: &Path, tx: &Sender<Update>) -> Result<(), String> {
    let data_dir = match ask(socket, &Request::Status)? {
        Response::Status(s) => {
            let dir = s.data_dir.clone().map(PathBuf::from);
            let _ = tx.send(Update::Status(s));
            dir.unwrap_or_else(kintsugi_protocol::data_dir)
        }
        _ => kintsugi_protocol::data_dir(),
    };
    match history(&data_dir) {
        Ok(h) => {
            let _ = tx.send(Update::History(h));
        }
        Err(e) => {
            let _ = tx.send(Update::Note(format!("cannot read the ledger history: {e}")));
        }
    }
    if let Response::PendingList { items } = ask(socket, &Request::ListPending)? {
        let _ = tx.send(Update::Pending(items));
    }
    Ok(())
}

/// Subscribe and forward until the stream ends (`Err`) or the UI is gone (`Ok`).
fn session(socket: &Path, tx: &Sender<Update>) -> Result<(), String> {
    let mut sub = Client::connect(socket).map_err(|e| e.to_string())?;
    match sub
        .request(&Request::Subscribe)
        .map_err(|e| e.to_string())?
    {
        Response::Ack => {}
        Response::Error { message } => {
            return Err(format!("the daemon refused the subscription: {message}"));
        }
        other => return Err(format!("the daemon answered `subscribe` with {other:?}")),
    }
    resync(socket, tx)?;
    if tx.send(Update::Link(None)).is_err() {
        return Ok(());
    }
    loop {
        let resp = sub
            .read_response()
            .map_err(|e| format!("the live feed stopped: {e}"))?;
        let update = match resp {
            Response::Event { event } => Update::Event(event),
            Response::Queue { change, item } => Update::Queue(change, item),
            Response::Lagged { missed } => {
                resync(socket, tx)?;
                Update::Lagged(missed)
            }
            _ => continue,
        };
        if tx.send(update).is_err() {
            return Ok(());
        }
    }
}
