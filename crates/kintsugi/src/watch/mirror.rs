//! The watcher's mirror: the last-seen content of every watched file, kept
//! in the content-addressed snapshot store, plus a journal of what each
//! observed change replaced, so `kintsugi undo --observed PATH` can restore
//! a file or tree deleted or clobbered behind Kintsugi's back.
//!
//! Files: `<data dir>/watch/journal.jsonl` (one line per changed file: path,
//! change, and the store object that held its content before), objects and
//! manifests in the snapshot store. Directories named in [`IGNORED`] are
//! neither mirrored nor reported.

use anyhow::{Context, Result};
use kintsugi_snapshot::{Budget, EntryKind, Plan, PlannedPath, Store};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Directory names never mirrored or reported.
pub const IGNORED: &[&str] = &["target", "node_modules", ".git"];
const JOURNAL: &str = "journal.jsonl";
/// The session name of the mirror's snapshots; `kintsugi undo` (newest
/// snapshot) skips them, `undo --observed` is their way back.
pub const MIRROR_SESSION: &str = "kintsugi:watch-mirror";

/// One journal line: `path` changed; before, its content was `hash`.
#[derive(Debug, Serialize, Deserialize)]
pub struct Replaced {
    pub path: PathBuf,
    pub change: String,
    pub hash: String,
    pub mode: u32,
}

/// Last-seen content of the watched trees.
pub struct Mirror {
    store: Store,
    dir: PathBuf,
    /// path → (object hash, permission bits); ordered, so everything under
    /// a directory is one range.
    pub index: BTreeMap<PathBuf, (String, u32)>,
}

/// Is `path` inside an ignored directory?
pub fn ignored(path: &Path) -> bool {
    path.components()
        .any(|c| IGNORED.iter().any(|i| c.as_os_str() == *i))
}

/// Every regular file under `root`, ignored directories skipped.
pub fn walk(root: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(p) = stack.pop() {
        let Ok(meta) = std::fs::symlink_metadata(&p) else {
            continue;
        };
        if meta.is_file() {
            files.push(p);
        } else if meta.is_dir()
            && !(p != root && ignored(p.strip_prefix(root).unwrap_or(&p)))
            && let Ok(rd) = std::fs::read_dir(&p)
        {
            stack.extend(rd.flatten().map(|e| e.path()));
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
        })
    }

    /// Copy the current content of `files` into the store and the index.
    pub fn capture(&mut self, files: &[PathBuf]) -> Result<()> {
        if files.is_empty() {
            return Ok(());
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
        Ok(())
    }

    /// Journal what the changes replaced (before the index moves on).
    pub fn journal(&self, changes: &[(PathBuf, &str)]) -> Result<()> {
        let mut text = Vec::new();
        for (path, change) in changes {
            if let Some((hash, mode)) = self.index.get(path) {
                let r = Replaced {
                    path: path.clone(),
                    change: change.to_string(),
                    hash: hash.clone(),
                    mode: *mode,
                };
                serde_json::to_writer(&mut text, &r)?;
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
        "no observed change at or under {} has content to restore",
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
