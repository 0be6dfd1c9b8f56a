//! A hook's verdict: the one gate ([`crate::gate`]) decides; this file says
//! the result in the hook's terms (an explicit allow only for a safe
//! command or a human's approval) with reasons shown to the model and the
//! user, written so they say what happened and what to do.

use super::{Options, Outcome, payload};
use crate::gate::{Decided, Gate, HoldEnd, LocalJudgment};
use kintsugi_classify::Class;
use kintsugi_protocol::{Class as WireClass, ProposedCommand, Verdict};

/// Ask the daemon about `command` through the one gate; say the result in
/// the hook's terms.
pub(crate) fn ask(
    opts: &Options,
    id: &str,
    command: &str,
    cwd: &str,
    session: Option<String>,
) -> (Outcome, Vec<String>) {
    let agent = format!("hook:{}", opts.agent.name());
    // The id the post-tool hook will report the completion under.
    let mut proposed = ProposedCommand::with_id(id.to_string(), &agent, cwd, Vec::new(), command)
        .from_origin(kintsugi_protocol::Origin::Hook);
    proposed.session = session;
    let gate = Gate {
        socket: opts.socket.clone(),
        data_dir: kintsugi_protocol::data_dir(),
        home: opts.home.clone(),
        fail_mode: opts.fail_mode,
        hold_budget: opts.wait,
    };
    match gate.ask(&proposed, &mut |_, _| ()) {
        Decided::Allowed(v) => allowed(&v),
        Decided::Denied(v) => (
            Outcome::Block {
                reason: format!(
                    "Kintsugi denied this command: {} (rule {}).",
                    v.reason, v.rule
                ),
            },
            Vec::new(),
        ),
        Decided::Held { verdict, id, end } => (held(opts, &verdict, id, end), Vec::new()),
        Decided::HeldWithoutId(v) => (
            Outcome::Block {
                reason: format!(
                    "Kintsugi is holding this command for a human but the daemon gave no pending id; it did not run ({}: {}).",
                    v.rule, v.reason
                ),
            },
            Vec::new(),
        ),
        Decided::Busy(message) => busy(&message),
        Decided::Local(j) => local(&j),
    }
}

/// The daemon let the command through. An explicit allow skips the agent's
/// own permission prompt, so it is only given for a command the classifier
/// knows to be safe; anything else the daemon lets through (notify mode, an
/// allow rule, a remembered approval) gets "no opinion" and the agent's own
/// permission flow still applies. (A human's approval of a hold is the other
/// explicit allow, in [`wait_for_human`].)
fn allowed(verdict: &Verdict) -> (Outcome, Vec<String>) {
    if verdict.class == WireClass::Safe {
        let reason = format!("Kintsugi allowed this command: {}", verdict.reason);
        return (Outcome::Allow { reason }, Vec::new());
    }
    let note = format!(
        "Kintsugi recorded this command and let it through ({}, rule {}: {}), but it is not known to be safe, so your agent's own permission rules decide whether it runs.",
        verdict.class.as_str(),
        verdict.rule,
        verdict.reason
    );
    (Outcome::NoOpinion, vec![note])
}

/// The daemon is up but turned the request away for load: it neither
/// judged nor recorded the command, so it is blocked whatever the fail mode
/// (the fail mode is about a daemon that is down).
fn busy(message: &str) -> (Outcome, Vec<String>) {
    (
        Outcome::Block {
            reason: format!(
                "Kintsugi blocked this command: the daemon is busy and turned the request away ({message}), so it was neither judged nor recorded. Nothing runs unrecorded, whatever the fail mode; retry in a moment."
            ),
        },
        Vec::new(),
    )
}

/// A held command after the gate's wait: anything but an approval blocks.
fn held(opts: &Options, verdict: &Verdict, id: String, end: HoldEnd) -> Outcome {
    let reason = match end {
        HoldEnd::Approved => {
            return Outcome::Allow {
                reason: format!("Kintsugi: a human approved held command {id}."),
            };
        }
        HoldEnd::Denied => format!(
            "Kintsugi: a human denied this command (held as {id}; rule {}: {}). It did not run; do not retry it unchanged.",
            verdict.rule, verdict.reason
        ),
        HoldEnd::Gone => format!(
            "Kintsugi held this command as {id}, and it is no longer pending (it expired or was removed). It did not run."
        ),
        HoldEnd::TimedOut => return timed_out(opts, &id, verdict),
        HoldEnd::Lost(why) => format!(
            "Kintsugi is holding this command as {id} but {why}; it did not run. {}",
            later(&id)
        ),
    };
    Outcome::Block { reason }
}

fn timed_out(opts: &Options, id: &str, verdict: &Verdict) -> Outcome {
    Outcome::Block {
        reason: format!(
            "Kintsugi is holding this command for human approval as {id} ({}: {}). Nobody decided within {} s, so it did not run. {}",
            verdict.rule,
            verdict.reason,
            opts.wait.as_secs(),
            later(id)
        ),
    }
}

fn later(id: &str) -> String {
    format!(
        "Ask the user to review it with `kintsugi approve {id}` and run it with `kintsugi run {id}`, or propose a safer command."
    )
}

/// The daemon could not be asked: the gate judged locally; say it in the
/// hook's terms.
fn local(j: &LocalJudgment) -> (Outcome, Vec<String>) {
    said(
        j.blocks(),
        j.class,
        &format!("{} ({}: {})", j.class.as_str(), j.rule, j.reason),
        &format!("the Kintsugi daemon is unreachable ({})", j.why),
        &j.mode_named,
        j.warning.clone(),
    )
}

/// A payload we could not read, or a shell call whose command cannot be
/// found: blocked whatever the fail mode (the fail mode is about the daemon
/// being down, not about garbage input). The reason says what was wrong and
/// names any command the loose search still finds in the text.
pub(crate) fn unreadable(why: &str, text: &str) -> Outcome {
    let found = payload::loose_commands(text);
    let seen = if found.is_empty() {
        String::new()
    } else {
        let listed: Vec<String> = found
            .iter()
            .take(payload::MAX_QUOTED_COMMANDS)
            .map(|c| format!("`{}`", payload::clip(c)))
            .collect();
        format!(" It seems to carry {}.", listed.join(", "))
    };
    Outcome::Block {
        reason: format!(
            "Kintsugi blocked this tool call: {why}.{seen} A shell call whose command cannot be read is never let through, whatever the fail mode. If your agent sent this, check the hook with `kintsugi doctor` and report the payload; otherwise retry the call."
        ),
    }
}

/// The decision when the daemon did not vouch for the command: `class` is
/// the local classifier's, `what` describes it, `why` says what went wrong.
/// The rule is the gate's ([`fallback_blocks`]); the tests drive the
/// wording through it.
#[cfg(test)]
pub(crate) fn fallback(
    source: super::FailModeSource,
    class: Class,
    what: &str,
    why: &str,
) -> (Outcome, Vec<String>) {
    let (mode, named, warning) = source.resolve();
    said(
        crate::gate::fallback_blocks(class, mode),
        class,
        what,
        why,
        &named,
        warning,
    )
}

fn said(
    blocks: bool,
    class: Class,
    what: &str,
    why: &str,
    named: &str,
    warning: Option<String>,
) -> (Outcome, Vec<String>) {
    if class == Class::Catastrophic {
        return (
            Outcome::Block {
                reason: format!(
                    "Kintsugi blocked this command: {why}, and the local check found it {what}. Catastrophic commands are blocked whatever the fail mode."
                ),
            },
            Vec::new(),
        );
    }
    if blocks {
        return (
            Outcome::Block {
                reason: format!(
                    "Kintsugi blocked this command: {why}; local check: {what}; {named} blocks anything the daemon has not vouched for.{}",
                    warning.map(|w| format!(" ({w})")).unwrap_or_default()
                ),
            },
            Vec::new(),
        );
    }
    (
        Outcome::NoOpinion,
        warning
            .into_iter()
            .chain([format!(
                "{why}; local check: {what}. Not blocked because {named} (nothing was recorded)."
            )])
            .collect(),
    )
}
