//! Fingerprints: the state of paths and git refs right after a command
//! finished (size + mtime + BLAKE3 per file). Restore compares today's state
//! with them to tell the command's own damage from later edits.

use crate::error::Result;
use crate::store::{Store, hash_file};
use crate::walk;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The state of a set of paths and git refs at one moment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprints {
    /// Path → state.
    pub files: BTreeMap<PathBuf, FileState>,
    /// Git state key (`remote <repo> <remote> <ref>`, `local <repo> <ref>`,
    /// `head <repo>`, `index <repo>`) → value (`None`: absent).
    pub refs: BTreeMap<String, Option<String>>,
}

/// The state of one path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FileState {
    /// Nothing at this path.
    Missing,
    /// A regular file.
    File {
        /// Size in bytes.
        size: u64,
        /// Modification time, seconds.
        mtime_sec: i64,
        /// Modification time, nanoseconds.
        mtime_nsec: u32,
        /// BLAKE3 of the content, hex.
        hash: String,
    },
    /// A directory.
    Dir,
    /// A symbolic link.
    Symlink {
        /// Its target.
        target: PathBuf,
    },
    /// Something else (fifo, socket, device) or unreadable.
    Other,
}

/// The current state of one path (not following a final symlink).
pub(crate) fn state_of(p: &Path) -> FileState {
    let Ok(m) = p.symlink_metadata() else {
        return FileState::Missing;
    };
    let ft = m.file_type();
    if ft.is_dir() {
        FileState::Dir
    } else if ft.is_symlink() {
        match std::fs::read_link(p) {
            Ok(target) => FileState::Symlink { target },
            Err(_) => FileState::Other,
        }
    } else if ft.is_file() {
        let (mtime_sec, mtime_nsec) = walk::mtime(&m);
        match hash_file(p) {
            Ok((hash, size)) => FileState::File {
                size,
                mtime_sec,
                mtime_nsec,
                hash,
            },
            Err(_) => FileState::Other,
        }
    } else {
        FileState::Other
    }
}

/// Fingerprints `paths` and everything below them.
pub fn fingerprint(paths: &[PathBuf]) -> Fingerprints {
    let mut f = Fingerprints::default();
    let mut stack: Vec<PathBuf> = paths.to_vec();
    while let Some(p) = stack.pop() {
        let s = state_of(&p);
        if s == FileState::Dir
            && let Ok(rd) = std::fs::read_dir(&p)
        {
            stack.extend(rd.flatten().map(|e| e.path()));
        }
        f.files.insert(p, s);
    }
    f
}

/// Fingerprints exactly what snapshot `id` captured (each captured path and
/// each planned path, not recursively) and the git refs it recorded. Take it
/// right after the command finished and hand it to `restore`.
pub fn fingerprint_snapshot(store: &Store, id: &str) -> Result<Fingerprints> {
    let m = store.load_manifest(id)?;
    let mut f = Fingerprints::default();
    for p in m
        .entries
        .iter()
        .map(|e| &e.path)
        .chain(m.roots.iter().map(|r| &r.path))
    {
        if !f.files.contains_key(p) {
            f.files.insert(p.clone(), state_of(p));
        }
    }
    f.refs = crate::git_restore::current_git_state(&m);
    Ok(f)
}
