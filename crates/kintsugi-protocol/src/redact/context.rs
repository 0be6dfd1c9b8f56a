//! Secrets that only the neighbouring words reveal: `--token VALUE`,
//! `mysql -pVALUE`, `curl -u user:VALUE`, `redis-cli -a VALUE`,
//! `sshpass -p VALUE`, `docker login -p VALUE`, `gh secret set -b VALUE`,
//! `aws configure set aws_secret_access_key VALUE`. Programs are tracked per
//! simple command (reset at `;`, `|`, `&&`, …), so `mkdir -p`, `cp -p` and
//! `ssh -p 22` are never touched.

use super::scan::is_secret_flag;
use super::stores::is_secret_config_key;
use super::words::Word;
use std::ops::Range;

/// Database clients whose `-pVALUE` (attached) is a password. A detached
/// `mysql -p NAME` prompts for the password and NAME is a database.
const MYSQL_FAMILY: &[&str] = &[
    "mysql",
    "mysqldump",
    "mysqladmin",
    "mysqlimport",
    "mysqlshow",
    "mysqlcheck",
    "mysqlpump",
    "mysqlsh",
    "mysqlbinlog",
    "mariadb",
    "mariadb-dump",
    "mariadb-admin",
];

#[derive(Default)]
struct Seen {
    mysql: bool,
    curl: bool,
    redis: bool,
    sshpass: bool,
    login: bool,
    registry_tool: bool,
    gh_secret: bool,
}

impl Seen {
    fn note(&mut self, word: &str) {
        let base = word.rsplit('/').next().unwrap_or(word);
        match base {
            b if MYSQL_FAMILY.contains(&b) => self.mysql = true,
            "curl" => self.curl = true,
            "redis-cli" | "valkey-cli" | "keydb-cli" => self.redis = true,
            "sshpass" => self.sshpass = true,
            "docker" | "podman" | "helm" | "buildah" | "skopeo" | "nerdctl" | "oras" => {
                self.registry_tool = true
            }
            "login" => self.login = true,
            "secret" => self.gh_secret = true,
            _ => {}
        }
    }
}

/// `-name` or `--name` with nothing attached (at least three letters, so
/// short flags like `-p` are left to the program-specific rules).
fn is_flag_name(t: &str) -> bool {
    let name = t.strip_prefix("--").or_else(|| t.strip_prefix('-'));
    name.is_some_and(|n| {
        n.len() >= 3
            && n.starts_with(|c: char| c.is_ascii_alphabetic())
            && n.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

/// (word index, unquoted range) pairs to blank.
pub(super) fn context(words: &[Word]) -> Vec<(usize, Range<usize>)> {
    let mut out = Vec::new();
    let mut seen = Seen::default();
    let mut last_verb: Option<&str> = None;
    for (i, w) in words.iter().enumerate() {
        if w.starts_command {
            seen = Seen::default();
        }
        let t = w.text.as_str();
        let next = words
            .get(i + 1)
            .filter(|n| !n.starts_command && !n.text.starts_with('-') && !n.text.is_empty());
        // openssl-style `pass:SECRET` keeps its prefix (the scan blanks the
        // rest); `env:NAME` and `file:PATH` only point at a secret.
        let pointer = next.is_some_and(|n| {
            ["pass:", "env:", "file:", "fd:"]
                .iter()
                .any(|p| n.text.starts_with(p))
        });
        let whole_next = |out: &mut Vec<(usize, Range<usize>)>| {
            if let Some(n) = next {
                out.push((i + 1, 0..n.text.len()));
            }
        };
        if is_flag_name(t) && !pointer && is_secret_flag(t) {
            whole_next(&mut out);
        }
        let short = |flag: &str| t == flag;
        let attached =
            |flag: &str| t.len() > flag.len() && t.starts_with(flag) && !t.starts_with("--");
        if seen.mysql && attached("-p") {
            out.push((i, 2..t.len()));
        }
        if seen.sshpass || (seen.registry_tool && seen.login) {
            if short("-p") {
                whole_next(&mut out);
            } else if attached("-p") {
                // `-pVALUE` or `-p=VALUE`.
                let from = if t[2..].starts_with('=') { 3 } else { 2 };
                out.push((i, from..t.len()));
            }
        }
        if seen.redis && short("-a") {
            whole_next(&mut out);
        }
        if seen.gh_secret && (short("-b") || t == "--body") {
            whole_next(&mut out);
        }
        if seen.gh_secret && t.starts_with("--body=") {
            out.push((i, 7..t.len()));
        } else if seen.gh_secret && attached("-b") {
            out.push((i, 2..t.len()));
        }
        if seen.curl {
            let value = if short("-u") || t == "--user" || t == "--proxy-user" || short("-U") {
                next.map(|n| (i + 1, n.text.as_str()))
            } else if attached("-u") || attached("-U") {
                Some((i, t))
            } else if t.starts_with("--user=") || t.starts_with("--proxy-user=") {
                // The colon search below starts inside the flag's value.
                Some((i, t))
            } else {
                None
            };
            if let Some((at, v)) = value
                && let Some(colon) = v.find(':')
                && colon + 1 < v.len()
            {
                out.push((at, colon + 1..v.len()));
            }
        }
        // `aws configure set aws_secret_access_key V`, `npm config set
        // //r/:_authToken V`, `git config github.token V`, `poetry config
        // pypi-token.pypi V`: the value of a credential key after a config verb.
        if !w.starts_command
            && matches!(last_verb, Some("set" | "config" | "config:set"))
            && !t.starts_with('-')
            && !t.contains('=')
            && is_secret_config_key(t)
        {
            whole_next(&mut out);
        }
        if w.starts_command {
            last_verb = None;
        }
        if !t.starts_with('-') {
            last_verb = Some(t);
        }
        seen.note(t);
    }
    out
}
