//! Secrets found inside ONE word's unquoted text: `NAME=value` pairs (env
//! assignments, `--flag=value`, form and query parameters), `Name: value`
//! headers, JSON `"name": "value"` pairs, URL user info, bearer/basic
//! credentials, `pass:` arguments and well-known token shapes. Each scan
//! returns byte ranges of the text to blank.

use std::ops::Range;

/// Name words that mark a secret wherever they appear in a name.
const SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "passphrase",
    "secret",
    "token",
    "apikey",
    "accesskey",
    "privatekey",
    "pgpass",
    "authorization",
    "cookie",
    "signature",
    "storepass",
    "keypass",
];
/// Name parts (split on non-alphanumerics) that mark a secret.
const SECRET_PARTS: &[&str] = &[
    "key",
    "pass",
    "pwd",
    "pw",
    "auth",
    "sig",
    "pat",
    "jwt",
    "bearer",
    "credential",
    "credentials",
    "creds",
    "sas",
];

/// Does this variable, flag, parameter or header name name a secret?
pub(super) fn is_secret_name(name: &str) -> bool {
    if name == "PWD" || name == "OLDPWD" {
        return false;
    }
    let lower = name.to_ascii_lowercase();
    let compact: String = lower
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    SECRET_WORDS.iter().any(|w| compact.contains(w))
        || lower
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|p| SECRET_PARTS.contains(&p))
}

/// Is `--name` (dashes included) a flag whose value is a secret? Flags that
/// only point at a secret (`--password-file`, `--password-stdin`) or turn
/// one off (`--no-password`) are not.
pub(super) fn is_secret_flag(flag: &str) -> bool {
    let name = flag.trim_start_matches('-').to_ascii_lowercase();
    const NOT_VALUES: &[&str] = &[
        "-file", "-stdin", "-path", "-prompt", "-env", "-command", "-cmd", "-helper", "-dir",
    ];
    !name.is_empty()
        && !name.starts_with("no-")
        && !NOT_VALUES.iter().any(|s| name.ends_with(s))
        && is_secret_name(&name)
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b'[' | b']')
}

/// All secret ranges in one word's text.
pub(super) fn scan(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    assignments(text, &mut out);
    header(text, &mut out);
    json_pairs(text, &mut out);
    url_userinfo(text, &mut out);
    schemes(text, &mut out);
    if let Some(rest) = text.strip_prefix("pass:")
        && !rest.is_empty()
    {
        out.push(5..text.len());
    }
    tokens(text, &mut out);
    out
}

/// `NAME=value` anywhere in the word: `TOKEN=x`, `--password=x`,
/// `--from-literal=password=x`, `?a=1&api_key=x`.
fn assignments(text: &str, out: &mut Vec<Range<usize>>) {
    let b = text.as_bytes();
    for (eq, _) in text.match_indices('=') {
        let mut start = eq;
        while start > 0 && is_name_byte(b[start - 1]) {
            start -= 1;
        }
        let name = &text[start..eq];
        let secret = if name.starts_with('-') {
            is_secret_flag(name)
        } else {
            is_secret_name(name)
        };
        if !secret || name.is_empty() {
            continue;
        }
        let query = start > 0 && matches!(b[start - 1], b'?' | b'&' | b';');
        let end = if query {
            text[eq + 1..]
                .find(['&', '#', ';'])
                .map_or(text.len(), |i| eq + 1 + i)
        } else {
            next_pair(text, eq + 1)
        };
        if end > eq + 1 {
            out.push(eq + 1..end);
        }
    }
}

/// Where a value that starts at `from` ends: at a `,` or white space that
/// is followed by another `name=` (mount options `password=x,vers=3`,
/// conninfo strings `password=x dbname=y`), else at the end of the text.
fn next_pair(text: &str, from: usize) -> usize {
    let b = text.as_bytes();
    let mut i = from;
    while i < b.len() {
        if b[i] == b',' || b[i].is_ascii_whitespace() {
            let mut j = i + 1;
            while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_' || b[j] == b'-') {
                j += 1;
            }
            if j > i + 1 && j < b.len() && b[j] == b'=' {
                return i;
            }
        }
        i += 1;
    }
    text.len()
}

/// `Authorization: Bearer x`, `X-Api-Key: x`, also after `-H` or `--header=`.
fn header(text: &str, out: &mut Vec<Range<usize>>) {
    let Some(colon) = text.find(':') else { return };
    let b = text.as_bytes();
    let mut start = colon;
    while start > 0 && (b[start - 1].is_ascii_alphanumeric() || matches!(b[start - 1], b'-' | b'_'))
    {
        start -= 1;
    }
    let anchored = start == 0
        || b[start - 1] == b'='
        || (start == 2 && text.starts_with("-H"))
        || b[start - 1].is_ascii_whitespace();
    let name = &text[start..colon];
    if !anchored || name.is_empty() || !is_secret_name(name) || text[colon..].starts_with("://") {
        return;
    }
    let mut v = colon + 1;
    while v < b.len() && b[v] == b' ' {
        v += 1;
    }
    // Keep the scheme word (`Bearer `, `Basic `) readable.
    let rest = &text[v..];
    const SCHEMES: [&str; 4] = ["bearer", "basic", "token", "digest"];
    if SCHEMES.contains(&rest.to_ascii_lowercase().as_str()) {
        return;
    }
    if let Some(sp) = rest.find(' ')
        && SCHEMES.contains(&rest[..sp].to_ascii_lowercase().as_str())
    {
        v += sp + 1;
    }
    if v < text.len() {
        out.push(v..text.len());
    }
}

/// `"password": "x"` inside a JSON body.
fn json_pairs(text: &str, out: &mut Vec<Range<usize>>) {
    let b = text.as_bytes();
    let mut i = 0;
    while let Some(q) = text[i..].find('"').map(|q| q + i) {
        let Some(close) = text[q + 1..].find('"').map(|c| c + q + 1) else {
            return;
        };
        let name = &text[q + 1..close];
        let mut j = close + 1;
        while j < b.len() && b[j] == b' ' {
            j += 1;
        }
        if j < b.len() && b[j] == b':' && is_secret_name(name) {
            j += 1;
            while j < b.len() && b[j] == b' ' {
                j += 1;
            }
            if j < b.len() && b[j] == b'"' {
                let mut k = j + 1;
                while k < b.len() && b[k] != b'"' {
                    k += if b[k] == b'\\' { 2 } else { 1 };
                }
                let k = k.min(b.len());
                if k > j + 1 {
                    out.push(j + 1..k);
                }
                i = (k + 1).min(b.len());
                if !text.is_char_boundary(i) {
                    return;
                }
                continue;
            }
        }
        i = close + 1;
        if i >= b.len() {
            return;
        }
    }
}

/// `scheme://user:pass@host` (and a lone token as user info).
fn url_userinfo(text: &str, out: &mut Vec<Range<usize>>) {
    for (at, _) in text.match_indices("://") {
        let start = at + 3;
        let end = text[start..]
            .find(['/', '?', '#', ' ', '"', '\''])
            .map_or(text.len(), |i| start + i);
        let Some(userinfo_end) = text[start..end].rfind('@').map(|i| start + i) else {
            continue;
        };
        let userinfo = &text[start..userinfo_end];
        if let Some(colon) = userinfo.find(':') {
            if colon + 1 < userinfo.len() {
                out.push(start + colon + 1..userinfo_end);
            }
        } else if let Some(pct) = userinfo.find('%').filter(|&p| {
            !userinfo
                .get(p + 1..p + 3)
                .is_some_and(|h| h.bytes().all(|c| c.is_ascii_hexdigit()))
        }) {
            // `smb://user%PW@host`: Samba's user%password form.
            if pct + 1 < userinfo.len() {
                out.push(start + pct + 1..userinfo_end);
            }
        } else if userinfo.len() >= 16 && !userinfo.bytes().all(|b| b.is_ascii_lowercase()) {
            out.push(start..userinfo_end);
        }
    }
}

/// `Bearer x` / `Basic x` anywhere in the text.
fn schemes(text: &str, out: &mut Vec<Range<usize>>) {
    let lower = text.to_ascii_lowercase();
    for scheme in ["bearer ", "basic "] {
        for (i, _) in lower.match_indices(scheme) {
            if i > 0 && lower.as_bytes()[i - 1].is_ascii_alphanumeric() {
                continue;
            }
            let v = i + scheme.len();
            let end = text[v..]
                .find([' ', '"', '\'', ','])
                .map_or(text.len(), |e| v + e);
            if end - v >= 8 {
                out.push(v..end);
            }
        }
    }
}

fn alnum(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}
fn alnum_under(b: u8) -> bool {
    alnum(b) || b == b'_'
}
fn alnum_dash(b: u8) -> bool {
    alnum(b) || b == b'-'
}
fn alnum_dash_under(b: u8) -> bool {
    alnum(b) || b == b'-' || b == b'_'
}
fn upper_digit(b: u8) -> bool {
    b.is_ascii_uppercase() || b.is_ascii_digit()
}

/// Well-known token shapes: (prefix, body bytes, minimum body length, keep the prefix).
type Shape = (&'static str, fn(u8) -> bool, usize);
const SHAPES: &[Shape] = &[
    ("github_pat_", alnum_under, 20),
    ("ghp_", alnum_under, 20),
    ("gho_", alnum_under, 20),
    ("ghu_", alnum_under, 20),
    ("ghs_", alnum_under, 20),
    ("ghr_", alnum_under, 20),
    ("glpat-", alnum_dash_under, 20),
    ("xoxa-", alnum_dash, 10),
    ("xoxb-", alnum_dash, 10),
    ("xoxp-", alnum_dash, 10),
    ("xoxr-", alnum_dash, 10),
    ("xoxs-", alnum_dash, 10),
    ("xoxe-", alnum_dash, 10),
    ("xapp-", alnum_dash, 10),
    ("sk-", alnum_dash_under, 20),
    ("sk_live_", alnum, 10),
    ("sk_test_", alnum, 10),
    ("rk_live_", alnum, 10),
    ("AKIA", upper_digit, 16),
    ("ASIA", upper_digit, 16),
    ("AIza", alnum_dash_under, 30),
    ("npm_", alnum, 30),
    ("hf_", alnum, 30),
];

fn run(b: &[u8], from: usize, ok: fn(u8) -> bool) -> usize {
    let mut e = from;
    while e < b.len() && ok(b[e]) {
        e += 1;
    }
    e
}

/// Token shapes anywhere in the text, at a word boundary.
fn tokens(text: &str, out: &mut Vec<Range<usize>>) {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if !text.is_char_boundary(i) || (i > 0 && alnum_under(b[i - 1])) {
            i += 1;
            continue;
        }
        let rest = &text[i..];
        if let Some(&(prefix, ok, min)) = SHAPES.iter().find(|(p, _, _)| rest.starts_with(p)) {
            let body = i + prefix.len();
            let end = run(b, body, ok);
            if end - body >= min {
                out.push(body..end);
                i = end;
                continue;
            }
        }
        if rest.starts_with("eyJ") {
            let end = run(b, i, |c| alnum_dash_under(c) || c == b'.' || c == b'=');
            if text[i..end].matches('.').count() >= 2 && end - i >= 20 {
                out.push(i..end);
                i = end;
                continue;
            }
        }
        let end = run(b, i, |c| alnum(c) || c == b'/' || c == b'+');
        if end - i == 40 && (end == b.len() || !matches!(b[end], b'.' | b'_' | b'-')) {
            let s = &text[i..end];
            let has = |f: fn(&u8) -> bool| s.as_bytes().iter().any(f);
            if has(u8::is_ascii_uppercase)
                && has(u8::is_ascii_lowercase)
                && has(u8::is_ascii_digit)
                && !s.starts_with('/')
                && s.matches('/').count() <= 3
            {
                out.push(i..end);
            }
        }
        i = end.max(i + 1);
    }
}
