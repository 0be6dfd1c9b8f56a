//! Tier-2 scoring: a one-line summary and a 0–100 risk for non-safe commands.
//! A scorer may only escalate a verdict (e.g. a risky ambiguous command is
//! held even in notify mode); it never lowers a class or unlocks a hold.
//! `heuristic` is built in and always scores; a local model (`model.rs`)
//! is asked asynchronously with the facts below, and `merge` keeps the
//! higher risk, so the model can only raise it.

use kintsugi_classify::{Analysis, Class, Context};
use kintsugi_model::prompt::Facts;

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

/// The final risk: the model may raise the heuristic's, never lower it.
pub fn merge(heuristic: u8, model: u8) -> u8 {
    heuristic.max(model.min(100))
}

/// What the model is told: the command (scrubbed, quoted by the prompt) and
/// the analysis' findings as facts.
pub fn facts<'a>(line: &'a str, analysis: &'a Analysis, ctx: &Context) -> Facts<'a> {
    Facts {
        command: line,
        class: match analysis.class {
            Class::Safe => "safe",
            Class::Ambiguous => "ambiguous",
            Class::Catastrophic => "catastrophic",
        },
        rule: &analysis.rule,
        reason: &analysis.reason,
        effects: analysis.effects.iter().map(|e| e.describe(ctx)).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_only_raises() {
        assert_eq!(merge(40, 10), 40);
        assert_eq!(merge(40, 90), 90);
        assert_eq!(merge(95, 0), 95);
        assert_eq!(merge(0, 255), 100);
    }

    #[test]
    fn facts_carry_the_analysis() {
        let ctx = Context {
            cwd: "/home/u/p".into(),
            home: "/home/u".into(),
            project_root: Some("/home/u/p".into()),
        };
        let a = kintsugi_classify::analyze("rm -rf build", &ctx);
        let f = facts("rm -rf build", &a, &ctx);
        assert_eq!(f.class, "ambiguous");
        assert_eq!(f.rule, a.rule);
        assert!(!f.effects.is_empty());
        let text = kintsugi_model::prompt::render(&kintsugi_model::prompt::suffix(&f));
        assert!(text.contains("\"rm -rf build\""), "{text}");
    }
}
