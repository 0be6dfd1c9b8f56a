//! Undoing git damage: pushes recorded remote refs back with
//! `--force-with-lease`, moves local refs and HEAD back, re-reads the
//! recorded index (checking out what it changed) and re-stores dropped
//! stashes. Every step is planned and conflict-checked before any runs.

use crate::error::Result;
use crate::fingerprint::Fingerprints;
use crate::git::{local_refs, ls_remote, run, stashes, try_run};
use crate::manifest::{SnapshotManifest, StashRecord};
use crate::restore::Conflict;
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

/// One planned git step.
#[derive(Debug, Clone)]
pub(crate) enum GitAction {
    /// Push `old` back to `refname` on `remote` (delete it when `old` is None).
    Push {
        repo: PathBuf,
        remote: String,
        named: bool,
        refname: String,
        old: Option<String>,
        current: Option<String>,
    },
    /// Set a local ref back.
    Local {
        repo: PathBuf,
        refname: String,
        sha: String,
        current: Option<String>,
    },
    /// Point HEAD back at a branch.
    Head { repo: PathBuf, head_ref: String },
    /// Detached HEAD back to a commit.
    Detached { repo: PathBuf, sha: String },
    /// Read the recorded index back and check out the paths it changes.
    Index {
        repo: PathBuf,
        tree: String,
        checkout: Vec<String>,
    },
    /// Store dropped stashes again (oldest first).
    Stash {
        repo: PathBuf,
        missing: Vec<StashRecord>,
    },
}

fn remote_key(repo: &Path, remote: &str, refname: &str) -> String {
    format!("remote {} {remote} {refname}", repo.display())
}

fn local_key(repo: &Path, refname: &str) -> String {
    format!("local {} {refname}", repo.display())
}

fn head_key(repo: &Path) -> String {
    format!("head {}", repo.display())
}

fn index_key(repo: &Path) -> String {
    format!("index {}", repo.display())
}

fn current_head(repo: &Path) -> Option<String> {
    try_run(repo, &["symbolic-ref", "-q", "HEAD"])
        .filter(|s| !s.is_empty())
        .or_else(|| try_run(repo, &["rev-parse", "-q", "--verify", "HEAD"]))
}

/// The git state a manifest recorded, as it is now (for fingerprints).
pub(crate) fn current_git_state(m: &SnapshotManifest) -> BTreeMap<String, Option<String>> {
    let mut out = BTreeMap::new();
    let mut remotes: BTreeMap<(PathBuf, String), BTreeMap<String, String>> = BTreeMap::new();
    for r in &m.remote_refs {
        let refs = remotes
            .entry((r.repo.clone(), r.remote.clone()))
            .or_insert_with(|| ls_remote(&r.repo, &r.remote).unwrap_or_default());
        out.insert(
            remote_key(&r.repo, &r.remote, &r.refname),
            refs.get(&r.refname).cloned(),
        );
    }
    for w in &m.work_trees {
        let now = local_refs(&w.repo, &["refs/heads/", "refs/tags/", "refs/remotes/"]);
        for r in &w.refs {
            out.insert(local_key(&w.repo, &r.refname), now.get(&r.refname).cloned());
        }
        out.insert(head_key(&w.repo), current_head(&w.repo));
        out.insert(index_key(&w.repo), try_run(&w.repo, &["write-tree"]));
    }
    out
}

/// Checks a changed git value against the fingerprint; records a conflict
/// when the change is not the command's own.
fn check(
    key: &str,
    what: String,
    current: &Option<String>,
    expected: Option<&Fingerprints>,
    conflicts: &mut Vec<Conflict>,
) {
    let reason = match expected.map(|e| e.refs.get(key)) {
        Some(Some(exp)) if exp == current => return,
        Some(Some(_)) => "changed since the command ran",
        Some(None) => "was not recorded when the command finished",
        None => "differs from the snapshot (no fingerprint from command completion)",
    };
    conflicts.push(Conflict {
        what,
        reason: reason.into(),
        blocking: false,
    });
}

/// Plans every git step of a restore, recording conflicts.
pub(crate) fn plan_git(
    m: &SnapshotManifest,
    captured: &HashSet<PathBuf>,
    expected: Option<&Fingerprints>,
    conflicts: &mut Vec<Conflict>,
) -> Result<Vec<GitAction>> {
    let mut actions = Vec::new();
    let mut remotes: BTreeMap<(PathBuf, String), BTreeMap<String, String>> = BTreeMap::new();
    for r in &m.remote_refs {
        if r.old.is_some() && r.pin.is_none() {
            continue; // its old commit is not kept locally; reported at capture
        }
        let key = (r.repo.clone(), r.remote.clone());
        if !remotes.contains_key(&key) {
            remotes.insert(key.clone(), ls_remote(&r.repo, &r.remote)?);
        }
        let current = remotes[&key].get(&r.refname).cloned();
        if current == r.old {
            continue;
        }
        check(
            &remote_key(&r.repo, &r.remote, &r.refname),
            format!("{} on {}", r.refname, r.remote),
            &current,
            expected,
            conflicts,
        );
        actions.push(GitAction::Push {
            repo: r.repo.clone(),
            remote: r.remote.clone(),
            named: r.url.is_some(),
            refname: r.refname.clone(),
            old: r.old.clone(),
            current,
        });
    }
    for w in &m.work_trees {
        let repo = &w.repo;
        let now = local_refs(repo, &["refs/heads/", "refs/tags/", "refs/remotes/"]);
        for r in &w.refs {
            let current = now.get(&r.refname).cloned();
            if current.as_deref() == Some(r.sha.as_str()) {
                continue;
            }
            check(
                &local_key(repo, &r.refname),
                format!("{} in {}", r.refname, repo.display()),
                &current,
                expected,
                conflicts,
            );
            actions.push(GitAction::Local {
                repo: repo.clone(),
                refname: r.refname.clone(),
                sha: r.sha.clone(),
                current,
            });
        }
        let head_now = current_head(repo);
        match (&w.head_ref, &w.head) {
            (Some(h), _) if head_now.as_ref() != Some(h) => {
                check(
                    &head_key(repo),
                    format!("HEAD in {}", repo.display()),
                    &head_now,
                    expected,
                    conflicts,
                );
                actions.push(GitAction::Head {
                    repo: repo.clone(),
                    head_ref: h.clone(),
                });
            }
            (None, Some(sha)) if head_now.as_ref() != Some(sha) => {
                check(
                    &head_key(repo),
                    format!("HEAD in {}", repo.display()),
                    &head_now,
                    expected,
                    conflicts,
                );
                actions.push(GitAction::Detached {
                    repo: repo.clone(),
                    sha: sha.clone(),
                });
            }
            _ => {}
        }
        if let Some(tree) = &w.index_tree {
            let index_now = try_run(repo, &["write-tree"]);
            if index_now.as_ref() != Some(tree) {
                check(
                    &index_key(repo),
                    format!("the index of {}", repo.display()),
                    &index_now,
                    expected,
                    conflicts,
                );
                let checkout =
                    index_checkout(repo, index_now.as_deref(), tree, captured, conflicts);
                actions.push(GitAction::Index {
                    repo: repo.clone(),
                    tree: tree.clone(),
                    checkout,
                });
            }
        }
        let now: HashSet<String> = stashes(repo).into_iter().map(|s| s.sha).collect();
        let missing: Vec<StashRecord> = w
            .stashes
            .iter()
            .rev()
            .filter(|s| !now.contains(&s.sha))
            .cloned()
            .collect();
        if !missing.is_empty() {
            actions.push(GitAction::Stash {
                repo: repo.clone(),
                missing,
            });
        }
    }
    Ok(actions)
}

/// Paths whose content the recorded index changes and that the snapshot did
/// not capture as files: they are checked out from it. A path edited in the
/// work tree since is a conflict.
fn index_checkout(
    repo: &Path,
    now: Option<&str>,
    tree: &str,
    captured: &HashSet<PathBuf>,
    conflicts: &mut Vec<Conflict>,
) -> Vec<String> {
    let Some(now) = now else { return Vec::new() };
    let diff = try_run(
        repo,
        &[
            "diff-tree",
            "-r",
            "-z",
            "--no-renames",
            "--name-status",
            now,
            tree,
        ],
    )
    .unwrap_or_default();
    let mut parts = diff.split('\0').filter(|s| !s.is_empty());
    let dirty: HashSet<String> = try_run(repo, &["diff", "--name-only", "-z"])
        .unwrap_or_default()
        .split('\0')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    let mut out = Vec::new();
    while let (Some(status), Some(path)) = (parts.next(), parts.next()) {
        if status == "D" || captured.contains(&repo.join(path)) {
            continue;
        }
        if dirty.contains(path) {
            conflicts.push(Conflict {
                what: repo.join(path).display().to_string(),
                reason: "edited since the command ran (not in the snapshot)".into(),
                blocking: false,
            });
        }
        out.push(path.to_string());
    }
    out
}

/// Runs one planned step; returns a line for the report.
pub(crate) fn apply(a: &GitAction) -> Result<String> {
    match a {
        GitAction::Push {
            repo,
            remote,
            named,
            refname,
            old,
            current,
        } => {
            let lease = format!(
                "--force-with-lease={refname}:{}",
                current.as_deref().unwrap_or("")
            );
            let spec = match old {
                Some(sha) => format!("{sha}:{refname}"),
                None => format!(":{refname}"),
            };
            run(
                repo,
                &["push", "--quiet", "--no-verify", &lease, remote, &spec],
                None,
            )?;
            if *named && let Some(b) = refname.strip_prefix("refs/heads/") {
                let tracking = format!("refs/remotes/{remote}/{b}");
                let _ = match old {
                    Some(sha) => run(repo, &["update-ref", &tracking, sha], None),
                    None => run(repo, &["update-ref", "-d", &tracking], None),
                };
            }
            Ok(match old {
                Some(sha) => format!(
                    "{refname} on {remote} set back to {}",
                    &sha[..sha.len().min(12)]
                ),
                None => format!("{refname} on {remote} deleted (it did not exist before)"),
            })
        }
        GitAction::Local {
            repo,
            refname,
            sha,
            current,
        } => {
            let cur = current.clone().unwrap_or_default();
            run(
                repo,
                &["update-ref", "-m", "kintsugi restore", refname, sha, &cur],
                None,
            )?;
            Ok(format!(
                "{refname} set back to {}",
                &sha[..sha.len().min(12)]
            ))
        }
        GitAction::Head { repo, head_ref } => {
            run(repo, &["symbolic-ref", "HEAD", head_ref], None)?;
            Ok(format!("HEAD points at {head_ref} again"))
        }
        GitAction::Detached { repo, sha } => {
            run(repo, &["update-ref", "--no-deref", "HEAD", sha], None)?;
            Ok(format!("HEAD set back to {}", &sha[..sha.len().min(12)]))
        }
        GitAction::Index {
            repo,
            tree,
            checkout,
        } => {
            run(repo, &["read-tree", tree], None)?;
            if !checkout.is_empty() {
                let input: String = checkout.iter().map(|p| format!("{p}\0")).collect();
                run(
                    repo,
                    &["checkout-index", "-f", "-q", "-z", "--stdin"],
                    Some(input.as_bytes()),
                )?;
            }
            Ok(format!(
                "index of {} restored ({} paths checked out)",
                repo.display(),
                checkout.len()
            ))
        }
        GitAction::Stash { repo, missing } => {
            for s in missing {
                run(repo, &["stash", "store", "-m", &s.message, &s.sha], None)?;
            }
            Ok(format!(
                "{} stash entr{} restored in {}",
                missing.len(),
                if missing.len() == 1 { "y" } else { "ies" },
                repo.display()
            ))
        }
    }
}
