//! The snapshot plan: what a command's effects put at stake, derived only
//! from the classifier's [`Effect`]s (no second path predictor). Globs are
//! expanded against the filesystem now; targets known only at run time are
//! reported as not coverable.

use crate::glob;
use crate::manifest::Uncovered;
use kintsugi_classify::Effect;
use serde::Serialize;
use std::path::{Component, Path, PathBuf};

/// Most paths one glob may expand to in a plan.
pub const MAX_GLOB_MATCHES: usize = 10_000;

/// Directories never captured as a whole: a command whose effects reach
/// one of them recursively (or `/` itself) gets no capture of it, only a
/// "not snapshotted: reaches the whole system" note. Paths below them
/// (`/etc/hosts`, `/home/me/project`) are planned as usual.
pub const WHOLE_SYSTEM_DIRS: &[&str] = &[
    "/", "/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/lib32", "/lib64", "/libx32", "/media",
    "/mnt", "/opt", "/proc", "/run", "/sbin", "/snap", "/srv", "/sys", "/tmp", "/usr", "/var",
    "/nix",
];

/// The reason given for a path refused because it is a whole system directory.
pub const WHOLE_SYSTEM_REASON: &str = "not snapshotted: reaches the whole system";

/// What to capture before a command runs.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Plan {
    /// The command's working directory.
    pub cwd: PathBuf,
    /// The command line (recorded in the manifest; set by the caller).
    pub command: String,
    /// The proposing session (recorded in the manifest; set by the caller).
    pub session: String,
    /// Filesystem paths to capture, sorted, none under a recursive other.
    pub paths: Vec<PlannedPath>,
    /// Git repositories whose work tree, refs, index or stashes are at stake.
    pub repos: Vec<PlannedRepo>,
    /// Remote refs a push would rewrite.
    pub refs: Vec<PlannedRefs>,
    /// What undo cannot cover ("undo cannot cover X"), and why.
    pub uncovered: Vec<Uncovered>,
    /// Paths refused up front because they are `/` or a whole system
    /// directory ([`WHOLE_SYSTEM_DIRS`]); also listed in `uncovered`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub refused: Vec<PathBuf>,
}

/// A path to capture.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PlannedPath {
    /// Absolute, normalised path (an existing match when it came from a glob).
    pub path: PathBuf,
    /// Capture everything below it.
    pub recursive: bool,
    /// What the command does to it: "deletes", "overwrites", "moves",
    /// "replaces", "changes mode of".
    pub action: &'static str,
}

/// A git repository whose state is at stake.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PlannedRepo {
    /// A directory inside the repository.
    pub repo: PathBuf,
    /// What the command does ("reset --hard", "stash clear", …).
    pub what: String,
    /// Capture uncommitted tracked changes and untracked files.
    pub files: bool,
    /// Include ignored files (`clean -x`).
    pub include_ignored: bool,
}

/// A push: remote refs to record before it runs.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PlannedRefs {
    /// The repository the push runs from.
    pub repo: PathBuf,
    /// Remote name or URL ("the default remote" when none was given).
    pub remote: String,
    /// The refspec as written ("" / "--all" / "--mirror" / "--tags" / "--prune" for whole-remote pushes).
    pub refspec: String,
    /// A forced update.
    pub force: bool,
    /// A deletion.
    pub delete: bool,
}

impl Plan {
    /// Whether there is nothing to capture.
    pub fn is_empty(&self) -> bool {
        self.paths.is_empty() && self.repos.is_empty() && self.refs.is_empty()
    }
}

/// Builds the plan for `effects` of a command run in `cwd`.
pub fn plan(effects: &[Effect], cwd: &Path) -> Plan {
    let mut p = Plan {
        cwd: cwd.to_path_buf(),
        ..Plan::default()
    };
    let mut raw: Vec<PlannedPath> = Vec::new();
    for e in effects {
        match e {
            Effect::Delete { path, recursive } => {
                add_path(&mut p, &mut raw, cwd, path, *recursive, "deletes")
            }
            Effect::Overwrite { path, .. } => {
                add_path(&mut p, &mut raw, cwd, path, false, "overwrites")
            }
            Effect::Move { from, to } => {
                add_path(&mut p, &mut raw, cwd, from, true, "moves");
                add_path(&mut p, &mut raw, cwd, to, true, "replaces");
            }
            Effect::Chmod { path, recursive } => {
                add_path(&mut p, &mut raw, cwd, path, *recursive, "changes mode of")
            }
            Effect::Download { to, .. } => add_path(&mut p, &mut raw, cwd, to, false, "overwrites"),
            Effect::Persistence { path, what } => {
                if path.starts_with('/') {
                    add_path(&mut p, &mut raw, cwd, path, false, "overwrites");
                } else {
                    not_coverable(&mut p, what, "it is not a file Kintsugi can copy");
                }
            }
            Effect::GitRefRewrite {
                repo,
                remote,
                refspec,
                force,
                delete,
            } => p.refs.push(PlannedRefs {
                repo: if repo.starts_with('/') {
                    PathBuf::from(repo)
                } else {
                    cwd.to_path_buf()
                },
                remote: remote.clone(),
                refspec: refspec.clone(),
                force: *force,
                delete: *delete,
            }),
            Effect::GitDiscard { repo, what } => {
                let files = !what.starts_with("stash");
                add_repo(&mut p, cwd, repo, what, files, what.starts_with("clean"));
                if what.starts_with("worktree remove") {
                    not_coverable(
                        &mut p,
                        "the removed worktree's files",
                        "the worktree path is not known",
                    );
                }
            }
            Effect::GitHistoryRewrite { repo, what } => {
                add_repo(&mut p, cwd, repo, what, false, false);
                if what.starts_with("gc")
                    || what.starts_with("reflog")
                    || what.starts_with("filter")
                {
                    not_coverable(
                        &mut p,
                        what,
                        "unreachable objects pruned by git are not copied (refs are pinned)",
                    );
                }
            }
            Effect::GitChange { what }
                if ["branch", "rebase", "tag", "ref"]
                    .iter()
                    .any(|k| what.contains(k)) =>
            {
                add_repo(&mut p, cwd, ".", what, false, false);
            }
            Effect::DbDestroy { engine, what } | Effect::DbWrite { engine, what } => not_coverable(
                &mut p,
                &format!("{engine}: {what}"),
                "database contents are not snapshotted",
            ),
            Effect::DiskWrite { device, what } => not_coverable(
                &mut p,
                &format!("{device} ({what})"),
                "block devices are not snapshotted",
            ),
            Effect::CloudDestroy { tool, what } | Effect::CloudChange { tool, what } => {
                not_coverable(
                    &mut p,
                    &format!("{tool}: {what}"),
                    "cloud resources live outside this machine",
                )
            }
            Effect::NetworkEgress { host, payload, .. } => not_coverable(
                &mut p,
                &format!("{payload} sent to {host}"),
                "data sent cannot be recalled",
            ),
            Effect::RemoteExec { host, .. } => not_coverable(
                &mut p,
                &format!("commands run on {host}"),
                "remote machines are not snapshotted",
            ),
            Effect::DownloadExec { source, .. } => not_coverable(
                &mut p,
                &format!("code downloaded from {source}"),
                "its effects are unknown",
            ),
            Effect::Opaque { what, exec: true } => {
                not_coverable(&mut p, what, "its effects are unknown until it runs")
            }
            Effect::PackageChange { manager, what } => not_coverable(
                &mut p,
                &format!("{manager}: {what}"),
                "package changes are not snapshotted",
            ),
            Effect::SecurityDisable { what, .. } | Effect::Power { what } => {
                not_coverable(&mut p, what, "this is not a file change")
            }
            Effect::Change { program, what } | Effect::Unknown { program, what, .. } => {
                not_coverable(
                    &mut p,
                    &format!("{program}: {what}"),
                    "its effects are not known precisely",
                )
            }
            Effect::ParseError { what } | Effect::Limit { what } => {
                not_coverable(&mut p, what, "part of the line could not be analysed")
            }
            _ => {}
        }
    }
    p.paths = merge_paths(raw);
    p
}

fn not_coverable(p: &mut Plan, what: &str, reason: &str) {
    let u = Uncovered {
        what: what.to_string(),
        reason: reason.to_string(),
    };
    if !p.uncovered.contains(&u) {
        p.uncovered.push(u);
    }
}

fn add_path(
    p: &mut Plan,
    raw: &mut Vec<PlannedPath>,
    cwd: &Path,
    path: &str,
    recursive: bool,
    action: &'static str,
) {
    if path.contains('$') || path.contains('`') {
        not_coverable(p, path, "the path is only known when the command runs");
        return;
    }
    let abs = normalize(&cwd.join(path));
    for m in glob::expand(&abs, MAX_GLOB_MATCHES) {
        if recursive && reaches_whole_system(&m) {
            not_coverable(p, &m.display().to_string(), WHOLE_SYSTEM_REASON);
            if !p.refused.contains(&m) {
                p.refused.push(m);
            }
            continue;
        }
        raw.push(PlannedPath {
            path: m,
            recursive,
            action,
        });
    }
}

fn add_repo(p: &mut Plan, cwd: &Path, repo: &str, what: &str, files: bool, ignored: bool) {
    let repo = normalize(&cwd.join(repo));
    if let Some(r) = p.repos.iter_mut().find(|r| r.repo == repo) {
        r.files |= files;
        r.include_ignored |= ignored;
        if !r.what.contains(what) {
            r.what = format!("{}, {what}", r.what);
        }
        return;
    }
    p.repos.push(PlannedRepo {
        repo,
        what: what.to_string(),
        files,
        include_ignored: ignored,
    });
}

/// Whether `path` is `/` or a whole system directory, as written or as it
/// resolves through symlinked parents (`/tmp/l/usr` with `/tmp/l` → `/`).
/// A path that is itself a symlink is not: capture keeps the link only.
pub fn reaches_whole_system(path: &Path) -> bool {
    let is_system = |p: &Path| WHOLE_SYSTEM_DIRS.iter().any(|d| p == Path::new(d));
    is_system(path)
        || (!path.is_symlink() && std::fs::canonicalize(path).is_ok_and(|c| is_system(&c)))
}

/// Sorts, merges duplicates and drops paths already inside a recursive one.
fn merge_paths(mut raw: Vec<PlannedPath>) -> Vec<PlannedPath> {
    raw.sort_by(|a, b| a.path.cmp(&b.path));
    let mut out: Vec<PlannedPath> = Vec::new();
    for p in raw {
        if let Some(last) = out.last_mut()
            && last.path == p.path
        {
            last.recursive |= p.recursive;
            continue;
        }
        if out
            .iter()
            .any(|o| o.recursive && p.path.starts_with(&o.path))
        {
            continue;
        }
        out.push(p);
    }
    out
}

/// Lexically removes `.` and `..` components.
pub(crate) fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_paths_globs_and_uncovered() {
        let d = tempfile::tempdir().unwrap();
        let base = d.path();
        std::fs::create_dir(base.join("site")).unwrap();
        std::fs::write(base.join("a.log"), "1").unwrap();
        std::fs::write(base.join("b.log"), "2").unwrap();
        let effects = vec![
            Effect::Delete {
                path: base.join("site").display().to_string(),
                recursive: true,
            },
            Effect::Overwrite {
                path: base.join("site/index.html").display().to_string(),
                append: false,
            },
            Effect::Delete {
                path: base.join("*.log").display().to_string(),
                recursive: false,
            },
            Effect::Delete {
                path: "$HOME/x".into(),
                recursive: true,
            },
            Effect::DbDestroy {
                engine: "postgres".into(),
                what: "DROP TABLE users".into(),
            },
        ];
        let p = plan(&effects, base);
        let paths: Vec<_> = p.paths.iter().map(|x| x.path.clone()).collect();
        assert_eq!(
            paths,
            vec![base.join("a.log"), base.join("b.log"), base.join("site")]
        );
        assert_eq!(p.uncovered.len(), 2);
        assert!(p.uncovered[0].what.contains("$HOME"));
    }

    fn delete(path: &str) -> Effect {
        Effect::Delete {
            path: path.into(),
            recursive: true,
        }
    }

    #[test]
    fn whole_system_paths_are_refused_up_front() {
        for path in ["/", "/usr", "/etc/", "/home", "/var/../var", "/usr/lib/.."] {
            let p = plan(&[delete(path)], Path::new("/tmp"));
            assert!(p.paths.is_empty(), "{path}: {:?}", p.paths);
            assert!(p.is_empty());
            assert_eq!(p.refused.len(), 1, "{path}");
            assert_eq!(p.uncovered.len(), 1, "{path}");
            assert_eq!(p.uncovered[0].reason, WHOLE_SYSTEM_REASON);
        }
        // `.` run from `/` is `/`.
        let p = plan(&[delete(".")], Path::new("/"));
        assert_eq!(p.refused, vec![PathBuf::from("/")]);
        // A move of a system directory is refused on both ends it reaches.
        let p = plan(
            &[Effect::Move {
                from: "/etc".into(),
                to: "/tmp/etc-old".into(),
            }],
            Path::new("/"),
        );
        assert_eq!(p.refused, vec![PathBuf::from("/etc")]);
        assert_eq!(p.paths.len(), 1);
    }

    #[test]
    fn a_glob_over_the_root_refuses_each_system_directory() {
        let p = plan(&[delete("/*")], Path::new("/"));
        assert!(p.refused.contains(&PathBuf::from("/usr")));
        assert!(p.refused.contains(&PathBuf::from("/etc")));
        assert!(p.paths.iter().all(|x| !reaches_whole_system(&x.path)));
    }

    #[test]
    fn paths_below_system_directories_and_non_recursive_ones_are_planned() {
        let d = tempfile::tempdir().unwrap();
        let p = plan(
            &[
                delete("/etc/hosts"),
                delete(&d.path().join("proj").display().to_string()),
                Effect::Chmod {
                    path: "/etc".into(),
                    recursive: false,
                },
            ],
            Path::new("/"),
        );
        assert!(p.refused.is_empty());
        assert_eq!(p.paths.len(), 3);
    }

    #[test]
    fn system_directories_reached_through_a_symlinked_parent_are_refused() {
        let d = tempfile::tempdir().unwrap();
        let link = d.path().join("root-link");
        std::os::unix::fs::symlink("/", &link).unwrap();
        let p = plan(&[delete(&link.join("*").display().to_string())], d.path());
        assert!(p.refused.contains(&link.join("usr")), "{:?}", p.refused);
        assert!(p.refused.contains(&link.join("etc")), "{:?}", p.refused);
        // The link itself is only a link: capture keeps it, never follows it.
        let p = plan(&[delete(&link.display().to_string())], d.path());
        assert!(p.refused.is_empty());
        assert_eq!(p.paths.len(), 1);
    }

    #[test]
    fn plans_git() {
        let effects = vec![
            Effect::GitDiscard {
                repo: "/r".into(),
                what: "reset --hard".into(),
            },
            Effect::GitDiscard {
                repo: "/r".into(),
                what: "clean -f (untracked files)".into(),
            },
            Effect::GitRefRewrite {
                repo: "/r".into(),
                remote: "origin".into(),
                refspec: "main".into(),
                force: true,
                delete: false,
            },
        ];
        let p = plan(&effects, Path::new("/r"));
        assert_eq!(p.repos.len(), 1);
        assert!(p.repos[0].files && p.repos[0].include_ignored);
        assert_eq!(p.refs.len(), 1);
    }
}
