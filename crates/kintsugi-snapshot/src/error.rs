//! The crate's error type: each variant says what failed and what to do.

use std::path::PathBuf;

/// Result alias for this crate.
pub type Result<T> = std::result::Result<T, SnapshotError>;

/// Everything that can go wrong while snapshotting or restoring.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// A filesystem operation failed.
    #[error(
        "{action} {path}: {source} (check that the path exists and is readable/writable by this user)"
    )]
    Io {
        /// What was being done ("reading", "creating", …).
        action: &'static str,
        /// The path involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// No manifest with this id exists in the store.
    #[error("no snapshot named {0}; run `kintsugi snapshots` to list the ones kept")]
    UnknownSnapshot(String),
    /// A manifest could not be read or written as JSON.
    #[error(
        "snapshot manifest {path} is unreadable: {source} (it may be truncated; other snapshots are unaffected)"
    )]
    Manifest {
        /// The manifest file.
        path: PathBuf,
        /// The JSON error.
        #[source]
        source: serde_json::Error,
    },
    /// An object the manifest refers to is missing or corrupt.
    #[error(
        "snapshot object {hash} for {path} is missing or damaged; this file cannot be restored from this snapshot"
    )]
    MissingObject {
        /// The BLAKE3 hash named by the manifest.
        hash: String,
        /// The file it was meant to restore.
        path: PathBuf,
    },
    /// A git command failed.
    #[error(
        "git {args} (in {dir}) failed: {stderr} (check the repository and remote are reachable)"
    )]
    Git {
        /// The arguments given to git.
        args: String,
        /// The directory it ran in.
        dir: PathBuf,
        /// What git printed on stderr.
        stderr: String,
    },
    /// Restore found state changed since the command; nothing was changed.
    #[error("restore of {id} stopped before changing anything: {} conflict(s), first: {}; inspect them, then rerun with --force to overwrite", conflicts.len(), conflicts.first().map(|c| c.to_string()).unwrap_or_default())]
    Conflicts {
        /// The snapshot id.
        id: String,
        /// Every conflict found.
        conflicts: Vec<crate::restore::Conflict>,
    },
    /// A directory on the way to what restore writes is not the one
    /// capture saw (replaced, or now a symlink elsewhere). Not overridable.
    #[error(
        "restore of {id} refused: {} {reason}, so writing there could land somewhere else (--force does not override this); nothing was written there. Restore to a new location instead: kintsugi undo {id} --to NEW_DIR", what.display()
    )]
    Redirected {
        /// The snapshot id.
        id: String,
        /// The directory that changed.
        what: PathBuf,
        /// How it changed.
        reason: String,
    },
    /// The `--to` directory cannot be used.
    #[error("cannot restore into {}: {why}", path.display())]
    Destination {
        /// The directory given.
        path: PathBuf,
        /// What is wrong with it.
        why: String,
    },
}

/// Wraps an `io::Error` with the action and path.
pub(crate) fn io(
    action: &'static str,
    path: impl Into<PathBuf>,
) -> impl FnOnce(std::io::Error) -> SnapshotError {
    let path = path.into();
    move |source| SnapshotError::Io {
        action,
        path,
        source,
    }
}
