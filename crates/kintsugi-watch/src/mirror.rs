//! The watcher's mirror: the last-seen content of every watched file, kept
//! in the content-addressed snapshot store, plus a journal of what each
//! observed change replaced, so `kintsugi undo --observed PATH` can restore
//! a file or tree deleted or clobbered behind Kintsugi's back.
//!
//! Files: `<data dir>/watch/journal.jsonl` (one line per changed file: path,
//! change, when, and the store object that held its content before),
//! objects in the snapshot store, kept alive by the pin set
//! [`PIN_SET`] (every object the index or a journal line within the
//! retention age needs), so snapshot GC never removes them. Directories
//! named in [`IGNORED`] are neither mirrored nor reported.

use anyhow::{Context, Result};
use kintsugi_snapshot::{Budget, EntryKind, Plan, PlannedPath, Store};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Directory names never mirrored or reported.
pub const IGNORED: &[&str] = &["target", "node_modules", ".git"];
const JOURNAL: &str = "journal.jsonl";
pub use kintsugi_snapshot::MIRROR_SESSION;
/// The index's hash for a file that is watched but not mirrored (git
/// ignores it).
pub const NOT_MIRRORED: &str = "";
/// The store pin set that keeps the mirror's objects.
pub const PIN_SET: &str = "watch-mirror";

/// One journal line: `path` changed; before, its content was `hash`.
#[derive(Debug, Serialize, Deserialize)]
pub struct Replaced {
    pub path: PathBuf,
    pub change: String,
    pub hash: String,
    pub mode: u32,
    /// When the change was seen (Unix seconds); older lines than the
    /// retention age are dropped when the watcher starts.
    #[serde(default)]
    pub at: Option<i64>,
}

/// Last-seen content of the watched trees.
pub struct Mirror {
    store: Store,
    dir: PathBuf,
    /// path → (object hash, permission bits); ordered, so everything under
    /// a directory is one range.
    pub index: BTreeMap<PathBuf, (String, u32)>,
    /// Objects journal lines within the retention age refer to.
    journaled: BTreeSet<String>,
    /// The watched roots: git repositories under them decide what is not
    /// mirrored (see `gitignore.rs`); none means every file is mirrored.
    pub roots: Vec<PathBuf>,
}

/// Is `path` inside an ignored directory?
pub fn ignored(path: &Path) -> bool {
    path.components()
        .any(|c| IGNORED.iter().any(|i| c.as_os_str() == *i))
}

/// Every regular file under `root`, ignored directories and everything
/// under `exclude` (Kintsugi's own data dir) skipped.
pub fn walk(root: &Path, exclude: &Path) -> Vec<PathBuf> {
    walk_tree(root, exclude, &mut Vec::new())
}

/// [`walk`], also noting each directory that could not be listed (its
/// changes are neither seen nor restorable) as "path: why".
pub fn walk_tree(root: &Path, exclude: &Path, unreadable: &mut Vec<String>) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(p) = stack.pop() {
        if p.starts_with(exclude) {
            continue;
        }
        let Ok(meta) = std::fs::symlink_metadata(&p) else {
            continue;
        };
        if meta.is_file() {
            files.push(p);
        } else if meta.is_dir() && !(p != root && ignored(p.strip_prefix(root).unwrap_or(&p))) {
            match std::fs::read_dir(&p) {
                Ok(rd) => stack.extend(rd.flatten().map(|e| e.path())),
                Err(e) => unreadable.push(format!("{}: {e}", p.display())),
            }
        }
    }
    files
}

impl Mirror {
    /// Open the store and journal in `data_dir`.
    pub fn open(data_dir: &Path) -> Result<Mirror> {
        let store = Store::in_data_dir(data_dir).context("cannot open the snapshot store")?;
        let dir = data_dir.join("watch");
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        Ok(Mirror {
            store,
            dir,
            index: BTreeMap::new(),
            journaled: BTreeSet::new(),
            roots: Vec::new(),
        })
    }

    /// Copy the current content of `files` into the store and the index;
    /// the files that could not be copied, as "path: why". Files git
    /// ignores are indexed without content ([`NOT_MIRRORED`]): their changes
    /// are still reported, but there is nothing to restore.
    pub fn capture(&mut self, files: &[PathBuf]) -> Result<Vec<String>> {
        if files.is_empty() {
            return Ok(Vec::new());
        }
        let ignored: std::collections::HashSet<PathBuf> =
            super::gitignore::ignored(files, &self.roots)
                .into_iter()
                .collect();
        let files: Vec<PathBuf> = files
            .iter()
            .filter(|f| {
                if !ignored.contains(*f) {
                    return true;
                }
                let mode = std::fs::symlink_metadata(f)
                    .map(|m| m.permissions().mode() & 0o7777)
                    .unwrap_or(0o644);
                self.index.insert((*f).clone(), (NOT_MIRRORED.into(), mode));
                false
            })
            .cloned()
            .collect();
        if files.is_empty() {
            return Ok(Vec::new());
        }
        let plan = Plan {
            cwd: PathBuf::from("/"),
            command: "kintsugi watch (mirror)".into(),
            session: MIRROR_SESSION.into(),
            paths: files
                .iter()
                .map(|f| PlannedPath {
                    path: f.clone(),
                    recursive: false,
                    action: "mirrors",
                })
                .collect(),
            ..Plan::default()
        };
        let budget = Budget {
            max_bytes: 4 << 30,
            max_files: 1_000_000,
            max_time: Duration::from_secs(600),
        };
        let m = kintsugi_snapshot::capture(&self.store, &plan, &budget, &mut |_| {})
            .context("cannot mirror watched files")?;
        for e in m.entries {
            if let EntryKind::File { hash, .. } = e.kind {
                self.index.insert(e.path, (hash, e.mode));
            }
        }
        Ok(m.uncovered
            .into_iter()
            .map(|u| format!("{}: {}", u.what, u.reason))
            .collect())
    }

    /// Journal what the changes replaced (before the index moves on).
    pub fn journal(&mut self, changes: &[(PathBuf, &str)]) -> Result<()> {
        let mut text = Vec::new();
        for (path, change) in changes {
            if let Some((hash, mode)) = self.index.get(path).filter(|(h, _)| h != NOT_MIRRORED) {
                let r = Replaced {
                    path: path.clone(),
                    change: change.to_string(),
                    hash: hash.clone(),
                    mode: *mode,
                    at: Some(now_unix()),
                };
                serde_json::to_writer(&mut text, &r)?;
                self.journaled.insert(hash.clone());
                text.push(b'\n');
            }
        }
        if text.is_empty() {
            return Ok(());
        }
        let path = self.dir.join(JOURNAL);
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(&path)
            .with_context(|| format!("cannot open {}", path.display()))?;
        f.write_all(&text)?;
        Ok(())
    }

    /// Drop journal lines older than `max_age` (rewriting the journal) and
    /// pin every object the index and the remaining lines refer to.
    pub fn retain(&mut self, max_age: Duration) -> Result<()> {
        let path = self.dir.join(JOURNAL);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        };
        let oldest = now_unix().saturating_sub(max_age.as_secs() as i64);
        let mut kept = String::with_capacity(text.len());
        self.journaled.clear();
        for line in text.lines() {
            let Ok(r) = serde_json::from_str::<Replaced>(line) else {
                continue;
            };
            if r.at.is_some_and(|at| at < oldest) {
                continue;
            }
            self.journaled.insert(r.hash);
            kept.push_str(line);
            kept.push('\n');
        }
        if kept.len() != text.len() {
            let tmp = self.dir.join(".journal.tmp");
            std::fs::OpenOptions::new()
                .create(true)
                .write(true)
                .truncate(true)
                .mode(0o600)
                .open(&tmp)
                .and_then(|mut f| f.write_all(kept.as_bytes()))
                .and_then(|()| std::fs::rename(&tmp, &path))
                .with_context(|| format!("cannot rewrite {}", path.display()))?;
        }
        self.pin()
    }

    /// Pin every object the index and the journal need.
    pub fn pin(&self) -> Result<()> {
        let mut all = self.journaled.clone();
        all.extend(
            self.index
                .values()
                .filter(|(h, _)| h != NOT_MIRRORED)
                .map(|(h, _)| h.clone()),
        );
        self.store
            .write_pins(PIN_SET, &all)
            .context("cannot pin the mirror's objects in the snapshot store")
    }
}

fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Restore every file at or under `target` to the content it had before its
/// most recent observed change. Returns (restored, already identical).
pub fn restore(data_dir: &Path, target: &Path) -> Result<(usize, usize)> {
    let store = Store::in_data_dir(data_dir).context("cannot open the snapshot store")?;
    let journal = data_dir.join("watch").join(JOURNAL);
    let text = std::fs::read_to_string(&journal).with_context(|| {
        format!(
            "no observed changes recorded ({} is missing); is `kintsugi watch` running?",
            journal.display()
        )
    })?;
    let mut newest: HashMap<PathBuf, Replaced> = HashMap::new();
    for line in text.lines() {
        if let Ok(r) = serde_json::from_str::<Replaced>(line)
            && r.path.starts_with(target)
        {
            newest.insert(r.path.clone(), r);
        }
    }
    anyhow::ensure!(
        !newest.is_empty(),
        "no observed change at or under {} has content to restore (files git ignores are watched but not mirrored)",
        target.display()
    );
    let (mut restored, mut same) = (0, 0);
    let mut items: Vec<_> = newest.into_values().collect();
    items.sort_by(|a, b| a.path.cmp(&b.path));
    for r in items {
        if let Ok(cur) = std::fs::read(&r.path)
            && blake3::hash(&cur).to_hex().as_str() == r.hash
        {
            same += 1;
            continue;
        }
        if let Some(parent) = r.path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let tmp = r.path.with_file_name(format!(
            ".{}.kintsugi-restore",
            r.path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("file")
        ));
        let _ = std::fs::remove_file(&tmp);
        store
            .materialize(&r.hash, &tmp, &r.path)
            .with_context(|| format!("cannot restore {}", r.path.display()))?;
        std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(r.mode))?;
        std::fs::rename(&tmp, &r.path)?;
        restored += 1;
    }
    Ok((restored, same))
}
