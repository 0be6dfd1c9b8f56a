//! The event record: what an interceptor, the recorder, the watcher or the
//! daemon itself reports, and the stored form with its sequence number, time
//! and hashes.

use serde::{Deserialize, Serialize};

/// An event before the ledger numbers, times and hashes it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewEvent {
    /// What happened: `propose`, `record`, `observe`, `resolve`, `approve`,
    /// `deny`, `daemon`, `auth`, …
    pub kind: String,
    /// Origin, e.g. `shim`, `hook:claude`, `recorder`, `watcher`, `daemon`.
    pub agent: String,
    pub session: Option<String>,
    pub cwd: String,
    /// The verbatim command line (or path, for `observe`).
    pub raw: String,
    pub argv: Vec<String>,
    pub class: Option<String>,
    pub decision: Option<String>,
    pub rule: Option<String>,
    pub reason: Option<String>,
    pub summary: Option<String>,
    pub risk: Option<u8>,
    pub snapshot: Option<String>,
    pub pending: Option<String>,
    pub peer_pid: Option<u32>,
    pub peer_uid: Option<u32>,
    /// Free-form JSON detail (e.g. the client's command id and timestamp).
    pub detail: Option<String>,
}

/// A stored event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub seq: u64,
    /// Daemon-assigned RFC 3339 UTC time.
    pub ts: String,
    #[serde(flatten)]
    pub body: NewEvent,
    pub prev_hash: String,
    pub hash: String,
}
