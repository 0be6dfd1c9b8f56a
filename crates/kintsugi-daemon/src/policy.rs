//! Policy: the user's rules (from their own config) and the repository's
//! `.kintsugi.toml` files, which may only tighten. Every such file from the
//! command's cwd up through the repository root (and on to `/`) applies: a
//! union, so an empty or lax file nearer the cwd cannot hide the rules of
//! one further up. A repo file may add `deny` and `hold` rules; anything else
//! it says (`mode`, `allow`, unknown keys) is reported and ignored.
//!
//! Text rules match the raw line and also each program the analysis found
//! (its argv joined with spaces), so `true && echo forbidden` meets
//! `deny = ["echo forbidden*"]`. Allow rules match the raw line only: an
//! allow that matched one program of a line would let the rest through.

use crate::config::Rules;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The repo policy file name, found in the command's cwd and every ancestor.
pub const REPO_FILE: &str = ".kintsugi.toml";
/// Largest repo policy file read; a bigger one is reported and none of its
/// rules apply (a policy file is a few lines).
pub const MAX_REPO_FILE_BYTES: u64 = 1024 * 1024;
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

/// Does any pattern in `patterns` match this command's raw line, one of its
/// `programs` (each program's argv joined with spaces), or (`rule:` patterns)
/// its rule id?
pub fn any_match(
    patterns: &[String],
    raw: &str,
    programs: &[String],
    rule: &str,
) -> Option<String> {
    patterns
        .iter()
        .find(|p| match p.strip_prefix("rule:") {
            Some(rp) => glob_match(rp, rule),
            None => {
                glob_match(p, raw.trim()) || programs.iter().any(|line| glob_match(p, line.trim()))
            }
        })
        .cloned()
}

/// The lines text rules also match: each program's argv joined with spaces.
pub fn program_lines(analysis: &kintsugi_classify::Analysis) -> Vec<String> {
    analysis
        .commands
        .iter()
        .map(|p| p.argv.join(" "))
        .filter(|l| !l.trim().is_empty())
        .collect()
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
/// ancestor holding `.git`) and every repo policy file in force, nearest
/// first.
#[derive(Debug, Clone, Default)]
pub struct ProjectInfo {
    pub root: Option<PathBuf>,
    pub policies: Vec<RepoPolicy>,
}

/// Every [`REPO_FILE`] in `cwd` and its ancestors, nearest first, parsed.
/// A file that exists but cannot be read is reported (as a policy with
/// nothing but `ignored`), never silently skipped.
pub fn repo_policies(cwd: &Path) -> Vec<RepoPolicy> {
    cwd.ancestors()
        .filter_map(|dir| {
            let file = dir.join(REPO_FILE);
            let meta = std::fs::metadata(&file).ok()?;
            let unread = |why: String| RepoPolicy {
                file: file.clone(),
                ignored: vec![why],
                ..Default::default()
            };
            if !meta.is_file() {
                return Some(unread(
                    "is not a regular file; none of its rules apply".into(),
                ));
            }
            if meta.len() > MAX_REPO_FILE_BYTES {
                return Some(unread(format!(
                    "is larger than {MAX_REPO_FILE_BYTES} bytes; none of its rules apply"
                )));
            }
            Some(match std::fs::read_to_string(&file) {
                Ok(text) => parse_repo_policy(&file, &text),
                Err(e) => unread(format!("cannot be read ({e}); none of its rules apply")),
            })
        })
        .collect()
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
        let info = ProjectInfo {
            root,
            policies: repo_policies(cwd),
        };
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

/// Match the user's rules and every repo file's (tighten-only) rules.
/// `programs` are [`program_lines`] of the command's analysis.
pub fn evaluate(
    user: &Rules,
    repos: &[RepoPolicy],
    raw: &str,
    programs: &[String],
    rule: &str,
) -> PolicyMatch {
    let mut m = PolicyMatch::default();
    if let Some(p) = any_match(&user.deny, raw, programs, rule) {
        m.deny = Some(("your config".into(), p));
    }
    if let Some(p) = any_match(&user.hold, raw, programs, rule) {
        m.hold = Some(("your config".into(), p));
    }
    // Allow rules see the raw line only (see the module doc).
    m.allow = any_match(&user.allow, raw, &[], rule);
    for repo in repos {
        let src = || repo.file.display().to_string();
        if m.deny.is_none()
            && let Some(p) = any_match(&repo.deny, raw, programs, rule)
        {
            m.deny = Some((src(), p));
        }
        if m.hold.is_none()
            && let Some(p) = any_match(&repo.hold, raw, programs, rule)
        {
            m.hold = Some((src(), p));
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
        let ps = std::slice::from_ref(&p);
        let m = evaluate(&Rules::default(), ps, "ls", &[], "safe:read-only");
        assert_eq!(m, PolicyMatch::default());
        let m = evaluate(&Rules::default(), ps, "terraform apply", &[], "x");
        assert!(m.deny.is_some());
    }

    fn lines(line: &str) -> Vec<String> {
        let ctx = kintsugi_classify::Context {
            cwd: PathBuf::from("/w"),
            home: PathBuf::from("/home/u"),
            project_root: None,
        };
        program_lines(&kintsugi_classify::analyze(line, &ctx))
    }

    #[test]
    fn text_rules_match_each_program_as_well_as_the_raw_line() {
        let repo = parse_repo_policy(
            Path::new("/r/.kintsugi.toml"),
            "[rules]\ndeny = [\"echo forbidden*\"]\nhold = [\"git push*\"]\n",
        );
        let repos = std::slice::from_ref(&repo);
        for line in [
            "echo forbidden",
            "true && echo forbidden",
            "ls; echo forbidden now",
            "bash -c 'echo forbidden'",
            "sudo echo forbidden",
        ] {
            let m = evaluate(&Rules::default(), repos, line, &lines(line), "x");
            assert_eq!(
                m.deny,
                Some(("/r/.kintsugi.toml".into(), "echo forbidden*".into())),
                "{line}: {:?}",
                lines(line)
            );
        }
        let line = "cd sub && git push origin main";
        let m = evaluate(&Rules::default(), repos, line, &lines(line), "x");
        assert!(m.hold.is_some() && m.deny.is_none(), "{m:?}");
        let line = "echo allowed && ls";
        let m = evaluate(&Rules::default(), repos, line, &lines(line), "x");
        assert_eq!(m, PolicyMatch::default());
        // The user's deny and hold rules too.
        let user = Rules {
            deny: vec!["rm -rf build*".into()],
            hold: vec!["make deploy".into()],
            ..Rules::default()
        };
        let line = "cargo test && rm -rf build";
        assert!(evaluate(&user, &[], line, &lines(line), "x").deny.is_some());
        let line = "true || make deploy";
        assert!(evaluate(&user, &[], line, &lines(line), "x").hold.is_some());
    }

    #[test]
    fn an_allow_rule_matching_one_program_does_not_allow_the_line() {
        let user = Rules {
            allow: vec!["ls -la".into()],
            ..Rules::default()
        };
        let line = "ls -la && rm -rf src";
        assert_eq!(lines(line)[0], "ls -la");
        assert_eq!(evaluate(&user, &[], line, &lines(line), "x").allow, None);
        let m = evaluate(&user, &[], "ls -la", &lines("ls -la"), "x");
        assert!(m.allow.is_some());
    }

    #[test]
    fn every_policy_file_up_the_tree_applies_and_a_nearer_one_cannot_hide_them() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("repo");
        let sub = root.join("pkg/deep");
        std::fs::create_dir_all(root.join(".git")).unwrap();
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(
            root.join(REPO_FILE),
            "[rules]\ndeny = [\"make deploy*\"]\nhold = [\"rule:git:*\"]\n",
        )
        .unwrap();
        // An empty file nearer the cwd, and one that tries to loosen.
        std::fs::write(root.join("pkg").join(REPO_FILE), "").unwrap();
        std::fs::write(
            sub.join(REPO_FILE),
            "[rules]\nallow = [\"*\"]\ndeny = [\"npm publish*\"]\n",
        )
        .unwrap();
        let found = repo_policies(&sub);
        let files: Vec<&Path> = found.iter().map(|p| p.file.as_path()).collect();
        assert_eq!(
            &files[..3],
            [
                sub.join(REPO_FILE).as_path(),
                root.join("pkg").join(REPO_FILE).as_path(),
                root.join(REPO_FILE).as_path()
            ]
        );
        let eval =
            |line: &str, rule: &str| evaluate(&Rules::default(), &found, line, &lines(line), rule);
        let m = eval("make deploy-prod", "x");
        assert_eq!(
            m.deny.unwrap().0,
            root.join(REPO_FILE).display().to_string()
        );
        assert!(eval("npm publish", "x").deny.is_some());
        assert!(eval("git push", "git:push").hold.is_some());
        assert_eq!(eval("ls", "safe:read-only"), PolicyMatch::default());
        // The cached lookup says the same.
        let info = Projects::default().for_cwd(&sub);
        assert_eq!(info.root.as_deref(), Some(root.as_path()));
        assert_eq!(info.policies, found);
    }

    #[test]
    fn an_unreadable_policy_file_is_reported_not_skipped() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(REPO_FILE)).unwrap();
        let found = repo_policies(dir.path());
        assert_eq!(found[0].file, dir.path().join(REPO_FILE));
        assert!(
            found[0].ignored[0].contains("not a regular file"),
            "{found:?}"
        );
    }

    #[test]
    fn broken_repo_file_is_reported() {
        let p = parse_repo_policy(Path::new("/r/.kintsugi.toml"), "[[[");
        assert_eq!(p.ignored.len(), 1);
    }
}
