//! Commands that store a credential under a name: `git config KEY V`,
//! `rclone config create NAME TYPE pass V`, `heroku config:set K=V`, `fly
//! secrets set K=V`, `kubectl create secret … --from-literal=k=V`, `dotnet
//! user-secrets set K V`, `netlify env:set K V`, `aws ssm put-parameter
//! --value V`, and mount options (`-o password=V,user=u%V`). The stores
//! that only hold secrets have every value blanked, whatever its name.

use super::programs::{Arg, Hit, after_sep, attached, flag_next, has, index_of, positionals, push};
use super::scan::is_secret_name;

/// Hits for a store command (nothing for other programs).
pub(super) fn rule(prog: &str, a: &[Arg], out: &mut Vec<Hit>) {
    match prog {
        "git" => git_config(out, a),
        "rclone" => {
            let pos = positionals(a, &["--config", "--state", "--result"]);
            let word = |j: usize| pos.get(j).map(|&k| a[k].1);
            match (word(0), word(1)) {
                (Some("config"), Some("create")) => {
                    key_value_pairs(out, a, &pos[4.min(pos.len())..], false)
                }
                (Some("config"), Some("update")) => {
                    key_value_pairs(out, a, &pos[3.min(pos.len())..], false)
                }
                (Some("config"), Some("password")) => {
                    key_value_pairs(out, a, &pos[3.min(pos.len())..], true)
                }
                (Some("obscure"), Some(_)) => push(out, a, pos[1], 0),
                _ => {}
            }
        }
        "heroku" | "dokku" => {
            if let Some(k) = a
                .iter()
                .position(|(_, t)| t.starts_with("config:set") || *t == "config:add")
            {
                kv_values(out, a, k + 1);
            }
        }
        "fly" | "flyctl" | "doppler"
            if has(a, "secrets") && (has(a, "set") || has(a, "import")) =>
        {
            kv_values(out, a, 0);
            if prog == "doppler"
                && let Some(s) = index_of(a, "set")
            {
                let pos = positionals(&a[s + 1..], &["-p", "-c", "--project", "--config"]);
                let shifted: Vec<usize> = pos.iter().map(|k| k + s + 1).collect();
                key_value_pairs(out, a, &shifted, true);
            }
        }
        "railway" => {
            for k in 0..a.len() {
                if a[k].1 == "--set" {
                    after_sep(out, a, k + 1, 0, '=');
                } else if let Some(v) = a[k].1.strip_prefix("--set=") {
                    after_sep(out, a, k, a[k].1.len() - v.len(), '=');
                }
            }
        }
        "kubectl" | "oc" if has(a, "secret") => {
            for k in 0..a.len() {
                let t = a[k].1;
                if t == "--from-literal" {
                    after_sep(out, a, k + 1, 0, '=');
                } else if t.starts_with("--from-literal=") {
                    after_sep(out, a, k, 15, '=');
                }
            }
        }
        "dotnet" | "netlify" => {
            let verb = if prog == "dotnet" { "set" } else { "env:set" };
            if let Some(s) = index_of(a, verb) {
                let pos = positionals(
                    &a[s + 1..],
                    &["-p", "--project", "--id", "-c", "--context", "--scope"],
                );
                if let Some(&v) = pos.get(1) {
                    push(out, a, s + 1 + v, 0);
                }
            }
        }
        "aws" if has(a, "put-parameter") => {
            flag_next(out, a, &["--value"]);
            attached(out, a, "--value=");
        }
        _ => {}
    }
}

/// Every `NAME=VALUE` argument (not a flag) from `from` on: the value.
pub(super) fn kv_values(out: &mut Vec<Hit>, a: &[Arg], from: usize) {
    for k in from..a.len() {
        let t = a[k].1;
        if !t.starts_with('-')
            && let Some(eq) = t.find('=')
            && eq > 0
        {
            push(out, a, k, eq + 1);
        }
    }
}

/// `KEY VALUE` pairs after a config verb: the value of a secret key.
fn key_value_pairs(out: &mut Vec<Hit>, a: &[Arg], pos: &[usize], all: bool) {
    let mut j = 0;
    while j < pos.len() {
        let key = a[pos[j]].1;
        if key.contains('=') {
            if all && let Some(eq) = key.find('=') {
                push(out, a, pos[j], eq + 1);
            }
            j += 1;
            continue;
        }
        // A switch (`env_auth true`) holds no secret.
        if let Some(&v) = pos.get(j + 1)
            && (all || is_secret_name(key))
            && !matches!(a[v].1, "true" | "false")
        {
            push(out, a, v, 0);
        }
        j += 2;
    }
}

/// `-o user=u%PW,password=PW,vers=3.0`: secret option values up to the
/// next comma.
pub(super) fn mount_options(out: &mut Vec<Hit>, a: &[Arg]) {
    for k in 0..a.len() {
        let (k, from) = match a[k].1 {
            "-o" | "--options" => (k + 1, 0),
            t if t.starts_with("-o") && t.len() > 2 && !t.starts_with("--") => (k, 2),
            _ => continue,
        };
        let Some(&(i, t)) = a.get(k) else { continue };
        let mut at = from;
        for opt in t[from..].split(',') {
            if let Some(eq) = opt.find('=') {
                let (name, value) = (&opt[..eq], &opt[eq + 1..]);
                let start = at + eq + 1;
                if is_secret_name(name) && !name.eq_ignore_ascii_case("credentials") {
                    if !value.is_empty() {
                        out.push((i, start..start + value.len()));
                    }
                } else if (name == "user" || name == "username")
                    && let Some(p) = value.find('%')
                    && p + 1 < value.len()
                {
                    out.push((i, start + p + 1..start + value.len()));
                }
            }
            at += opt.len() + 1;
        }
    }
}

/// `git config [--global] KEY VALUE` (and `git config set KEY VALUE`):
/// the value of a key naming a credential.
fn git_config(out: &mut Vec<Hit>, a: &[Arg]) {
    let Some(c) = index_of(a, "config") else {
        return;
    };
    let takes = [
        "-f",
        "--file",
        "--blob",
        "--type",
        "--default",
        "--comment",
        "--value",
    ];
    let pos: Vec<usize> = positionals(&a[c + 1..], &takes)
        .into_iter()
        .map(|k| k + c + 1)
        .filter(|&k| !matches!(a[k].1, "set" | "get" | "unset" | "list" | "edit"))
        .collect();
    let (Some(&key), Some(&value)) = (pos.first(), pos.get(1)) else {
        return;
    };
    if is_secret_config_key(a[key].1) {
        push(out, a, value, 0);
    }
}

/// A configuration key (`github.token`, `//r/:_authToken`, `_auth`) whose
/// value is a credential; keys that only name a helper, a user or a file
/// are not.
pub(super) fn is_secret_config_key(key: &str) -> bool {
    let last = key
        .rsplit(['.', ':', '/'])
        .next()
        .unwrap_or(key)
        .to_ascii_lowercase();
    const NOT: &[&str] = &["helper", "username", "user", "usehttppath"];
    is_secret_name(key)
        && !NOT.contains(&last.as_str())
        && !last.ends_with("file")
        && !last.ends_with("path")
}
