//! Native file tools: an agent's own write, edit and delete tools are not
//! shell calls, but a write to a shell rc, a credential, a Kintsugi file or
//! anywhere outside the project does what a shell command would. Where the
//! host shows such a call to a hook (Claude Code `Write`/`Edit`/
//! `MultiEdit`/`NotebookEdit`; Cursor's `Delete` is in `cursor.rs`), it is
//! judged as the shell line with the same effect, `tee -- PATH`, which the
//! classifier knows (shell rc → persistence, `~/…` → a write in the home,
//! `/etc/…` → a system write). Writes inside the project to ordinary files
//! pass without asking, as before.

use std::path::{Component, Path, PathBuf};

/// File names whose writes are judged wherever they are: shell start-up
/// files, credential stores and Kintsugi's own policy file.
pub const SENSITIVE_NAMES: &[&str] = &[
    ".bashrc",
    ".bash_profile",
    ".bash_login",
    ".profile",
    ".zshrc",
    ".zshenv",
    ".zprofile",
    ".zlogin",
    ".kshrc",
    ".cshrc",
    ".tcshrc",
    ".netrc",
    ".npmrc",
    ".pypirc",
    ".pgpass",
    ".git-credentials",
    ".env",
    ".kintsugi.toml",
    "authorized_keys",
    "id_rsa",
    "id_ecdsa",
    "id_ed25519",
    "credentials",
];

/// Directories (anywhere in the path) whose files are judged: key and
/// credential stores, shell config dirs, Kintsugi's config and data.
pub const SENSITIVE_DIRS: &[&str] = &[".ssh", ".gnupg", ".aws", ".kube", ".docker", "kintsugi"];

/// `path` made absolute against `cwd`, `.` and `..` resolved by name.
fn absolute(path: &str, cwd: &str) -> PathBuf {
    let joined = Path::new(cwd).join(path);
    let mut out = PathBuf::from("/");
    for c in joined.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::Normal(p) => out.push(p),
            _ => {}
        }
    }
    out
}

/// The shell line a native write of `path` amounts to, when it needs
/// judging: outside the project `cwd`, or a sensitive file anywhere.
/// `None` for an ordinary file inside the project.
pub(crate) fn judged_write(path: &str, cwd: Option<&str>) -> Option<String> {
    let cwd = cwd.filter(|c| c.starts_with('/'));
    let abs = absolute(path, cwd.unwrap_or("/"));
    let outside = cwd.is_none_or(|c| !abs.starts_with(c));
    let sensitive = abs.components().any(|c| match c {
        Component::Normal(n) => n
            .to_str()
            .is_some_and(|n| SENSITIVE_DIRS.contains(&n) || SENSITIVE_NAMES.contains(&n)),
        _ => false,
    }) || abs
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with(".env."));
    (outside || sensitive).then(|| {
        kintsugi_protocol::argv_to_line(&[
            "tee".to_string(),
            "--".to_string(),
            abs.display().to_string(),
        ])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_writes_outside_the_project_or_to_sensitive_files_are_judged() {
        let p = Some("/w/proj");
        assert_eq!(judged_write("/w/proj/src/a.rs", p), None);
        assert_eq!(judged_write("src/a.rs", p), None);
        assert_eq!(
            judged_write("/home/u/.bashrc", p).as_deref(),
            Some("tee -- /home/u/.bashrc")
        );
        assert_eq!(
            judged_write("../other/x", p).as_deref(),
            Some("tee -- /w/other/x")
        );
        assert_eq!(
            judged_write("/w/proj/../../etc/hosts", p).as_deref(),
            Some("tee -- /etc/hosts")
        );
        for inside in [".env", ".env.local", ".kintsugi.toml", "deploy/.ssh/config"] {
            assert!(judged_write(inside, p).is_some(), "{inside}");
        }
        // A prefix that is not a parent directory is outside.
        assert!(judged_write("/w/project2/a", p).is_some());
        // Without a project, every write is judged.
        assert!(judged_write("/w/proj/a", None).is_some());
        assert_eq!(
            judged_write("/a b/c", None).as_deref(),
            Some("tee -- '/a b/c'")
        );
    }
}
