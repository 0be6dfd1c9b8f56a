//! Tier-2 scoring: a one-line summary and a 0–100 risk for non-safe commands.
//! A scorer may only escalate a verdict (e.g. a risky ambiguous command is
//! held even in notify mode); it never lowers a class or unlocks a hold.
//! `heuristic` is built in; a local model can implement the same trait.

use kintsugi_classify::{Analysis, Class, Context};

/// What a scorer says about one command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Score {
    pub summary: String,
    pub risk: u8,
}

/// Risk at or above which an ambiguous command is held even in notify mode.
pub const ESCALATE_AT: u8 = 70;

/// A scoring backend.
pub trait Scorer: Send + Sync {
    /// The name `status` reports, e.g. `heuristic`.
    fn name(&self) -> String;
    /// Score a non-safe analysis.
    fn score(&self, analysis: &Analysis, ctx: &Context) -> Score;
}

/// The built-in scorer: risk from the class and how many distinct effects the
/// command has; the summary is the analysis' own sentence, never a rewrite of
/// the command.
pub struct Heuristic;

impl Scorer for Heuristic {
    fn name(&self) -> String {
        "heuristic".into()
    }

    fn score(&self, analysis: &Analysis, _ctx: &Context) -> Score {
        let risk = match analysis.class {
            Class::Safe => 5,
            Class::Ambiguous => 40,
            Class::Catastrophic => 95,
        };
        Score {
            summary: analysis.reason.clone(),
            risk,
        }
    }
}
