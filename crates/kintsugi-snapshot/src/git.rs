//! Git through the `git` CLI (prompts disabled, bounded time): recording
//! remote refs before a push and a repository's HEAD, refs, index and
//! stashes before a discard, pinning every recorded object under
//! `refs/kintsugi/<snapshot-id>/…` so git's GC keeps it.

use crate::error::{Result, SnapshotError};
use crate::manifest::{LocalRef, RemoteRefRecord, StashRecord, Uncovered, WorkTreeRecord};
use crate::plan::{PlannedRefs, PlannedRepo};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Longest a single git command may run (network operations included).
pub const GIT_TIMEOUT: Duration = Duration::from_secs(30);

/// Runs git in `dir`; returns stdout on success.
pub(crate) fn run(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Result<String> {
    let fail = |stderr: String| SnapshotError::Git {
        args: args.join(" "),
        dir: dir.to_path_buf(),
        stderr,
    };
    let mut cmd = Command::new("git");
    cmd.arg("-C").arg(dir).args(args);
    cmd.env("GIT_TERMINAL_PROMPT", "0").env("LC_ALL", "C");
    if std::env::var_os("GIT_SSH_COMMAND").is_none() {
        cmd.env("GIT_SSH_COMMAND", "ssh -o BatchMode=yes");
    }
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    });
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .map_err(|e| fail(format!("cannot start git: {e}")))?;
    if let (Some(data), Some(mut w)) = (stdin, child.stdin.take()) {
        let _ = w.write_all(data);
    }
    let mut out = child.stdout.take().expect("piped");
    let mut err = child.stderr.take().expect("piped");
    let reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = out.read_to_end(&mut s);
        s
    });
    let ereader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err.read_to_end(&mut s);
        s
    });
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break s,
            Ok(None) if start.elapsed() > GIT_TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(fail(format!("timed out after {}s", GIT_TIMEOUT.as_secs())));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(2)),
            Err(e) => return Err(fail(e.to_string())),
        }
    };
    let stdout = reader.join().unwrap_or_default();
    let stderr = ereader.join().unwrap_or_default();
    if status.success() {
        Ok(String::from_utf8_lossy(&stdout).into_owned())
    } else {
        Err(fail(String::from_utf8_lossy(&stderr).trim().to_string()))
    }
}

/// Runs git and returns trimmed stdout, or `None` on failure.
pub(crate) fn try_run(dir: &Path, args: &[&str]) -> Option<String> {
    run(dir, args, None).ok().map(|s| s.trim().to_string())
}

/// The work tree's top level, if `dir` is inside one.
pub(crate) fn toplevel(dir: &Path) -> Option<PathBuf> {
    try_run(dir, &["rev-parse", "--show-toplevel"])
        .filter(|s| !s.is_empty())
        .map(PathBuf::from)
}

/// `git ls-remote <remote>`: ref name → object id (peeled entries left out).
pub(crate) fn ls_remote(repo: &Path, remote: &str) -> Result<BTreeMap<String, String>> {
    let out = run(repo, &["ls-remote", remote], None)?;
    Ok(out
        .lines()
        .filter_map(|l| l.split_once('\t'))
        .filter(|(_, r)| !r.ends_with("^{}"))
        .map(|(sha, r)| (r.to_string(), sha.to_string()))
        .collect())
}

/// Local refs under the given prefixes: name → object id.
pub(crate) fn local_refs(repo: &Path, prefixes: &[&str]) -> BTreeMap<String, String> {
    let mut args = vec!["for-each-ref", "--format=%(refname) %(objectname)"];
    args.extend_from_slice(prefixes);
    try_run(repo, &args)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(r, s)| (r.to_string(), s.to_string()))
        .collect()
}

/// Stash entries, newest first.
pub(crate) fn stashes(repo: &Path) -> Vec<StashRecord> {
    try_run(repo, &["stash", "list", "--format=%H%x09%gs"])
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once('\t'))
        .map(|(sha, m)| StashRecord {
            sha: sha.into(),
            message: m.into(),
        })
        .collect()
}

pub(crate) fn has_object(repo: &Path, sha: &str) -> bool {
    try_run(repo, &["cat-file", "-e", sha]).is_some()
}

pub(crate) fn current_branch(repo: &Path) -> Option<String> {
    try_run(repo, &["symbolic-ref", "-q", "--short", "HEAD"]).filter(|s| !s.is_empty())
}

/// Pins objects under refs (one `update-ref --stdin` transaction).
fn pin(repo: &Path, pins: &[(String, String)]) -> Result<()> {
    if pins.is_empty() {
        return Ok(());
    }
    let mut input = String::new();
    for (r, sha) in pins {
        input.push_str(&format!("update {r} {sha}\n"));
    }
    run(repo, &["update-ref", "--stdin"], Some(input.as_bytes())).map(|_| ())
}

/// Deletes every `refs/kintsugi/<id>/` pin in `repo`.
pub(crate) fn unpin(repo: &Path, id: &str) {
    let refs = local_refs(repo, &[&format!("refs/kintsugi/{id}/")]);
    let input: String = refs.keys().map(|r| format!("delete {r}\n")).collect();
    if !input.is_empty() {
        let _ = run(repo, &["update-ref", "--stdin"], Some(input.as_bytes()));
    }
}

/// Resolves the remote a push would use when none was named.
pub(crate) fn resolve_remote(repo: &Path, remote: &str) -> String {
    if remote != "the default remote" {
        return remote.to_string();
    }
    current_branch(repo)
        .and_then(|b| {
            try_run(repo, &["config", &format!("branch.{b}.pushRemote")])
                .or_else(|| try_run(repo, &["config", "remote.pushDefault"]))
                .or_else(|| try_run(repo, &["config", &format!("branch.{b}.remote")]))
        })
        .unwrap_or_else(|| "origin".into())
}

/// The full remote ref names a push with `p.refspec` can change.
pub(crate) fn affected_refs(
    repo: &Path,
    p: &PlannedRefs,
    remote_refs: &BTreeMap<String, String>,
) -> Vec<String> {
    let full = |name: &str| -> String {
        if name.starts_with("refs/") {
            return name.to_string();
        }
        for kind in ["refs/heads/", "refs/tags/"] {
            if remote_refs.contains_key(&format!("{kind}{name}")) {
                return format!("{kind}{name}");
            }
        }
        if try_run(
            repo,
            &["show-ref", "--verify", "-q", &format!("refs/tags/{name}")],
        )
        .is_some()
        {
            return format!("refs/tags/{name}");
        }
        format!("refs/heads/{name}")
    };
    let local = |prefix: &str| -> Vec<String> { local_refs(repo, &[prefix]).into_keys().collect() };
    let remote_under = |prefix: &str| -> Vec<String> {
        remote_refs
            .keys()
            .filter(|r| r.starts_with(prefix))
            .cloned()
            .collect()
    };
    let mut out: Vec<String> = match p.refspec.as_str() {
        "" => {
            let b = current_branch(repo).unwrap_or_else(|| "HEAD".into());
            let merge = try_run(repo, &["config", &format!("branch.{b}.merge")]);
            vec![merge.unwrap_or_else(|| full(&b))]
        }
        "--all" => [local("refs/heads/"), remote_under("refs/heads/")].concat(),
        "--tags" => [local("refs/tags/"), remote_under("refs/tags/")].concat(),
        "--mirror" | "--prune" => [
            local("refs/heads/"),
            local("refs/tags/"),
            remote_refs.keys().cloned().collect(),
        ]
        .concat(),
        spec => {
            let spec = spec.trim_start_matches('+');
            let dst = match spec.split_once(':') {
                Some((_, dst)) if !dst.is_empty() => dst.to_string(),
                Some((src, _)) => src.to_string(),
                None if spec == "HEAD" => current_branch(repo).unwrap_or_else(|| "HEAD".into()),
                None => spec.to_string(),
            };
            vec![full(&dst)]
        }
    };
    out.retain(|r| r != "HEAD" && r.starts_with("refs/"));
    out.sort();
    out.dedup();
    out
}

/// Records the remote refs a push may rewrite and pins their old objects.
pub(crate) fn record_remote_refs(
    id: &str,
    p: &PlannedRefs,
    counter: &mut usize,
    uncovered: &mut Vec<Uncovered>,
) -> Vec<RemoteRefRecord> {
    let Some(top) = toplevel(&p.repo) else {
        uncovered.push(Uncovered {
            what: format!("push to {}", p.remote),
            reason: format!("{} is not inside a git repository", p.repo.display()),
        });
        return Vec::new();
    };
    let remote = resolve_remote(&top, &p.remote);
    let remote_refs = match ls_remote(&top, &remote) {
        Ok(r) => r,
        Err(e) => {
            uncovered.push(Uncovered {
                what: format!("refs on {remote}"),
                reason: e.to_string(),
            });
            return Vec::new();
        }
    };
    let url = try_run(&top, &["remote", "get-url", &remote]);
    let mut records = Vec::new();
    let mut pins = Vec::new();
    for refname in affected_refs(&top, p, &remote_refs) {
        let old = remote_refs.get(&refname).cloned();
        let mut pin_ref = None;
        if let Some(sha) = &old {
            *counter += 1;
            let r = format!("refs/kintsugi/{id}/remote/{counter}");
            if has_object(&top, sha) {
                pins.push((r.clone(), sha.clone()));
                pin_ref = Some(r);
            } else {
                let spec = format!("+{refname}:{r}");
                match run(
                    &top,
                    &["fetch", "--no-tags", "--quiet", &remote, &spec],
                    None,
                ) {
                    Ok(_) => pin_ref = Some(r),
                    Err(e) => uncovered.push(Uncovered {
                        what: format!("{refname} on {remote}"),
                        reason: format!("its old commit could not be fetched to keep it: {e}"),
                    }),
                }
            }
        }
        records.push(RemoteRefRecord {
            repo: top.clone(),
            remote: remote.clone(),
            url: url.clone(),
            refname,
            old,
            pin: pin_ref,
        });
    }
    if let Err(e) = pin(&top, &pins) {
        uncovered.push(Uncovered {
            what: format!("old commits of {remote}"),
            reason: e.to_string(),
        });
        for r in &mut records {
            if pins.iter().any(|(p, _)| Some(p) == r.pin.as_ref()) {
                r.pin = None;
            }
        }
    }
    records
}

/// Records HEAD, index, branches, tags, remote-tracking refs and stashes of
/// a repository, pinning them; returns the record and the files to capture.
pub(crate) fn record_work_tree(
    id: &str,
    p: &PlannedRepo,
    uncovered: &mut Vec<Uncovered>,
) -> Option<(WorkTreeRecord, Vec<PathBuf>)> {
    let Some(top) = toplevel(&p.repo) else {
        uncovered.push(Uncovered {
            what: format!("git {}", p.what),
            reason: format!("{} is not inside a git repository", p.repo.display()),
        });
        return None;
    };
    let head_ref = try_run(&top, &["symbolic-ref", "-q", "HEAD"]).filter(|s| !s.is_empty());
    let head =
        try_run(&top, &["rev-parse", "-q", "--verify", "HEAD^{commit}"]).filter(|s| !s.is_empty());
    let index_tree = try_run(&top, &["write-tree"]).filter(|s| !s.is_empty());
    let refs: Vec<LocalRef> = local_refs(&top, &["refs/heads/", "refs/tags/", "refs/remotes/"])
        .into_iter()
        .map(|(refname, sha)| LocalRef { refname, sha })
        .collect();
    let stashes = stashes(&top);
    let mut pins = Vec::new();
    if let Some(h) = &head {
        pins.push((format!("refs/kintsugi/{id}/head"), h.clone()));
    }
    if let Some(t) = &index_tree {
        pins.push((format!("refs/kintsugi/{id}/index"), t.clone()));
    }
    for (n, r) in refs
        .iter()
        .filter(|r| r.refname.starts_with("refs/heads/"))
        .enumerate()
    {
        pins.push((format!("refs/kintsugi/{id}/branch/{n}"), r.sha.clone()));
    }
    for (n, s) in stashes.iter().enumerate() {
        pins.push((format!("refs/kintsugi/{id}/stash/{n}"), s.sha.clone()));
    }
    if let Err(e) = pin(&top, &pins) {
        uncovered.push(Uncovered {
            what: format!("commits in {}", top.display()),
            reason: e.to_string(),
        });
    }
    let files = if p.files {
        changed_files(&top, head.is_some(), p.include_ignored)
    } else {
        Vec::new()
    };
    let record = WorkTreeRecord {
        repo: top,
        what: p.what.clone(),
        head_ref,
        head,
        index_tree,
        refs,
        stashes,
    };
    Some((record, files))
}

/// Uncommitted tracked changes (staged or not) and, with `untracked`,
/// untracked files including ignored ones.
pub(crate) fn changed_files(top: &Path, has_head: bool, untracked: bool) -> Vec<PathBuf> {
    let split = |s: String| -> Vec<String> {
        s.split('\0')
            .filter(|x| !x.is_empty())
            .map(str::to_string)
            .collect()
    };
    let mut names = Vec::new();
    let tracked = if has_head {
        run(
            top,
            &["diff", "--name-only", "--no-renames", "-z", "HEAD"],
            None,
        )
    } else {
        run(top, &["ls-files", "-z"], None)
    };
    names.extend(tracked.map(split).unwrap_or_default());
    names.extend(
        run(top, &["ls-files", "-z", "-m"], None)
            .map(split)
            .unwrap_or_default(),
    );
    if untracked {
        names.extend(
            run(top, &["ls-files", "-z", "-o"], None)
                .map(split)
                .unwrap_or_default(),
        );
    }
    let mut out: Vec<PathBuf> = names.into_iter().map(|n| top.join(n)).collect();
    out.sort();
    out.dedup();
    out
}
