//! Which watched files `.gitignore` excludes from the mirror. Git's own
//! rules decide (`git check-ignore`, once per repository and batch), so
//! nested ignore files, negations and tracked files (never ignored) behave
//! exactly as in git. Only repositories inside the watched roots count (a
//! tree watched inside some outer repository keeps that repository's rules
//! out of it). Files outside a repository, or with no `git` on PATH, are all
//! kept.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The work tree a path belongs to: the nearest ancestor with a `.git`, at
/// or below the watched root it falls under.
fn repo_of(
    path: &Path,
    roots: &[PathBuf],
    cache: &mut BTreeMap<PathBuf, Option<PathBuf>>,
) -> Option<PathBuf> {
    let dir = path.parent()?;
    if let Some(hit) = cache.get(dir) {
        return hit.clone();
    }
    let root = roots
        .iter()
        .filter(|r| path.starts_with(r))
        .max_by_key(|r| r.as_os_str().len())?;
    let found = dir
        .ancestors()
        .take_while(|a| a.starts_with(root))
        .find(|a| a.join(".git").exists())
        .map(Path::to_path_buf);
    cache.insert(dir.to_path_buf(), found.clone());
    found
}

/// The paths of `files` that git ignores (as written in `files`), with
/// the repositories found under `roots`.
pub fn ignored(files: &[PathBuf], roots: &[PathBuf]) -> Vec<PathBuf> {
    let mut cache = BTreeMap::new();
    let mut by_repo: BTreeMap<PathBuf, Vec<&PathBuf>> = BTreeMap::new();
    for f in files {
        if let Some(repo) = repo_of(f, roots, &mut cache) {
            by_repo.entry(repo).or_default().push(f);
        }
    }
    let mut out = Vec::new();
    for (repo, paths) in by_repo {
        out.extend(check_ignore(&repo, &paths));
    }
    out
}

fn check_ignore(repo: &Path, paths: &[&PathBuf]) -> Vec<PathBuf> {
    // This repository exactly: git must not wander up to an outer one.
    let child = Command::new("git")
        .arg("-C")
        .arg(repo)
        .env("GIT_DIR", repo.join(".git"))
        .env("GIT_WORK_TREE", repo)
        .args(["check-ignore", "--stdin", "-z"])
        .env("GIT_OPTIONAL_LOCKS", "0")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn();
    let Ok(mut child) = child else {
        return Vec::new();
    };
    let mut input = Vec::new();
    for p in paths {
        input.extend_from_slice(p.as_os_str().as_encoded_bytes());
        input.push(0);
    }
    // Write from another thread: git answers while it reads.
    let stdin = child.stdin.take();
    let writer = std::thread::spawn(move || {
        if let Some(mut s) = stdin {
            let _ = s.write_all(&input);
        }
    });
    let output = child.wait_with_output();
    let _ = writer.join();
    let Ok(output) = output else {
        return Vec::new();
    };
    output
        .stdout
        .split(|&b| b == 0)
        .filter(|s| !s.is_empty())
        .map(|s| PathBuf::from(String::from_utf8_lossy(s).into_owned()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_decides_what_is_ignored_and_outside_a_repo_nothing_is() {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join("r");
        std::fs::create_dir_all(repo.join("build")).unwrap();
        let ok = Command::new("git")
            .args(["init", "-q"])
            .arg(&repo)
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "git init");
        std::fs::write(repo.join(".gitignore"), "*.log\nbuild/\n!keep.log\n").unwrap();
        let files: Vec<PathBuf> = ["a.log", "keep.log", "build/out.bin", "src.rs"]
            .iter()
            .map(|f| repo.join(f))
            .chain([dir.path().join("outside.log")])
            .collect();
        let mut got = ignored(&files, &[dir.path().to_path_buf()]);
        got.sort();
        assert_eq!(got, vec![repo.join("a.log"), repo.join("build/out.bin")]);
    }
}
