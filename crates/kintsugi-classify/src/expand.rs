//! Expansions computed statically: brace expansion and command substitutions
//! whose output is known (`$(pwd)`, `$(dirname …)`, `$(mktemp -d)`).

use crate::words::{Env, basename, resolve, split};
use std::path::Path;

/// Evaluate a command substitution whose output is known statically
/// (`pwd`, `echo x`, `dirname x`, `git rev-parse --show-toplevel`, `mktemp`).
pub(crate) fn static_subst(inner: &str, env: &Env) -> Option<String> {
    if env.budget == 0 || inner.len() > 512 {
        return None;
    }
    let sub = Env {
        vars: env.vars,
        home: env.home,
        cwd: env.cwd,
        project: env.project,
        budget: env.budget - 1,
    };
    let words = split(inner.trim(), &sub);
    if words.iter().any(|w| w.dynamic) || inner.contains(['|', ';', '&', '>', '<']) {
        return None;
    }
    let t: Vec<&str> = words.iter().map(|w| w.text.as_str()).collect();
    let abs = |x: &str| resolve(x, Path::new(env.cwd), Path::new(env.home));
    match t.as_slice() {
        ["pwd"] | ["pwd", "-P" | "-L"] => Some(env.cwd.to_string()),
        ["echo", rest @ ..] if !rest.first().is_some_and(|a| a.starts_with('-')) => {
            Some(rest.join(" "))
        }
        ["dirname", x] => {
            let a = abs(x);
            Some(
                a.rsplit_once('/')
                    .map(|(p, _)| {
                        if p.is_empty() {
                            "/".to_string()
                        } else {
                            p.to_string()
                        }
                    })
                    .unwrap_or_default(),
            )
        }
        ["basename", x] => Some(basename(x).to_string()),
        ["realpath" | "readlink", .., x] => Some(abs(x)),
        ["git", "rev-parse", "--show-toplevel"] => Some(env.project.unwrap_or(env.cwd).to_string()),
        ["mktemp", ..] => Some("/tmp/tmp.kintsugi".to_string()),
        ["printf", "%s", x] => Some(x.to_string()),
        _ => None,
    }
}

/// Bash brace expansion of one word: `{a,b}` and `{1..3}`; capped.
pub(crate) fn brace_expand(w: &str) -> Vec<String> {
    let mut work = vec![w.to_string()];
    let mut done = Vec::new();
    let mut guard = 0;
    while let Some(s) = work.pop() {
        guard += 1;
        if guard > MAX_BRACE * 4 || done.len() + work.len() > MAX_BRACE {
            done.push(s);
            continue;
        }
        match find_brace_group(&s) {
            Some((open, close, alts)) => {
                for a in alts.into_iter().rev() {
                    work.push(format!("{}{}{}", &s[..open], a, &s[close + 1..]));
                }
            }
            None => done.push(s),
        }
    }
    done
}

pub(crate) fn find_brace_group(s: &str) -> Option<(usize, usize, Vec<String>)> {
    let b = s.as_bytes();
    for open in 0..b.len() {
        if b[open] != b'{' || (open > 0 && b[open - 1] == b'$') {
            continue;
        }
        let mut depth = 0;
        let mut parts = Vec::new();
        let mut start = open + 1;
        for k in open..b.len() {
            match b[k] {
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        parts.push(s[start..k].to_string());
                        if parts.len() > 1 {
                            return Some((open, k, parts));
                        }
                        let inner = &s[open + 1..k];
                        if let Some((a, z)) = inner.split_once("..")
                            && let (Ok(a), Ok(z)) = (a.parse::<i64>(), z.parse::<i64>())
                            && (z - a).abs() < MAX_BRACE as i64
                        {
                            let v: Vec<String> = if a <= z {
                                (a..=z).map(|x| x.to_string()).collect()
                            } else {
                                (z..=a).rev().map(|x| x.to_string()).collect()
                            };
                            return Some((open, k, v));
                        }
                        break;
                    }
                }
                b',' if depth == 1 => {
                    parts.push(s[start..k].to_string());
                    start = k + 1;
                }
                _ => {}
            }
        }
    }
    None
}

const MAX_BRACE: usize = 64;
