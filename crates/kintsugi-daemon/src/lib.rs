//! The resident daemon: one process per user that serves the protocol on a
//! Unix socket, decides every proposed command, holds what needs a human, and
//! is the single writer of the ledger.
//!
//! Map (after tokio's mini-redis): `connection` frames a stream, `server`
//! accepts and shuts down, `requests/` answers one request (one file per
//! kind; the privileged kinds through `requests/privileged.rs`), `verdict`
//! makes the whole decision on a proposal in order, `engine` holds what its
//! rule steps consult, `writer` is the one ledger task (`events` builds its
//! events), `queue` keeps held commands, `auth` and `vault_guard` hold the
//! admin vault loaded at start-up.
//!
//! Architecture invariants: nothing here knows how a command was
//! intercepted (clients speak only `kintsugi-protocol`); the engine side
//! never imports `requests` (`tests/layers.rs`).
#![forbid(unsafe_code)]

mod alerts;
pub mod approval_pin;
pub mod approver;
mod auth;
/// The user's config, from its own crate (clients read it without the daemon).
use kintsugi_config as config;
mod connection;
mod covered_execs;
mod engine;
mod events;
mod guard_tree;
mod guarded;
pub mod human_proof;
mod integrity;
pub mod lease;
mod lease_stream;
mod load;
mod memory;
mod model;
#[cfg(feature = "llama")]
mod model_thread;
mod observed;
mod offline;
mod peer;
mod policy;
mod queue;
mod requests;
mod riding;
mod scorer;
pub mod script_files;
mod scrub;
mod server;
mod snapshots;
mod spool_drain;
mod state;
mod subscribe;
mod vault_guard;
mod verdict;
mod writer;

pub use alerts::{
    ALERT_COMMAND_CHARS, ALERT_PREVIEW_CHARS, DESKTOP_CALL_TIMEOUT, DESKTOP_QUEUE_LEN,
    WEBHOOK_ATTEMPTS, WEBHOOK_FIRST_BACKOFF, WEBHOOK_QUEUE_LEN,
};
pub use config::{
    AlertsConfig, Config, ConfigError, FailMode, Mode, ModelConfig, Rules, WebhookFormat,
};
pub use guarded::{EXEC_ALLOWANCE_WINDOW, MAX_EXEC_ALLOWANCES};
pub use load::{MAX_REFUSALS_IN_FLIGHT, SUBSCRIBER_WRITE_TIMEOUT};
pub use offline::{OfflineEngine, scrubbed};
pub use policy::{MAX_REPO_FILE_BYTES, Projects};
pub use queue::group_name;
pub use riding::{HOOK_REUSE_WINDOW, RUN_REUSE_WINDOW};
pub use scorer::facts as model_facts;
pub use scrub::MIN_SUBSTRING_SECRET;
pub use server::{DaemonError, run};
pub use state::Paths;
pub use verdict::Decided;
pub use writer::DEFER_WINDOW;

/// Files the daemon keeps in its data dir besides the ledger.
pub mod files {
    /// The pid file written at start and removed at a clean stop.
    pub const PID_FILE: &str = kintsugi_protocol::DAEMON_PID_FILE;
    /// Present while a daemon runs; found at start it means the previous run
    /// did not stop cleanly.
    pub const RUNNING_MARKER: &str = "daemon.running";
    /// Where `kintsugi start` sends the detached daemon's log.
    pub const LOG_FILE: &str = "daemon.log";
    /// Present while the kill switch is on, so a restart keeps it on.
    pub const PANIC_FILE: &str = "panic.on";
}
