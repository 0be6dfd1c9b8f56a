//! Store-wide retention: deletes the oldest manifests while the store is
//! over its byte budget or they are older than the age limit (never the
//! newest `keep_newest`), then every object no manifest or pin set (see
//! [`crate::pins`]) refers to, and the git pins (`refs/kintsugi/<id>/…`) of
//! deleted snapshots. The watcher mirror's manifests are deleted once their
//! grace period is over (their objects live on through its pins) and never
//! count as one of the newest kept.

use crate::error::Result;
use crate::git;
use crate::manifest::EntryKind;
use crate::pins::{MIRROR_MANIFEST_GRACE, MIRROR_SESSION};
use crate::store::Store;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::time::Duration;

/// What a GC did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct GcReport {
    /// Snapshots deleted, oldest first.
    pub deleted: Vec<String>,
    /// Snapshots kept.
    pub kept: usize,
    /// Objects deleted.
    pub objects_removed: u64,
    /// Bytes freed.
    pub bytes_freed: u64,
    /// Store bytes after GC.
    pub bytes_after: u64,
}

/// Applies retention to the store (see the module doc).
pub fn gc(
    store: &Store,
    max_bytes: u64,
    max_age: Duration,
    keep_newest: usize,
) -> Result<GcReport> {
    let _lock = store.lock_exclusive()?;
    store.clear_tmp();
    let ids = store.manifest_ids()?;
    let readable = crate::manifest::load_all(store);
    let sizes: BTreeMap<String, u64> = store.objects()?.into_iter().collect();
    let mut refcount: BTreeMap<String, u64> = BTreeMap::new();
    // Pinned objects hold one reference that no manifest deletion drops.
    for h in store.live_pins(max_age)? {
        *refcount.entry(h).or_default() += 1;
    }
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let mut manifests = Vec::new();
    let mut mirror = Vec::new();
    // An unreadable manifest is kept but keeps no object alive.
    for m in readable {
        let id = &m.id;
        let hashes: BTreeSet<String> = m
            .entries
            .iter()
            .filter_map(|e| match &e.kind {
                EntryKind::File { hash, .. } => Some(hash.clone()),
                _ => None,
            })
            .collect();
        for h in &hashes {
            *refcount.entry(h.clone()).or_default() += 1;
        }
        let repos: BTreeSet<PathBuf> = m
            .remote_refs
            .iter()
            .map(|r| r.repo.clone())
            .chain(m.work_trees.iter().map(|w| w.repo.clone()))
            .collect();
        if m.session == MIRROR_SESSION {
            let age = now.saturating_sub(m.created_unix);
            if age >= MIRROR_MANIFEST_GRACE.as_secs() as i64 {
                mirror.push((id.clone(), m.created_unix, hashes, repos));
            }
            continue;
        }
        manifests.push((id.clone(), m.created_unix, hashes, repos));
    }
    let live = |rc: &BTreeMap<String, u64>| -> u64 {
        rc.iter()
            .filter(|(_, n)| **n > 0)
            .map(|(h, _)| sizes.get(h).copied().unwrap_or(0))
            .sum()
    };
    let mut total = live(&refcount);
    let deletable = manifests.len().saturating_sub(keep_newest);
    let mut report = GcReport::default();
    let candidates = mirror
        .iter()
        .map(|m| (m, true))
        .chain(manifests.iter().take(deletable).map(|m| (m, false)));
    for ((id, created, hashes, repos), always) in candidates {
        let too_old = now.saturating_sub(*created) >= max_age.as_secs() as i64;
        if !always && total <= max_bytes && !too_old {
            break;
        }
        store.delete_manifest(id)?;
        for h in hashes {
            let n = refcount.get_mut(h).expect("counted above");
            *n -= 1;
            if *n == 0 {
                total -= sizes.get(h).copied().unwrap_or(0);
            }
        }
        for repo in repos {
            git::unpin(repo, id);
        }
        report.deleted.push(id.clone());
    }
    for (hash, size) in &sizes {
        if refcount.get(hash).copied().unwrap_or(0) == 0 {
            store.remove_object(hash)?;
            report.objects_removed += 1;
            report.bytes_freed += size;
        }
    }
    report.kept = ids.len() - report.deleted.len();
    report.bytes_after = store.usage()?.bytes;
    Ok(report)
}
