//! `kintsugi-snapshot`: makes the damage of an allowed command reversible.
//!
//! The flow is plan → capture → (command runs) → fingerprint → restore:
//!
//! - [`plan`] turns the classifier's [`Effect`]s into the paths, git work
//!   trees and git refs at stake (no second path predictor);
//! - [`preview`] sizes a plan for a human deciding on a held command;
//! - [`capture`] copies (or clones copy-on-write) what the plan names into a
//!   content-addressed [`Store`] and writes a [`SnapshotManifest`];
//! - [`fingerprint`] / [`fingerprint_snapshot`] record the state right after
//!   the command so a later [`restore`] can tell the command's damage from
//!   edits made since (conflicts);
//! - [`list`] and [`gc`] manage the store.
//!
//! **Invariants:** no async runtime, no daemon types; git is driven through
//! the `git` CLI with prompts disabled; restore never deletes a file it did
//! not capture and changes nothing when it finds a conflict (unless forced).

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod capture;
mod dest;
mod error;
mod fingerprint;
mod gc;
mod git;
mod git_restore;
pub mod glob;
mod manifest;
mod meta;
mod meter;
mod pins;
mod plan;
mod preview;
mod pseudo;
mod restore;
mod store;
mod walk;

pub use capture::{
    Budget, DEFAULT_MAX_BYTES, DEFAULT_MAX_FILES, DEFAULT_MAX_TIME, Progress, capture,
    capture_with_stop,
};
pub use error::{Result, SnapshotError};
pub use fingerprint::{FileState, Fingerprints, fingerprint, fingerprint_snapshot};
pub use gc::{GcReport, gc};
pub use git::GIT_TIMEOUT;
pub use kintsugi_classify::Effect;
pub use manifest::{
    CopyMethod, DirId, DirIdentity, Entry, EntryKind, LocalRef, RemoteRefRecord, Root, Skipped,
    SnapshotManifest, SnapshotSummary, StashRecord, Uncovered, WorkTreeRecord, list,
};
pub use meta::MAX_XATTR_BYTES;
pub use meter::COPY_CHUNK;
pub use pins::{MIRROR_MANIFEST_GRACE, MIRROR_SESSION};
pub use plan::{
    Plan, PlannedPath, PlannedRefs, PlannedRepo, WHOLE_SYSTEM_DIRS, WHOLE_SYSTEM_REASON, plan,
    reaches_whole_system,
};
pub use preview::{Preview, PreviewContext, PreviewItem, RemoteLoss, preview};
pub use pseudo::PSEUDO_FILESYSTEMS;
pub use restore::{Conflict, MAX_SKIPPED_SHOWN, RestoreOptions, RestoreReport, restore};
pub use store::{Store, StoreUsage};
