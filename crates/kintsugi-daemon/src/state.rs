//! What every connection task shares: config, paths, the decision engine,
//! the ledger writer, the queue, and the shutdown trigger.

use crate::config::Config;
use crate::engine::Engine;
use crate::files::PANIC_FILE;
use crate::queue::Queue;
use crate::writer::WriterHandle;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::Ordering;
use std::time::Instant;
use tokio::sync::watch;

/// Where the daemon keeps its state and listens.
#[derive(Debug, Clone)]
pub struct Paths {
    pub data_dir: PathBuf,
    pub socket: PathBuf,
    pub config: PathBuf,
}

/// Why the daemon is stopping (recorded in the ledger).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StopReason {
    Running,
    Requested { pid: Option<u32> },
    Signal(&'static str),
}

/// Shared daemon state.
pub struct State {
    pub config: Config,
    pub paths: Paths,
    pub engine: Engine,
    pub writer: WriterHandle,
    pub queue: Queue,
    /// Connection classes and budgets (`load.rs`).
    pub load: std::sync::Arc<crate::load::Admission>,
    /// What approved lines may still run without asking again.
    pub grants: crate::riding::Grants,
    /// Exec proposals from `kintsugi guard`, for the inheritance rule.
    pub execs: crate::guarded::ExecAllowances,
    pub snapshots: crate::snapshots::Snapshots,
    pub started: Instant,
    pub stop: watch::Sender<StopReason>,
    /// The admin vault as loaded at start-up, challenges and lockout.
    pub admin: crate::vault_guard::Guard,
    /// The approval PIN as loaded at start-up, and its lockout.
    pub pin: crate::approval_pin::PinGuard,
    /// Repo policy files already reported as trying to loosen, with what they tried.
    pub warnings: Mutex<BTreeSet<String>>,
    /// Degraded-watch notes from the watcher, oldest first.
    pub degraded: Mutex<Vec<String>>,
    /// What recently allowed or recorded commands touch (explains watched changes).
    pub recent: crate::observed::Recent,
    /// The fleet shipper, when `[fleet]` is configured (taken at stop).
    pub fleet: Mutex<Option<kintsugi_fleet::ShipperHandle>>,
    /// Desktop/webhook alert channels, when `[alerts]` enables any.
    pub alerts: Option<crate::alerts::Alerts>,
    /// Bumped whenever a term of the guard's lease may have changed (the
    /// kill switch, a remembered decision): `lease_stream.rs` watches it.
    pub lease: watch::Sender<u64>,
}

impl State {
    /// Ask the daemon to stop (first reason wins).
    pub fn request_stop(&self, reason: StopReason) {
        // A capture in progress must not hold the stop up (it ends within
        // one chunk and lists the rest as uncovered).
        self.snapshots.stop();
        self.stop.send_if_modified(|cur| {
            if *cur == StopReason::Running {
                *cur = reason;
                true
            } else {
                false
            }
        });
    }

    /// Turn the kill switch on or off, persisting it so a restart keeps it.
    pub fn set_panic(&self, on: bool) -> std::io::Result<()> {
        let file: PathBuf = self.paths.data_dir.join(PANIC_FILE);
        if on {
            std::fs::write(&file, crate::events::now())?;
        } else if file.exists() {
            std::fs::remove_file(&file)?;
        }
        self.engine.panic.store(on, Ordering::SeqCst);
        self.lease_terms_changed();
        Ok(())
    }

    /// Tell the guards' lease streams to send the terms again.
    pub fn lease_terms_changed(&self) {
        self.lease.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Remember that the watcher reported a degraded watch (newest
    /// [`crate::observed::MAX_DEGRADED_NOTES`] kept; shown by `status`).
    pub fn note_degraded(&self, note: String) {
        if let Ok(mut d) = self.degraded.lock() {
            if d.len() == crate::observed::MAX_DEGRADED_NOTES {
                d.remove(0);
            }
            d.push(format!("{} {note}", kintsugi_protocol::now_rfc3339()));
        }
    }

    /// Remember a warning; true when it is new (so it gets recorded once).
    pub fn warn_once(&self, text: String) -> bool {
        self.warnings
            .lock()
            .map(|mut w| w.insert(text))
            .unwrap_or(false)
    }
}
