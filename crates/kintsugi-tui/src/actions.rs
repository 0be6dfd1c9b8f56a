//! Carrying out what a key asked for, off the UI thread: approve, deny and
//! undo go to the daemon over the protocol; snapshots are listed from the
//! store and the ledger is verified from its files (both read-only). Each
//! result comes back to the app as an [`Update`].

use crate::app::{Action, Update};
use crate::feed::ask;
use kintsugi_ledger::{CHECKPOINTS_FILE, DB_FILE, PUBKEY_FILE, read_checkpoints, verify};
use kintsugi_protocol::{Request, Response};
use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;

/// Where the control room reaches the daemon and reads the data dir.
#[derive(Clone)]
pub struct Places {
    pub socket: PathBuf,
    pub data_dir: PathBuf,
}

fn note(r: Result<Response, String>, ok: impl FnOnce(Response) -> String) -> Update {
    Update::Note(match r {
        Ok(resp) => ok(resp),
        Err(e) => format!("the daemon refused: {e}"),
    })
}

fn verify_now(data_dir: &Path) -> String {
    let checkpoints = match read_checkpoints(&data_dir.join(CHECKPOINTS_FILE)) {
        Ok(c) => c,
        Err(e) => return format!("cannot read the checkpoints: {e}"),
    };
    let key = std::fs::read_to_string(data_dir.join(PUBKEY_FILE))
        .map(|k| k.trim().to_string())
        .unwrap_or_default();
    if key.is_empty() && !checkpoints.is_empty() {
        return format!(
            "checkpoints exist but {PUBKEY_FILE} cannot be read; run `kintsugi verify --pubkey`"
        );
    }
    match verify(&data_dir.join(DB_FILE), &checkpoints, &key, &mut |_, _| {}) {
        Ok(r) if r.intact() => format!(
            "INTACT: {} events, {} signed checkpoints (last matched at {})",
            r.events,
            r.checkpoints,
            r.last_checked_checkpoint
                .map(|s| s.to_string())
                .unwrap_or_else(|| "-".into())
        ),
        Ok(r) => format!(
            "TAMPERED: first bad sequence {}: {}",
            r.findings[0].seq, r.findings[0].what
        ),
        Err(e) => format!("could not verify: {e}"),
    }
}

/// Run `action` on a worker thread; its result arrives on `tx`.
pub fn perform(action: Action, places: &Places, tx: &Sender<Update>) {
    let places = places.clone();
    let tx = tx.clone();
    std::thread::spawn(move || {
        let socket = &places.socket;
        let update = match action {
            Action::Quit => return,
            Action::Approve { id } => note(
                ask(
                    socket,
                    &Request::Approve {
                        id: id.clone(),
                        remember: None,
                        nonce: None,
                        proof: None,
                        progress: None,
                        relayed_for: None,
                        pin: None,
                    },
                ),
                |_| format!("approved {id}: the waiting command may run now"),
            ),
            Action::Deny { id } => note(
                ask(
                    socket,
                    &Request::Deny {
                        id: id.clone(),
                        remember: None,
                    },
                ),
                |_| format!("denied {id}"),
            ),
            Action::Undo { id } => {
                let r = ask(
                    socket,
                    &Request::Undo {
                        id: Some(id),
                        session: None,
                        force: false,
                        to: None,
                    },
                );
                let update = note(r, |resp| match resp {
                    Response::Report { text } => text.lines().collect::<Vec<_>>().join(" · "),
                    other => format!("unexpected answer: {other:?}"),
                });
                let _ = tx.send(update);
                snapshots(&places.data_dir)
            }
            Action::Verify => Update::Verified(verify_now(&places.data_dir)),
            Action::RefreshSnapshots => snapshots(&places.data_dir),
            Action::RefreshStatus => match ask(socket, &Request::Status) {
                Ok(Response::Status(s)) => Update::Status(s),
                Ok(other) => Update::Note(format!("unexpected answer to status: {other:?}")),
                Err(e) => Update::Note(format!("no status: {e}")),
            },
        };
        let _ = tx.send(update);
    });
}

fn snapshots(data_dir: &Path) -> Update {
    match kintsugi_snapshot::Store::in_data_dir(data_dir) {
        Ok(store) => {
            let mut list = kintsugi_snapshot::list(&store);
            list.reverse();
            Update::Snapshots(list)
        }
        Err(e) => Update::Note(format!("cannot open the snapshot store: {e}")),
    }
}
