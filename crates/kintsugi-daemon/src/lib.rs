//! The resident daemon: one process per user that serves the protocol on a
//! Unix socket, decides every proposed command, holds what needs a human, and
//! is the single writer of the ledger.
//!
//! Map (after tokio's mini-redis): `connection` frames a stream, `handle`
//! answers one request, `server` accepts and shuts down, `writer` is the one
//! ledger task, `decide` turns an analysis into a verdict, `queue` keeps held
//! commands, `auth` and `vault_guard` answer the privileged handshake against the
//! admin vault loaded at start-up.
//!
//! Architecture invariant: nothing here knows how a command was intercepted;
//! clients speak only `kintsugi-protocol`.
#![forbid(unsafe_code)]

mod alerts;
pub mod approval_pin;
pub mod approver;
mod auth;
/// The user's config, from its own crate (clients read it without the daemon).
use kintsugi_config as config;
mod connection;
mod decide;
mod guard_tree;
mod guarded;
mod handle;
mod human;
pub mod human_proof;
mod integrity;
mod load;
mod memory;
mod model;
#[cfg(feature = "llama")]
mod model_thread;
mod observed;
mod offline;
mod peer;
mod pin_ops;
mod policy;
mod queue;
mod relay;
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
mod vault_ops;
mod writer;

pub use alerts::{
    ALERT_COMMAND_CHARS, ALERT_PREVIEW_CHARS, DESKTOP_CALL_TIMEOUT, DESKTOP_QUEUE_LEN,
    WEBHOOK_ATTEMPTS, WEBHOOK_FIRST_BACKOFF, WEBHOOK_QUEUE_LEN,
};
pub use config::{
    AlertsConfig, Config, ConfigError, FailMode, Mode, ModelConfig, Rules, WebhookFormat,
};
pub use decide::Decided;
pub use guarded::{EXEC_ALLOWANCE_WINDOW, MAX_EXEC_ALLOWANCES};
pub use load::{MAX_REFUSALS_IN_FLIGHT, SUBSCRIBER_WRITE_TIMEOUT};
pub use offline::{OfflineEngine, scrubbed};
pub use policy::MAX_REPO_FILE_BYTES;
pub use queue::group_name;
pub use riding::{HOOK_REUSE_WINDOW, RUN_REUSE_WINDOW};
pub use scorer::facts as model_facts;
pub use scrub::MIN_SUBSTRING_SECRET;
pub use server::{DaemonError, Paths, run};

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
