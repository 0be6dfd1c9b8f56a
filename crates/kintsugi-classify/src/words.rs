//! Word normalisation: quote and escape removal, ANSI-C decoding, tilde and
//! variable substitution, `$IFS` splitting, brace expansion and path
//! resolution. This is how `r''m`, `"r"m`, `\rm` and `$'\x72m'` all become `rm`.

use crate::expand::{brace_expand, static_subst};
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

/// One shell word after expansion.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Word {
    /// The text after quote removal and the expansions we could resolve.
    /// Unresolved expansions stay verbatim (`$X`, `$(…)`).
    pub text: String,
    /// Contains an expansion we could not resolve statically.
    pub dynamic: bool,
    /// Contains unquoted glob characters.
    pub glob: bool,
}

impl Word {
    pub fn lit(s: &str) -> Word {
        Word {
            text: s.to_string(),
            dynamic: false,
            glob: false,
        }
    }

    /// What this word costs against `MAX_WORK`: its length plus a flat
    /// amount, more for a glob word (every word is resolved and judged; a
    /// glob word is also matched against program names and credential
    /// patterns), so a short value split into many words is bounded too.
    pub fn work(&self) -> usize {
        let each = if self.glob {
            crate::GLOB_WORD_WORK
        } else {
            crate::WORD_WORK
        };
        self.text.len() + each
    }
}

/// What expansions see: tracked assignments, home and cwd.
pub(crate) struct Env<'a> {
    pub vars: &'a HashMap<String, String>,
    pub home: &'a str,
    pub cwd: &'a str,
    /// The project root, for `$(git rev-parse --show-toplevel)`.
    pub project: Option<&'a str>,
    /// Remaining depth for evaluating nested `$(…)` statically.
    pub budget: u8,
}

mod computed;
pub(crate) use computed::{
    COMPUTED, assigned_value, builtin_assignments, computed_text, computed_use, transform_at,
    without_marker,
};

const MAX_WORDS: usize = 4096;
/// Longest word (in bytes) brace expansion is applied to; a longer word
/// with an unquoted `{` is dynamic.
const MAX_BRACE_WORD: usize = 4096;

struct Lexer<'a, 'e> {
    c: Vec<char>,
    i: usize,
    env: &'a Env<'e>,
    out: Vec<Word>,
    cur: Word,
    started: bool,
    braces: bool,
    /// More than `MAX_WORDS` words: the rest were not read.
    cut: bool,
}

/// Split `raw` into words the way bash would after expansion (as far as we
/// can statically). Unquoted whitespace separates words.
pub(crate) fn split(raw: &str, env: &Env) -> Vec<Word> {
    let mut lx = Lexer {
        c: raw.chars().collect(),
        i: 0,
        env,
        out: Vec::new(),
        cur: Word::default(),
        started: false,
        braces: false,
        cut: false,
    };
    lx.run();
    if lx.cut {
        // The words past the cap are unknown, not absent.
        lx.out.push(Word {
            text: "$(…)".into(),
            dynamic: true,
            glob: false,
        });
    }
    lx.out
}

impl Lexer<'_, '_> {
    fn finish(&mut self) {
        if self.started {
            let w = std::mem::take(&mut self.cur);
            if self.braces && w.text.len() > MAX_BRACE_WORD {
                // Too long to expand: what it expands to is unknown.
                self.push_out(Word { dynamic: true, ..w });
            } else if self.braces && w.text.contains('{') {
                for t in brace_expand(&w.text) {
                    self.push_out(Word {
                        text: t,
                        ..w.clone()
                    });
                }
            } else {
                self.push_out(w);
            }
        }
        self.started = false;
        self.braces = false;
    }

    fn push_out(&mut self, w: Word) {
        if self.out.len() < MAX_WORDS {
            self.out.push(w);
        } else {
            self.cut = true;
        }
    }

    fn run(&mut self) {
        let n = self.c.len();
        while self.i < n && !self.cut {
            let ch = self.c[self.i];
            if ch.is_whitespace() {
                self.finish();
                self.i += 1;
                continue;
            }
            if !self.started {
                self.started = true;
                if ch == '~' {
                    let nxt = self.c.get(self.i + 1).copied();
                    if nxt.is_none() || nxt == Some('/') || nxt.is_some_and(char::is_whitespace) {
                        let h = self.env.home.to_string();
                        self.cur.text.push_str(&h);
                        self.i += 1;
                        continue;
                    }
                    // `~user`: the home of that user.
                    let mut j = self.i + 1;
                    while j < self.c.len()
                        && (self.c[j].is_ascii_alphanumeric()
                            || matches!(self.c[j], '_' | '-' | '.'))
                    {
                        j += 1;
                    }
                    if j > self.i + 1
                        && (j == self.c.len() || self.c[j] == '/' || self.c[j].is_whitespace())
                    {
                        let user: String = self.c[self.i + 1..j].iter().collect();
                        let home = self.env.home;
                        let h = if basename(home) == user {
                            home.to_string()
                        } else if user == "root" {
                            "/root".to_string()
                        } else {
                            let parent = home
                                .rsplit_once('/')
                                .map(|(p, _)| p)
                                .filter(|p| !p.is_empty())
                                .unwrap_or("/home");
                            format!("{parent}/{user}")
                        };
                        self.cur.text.push_str(&h);
                        self.i = j;
                        continue;
                    }
                }
            }
            match ch {
                '\\' => {
                    if let Some(&nx) = self.c.get(self.i + 1) {
                        if nx != '\n' {
                            self.cur.text.push(nx);
                        }
                        self.i += 2;
                    } else {
                        self.i += 1;
                    }
                }
                '\'' => {
                    let end = find_char(&self.c, self.i + 1, '\'');
                    let s: String = self.c[self.i + 1..end].iter().collect();
                    self.cur.text.push_str(&s);
                    self.i = end + 1;
                }
                '"' => self.dquote(),
                '$' => self.dollar(false),
                '`' => {
                    let end = find_backtick(&self.c, self.i + 1);
                    let s: String = self.c[self.i..(end + 1).min(n)].iter().collect();
                    let inner: String = self.c[(self.i + 1).min(n)..end.min(n)].iter().collect();
                    self.i = end + 1;
                    match static_subst(&inner, self.env) {
                        Some(v) => self.push_value(&v, false),
                        None => {
                            self.cur.text.push_str(&s);
                            self.cur.dynamic = true;
                        }
                    }
                }
                '<' | '>' if self.c.get(self.i + 1) == Some(&'(') => {
                    let end = match_paren(&self.c, self.i + 2);
                    let s: String = self.c[self.i..(end + 1).min(n)].iter().collect();
                    self.cur.text.push_str(&s);
                    self.cur.dynamic = true;
                    self.i = end + 1;
                }
                '*' | '?' | '[' => {
                    self.cur.glob = true;
                    self.cur.text.push(ch);
                    self.i += 1;
                }
                '{' => {
                    self.braces = true;
                    self.cur.text.push(ch);
                    self.i += 1;
                }
                _ => {
                    self.cur.text.push(ch);
                    self.i += 1;
                }
            }
        }
        self.finish();
    }

    fn dquote(&mut self) {
        let n = self.c.len();
        self.i += 1;
        while self.i < n {
            let ch = self.c[self.i];
            match ch {
                '"' => {
                    self.i += 1;
                    return;
                }
                '\\' => {
                    match self.c.get(self.i + 1) {
                        Some(&nx @ ('$' | '`' | '"' | '\\')) => self.cur.text.push(nx),
                        Some('\n') => {}
                        Some(&nx) => {
                            self.cur.text.push('\\');
                            self.cur.text.push(nx);
                        }
                        None => {}
                    }
                    self.i += 2;
                }
                '$' => self.dollar(true),
                '`' => {
                    let end = find_backtick(&self.c, self.i + 1);
                    let s: String = self.c[self.i..(end + 1).min(n)].iter().collect();
                    self.cur.text.push_str(&s);
                    self.cur.dynamic = true;
                    self.i = end + 1;
                }
                _ => {
                    self.cur.text.push(ch);
                    self.i += 1;
                }
            }
        }
    }

    /// Push the value of a variable; unquoted values split on whitespace.
    fn push_value(&mut self, v: &str, quoted: bool) {
        if quoted {
            self.cur.text.push_str(v);
            return;
        }
        let ifs: Option<String> = self.env.vars.get("IFS").cloned();
        for ch in v.chars() {
            if self.cut {
                return;
            }
            let sep = match &ifs {
                Some(set) => set.contains(ch),
                None => ch.is_whitespace(),
            };
            if sep {
                self.finish();
            } else {
                self.started = true;
                self.cur.text.push(ch);
                if matches!(ch, '*' | '?' | '[') {
                    self.cur.glob = true;
                }
            }
        }
    }

    /// The statically known value of a variable, if any.
    fn known_value(&self, name: &str) -> Option<String> {
        match name {
            "HOME" => Some(self.env.home.to_string()),
            "PWD" => Some(self.env.cwd.to_string()),
            "TMPDIR" => Some("/tmp".into()),
            _ => self
                .env
                .vars
                .get(name)
                .filter(|v| !v.starts_with(COMPUTED))
                .cloned(),
        }
    }

    fn lookup(&mut self, name: &str, verbatim: &str, quoted: bool) {
        match name {
            "HOME" => {
                let h = self.env.home.to_string();
                self.cur.text.push_str(&h);
            }
            "PWD" => {
                let c = self.env.cwd.to_string();
                self.cur.text.push_str(&c);
            }
            "TMPDIR" => self.cur.text.push_str("/tmp"),
            "IFS" => {
                if quoted {
                    self.cur.text.push(' ');
                } else {
                    self.finish();
                }
            }
            _ => {
                if let Some(v) = self.env.vars.get(name) {
                    let v = v.clone();
                    if let Some(computed) = v.strip_prefix(COMPUTED) {
                        // Not split: one unknown word stands for the output.
                        self.started = true;
                        self.cur.text.push_str(&computed_use(computed));
                        self.cur.dynamic = true;
                    } else {
                        self.push_value(&v, quoted && name != "@");
                    }
                } else {
                    self.cur.text.push_str(verbatim);
                    self.cur.dynamic = true;
                }
            }
        }
    }

    /// Expand `text` (a default or alternative value) in place.
    fn push_words(&mut self, text: &str, verbatim: &str, quoted: bool) {
        if self.env.budget == 0 {
            self.cur.text.push_str(verbatim);
            self.cur.dynamic = true;
            return;
        }
        let inner_env = Env {
            vars: self.env.vars,
            home: self.env.home,
            cwd: self.env.cwd,
            project: self.env.project,
            budget: self.env.budget - 1,
        };
        let mut first = true;
        for w in split(text, &inner_env) {
            if !first && !quoted {
                self.finish();
            }
            self.started = true;
            first = false;
            self.cur.text.push_str(&w.text);
            self.cur.dynamic |= w.dynamic;
        }
    }

    fn dollar(&mut self, quoted: bool) {
        let n = self.c.len();
        let i = self.i;
        match self.c.get(i + 1).copied() {
            Some('\'') if !quoted => {
                let (s, end) = ansi_c(&self.c, i + 2);
                self.cur.text.push_str(&s);
                self.i = end;
            }
            Some('"') if !quoted => {
                self.i += 1;
                self.dquote();
            }
            Some('(') => {
                let end = match_paren(&self.c, i + 2);
                let s: String = self.c[i..(end + 1).min(n)].iter().collect();
                let inner: String = self.c[(i + 2).min(n)..end.min(n)].iter().collect();
                self.i = end + 1;
                match static_subst(&inner, self.env) {
                    Some(v) => self.push_value(&v, quoted),
                    None => {
                        self.cur.text.push_str(&s);
                        self.cur.dynamic = true;
                    }
                }
            }
            Some('{') => {
                let end = find_brace_end(&self.c, i + 2);
                let inner: String = self.c[i + 2..end.min(n)].iter().collect();
                let verbatim: String = self.c[i..(end + 1).min(n)].iter().collect();
                self.i = end + 1;
                let name_len = inner
                    .char_indices()
                    .find(|(_, ch)| !(ch.is_ascii_alphanumeric() || *ch == '_'))
                    .map(|(k, _)| k)
                    .unwrap_or(inner.len());
                let (name, rest) = inner.split_at(name_len);
                // `${!h}` with `h=HOME`: the variable `h` names.
                let target = inner.strip_prefix('!').and_then(|n| self.known_value(n));
                if let Some(t) = target.filter(|t| {
                    !t.is_empty() && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                }) {
                    self.lookup(&t, &verbatim, quoted);
                } else if name.is_empty() {
                    self.cur.text.push_str(&verbatim);
                    self.cur.dynamic = true;
                } else if rest.is_empty() {
                    self.lookup(name, &verbatim, quoted);
                } else if let Some(def) = rest
                    .strip_prefix(":-")
                    .or_else(|| rest.strip_prefix('-'))
                    .or_else(|| rest.strip_prefix(":="))
                    .or_else(|| rest.strip_prefix('='))
                {
                    if name == "HOME" || self.env.vars.contains_key(name) {
                        self.lookup(name, &verbatim, quoted);
                    } else {
                        self.push_words(def, &verbatim, quoted);
                    }
                } else if rest.starts_with(":?") || rest.starts_with('?') {
                    // The value, or an error when it is unset.
                    self.lookup(name, &verbatim, quoted);
                } else if let Some(alt) = rest.strip_prefix(":+").or_else(|| rest.strip_prefix('+'))
                {
                    // `${X:+alt}`: `alt` unless X is known to be empty (the
                    // worse reading when X is unknown).
                    if self.known_value(name).is_none_or(|v| !v.is_empty()) {
                        self.push_words(alt, &verbatim, quoted);
                    }
                } else if let Some(v) = self
                    .known_value(name)
                    .and_then(|v| crate::expand::param_op(&v, rest))
                {
                    self.push_value(&v, quoted);
                } else if matches!(rest, "[0]" | "[@]" | "[*]")
                    && let Some(v) = self.known_value(name)
                {
                    // A scalar is element 0 of itself (`${HOME[0]}`, a
                    // reference's `${r[0]}`).
                    self.push_value(&v, quoted);
                } else if let Some(c) = self.env.vars.get(name).filter(|_| rest.starts_with('['))
                    && let Some(computed) = c.strip_prefix(COMPUTED)
                {
                    // `mapfile -t a < f; rm -rf "${a[@]}"`: its elements.
                    let text = computed_use(computed);
                    self.started = true;
                    self.cur.text.push_str(&text);
                    self.cur.dynamic = true;
                } else {
                    self.cur.text.push_str(&verbatim);
                    self.cur.dynamic = true;
                }
            }
            Some(ch) if ch.is_ascii_alphabetic() || ch == '_' => {
                let mut j = i + 1;
                while j < n && (self.c[j].is_ascii_alphanumeric() || self.c[j] == '_') {
                    j += 1;
                }
                let name: String = self.c[i + 1..j].iter().collect();
                let verbatim: String = self.c[i..j].iter().collect();
                self.i = j;
                self.lookup(&name, &verbatim, quoted);
            }
            Some(ch) if ch.is_ascii_digit() || "@*#?$!-".contains(ch) => {
                let key = ch.to_string();
                let verbatim = format!("${ch}");
                self.i += 2;
                if self.env.vars.contains_key(&key) {
                    self.lookup(&key, &verbatim, quoted);
                } else {
                    self.cur.text.push_str(&verbatim);
                    self.cur.dynamic = true;
                }
            }
            _ => {
                self.cur.text.push('$');
                self.i += 1;
            }
        }
    }
}

fn find_char(c: &[char], from: usize, want: char) -> usize {
    (from..c.len()).find(|&k| c[k] == want).unwrap_or(c.len())
}

fn find_backtick(c: &[char], from: usize) -> usize {
    let mut k = from;
    while k < c.len() {
        match c[k] {
            '\\' => k += 2,
            '`' => return k,
            _ => k += 1,
        }
    }
    c.len()
}

fn find_brace_end(c: &[char], from: usize) -> usize {
    let mut depth = 1usize;
    let mut k = from;
    while k < c.len() {
        match c[k] {
            '\\' => k += 1,
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return k;
                }
            }
            _ => {}
        }
        k += 1;
    }
    c.len()
}

/// Index of the `)` closing a `(` opened just before `from` (quote-aware).
pub(crate) fn match_paren(c: &[char], from: usize) -> usize {
    let mut depth = 1usize;
    let mut k = from;
    while k < c.len() {
        match c[k] {
            '\\' => k += 1,
            '\'' => k = find_char(c, k + 1, '\''),
            '"' => {
                k += 1;
                while k < c.len() && c[k] != '"' {
                    if c[k] == '\\' {
                        k += 1;
                    }
                    k += 1;
                }
            }
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return k;
                }
            }
            _ => {}
        }
        k += 1;
    }
    c.len()
}

/// Decode a `$'…'` body starting at `from`; returns text and index after the
/// closing quote.
/// Decode printf / `echo -e` backslash escapes (`\x72`, `\155`, `\n`).
pub(crate) fn unescape(s: &str) -> String {
    let chars: Vec<char> = s
        .chars()
        .map(|c| if c == '\'' { '\u{1}' } else { c })
        .collect();
    ansi_c(&chars, 0).0.replace('\u{1}', "'")
}

pub(crate) fn ansi_c(c: &[char], from: usize) -> (String, usize) {
    let mut s = String::new();
    let mut k = from;
    let hex = |c: &[char], k: usize, max: usize| -> (u32, usize) {
        let mut v = 0u32;
        let mut m = 0;
        while m < max {
            match c.get(k + m).and_then(|ch| ch.to_digit(16)) {
                Some(d) => v = v * 16 + d,
                None => break,
            }
            m += 1;
        }
        (v, m)
    };
    while k < c.len() {
        let ch = c[k];
        if ch == '\'' {
            return (s, k + 1);
        }
        if ch != '\\' {
            s.push(ch);
            k += 1;
            continue;
        }
        let Some(&e) = c.get(k + 1) else {
            k += 1;
            continue;
        };
        k += 2;
        match e {
            'n' => s.push('\n'),
            't' => s.push('\t'),
            'r' => s.push('\r'),
            'a' => s.push('\x07'),
            'b' => s.push('\x08'),
            'e' | 'E' => s.push('\x1b'),
            'f' => s.push('\x0c'),
            'v' => s.push('\x0b'),
            'x' | 'u' | 'U' => {
                let max = match e {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                let (v, m) = hex(c, k, max);
                k += m;
                if let Some(d) = char::from_u32(v) {
                    s.push(d);
                }
            }
            '0'..='7' => {
                let mut v = e.to_digit(8).unwrap_or(0);
                let mut m = 0;
                while m < 2 {
                    match c.get(k).and_then(|ch| ch.to_digit(8)) {
                        Some(d) => v = v * 8 + d,
                        None => break,
                    }
                    k += 1;
                    m += 1;
                }
                if let Some(d) = char::from_u32(v) {
                    s.push(d);
                }
            }
            'c' => {
                if let Some(&x) = c.get(k) {
                    s.push(char::from_u32((x as u32) & 0x1f).unwrap_or('?'));
                    k += 1;
                }
            }
            other => s.push(other),
        }
    }
    (s, c.len())
}

/// The last path component of a program name (`/usr/bin/rm` → `rm`).
pub(crate) fn basename(s: &str) -> &str {
    s.rsplit('/').next().unwrap_or(s)
}

/// Resolve a word to an absolute, normalised path. Words that start with an
/// unresolved expansion are returned unchanged.
pub(crate) fn resolve(text: &str, cwd: &Path, home: &Path) -> String {
    if text.starts_with('$') || text.starts_with('`') || text.starts_with("<(") {
        return text.to_string();
    }
    let p: PathBuf = if let Some(rest) = text.strip_prefix("~/") {
        home.join(rest)
    } else if text == "~" {
        home.to_path_buf()
    } else if text.starts_with('/') {
        PathBuf::from(text)
    } else {
        cwd.join(text)
    };
    normalize(&p)
}

/// Lexically normalise `.` and `..` (never touching the filesystem).
pub(crate) fn normalize(p: &Path) -> String {
    // Most paths are already normal (absolute, no `.`, `..` or empty
    // parts): copy them as they are.
    if let Some(t) = p.to_str()
        && t.starts_with('/')
        && t[1..]
            .split('/')
            .all(|c| !c.is_empty() && c != "." && c != "..")
    {
        return t.to_string();
    }
    let mut parts: Vec<String> = Vec::new();
    for c in p.components() {
        match c {
            Component::RootDir | Component::Prefix(_) | Component::CurDir => {}
            Component::ParentDir => {
                parts.pop();
            }
            Component::Normal(s) => parts.push(s.to_string_lossy().into_owned()),
        }
    }
    format!("/{}", parts.join("/"))
}

#[cfg(test)]
mod tests;
