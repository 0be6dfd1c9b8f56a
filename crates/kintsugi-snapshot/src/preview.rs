//! Preview: what a held command puts at stake, sized, for the human who
//! decides. Counting is budgeted (`cap` entries per path, then "more than").

use crate::git;
use crate::glob;
use crate::manifest::Uncovered;
use crate::plan::{Plan, PlannedRefs};
use serde::Serialize;
use std::fmt;
use std::path::{Path, PathBuf};

/// Where the command runs, for "leaves the project" and "reaches home".
#[derive(Debug, Clone, Default)]
pub struct PreviewContext {
    /// The user's home directory.
    pub home: PathBuf,
    /// The project root, when known.
    pub project: Option<PathBuf>,
}

/// One planned path, sized.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PreviewItem {
    /// "deletes", "overwrites", "moves", "replaces", "changes mode of".
    pub action: &'static str,
    /// The path.
    pub path: PathBuf,
    /// Whether it exists now.
    pub exists: bool,
    /// Regular files at or under it.
    pub files: u64,
    /// Their bytes.
    pub bytes: u64,
    /// Counting stopped at the cap: the real numbers are larger.
    pub more_than: bool,
}

/// What a force push or remote delete would take from a remote ref.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RemoteLoss {
    /// Remote name or URL.
    pub remote: String,
    /// Full ref name.
    pub refname: String,
    /// Commits on the remote that the new value does not contain, when known.
    pub commits: Option<u64>,
    /// The ref would be deleted.
    pub deleted: bool,
}

/// The preview of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Preview {
    /// Sized paths.
    pub items: Vec<PreviewItem>,
    /// A path lies outside the project (or no project is known).
    pub leaves_project: bool,
    /// A path is home or above it, or inside home but outside the project.
    pub reaches_home: bool,
    /// Credential files in scope (at most `cap`).
    pub credentials: Vec<PathBuf>,
    /// Work-tree discards and history rewrites, in words.
    pub git: Vec<String>,
    /// Remote refs that would lose commits or disappear.
    pub remote_losses: Vec<RemoteLoss>,
    /// What undo could not cover.
    pub not_covered: Vec<Uncovered>,
    /// For display: paths under it are shown with `~`.
    #[serde(skip)]
    pub home: PathBuf,
}

impl Preview {
    /// Whether undo could cover everything planned.
    pub fn undo_covers_all(&self) -> bool {
        self.not_covered.is_empty() && self.items.iter().all(|i| !i.more_than)
    }
}

const CREDENTIAL_NAMES: &[&str] = &[
    ".env",
    ".env.*",
    "*.pem",
    "*.key",
    "id_rsa*",
    "id_dsa*",
    "id_ecdsa*",
    "id_ed25519*",
    "*.p12",
    "*.pfx",
    ".netrc",
    ".pgpass",
    ".git-credentials",
    ".npmrc",
    ".pypirc",
    "*.kdbx",
    "credentials",
    "*.keystore",
];
const CREDENTIAL_DIRS: &[&str] = &[".ssh", ".gnupg", ".aws", ".kube", ".password-store"];

/// Whether a path looks like credential material.
pub(crate) fn is_credential(p: &Path) -> bool {
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    CREDENTIAL_NAMES.iter().any(|pat| glob::matches(pat, &name))
        || p.components()
            .any(|c| CREDENTIAL_DIRS.iter().any(|d| c.as_os_str() == *d))
}

/// Sizes `plan` for a human: at most `cap` entries are examined per path.
pub fn preview(plan: &Plan, cap: usize, ctx: &PreviewContext) -> Preview {
    let mut p = Preview {
        items: Vec::new(),
        leaves_project: false,
        reaches_home: false,
        credentials: Vec::new(),
        git: Vec::new(),
        remote_losses: Vec::new(),
        not_covered: plan.uncovered.clone(),
        home: ctx.home.clone(),
    };
    for pp in &plan.paths {
        let inside_project = ctx.project.as_ref().is_some_and(|r| pp.path.starts_with(r));
        p.leaves_project |= !inside_project;
        p.reaches_home |=
            ctx.home.starts_with(&pp.path) || (pp.path.starts_with(&ctx.home) && !inside_project);
        let mut item = PreviewItem {
            action: pp.action,
            path: pp.path.clone(),
            exists: false,
            files: 0,
            bytes: 0,
            more_than: false,
        };
        let mut stack = vec![pp.path.clone()];
        let mut seen = 0usize;
        while let Some(path) = stack.pop() {
            let Ok(m) = path.symlink_metadata() else {
                continue;
            };
            item.exists = true;
            seen += 1;
            if seen > cap {
                item.more_than = true;
                break;
            }
            if is_credential(&path) && !m.is_dir() && p.credentials.len() < cap {
                p.credentials.push(path.clone());
            }
            if m.is_file() {
                item.files += 1;
                item.bytes += m.len();
            } else if m.is_dir()
                && pp.recursive
                && let Ok(rd) = std::fs::read_dir(&path)
            {
                stack.extend(rd.flatten().map(|e| e.path()));
            }
        }
        p.items.push(item);
    }
    for r in &plan.repos {
        let mut line = format!("git {} in {}", r.what, p.show(&r.repo));
        if r.files
            && let Some(top) = git::toplevel(&r.repo)
        {
            let has_head = git::try_run(&top, &["rev-parse", "-q", "--verify", "HEAD"]).is_some();
            let n = git::changed_files(&top, has_head, r.include_ignored).len() as u64;
            let what = if r.include_ignored {
                "uncommitted or untracked"
            } else {
                "uncommitted"
            };
            line.push_str(&format!(
                ": discards {what} work in {} file{}",
                thousands(n),
                if n == 1 { "" } else { "s" }
            ));
        }
        p.git.push(line);
    }
    for r in plan.refs.iter().filter(|r| r.force || r.delete) {
        p.remote_losses.extend(losses(r));
    }
    p
}

/// For a forced push: per affected ref, the commits the remote would lose.
fn losses(r: &PlannedRefs) -> Vec<RemoteLoss> {
    let Some(top) = git::toplevel(&r.repo) else {
        return Vec::new();
    };
    let remote = git::resolve_remote(&top, &r.remote);
    let Ok(remote_refs) = git::ls_remote(&top, &remote) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for refname in git::affected_refs(&top, r, &remote_refs) {
        let Some(old) = remote_refs.get(&refname) else {
            continue;
        };
        let src = source_of(&top, &r.refspec, &refname);
        let deleted = r.delete || r.refspec.starts_with(':');
        let commits = if deleted {
            None
        } else {
            src.as_deref().and_then(|new| {
                if !git::has_object(&top, old) {
                    return None;
                }
                git::try_run(&top, &["rev-list", "--count", &format!("{new}..{old}")])?
                    .parse()
                    .ok()
            })
        };
        if deleted || commits != Some(0) {
            out.push(RemoteLoss {
                remote: remote.clone(),
                refname,
                commits,
                deleted,
            });
        }
    }
    out
}

/// The local commit a refspec would push to `refname`.
fn source_of(top: &Path, refspec: &str, refname: &str) -> Option<String> {
    let spec = refspec.trim_start_matches('+');
    let src = match spec.split_once(':') {
        Some((src, _)) => src.to_string(),
        None if spec.is_empty() || spec.starts_with("--") => refname.to_string(),
        None => spec.to_string(),
    };
    git::try_run(
        top,
        &["rev-parse", "-q", "--verify", &format!("{src}^{{commit}}")],
    )
    .filter(|s| !s.is_empty())
}

/// `1234567` → `1,234,567`.
pub(crate) fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Bytes in decimal units (`212 MB`).
pub(crate) fn human_bytes(n: u64) -> String {
    const UNITS: &[&str] = &["bytes", "KB", "MB", "GB", "TB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1000.0 && u + 1 < UNITS.len() {
        v /= 1000.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} bytes")
    } else if v < 10.0 {
        format!("{v:.1} {}", UNITS[u])
    } else {
        format!("{v:.0} {}", UNITS[u])
    }
}

impl Preview {
    fn show(&self, p: &Path) -> String {
        match p.strip_prefix(&self.home) {
            Ok(rest) if !self.home.as_os_str().is_empty() => {
                if rest.as_os_str().is_empty() {
                    "~".into()
                } else {
                    format!("~/{}", rest.display())
                }
            }
            _ => p.display().to_string(),
        }
    }
}

impl fmt::Display for Preview {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for i in &self.items {
            let path = self.show(&i.path);
            if !i.exists {
                writeln!(f, "{} {path} (does not exist now)", i.action)?;
            } else if i.more_than {
                writeln!(
                    f,
                    "{} more than {} files (over {}) under {path}",
                    i.action,
                    thousands(i.files),
                    human_bytes(i.bytes)
                )?;
            } else if i.files == 1 && i.path.is_file() {
                writeln!(f, "{} {path} ({})", i.action, human_bytes(i.bytes))?;
            } else {
                let s = if i.files == 1 { "" } else { "s" };
                writeln!(
                    f,
                    "{} {} file{s} ({}) under {path}",
                    i.action,
                    thousands(i.files),
                    human_bytes(i.bytes)
                )?;
            }
        }
        for g in &self.git {
            writeln!(f, "{g}")?;
        }
        for l in &self.remote_losses {
            match (l.deleted, l.commits) {
                (true, _) => writeln!(f, "deletes {} on {}", l.refname, l.remote)?,
                (false, Some(n)) => writeln!(
                    f,
                    "the remote {} will lose {n} commit{} on {}",
                    l.remote,
                    if n == 1 { "" } else { "s" },
                    l.refname
                )?,
                (false, None) => writeln!(
                    f,
                    "the remote {} may lose commits on {} (not all are known locally)",
                    l.remote, l.refname
                )?,
            }
        }
        let yn = |b: bool| if b { "yes" } else { "no" };
        let creds = if self.credentials.is_empty() {
            "none".to_string()
        } else {
            let shown: Vec<String> = self
                .credentials
                .iter()
                .take(3)
                .map(|c| self.show(c))
                .collect();
            let more = self.credentials.len().saturating_sub(3);
            if more > 0 {
                format!("{} (+{more} more)", shown.join(", "))
            } else {
                shown.join(", ")
            }
        };
        if !self.items.is_empty() {
            writeln!(
                f,
                "leaves the project: {}; reaches home: {}; credentials in scope: {creds}",
                yn(self.leaves_project),
                yn(self.reaches_home)
            )?;
        }
        if self.undo_covers_all() {
            write!(f, "undo: can cover all of it")
        } else {
            let mut parts: Vec<String> = self
                .not_covered
                .iter()
                .map(|u| format!("{} ({})", u.what, u.reason))
                .collect();
            if self.items.iter().any(|i| i.more_than) {
                parts.push("possibly part of the largest trees (snapshot budget)".into());
            }
            write!(f, "undo cannot cover: {}", parts.join("; "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_numbers() {
        assert_eq!(thousands(4812), "4,812");
        assert_eq!(thousands(100), "100");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(human_bytes(212_000_000), "212 MB");
        assert_eq!(human_bytes(999), "999 bytes");
        assert_eq!(human_bytes(1_500), "1.5 KB");
    }

    #[test]
    fn credentials() {
        assert!(is_credential(Path::new("/h/.ssh/id_rsa")));
        assert!(is_credential(Path::new("/p/.env")));
        assert!(is_credential(Path::new("/p/.env.local")));
        assert!(is_credential(Path::new("/p/certs/server.pem")));
        assert!(!is_credential(Path::new("/p/src/main.rs")));
    }
}
