//! Shared helpers for the integration tests: a sandbox (temp dir with a
//! home, a project and a store), the real classifier to plan from a command
//! line, a real `bash -c` to do the damage, and a tree comparer.
#![allow(dead_code)]

use kintsugi_snapshot::{
    Budget, Fingerprints, RestoreOptions, RestoreReport, SnapshotManifest, Store, capture,
    fingerprint_snapshot, plan, restore,
};
use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

pub struct Sandbox {
    pub dir: tempfile::TempDir,
    pub home: PathBuf,
    pub project: PathBuf,
    pub store: Store,
}

impl Sandbox {
    pub fn new() -> Sandbox {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home");
        let project = home.join("work/project");
        fs::create_dir_all(&project).unwrap();
        let store = Store::in_data_dir(&dir.path().join("data")).unwrap();
        Sandbox {
            dir,
            home,
            project,
            store,
        }
    }

    pub fn ctx(&self, cwd: &Path) -> kintsugi_classify::Context {
        kintsugi_classify::Context {
            cwd: cwd.to_path_buf(),
            home: self.home.clone(),
            project_root: Some(self.project.clone()),
        }
    }

    /// Plans from the real classifier's effects for `line` run in `cwd`.
    pub fn plan(&self, line: &str, cwd: &Path) -> kintsugi_snapshot::Plan {
        let a = kintsugi_classify::analyze(line, &self.ctx(cwd));
        let mut p = plan(&a.effects, cwd);
        p.command = line.to_string();
        p.session = "test-session".into();
        p
    }

    /// Plan + capture with the given budget.
    pub fn snapshot_with(&self, line: &str, cwd: &Path, budget: &Budget) -> SnapshotManifest {
        let p = self.plan(line, cwd);
        capture(&self.store, &p, budget, &mut |_| {}).unwrap()
    }

    pub fn snapshot(&self, line: &str, cwd: &Path) -> SnapshotManifest {
        self.snapshot_with(line, cwd, &Budget::default())
    }

    /// Runs the line for real with bash in `cwd` (HOME inside the sandbox).
    pub fn run(&self, line: &str, cwd: &Path) {
        let out = Command::new("bash")
            .arg("-c")
            .arg(line)
            .current_dir(cwd)
            .env("HOME", &self.home)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_TERMINAL_PROMPT", "0")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{line}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Snapshot, run, fingerprint at completion (what the daemon does).
    /// Restore `m` as undo does after the command reported completion
    /// (its fingerprint `fp`), without forcing; panics on refusal.
    pub fn undo(&self, m: &SnapshotManifest, fp: Fingerprints) -> RestoreReport {
        restore(
            &self.store,
            &m.id,
            RestoreOptions {
                force: false,
                expected: Some(fp),
                ..Default::default()
            },
        )
        .unwrap()
    }

    /// Restore `m` with `force`: changes made after the command are
    /// overwritten too.
    pub fn force_undo(&self, m: &SnapshotManifest) -> RestoreReport {
        restore(
            &self.store,
            &m.id,
            RestoreOptions {
                force: true,
                expected: None,
                ..Default::default()
            },
        )
        .unwrap()
    }

    pub fn damage(&self, line: &str, cwd: &Path) -> (SnapshotManifest, Fingerprints) {
        let m = self.snapshot(line, cwd);
        self.run(line, cwd);
        let f = fingerprint_snapshot(&self.store, &m.id).unwrap();
        (m, f)
    }
}

pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_TERMINAL_PROMPT", "0")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// `git init` with an identity and one commit of `files`.
pub fn init_repo(dir: &Path, files: &[(&str, &str)]) {
    fs::create_dir_all(dir).unwrap();
    git(dir, &["init", "-q", "-b", "main"]);
    git(dir, &["config", "user.email", "t@example.invalid"]);
    git(dir, &["config", "user.name", "Test"]);
    for (p, c) in files {
        write(&dir.join(p), c);
    }
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-qm", "initial"]);
}

pub fn write(p: &Path, content: &str) {
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, content).unwrap();
}

pub fn set_mtime(p: &Path, secs_ago: u64) {
    let t = SystemTime::now() - Duration::from_secs(secs_ago);
    fs::File::open(p).unwrap().set_modified(t).unwrap();
}

/// A tree with files of several modes, nested and empty dirs, symlinks and
/// set mtimes.
pub fn build_tree(root: &Path) {
    write(&root.join("README.md"), "# site\n");
    write(&root.join("src/main.rs"), "fn main() {}\n");
    write(&root.join("src/lib/deep/util.rs"), "pub fn x() {}\n");
    write(&root.join("bin/run.sh"), "#!/bin/sh\necho hi\n");
    fs::write(
        root.join("blob.bin"),
        (0..70_000u32)
            .map(|i| (i * 7 % 251) as u8)
            .collect::<Vec<_>>(),
    )
    .unwrap();
    fs::create_dir_all(root.join("empty/nested-empty")).unwrap();
    std::os::unix::fs::symlink("src/main.rs", root.join("link-to-main")).unwrap();
    std::os::unix::fs::symlink("/nonexistent/dangling", root.join("dangling")).unwrap();
    fs::set_permissions(root.join("bin/run.sh"), fs::Permissions::from_mode(0o755)).unwrap();
    fs::set_permissions(root.join("README.md"), fs::Permissions::from_mode(0o640)).unwrap();
    fs::set_permissions(root.join("src/lib"), fs::Permissions::from_mode(0o750)).unwrap();
    fs::set_permissions(root.join("empty"), fs::Permissions::from_mode(0o700)).unwrap();
    let mut age = 1000;
    for p in [
        "README.md",
        "src/main.rs",
        "src/lib/deep/util.rs",
        "bin/run.sh",
        "blob.bin",
    ] {
        set_mtime(&root.join(p), age);
        age += 3600;
    }
    for d in [
        "src/lib/deep",
        "src/lib",
        "src",
        "bin",
        "empty/nested-empty",
        "empty",
        "",
    ] {
        set_mtime(&root.join(d), age);
        age += 77;
    }
}

/// (kind, mode, mtime ns, content or target) per relative path, root included.
pub fn tree_state(root: &Path) -> BTreeMap<PathBuf, (String, u32, i128, Vec<u8>)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(p) = stack.pop() {
        let m = fs::symlink_metadata(&p).unwrap();
        let mtime = m.mtime() as i128 * 1_000_000_000 + m.mtime_nsec() as i128;
        let rel = p.strip_prefix(root).unwrap().to_path_buf();
        let (kind, content) = if m.is_dir() {
            for e in fs::read_dir(&p).unwrap() {
                stack.push(e.unwrap().path());
            }
            ("dir", Vec::new())
        } else if m.file_type().is_symlink() {
            (
                "link",
                fs::read_link(&p)
                    .unwrap()
                    .into_os_string()
                    .into_encoded_bytes(),
            )
        } else {
            ("file", fs::read(&p).unwrap())
        };
        out.insert(rel, (kind.to_string(), m.mode() & 0o7777, mtime, content));
    }
    out
}

pub fn is_root() -> bool {
    rustix_uid() == 0
}

fn rustix_uid() -> u32 {
    let out = Command::new("id").arg("-u").output().unwrap();
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .unwrap_or(1)
}
