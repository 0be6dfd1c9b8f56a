//! Is the one approving a human? The single place that decides it, for
//! `approve`, `resolve` with allow, `setpin`, and any other front end (the
//! web control room calls [`prove_human`] with what it knows).
//!
//! Never "has a terminal" alone: any process can open a pseudo-terminal.
//! - The approver must never be the proposer or inside the proposer's
//!   parent's tree (the agent's own processes).
//! - With an approval PIN set, the PIN is asked for every approval and
//!   checked here (argon2id, lockout; `approval_pin.rs`).
//! - With none set (first run), the terminal test: a controlling terminal,
//!   a parent chain that reaches its session's leader (not double-forked
//!   away from it), and a session that already existed when the command
//!   was held *and* when the agent started (the proposer's ancestor just
//!   below its own terminal's session leader). A session created after the
//!   hold (a pseudo-terminal from `pty.fork`, `script`, `tmux new`,
//!   `expect`), or prepared by the agent before any hold (`tmux new -d`,
//!   `screen -dm`, `setsid script` run by the agent), is *suspect*: refused
//!   unless the PIN is given. So is every session when the proposer has no
//!   terminal of its own (it left it: its age cannot be known).
//!
//! The admin password (`approvals_need_password`) is checked before this
//! by `requests::vault::approve_gate` and stands in for all of it.

use crate::approval_pin::{PinCheck, PinState};
use crate::approver::ApproverFacts;
use crate::integrity::Proposer;
use crate::state::State;
use serde_json::{Value, json};

/// How a human was proven.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proof {
    /// The admin password (a proof checked by the vault).
    AdminPassword,
    /// The approval PIN.
    Pin,
    /// The terminal test alone (no PIN is set).
    Terminal,
}

impl Proof {
    pub fn as_str(self) -> &'static str {
        match self {
            Proof::AdminPassword => "admin-password",
            Proof::Pin => "pin",
            Proof::Terminal => "terminal",
        }
    }
}

/// Who asks to approve, as the front end knows it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Approver<'a> {
    /// The approving process (SO_PEERCRED), when it is a local process.
    pub pid: Option<u32>,
    /// The PIN the human typed, if any.
    pub pin: Option<&'a str>,
}

/// The verdict, with the facts to record either way.
#[derive(Debug, Clone)]
pub struct Verdict {
    pub proof: Result<Proof, String>,
    pub facts: Option<ApproverFacts>,
    /// Why the approver's terminal looked suspect, if it did.
    pub suspect: Option<String>,
}

impl Verdict {
    /// The JSON recorded in the ledger event's detail under `approver`.
    pub fn to_json(&self) -> Value {
        json!({
            "proof": self.proof.as_ref().map(|p| p.as_str()).ok(),
            "process": self.facts.as_ref().map(ApproverFacts::to_json),
            "suspect": self.suspect,
        })
    }
}

/// Why a session looks like one an agent made, or `None`. `proposer`:
/// the held command's proposer (`None`: no held command, e.g. setting the
/// first PIN, when the session's age does not count).
fn suspicion(facts: &ApproverFacts, proposer: Option<&Proposer>) -> Option<String> {
    let Some(tty) = &facts.tty else {
        return Some(format!("process {} has no controlling terminal", facts.pid));
    };
    if !facts.reaches_session_leader {
        return Some(format!(
            "process {} on {tty} is not a descendant of its session's leader (pid {}): it was forked away from the terminal's shell",
            facts.pid, facts.session
        ));
    }
    let p = proposer?;
    // A hold whose time could not be read makes every session suspect.
    if facts.session_newer_than(p.held_ticks.unwrap_or(0)) {
        return Some(format!(
            "the terminal session of {tty} (leader pid {}) was created after the command was held, as a pseudo-terminal an agent opens would be",
            facts.session
        ));
    }
    match p.agent_start_ticks {
        None => Some(format!(
            "the process that proposed this command (pid {}) has no terminal session of its own (no controlling terminal, or forked away from it), so no terminal, {tty} included, can be shown to have been open before the agent started",
            p.pid.map_or_else(|| "?".into(), |x| x.to_string())
        )),
        Some(agent) if facts.session_newer_than(agent) => Some(format!(
            "the terminal session of {tty} (leader pid {}) was opened after the agent started, as a session the agent prepared in advance would be (`tmux new -d`, `screen -dm`, `setsid script`)",
            facts.session
        )),
        Some(_) => None,
    }
}

/// The terminal test alone, for a request with no held command (setting
/// the first PIN): a terminal, reached from its session's leader.
pub fn terminal_test(pid: Option<u32>) -> Verdict {
    let facts = match pid.map(ApproverFacts::of) {
        Some(Ok(f)) => f,
        Some(Err(why)) => {
            return Verdict {
                proof: Err(why),
                facts: None,
                suspect: None,
            };
        }
        None => {
            return Verdict {
                proof: Err("the asking process could not be identified".into()),
                facts: None,
                suspect: None,
            };
        }
    };
    let suspect = suspicion(&facts, None);
    Verdict {
        proof: suspect.clone().map_or(Ok(Proof::Terminal), Err),
        facts: Some(facts),
        suspect,
    }
}

/// Decide whether `approver` is a human who may approve a command held
/// for `proposer` (`None`: no held command, e.g. setting the first PIN).
pub async fn prove_human(
    state: &State,
    approver: Approver<'_>,
    proposer: Option<Proposer>,
) -> Verdict {
    let facts = match approver.pid.map(ApproverFacts::of) {
        Some(Ok(f)) => Some(f),
        Some(Err(why)) => {
            return Verdict {
                proof: Err(why),
                facts: None,
                suspect: None,
            };
        }
        None => None,
    };
    let verdict = |proof, suspect| Verdict {
        proof,
        facts: facts.clone(),
        suspect,
    };
    if let (Some(f), Some(p)) = (&facts, proposer)
        && p.tree_contains(f)
    {
        return verdict(
            Err(format!(
                "process {} belongs to the process tree of the agent that proposed this command; an agent cannot approve its own holds",
                f.pid
            )),
            None,
        );
    }
    let suspect = facts.as_ref().and_then(|f| suspicion(f, proposer.as_ref()));
    if let Some(pin) = approver.pin {
        return match state.pin.check(pin).await {
            PinCheck::Right => verdict(Ok(Proof::Pin), suspect),
            PinCheck::Wrong(why) | PinCheck::Refused(why) => verdict(Err(why), suspect),
        };
    }
    match state.pin.state() {
        PinState::Set(_) => {
            return verdict(
                Err("approvals need the approval PIN: `kintsugi approve ID` asks for it on your terminal".into()),
                suspect,
            );
        }
        PinState::Lost(why) => {
            return verdict(
                Err(format!(
                    "the approval PIN is lost ({why}); set a new one with `kintsugi admin set-pin` at your terminal"
                )),
                suspect,
            );
        }
        PinState::Unset => {}
    }
    let Some(f) = &facts else {
        return verdict(
            Err(
                "the approving process could not be identified and no approval PIN was given"
                    .into(),
            ),
            None,
        );
    };
    match suspect {
        None => verdict(Ok(Proof::Terminal), None),
        Some(why) if f.tty.is_none() => verdict(
            Err(format!(
                "{why}; approvals must come from a human at a terminal (`kintsugi approve ID`)"
            )),
            Some(why),
        ),
        Some(why) => verdict(
            Err(format!(
                "{why}. No approval PIN is set, so only a terminal that was already open before the agent started (and so before the command was held) can approve: run `kintsugi approve` there, or set a PIN (`kintsugi admin set-pin`) and give it"
            )),
            Some(why),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::approver::ProcLink;

    fn facts(tty: Option<&str>, reaches: bool, started: u64) -> ApproverFacts {
        ApproverFacts {
            pid: 10,
            tty: tty.map(String::from),
            session: 5,
            session_started_ms: Some(started * 10),
            session_start_ticks: Some(started),
            reaches_session_leader: reaches,
            ancestry: vec![
                ProcLink {
                    pid: 10,
                    exe: "kintsugi".into(),
                },
                ProcLink {
                    pid: 5,
                    exe: "bash".into(),
                },
            ],
        }
    }

    fn held(at: u64, agent: Option<u64>) -> Proposer {
        Proposer {
            pid: Some(77),
            parent: Some(76),
            held_ms: 1,
            held_ticks: Some(at),
            agent_start_ticks: agent,
        }
    }

    #[test]
    fn only_an_old_session_on_a_terminal_reached_from_its_leader_is_unsuspected() {
        let tty = Some("/dev/pts/1");
        let p = held(2_000, Some(1_500));
        assert_eq!(suspicion(&facts(tty, true, 1_000), Some(&p)), None);
        let no_tty = suspicion(&facts(None, true, 1_000), Some(&p)).unwrap();
        assert!(no_tty.contains("no controlling terminal"), "{no_tty}");
        let forked = suspicion(&facts(tty, false, 1_000), Some(&p)).unwrap();
        assert!(forked.contains("forked away"), "{forked}");
        let new = suspicion(&facts(tty, true, 3_000), Some(&p)).unwrap();
        assert!(new.contains("created after the command was held"), "{new}");
        // With no held command (setting the first PIN) the age does not count.
        assert_eq!(suspicion(&facts(tty, true, 3_000), None), None);
    }

    #[test]
    fn a_session_prepared_after_the_agent_started_is_suspect() {
        let tty = Some("/dev/pts/1");
        // Opened before the hold but after the agent started: staged.
        let staged = suspicion(&facts(tty, true, 1_700), Some(&held(2_000, Some(1_500)))).unwrap();
        assert!(
            staged.contains("opened after the agent started"),
            "{staged}"
        );
        // A proposer with no terminal of its own: no session can be shown
        // to predate its agent.
        let lost = suspicion(&facts(tty, true, 1_000), Some(&held(2_000, None))).unwrap();
        assert!(lost.contains("no terminal session of its own"), "{lost}");
    }
}
