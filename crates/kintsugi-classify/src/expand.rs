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
        [
            "git",
            "rev-parse",
            "--git-dir" | "--absolute-git-dir" | "--git-common-dir",
        ] => Some(format!("{}/.git", env.project.unwrap_or(env.cwd))),
        ["git", "rev-parse", "--show-cdup"] => {
            // `../` once per directory between the cwd and the project root.
            let root = env.project.unwrap_or(env.cwd);
            let below = env.cwd.strip_prefix(root).unwrap_or("");
            Some("../".repeat(below.split('/').filter(|c| !c.is_empty()).count()))
        }
        ["ls", rest @ ..] => listed(rest, &abs),
        ["mktemp", ..] => Some("/tmp/tmp.kintsugi".to_string()),
        ["printf", "%s", x] => Some(x.to_string()),
        _ => None,
    }
}

/// What `ls ARGS` prints when that is known without the file system: with
/// `-d`, or when every argument is a glob, the arguments themselves (as
/// the globs that match them). `None` otherwise (a directory argument
/// prints its entries, a file argument itself, and which one it is is not
/// known).
fn listed(args: &[&str], abs: &dyn Fn(&str) -> String) -> Option<String> {
    let (opts, paths): (Vec<&str>, Vec<&str>) = args.iter().partition(|a| a.starts_with('-'));
    if paths.is_empty()
        || !opts
            .iter()
            .all(|o| o[1..].chars().all(|c| "1aAdtrS".contains(c)))
    {
        return None;
    }
    let dirs_only = opts.iter().any(|o| o.contains('d'));
    if !dirs_only && !paths.iter().all(|p| p.contains(['*', '?', '['])) {
        return None;
    }
    Some(paths.iter().map(|p| abs(p)).collect::<Vec<_>>().join(" "))
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
    // Every `{` with its matching `}`, in one pass: scanning from each `{`
    // to its end was quadratic in the braces of a long word (a value of
    // unclosed `{` doubled again and again took seconds).
    let mut close_of = vec![usize::MAX; b.len()];
    let mut open_at = Vec::new();
    for (k, &c) in b.iter().enumerate() {
        if c == b'{' {
            open_at.push(k);
        } else if c == b'}'
            && let Some(o) = open_at.pop()
        {
            close_of[o] = k;
        }
    }
    for open in 0..b.len() {
        if b[open] != b'{' || (open > 0 && b[open - 1] == b'$') || close_of[open] == usize::MAX {
            continue;
        }
        let close = close_of[open];
        // The commas of this group, stepping over the groups inside it.
        let mut parts = Vec::new();
        let mut start = open + 1;
        let mut k = open + 1;
        while k < close {
            match b[k] {
                b'{' if close_of[k] < close => k = close_of[k],
                b',' => {
                    parts.push(s[start..k].to_string());
                    start = k + 1;
                }
                _ => {}
            }
            k += 1;
        }
        if !parts.is_empty() {
            parts.push(s[start..close].to_string());
            return Some((open, close, parts));
        }
        let inner = &s[open + 1..close];
        if let Some((a, z)) = inner.split_once("..")
            && let (Ok(a), Ok(z)) = (a.parse::<i64>(), z.parse::<i64>())
            && (z - a).abs() < MAX_BRACE as i64
        {
            let v: Vec<String> = if a <= z {
                (a..=z).map(|x| x.to_string()).collect()
            } else {
                (z..=a).rev().map(|x| x.to_string()).collect()
            };
            return Some((open, close, v));
        }
    }
    None
}

const MAX_BRACE: usize = 64;

/// Longest value (in characters) a wildcard prefix or suffix removal
/// (`${X%%*/}`, `${X#*.}`) is applied to; longer values stay dynamic.
const MAX_PATTERN_VALUE: usize = 256;

/// Apply a parameter-expansion operator (`%pat`, `%%pat`, `#pat`, `##pat`,
/// `:off`, `:off:len`, `/pat/rep`, `//pat/rep`, `^`, `^^`, `,`, `,,`) to a
/// known value. Patterns are literal text with `*` and `?` wildcards.
/// `None` for anything else (the caller keeps the word dynamic).
pub(crate) fn param_op(value: &str, op: &str) -> Option<String> {
    let chars: Vec<char> = value.chars().collect();
    let n = chars.len();
    // Prefix and suffix removal tries every split point against the pattern
    // (quadratic): a wildcard pattern over a long value is left dynamic.
    if n > MAX_PATTERN_VALUE && op.starts_with(['%', '#']) && op.contains(['*', '?', '[']) {
        return None;
    }
    let sub = |a: usize, b: usize| chars[a..b].iter().collect::<String>();
    // Split points are tried on the characters in place: nothing is built
    // until the answer (fuzz-found: two strings per split point, per word).
    let pat = |p: &str| p.chars().collect::<Vec<char>>();
    if let Some(p) = op.strip_prefix("%%").map(pat) {
        let k = (0..=n).find(|&k| pattern_match(&p, &chars[k..]));
        return Some(k.map_or(value.into(), |k| sub(0, k)));
    }
    if let Some(p) = op.strip_prefix('%').map(pat) {
        let k = (0..=n).rev().find(|&k| pattern_match(&p, &chars[k..]));
        return Some(k.map_or(value.into(), |k| sub(0, k)));
    }
    if let Some(p) = op.strip_prefix("##").map(pat) {
        let k = (0..=n).rev().find(|&k| pattern_match(&p, &chars[..k]));
        return Some(k.map_or(value.into(), |k| sub(k, n)));
    }
    if let Some(p) = op.strip_prefix('#').map(pat) {
        let k = (0..=n).find(|&k| pattern_match(&p, &chars[..k]));
        return Some(k.map_or(value.into(), |k| sub(k, n)));
    }
    if let Some(r) = op.strip_prefix(':') {
        if r.starts_with(['-', '=', '?', '+']) {
            return None;
        }
        let (off, len) = match r.split_once(':') {
            Some((o, l)) => (o.trim(), Some(l.trim())),
            None => (r.trim(), None),
        };
        let off = arith(off)?;
        let start = if off < 0 {
            (n as i64 + off).max(0) as usize
        } else {
            (off as usize).min(n)
        };
        let end = match len {
            None => n,
            Some(l) => {
                let l = arith(l)?;
                if l < 0 {
                    ((n as i64) + l).max(start as i64) as usize
                } else {
                    (start + l as usize).min(n)
                }
            }
        };
        return Some(sub(start, end.max(start)));
    }
    if let Some(r) = op.strip_prefix('/') {
        let (all, r) = match r.strip_prefix('/') {
            Some(r) => (true, r),
            None => (false, r),
        };
        let (pat, rep) = r.split_once('/').unwrap_or((r, ""));
        if pat.contains(['*', '?', '[']) || pat.is_empty() {
            return None;
        }
        return Some(if all {
            value.replace(pat, rep)
        } else {
            value.replacen(pat, rep, 1)
        });
    }
    // A case change of a path names another path on a case-sensitive
    // file system and the same one on a case-insensitive one (macOS): what
    // it reaches is not known.
    if op.starts_with(['^', ',', '~']) && value.contains('/') {
        return None;
    }
    match op {
        "^^" => Some(value.to_uppercase()),
        ",," => Some(value.to_lowercase()),
        "^" | "," => {
            let mut c = value.chars();
            Some(match c.next() {
                Some(f) if op == "^" => f.to_uppercase().chain(c).collect(),
                Some(f) => f.to_lowercase().chain(c).collect(),
                None => String::new(),
            })
        }
        _ => None,
    }
}

/// A substring offset or length as bash reads it: an arithmetic expression,
/// here only an integer, empty (`${X::5}` is `${X:0:5}`), parenthesised
/// (`${X:(-4)}`) or one `+`, `-` or `*` between two integers. `None` for
/// anything else (the word stays dynamic).
fn arith(t: &str) -> Option<i64> {
    let t = t.trim();
    let t = t
        .strip_prefix('(')
        .and_then(|x| x.strip_suffix(')'))
        .unwrap_or(t)
        .trim();
    if t.is_empty() {
        return Some(0);
    }
    if let Ok(v) = t.parse::<i64>() {
        return Some(v);
    }
    let k = t
        .char_indices()
        .skip(1)
        .find(|(_, c)| matches!(c, '+' | '-' | '*'))?
        .0;
    let (a, b) = (
        t[..k].trim().parse::<i64>().ok()?,
        t[k + 1..].trim().parse::<i64>().ok()?,
    );
    match &t[k..k + 1] {
        "+" => a.checked_add(b),
        "-" => a.checked_sub(b),
        _ => a.checked_mul(b),
    }
}

/// A parameter-expansion pattern: `*` and `?` match any character, `/`
/// included (unlike a path glob, where `*` stops at `/`).
fn pattern_match(p: &[char], t: &[char]) -> bool {
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(sp) = star {
            pi = sp + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod brace_tests {
    use super::brace_expand;

    #[test]
    fn groups_nested_unclosed_and_ranges() {
        assert_eq!(brace_expand("{a,{b,c}}"), ["a", "b", "c"]);
        assert_eq!(brace_expand("x{a{1..2},d}y"), ["xa1y", "xa2y", "xdy"]);
        assert_eq!(brace_expand("{ {a,b}"), ["{ a", "{ b"]);
        assert_eq!(brace_expand("${X}{a,b}"), ["${X}a", "${X}b"]);
        assert_eq!(brace_expand("{a}{b"), ["{a}{b"]);
    }

    /// Fuzz-found: a value of unclosed `{` doubled again and again; each
    /// `{` was scanned to the end of the word (seconds).
    #[test]
    fn many_unclosed_braces_are_one_pass() {
        let w = format!("{}{{a,b}}", "{c[@".repeat(20_000));
        let out = brace_expand(&w);
        assert_eq!(out.len(), 2);
        assert!(out[0].ends_with("{c[@a"));
    }
}

#[cfg(test)]
mod subst_tests {
    use super::static_subst;
    use crate::words::Env;
    use std::collections::HashMap;

    fn run(inner: &str, cwd: &str) -> Option<String> {
        let vars = HashMap::new();
        let env = Env {
            vars: &vars,
            home: "/home/dev",
            cwd,
            project: Some("/home/dev/proj"),
            budget: 4,
        };
        static_subst(inner, &env)
    }

    #[test]
    fn git_paths_and_listings_are_known() {
        let p = "/home/dev/proj";
        assert_eq!(
            run("git rev-parse --git-dir", p).unwrap(),
            "/home/dev/proj/.git"
        );
        assert_eq!(run("git rev-parse --show-cdup", p).unwrap(), "");
        assert_eq!(
            run("git rev-parse --show-cdup", "/home/dev/proj/a/b").unwrap(),
            "../../"
        );
        assert_eq!(run("ls -d ~", p).unwrap(), "/home/dev");
        assert_eq!(run("ls ~/.ssh/id_*", p).unwrap(), "/home/dev/.ssh/id_*");
        assert_eq!(
            run("ls -1d src tests", p).unwrap(),
            "/home/dev/proj/src /home/dev/proj/tests"
        );
        assert!(run("ls ~", p).is_none(), "a directory prints its entries");
        assert!(
            run("ls -l ~/.ssh/id_*", p).is_none(),
            "a long listing is not paths"
        );
        assert!(run("ls", p).is_none());
    }
}

#[cfg(test)]
mod param_tests {
    use super::param_op;

    #[test]
    fn operators() {
        let h = "/home/dev/";
        assert_eq!(param_op(h, "%/").unwrap(), "/home/dev");
        assert_eq!(param_op("/home/dev", ":0:50").unwrap(), "/home/dev");
        assert_eq!(param_op("/home/dev", ":0:5").unwrap(), "/home");
        assert_eq!(param_op("/home/dev", "/dev/dev").unwrap(), "/home/dev");
        assert_eq!(param_op("/home/xyz", "/xyz/dev").unwrap(), "/home/dev");
        assert_eq!(param_op("/home/dev/proj", "%/*").unwrap(), "/home/dev");
        assert_eq!(param_op("/home/dev/proj", "%%/p*").unwrap(), "/home/dev");
        assert_eq!(param_op("/x/home/dev", "#/x").unwrap(), "/home/dev");
        assert_eq!(param_op("a/b/c", "##*/").unwrap(), "c");
        assert_eq!(param_op("HOME", ",,").unwrap(), "home");
        assert!(param_op("x", ":-y").is_none());
    }

    /// Substring offsets as bash reads them: empty, negative, parenthesised
    /// or a small sum; anything else is left unresolved.
    #[test]
    fn substring_offsets_are_arithmetic() {
        let h = "/home/dev";
        assert_eq!(param_op(h, "::5").unwrap(), "/home");
        assert_eq!(param_op(h, ": -4").unwrap(), "/dev");
        assert_eq!(param_op(h, ":(-4)").unwrap(), "/dev");
        assert_eq!(param_op(h, ":0:2+3").unwrap(), "/home");
        assert_eq!(param_op(h, ":1*0:9-4").unwrap(), "/home");
        assert_eq!(param_op(h, ":0:-4").unwrap(), "/home");
        assert!(param_op(h, ":0:${#X}").is_none());
        assert!(param_op(h, ":$N").is_none());
    }

    /// A case change of a path is not resolved (on macOS `/HOME/DEV` is
    /// the home directory); of a plain word it is.
    #[test]
    fn case_changes_of_paths_are_unknown() {
        assert!(param_op("/home/dev", "^^").is_none());
        assert!(param_op("/home/dev", ",,").is_none());
        assert!(param_op("/home/dev", "~~").is_none());
        assert_eq!(param_op("RM", ",,").unwrap(), "rm");
        assert_eq!(param_op("rm", "^").unwrap(), "Rm");
    }

    /// Fuzz-found: `${X%%*/x}` over a long value of slashes, fifty times in
    /// one line, tried every split point (quadratic, 87 ms).
    #[test]
    fn wildcard_removal_over_a_long_value_is_left_dynamic() {
        let long = "/".repeat(1000);
        assert!(param_op(&long, "%%*/x").is_none());
        assert!(param_op(&long, "#*/").is_none());
        assert_eq!(
            param_op(&long, "%/").unwrap().len(),
            999,
            "no wildcard: applied"
        );
        let short = "/".repeat(200);
        assert_eq!(param_op(&short, "%%*/x").unwrap(), short);
    }
}
