//! Policy: the user's rules (from their own config) and a repository's
//! `.kintsugi.toml`, which may only tighten. A repo file may add `deny` and
//! `hold` rules; anything else it says (`mode`, `allow`, unknown keys) is
//! reported and ignored.

use crate::config::Rules;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The repo policy file name, found by walking up from the command's cwd.
pub const REPO_FILE: &str = ".kintsugi.toml";
/// How long a cwd's repo-policy lookup is reused before the disk is asked again.
pub const REPO_CACHE_TTL: Duration = Duration::from_secs(2);

/// Does `pattern` (with `*` wildcards) match the whole of `text`?
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p = pattern.as_bytes();
    let t = text.as_bytes();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

/// Does any pattern in `patterns` match this command or its rule id?
pub fn any_match(patterns: &[String], raw: &str, rule: &str) -> Option<String> {
    patterns
        .iter()
        .find(|p| match p.strip_prefix("rule:") {
            Some(rp) => glob_match(rp, rule),
            None => glob_match(p, raw.trim()),
        })
        .cloned()
}

/// What a repository's policy file adds, and what it tried but may not do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RepoPolicy {
    pub file: PathBuf,
    pub deny: Vec<String>,
    pub hold: Vec<String>,
    /// Human sentences about what was ignored (loosening attempts, errors).
    pub ignored: Vec<String>,
}

/// Parse a repo policy file's text. Never fails: problems become `ignored`.
pub fn parse_repo_policy(file: &Path, text: &str) -> RepoPolicy {
    let mut policy = RepoPolicy {
        file: file.to_path_buf(),
        ..Default::default()
    };
    let value: toml::Table = match toml::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            policy
                .ignored
                .push(format!("cannot be read ({e}); none of its rules apply"));
            return policy;
        }
    };
    for (key, v) in &value {
        if key != "rules" {
            policy.ignored.push(format!(
                "sets `{key}`, which only your own config may set; ignored"
            ));
            continue;
        }
        let Some(rules) = v.as_table() else {
            policy
                .ignored
                .push("`rules` is not a table; ignored".into());
            continue;
        };
        for (rk, rv) in rules {
            let list: Vec<String> = rv
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default();
            match rk.as_str() {
                "deny" => policy.deny = list,
                "hold" => policy.hold = list,
                "allow" => policy.ignored.push(format!(
                    "tries to allow {list:?}; a repository file may only add deny and hold rules; ignored"
                )),
                other => policy.ignored.push(format!("has unknown rule list `{other}`; ignored")),
            }
        }
    }
    policy
}

/// What the filesystem says about a command's cwd: the project root (nearest
/// ancestor holding `.git`) and the repo policy file in force.
#[derive(Debug, Clone, Default)]
pub struct ProjectInfo {
    pub root: Option<PathBuf>,
    pub policy: Option<RepoPolicy>,
}

/// Finds and caches [`ProjectInfo`] per cwd, so the hot path stats the disk
/// at most once per cwd every [`REPO_CACHE_TTL`].
#[derive(Default)]
pub struct Projects {
    cache: Mutex<HashMap<PathBuf, (Instant, ProjectInfo)>>,
}

impl Projects {
    /// The project facts for commands run in `cwd`.
    pub fn for_cwd(&self, cwd: &Path) -> ProjectInfo {
        let now = Instant::now();
        if let Ok(c) = self.cache.lock()
            && let Some((at, info)) = c.get(cwd)
            && now.duration_since(*at) < REPO_CACHE_TTL
        {
            return info.clone();
        }
        let root = cwd
            .ancestors()
            .find(|d| d.join(".git").exists())
            .map(Path::to_path_buf);
        let policy = cwd.ancestors().find_map(|dir| {
            let file = dir.join(REPO_FILE);
            std::fs::read_to_string(&file)
                .ok()
                .map(|text| parse_repo_policy(&file, &text))
        });
        let info = ProjectInfo { root, policy };
        if let Ok(mut c) = self.cache.lock() {
            if c.len() > 4096 {
                c.clear();
            }
            c.insert(cwd.to_path_buf(), (now, info.clone()));
        }
        info
    }
}

/// The verdict-relevant outcome of matching all rules.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicyMatch {
    /// A deny rule matched: (where, pattern).
    pub deny: Option<(String, String)>,
    /// A hold rule matched.
    pub hold: Option<(String, String)>,
    /// The user's allow rule matched.
    pub allow: Option<String>,
}

/// Match the user's rules and the repo's (tighten-only) rules.
pub fn evaluate(user: &Rules, repo: Option<&RepoPolicy>, raw: &str, rule: &str) -> PolicyMatch {
    let mut m = PolicyMatch::default();
    if let Some(p) = any_match(&user.deny, raw, rule) {
        m.deny = Some(("your config".into(), p));
    }
    if let Some(p) = any_match(&user.hold, raw, rule) {
        m.hold = Some(("your config".into(), p));
    }
    m.allow = any_match(&user.allow, raw, rule);
    if let Some(repo) = repo {
        let src = repo.file.display().to_string();
        if m.deny.is_none()
            && let Some(p) = any_match(&repo.deny, raw, rule)
        {
            m.deny = Some((src.clone(), p));
        }
        if m.hold.is_none()
            && let Some(p) = any_match(&repo.hold, raw, rule)
        {
            m.hold = Some((src, p));
        }
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn star_matches_any_run_including_slashes_and_spaces() {
        assert!(glob_match("sed -i *", "sed -i s/a/b/ src/main.rs"));
        assert!(glob_match("rm -rf src", "rm -rf src"));
        assert!(!glob_match("rm -rf src", "rm -rf src/x"));
        assert!(glob_match("*", ""));
        assert!(glob_match("git:*", "git:force-push"));
        assert!(glob_match("a*b*c", "a--b--b--c"));
        assert!(!glob_match("a*b*c", "a--b--b--"));
    }

    #[test]
    fn repo_files_cannot_loosen() {
        let text = "mode = \"notify\"\n[rules]\nallow = [\"*\"]\ndeny = [\"terraform *\"]\nhold = [\"rule:git:*\"]\n";
        let p = parse_repo_policy(Path::new("/r/.kintsugi.toml"), text);
        assert_eq!(p.deny, vec!["terraform *"]);
        assert_eq!(p.hold, vec!["rule:git:*"]);
        assert_eq!(p.ignored.len(), 2, "{:?}", p.ignored);
        let m = evaluate(&Rules::default(), Some(&p), "ls", "safe:read-only");
        assert_eq!(m, PolicyMatch::default());
        let m = evaluate(&Rules::default(), Some(&p), "terraform apply", "x");
        assert!(m.deny.is_some());
    }

    #[test]
    fn broken_repo_file_is_reported() {
        let p = parse_repo_policy(Path::new("/r/.kintsugi.toml"), "[[[");
        assert_eq!(p.ignored.len(), 1);
    }
}
