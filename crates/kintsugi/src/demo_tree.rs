//! Sandbox fixtures for `kintsugi demo`: a project with a git repo, a bare
//! remote that is one commit ahead (so a force push loses it), and a tree
//! digest to prove a restore is byte-identical.

use anyhow::{Context as _, Result, bail};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Run git in `dir` with a fixed identity; fail with its stderr.
pub fn git(dir: &Path, args: &[&str]) -> Result<()> {
    git_out(dir, args).map(|_| ())
}

/// Run git in `dir` and return its trimmed stdout.
pub fn git_out(dir: &Path, args: &[&str]) -> Result<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "demo")
        .env("GIT_AUTHOR_EMAIL", "demo@example.invalid")
        .env("GIT_COMMITTER_NAME", "demo")
        .env("GIT_COMMITTER_EMAIL", "demo@example.invalid")
        .env("GIT_TERMINAL_PROMPT", "0")
        .output()
        .with_context(|| format!("cannot run git {args:?}"))?;
    if !out.status.success() {
        bail!(
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Make `root/home/work/site` (a repo with files, an executable script and a
/// symlink) and `root/remote.git`, where a colleague pushed one more commit.
pub fn make_sandbox(root: &Path) -> Result<(PathBuf, PathBuf)> {
    let home = root.join("home");
    std::fs::create_dir_all(&home)?;
    std::fs::write(home.join("keep.txt"), "your home stays\n")?;
    let project = home.join("work/site");
    std::fs::create_dir_all(project.join("src"))?;
    std::fs::create_dir_all(project.join("assets/empty"))?;
    std::fs::write(
        project.join("src/main.rs"),
        "fn main() { println!(\"hi\"); }\n",
    )?;
    std::fs::write(project.join("README.md"), "# site\n")?;
    std::fs::write(project.join("deploy.sh"), "#!/bin/sh\necho deploy\n")?;
    std::fs::set_permissions(
        project.join("deploy.sh"),
        std::fs::Permissions::from_mode(0o755),
    )?;
    std::os::unix::fs::symlink("src/main.rs", project.join("entry.rs"))?;
    let remote = root.join("remote.git");
    git(
        root,
        &[
            "init",
            "-q",
            "--bare",
            "-b",
            "main",
            remote.to_str().context("path")?,
        ],
    )?;
    git(&project, &["init", "-q", "-b", "main"])?;
    git(&project, &["add", "-A"])?;
    git(&project, &["commit", "-q", "-m", "initial"])?;
    git(
        &project,
        &["remote", "add", "origin", remote.to_str().context("path")?],
    )?;
    git(&project, &["push", "-q", "origin", "main"])?;
    let colleague = root.join("colleague");
    git(
        root,
        &[
            "clone",
            "-q",
            remote.to_str().context("path")?,
            colleague.to_str().context("path")?,
        ],
    )?;
    std::fs::write(colleague.join("NEWS.md"), "a colleague's work\n")?;
    git(&colleague, &["add", "-A"])?;
    git(&colleague, &["commit", "-q", "-m", "colleague's commit"])?;
    git(&colleague, &["push", "-q", "origin", "main"])?;
    Ok((project, remote))
}

/// One entry of a tree digest: relative path, mode, mtime, and the content
/// (or link target).
pub type TreeEntry = (String, u32, i64, Vec<u8>);

/// Every entry under `root`, sorted: equal digests mean a byte-identical tree.
pub fn tree(root: &Path) -> Result<Vec<TreeEntry>> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            let meta = std::fs::symlink_metadata(&path)?;
            let rel = path.strip_prefix(root)?.display().to_string();
            let data = if meta.file_type().is_symlink() {
                std::fs::read_link(&path)?
                    .display()
                    .to_string()
                    .into_bytes()
            } else if meta.is_dir() {
                stack.push(path.clone());
                Vec::new()
            } else {
                std::fs::read(&path)?
            };
            out.push((rel, meta.mode(), meta.mtime(), data));
        }
    }
    out.sort();
    Ok(out)
}
