//! What every connection task shares: config, paths, the ledger writer, the
//! queue, and the shutdown trigger.

use crate::config::Config;
use crate::queue::Queue;
use crate::server::Paths;
use crate::writer::WriterHandle;
use std::path::PathBuf;
use std::time::Instant;
use tokio::sync::watch;

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
    pub home: PathBuf,
    pub writer: WriterHandle,
    pub queue: Queue,
    pub started: Instant,
    pub stop: watch::Sender<StopReason>,
}

impl State {
    /// Ask the daemon to stop (first reason wins).
    pub fn request_stop(&self, reason: StopReason) {
        self.stop.send_if_modified(|cur| {
            if *cur == StopReason::Running {
                *cur = reason;
                true
            } else {
                false
            }
        });
    }
}
