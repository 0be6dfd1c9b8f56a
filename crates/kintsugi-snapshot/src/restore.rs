//! Restore: brings a snapshot back. Everything is planned and checked for
//! conflicts first; on a conflict nothing changes unless forced. Files are
//! replaced atomically (temp file in the same directory, owner, xattrs, mode
//! and mtime set, rename; hard links linked again); directory metadata is
//! set last, deepest first. Files the snapshot did not capture are never
//! deleted. Restoring twice is a no-op. Every write goes through a parent
//! directory opened without following symlinks ([`crate::dest`]): when a
//! directory above a root is no longer the one captured, restore refuses
//! (even forced) and `--to DIR` restores under a new directory instead.

use crate::dest::{Dest, Target};
use crate::error::{Result, SnapshotError, io};
use crate::fingerprint::{FileState, Fingerprints, state_of};
use crate::git_restore;
use crate::manifest::{Entry, EntryKind, Skipped, SnapshotManifest, Uncovered};
use crate::meta;
use crate::store::{Store, hash_file, random_hex};
use crate::walk;
use serde::Serialize;
use std::collections::HashSet;
use std::fmt;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// How to restore.
#[derive(Debug, Clone, Default)]
pub struct RestoreOptions {
    /// Overwrite even where the state changed since the command ran.
    pub force: bool,
    /// The fingerprint taken when the command finished, if any.
    pub expected: Option<Fingerprints>,
    /// Restore under this directory instead of in place (it must be new or
    /// empty); the layout below the roots' common parent is kept. Git
    /// state is not restored this way.
    pub to: Option<PathBuf>,
}

/// Something that changed since the command ran.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conflict {
    /// The path or ref.
    pub what: String,
    /// What is different.
    pub reason: String,
    /// Cannot be forced (restoring would delete something not captured).
    pub blocking: bool,
}

impl fmt::Display for Conflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.what, self.reason)?;
        if self.blocking {
            write!(f, " (left as is even with --force)")?;
        }
        Ok(())
    }
}

/// What a restore did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RestoreReport {
    /// The snapshot id.
    pub id: String,
    /// Files and symlinks written back.
    pub restored: Vec<PathBuf>,
    /// Directories recreated.
    pub dirs_created: u64,
    /// Files written back by a copy-on-write clone (no data copied).
    pub cloned: u64,
    /// Entries whose mode or mtime was set back.
    pub metadata_fixed: u64,
    /// Git steps taken.
    pub git: Vec<String>,
    /// Entries already as in the snapshot.
    pub unchanged: u64,
    /// Conflicts overridden by `force`, and blocking ones left alone.
    pub conflicts: Vec<Conflict>,
    /// What this snapshot never covered.
    pub not_covered: Vec<Uncovered>,
    /// Paths that did not exist before the command and exist now (e.g. a
    /// move's destination): left in place, since restore never deletes.
    pub left_in_place: Vec<PathBuf>,
    /// Owners and xattrs that could not be set back (e.g. another user's
    /// ownership without privileges), in words.
    pub metadata_not_restored: Vec<String>,
    /// What capture did not read (special files, pseudo-filesystems).
    pub skipped_at_capture: Vec<Skipped>,
}

/// Most skipped-at-capture lines a report prints (the rest are counted).
pub const MAX_SKIPPED_SHOWN: usize = 20;

impl RestoreReport {
    /// True when everything was already as in the snapshot.
    pub fn nothing_to_do(&self) -> bool {
        self.restored.is_empty()
            && self.dirs_created == 0
            && self.metadata_fixed == 0
            && self.git.is_empty()
    }
}

impl fmt::Display for RestoreReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.nothing_to_do() {
            writeln!(
                f,
                "snapshot {}: already restored / nothing to do ({} entries match)",
                self.id, self.unchanged
            )?;
        } else {
            let git = match self.git.len() {
                0 => String::new(),
                1 => ", 1 git change undone".to_string(),
                n => format!(", {n} git changes undone"),
            };
            writeln!(
                f,
                "snapshot {}: restored {} files and links, recreated {} directories, fixed metadata of {}{git}, {} unchanged",
                self.id,
                self.restored.len(),
                self.dirs_created,
                self.metadata_fixed,
                self.unchanged
            )?;
        }
        for g in &self.git {
            writeln!(f, "git: {g}")?;
        }
        for c in &self.conflicts {
            writeln!(f, "conflict: {c}")?;
        }
        for p in &self.left_in_place {
            writeln!(
                f,
                "left in place: {} (created by the command; restore never deletes)",
                p.display()
            )?;
        }
        for u in &self.not_covered {
            writeln!(f, "not covered: {} ({})", u.what, u.reason)?;
        }
        for m in &self.metadata_not_restored {
            writeln!(f, "not restored: {m}")?;
        }
        for s in self.skipped_at_capture.iter().take(MAX_SKIPPED_SHOWN) {
            writeln!(f, "not captured: {} ({})", s.path.display(), s.kind)?;
        }
        if self.skipped_at_capture.len() > MAX_SKIPPED_SHOWN {
            writeln!(
                f,
                "not captured: {} more special files or pseudo-filesystems",
                self.skipped_at_capture.len() - MAX_SKIPPED_SHOWN
            )?;
        }
        Ok(())
    }
}

/// A planned filesystem step.
enum Step<'a> {
    Write(&'a Entry),
    CreateDir(&'a Entry),
    Meta(&'a Entry),
}

/// Restores snapshot `id` from `store`.
pub fn restore(store: &Store, id: &str, opts: RestoreOptions) -> Result<RestoreReport> {
    let _lock = store.lock_shared()?;
    let m = store.load_manifest(id)?;
    if let Some(to) = &opts.to {
        return restore_to(store, &m, to);
    }
    let mut dest = Dest::in_place(&m)?;
    // Before reading or writing anything: the directories above every root
    // are the ones captured (refused even when forced).
    for r in m.roots.iter().filter(|r| r.existed) {
        dest.check_above(&r.path)?;
    }
    // Git is run inside each recorded work tree: it must be the same one.
    for w in &m.work_trees {
        dest.check_dir(&w.repo)?;
    }
    let mut report = RestoreReport {
        id: m.id.clone(),
        not_covered: m.uncovered.clone(),
        skipped_at_capture: m.skipped.clone(),
        ..Default::default()
    };
    let mut conflicts = Vec::new();
    let captured: HashSet<PathBuf> = m.entries.iter().map(|e| e.path.clone()).collect();
    let git_actions = git_restore::plan_git(&m, &captured, opts.expected.as_ref(), &mut conflicts)?;
    let steps = plan_files(
        store,
        &m,
        opts.expected.as_ref(),
        &mut conflicts,
        &mut report,
    )?;
    if !conflicts.is_empty() && !opts.force {
        return Err(SnapshotError::Conflicts {
            id: m.id.clone(),
            conflicts,
        });
    }
    report.conflicts = conflicts;
    for a in &git_actions {
        report.git.push(git_restore::apply(a)?);
    }
    let mut created: HashSet<&Path> = HashSet::new();
    for s in &steps {
        match s {
            Step::CreateDir(e) => {
                create_dir(&mut dest, e)?;
                created.insert(&e.path);
                report.dirs_created += 1;
            }
            Step::Write(e) => {
                let t = write_entry(store, e, &mut dest, &mut report.metadata_not_restored)?;
                if t.1 {
                    report.cloned += 1;
                }
                report.restored.push(t.0);
            }
            Step::Meta(e) => {
                if let Some(t) = dest.target(&e.path, false)? {
                    set_meta(&t.path, e, &mut report.metadata_not_restored)?;
                    report.metadata_fixed += 1;
                }
            }
        }
    }
    fix_dirs(&m, &created, &mut report, &mut dest)?;
    report.left_in_place = m
        .roots
        .iter()
        .filter(|r| !r.existed && r.path.symlink_metadata().is_ok())
        .map(|r| r.path.clone())
        .collect();
    Ok(report)
}

/// `--to DIR`: every captured entry written fresh under `to`.
fn restore_to(store: &Store, m: &SnapshotManifest, to: &Path) -> Result<RestoreReport> {
    let mut dest = Dest::relocated(m, to)?;
    let mut report = RestoreReport {
        id: m.id.clone(),
        not_covered: m.uncovered.clone(),
        skipped_at_capture: m.skipped.clone(),
        ..Default::default()
    };
    if !m.work_trees.is_empty() || !m.remote_refs.is_empty() {
        report.not_covered.push(Uncovered {
            what: "git refs, index and stashes".into(),
            reason: "not restored by --to; an undo in place restores them".into(),
        });
    }
    let mut created: HashSet<&Path> = HashSet::new();
    for e in &m.entries {
        if matches!(e.kind, EntryKind::Dir) {
            create_dir(&mut dest, e)?;
            created.insert(&e.path);
            report.dirs_created += 1;
        } else {
            let (shown, cloned) =
                write_entry(store, e, &mut dest, &mut report.metadata_not_restored)?;
            report.cloned += u64::from(cloned);
            report.restored.push(shown);
        }
    }
    fix_dirs(m, &created, &mut report, &mut dest)?;
    Ok(report)
}

/// Creates the directory `e` (its missing parents too), through checked handles.
fn create_dir(dest: &mut Dest, e: &Entry) -> Result<()> {
    let t = created_target(dest, &e.path)?;
    match fs::create_dir(&t.path) {
        Ok(()) => Ok(()),
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {
            if fs::symlink_metadata(&t.path).is_ok_and(|m| m.is_dir()) {
                Ok(())
            } else {
                Err(io("creating directory", &t.shown)(err))
            }
        }
        Err(err) => Err(io("creating directory", &t.shown)(err)),
    }
}

/// The target for `path`, its missing parents created.
fn created_target(dest: &mut Dest, path: &Path) -> Result<Target> {
    dest.target(path, true)?.ok_or_else(|| {
        io("creating the parent of", path)(std::io::Error::other("it could not be created"))
    })
}

/// Compares each entry with today's state; plans writes and records conflicts.
fn plan_files<'a>(
    store: &Store,
    m: &'a SnapshotManifest,
    expected: Option<&Fingerprints>,
    conflicts: &mut Vec<Conflict>,
    report: &mut RestoreReport,
) -> Result<Vec<Step<'a>>> {
    let mut steps = Vec::new();
    let mut blocked: Vec<&Path> = Vec::new();
    for e in &m.entries {
        if blocked.iter().any(|b| e.path.starts_with(b)) {
            continue;
        }
        let cur = fs::symlink_metadata(&e.path).ok();
        let Some(meta) = cur else {
            steps.push(match e.kind {
                EntryKind::Dir => Step::CreateDir(e),
                _ => Step::Write(e),
            });
            continue;
        };
        let ft = meta.file_type();
        let same_meta = walk::mode(&meta) == e.mode
            && walk::mtime(&meta) == (e.mtime_sec, e.mtime_nsec)
            && !meta::differs(&e.path, &meta, e);
        // A hard link whose names were split apart is written (linked) again.
        let relinked = e.hardlink_of.as_ref().is_none_or(|first| {
            fs::symlink_metadata(first).is_ok_and(|f| {
                use std::os::unix::fs::MetadataExt;
                (f.dev(), f.ino()) == (meta.dev(), meta.ino())
            })
        });
        match &e.kind {
            EntryKind::Dir if ft.is_dir() => report.unchanged += 1, // metadata fixed at the end
            EntryKind::Dir => {
                blocking(
                    conflicts,
                    e,
                    "a file is where a directory was; it was not captured, so it is left as is",
                );
                blocked.push(&e.path);
            }
            _ if ft.is_dir() => {
                blocking(
                    conflicts,
                    e,
                    "a directory is where a file was; its contents were not captured, so it is left as is",
                );
                blocked.push(&e.path);
            }
            EntryKind::File { hash, size, .. } => {
                if !store.object_path(hash).exists() {
                    return Err(SnapshotError::MissingObject {
                        hash: hash.clone(),
                        path: e.path.clone(),
                    });
                }
                let same = ft.is_file()
                    && meta.len() == *size
                    && hash_file(&e.path).map(|(h, _)| &h == hash).unwrap_or(false);
                if same && same_meta && relinked {
                    report.unchanged += 1;
                } else if same && relinked {
                    steps.push(Step::Meta(e));
                } else {
                    changed(conflicts, e, expected);
                    steps.push(Step::Write(e));
                }
            }
            EntryKind::Symlink { target } => {
                let same = ft.is_symlink() && fs::read_link(&e.path).ok().as_ref() == Some(target);
                if same {
                    report.unchanged += 1;
                } else {
                    changed(conflicts, e, expected);
                    steps.push(Step::Write(e));
                }
            }
        }
    }
    Ok(steps)
}

fn blocking(conflicts: &mut Vec<Conflict>, e: &Entry, reason: &str) {
    conflicts.push(Conflict {
        what: e.path.display().to_string(),
        reason: reason.into(),
        blocking: true,
    });
}

/// Records a conflict unless the path is exactly as the command left it.
fn changed(conflicts: &mut Vec<Conflict>, e: &Entry, expected: Option<&Fingerprints>) {
    let reason = match expected.map(|x| x.files.get(&e.path)) {
        Some(Some(FileState::Missing)) => "created after the command ran",
        Some(Some(exp)) if *exp == state_of(&e.path) => return,
        Some(Some(_)) => "changed after the command ran",
        Some(None) => "not recorded when the command finished",
        None => "exists and differs from the snapshot (no fingerprint from command completion)",
    };
    conflicts.push(Conflict {
        what: e.path.display().to_string(),
        reason: reason.into(),
        blocking: false,
    });
}

/// Writes a file or symlink atomically: temp in the same (checked, open)
/// directory, then rename. Returns where it went and whether the content
/// was cloned copy-on-write.
fn write_entry(
    store: &Store,
    e: &Entry,
    dest: &mut Dest,
    problems: &mut Vec<String>,
) -> Result<(PathBuf, bool)> {
    // Another name of the same file, already in place: linked again below.
    let first = match &e.hardlink_of {
        Some(first) => dest.target(first, false)?,
        None => None,
    };
    let t = created_target(dest, &e.path)?;
    let name = e
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = t.parent.join(format!(".{name}.kintsugi-{}", random_hex(4)));
    let mut cloned = false;
    let result = (|| -> Result<()> {
        match &e.kind {
            EntryKind::File { hash, .. } => {
                let linked = first.as_ref().is_some_and(|first| {
                    hash_file(&first.path).is_ok_and(|(h, _)| &h == hash)
                        && fs::hard_link(&first.path, &tmp).is_ok()
                });
                if !linked {
                    cloned = store.materialize(hash, &tmp, &e.path)?;
                }
                // Owner first: chown clears set-id bits the mode may carry.
                problems.extend(meta::apply(&tmp, e));
                fs::set_permissions(&tmp, fs::Permissions::from_mode(e.mode))
                    .map_err(io("setting mode of", &t.shown))?;
            }
            EntryKind::Symlink { target } => {
                std::os::unix::fs::symlink(target, &tmp)
                    .map_err(io("creating symlink", &t.shown))?;
                problems.extend(meta::apply(&tmp, e));
            }
            EntryKind::Dir => return Ok(()),
        }
        walk::set_mtime(&tmp, e.mtime_sec, e.mtime_nsec)
            .map_err(io("setting mtime of", &t.shown))?;
        fs::rename(&tmp, &t.path).map_err(io("replacing", &t.shown))
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.map(|()| (t.shown, cloned))
}

/// Sets `e`'s owner, xattrs, mode and mtime on `path` (a checked target),
/// never following a symlink swapped in at the last step.
fn set_meta(path: &Path, e: &Entry, problems: &mut Vec<String>) -> Result<()> {
    let is_link = fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    if is_link != matches!(e.kind, EntryKind::Symlink { .. }) {
        problems.push(format!(
            "metadata of {}: it changed type while restoring",
            e.path.display()
        ));
        return Ok(());
    }
    problems.extend(meta::apply(path, e));
    if !is_link {
        fs::set_permissions(path, fs::Permissions::from_mode(e.mode))
            .map_err(io("setting mode of", &e.path))?;
    }
    walk::set_mtime(path, e.mtime_sec, e.mtime_nsec).map_err(io("setting mtime of", &e.path))
}

/// Sets directory modes and mtimes, deepest first, where they differ.
fn fix_dirs(
    m: &SnapshotManifest,
    created: &HashSet<&Path>,
    report: &mut RestoreReport,
    dest: &mut Dest,
) -> Result<()> {
    let mut dirs: Vec<&Entry> = m
        .entries
        .iter()
        .filter(|e| matches!(e.kind, EntryKind::Dir))
        .collect();
    dirs.sort_by_key(|e| std::cmp::Reverse(e.path.components().count()));
    let blocked: Vec<&str> = report
        .conflicts
        .iter()
        .filter(|c| c.blocking)
        .map(|c| c.what.as_str())
        .collect();
    for e in dirs {
        if blocked.iter().any(|b| e.path.starts_with(b)) {
            continue;
        }
        let Some(t) = dest.target(&e.path, false)? else {
            continue;
        };
        let Ok(meta) = fs::symlink_metadata(&t.path) else {
            continue;
        };
        if !meta.is_dir() {
            continue;
        }
        if walk::mode(&meta) != e.mode
            || walk::mtime(&meta) != (e.mtime_sec, e.mtime_nsec)
            || meta::differs(&t.path, &meta, e)
        {
            set_meta(&t.path, e, &mut report.metadata_not_restored)?;
            if !created.contains(e.path.as_path()) {
                report.metadata_fixed += 1;
                report.unchanged = report.unchanged.saturating_sub(1);
            }
        }
    }
    Ok(())
}
