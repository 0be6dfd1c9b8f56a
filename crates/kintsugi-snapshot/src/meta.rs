//! Metadata kept beside content: owner (uid/gid), extended attributes
//! (POSIX ACLs and SELinux labels are xattrs too) and hard-link identity.
//! Capture reads them without following a final symlink; restore applies
//! them best effort: setting another user's ownership or a `security.` /
//! `trusted.` attribute needs privileges a normal user lacks, so what could
//! not be set is reported in the restore report, never fatal.

use crate::manifest::{Entry, EntryKind};
use std::collections::BTreeMap;
use std::fs::Metadata;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// Largest attribute list or value read (bigger ones are not captured).
pub const MAX_XATTR_BYTES: usize = 64 * 1024;

/// (uid, gid) of a file.
pub(crate) fn owner(m: &Metadata) -> (u32, u32) {
    (m.uid(), m.gid())
}

/// The identity a hard link shares with its other names, when it has any.
pub(crate) fn link_identity(m: &Metadata) -> Option<(u64, u64)> {
    (m.is_file() && m.nlink() > 1).then(|| (m.dev(), m.ino()))
}

/// Extended attributes of `path` (not following a final symlink), name →
/// hex value. A file system without xattr support yields none.
pub(crate) fn read_xattrs(path: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let Some(names) = grow(|buf| rustix::fs::llistxattr(path, buf)) else {
        return out;
    };
    for name in names.split(|&b| b == 0).filter(|n| !n.is_empty()) {
        let Ok(name) = std::str::from_utf8(name) else {
            continue;
        };
        if let Some(value) = grow(|buf| rustix::fs::lgetxattr(path, name, buf)) {
            out.insert(name.to_string(), hex::encode(value));
        }
    }
    out
}

/// Calls `read` with a buffer that grows while the kernel says it is too
/// small (ERANGE), up to [`MAX_XATTR_BYTES`].
fn grow(mut read: impl FnMut(&mut [u8]) -> rustix::io::Result<usize>) -> Option<Vec<u8>> {
    let mut size = 256;
    loop {
        let mut buf = vec![0u8; size];
        match read(&mut buf[..]) {
            Ok(n) => {
                buf.truncate(n);
                return Some(buf);
            }
            Err(rustix::io::Errno::RANGE) if size < MAX_XATTR_BYTES => size *= 4,
            Err(_) => return None,
        }
    }
}

/// Does `path` (with metadata `m`) differ from `e` in owner or xattrs?
/// Entries from manifests that predate these fields never differ.
pub(crate) fn differs(path: &Path, m: &Metadata, e: &Entry) -> bool {
    let owner_differs = e.uid.is_some_and(|u| u != m.uid()) || e.gid.is_some_and(|g| g != m.gid());
    let xattrs_differ = !matches!(e.kind, EntryKind::Symlink { .. })
        && e.xattrs.as_ref().is_some_and(|x| *x != read_xattrs(path));
    owner_differs || xattrs_differ
}

/// Sets `e`'s owner and xattrs on `path`; what could not be set, in words.
pub(crate) fn apply(path: &Path, e: &Entry) -> Vec<String> {
    let mut problems = Vec::new();
    if let Some(wanted) = &e.xattrs
        && !matches!(e.kind, EntryKind::Symlink { .. })
    {
        let current = read_xattrs(path);
        for (name, value) in wanted {
            if current.get(name) == Some(value) {
                continue;
            }
            let Ok(bytes) = hex::decode(value) else {
                problems.push(format!(
                    "xattr {name} of {}: unreadable in the manifest",
                    path.display()
                ));
                continue;
            };
            if let Err(err) =
                rustix::fs::lsetxattr(path, name.as_str(), &bytes, rustix::fs::XattrFlags::empty())
            {
                problems.push(format!("xattr {name} of {}: {err}", path.display()));
            }
        }
        for name in current.keys().filter(|n| !wanted.contains_key(*n)) {
            if let Err(err) = rustix::fs::lremovexattr(path, name.as_str()) {
                problems.push(format!(
                    "removing xattr {name} of {}: {err}",
                    path.display()
                ));
            }
        }
    }
    if e.uid.is_some() || e.gid.is_some() {
        let now = std::fs::symlink_metadata(path).ok();
        let same = now.as_ref().is_some_and(|m| {
            e.uid.is_none_or(|u| u == m.uid()) && e.gid.is_none_or(|g| g == m.gid())
        });
        if !same && let Err(err) = std::os::unix::fs::lchown(path, e.uid, e.gid) {
            problems.push(format!(
                "owner {}:{} of {}: {err}",
                e.uid.map_or("-".into(), |u| u.to_string()),
                e.gid.map_or("-".into(), |g| g.to_string()),
                path.display()
            ));
        }
    }
    problems
}
