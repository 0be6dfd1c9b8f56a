//! The snapshot manifest: what was captured (files, directories, symlinks,
//! git refs and work trees), what was skipped and what undo cannot cover.
//! Stored as JSON at `snapshots/manifests/<id>.json`.

use crate::store::Store;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// One snapshot, as written to the store.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SnapshotManifest {
    /// `YYYYMMDDThhmmss-<6 hex>`, sortable by creation time.
    pub id: String,
    /// RFC 3339 creation time (UTC).
    pub created: String,
    /// Creation time as Unix seconds.
    pub created_unix: i64,
    /// Creation time as Unix nanoseconds (orders snapshots made in one millisecond).
    pub created_ns: u64,
    /// The command line this snapshot protects against.
    pub command: String,
    /// The command's working directory.
    pub cwd: PathBuf,
    /// The session (agent) that proposed the command.
    pub session: String,
    /// False when a budget stopped the capture or something could not be read.
    pub complete: bool,
    /// Every planned path and whether it existed at capture time.
    pub roots: Vec<Root>,
    /// Captured filesystem entries, parents before children.
    pub entries: Vec<Entry>,
    /// Special files (fifos, sockets, devices) that were not captured.
    pub skipped: Vec<Skipped>,
    /// What undo cannot bring back, and why.
    pub uncovered: Vec<Uncovered>,
    /// Remote refs recorded before a push.
    pub remote_refs: Vec<RemoteRefRecord>,
    /// Git repositories whose refs, index and stashes were recorded.
    pub work_trees: Vec<WorkTreeRecord>,
    /// Total size of captured file content.
    pub bytes: u64,
    /// Bytes this snapshot added to the store (after deduplication).
    pub new_bytes: u64,
    /// Files cloned copy-on-write.
    pub cloned: u64,
    /// Files copied byte by byte.
    pub copied: u64,
    /// Files already present in the store.
    pub deduplicated: u64,
    /// Identity of every directory above a root at capture time (absent in
    /// manifests written before it was recorded). Restore writes only
    /// through these same directories: one replaced, or swapped for a
    /// symlink to somewhere else, is a conflict `--force` does not override.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ancestors: Option<Vec<DirIdentity>>,
}

/// A directory's identity, as `stat` (following symlinks) saw it at capture.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub struct DirId {
    /// Device number.
    pub dev: u64,
    /// Inode number.
    pub ino: u64,
}

/// A directory above a captured root and its identity at capture time.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct DirIdentity {
    /// The absolute path, as the plan named it.
    pub path: PathBuf,
    /// What it was.
    #[serde(flatten)]
    pub id: DirId,
}

/// A path named by the plan.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Root {
    /// The absolute path.
    pub path: PathBuf,
    /// Whether it existed when captured (a missing path is not recreated or deleted).
    pub existed: bool,
    /// Whether everything under it was captured.
    pub recursive: bool,
}

/// A captured filesystem entry.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Entry {
    /// Absolute path.
    pub path: PathBuf,
    /// Permission bits (`st_mode & 0o7777`).
    pub mode: u32,
    /// Modification time, Unix seconds.
    pub mtime_sec: i64,
    /// Modification time, nanoseconds part.
    pub mtime_nsec: u32,
    /// What kind of entry and its content.
    pub kind: EntryKind,
    /// Owner (absent in manifests written before owners were kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<u32>,
    /// Group (absent in manifests written before owners were kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gid: Option<u32>,
    /// Extended attributes, name → hex value (absent in older manifests).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub xattrs: Option<std::collections::BTreeMap<String, String>>,
    /// Another name of the same file (a hard link) captured earlier in
    /// this snapshot; restore links them again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hardlink_of: Option<PathBuf>,
}

/// The kind of a captured entry.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EntryKind {
    /// A regular file whose content is the store object `hash`.
    File {
        /// BLAKE3 of the content, hex.
        hash: String,
        /// Size in bytes.
        size: u64,
        /// How the content reached the store.
        method: CopyMethod,
    },
    /// A directory.
    Dir,
    /// A symbolic link.
    Symlink {
        /// The link target, as stored in the link.
        target: PathBuf,
    },
}

/// How a file's content reached the store.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CopyMethod {
    /// Cloned copy-on-write (reflink): no data blocks written.
    Cloned,
    /// Copied byte by byte.
    Copied,
    /// An identical object was already stored.
    Deduplicated,
}

/// A special file that was not captured.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Skipped {
    /// The path.
    pub path: PathBuf,
    /// "fifo", "socket", "block device", "char device", or a
    /// pseudo-filesystem ("proc filesystem", "sysfs filesystem", …) that
    /// capture did not descend into.
    pub kind: String,
}

/// Something undo cannot bring back.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Uncovered {
    /// The path, ref or description.
    pub what: String,
    /// Why.
    pub reason: String,
}

/// A remote ref's value before a push.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RemoteRefRecord {
    /// The repository the push ran from.
    pub repo: PathBuf,
    /// The remote as named on the command line (name or URL).
    pub remote: String,
    /// The remote's URL when `remote` is a configured name.
    pub url: Option<String>,
    /// Full ref name on the remote (`refs/heads/main`).
    pub refname: String,
    /// Its value before the command; `None` when it did not exist.
    pub old: Option<String>,
    /// The local ref pinning `old` (`refs/kintsugi/<id>/remote/<n>`).
    pub pin: Option<String>,
}

/// A local ref and its value.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LocalRef {
    /// Full ref name.
    pub refname: String,
    /// Object id.
    pub sha: String,
}

/// A stash entry.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StashRecord {
    /// The stash commit.
    pub sha: String,
    /// Its reflog message.
    pub message: String,
}

/// A repository's state before a work-tree discard or history rewrite.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct WorkTreeRecord {
    /// The work tree's top level.
    pub repo: PathBuf,
    /// What the command does ("reset --hard", "stash clear", …).
    pub what: String,
    /// The branch HEAD pointed to (`refs/heads/x`), `None` when detached.
    pub head_ref: Option<String>,
    /// HEAD's commit, `None` in an empty repository.
    pub head: Option<String>,
    /// The tree written from the index (staged state), pinned.
    pub index_tree: Option<String>,
    /// Local branches and tags.
    pub refs: Vec<LocalRef>,
    /// Stash entries, newest first.
    pub stashes: Vec<StashRecord>,
}

/// One line of `kintsugi snapshots`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SnapshotSummary {
    /// Snapshot id.
    pub id: String,
    /// RFC 3339 creation time.
    pub created: String,
    /// The command line.
    pub command: String,
    /// Captured content size.
    pub bytes: u64,
    /// Number of captured files.
    pub files: u64,
    /// Whether the capture was complete.
    pub complete: bool,
    /// A short description of what it covers.
    pub covers: String,
}

impl std::fmt::Display for SnapshotSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}  {}  {} files, {}  {}  (covers {}{})",
            self.id,
            self.created.get(..19).unwrap_or(&self.created),
            crate::preview::thousands(self.files),
            crate::preview::human_bytes(self.bytes),
            self.command,
            self.covers,
            if self.complete { "" } else { "; incomplete" }
        )
    }
}

impl SnapshotManifest {
    /// Number of regular files captured.
    pub fn file_count(&self) -> u64 {
        self.entries
            .iter()
            .filter(|e| matches!(e.kind, EntryKind::File { .. }))
            .count() as u64
    }

    /// A short plain description of what this snapshot covers.
    pub fn covers(&self) -> String {
        let mut parts = Vec::new();
        let roots: Vec<_> = self.roots.iter().filter(|r| r.existed).collect();
        match roots.len() {
            0 => {}
            1 => parts.push(roots[0].path.display().to_string()),
            n => parts.push(format!("{n} paths")),
        }
        if !self.remote_refs.is_empty() {
            let n = self.remote_refs.len();
            parts.push(format!("{n} remote ref{}", if n == 1 { "" } else { "s" }));
        }
        for w in &self.work_trees {
            parts.push(format!("git {} in {}", w.what, w.repo.display()));
        }
        if parts.is_empty() {
            "nothing".into()
        } else {
            parts.join(", ")
        }
    }

    /// The summary shown by `kintsugi snapshots`.
    pub fn summary(&self) -> SnapshotSummary {
        SnapshotSummary {
            id: self.id.clone(),
            created: self.created.clone(),
            command: self.command.clone(),
            bytes: self.bytes,
            files: self.file_count(),
            complete: self.complete,
            covers: self.covers(),
        }
    }
}

/// Every snapshot in the store, oldest first. Unreadable manifests are left out.
pub fn list(store: &Store) -> Vec<SnapshotSummary> {
    load_all(store).iter().map(|m| m.summary()).collect()
}

/// Every readable manifest, oldest first.
pub(crate) fn load_all(store: &Store) -> Vec<SnapshotManifest> {
    let mut all: Vec<SnapshotManifest> = store
        .manifest_ids()
        .unwrap_or_default()
        .iter()
        .filter_map(|id| store.load_manifest(id).ok())
        .collect();
    all.sort_by(|a, b| (a.created_ns, &a.id).cmp(&(b.created_ns, &b.id)));
    all
}
