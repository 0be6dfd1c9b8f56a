//! Extension for `kintsugi guard`: the lease under which a guard answers a
//! covered exec itself, and its report of the execs it so answered.
//!
//! A covered exec descends from an exec the daemon allowed (its
//! `exec.parent`). Under a granted lease a guard of the daemon's own build
//! runs the daemon's classification and policy match on such an exec; when
//! it is safe and no deny or hold rule matches (the user's, sent here, and
//! every `.kintsugi.toml` from the exec's cwd up, read by the guard), the
//! exec continues at once and the guard reports it afterwards (`execsran`).
//! Anything else is proposed as before.

use super::ProposedCommand;
use serde::{Deserialize, Serialize};

/// The daemon's terms for answering covered execs in the guard (the
/// `lease` response, streamed again whenever a term changes).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaseTerms {
    /// May a guard answer covered execs itself now? False while the kill
    /// switch is on or while a human's denial is remembered.
    pub granted: bool,
    /// Why not, when not granted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
    /// The daemon's build; a guard of another build must not use the lease.
    pub build: String,
    /// What `~` means to the daemon's classifier.
    pub home: String,
    /// The user's deny rules, matched as the daemon matches them.
    #[serde(default)]
    pub deny: Vec<String>,
    /// The user's hold rules, matched as the daemon matches them.
    #[serde(default)]
    pub hold: Vec<String>,
}

/// Most execs one `execsran` report may carry.
pub const MAX_RAN_EXECS: usize = 1024;

/// The `execsran` request's body: execs a guard answered under its lease.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RanExecs {
    /// Each exec as it would have been proposed (origin `exec`, its exec
    /// form naming the allowed parent).
    pub execs: Vec<ProposedCommand>,
}
