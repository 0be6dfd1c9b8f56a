//! Secrets fed to a program's standard input: `echo PW | sudo -S …`,
//! `printf 'PW\n' | passwd --stdin u`, `chpasswd <<< user:PW`, `gh auth
//! login --with-token <<< T`, `docker login --password-stdin <<EOF …`.
//! The program decides: when it reads a secret on its input, what an
//! `echo`/`printf` before the pipe prints, its here-string and the lines
//! of its here-document bodies are secrets.

use super::programs::{Hit, base, commands};
use super::words::{HereDoc, Word};
use std::ops::Range;

/// What part of each input line is the secret.
#[derive(Clone, Copy, PartialEq, Debug)]
pub(super) enum Shape {
    /// The whole line.
    Whole,
    /// After the first `:` (`user:PW` for `chpasswd`).
    AfterColon,
    /// After the first `=` (`KEY=VALUE` lines).
    AfterEquals,
}

/// Does this simple command read a secret on standard input?
fn reads_secret(ws: &[Word]) -> Option<Shape> {
    let t: Vec<&str> = ws
        .iter()
        .filter(|w| !w.herestring)
        .map(|w| w.text.as_str())
        .collect();
    let has = |x: &str| t.contains(&x);
    let prog = |p: &str| t.iter().any(|w| base(w) == p);
    let short_flag = |c: char| {
        t.iter().any(|w| {
            w.len() > 1 && w.starts_with('-') && !w.starts_with("--") && w[1..].contains(c)
        })
    };
    if prog("chpasswd") {
        return Some(Shape::AfterColon);
    }
    if (prog("fly") || prog("flyctl")) && has("secrets") && has("import") {
        return Some(Shape::AfterEquals);
    }
    let whole = (prog("sudo") && (short_flag('S') || has("--stdin")))
        || (prog("passwd") && has("--stdin"))
        || prog("passwd") && t.len() <= 3
        || (prog("smbpasswd") && short_flag('s'))
        || (prog("htpasswd") && short_flag('i'))
        || has("--password-stdin")
        || has("--with-token")
        || has("--passwd-on-stdin")
        || (prog("glab") && has("--stdin"))
        || ((prog("vault") || prog("bao")) && has("login") && (has("-") || has("token=-")))
        || prog("kinit")
        || (prog("wrangler") && has("secret") && has("put"))
        || (prog("vercel") && has("env") && has("add"))
        || (prog("gh") && has("secret") && has("set") && !has("-b") && !has("--body"))
        || (prog("docker") && has("secret") && has("create"))
        || (prog("pass") && (has("insert") || has("add")))
        || (prog("keyring") && has("set"))
        || (prog("cryptsetup") && (has("open") || has("luksOpen") || has("luksFormat")));
    whole.then_some(Shape::Whole)
}

/// The secret part of `text` per line (byte ranges), dropping a trailing
/// `\n` written as two characters (printf's escape).
pub(super) fn lines(text: &str, shape: Shape) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut at = 0;
    for line in text.split('\n') {
        for piece in split_escaped_newlines(line) {
            let (s, e) = (at + piece.start, at + piece.end);
            let from = match shape {
                Shape::Whole => Some(s),
                Shape::AfterColon => text[s..e].find(':').map(|i| s + i + 1),
                Shape::AfterEquals => text[s..e].find('=').map(|i| s + i + 1),
            };
            if let Some(f) = from
                && f < e
            {
                out.push(f..e);
            }
        }
        at += line.len() + 1;
    }
    out
}

/// Pieces of a line between literal `\n` escapes.
fn split_escaped_newlines(line: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, _) in line.match_indices("\\n") {
        out.push(start..i);
        start = i + 2;
    }
    out.push(start..line.len());
    out.retain(|r| r.start < r.end);
    out
}

/// What `echo`/`printf` prints: its non-flag arguments (for `printf FMT
/// ARGS…` with a `%` in FMT, the ARGS).
fn printed(ws: &[Word], first: usize) -> Vec<usize> {
    let Some(p) = ws
        .iter()
        .position(|w| matches!(base(&w.text), "echo" | "printf"))
    else {
        return Vec::new();
    };
    let mut args: Vec<usize> = (p + 1..ws.len()).filter(|&k| !ws[k].herestring).collect();
    if base(&ws[p].text) == "echo" {
        while args.first().is_some_and(|&k| {
            let t = &ws[k].text;
            t.len() > 1 && t.starts_with('-') && t[1..].chars().all(|c| "neE".contains(c))
        }) {
            args.remove(0);
        }
    } else if args.first().is_some_and(|&k| ws[k].text.contains('%')) {
        args.remove(0);
    }
    args.into_iter().map(|k| first + k).collect()
}

/// Hits on words, plus here-document body ranges (in the line) to blank
/// per [`Shape`].
pub(super) fn stdin_secrets(
    words: &[Word],
    heredocs: &[HereDoc],
) -> (Vec<Hit>, Vec<(Range<usize>, Shape)>) {
    let mut hits = Vec::new();
    let mut bodies = Vec::new();
    let cmds = commands(words);
    for (c, cmd) in cmds.iter().enumerate() {
        let ws = &words[cmd.clone()];
        let Some(shape) = reads_secret(ws) else {
            continue;
        };
        for (k, w) in ws.iter().enumerate() {
            if w.herestring {
                for r in lines(&w.text, shape) {
                    hits.push((cmd.start + k, r));
                }
            }
        }
        for h in heredocs.iter().filter(|h| cmd.contains(&h.delimiter_word)) {
            bodies.push((h.body.clone(), shape));
        }
        // The producer before the pipe.
        if c > 0 && words[cmd.start].after_pipe {
            let prev = &cmds[c - 1];
            let pws = &words[prev.clone()];
            for k in printed(pws, prev.start) {
                for r in lines(&words[k].text, shape) {
                    hits.push((k, r));
                }
            }
            for (k, w) in pws.iter().enumerate() {
                if w.herestring && matches!(base(&pws[0].text), "cat") {
                    for r in lines(&w.text, shape) {
                        hits.push((prev.start + k, r));
                    }
                }
            }
            for h in heredocs.iter().filter(|h| prev.contains(&h.delimiter_word)) {
                bodies.push((h.body.clone(), shape));
            }
        }
    }
    (hits, bodies)
}
