//! Small filesystem helpers shared by capture, restore and fingerprinting:
//! modification times (including on symlinks), modes and special files.

use std::fs::{FileType, Metadata};
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::Path;

/// (seconds, nanoseconds) of a file's modification time.
pub(crate) fn mtime(m: &Metadata) -> (i64, u32) {
    (m.mtime(), m.mtime_nsec() as u32)
}

/// Permission bits.
pub(crate) fn mode(m: &Metadata) -> u32 {
    m.mode() & 0o7777
}

/// Sets a path's modification time without following a final symlink;
/// the access time is left alone.
pub(crate) fn set_mtime(path: &Path, sec: i64, nsec: u32) -> std::io::Result<()> {
    use rustix::fs::{AtFlags, CWD, Timestamps, UTIME_OMIT, utimensat};
    let ts = Timestamps {
        last_access: rustix::fs::Timespec {
            tv_sec: 0,
            tv_nsec: UTIME_OMIT,
        },
        last_modification: rustix::fs::Timespec {
            tv_sec: sec,
            tv_nsec: nsec.into(),
        },
    };
    utimensat(CWD, path, &ts, AtFlags::SYMLINK_NOFOLLOW).map_err(Into::into)
}

/// Names a special file type, or `None` for files, directories and symlinks.
pub(crate) fn special_kind(ft: &FileType) -> Option<&'static str> {
    if ft.is_fifo() {
        Some("fifo")
    } else if ft.is_socket() {
        Some("socket")
    } else if ft.is_block_device() {
        Some("block device")
    } else if ft.is_char_device() {
        Some("char device")
    } else {
        None
    }
}
