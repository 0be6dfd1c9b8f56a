//! Landlock on the guarded tree: the agent may not write Kintsugi's own
//! files (data dir, config, shim folder) nor the cgroup file system, and may
//! not read the secrets (admin vault, checkpoint key, approval PIN hash).
//!
//! Landlock only grants: a ruleset names the rights it handles, and every
//! handled right is denied except beneath a folder or file a rule allows
//! it on. A right allowed on a folder is allowed on everything beneath it,
//! so "everything but the data dir" is built as: every sibling of each
//! folder on the way from `/` down to a protected path gets all rights, the
//! folders on the way get only what every protected path beneath them may
//! have (reading files, or nothing when a secret is beneath), and each
//! protected path gets its own cap. Symbolic links are skipped (their
//! targets are covered where they really are).
//!
//! The price, said in `kintsugi limits` and docs/GUARD.md: an entry created
//! *after* the agent started directly inside one of the folders on the way
//! (your home folder, `~/.local`, `~/.local/share`, `~/.config`, `/`) is not
//! covered by any sibling rule, so the agent can list it but not write it
//! (and not read it when a secret lies beneath that folder). Everything
//! that existed at start, and everything below it, is untouched.
//!
//! Execute, directory listing and device ioctls are not handled (always
//! allowed). ABI 2 (Linux 5.19) is required: with ABI 1 the kernel forbids
//! every rename across folders. Truncation is handled from ABI 3 on.

use crate::sys;
use std::os::fd::OwnedFd;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

const EXECUTE: u64 = 1 << 0;
const WRITE_FILE: u64 = 1 << 1;
const READ_FILE: u64 = 1 << 2;
const REMOVE_DIR: u64 = 1 << 4;
const REMOVE_FILE: u64 = 1 << 5;
const MAKE_CHAR: u64 = 1 << 6;
const MAKE_DIR: u64 = 1 << 7;
const MAKE_REG: u64 = 1 << 8;
const MAKE_SOCK: u64 = 1 << 9;
const MAKE_FIFO: u64 = 1 << 10;
const MAKE_BLOCK: u64 = 1 << 11;
const MAKE_SYM: u64 = 1 << 12;
const REFER: u64 = 1 << 13;
const TRUNCATE: u64 = 1 << 14;
/// Rights a rule on a non-directory may carry.
const FILE_RIGHTS: u64 = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE;

/// Most rules one ruleset gets (a folder on the way with a huge number of
/// entries makes Landlock unavailable rather than slow).
pub const MAX_RULES: usize = 20_000;

/// What the guarded tree may not do.
#[derive(Debug, Clone, Default)]
pub struct Protected {
    /// Folders and files it may read but not change, create in, remove or
    /// rename.
    pub no_write: Vec<PathBuf>,
    /// Files (or folders) it may neither read nor change.
    pub no_read: Vec<PathBuf>,
}

/// A ruleset ready to be applied to a child.
#[derive(Debug)]
pub struct Plan {
    ruleset: OwnedFd,
    /// The kernel's Landlock ABI version.
    pub abi: u32,
    /// How many rules it holds.
    pub rules: usize,
}

impl Plan {
    /// Have `cmd`'s child restrict itself (after `no_new_privs`) before it
    /// execs.
    pub fn apply(self, cmd: &mut Command) {
        sys::restrict_before_exec(cmd, self.ruleset);
    }
}

/// Why Landlock cannot be used here, in a plain sentence.
pub fn unavailable_reason(errno: i32) -> String {
    match errno {
        libc::ENOSYS => "this kernel was built without Landlock".into(),
        libc::EOPNOTSUPP => {
            "Landlock is built into this kernel but turned off (add `landlock` to the `lsm=` boot parameter)".into()
        }
        e => format!(
            "Landlock refused: {}",
            std::io::Error::from_raw_os_error(e)
        ),
    }
}

/// Build the ruleset for `protected`.
pub fn prepare(protected: &Protected) -> Result<Plan, String> {
    let abi = sys::landlock_abi().map_err(unavailable_reason)?;
    if abi < 2 {
        return Err(format!(
            "this kernel's Landlock ABI {abi} forbids every rename across folders; ABI 2 (Linux 5.19) or later is needed"
        ));
    }
    let mut handled = WRITE_FILE
        | READ_FILE
        | REMOVE_DIR
        | REMOVE_FILE
        | MAKE_CHAR
        | MAKE_DIR
        | MAKE_REG
        | MAKE_SOCK
        | MAKE_FIFO
        | MAKE_BLOCK
        | MAKE_SYM
        | REFER;
    if abi >= 3 {
        handled |= TRUNCATE;
    }
    let caps = caps(protected);
    let ruleset = sys::landlock_ruleset(handled)
        .map_err(|e| format!("could not create a Landlock ruleset: {e}"))?;
    let mut b = Builder {
        ruleset,
        handled,
        caps,
        rules: 0,
    };
    b.visit(Path::new("/"), handled)?;
    Ok(Plan {
        rules: b.rules,
        ruleset: b.ruleset,
        abi,
    })
}

/// Each protected path (resolved) with the rights it may keep.
fn caps(p: &Protected) -> Vec<(PathBuf, u64)> {
    let resolve = |path: &PathBuf| std::fs::canonicalize(path).unwrap_or_else(|_| path.clone());
    let mut out: Vec<(PathBuf, u64)> = p.no_write.iter().map(|x| (resolve(x), READ_FILE)).collect();
    out.extend(p.no_read.iter().map(|x| (resolve(x), 0)));
    out
}

struct Builder {
    ruleset: OwnedFd,
    handled: u64,
    caps: Vec<(PathBuf, u64)>,
    rules: usize,
}

impl Builder {
    /// The rights `path` may keep: `cap` (from above), lowered by its own
    /// protection and by every protection beneath it.
    fn rights_at(&self, path: &Path, cap: u64) -> u64 {
        self.caps
            .iter()
            .filter(|(p, _)| p.starts_with(path))
            .fold(cap, |r, (_, c)| r & c)
    }

    /// Is some protected path strictly beneath `path`?
    fn on_the_way(&self, path: &Path) -> bool {
        self.caps
            .iter()
            .any(|(p, _)| p != path && p.starts_with(path))
    }

    fn allow(&mut self, path: &Path, rights: u64, is_dir: bool) -> Result<(), String> {
        let kind = if is_dir { u64::MAX } else { FILE_RIGHTS };
        let rights = rights & self.handled & kind;
        if rights == 0 {
            return Ok(());
        }
        if self.rules >= MAX_RULES {
            return Err(format!(
                "more than {MAX_RULES} Landlock rules would be needed (a folder on the way to Kintsugi's files has too many entries)"
            ));
        }
        let Ok(file) = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_PATH | libc::O_NOFOLLOW | libc::O_CLOEXEC)
            .open(path)
        else {
            // Gone or unreachable: it simply gets no rights.
            return Ok(());
        };
        if sys::landlock_allow(&self.ruleset, &OwnedFd::from(file), rights).is_ok() {
            self.rules += 1;
        }
        Ok(())
    }

    /// `dir` is on the way to a protected path, with `cap` from above.
    fn visit(&mut self, dir: &Path, cap: u64) -> Result<(), String> {
        let own = self.rights_at(dir, cap);
        self.allow(dir, own, true)?;
        let own_cap = self
            .caps
            .iter()
            .filter(|(p, _)| p == dir)
            .fold(cap, |r, (_, c)| r & c);
        let Ok(entries) = std::fs::read_dir(dir) else {
            return Ok(());
        };
        for e in entries.flatten() {
            let path = e.path();
            let Ok(meta) = std::fs::symlink_metadata(&path) else {
                continue;
            };
            if meta.file_type().is_symlink() {
                continue;
            }
            if meta.is_dir() && self.on_the_way(&path) {
                self.visit(&path, own_cap)?;
            } else {
                let rights = self.rights_at(&path, own_cap);
                self.allow(&path, rights, meta.is_dir())?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_caps_of_folders_on_the_way_are_the_least_beneath_them() {
        let p = Protected {
            no_write: vec!["/x/data".into(), "/x/conf".into()],
            no_read: vec!["/x/data/vault.json".into()],
        };
        let b = Builder {
            ruleset: sys::landlock_ruleset(READ_FILE)
                .unwrap_or_else(|_| OwnedFd::from(std::fs::File::open("/dev/null").unwrap())),
            handled: u64::MAX,
            caps: p
                .no_write
                .iter()
                .map(|x| (x.clone(), READ_FILE))
                .chain(p.no_read.iter().map(|x| (x.clone(), 0)))
                .collect(),
            rules: 0,
        };
        let all = u64::MAX;
        assert_eq!(b.rights_at(Path::new("/"), all), 0, "a secret is beneath /");
        assert_eq!(b.rights_at(Path::new("/x/conf"), all), READ_FILE);
        assert_eq!(b.rights_at(Path::new("/x/data"), all), 0);
        assert_eq!(
            b.rights_at(Path::new("/x/data/ledger.db"), READ_FILE),
            READ_FILE
        );
        assert_eq!(b.rights_at(Path::new("/x/other"), all), all);
        assert!(b.on_the_way(Path::new("/x")));
        assert!(b.on_the_way(Path::new("/x/data")));
        assert!(!b.on_the_way(Path::new("/x/conf")));
        assert!(!b.on_the_way(Path::new("/x/data/vault.json")));
    }
}
