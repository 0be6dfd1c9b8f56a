//! Where restore writes, reached without being redirected. Every parent
//! directory is opened component by component with `O_NOFOLLOW` from `/`
//! (or from the `--to` directory), and every write then goes through that
//! open directory handle (`/proc/self/fd/N/name`), so no symlink and no
//! rename made after the walk can send a write elsewhere. Directories above
//! a snapshot's roots must be the very ones capture saw (same device and
//! inode, recorded in the manifest); a symlink is crossed only when it
//! leads to that same directory. Anything else is [`SnapshotError::Redirected`],
//! which `--force` does not override.

use crate::error::{Result, SnapshotError};
use crate::manifest::{DirId, SnapshotManifest};
use crate::pseudo;
use rustix::fs::{AtFlags, FileType, Mode, OFlags};
use rustix::io::Errno;
use std::collections::HashMap;
use std::ffi::{OsStr, OsString};
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::path::{Component, Path, PathBuf};

/// Where the snapshot's files go.
enum Base {
    /// Back where they were, checking each directory above the roots.
    InPlace {
        /// Directories above the roots and their identity at capture;
        /// `None` for manifests written before identities were recorded
        /// (then no ancestor may be a symlink).
        recorded: Option<HashMap<PathBuf, DirId>>,
    },
    /// Under a new directory, keeping the layout below `strip`.
    Relocated {
        dir: OwnedFd,
        to: PathBuf,
        strip: PathBuf,
    },
}

/// Resolves the snapshot's paths to directory handles that cannot be
/// redirected.
pub(crate) struct Dest {
    id: String,
    base: Base,
    /// The last parent resolved (entries come parents first, so
    /// consecutive ones usually share it).
    last: Option<(PathBuf, OwnedFd)>,
}

/// A parent directory held open and a name in it: the path to use for a
/// write, bound to the open directory.
pub(crate) struct Target {
    _dir: OwnedFd,
    /// `/proc/self/fd/N/<name>`.
    pub path: PathBuf,
    /// `/proc/self/fd/N`.
    pub parent: PathBuf,
    /// Where this is in plain words (for reports).
    pub shown: PathBuf,
}

/// Writes go through `/proc/self/fd`; without procfs they could not be
/// pinned to the checked directory, so restore refuses.
fn require_proc() -> Result<()> {
    if pseudo::of_path(Path::new("/proc/self/fd")) == Some("proc") {
        Ok(())
    } else {
        Err(SnapshotError::Io {
            action: "checking",
            path: "/proc/self/fd".into(),
            source: std::io::Error::other(
                "restore writes through open directory handles and needs /proc mounted",
            ),
        })
    }
}

fn dir_id(fd: impl AsFd) -> Option<DirId> {
    rustix::fs::fstat(fd).ok().map(|s| DirId {
        dev: s.st_dev,
        ino: s.st_ino,
    })
}

fn open_dir_nofollow(at: impl AsFd, name: &OsStr) -> rustix::io::Result<OwnedFd> {
    rustix::fs::openat(
        at,
        name,
        OFlags::PATH | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
        Mode::empty(),
    )
}

fn proc_path(fd: &OwnedFd) -> PathBuf {
    PathBuf::from(format!("/proc/self/fd/{}", fd.as_raw_fd()))
}

impl Dest {
    /// Back in place, checked against what `m` recorded.
    pub fn in_place(m: &SnapshotManifest) -> Result<Dest> {
        require_proc()?;
        let recorded = m.ancestors.as_ref().map(|list| {
            list.iter()
                .map(|a| (a.path.clone(), a.id))
                .collect::<HashMap<_, _>>()
        });
        Ok(Dest {
            id: m.id.clone(),
            base: Base::InPlace { recorded },
            last: None,
        })
    }

    /// Under `to` (created when missing; must be empty), keeping each
    /// path's layout below the deepest directory common to every root.
    pub fn relocated(m: &SnapshotManifest, to: &Path) -> Result<Dest> {
        require_proc()?;
        let bad = |why: &str| SnapshotError::Destination {
            path: to.to_path_buf(),
            why: why.to_string(),
        };
        if !to.is_absolute() {
            return Err(bad("it must be an absolute path"));
        }
        match std::fs::symlink_metadata(to) {
            Ok(md) if md.is_dir() => {
                let mut rd = std::fs::read_dir(to).map_err(|e| bad(&e.to_string()))?;
                if rd.next().is_some() {
                    return Err(bad("it is not empty; name a new or empty directory"));
                }
            }
            Ok(_) => return Err(bad("it exists and is not a directory")),
            Err(_) => std::fs::create_dir_all(to).map_err(|e| bad(&e.to_string()))?,
        }
        let dir = rustix::fs::open(
            to,
            OFlags::PATH | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map_err(|e| bad(&std::io::Error::from(e).to_string()))?;
        Ok(Dest {
            id: m.id.clone(),
            base: Base::Relocated {
                dir,
                to: to.to_path_buf(),
                strip: common_parent(m),
            },
            last: None,
        })
    }

    /// Where `original` is written: its parent held open (created when
    /// `create`), or `None` when the parent is missing and not created.
    pub fn target(&mut self, original: &Path, create: bool) -> Result<Option<Target>> {
        let (Some(parent), Some(name)) = (original.parent(), original.file_name()) else {
            return Err(self.redirected(original, "has no parent directory to write into"));
        };
        let shown = self.shown(original);
        let dir = match self.last.take() {
            Some((p, fd)) if p == parent => fd,
            _ => match self.walk(parent, create)? {
                Some(fd) => fd,
                None => return Ok(None),
            },
        };
        let parent_path = proc_path(&dir);
        let kept = dir.try_clone().map_err(|e| SnapshotError::Io {
            action: "opening",
            path: parent.to_path_buf(),
            source: e,
        })?;
        self.last = Some((parent.to_path_buf(), kept));
        Ok(Some(Target {
            path: parent_path.join(name),
            parent: parent_path,
            _dir: dir,
            shown,
        }))
    }

    /// The plain path a snapshot path is written to.
    pub fn shown(&self, original: &Path) -> PathBuf {
        match &self.base {
            Base::InPlace { .. } => original.to_path_buf(),
            Base::Relocated { to, strip, .. } => {
                to.join(original.strip_prefix(strip).unwrap_or(original))
            }
        }
    }

    /// Checks, without creating anything, that the directories above
    /// `root` are still the ones capture saw.
    pub fn check_above(&mut self, root: &Path) -> Result<()> {
        match root.parent() {
            Some(parent) => self.check_dir(parent),
            None => Ok(()),
        }
    }

    /// Checks, without creating anything, that `dir` and the directories
    /// above it are still the ones capture saw (a missing one is fine).
    pub fn check_dir(&mut self, dir: &Path) -> Result<()> {
        if matches!(self.base, Base::Relocated { .. }) {
            return Ok(());
        }
        self.walk(dir, false).map(|_| ())
    }

    fn redirected(&self, what: &Path, reason: &str) -> SnapshotError {
        SnapshotError::Redirected {
            id: self.id.clone(),
            what: what.to_path_buf(),
            reason: reason.to_string(),
        }
    }

    /// Opens `dir` one component at a time without following symlinks
    /// (except a recorded ancestor's, when it leads to the same directory).
    /// `None` when a component is missing and `create` is false.
    fn walk(&self, dir: &Path, create: bool) -> Result<Option<OwnedFd>> {
        let (mut cur, rel, mut at) = match &self.base {
            Base::InPlace { .. } => {
                let root = rustix::fs::open(
                    "/",
                    OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
                    Mode::empty(),
                )
                .map_err(|e| self.io("opening", Path::new("/"), e))?;
                (root, dir.to_path_buf(), PathBuf::from("/"))
            }
            Base::Relocated {
                dir: base, strip, ..
            } => {
                let rel = dir.strip_prefix(strip).unwrap_or(dir).to_path_buf();
                let fd = base.try_clone().map_err(|source| SnapshotError::Io {
                    action: "opening",
                    path: dir.to_path_buf(),
                    source,
                })?;
                (fd, rel, strip.clone())
            }
        };
        let names: Vec<OsString> = rel
            .components()
            .filter_map(|c| match c {
                Component::Normal(n) => Some(n.to_os_string()),
                _ => None,
            })
            .collect();
        for name in names {
            at.push(&name);
            let recorded = self.recorded(&at);
            cur = match open_dir_nofollow(&cur, &name) {
                Ok(fd) => {
                    if let Some(want) = recorded
                        && dir_id(&fd) != Some(want)
                    {
                        return Err(self.redirected(
                            &at,
                            "was replaced by another directory since the snapshot",
                        ));
                    }
                    fd
                }
                Err(Errno::NOENT) => {
                    if !create {
                        return Ok(None);
                    }
                    match rustix::fs::mkdirat(&cur, &name, Mode::from_raw_mode(0o777)) {
                        Ok(()) | Err(Errno::EXIST) => {}
                        Err(e) => return Err(self.io("creating directory", &at, e)),
                    }
                    // Opened without following: a symlink swapped in now fails.
                    open_dir_nofollow(&cur, &name).map_err(|e| self.io("opening", &at, e))?
                }
                Err(Errno::LOOP | Errno::NOTDIR) => {
                    self.through_link(&cur, &name, &at, recorded)?
                }
                Err(e) => return Err(self.io("opening", &at, e)),
            };
        }
        Ok(Some(cur))
    }

    /// A component that is a symlink or not a directory: allowed only when
    /// it is a symlink to the very directory recorded there at capture.
    fn through_link(
        &self,
        cur: &OwnedFd,
        name: &OsStr,
        at: &Path,
        recorded: Option<DirId>,
    ) -> Result<OwnedFd> {
        let st = rustix::fs::statat(cur, name, AtFlags::SYMLINK_NOFOLLOW)
            .map_err(|e| self.io("examining", at, e))?;
        if FileType::from_raw_mode(st.st_mode) != FileType::Symlink {
            return Err(self.redirected(at, "is no longer a directory"));
        }
        let Some(want) = recorded else {
            return Err(self.redirected(
                at,
                "is a symlink now (it was not one, or was not recorded, at capture)",
            ));
        };
        let fd = rustix::fs::openat(
            cur,
            name,
            OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map_err(|_| self.redirected(at, "is a symlink to somewhere that is not a directory"))?;
        if dir_id(&fd) != Some(want) {
            return Err(self.redirected(
                at,
                "is now a symlink to a different directory than at capture",
            ));
        }
        Ok(fd)
    }

    /// The identity recorded for `path`, if it is a directory above a root.
    fn recorded(&self, path: &Path) -> Option<DirId> {
        match &self.base {
            Base::InPlace {
                recorded: Some(map),
            } => map.get(path).copied(),
            _ => None,
        }
    }

    fn io(&self, action: &'static str, path: &Path, e: Errno) -> SnapshotError {
        SnapshotError::Io {
            action,
            path: path.to_path_buf(),
            source: e.into(),
        }
    }
}

/// The deepest directory above every root: `--to` keeps the layout below it.
fn common_parent(m: &SnapshotManifest) -> PathBuf {
    let mut parents = m
        .roots
        .iter()
        .map(|r| r.path.parent().unwrap_or(Path::new("/")).to_path_buf());
    let Some(mut common) = parents.next() else {
        return PathBuf::from("/");
    };
    for p in parents {
        while !p.starts_with(&common) {
            if !common.pop() {
                return PathBuf::from("/");
            }
        }
    }
    common
}
