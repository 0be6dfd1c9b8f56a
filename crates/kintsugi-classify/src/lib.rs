//! Pure analysis of one bash command line: which programs it really runs, what
//! effects they would have, and the class, rule id and one-sentence reason that
//! follow from those effects.
//!
//! This crate does no I/O, reads no clock (the parser's deadline aside) and
//! keeps no global state beyond a per-thread parser cache. Parsing never fails:
//! a line the parser cannot fully read escalates the class instead.
#![forbid(unsafe_code)]
// Rule tables read best as written (`!a && !b` lists of exclusions).
#![allow(clippy::nonminimal_bool)]

use serde::Serialize;
use std::path::PathBuf;
use std::time::Duration;

mod arrays;
mod cd_fail;
pub mod corpus;
mod downstream;
mod effects;
mod engine;
mod env_hooks;
mod expand;
mod functions;
mod listed;
mod namerefs;
mod parse;
mod paths;
mod pipes;
mod programs;
mod rules;
mod safe_list;
mod secret_paths;
mod unwrap;
mod words;
mod wrappers;

pub use effects::Effect;
pub use programs::scripts::MAX_SCRIPT_BYTES;
pub use programs::table::SHIMS;

/// Lines longer than this are not parsed (class at least ambiguous, `limit:too-large`).
pub const MAX_LINE_BYTES: usize = 64 * 1024;
/// How many payload layers (`bash -c` in `eval` in `ssh` …) are unwrapped.
pub const MAX_NESTING: usize = 8;
/// Parser deadline per parse (checked from tree-sitter's progress callback).
pub const PARSE_BUDGET: Duration = Duration::from_millis(10);
/// Parser time over one whole analysis (the line, payloads, function
/// bodies, scripts it runs): past it nothing more is parsed and the line is
/// at least ambiguous (`limit:parse-time`). Keeps malformed input that
/// makes the parser recover again and again from taking long.
pub const LINE_PARSE_BUDGET: Duration = Duration::from_millis(15);
/// Cap on syntax nodes walked over the whole analysis of one line.
pub const MAX_NODES: usize = 200_000;
/// Cap on shell-function bodies expanded over one analysis: each call of a
/// function defined in the line analyses its body again (its arguments may
/// differ), so calls that fan out (`f(){ f|f; f|f; };f`) would otherwise
/// grow exponentially. Past the cap the line is at least ambiguous.
pub const MAX_FUNCTION_CALLS: usize = 256;
/// How many times one function may be on the call stack at once: a
/// recursive call is analysed once more (its arguments may reach further),
/// not again and again.
pub const MAX_RECURSION: usize = 2;
/// Cap on `for` loop bodies analysed over one line (each value of the loop
/// analyses the body again, and nested loops multiply); past it the line is
/// at least ambiguous (`limit:loops`).
pub const MAX_LOOP_BODIES: usize = 64;
/// Cap on the fragments parse recovery analyses over one line (recovery
/// runs only where the parser failed, so the line is a limit or a parse
/// error already).
pub const MAX_RECOVERED: usize = 512;
/// Cap on bytes of words expanded over one analysis (nested substitutions
/// make naive expansion quadratic).
pub const MAX_WORK: usize = 1024 * 1024;
/// Work (in bytes of `MAX_WORK`) each word that expansion produces costs on
/// top of its length: every word is resolved and judged later, so past
/// about 16,000 words over one analysis the line is `limit:work`.
pub const WORD_WORK: usize = 64;
/// What a word with unquoted glob characters costs instead: it is matched
/// against program names and credential patterns too (about 4,000 such
/// words over one analysis).
pub const GLOB_WORD_WORK: usize = 256;

/// One program the line would really run, after peeling wrappers.
#[derive(Debug, Clone, Serialize)]
pub struct Program {
    /// The argv after peeling (`sudo env X=1 rm -rf a` → `rm -rf a`).
    pub argv: Vec<String>,
    /// Wrappers and payload sources peeled on the way (`["sudo", "bash -c"]`).
    pub via: Vec<String>,
}

/// The result of analysing one line.
#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
    /// The worst class among the effects (safe when there are none).
    pub class: Class,
    /// Stable rule id of the deciding effect (e.g. `rm:recursive-home`).
    pub rule: String,
    /// One plain sentence explaining the decision.
    pub reason: String,
    /// Every program found, in source order.
    pub commands: Vec<Program>,
    /// Every effect found, deduplicated.
    pub effects: Vec<Effect>,
    /// False when the parser rejected part of the line or a cap was hit.
    pub parse_complete: bool,
}

/// Analyse one bash line. Never panics and never fails: anything that cannot
/// be read escalates the class instead.
pub fn analyze(line: &str, ctx: &Context) -> Analysis {
    if line.len() > MAX_LINE_BYTES {
        let e = Effect::Limit {
            what: "too-large".into(),
        };
        let (class, rule, reason) = rules::judge(&e, ctx);
        return Analysis {
            class,
            rule,
            reason,
            commands: Vec::new(),
            effects: vec![e],
            parse_complete: false,
        };
    }
    let eng = engine::Walker::new(ctx);
    finish(eng, line, ctx)
}

/// Analyse one bash line, reading the scripts it runs (`./x.sh`, `bash x`,
/// `python3 x.py`, `source x`) through `read`: given an absolute path, it
/// returns the file's text, or `None` when the file is missing, not a
/// regular file or unreadable (the caller caps the size and refuses
/// devices, FIFOs and pseudo-files). The classifier itself does no I/O.
pub fn analyze_with_files(
    line: &str,
    ctx: &Context,
    read: &dyn Fn(&str) -> Option<String>,
) -> Analysis {
    if line.len() > MAX_LINE_BYTES {
        return analyze(line, ctx);
    }
    let mut eng = engine::Walker::new(ctx);
    eng.reader = Some(read);
    finish(eng, line, ctx)
}

fn finish<'a>(mut eng: engine::Walker<'a>, line: &str, ctx: &'a Context) -> Analysis {
    let _memo = parse::Memo::start();
    let reader = eng.reader;
    eng.run_script(line, &[], 0, &engine::Stdin::Terminal);
    let (mut class, mut rule, mut reason) =
        rules::worst_or_safe_verdict(&eng.effects, &eng.commands, ctx);
    // A `cd` that can fail: judged again as failed (`cd_fail.rs`).
    if eng.cd.unsure && class != Class::Catastrophic {
        let mut again = engine::Walker::new(ctx);
        again.reader = reader;
        again.cd.fails = true;
        again.run_script(line, &[], 0, &engine::Stdin::Terminal);
        let v = rules::worst_or_safe_verdict(&again.effects, &again.commands, ctx);
        if v.0 > class {
            (class, rule) = (v.0, v.1);
            reason = format!("If its `cd` fails: {}", v.2);
            eng = again;
        }
    }
    if let Some(at) = script_line(&eng, class, ctx) {
        reason = format!("{} ({at})", reason.trim_end_matches('.'));
    }
    Analysis {
        class,
        rule,
        reason,
        commands: eng.commands,
        effects: eng.effects,
        parse_complete: eng.complete,
    }
}

/// Where inside a script the deciding effect came from: "`x.sh` line 3:
/// `rm -rf ~`", found by judging the script's lines one by one.
fn script_line(eng: &engine::Walker<'_>, class: Class, ctx: &Context) -> Option<String> {
    if class == Class::Safe {
        return None;
    }
    let deciding = eng
        .effects
        .iter()
        .position(|e| rules::judge(e, ctx).0 == class)?;
    let span = eng
        .scripts
        .iter()
        .rev()
        .find(|s| s.first_effect <= deciding)?;
    for (n, l) in span.content.lines().enumerate() {
        let t = l.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        if analyze(t, ctx).class == class {
            let shown: String = t.chars().take(80).collect();
            return Some(format!("in `{}` line {}: `{shown}`", span.name, n + 1));
        }
    }
    Some(format!("in `{}`", span.name))
}

/// How dangerous a command line is. Ordered: `Safe < Ambiguous < Catastrophic`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Class {
    /// Read-only, confined build/test/lint work, or local reversible git.
    Safe,
    /// Changes things a human should glance at.
    Ambiguous,
    /// Irreversible, exfiltrating, or removing the operator's control.
    Catastrophic,
}

impl Class {
    /// The lowercase wire word: `safe`, `ambiguous` or `catastrophic`.
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Safe => "safe",
            Class::Ambiguous => "ambiguous",
            Class::Catastrophic => "catastrophic",
        }
    }
}

impl std::str::FromStr for Class {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "safe" => Ok(Class::Safe),
            "ambiguous" => Ok(Class::Ambiguous),
            "catastrophic" => Ok(Class::Catastrophic),
            other => Err(format!(
                "unknown class `{other}`: expected safe, ambiguous or catastrophic"
            )),
        }
    }
}

/// Where the line would run. Paths in effects are resolved against these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    /// The working directory (need not exist).
    pub cwd: PathBuf,
    /// The user's home directory (what `~` and `$HOME` expand to).
    pub home: PathBuf,
    /// The project root (e.g. the git work tree), when known.
    pub project_root: Option<PathBuf>,
}

#[cfg(test)]
pub(crate) mod testutil {
    //! Helpers for the unit tests beside each program family.
    use super::{Context, analyze};
    use std::path::PathBuf;

    /// cwd = project root = /home/dev/proj, home /home/dev.
    pub(crate) fn project_ctx() -> Context {
        Context {
            cwd: PathBuf::from("/home/dev/proj"),
            home: PathBuf::from("/home/dev"),
            project_root: Some(PathBuf::from("/home/dev/proj")),
        }
    }

    /// Assert each `(line, class)` pair in [`project_ctx`].
    pub(crate) fn expect(cases: &[(&str, &str)]) {
        let ctx = project_ctx();
        let mut bad = Vec::new();
        for (line, want) in cases {
            let a = analyze(line, &ctx);
            if a.class.as_str() != *want {
                bad.push(format!(
                    "{line:?}: want {want}, got {} ({}: {})",
                    a.class.as_str(),
                    a.rule,
                    a.reason
                ));
            }
        }
        assert!(bad.is_empty(), "\n{}", bad.join("\n"));
    }
}
