//! Capture: copies (or clones) everything a [`Plan`] names into the store
//! under budgets of bytes, files and time, and writes the manifest. What a
//! budget stops is listed precisely in `uncovered` (`complete: false`).
//! Budgets and the stop request are checked before each entry and inside
//! each file (per chunk). Special files are never opened and
//! pseudo-filesystems (by `statfs` magic) never read or descended into;
//! both are listed in `skipped`.

use crate::error::Result;
use crate::git;
use crate::manifest::{
    CopyMethod, DirId, DirIdentity, Entry, EntryKind, Root, Skipped, SnapshotManifest, Uncovered,
};
use crate::meta;
use crate::meter::{Meter, Over};
use crate::plan::Plan;
use crate::pseudo;
use crate::store::{Put, PutError, Store, new_id};
use crate::walk;
use std::collections::{BTreeMap, HashMap};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::Duration;

/// Default most bytes of file content one snapshot captures (1 GiB).
pub const DEFAULT_MAX_BYTES: u64 = 1 << 30;
/// Default most entries (files, directories, links) one snapshot captures.
pub const DEFAULT_MAX_FILES: u64 = 100_000;
/// Default longest one capture may take before it stops.
pub const DEFAULT_MAX_TIME: Duration = Duration::from_secs(10);
/// Progress is reported every this many entries.
const PROGRESS_EVERY: u64 = 256;

/// Per-snapshot limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Most bytes of file content (counted before deduplication).
    pub max_bytes: u64,
    /// Most entries.
    pub max_files: u64,
    /// Longest time.
    pub max_time: Duration,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            max_bytes: DEFAULT_MAX_BYTES,
            max_files: DEFAULT_MAX_FILES,
            max_time: DEFAULT_MAX_TIME,
        }
    }
}

/// Progress of a running capture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    /// Entries captured so far.
    pub entries: u64,
    /// Bytes of file content captured so far.
    pub bytes: u64,
    /// The path being captured.
    pub current: PathBuf,
    /// True on the last report.
    pub done: bool,
}

/// Captures what `plan` names into `store`, within `budget`.
pub fn capture(
    store: &Store,
    plan: &Plan,
    budget: &Budget,
    progress: &mut dyn FnMut(Progress),
) -> Result<SnapshotManifest> {
    capture_with_stop(store, plan, budget, &AtomicBool::new(false), progress)
}

/// [`capture`] that also ends (within one chunk of [`crate::COPY_CHUNK`]
/// bytes or one directory entry) once `stop` is set: what was not captured
/// yet is listed as uncovered and the manifest is still written.
pub fn capture_with_stop(
    store: &Store,
    plan: &Plan,
    budget: &Budget,
    stop: &AtomicBool,
    progress: &mut dyn FnMut(Progress),
) -> Result<SnapshotManifest> {
    let _lock = store.lock_shared()?;
    let mut meter = Meter::new(budget, stop);
    let now = time::OffsetDateTime::now_utc();
    let id = new_id(now);
    let mut m = SnapshotManifest {
        id: id.clone(),
        created: now
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        created_unix: now.unix_timestamp(),
        created_ns: u64::try_from(now.unix_timestamp_nanos()).unwrap_or(0),
        command: plan.command.clone(),
        cwd: plan.cwd.clone(),
        session: plan.session.clone(),
        complete: true,
        roots: Vec::new(),
        entries: Vec::new(),
        skipped: Vec::new(),
        uncovered: plan.uncovered.clone(),
        remote_refs: Vec::new(),
        work_trees: Vec::new(),
        bytes: 0,
        new_bytes: 0,
        cloned: 0,
        copied: 0,
        deduplicated: 0,
        ancestors: None,
    };

    let mut counter = 0;
    for r in &plan.refs {
        m.remote_refs.extend(git::record_remote_refs(
            &id,
            r,
            &mut counter,
            &mut m.uncovered,
        ));
    }
    let mut roots: Vec<(PathBuf, bool)> = plan
        .paths
        .iter()
        .map(|p| (p.path.clone(), p.recursive))
        .collect();
    // The directories whose identity is recorded start here: above each
    // planned path, and at the top of each work tree (git may delete and
    // recreate directories inside it, so those are only checked for symlinks).
    let mut anchors: Vec<PathBuf> = roots
        .iter()
        .filter_map(|(p, _)| p.parent().map(Path::to_path_buf))
        .collect();
    for r in &plan.repos {
        if let Some((rec, files)) = git::record_work_tree(&id, r, &mut m.uncovered) {
            anchors.push(rec.repo.clone());
            m.work_trees.push(rec);
            roots.extend(files.into_iter().map(|f| (f, false)));
        }
    }
    roots.sort();
    roots.dedup_by(|b, a| a.0 == b.0);
    // Drop roots already inside a recursive root.
    let recursive: Vec<PathBuf> = roots.iter().filter(|r| r.1).map(|r| r.0.clone()).collect();
    roots.retain(|(p, _)| !recursive.iter().any(|r| p != r && p.starts_with(r)));

    let mut stack: Vec<(PathBuf, bool)> = Vec::new();
    for (path, rec) in roots.iter().rev() {
        let existed = path.symlink_metadata().is_ok();
        m.roots.push(Root {
            path: path.clone(),
            existed,
            recursive: *rec,
        });
        if existed {
            stack.push((path.clone(), *rec));
        }
    }
    m.roots.reverse();
    m.ancestors = Some(record_ancestors(&anchors, &roots));

    // (device, inode) → first captured name, for files with hard links.
    let mut links: HashMap<(u64, u64), PathBuf> = Default::default();
    // Device → the pseudo-filesystem on it, if any (one statfs per mount).
    let mut pseudo_devs: HashMap<u64, Option<&'static str>> = Default::default();
    let store_root = store
        .root()
        .canonicalize()
        .unwrap_or_else(|_| store.root().to_path_buf());
    while let Some((path, rec)) = stack.pop() {
        // Never capture the store into itself (e.g. `rm -rf ~` with the data dir in home).
        if path.starts_with(&store_root) || path.starts_with(store.root()) {
            m.uncovered.push(Uncovered {
                what: path.display().to_string(),
                reason: "the snapshot store itself is not snapshotted".into(),
            });
            continue;
        }
        if let Err(over) = meter.check_entry() {
            stop_at(&mut m, &path, &mut stack, over);
            break;
        }
        let meta = match path.symlink_metadata() {
            Ok(meta) => meta,
            Err(e) => {
                m.complete = false;
                m.uncovered.push(Uncovered {
                    what: path.display().to_string(),
                    reason: format!("cannot read: {e}"),
                });
                continue;
            }
        };
        let ft = meta.file_type();
        if let Some(kind) = walk::special_kind(&ft) {
            m.skipped.push(Skipped {
                path: path.clone(),
                kind: kind.into(),
            });
            continue;
        }
        if !ft.is_symlink()
            && let Some(fs) = *pseudo_devs
                .entry(meta.dev())
                .or_insert_with(|| pseudo::of_path(&path))
        {
            m.skipped.push(Skipped {
                path: path.clone(),
                kind: format!("{fs} filesystem"),
            });
            continue;
        }
        if meta.is_file()
            && let Err(over) = meter.check_bytes(meta.len())
        {
            stop_at(&mut m, &path, &mut stack, over);
            break;
        }
        let (mtime_sec, mtime_nsec) = walk::mtime(&meta);
        let mode = walk::mode(&meta);
        let kind = if ft.is_dir() {
            if rec {
                match list_dir(&path, &meter) {
                    Ok(names) => {
                        for n in names.into_iter().rev() {
                            stack.push((path.join(n), true));
                        }
                    }
                    Err(Listing::Over(over)) => {
                        stop_at(&mut m, &path, &mut stack, over);
                        break;
                    }
                    Err(Listing::Failed(e)) => {
                        m.complete = false;
                        m.uncovered.push(Uncovered {
                            what: path.display().to_string(),
                            reason: format!("cannot list its contents: {e}"),
                        });
                    }
                }
            }
            EntryKind::Dir
        } else if ft.is_symlink() {
            match std::fs::read_link(&path) {
                Ok(target) => EntryKind::Symlink { target },
                Err(e) => {
                    m.complete = false;
                    m.uncovered.push(Uncovered {
                        what: path.display().to_string(),
                        reason: format!("cannot read link: {e}"),
                    });
                    continue;
                }
            }
        } else {
            match store.put_file(&path, &meter) {
                Ok(Put::Stored(s)) => {
                    m.bytes += s.size;
                    meter.bytes = m.bytes;
                    m.new_bytes += s.new_bytes;
                    match s.method {
                        CopyMethod::Cloned => m.cloned += 1,
                        CopyMethod::Copied => m.copied += 1,
                        CopyMethod::Deduplicated => m.deduplicated += 1,
                    }
                    EntryKind::File {
                        hash: s.hash,
                        size: s.size,
                        method: s.method,
                    }
                }
                Ok(Put::Skipped(kind)) => {
                    m.skipped.push(Skipped {
                        path: path.clone(),
                        kind,
                    });
                    continue;
                }
                Err(PutError::Over(over)) => {
                    stop_at(&mut m, &path, &mut stack, over);
                    break;
                }
                Err(PutError::Failed(e)) => {
                    m.complete = false;
                    m.uncovered.push(Uncovered {
                        what: path.display().to_string(),
                        reason: e.to_string(),
                    });
                    continue;
                }
            }
        };
        let hardlink_of = meta::link_identity(&meta).and_then(|id| match links.get(&id) {
            Some(first) => Some(first.clone()),
            None => {
                links.insert(id, path.clone());
                None
            }
        });
        let (uid, gid) = meta::owner(&meta);
        m.entries.push(Entry {
            path: path.clone(),
            mode,
            mtime_sec,
            mtime_nsec,
            xattrs: Some(meta::read_xattrs(&path)),
            kind,
            uid: Some(uid),
            gid: Some(gid),
            hardlink_of,
        });
        meter.entries += 1;
        if meter.entries.is_multiple_of(PROGRESS_EVERY) {
            progress(Progress {
                entries: meter.entries,
                bytes: m.bytes,
                current: path,
                done: false,
            });
        }
    }
    m.complete = m.complete && m.uncovered.is_empty();
    store.save_manifest(&m)?;
    progress(Progress {
        entries: meter.entries,
        bytes: m.bytes,
        current: PathBuf::new(),
        done: true,
    });
    Ok(m)
}

/// Lists `path` as uncovered with the reason, and everything still queued.
fn stop_at(m: &mut SnapshotManifest, path: &Path, stack: &mut Vec<(PathBuf, bool)>, over: Over) {
    m.complete = false;
    m.uncovered.push(Uncovered {
        what: path.display().to_string(),
        reason: over.0.clone(),
    });
    for (p, _) in stack.drain(..).rev() {
        m.uncovered.push(Uncovered {
            what: p.display().to_string(),
            reason: over.0.clone(),
        });
    }
}

/// The identity of each anchor and every directory above it (as the paths
/// resolve now), so restore can tell if one was replaced since. A directory
/// that is itself a root, or inside one, is left out: the command may
/// delete it and restore recreate it.
fn record_ancestors(anchors: &[PathBuf], roots: &[(PathBuf, bool)]) -> Vec<DirIdentity> {
    let mut out: BTreeMap<PathBuf, DirId> = BTreeMap::new();
    for anchor in anchors {
        for a in anchor.ancestors() {
            if a.as_os_str().is_empty()
                || out.contains_key(a)
                || roots.iter().any(|(r, _)| a.starts_with(r))
            {
                continue;
            }
            if let Ok(md) = std::fs::metadata(a)
                && md.is_dir()
            {
                let id = DirId {
                    dev: md.dev(),
                    ino: md.ino(),
                };
                out.insert(a.to_path_buf(), id);
            }
        }
    }
    out.into_iter()
        .map(|(path, id)| DirIdentity { path, id })
        .collect()
}

enum Listing {
    Over(Over),
    Failed(std::io::Error),
}

/// A directory's entry names, sorted; the budget is checked while listing
/// (a directory with millions of entries stops at the file budget).
fn list_dir(path: &Path, meter: &Meter) -> std::result::Result<Vec<std::ffi::OsString>, Listing> {
    let mut names = Vec::new();
    for e in std::fs::read_dir(path).map_err(Listing::Failed)? {
        let Ok(e) = e else { continue };
        names.push(e.file_name());
        if names.len() % 1024 == 0 {
            meter.check_time().map_err(Listing::Over)?;
            // More names than the file budget has room for: the entry
            // check stops the capture at the budget anyway.
            if meter.entries + names.len() as u64 > meter.max_files() {
                break;
            }
        }
    }
    names.sort();
    Ok(names)
}
