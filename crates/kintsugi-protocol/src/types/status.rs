//! The status answer and what it carries (checkpoints, guards, alerts,
//! fleet), and the admin vault's KDF parameters a challenge names.

use serde::{Deserialize, Serialize};

/// Argon2id parameters of the admin vault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    pub alg: String,
    pub m_cost: u32,
    pub t_cost: u32,
    pub p_cost: u32,
}

/// A signed checkpoint as `status` reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckpointInfo {
    pub seq: u64,
    pub head: String,
    pub time: String,
}

/// Runtime status. Only `scorer` is required by v1; the rest are additions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusInfo {
    pub scorer: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pid: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uptime_secs: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub socket: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ledger_len: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ledger_head: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_checkpoint: Option<CheckpointInfo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// Extension: the kill switch is on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub panic: Option<bool>,
    /// Extension: things the user should know (e.g. ignored repo policy).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warnings: Option<Vec<String>>,
    /// Extension: the admin vault as the daemon holds it: `unlocked`,
    /// `locked`, or `degraded: <why>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin: Option<String>,
    /// Extension: the local model scorer: what is loaded (file, size, load
    /// time, limits) or why none is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Extension: shipping to the central fleet database, when configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fleet: Option<FleetStatus>,
    /// Extension: request connections being served now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connections: Option<u64>,
    /// Extension: `subscribe` streams being served now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscribers: Option<u64>,
    /// Extension: connections turned away as busy since the daemon started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refused_busy: Option<u64>,
    /// Extension: the approval PIN: `set`, `unset`, or `lost: <why>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval_pin: Option<String>,
    /// Extension: seconds an unanswered hold waits before it expires
    /// (`pending_ttl_secs`), so a client can show each hold's time left.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_ttl_secs: Option<u64>,
    /// Extension: the live `kintsugi guard` processes and the layer that
    /// protects each guarded agent (`exec` or `shims`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guards: Option<Vec<GuardInfo>>,
    /// Extension: desktop notification and webhook delivery, when `[alerts]`
    /// configures any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alerts: Option<Box<AlertsStatus>>,
}

/// Extension of `status`: one live `kintsugi guard` (also the note it keeps
/// in `<data dir>/guards/`, see `guards.rs`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuardInfo {
    pub guard_pid: u32,
    /// The guarded agent's pid (0 when not known).
    #[serde(default)]
    pub agent_pid: u32,
    pub agent: String,
    pub session: String,
    /// `exec` (the seccomp supervisor judges every exec) or `shims` (PATH
    /// shims only: absolute paths are not seen).
    pub layer: String,
    /// The guard's start (boot clock ticks): a reused pid is not the guard.
    #[serde(default)]
    pub guard_start: u64,
    /// The guard adopts its tree's orphans (a child subreaper).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub subreaper: bool,
    /// What Landlock does for the tree, or why it is unavailable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub landlock: Option<String>,
}

/// Extension of `status`: where each configured alert channel stands.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertsStatus {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desktop: Option<AlertSink>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook: Option<AlertSink>,
}

/// One alert channel's counters since the daemon started.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertSink {
    /// What it sends to (`session bus`, or the webhook's `scheme://host`
    /// and format; never the path, which may hold a token).
    pub target: String,
    pub delivered: u64,
    /// Alerts given up on after every attempt failed.
    pub failed: u64,
    /// Alerts dropped because the channel's queue was full.
    pub dropped: u64,
    /// When an alert was last delivered (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_delivery: Option<String>,
    /// The last error, until the next delivery.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
}

/// Extension of `status`: where shipping to the central database stands.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FleetStatus {
    /// This host's id in the central store.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_id: Option<String>,
    /// Every event up to this sequence number is in the central store.
    pub shipped_seq: u64,
    /// Events committed locally and not yet shipped.
    pub backlog: u64,
    /// Age in seconds of the oldest unshipped event (absent when none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backlog_age_secs: Option<u64>,
    pub connected: bool,
    /// When a shipping pass last succeeded (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_ok: Option<String>,
    /// The last error, until the next successful pass.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// The central store has another key registered for this host.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub key_changed: bool,
}
