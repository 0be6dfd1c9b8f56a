//! Adding the inotify watches. A recursive watch of a tree fails as a whole
//! when any directory in it cannot be read; then each readable directory is
//! watched on its own (the unreadable ones are reported, as walking the tree
//! reports them), and directories created later under such a tree are
//! watched as they appear.

use super::mirror::ignored;
use anyhow::{Context, Result};
use notify::{RecommendedWatcher, RecursiveMode, Watcher};
use std::path::{Path, PathBuf};

/// The watcher and the trees watched directory by directory.
pub struct Watches {
    watcher: RecommendedWatcher,
    piecewise: Vec<PathBuf>,
}

impl Watches {
    pub fn new(watcher: RecommendedWatcher) -> Watches {
        Watches {
            watcher,
            piecewise: Vec::new(),
        }
    }

    /// Watch the tree `root`; directories that cannot be listed are added
    /// to `unreadable` as "path: why".
    pub fn add(&mut self, root: &Path, exclude: &Path, unreadable: &mut Vec<String>) -> Result<()> {
        match self.watcher.watch(root, RecursiveMode::Recursive) {
            Ok(()) => return Ok(()),
            Err(e) if permission_denied(&e) => {}
            Err(e) => return Err(e).with_context(|| format!("cannot watch {}", root.display())),
        }
        // The partial recursive watch stays; re-adding a watch is harmless.
        self.piecewise.push(root.to_path_buf());
        self.add_each(root, root, exclude, unreadable);
        Ok(())
    }

    /// A path was created: under a tree watched piece by piece, a new
    /// directory (and everything below it) gets its watches.
    pub fn created(&mut self, path: &Path, exclude: &Path, unreadable: &mut Vec<String>) {
        let Some(root) = self.piecewise.iter().find(|r| path.starts_with(r)).cloned() else {
            return;
        };
        if path.is_dir() {
            self.add_each(&root, path, exclude, unreadable);
        }
    }

    fn add_each(&mut self, root: &Path, top: &Path, exclude: &Path, unreadable: &mut Vec<String>) {
        let mut stack = vec![top.to_path_buf()];
        while let Some(dir) = stack.pop() {
            if dir.starts_with(exclude)
                || (dir != root && ignored(dir.strip_prefix(root).unwrap_or(&dir)))
            {
                continue;
            }
            match std::fs::read_dir(&dir) {
                Ok(rd) => {
                    let _ = self.watcher.watch(&dir, RecursiveMode::NonRecursive);
                    stack.extend(
                        rd.flatten()
                            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                            .map(|e| e.path()),
                    );
                }
                Err(e) => unreadable.push(format!("{}: {e}", dir.display())),
            }
        }
    }
}

fn permission_denied(e: &notify::Error) -> bool {
    match &e.kind {
        notify::ErrorKind::Io(io) => io.kind() == std::io::ErrorKind::PermissionDenied,
        _ => e.to_string().contains("ermission denied"),
    }
}
