//! The filesystem backstop, run by `kintsugi watch PATH…` and on a thread of
//! the daemon for the config's `[watch]` paths. It mirrors the watched
//! trees (see [`mirror`]), says it is ready, then turns inotify events into
//! `observe` requests over ONE persistent connection: debounced (a batch
//! closes after [`QUIET`] without events, or [`MAX_BATCH`] after it opened)
//! and coalesced (more than [`COALESCE`] changes of one kind in a batch are
//! one `observe` for their common directory, with `count` and a summary).
//! The daemon decides whether each change is explained. Event-queue
//! overflow and watch errors are reported as degraded and trigger a fresh
//! mirror. While the daemon cannot be reached, changes go to the spool
//! (with the time they were seen) and the daemon records them when it is
//! back.
//!
//! Architecture invariant: the watcher observes after the fact and never
//! decides. It talks to the daemon only through `kintsugi-protocol` (or its
//! spool), reads the user's config through `kintsugi-config`, and keeps its
//! mirror in a `kintsugi-snapshot` store of its own; it does not depend on
//! the daemon crate, so the same code runs standalone and inside the daemon.
//! It is its own crate rather than part of `kintsugi-intercept` because it
//! needs the snapshot store and a long-lived inotify loop, and the
//! interception crate stays protocol only (no storage, no event loop).
#![forbid(unsafe_code)]

mod gitignore;
pub mod mirror;
mod watches;

use anyhow::{Context, Result};
use kintsugi_protocol::{Change, Client, Observation, Request};
use mirror::{Mirror, ignored, walk, walk_tree};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A batch closes after this long without events …
pub const QUIET: Duration = Duration::from_millis(150);
/// … or this long after it opened.
pub const MAX_BATCH: Duration = Duration::from_millis(800);
/// More changes of one kind than this in a batch are sent as one summary.
pub const COALESCE: usize = 8;

/// How long the daemon's own watcher waits before starting again after it
/// stopped (a watched tree missing, the watch limit reached, …).
pub const RESTART_AFTER: Duration = Duration::from_secs(30);

/// The `[watch]` paths of the user config, watched on a thread of the
/// daemon process for as long as it runs. A watcher that stops is reported
/// as degraded (through the daemon, else the spool) and started again after
/// [`RESTART_AFTER`].
pub fn spawn_in_daemon(roots: Vec<PathBuf>) {
    if roots.is_empty() {
        return;
    }
    let spawned = std::thread::Builder::new()
        .name("watcher".into())
        .spawn(move || {
            let mut last_error = String::new();
            loop {
                let Err(e) = run(&roots) else { return };
                let why = format!("{e:#}");
                eprintln!("kintsugi: the configured watcher stopped: {why}");
                if why != last_error {
                    let mut obs =
                        Observation::new(Change::Modified, roots[0].display().to_string());
                    obs.degraded = Some(format!(
                        "the watcher stopped ({why}); it starts again every {} s",
                        RESTART_AFTER.as_secs()
                    ));
                    Link::new(kintsugi_protocol::data_dir()).send(obs);
                    last_error = why;
                }
                std::thread::sleep(RESTART_AFTER);
            }
        });
    if let Err(e) = spawned {
        eprintln!("kintsugi: cannot start the configured watcher: {e}");
    }
}

/// Watch `roots` until killed.
pub fn run(roots: &[PathBuf]) -> Result<()> {
    let roots: Vec<PathBuf> = roots
        .iter()
        .map(|r| {
            r.canonicalize()
                .with_context(|| format!("cannot watch {}", r.display()))
        })
        .collect::<Result<_>>()?;
    let (tx, rx) = mpsc::channel();
    let watcher = notify::recommended_watcher(tx).context("cannot start the watcher")?;
    let mut watches = watches::Watches::new(watcher);
    let data = kintsugi_protocol::data_dir();
    let mut mirror = Mirror::open(&data)?;
    mirror.roots = roots.clone();
    let data = data.canonicalize().unwrap_or(data);
    // Listing failures are reported once, whichever walk saw them first.
    let mut seen_unreadable = Vec::new();
    for r in &roots {
        watches.add(r, &data, &mut seen_unreadable)?;
    }
    let mut unreadable = Vec::new();
    let files: Vec<PathBuf> = roots
        .iter()
        .flat_map(|r| walk_tree(r, &data, &mut unreadable))
        .collect();
    unreadable.extend(mirror.capture(&files)?);
    seen_unreadable.clear();
    mirror.retain(retention())?;
    let mut link = Link::new(data.clone());
    let mut lost = BTreeSet::new();
    report_unreadable(&mut link, &roots[0], &mut unreadable);
    eprintln!(
        "kintsugi: watching {} file(s) under {} (ready)",
        mirror.index.len(),
        roots
            .iter()
            .map(|r| r.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    loop {
        let mut batch = BTreeSet::new();
        let mut degraded: Option<String> = None;
        let first = rx.recv().context("the watcher stopped")?;
        let opened = Instant::now();
        let mut next = Some(first);
        while let Some(ev) = next.take() {
            match ev {
                Ok(ev) if ev.need_rescan() => degraded = Some("the event queue overflowed".into()),
                Ok(ev) if !changes_content(&ev.kind) => {}
                // Our own data dir (ledger, store, spool) is never a change
                // to report: reporting it would write to it again.
                Ok(ev) => {
                    if matches!(ev.kind, notify::EventKind::Create(_)) {
                        for p in &ev.paths {
                            watches.created(p, &data, &mut seen_unreadable);
                        }
                    }
                    batch.extend(
                        ev.paths
                            .into_iter()
                            .filter(|p| !ignored_under(&roots, p) && !p.starts_with(&data)),
                    )
                }
                Err(e) => degraded = Some(e.to_string()),
            }
            let left = MAX_BATCH.saturating_sub(opened.elapsed()).min(QUIET);
            next = rx.recv_timeout(left).ok();
        }
        if let Some(why) = degraded {
            let mut obs = Observation::new(Change::Modified, roots[0].display().to_string());
            obs.degraded = Some(format!("{why}; the trees were mirrored again"));
            link.send(obs);
            mirror.index.clear();
            let files: Vec<PathBuf> = roots.iter().flat_map(|r| walk(r, &data)).collect();
            mirror.capture(&files)?;
        }
        let changes = classify(&mirror, &batch, &data);
        let named: Vec<(PathBuf, &str)> = changes
            .iter()
            .map(|(p, c)| (p.clone(), c.as_str()))
            .collect();
        mirror.journal(&named)?;
        let present: Vec<PathBuf> = changes
            .iter()
            .filter(|(_, c)| *c != Change::Removed)
            .map(|(p, _)| p.clone())
            .collect();
        for (p, c) in &changes {
            if *c == Change::Removed {
                mirror.index.remove(p);
            }
        }
        if let Err(e) = mirror.capture(&present).and_then(|_| mirror.pin()) {
            eprintln!("kintsugi: {e:#}");
        }
        for obs in coalesce(&changes) {
            link.send(obs);
        }
        report_unreadable(&mut link, &roots[0], &mut seen_unreadable);
        // A removed root takes its inotify watch with it: say so once.
        for r in &roots {
            if !r.exists() && lost.insert(r.clone()) {
                let mut obs = Observation::new(Change::Removed, r.display().to_string());
                obs.degraded = Some(
                    "the watched tree itself was removed, so its watch is lost; \
                     restore it (`kintsugi undo --observed`) and restart the watcher"
                        .into(),
                );
                link.send(obs);
            }
        }
        if lost.len() == roots.len() {
            anyhow::bail!("every watched tree was removed");
        }
    }
}

/// Say (as a degraded watch) which paths cannot be read, then forget them.
fn report_unreadable(link: &mut Link, root: &Path, unreadable: &mut Vec<String>) {
    if unreadable.is_empty() {
        return;
    }
    let mut obs = Observation::new(Change::Modified, root.display().to_string());
    obs.degraded = Some(format!(
        "{} path(s) cannot be read, so changes there are not seen and cannot be restored: {}{}",
        unreadable.len(),
        unreadable
            .iter()
            .take(3)
            .cloned()
            .collect::<Vec<_>>()
            .join("; "),
        if unreadable.len() > 3 { "; …" } else { "" }
    ));
    link.send(obs);
    unreadable.clear();
}

/// How long the journal keeps what an observed change replaced: the
/// config's `snapshot_retention_days`.
fn retention() -> Duration {
    let days = kintsugi_config::Config::load(&kintsugi_protocol::config_path())
        .map(|c| c.snapshot_retention_days)
        .unwrap_or(30);
    Duration::from_secs(days * 86_400)
}

/// What happened to each path of a batch, from the mirror and the disk
/// (directories expand to the files under them).
fn classify(mirror: &Mirror, batch: &BTreeSet<PathBuf>, data: &Path) -> Vec<(PathBuf, Change)> {
    // One change per path (a path's latest state wins), in path order.
    let mut out = std::collections::BTreeMap::new();
    for p in batch {
        match std::fs::symlink_metadata(p) {
            Ok(m) if m.is_file() => match mirror.index.get(p) {
                // Reading a file (our own mirroring included) is no change.
                Some((hash, _)) if hash != mirror::NOT_MIRRORED && same_content(p, hash) => {}
                Some(_) => {
                    out.insert(p.clone(), Change::Modified);
                }
                None => {
                    out.insert(p.clone(), Change::Created);
                }
            },
            Ok(m) if m.is_dir() => {
                for f in walk(p, data)
                    .into_iter()
                    .filter(|f| !mirror.index.contains_key(f))
                {
                    out.insert(f, Change::Created);
                }
            }
            Ok(_) => {}
            Err(_) => {
                let under = mirror
                    .index
                    .range(p.clone()..)
                    .take_while(|(k, _)| k.starts_with(p));
                for (known, _) in under {
                    if known == p || !known.exists() {
                        out.insert(known.clone(), Change::Removed);
                    }
                }
            }
        }
    }
    out.into_iter().collect()
}

/// Events that may change what a file holds (not reads, not metadata).
fn changes_content(kind: &notify::EventKind) -> bool {
    use notify::EventKind;
    use notify::event::ModifyKind;
    !matches!(
        kind,
        EventKind::Access(_) | EventKind::Modify(ModifyKind::Metadata(_))
    )
}

fn same_content(path: &Path, hash: &str) -> bool {
    std::fs::read(path).is_ok_and(|b| blake3::hash(&b).to_hex().as_str() == hash)
}

/// One observation per change, or one per kind when there are many.
fn coalesce(changes: &[(PathBuf, Change)]) -> Vec<Observation> {
    let mut out = Vec::new();
    for kind in [Change::Removed, Change::Modified, Change::Created] {
        let paths: Vec<&PathBuf> = changes
            .iter()
            .filter(|(_, c)| *c == kind)
            .map(|(p, _)| p)
            .collect();
        if paths.len() <= COALESCE {
            out.extend(
                paths
                    .iter()
                    .map(|p| Observation::new(kind, p.display().to_string())),
            );
            continue;
        }
        let common = common_dir(&paths);
        let examples: Vec<String> = paths
            .iter()
            .take(3)
            .map(|p| p.display().to_string())
            .collect();
        let summary = format!(
            "{} files {}, e.g. {}",
            paths.len(),
            kind.as_str(),
            examples.join(", ")
        );
        let mut obs = Observation::new(kind, common.display().to_string());
        obs.count = Some(paths.len() as u64);
        obs.summary = Some(summary);
        out.push(obs);
    }
    out
}

/// The deepest directory holding every path.
fn common_dir(paths: &[&PathBuf]) -> PathBuf {
    let mut common = paths[0].parent().unwrap_or(Path::new("/")).to_path_buf();
    for p in paths {
        while !p.starts_with(&common) {
            if !common.pop() {
                break;
            }
        }
    }
    common
}

/// One persistent connection to the daemon, reopened once on failure;
/// when the daemon cannot be reached, the spool.
struct Link {
    client: Option<Client>,
    data_dir: PathBuf,
    /// Said once per outage that changes are being spooled.
    spooling: bool,
}

impl Link {
    fn new(data_dir: PathBuf) -> Link {
        Link {
            client: None,
            data_dir,
            spooling: false,
        }
    }

    fn send(&mut self, mut obs: Observation) {
        let req = Request::Observe(obs.clone());
        for _ in 0..2 {
            if self.client.is_none() {
                self.client = Client::connect_default().ok();
            }
            let Some(c) = self.client.as_mut() else { break };
            if c.request(&req).is_ok() {
                if self.spooling {
                    eprintln!("kintsugi: the daemon is back; spooled changes are recorded by it");
                    self.spooling = false;
                }
                return;
            }
            self.client = None;
        }
        obs.seen_at = Some(kintsugi_protocol::now_rfc3339());
        match kintsugi_protocol::spool::append_observation(&self.data_dir, &obs) {
            Ok(()) if !self.spooling => {
                self.spooling = true;
                eprintln!(
                    "kintsugi: the daemon is unreachable; changes are spooled until it is back"
                );
            }
            Ok(()) => {}
            Err(e) => eprintln!(
                "kintsugi: the daemon is unreachable and the spool cannot be written ({e}); change not recorded: {} {}",
                obs.change.as_str(),
                obs.path
            ),
        }
    }
}

/// Is `path` in an ignored directory *below* the watched root it falls
/// under? (A root that itself lives under, say, a `target/` dir is watched.)
fn ignored_under(roots: &[PathBuf], path: &Path) -> bool {
    let rel = roots
        .iter()
        .filter_map(|r| path.strip_prefix(r).ok())
        .min_by_key(|r| r.components().count());
    match rel {
        Some(rel) => ignored(rel),
        None => ignored(path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn many_changes_of_a_kind_become_one_summary() {
        let many: Vec<(PathBuf, Change)> = (0..100)
            .map(|i| {
                (
                    PathBuf::from(format!("/p/d/sub{}/f{i}", i % 3)),
                    Change::Removed,
                )
            })
            .chain([(PathBuf::from("/p/x"), Change::Modified)])
            .collect();
        let reqs = coalesce(&many);
        assert_eq!(reqs.len(), 2);
        assert_eq!(reqs[0].path, "/p/d");
        assert_eq!(reqs[0].count, Some(100));
    }

    #[test]
    fn ignored_dirs_count_only_below_the_watched_root() {
        let roots = vec![PathBuf::from("/work/target/tmp/tree")];
        assert!(!ignored_under(
            &roots,
            Path::new("/work/target/tmp/tree/a.txt")
        ));
        assert!(ignored_under(
            &roots,
            Path::new("/work/target/tmp/tree/node_modules/x")
        ));
    }

    #[test]
    fn ignored_dirs_are_recognised() {
        assert!(ignored(Path::new("/a/node_modules/x")));
        assert!(ignored(Path::new("/a/target/debug/k")));
        assert!(!ignored(Path::new("/a/targets/x")));
    }
}
