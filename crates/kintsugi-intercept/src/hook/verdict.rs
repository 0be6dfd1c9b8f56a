//! Getting a verdict: `propose` to the daemon, `wait` on a hold within the
//! budget, and the local fallback (classify, block catastrophic, follow the
//! fail mode) when the daemon cannot be asked. Also the reasons shown to the
//! model and the user, written so they say what happened and what to do.

use super::{FailMode, FailModeSource, Options, Outcome, payload};
use kintsugi_classify::{Class, Context, analyze};
use kintsugi_protocol::{
    Class as WireClass, Client, ClientError, Decision, PendingState, ProposedCommand, Request,
    Response, Verdict,
};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// How long a `propose` may take before the daemon counts as unreachable.
pub const PROPOSE_TIMEOUT: Duration = Duration::from_secs(5);
/// Slack on top of the `wait` timeout before we stop reading.
pub(crate) const WAIT_GRACE: Duration = Duration::from_secs(3);

/// Ask the daemon about `command`; fall back to local classification when it
/// cannot answer.
pub(crate) fn ask(
    opts: &Options,
    id: &str,
    command: &str,
    cwd: &str,
    session: Option<String>,
) -> (Outcome, Vec<String>) {
    let start = Instant::now();
    let agent = format!("hook:{}", opts.agent.name());
    // The id the post-tool hook will report the completion under.
    let mut proposed = ProposedCommand::with_id(id.to_string(), &agent, cwd, Vec::new(), command);
    proposed.session = session;

    let mut client = match Client::connect_genuine(&opts.socket, &kintsugi_protocol::data_dir()) {
        Ok(c) => c,
        // An impostor on the socket: judged as if down, and fail closed.
        Err(e @ kintsugi_protocol::ClientError::NotGenuine(_)) => {
            let closed = Options {
                fail_mode: FailModeSource::Fixed(FailMode::Closed),
                ..opts.clone()
            };
            return local(&closed, command, cwd, &e.to_string());
        }
        Err(e) => return local(opts, command, cwd, &e.to_string()),
    };
    let answer = client
        .set_read_timeout(Some(PROPOSE_TIMEOUT))
        .and_then(|()| client.request(&Request::Propose(proposed)));
    let verdict = match answer {
        Ok(Response::Verdict(v)) => v,
        Ok(Response::Error { message }) => {
            let why = format!("the daemon could not decide: {message}");
            return local(opts, command, cwd, &why);
        }
        Ok(other) => {
            let why = format!("the daemon answered `propose` with {other:?}");
            return local(opts, command, cwd, &why);
        }
        Err(ClientError::Busy(message)) => return busy(&message),
        Err(e) => return local(opts, command, cwd, &e.to_string()),
    };
    match verdict.decision {
        Decision::Allow => allowed(&verdict),
        Decision::Deny => (
            Outcome::Block {
                reason: format!(
                    "Kintsugi denied this command: {} (rule {}).",
                    verdict.reason, verdict.rule
                ),
            },
            Vec::new(),
        ),
        Decision::Hold => (
            wait_for_human(opts, &mut client, &verdict, start),
            Vec::new(),
        ),
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

/// A held command: wait on the same connection until a human decides or the
/// budget runs out. Anything but an approval blocks.
fn wait_for_human(
    opts: &Options,
    client: &mut Client,
    verdict: &Verdict,
    start: Instant,
) -> Outcome {
    let Some(id) = verdict.pending.clone() else {
        return Outcome::Block {
            reason: format!(
                "Kintsugi is holding this command for a human but the daemon gave no pending id; it did not run ({}: {}).",
                verdict.rule, verdict.reason
            ),
        };
    };
    let deadline = start + opts.wait;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let req = Request::Wait {
            id: id.clone(),
            timeout_ms: Some(left.as_millis() as u64),
        };
        let answer = client
            .set_read_timeout(Some(left + WAIT_GRACE))
            .and_then(|()| client.request(&req));
        match answer {
            Ok(Response::Pending {
                status: PendingState::Approved,
            }) => {
                return Outcome::Allow {
                    reason: format!("Kintsugi: a human approved held command {id}."),
                };
            }
            Ok(Response::Pending {
                status: PendingState::Denied,
            }) => {
                return Outcome::Block {
                    reason: format!(
                        "Kintsugi: a human denied this command (held as {id}; rule {}: {}). It did not run; do not retry it unchanged.",
                        verdict.rule, verdict.reason
                    ),
                };
            }
            Ok(Response::Pending {
                status: PendingState::Gone,
            }) => {
                return Outcome::Block {
                    reason: format!(
                        "Kintsugi held this command as {id}, and it is no longer pending (it expired or was removed). It did not run."
                    ),
                };
            }
            Ok(Response::Pending {
                status: PendingState::Pending,
            }) if Instant::now() < deadline => continue,
            Ok(Response::Pending { .. }) => return timed_out(opts, &id, verdict),
            Ok(other) => {
                return Outcome::Block {
                    reason: format!(
                        "Kintsugi is holding this command as {id} but the daemon answered `wait` with {other:?}; it did not run. {}",
                        later(&id)
                    ),
                };
            }
            Err(e) => {
                return Outcome::Block {
                    reason: format!(
                        "Kintsugi is holding this command as {id} and lost the daemon while waiting ({e}); it did not run. {}",
                        later(&id)
                    ),
                };
            }
        }
    }
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

/// The daemon could not be asked: classify locally. Catastrophic → block;
/// otherwise the fail mode decides.
fn local(opts: &Options, command: &str, cwd: &str, why: &str) -> (Outcome, Vec<String>) {
    let ctx = Context {
        cwd: PathBuf::from(cwd),
        home: opts.home.clone(),
        project_root: None,
    };
    let a = analyze(command, &ctx);
    fallback(
        opts.fail_mode,
        a.class,
        &format!("{} ({}: {})", a.class.as_str(), a.rule, a.reason),
        &format!("the Kintsugi daemon is unreachable ({why})"),
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
pub(crate) fn fallback(
    source: FailModeSource,
    class: Class,
    what: &str,
    why: &str,
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
    let (mode, named, warning) = source.resolve();
    match mode {
        FailMode::Open => (
            Outcome::NoOpinion,
            warning
                .into_iter()
                .chain([format!(
                    "{why}; local check: {what}. Not blocked because {named} (nothing was recorded)."
                )])
                .collect(),
        ),
        FailMode::Closed => (
            Outcome::Block {
                reason: format!(
                    "Kintsugi blocked this command: {why}; local check: {what}; {named} blocks anything the daemon has not vouched for.{}",
                    warning.map(|w| format!(" ({w})")).unwrap_or_default()
                ),
            },
            Vec::new(),
        ),
    }
}
