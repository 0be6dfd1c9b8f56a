//! Snapshots in the daemon: plan from the classifier's effects, capture
//! before a non-safe command is allowed (or a hold approved), preview for
//! holds, fingerprint at completion, undo and GC on request. Capture, undo
//! and GC never run at the same time (one lock), and all of them run off the
//! connection tasks (`spawn_blocking`).

use crate::config::Config;
use kintsugi_classify::Effect;
use kintsugi_protocol::{CaptureProgress, ProposedCommand};
use kintsugi_snapshot::{
    Budget, Fingerprints, Plan, PreviewContext, RestoreOptions, SnapshotManifest, Store,
};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Preview stops counting files under a path after this many entries.
pub const PREVIEW_CAP: usize = 10_000;
/// The session of the snapshot a forced undo takes of what it overwrites
/// (never picked by a bare `kintsugi undo` or `--session`: name its id).
pub const BEFORE_UNDO_SESSION: &str = "kintsugi:before-undo";
/// Command ids remembered for completion fingerprints.
const MAX_TRACKED: usize = 10_000;

/// What capturing produced, for the verdict and the ledger.
pub struct Captured {
    /// `None` when nothing was captured because the plan refused every
    /// path up front (they reach the whole system).
    pub id: Option<String>,
    pub complete: bool,
    pub uncovered: Vec<String>,
}

/// The daemon's snapshot service.
/// How often a client that asked for progress gets a `progress` line.
pub const PROGRESS_EVERY: Duration = Duration::from_millis(100);

tokio::task_local! {
    /// Where the request being served wants capture progress, if it asked.
    pub static PROGRESS: tokio::sync::mpsc::UnboundedSender<CaptureProgress>;
}

pub struct Snapshots {
    store: Store,
    budget: Budget,
    home: PathBuf,
    lock: Arc<tokio::sync::Mutex<()>>,
    by_command: Mutex<HashMap<String, String>>,
    fingerprints_dir: PathBuf,
    /// Set when the daemon stops: a running capture ends within one chunk.
    stop: Arc<AtomicBool>,
}

fn uncovered_lines(m: &SnapshotManifest) -> Vec<String> {
    m.uncovered
        .iter()
        .map(|u| format!("{}: {}", u.what, u.reason))
        .collect()
}

impl Snapshots {
    /// Open the store in `data_dir`.
    pub fn open(data_dir: &Path, config: &Config, home: &Path) -> Result<Snapshots, String> {
        let store = Store::in_data_dir(data_dir).map_err(|e| e.to_string())?;
        let fingerprints_dir = data_dir.join("snapshots/fingerprints");
        std::fs::create_dir_all(&fingerprints_dir).map_err(|e| e.to_string())?;
        Ok(Snapshots {
            store,
            budget: Budget {
                max_bytes: config.snapshot_max_mb.saturating_mul(1024 * 1024),
                max_files: config.snapshot_max_files,
                max_time: Duration::from_secs(config.snapshot_max_secs),
            },
            home: home.to_path_buf(),
            lock: Arc::new(tokio::sync::Mutex::new(())),
            by_command: Mutex::new(HashMap::new()),
            fingerprints_dir,
            stop: Arc::new(AtomicBool::new(false)),
        })
    }

    /// The daemon is stopping: end any running capture now (what it had not
    /// copied yet is listed as uncovered) and start no new one.
    pub fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }

    /// The plan for `cmd` with these effects.
    pub fn plan(cmd: &ProposedCommand, effects: &[Effect]) -> Plan {
        let mut p = kintsugi_snapshot::plan(effects, Path::new(&cmd.cwd));
        p.command = cmd.raw.clone();
        p.session = cmd.session.clone().unwrap_or_default();
        p
    }

    /// The blast radius of a held command, in a few plain lines.
    pub async fn preview(&self, plan: Plan, project: Option<PathBuf>) -> String {
        let ctx = PreviewContext {
            home: self.home.clone(),
            project,
        };
        tokio::task::spawn_blocking(move || {
            kintsugi_snapshot::preview(&plan, PREVIEW_CAP, &ctx).to_string()
        })
        .await
        .unwrap_or_else(|e| format!("preview failed: {e}"))
    }

    /// Capture what `plan` covers. `cmd_id` is remembered so the completion
    /// report can fingerprint the result.
    pub async fn capture(&self, plan: Plan, cmd_id: &str) -> Result<Option<Captured>, String> {
        if plan.is_empty() {
            // Paths refused up front (the whole system) start no capture,
            // but the verdict still says undo cannot cover them.
            if plan.refused.is_empty() {
                return Ok(None);
            }
            return Ok(Some(Captured {
                id: None,
                complete: false,
                uncovered: plan
                    .uncovered
                    .iter()
                    .map(|u| format!("{}: {}", u.what, u.reason))
                    .collect(),
            }));
        }
        let _guard = self.lock.lock().await;
        let store = self.store.clone();
        let budget = self.budget;
        let stop = self.stop.clone();
        let sink = PROGRESS.try_with(Clone::clone).ok();
        let manifest = tokio::task::spawn_blocking(move || {
            let mut last = std::time::Instant::now();
            kintsugi_snapshot::capture_with_stop(&store, &plan, &budget, &stop, &mut |p| {
                let Some(tx) = &sink else { return };
                // At most one line per PROGRESS_EVERY, and always the last.
                if p.done || last.elapsed() >= PROGRESS_EVERY {
                    last = std::time::Instant::now();
                    let _ = tx.send(CaptureProgress {
                        entries: p.entries,
                        bytes: p.bytes,
                        path: p.current.display().to_string(),
                        done: p.done,
                    });
                }
            })
        })
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
        if let Ok(mut map) = self.by_command.lock() {
            if map.len() >= MAX_TRACKED {
                map.clear();
            }
            map.insert(cmd_id.to_string(), manifest.id.clone());
        }
        Ok(Some(Captured {
            uncovered: uncovered_lines(&manifest),
            complete: manifest.complete,
            id: Some(manifest.id),
        }))
    }

    /// A runner reported that command `cmd_id` finished: fingerprint what its
    /// snapshot covers, so undo can tell later changes from the command's.
    pub async fn completed(&self, cmd_id: &str) -> Option<String> {
        let id = self.by_command.lock().ok()?.remove(cmd_id)?;
        let store = self.store.clone();
        let path = self.fingerprints_dir.join(format!("{id}.json"));
        let snap = id.clone();
        let _guard = self.lock.lock().await;
        let saved = tokio::task::spawn_blocking(move || -> Result<(), String> {
            let fp = kintsugi_snapshot::fingerprint_snapshot(&store, &snap)
                .map_err(|e| e.to_string())?;
            let text = serde_json::to_vec(&fp).map_err(|e| e.to_string())?;
            std::fs::write(&path, text).map_err(|e| e.to_string())
        })
        .await;
        match saved {
            Ok(Ok(())) => Some(id),
            _ => None,
        }
    }

    fn fingerprints(&self, id: &str) -> Option<Fingerprints> {
        let text = std::fs::read(self.fingerprints_dir.join(format!("{id}.json"))).ok()?;
        serde_json::from_slice(&text).ok()
    }

    /// Snapshot ids to undo: `id`, else the newest of `session`, else the
    /// newest of all. Newest first.
    pub fn targets(&self, id: Option<&str>, session: Option<&str>) -> Result<Vec<String>, String> {
        if let Some(id) = id {
            return Ok(vec![id.to_string()]);
        }
        let mut all: Vec<SnapshotManifest> = self
            .store
            .manifest_ids()
            .map_err(|e| e.to_string())?
            .iter()
            .filter_map(|i| self.store.load_manifest(i).ok())
            .filter(|m| session.is_none_or(|s| m.session == s))
            // The watcher's mirror is restored with `undo --observed` only.
            .filter(|m| m.session != "kintsugi:watch-mirror")
            // What a forced undo overwrote is restored by naming its id.
            .filter(|m| m.session != BEFORE_UNDO_SESSION)
            .collect();
        all.sort_by_key(|m| std::cmp::Reverse(m.created_ns));
        if all.is_empty() {
            return Err(match session {
                Some(s) => format!("no snapshot belongs to session {s}"),
                None => "there are no snapshots to undo".into(),
            });
        }
        Ok(match session {
            Some(_) => all.into_iter().map(|m| m.id).collect(),
            None => vec![all.remove(0).id],
        })
    }

    /// The paths restoring snapshot `id` writes (its roots), so the
    /// watcher's view of the restore is explained.
    pub fn roots(&self, id: &str) -> Vec<kintsugi_snapshot::PlannedPath> {
        self.store
            .load_manifest(id)
            .map(|m| {
                m.roots
                    .into_iter()
                    .map(|r| kintsugi_snapshot::PlannedPath {
                        path: r.path,
                        recursive: r.recursive,
                        action: "restores",
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Restore one snapshot; the report (or the conflicts) as text. A
    /// forced undo writes over changes made after the command (perhaps a
    /// human's newer work), so it first captures what it will overwrite into
    /// a snapshot of its own ([`BEFORE_UNDO_SESSION`]), which `kintsugi undo
    /// ID` brings back; when that capture fails or cannot cover everything,
    /// the forced undo is refused.
    pub async fn undo(&self, id: &str, force: bool, to: Option<PathBuf>) -> Result<String, String> {
        let _guard = self.lock.lock().await;
        let store = self.store.clone();
        // Restoring to a new directory overwrites nothing in place.
        let in_place = to.is_none();
        let opts = RestoreOptions {
            force,
            expected: self.fingerprints(id),
            to,
        };
        let id = id.to_string();
        let budget = self.budget;
        tokio::task::spawn_blocking(move || {
            let kept = if force && in_place {
                Some(capture_before_undo(&store, &id, &budget)?)
            } else {
                None
            };
            let report = kintsugi_snapshot::restore(&store, &id, opts)
                .map_err(|e| e.to_string())?
                .to_string();
            Ok(match kept {
                Some(Some(k)) => format!(
                    "{report}; what it overwrote is kept in snapshot {k} (`kintsugi undo {k}` brings it back)"
                ),
                _ => report,
            })
        })
        .await
        .map_err(|e| e.to_string())?
    }

    /// Store-wide retention.
    pub async fn gc(&self, config: &Config) -> Result<String, String> {
        let _guard = self.lock.lock().await;
        let store = self.store.clone();
        let max_bytes = config.snapshot_store_max_mb.saturating_mul(1024 * 1024);
        let max_age = Duration::from_secs(config.snapshot_retention_days.saturating_mul(86_400));
        let keep = config.snapshot_keep_newest;
        tokio::task::spawn_blocking(move || kintsugi_snapshot::gc(&store, max_bytes, max_age, keep))
            .await
            .map_err(|e| e.to_string())?
            .map(|r| {
                format!(
                    "removed {} snapshots and {} objects ({} bytes); kept {}; store now {} bytes",
                    r.deleted.len(),
                    r.objects_removed,
                    r.bytes_freed,
                    r.kept,
                    r.bytes_after
                )
            })
            .map_err(|e| e.to_string())
    }
}

/// Capture what restoring snapshot `id` would write over: its roots and the
/// git work trees it recorded. `Ok(None)` when it has nothing to overwrite.
fn capture_before_undo(store: &Store, id: &str, budget: &Budget) -> Result<Option<String>, String> {
    let m = store.load_manifest(id).map_err(|e| e.to_string())?;
    let plan = Plan {
        cwd: PathBuf::from("/"),
        command: format!("kintsugi undo --force {id}"),
        session: BEFORE_UNDO_SESSION.to_string(),
        paths: m
            .roots
            .iter()
            .map(|r| kintsugi_snapshot::PlannedPath {
                path: r.path.clone(),
                recursive: r.recursive,
                action: "overwrites",
            })
            .collect(),
        repos: m
            .work_trees
            .iter()
            .map(|w| kintsugi_snapshot::PlannedRepo {
                repo: w.repo.clone(),
                what: format!("undo --force {id}"),
                files: true,
                include_ignored: false,
            })
            .collect(),
        ..Plan::default()
    };
    if plan.is_empty() {
        return Ok(None);
    }
    let kept = kintsugi_snapshot::capture(store, &plan, budget, &mut |_| {})
        .map_err(|e| format!("refused: could not first snapshot what it would overwrite: {e}"))?;
    if !kept.complete {
        return Err(format!(
            "refused: the snapshot of what it would overwrite is incomplete ({}), so the forced undo could not itself be undone; nothing was restored",
            uncovered_lines(&kept).join("; ")
        ));
    }
    Ok(Some(kept.id))
}
