//! Secret redaction at capture. Every command line Kintsugi stores (ledger
//! events, queue items, snapshot manifests, the recorder's spool, logs) goes
//! through [`redact`] or [`redact_command`] first: secret VALUES are replaced
//! by [`REDACTED`] and everything else stays byte for byte as it was.
//!
//! What counts as a secret (conservative: over-redact rather than leak):
//! - assignments whose name says secret: `GITHUB_TOKEN=…`, `export
//!   AWS_SECRET_ACCESS_KEY=…`, `PGPASSWORD=…`, `MYSQL_PWD=…`, also inside
//!   flag values (`--from-literal=password=…`) and form bodies;
//! - credential flags: `--password …`, `--token=…`, `--api-key …` (not
//!   `--password-file`, `--password-stdin`, `--no-password`);
//! - program-specific flags: `mysql -pSECRET` (attached only: a detached
//!   `mysql -p db` prompts and `db` is a database), `curl -u user:SECRET`,
//!   `redis-cli -a`, `sshpass -p`, `docker login -p`, `gh secret set -b`,
//!   `aws configure set aws_secret_access_key …`;
//! - headers (`-H 'Authorization: Bearer …'`, `X-Api-Key: …`, `Cookie: …`),
//!   `Bearer`/`Basic` credentials, JSON `"password": "…"` pairs;
//! - URL user info (`https://user:SECRET@host`, `https://TOKEN@host`) and
//!   secret query parameters (`?token=…&api_key=…&sig=…`);
//! - token shapes: GitHub (`ghp_`, `gho_`, `github_pat_`, …), GitLab, Slack
//!   `xox?-`, OpenAI/Anthropic `sk-…`, Stripe, AWS `AKIA…`/`ASIA…` and
//!   40-character mixed-case secrets, Google `AIza…`, npm, Hugging Face,
//!   JWTs, and `-----BEGIN … PRIVATE KEY-----` blocks;
//! - positional and option credentials of known programs (`htpasswd -b F U
//!   PW`, `ssh-keygen -N PW`, `7z -pPW`, `vault login TOKEN`, `ldapsearch
//!   -w`, `smbclient -U u%PW`, …: `redact/programs.rs`), credential stores
//!   and config keys (`heroku config:set K=V`, `npm config set
//!   //r/:_authToken V`: `redact/stores.rs`), secrets fed on standard input
//!   (`echo PW | sudo -S`, `chpasswd <<< u:PW`: `redact/stdin.rs`) and SQL
//!   password literals anywhere (`PASSWORD 'PW'`: `redact/sql.rs`); here-
//!   document bodies are searched as lines of their own.
//!
//! What it cannot see: a secret with no tell-tale name, shape or program
//! position (`cat pw.txt | docker login --password-stdin` reads it at run
//! time), or one assembled at run time.
//!
//! Pure: no I/O, no state; it never fails and never panics on any input.

mod context;
mod programs;
mod scan;
mod sql;
mod stdin;
mod stores;
mod words;

#[cfg(test)]
mod tests;

use crate::types::ProposedCommand;
use std::borrow::Cow;
use std::ops::Range;
use words::Word;

/// What a secret value is replaced with.
pub const REDACTED: &str = "[REDACTED]";

/// `line` with every secret value replaced by [`REDACTED`]; borrowed when
/// nothing needed redacting.
pub fn redact(line: &str) -> Cow<'_, str> {
    apply(line, line_ranges(line, 0))
}

/// How deep quoted shell code inside a word (`bash -c '…'`, `ssh h '…'`)
/// is searched.
const MAX_NESTING: usize = 4;

/// Ranges of `line` to blank; words holding shell code of their own and
/// here-document bodies are searched as lines too.
fn line_ranges(line: &str, depth: usize) -> Vec<Range<usize>> {
    let split = words::split_line(line);
    let words = split.words;
    let (mut by_src, bodies) = word_ranges(&words, &split.heredocs);
    let mut all = by_src.remove(&0).unwrap_or_default();
    all.extend(pem_blocks(line));
    all.extend(sql::sql_passwords(line));
    for (body, shape) in bodies {
        let at = body.start;
        all.extend(
            stdin::lines(&line[body], shape)
                .into_iter()
                .map(|r| r.start + at..r.end + at),
        );
    }
    if depth < MAX_NESTING {
        for w in &words {
            all.extend(nested(w, depth));
        }
        for h in &split.heredocs {
            let at = h.body.start;
            all.extend(
                line_ranges(&line[h.body.clone()], depth + 1)
                    .into_iter()
                    .map(|r| r.start + at..r.end + at),
            );
        }
    }
    all
}

/// The secret values [`redact`] blanks in `line`, as written and as the
/// shell would pass them (quotes and escapes removed), so text derived from
/// the line (a reason quoting a URL, a summary) can be scrubbed of them.
pub fn secret_values(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    for r in line_ranges(line, 0) {
        if let Some(v) = line.get(r) {
            add_value(&mut out, v);
        }
    }
    out
}

/// The secret values of a command's `raw` and `argv` (see [`secret_values`]).
pub fn command_secrets(cmd: &ProposedCommand) -> Vec<String> {
    let mut out = secret_values(&cmd.raw);
    for (arg, ranges) in cmd.argv.iter().zip(argv_ranges(&cmd.argv)) {
        for r in ranges {
            if let Some(v) = arg.get(r) {
                add_value(&mut out, v);
            }
        }
    }
    out
}

fn add_value(out: &mut Vec<String>, v: &str) {
    let v = v.trim();
    if v.is_empty() || v == REDACTED {
        return;
    }
    let unquoted: Vec<String> = words::split_line(v)
        .words
        .into_iter()
        .map(|w| w.text)
        .collect();
    let unquoted = unquoted.join(" ");
    for s in [v.to_string(), unquoted] {
        if !s.is_empty() && !out.contains(&s) {
            out.push(s);
        }
    }
}

/// Secrets in a word that is itself a command line (it has spaces or
/// separators), mapped back to the word's source.
fn nested(w: &Word, depth: usize) -> Vec<Range<usize>> {
    if !w.text.contains(|c: char| c.is_whitespace() || c == ';') {
        return Vec::new();
    }
    line_ranges(&w.text, depth + 1)
        .into_iter()
        .filter_map(|r| w.source_range(r.start, r.end))
        .map(|(a, b)| a..b)
        .collect()
}

/// Every argument with its secret values replaced (arguments are already
/// split, so `--token` followed by its value is seen across two elements).
pub fn redact_argv(argv: &[String]) -> Vec<String> {
    argv.iter()
        .zip(argv_ranges(argv))
        .map(|(a, r)| apply(a, r).into_owned())
        .collect()
}

/// Per argument, the ranges to blank.
fn argv_ranges(argv: &[String]) -> Vec<Vec<Range<usize>>> {
    let words: Vec<Word> = argv
        .iter()
        .enumerate()
        .map(|(i, a)| Word::verbatim(i, a, i == 0))
        .collect();
    let (mut ranges, _) = word_ranges(&words, &[]);
    argv.iter()
        .enumerate()
        .map(|(i, a)| {
            let mut r = ranges.remove(&i).unwrap_or_default();
            r.extend(pem_blocks(a));
            r.extend(sql::sql_passwords(a));
            r.extend(nested(&words[i], 0));
            r
        })
        .collect()
}

/// Redact a command's `raw` and `argv` in place (the id, cwd, agent and
/// session stay as they are). True when anything changed.
pub fn redact_command(cmd: &mut ProposedCommand) -> bool {
    let mut changed = false;
    if let Cow::Owned(raw) = redact(&cmd.raw) {
        cmd.raw = raw;
        changed = true;
    }
    let argv = redact_argv(&cmd.argv);
    if argv != cmd.argv {
        cmd.argv = argv;
        changed = true;
    }
    changed
}

/// Ranges to blank per source index.
type BySource = std::collections::BTreeMap<usize, Vec<Range<usize>>>;
/// Here-document bodies (line ranges) whose lines are secrets, and how.
type Bodies = Vec<(Range<usize>, stdin::Shape)>;

/// Source ranges to blank, per source index; and here-document bodies
/// whose lines are secrets.
fn word_ranges(words: &[Word], heredocs: &[words::HereDoc]) -> (BySource, Bodies) {
    let mut by_src: BySource = Default::default();
    let mut add = |w: &Word, r: Range<usize>| {
        if let Some((a, b)) = w.source_range(r.start, r.end) {
            by_src.entry(w.src).or_default().push(a..b);
        }
    };
    for w in words {
        for r in scan::scan(&w.text) {
            add(w, r);
        }
    }
    for (i, r) in context::context(words) {
        add(&words[i], r);
    }
    for (i, r) in programs::programs(words) {
        add(&words[i], r);
    }
    let (hits, bodies) = stdin::stdin_secrets(words, heredocs);
    for (i, r) in hits {
        add(&words[i], r);
    }
    (by_src, bodies)
}

/// The bodies of PEM private key blocks (the BEGIN/END lines stay). A block
/// without an END runs to the end of the text.
fn pem_blocks(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(b) = text[from..].find("-----BEGIN ").map(|i| i + from) {
        let Some(h_end) = text[b + 11..].find("-----").map(|i| i + b + 16) else {
            break;
        };
        if !text[b..h_end].contains("PRIVATE KEY") {
            from = h_end;
            continue;
        }
        let end = text[h_end..]
            .find("-----END")
            .map_or(text.len(), |i| i + h_end);
        if end > h_end {
            out.push(h_end..end);
        }
        from = end.max(h_end);
        if from >= text.len() {
            break;
        }
    }
    out
}

/// Replace the (possibly overlapping) ranges of `text` with the marker.
fn apply(text: &str, mut ranges: Vec<Range<usize>>) -> Cow<'_, str> {
    ranges.retain(|r| r.start < r.end && r.end <= text.len());
    if ranges.is_empty() {
        return Cow::Borrowed(text);
    }
    ranges.sort_by_key(|r| r.start);
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for r in ranges {
        if r.end <= at {
            continue;
        }
        let start = r.start.max(at);
        // Ranges come from char positions; keep to char boundaries anyway.
        if !text.is_char_boundary(start) || !text.is_char_boundary(r.end) {
            continue;
        }
        out.push_str(&text[at..start]);
        if !out.ends_with(REDACTED) || start > at {
            out.push_str(REDACTED);
        }
        at = r.end;
    }
    out.push_str(&text[at..]);
    Cow::Owned(out)
}
