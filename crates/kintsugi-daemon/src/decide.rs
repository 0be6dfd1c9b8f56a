//! The decision engine: one place that turns a proposed command into a
//! verdict, in this order, each step only ever tightening what the steps
//! after it may do:
//!
//! 1. kill switch (`kintsugi panic`): deny everything;
//! 2. classify (the pure classifier);
//! 3. policy: the user's deny/hold/allow rules, and every `.kintsugi.toml`
//!    from the cwd up (deny/hold only); text rules match the raw line and
//!    each program's argv;
//! 4. memory: a human's remembered allow/deny for this exact command here;
//! 5. mode: attended, unattended or notify;
//! 6. scorer: summary and risk; may escalate, never loosen. The heuristic
//!    always scores; a local model (`model.rs`), when loaded, is awaited
//!    with a timeout and the risk becomes the max of the two.
//!
//! Floor: nothing but a human decision on that exact command turns a
//! catastrophic class into allow.

use crate::config::{Config, Mode};
use crate::memory::Memory;
use crate::policy::{Projects, evaluate, program_lines};
use crate::scorer::{ESCALATE_AT, Scorer};
use kintsugi_classify::{Analysis, Context, analyze_with_files};
use kintsugi_protocol::{Class, Decision, ProposedCommand, argv_to_line};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

/// The outcome of deciding, before it is recorded.
#[derive(Debug, Clone)]
pub struct Decided {
    pub decision: Decision,
    pub class: Class,
    pub rule: String,
    pub reason: String,
    pub summary: Option<String>,
    pub risk: Option<u8>,
    /// Repo policy files that tried to loosen something or could not be
    /// read (to report), with what was ignored in each.
    pub repo_warnings: Vec<(PathBuf, Vec<String>)>,
    /// The analysis' effects (the snapshot plan and preview read them).
    pub effects: Vec<kintsugi_classify::Effect>,
    /// The command's project root, when it has one.
    pub project_root: Option<PathBuf>,
    /// Which scorer gave the summary and risk, or why the model's answer
    /// was not used (recorded in the event's detail).
    pub scorer_note: Option<String>,
}

/// Map the classifier's class to the wire class.
pub fn wire_class(c: kintsugi_classify::Class) -> Class {
    match c {
        kintsugi_classify::Class::Safe => Class::Safe,
        kintsugi_classify::Class::Ambiguous => Class::Ambiguous,
        kintsugi_classify::Class::Catastrophic => Class::Catastrophic,
    }
}

/// The analysis context of a command.
pub fn context(cmd: &ProposedCommand, home: &Path, project_root: Option<PathBuf>) -> Context {
    Context {
        cwd: PathBuf::from(&cmd.cwd),
        home: home.to_path_buf(),
        project_root,
    }
}

/// Classify `cmd` as it would run in `ctx`. A command with no raw line is
/// analysed from its argv, quoted.
pub fn classify(cmd: &ProposedCommand, ctx: &Context) -> Analysis {
    let read = |p: &str| crate::script_files::read_script(p);
    if cmd.raw.trim().is_empty() && !cmd.argv.is_empty() {
        return analyze_with_files(&argv_to_line(&cmd.argv), ctx, &read);
    }
    analyze_with_files(&cmd.raw, ctx, &read)
}

/// Everything the engine consults.
pub struct Engine {
    pub config: Config,
    pub home: PathBuf,
    pub projects: Projects,
    pub memory: Memory,
    pub scorer: Box<dyn Scorer>,
    /// The local model, when one is loaded, or why not.
    pub model: crate::model::Slot,
    pub panic: AtomicBool,
    /// The mode in force when it differs from the config's: set by the
    /// admin vault's floor or a `setmode` (0 = follow the config; else
    /// 1 + the rank of the mode, see `vault_guard`).
    pub mode_now: std::sync::atomic::AtomicU8,
}

impl Engine {
    /// The mode decisions follow now.
    pub fn mode(&self) -> Mode {
        crate::vault_guard::mode_of(self.mode_now.load(Ordering::SeqCst), self.config.mode)
    }

    /// Is the kill switch on?
    pub fn panicked(&self) -> bool {
        self.panic.load(Ordering::SeqCst)
    }

    /// The repository memory keys on: the project root of `cwd`, else `cwd`.
    pub fn repo_of(&self, cwd: &Path) -> PathBuf {
        self.projects
            .for_cwd(cwd)
            .root
            .unwrap_or_else(|| cwd.to_path_buf())
    }

    /// Classify a command with its project context.
    pub fn classify(&self, cmd: &ProposedCommand) -> Analysis {
        let project = self.projects.for_cwd(Path::new(&cmd.cwd));
        classify(cmd, &context(cmd, &self.home, project.root))
    }

    /// The scorer `status` names: the model when one is loaded.
    pub fn scorer_name(&self) -> String {
        match self.model.scorer() {
            Some(m) => m.name().to_string(),
            None => self.scorer.name(),
        }
    }

    /// Decide a proposed command. Everything but the model call is
    /// synchronous and fast; the model is only asked about non-safe
    /// commands, and only awaited (never blocking the runtime).
    pub async fn decide(&self, cmd: &ProposedCommand) -> Decided {
        let cwd = Path::new(&cmd.cwd);
        let project = self.projects.for_cwd(cwd);
        let ctx = context(cmd, &self.home, project.root.clone());
        let analysis = classify(cmd, &ctx);
        let class = wire_class(analysis.class);
        let mut scored_by = self.scorer.name();
        let mut out = Decided {
            decision: Decision::Allow,
            class,
            rule: analysis.rule.clone(),
            reason: analysis.reason.clone(),
            summary: None,
            risk: None,
            repo_warnings: Vec::new(),
            effects: analysis.effects.clone(),
            project_root: project.root.clone(),
            scorer_note: None,
        };
        if class != Class::Safe {
            let score = self.scorer.score(&analysis, &ctx);
            out.summary = Some(score.summary);
            out.risk = Some(score.risk);
            if let Some(model) = self.model.scorer()
                && !self.panicked()
            {
                let line = if cmd.raw.trim().is_empty() {
                    argv_to_line(&cmd.argv)
                } else {
                    cmd.raw.clone()
                };
                // The prompt is built from scrubbed text only: the line,
                // and the analysis' sentences, which may quote a value.
                let secrets = crate::scrub::Secrets::of(cmd);
                let line = secrets.text(line);
                let reason = secrets.text(analysis.reason.clone());
                let mut facts = crate::scorer::facts(&line, &analysis, &ctx);
                facts.reason = &reason;
                facts.effects = facts.effects.into_iter().map(|e| secrets.text(e)).collect();
                match model.ask(&facts).await {
                    Ok(answer) => {
                        let merged = crate::scorer::merge(score.risk, answer.risk);
                        if merged > score.risk {
                            scored_by = model.name().to_string();
                        }
                        out.scorer_note = Some(format!(
                            "{}: risk {} (heuristic {}, kept the higher)",
                            model.name(),
                            answer.risk,
                            score.risk
                        ));
                        out.summary = Some(answer.summary);
                        out.risk = Some(merged);
                    }
                    Err(why) => out.scorer_note = Some(format!("heuristic: {why}")),
                }
            }
        }
        // 1. Kill switch.
        if self.panicked() {
            out.decision = Decision::Deny;
            out.reason = format!(
                "The kill switch is on (`kintsugi panic`): every command is denied until `kintsugi resume`. {}",
                out.reason
            );
            return out;
        }
        // 3. Policy.
        out.repo_warnings = project
            .policies
            .iter()
            .filter(|r| !r.ignored.is_empty())
            .map(|r| (r.file.clone(), r.ignored.clone()))
            .collect();
        let m = evaluate(
            &self.config.rules,
            &project.policies,
            &cmd.raw,
            &program_lines(&analysis),
            &analysis.rule,
        );
        if let Some((src, pattern)) = m.deny {
            out.decision = Decision::Deny;
            out.reason = format!("Denied by the rule {pattern:?} in {src}. {}", out.reason);
            return out;
        }
        // 4. Memory.
        let remembered = if self.memory.is_empty() {
            None
        } else {
            self.memory.lookup(&self.repo_of(cwd), &cmd.raw)
        };
        if remembered.as_deref() == Some("deny") {
            out.decision = Decision::Deny;
            out.reason = format!(
                "A human denied this exact command here before and asked to remember it. {}",
                out.reason
            );
            return out;
        }
        // 5. Mode.
        let mode = self.mode();
        out.decision = match (mode, class) {
            (_, Class::Safe) => Decision::Allow,
            (Mode::Attended, _) => Decision::Hold,
            (Mode::Unattended, _) => Decision::Deny,
            (Mode::Notify, Class::Ambiguous) => Decision::Allow,
            (Mode::Notify, Class::Catastrophic) => Decision::Hold,
        };
        let allowed_by = if class == Class::Catastrophic {
            None
        } else if let Some(p) = &m.allow {
            Some(format!("your allow rule {p:?}"))
        } else if remembered.as_deref() == Some("allow") {
            Some("a remembered human approval".to_string())
        } else {
            None
        };
        if let Some(by) = allowed_by {
            out.decision = Decision::Allow;
            out.reason = format!("Allowed by {by}. {}", out.reason);
        }
        let tighten = |d: Decision| {
            if mode == Mode::Unattended {
                Decision::Deny
            } else {
                d
            }
        };
        if let Some((src, pattern)) = m.hold
            && out.decision == Decision::Allow
        {
            out.decision = tighten(Decision::Hold);
            out.reason = format!("Held by the rule {pattern:?} in {src}. {}", out.reason);
        }
        // 6. Scorer: escalate only.
        if out.decision == Decision::Allow
            && class == Class::Ambiguous
            && out.risk.is_some_and(|r| r >= ESCALATE_AT)
        {
            out.decision = tighten(Decision::Hold);
            out.reason = format!(
                "Held because the {scored_by} scorer rates it risky. {}",
                out.reason
            );
        }
        out
    }
}
