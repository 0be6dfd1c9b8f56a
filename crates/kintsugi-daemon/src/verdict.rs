//! The verdict on a proposed command, made here and only here, in this
//! order; each step only ever tightens what the steps after it may do,
//! except the two named exceptions of a human's earlier approval (7, 7b):
//!
//! 1. kill switch (`kintsugi panic`): deny everything;
//! 2. classify (the pure classifier), in the command's project context;
//! 3. policy: the user's deny/hold/allow rules, and every `.kintsugi.toml`
//!    from the cwd up (deny/hold only); text rules match the raw line and
//!    each program's argv;
//! 4. memory: a human's remembered allow/deny for this exact command here;
//! 5. mode: attended, unattended or notify;
//! 6. scorer: summary and risk; may escalate, never loosen. The heuristic
//!    always scores; a local model (`model.rs`), when loaded, is awaited
//!    with a timeout and the risk becomes the max of the two;
//! 7. approval reuse (`riding.rs`): a hold that is part of a line a human
//!    approved is allowed, spending that part of the approval;
//!    7b. exec inheritance (`guarded.rs`): under `kintsugi guard`, an exec
//!    hold that is part of, or only an unknown helper of, an allowed parent
//!    exec is allowed;
//! 8. snapshot floor: an allowed, non-safe command is captured first; in
//!    attended mode one the snapshot cannot fully cover is held instead;
//! 9. queue capacity: a hold the queue (or the session's share of it) has
//!    no room for is denied.
//!
//! Steps 1–6 need only the [`Engine`] ([`by_rules`], also what `kintsugi
//! replay` asks offline); [`reach`] runs them and then 7–9 against the
//! running daemon's state. Classification and scoring run before the kill
//! switch is looked at, so that even a denial says what the command is.
//!
//! Floor: nothing but a human decision on that exact command (or on the
//! line it is part of) turns a catastrophic class into allow.

use crate::config::Mode;
use crate::engine::{Engine, classify, context, wire_class};
use crate::events::{commit, peer_event};
use crate::integrity::Proposer;
use crate::peer::Peer;
use crate::policy::{PolicyMatch, ProjectInfo, evaluate, program_lines};
use crate::queue::QueueError;
use crate::scorer::ESCALATE_AT;
use crate::scrub::{self, Secrets};
use crate::snapshots::Snapshots;
use crate::state::State;
use kintsugi_classify::{Analysis, Context};
use kintsugi_protocol::{
    Class, Decision, PendingItem, PendingState, ProposedCommand, Response, Verdict, argv_to_line,
};
use kintsugi_snapshot::{Plan, PlannedPath};
use std::path::{Path, PathBuf};

/// The outcome of the rule steps (1–6), before it is recorded.
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

/// A proposal's whole verdict (steps 1–9), not yet recorded.
pub struct Reached {
    /// The command as the daemon keeps it: its secrets scrubbed.
    pub cmd: ProposedCommand,
    /// The command's secret values, to scrub what is derived from it.
    pub secrets: Secrets,
    /// The verdict to answer; `event` is set once it is recorded.
    pub verdict: Verdict,
    /// What a hold's preview says the command would touch.
    pub preview: Option<String>,
    /// Which scorer gave the summary and risk (see [`Decided`]).
    pub scorer_note: Option<String>,
    /// The paths the command's snapshot plan names (noted for the watcher
    /// when it is allowed).
    pub touches: Vec<PlannedPath>,
}

/// The whole decision on a proposal from `peer`, steps 1–9 in order. A
/// hold is in the queue when this returns; `Err` is the response to send
/// when the queue refused for another reason than capacity.
pub async fn reach(state: &State, peer: Peer, cmd: ProposedCommand) -> Result<Reached, Response> {
    // 1–6. Kill switch, classify, policy, memory, mode, scorer.
    let mut d = by_rules(&state.engine, &cmd).await;
    report_repo_warnings(state, peer, &d.repo_warnings).await;
    // Judged as sent; from here on only the scrubbed command is kept, and
    // every sentence derived from it is scrubbed of its secret values.
    let secrets = Secrets::of(&cmd);
    let cmd = scrub::command(cmd);
    d.effects = secrets.effects(std::mem::take(&mut d.effects));
    // 7. Approval reuse: part of a line a human approved.
    reuse_approval(state, &cmd, &mut d);
    // 7b. Exec inheritance: an exec under an allowed parent exec.
    inherit_exec_allowance(state, &cmd, &mut d);
    d.reason = secrets.text(d.reason);
    d.summary = d.summary.map(|s| secrets.text(s));
    // 8. Snapshot floor. Planned once (globs are expanded against the
    // disk): captured, noted for the watcher, or previewed.
    let plan = Snapshots::plan(&cmd, &d.effects);
    let snapshot = snapshot_floor(state, &cmd, &plan, &mut d).await;
    // The snapshot's notes may quote a path the classifier took from the line.
    d.reason = secrets.text(d.reason);
    let touches = plan.paths.clone();
    // 9. Queue capacity.
    let (pending, preview) =
        hold_within_capacity(state, peer, &cmd, plan, &secrets, &mut d).await?;
    Ok(Reached {
        verdict: Verdict {
            decision: d.decision,
            class: d.class,
            rule: d.rule,
            reason: d.reason,
            summary: d.summary,
            risk: d.risk,
            event: None,
            pending,
            snapshot,
        },
        cmd,
        secrets,
        preview,
        scorer_note: d.scorer_note,
        touches,
    })
}

/// Steps 1–6: the verdict the rules give `cmd`, from the engine alone.
/// Everything but the model call is synchronous and fast; the model is only
/// asked about non-safe commands, and only awaited (never blocking the
/// runtime).
pub async fn by_rules(engine: &Engine, cmd: &ProposedCommand) -> Decided {
    // 2. Classify (with the score: both are reported whatever the verdict).
    let project = engine.projects.for_cwd(Path::new(&cmd.cwd));
    let ctx = context(cmd, &engine.home, project.root.clone());
    let analysis = classify(cmd, &ctx);
    let mut out = Decided {
        decision: Decision::Allow,
        class: wire_class(analysis.class),
        rule: analysis.rule.clone(),
        reason: analysis.reason.clone(),
        summary: None,
        risk: None,
        repo_warnings: Vec::new(),
        effects: analysis.effects.clone(),
        project_root: project.root.clone(),
        scorer_note: None,
    };
    let scored_by = score(engine, cmd, &analysis, &ctx, &mut out).await;
    // 1. Kill switch.
    if engine.panicked() {
        out.decision = Decision::Deny;
        out.reason = format!(
            "The kill switch is on (`kintsugi panic`): every command is denied until `kintsugi resume`. {}",
            out.reason
        );
        return out;
    }
    // 3. Policy.
    let rules = match_policy(engine, cmd, &analysis, &project, &mut out);
    if let Some((src, pattern)) = &rules.deny {
        out.decision = Decision::Deny;
        out.reason = format!("Denied by the rule {pattern:?} in {src}. {}", out.reason);
        return out;
    }
    // 4. Memory.
    let remembered = if engine.memory.is_empty() {
        None
    } else {
        engine
            .memory
            .lookup(&engine.repo_of(Path::new(&cmd.cwd)), &cmd.raw)
    };
    if remembered.as_deref() == Some("deny") {
        out.decision = Decision::Deny;
        out.reason = format!(
            "A human denied this exact command here before and asked to remember it. {}",
            out.reason
        );
        return out;
    }
    // 5. Mode, with the allow and hold rules inside it.
    let mode = engine.mode();
    apply_mode(mode, &rules, remembered.as_deref(), &mut out);
    // 6. Scorer: escalate only.
    if out.decision == Decision::Allow
        && out.class == Class::Ambiguous
        && out.risk.is_some_and(|r| r >= ESCALATE_AT)
    {
        out.decision = tighten(mode, Decision::Hold);
        out.reason = format!(
            "Held because the {scored_by} scorer rates it risky. {}",
            out.reason
        );
    }
    out
}

/// A hold in unattended mode is a deny (no human is there to answer).
fn tighten(mode: Mode, d: Decision) -> Decision {
    if mode == Mode::Unattended {
        Decision::Deny
    } else {
        d
    }
}

/// Score a non-safe command: the heuristic always, the model when loaded
/// (and the kill switch is off). Fills the summary, risk and scorer note;
/// returns the name of the scorer whose risk counts.
async fn score(
    engine: &Engine,
    cmd: &ProposedCommand,
    analysis: &Analysis,
    ctx: &Context,
    out: &mut Decided,
) -> String {
    let mut scored_by = engine.scorer.name();
    if out.class == Class::Safe {
        return scored_by;
    }
    let score = engine.scorer.score(analysis, ctx);
    out.summary = Some(score.summary);
    out.risk = Some(score.risk);
    let Some(model) = engine.model.scorer() else {
        return scored_by;
    };
    if engine.panicked() {
        return scored_by;
    }
    let line = if cmd.raw.trim().is_empty() {
        argv_to_line(&cmd.argv)
    } else {
        cmd.raw.clone()
    };
    // The prompt is built from scrubbed text only: the line, and the
    // analysis' sentences, which may quote a value.
    let secrets = Secrets::of(cmd);
    let line = secrets.text(line);
    let reason = secrets.text(analysis.reason.clone());
    let mut facts = crate::scorer::facts(&line, analysis, ctx);
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
    scored_by
}

/// Match the user's rules and the project's policy files; notes the repo
/// files that tried to loosen something.
fn match_policy(
    engine: &Engine,
    cmd: &ProposedCommand,
    analysis: &Analysis,
    project: &ProjectInfo,
    out: &mut Decided,
) -> PolicyMatch {
    out.repo_warnings = project
        .policies
        .iter()
        .filter(|r| !r.ignored.is_empty())
        .map(|r| (r.file.clone(), r.ignored.clone()))
        .collect();
    evaluate(
        &engine.config.rules,
        &project.policies,
        &cmd.raw,
        &program_lines(analysis),
        &analysis.rule,
    )
}

/// The mode's verdict for the class, then an allow rule or a remembered
/// approval (never for a catastrophic class), then a hold rule.
fn apply_mode(mode: Mode, rules: &PolicyMatch, remembered: Option<&str>, out: &mut Decided) {
    out.decision = match (mode, out.class) {
        (_, Class::Safe) => Decision::Allow,
        (Mode::Attended, _) => Decision::Hold,
        (Mode::Unattended, _) => Decision::Deny,
        (Mode::Notify, Class::Ambiguous) => Decision::Allow,
        (Mode::Notify, Class::Catastrophic) => Decision::Hold,
    };
    let allowed_by = if out.class == Class::Catastrophic {
        None
    } else if let Some(p) = &rules.allow {
        Some(format!("your allow rule {p:?}"))
    } else if remembered == Some("allow") {
        Some("a remembered human approval".to_string())
    } else {
        None
    };
    if let Some(by) = allowed_by {
        out.decision = Decision::Allow;
        out.reason = format!("Allowed by {by}. {}", out.reason);
    }
    if let Some((src, pattern)) = &rules.hold
        && out.decision == Decision::Allow
    {
        out.decision = tighten(mode, Decision::Hold);
        out.reason = format!("Held by the rule {pattern:?} in {src}. {}", out.reason);
    }
}

/// Record, once per daemon run, each repo policy file that tried to loosen
/// something or could not be read.
async fn report_repo_warnings(state: &State, peer: Peer, warnings: &[(PathBuf, Vec<String>)]) {
    for (file, ignored) in warnings {
        let text = format!("{} {}", file.display(), ignored.join("; "));
        if state.warn_once(text.clone()) {
            let e = peer_event(
                "policy",
                peer,
                &file.display().to_string(),
                format!("repository policy ignored in part: {text}"),
            );
            let _ = commit(state, e).await;
        }
    }
}

/// Step 7: a hold that is part of a line a human approved (`riding.rs`) is
/// allowed; the claim on the approval is spent only here, on a hold.
fn reuse_approval(state: &State, cmd: &ProposedCommand, d: &mut Decided) {
    if d.decision != Decision::Hold || state.engine.panicked() || state.grants.is_empty() {
        return;
    }
    let commands = crate::guarded::rider_commands(cmd, state.engine.classify(cmd).commands);
    let claimed = state.grants.claim(&crate::riding::Rider {
        hint: cmd.approved_parent.as_deref(),
        from_hook: cmd.origin() == Some(kintsugi_protocol::Origin::Hook),
        cwd: &cmd.cwd,
        commands,
        class: d.class,
    });
    if let Some(parent) = claimed {
        d.decision = Decision::Allow;
        d.reason = format!(
            "Part of held command {parent}, which a human approved (same cwd, the same simple command, used once). {}",
            d.reason
        );
    }
}

/// Step 7b: an exec hold under an allowed parent exec (`guarded.rs`) inherits
/// its allowance.
fn inherit_exec_allowance(state: &State, cmd: &ProposedCommand, d: &mut Decided) {
    if !crate::guarded::may_inherit(cmd, d.decision) || state.engine.panicked() {
        return;
    }
    let inherited = state.execs.inherit(
        cmd,
        d.class,
        &d.effects,
        &|id| state.queue.status(id),
        &|c| {
            let a = state.engine.classify(c);
            a.commands.into_iter().map(|p| p.argv).collect()
        },
    );
    if let Some(why) = inherited {
        d.decision = Decision::Allow;
        d.reason = format!("{} {}", why.reason(), d.reason);
    }
}

/// Step 8: capture what an allowed, non-safe command will touch. In attended
/// mode a snapshot that cannot cover everything turns the allow into a
/// hold; otherwise the gap is said in the reason. The snapshot's id.
async fn snapshot_floor(
    state: &State,
    cmd: &ProposedCommand,
    plan: &Plan,
    d: &mut Decided,
) -> Option<String> {
    if d.decision != Decision::Allow || d.class == Class::Safe {
        return None;
    }
    match state.snapshots.capture(plan.clone(), &cmd.id).await {
        Ok(Some(c)) => {
            if !c.complete {
                let gap = c.uncovered.join("; ");
                if state.engine.mode() == Mode::Attended {
                    d.decision = Decision::Hold;
                    d.reason = format!(
                        "{} Held: the snapshot could not cover everything, so undo could not bring it all back ({gap}).",
                        d.reason
                    );
                } else {
                    d.reason = format!("{} Undo cannot cover: {gap}.", d.reason);
                }
            }
            c.id
        }
        Ok(None) => None,
        Err(e) => {
            d.reason = format!("{} No snapshot could be taken: {e}.", d.reason);
            None
        }
    }
}

/// Step 9: put a hold in the queue, with its preview; a queue (or session share)
/// with no room turns it into a deny. The queue id and the preview.
async fn hold_within_capacity(
    state: &State,
    peer: Peer,
    cmd: &ProposedCommand,
    plan: Plan,
    secrets: &Secrets,
    d: &mut Decided,
) -> Result<(Option<String>, Option<String>), Response> {
    if d.decision != Decision::Hold {
        return Ok((None, None));
    }
    let preview = if plan.is_empty() {
        None
    } else {
        let text = state.snapshots.preview(plan, d.project_root.clone()).await;
        Some(secrets.text(text))
    };
    let item = PendingItem {
        id: String::new(),
        command: cmd.clone(),
        class: d.class,
        rule: d.rule.clone(),
        reason: d.reason.clone(),
        created: crate::events::now(),
        status: PendingState::Pending,
        preview: preview.clone(),
    };
    let effects = std::mem::take(&mut d.effects);
    match state.queue.hold(item, Proposer::of(peer.pid), effects) {
        Ok(id) => Ok((Some(id), preview)),
        Err(e @ (QueueError::Full(_) | QueueError::SessionFull { .. })) => {
            d.decision = Decision::Deny;
            d.reason = format!("{} Denied: {e}", d.reason);
            Ok((None, preview))
        }
        Err(e) => Err(Response::error(e.to_string())),
    }
}

#[cfg(test)]
#[path = "verdict_tests.rs"]
mod tests;
