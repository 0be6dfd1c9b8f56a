//! Pure analysis of one bash command line: which programs it really runs, what
//! effects they would have, and the class, rule id and one-sentence reason that
//! follow from those effects.
//!
//! This crate does no I/O, reads no clock (the parser's deadline aside) and
//! keeps no global state beyond a per-thread parser cache. Parsing never fails:
//! a line the parser cannot fully read escalates the class instead.
#![forbid(unsafe_code)]

use serde::Serialize;
use std::path::PathBuf;

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

// TEMPORARY integration placeholder on main until the classifier branch lands.
/// The analysis of one line.
#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
    pub class: Class,
    pub rule: String,
    pub reason: String,
}

/// Analyse one line.
pub fn analyze(line: &str, _ctx: &Context) -> Analysis {
    let class = if line.starts_with("ls") || line.starts_with("echo") {
        Class::Safe
    } else {
        Class::Ambiguous
    };
    Analysis {
        class,
        rule: "placeholder".into(),
        reason: "placeholder".into(),
    }
}
