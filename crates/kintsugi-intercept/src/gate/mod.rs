//! The one gate every interceptor shares: the hooks, the PATH shims,
//! `kintsugi exec`, `kintsugi run` and the MCP server all decide a command
//! here. One definition of each step:
//!
//! 1. connect only to the genuine daemon of this user
//!    ([`Client::connect_genuine`]); an impostor counts as down, fail closed;
//! 2. `propose`, answered within [`PROPOSE_TIMEOUT`];
//! 3. on a hold, `wait` for a human within the caller's hold budget (in
//!    slices of at most [`WAIT_SLICE`], each read bounded by the slice plus
//!    [`WAIT_GRACE`]);
//! 4. when the daemon cannot be asked, the local classifier and the fail
//!    mode ([`fallback_blocks`]): catastrophic is always blocked; `closed`
//!    blocks everything the daemon did not vouch for; the environment may
//!    only tighten the config's mode ([`FailMode::tightened_by`]);
//! 5. a daemon that is up but turned the request away for load blocks the
//!    command whatever the fail mode (nothing runs unrecorded).
//!
//! What differs between interceptors is only how the result is said and
//! what the host allows, and lives with each caller: a hook's explicit allow
//! skips the agent's own prompt, so hooks give it only for safe commands or
//! a human's approval (`hook/verdict.rs`); runners run or refuse the child
//! ([`runner`]); the hold budget is the host's hook timeout for hooks and
//! the config's `hold_timeout_secs` for runners.

pub mod child;
pub mod runner;

use kintsugi_classify::{Class, Context, analyze};
pub use kintsugi_config::FailMode;
use kintsugi_protocol::{
    Client, ClientError, Decision, PendingState, ProposedCommand, Request, Response, Verdict,
};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// How long a `propose` may take before the daemon counts as unreachable.
/// Above the daemon's default snapshot budget (10 s), which a non-safe
/// allow may spend before it answers.
pub const PROPOSE_TIMEOUT: Duration = Duration::from_secs(15);
/// Slack on top of a `wait` slice before the read gives up.
pub const WAIT_GRACE: Duration = Duration::from_secs(3);
/// The longest single `wait` request; a longer hold budget asks again.
pub const WAIT_SLICE: Duration = Duration::from_secs(60);

/// Where the fail mode comes from. It only matters when the daemon cannot
/// answer, so a config file is read then, not on every call.
#[derive(Debug, Clone, Copy)]
pub enum FailModeSource {
    /// Set for this process (`KINTSUGI_FAIL_MODE=closed`, or a test).
    Fixed(FailMode),
    /// Not tightened by the environment: ask this function, which reads the
    /// config's `fail_mode` (and may add a warning, e.g. a broken config).
    Config(fn() -> (FailMode, Option<String>)),
}

impl FailModeSource {
    /// The mode, words naming where it came from, and any warning.
    pub fn resolve(self) -> (FailMode, String, Option<String>) {
        match self {
            FailModeSource::Fixed(m) => (m, format!("KINTSUGI_FAIL_MODE={}", m.as_str()), None),
            FailModeSource::Config(read) => {
                let (m, warning) = read();
                (
                    m,
                    format!("fail_mode = \"{}\" in the config", m.as_str()),
                    warning,
                )
            }
        }
    }
}

/// Everything the gate needs besides the command.
#[derive(Debug, Clone)]
pub struct Gate {
    /// The daemon's socket.
    pub socket: PathBuf,
    /// The daemon's data dir (its pid file proves it genuine).
    pub data_dir: PathBuf,
    /// What `~` means to the local classifier.
    pub home: PathBuf,
    pub fail_mode: FailModeSource,
    /// The longest a held command waits for a human.
    pub hold_budget: Duration,
}

/// How a wait on a held command ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HoldEnd {
    /// A human approved it.
    Approved,
    /// A human denied it.
    Denied,
    /// It expired or was removed.
    Gone,
    /// Nobody decided within the hold budget.
    TimedOut,
    /// The daemon went away or answered something else; the text says what.
    Lost(String),
}

/// The local classifier's judgment when the daemon could not be asked.
#[derive(Debug, Clone)]
pub struct LocalJudgment {
    pub class: Class,
    pub rule: String,
    pub reason: String,
    /// Why the daemon could not be asked.
    pub why: String,
    /// The fail mode in force, words naming where it came from, any warning.
    pub mode: FailMode,
    pub mode_named: String,
    pub warning: Option<String>,
}

impl LocalJudgment {
    /// Whether the fail-mode rule blocks it (see [`fallback_blocks`]).
    pub fn blocks(&self) -> bool {
        fallback_blocks(self.class, self.mode)
    }
}

/// What the gate decided.
#[derive(Debug, Clone)]
pub enum Decided {
    /// The daemon allowed it.
    Allowed(Verdict),
    /// The daemon denied it.
    Denied(Verdict),
    /// The daemon held it; `id` is the queue id, `end` how the wait ended.
    Held {
        verdict: Verdict,
        id: String,
        end: HoldEnd,
    },
    /// The daemon held it but gave no queue id to wait on (a daemon that
    /// breaks the contract): nobody can approve it, so it never runs.
    HeldWithoutId(Verdict),
    /// The daemon is up but turned the request away for load.
    Busy(String),
    /// The daemon could not be asked (down, not genuine, or it failed).
    Local(LocalJudgment),
}

/// The one fail-mode rule: when the daemon did not vouch for a command,
/// catastrophic is blocked in either mode, and `closed` blocks everything.
pub fn fallback_blocks(class: Class, mode: FailMode) -> bool {
    class == Class::Catastrophic || mode == FailMode::Closed
}

impl Gate {
    /// Decide `cmd`. `on_hold` is called once when the daemon holds it,
    /// before the wait starts (a runner tells the human there).
    pub fn ask(&self, cmd: &ProposedCommand, on_hold: &mut dyn FnMut(&str, &Verdict)) -> Decided {
        self.ask_reusing(&mut None, cmd, on_hold)
    }

    /// [`Gate::ask`] on a kept connection: `conn` holds one already checked
    /// genuine (or nothing, and a new one is connected and checked). It is
    /// left holding the connection when the exchange went well and empty
    /// after any failure. A kept connection the daemon has since closed (it
    /// restarted, or closed it for idleness) is replaced once by a fresh
    /// one; any other failure takes the same path as [`Gate::ask`].
    pub fn ask_reusing(
        &self,
        conn: &mut Option<Client>,
        cmd: &ProposedCommand,
        on_hold: &mut dyn FnMut(&str, &Verdict),
    ) -> Decided {
        // A kept connection that was dead before the daemon read the
        // request (`Err`) is replaced by a fresh one below.
        if let Some(kept) = conn.take()
            && let Ok((decided, client)) = self.ask_on(kept, cmd, on_hold)
        {
            *conn = client;
            return decided;
        }
        let client = match Client::connect_genuine(&self.socket, &self.data_dir) {
            Ok(c) => c,
            // An impostor on the socket: judged as if down, and fail closed.
            Err(e @ ClientError::NotGenuine(_)) => {
                let closed = Gate {
                    fail_mode: FailModeSource::Fixed(FailMode::Closed),
                    ..self.clone()
                };
                return Decided::Local(closed.judge_locally(cmd, e.to_string()));
            }
            Err(e) => return Decided::Local(self.judge_locally(cmd, e.to_string())),
        };
        match self.ask_on(client, cmd, on_hold) {
            Ok((decided, client)) => {
                *conn = client;
                decided
            }
            Err(e) => Decided::Local(self.judge_locally(cmd, e.to_string())),
        }
    }

    /// Propose on `client` (and wait on a hold). `Err` when the connection
    /// failed before any answer (closed, or broken on write or read); then
    /// the daemon decided nothing that this caller will act on. On `Ok`, the
    /// connection comes back when it is fit for another request.
    fn ask_on(
        &self,
        mut client: Client,
        cmd: &ProposedCommand,
        on_hold: &mut dyn FnMut(&str, &Verdict),
    ) -> Result<(Decided, Option<Client>), ClientError> {
        let start = Instant::now();
        let answer = client
            .set_read_timeout(Some(PROPOSE_TIMEOUT))
            .and_then(|()| client.request(&Request::Propose(cmd.clone())));
        let verdict = match answer {
            Ok(Response::Verdict(v)) => v,
            Ok(Response::Error { message }) => {
                let why = format!("the daemon could not decide: {message}");
                return Ok((Decided::Local(self.judge_locally(cmd, why)), None));
            }
            Ok(other) => {
                let why = format!("the daemon answered `propose` with {other:?}");
                return Ok((Decided::Local(self.judge_locally(cmd, why)), None));
            }
            Err(ClientError::Busy(message)) => return Ok((Decided::Busy(message), None)),
            Err(e @ (ClientError::Closed | ClientError::Io(_))) if !timed_out(&e) => return Err(e),
            Err(e) => return Ok((Decided::Local(self.judge_locally(cmd, e.to_string())), None)),
        };
        Ok(match verdict.decision {
            Decision::Allow => (Decided::Allowed(verdict), Some(client)),
            Decision::Deny => (Decided::Denied(verdict), Some(client)),
            Decision::Hold => {
                let Some(id) = verdict.pending.clone() else {
                    return Ok((Decided::HeldWithoutId(verdict), Some(client)));
                };
                on_hold(&id, &verdict);
                let end = self.wait(&mut client, &id, start);
                // A wait that ended without the daemon's answer leaves the
                // connection mid-request: not reused.
                let fit = matches!(end, HoldEnd::Approved | HoldEnd::Denied | HoldEnd::Gone);
                (Decided::Held { verdict, id, end }, fit.then_some(client))
            }
        })
    }

    /// Wait on the same connection until a human decides or the budget
    /// (counted from `start`) runs out.
    fn wait(&self, client: &mut Client, id: &str, start: Instant) -> HoldEnd {
        let deadline = start + self.hold_budget;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return HoldEnd::TimedOut;
            }
            let slice = left.min(WAIT_SLICE);
            let req = Request::Wait {
                id: id.to_string(),
                timeout_ms: Some(slice.as_millis() as u64),
            };
            let answer = client
                .set_read_timeout(Some(slice + WAIT_GRACE))
                .and_then(|()| client.request(&req));
            match answer {
                Ok(Response::Pending { status }) => match status {
                    PendingState::Approved => return HoldEnd::Approved,
                    PendingState::Denied => return HoldEnd::Denied,
                    PendingState::Gone => return HoldEnd::Gone,
                    PendingState::Pending => continue,
                },
                Ok(other) => {
                    return HoldEnd::Lost(format!("the daemon answered `wait` with {other:?}"));
                }
                Err(e) => return HoldEnd::Lost(format!("lost the daemon while waiting ({e})")),
            }
        }
    }

    /// The daemon could not be asked: the classifier is a library, so judge
    /// here, with the fail mode in force.
    fn judge_locally(&self, cmd: &ProposedCommand, why: String) -> LocalJudgment {
        let ctx = Context {
            cwd: PathBuf::from(&cmd.cwd),
            home: self.home.clone(),
            project_root: None,
        };
        let a = analyze(&cmd.raw, &ctx);
        let (mode, mode_named, warning) = self.fail_mode.resolve();
        LocalJudgment {
            class: a.class,
            rule: a.rule,
            reason: a.reason,
            why,
            mode,
            mode_named,
            warning,
        }
    }
}

/// A read that gave up waiting (the daemon may still answer later): not a
/// dead connection, so never asked again elsewhere.
fn timed_out(e: &ClientError) -> bool {
    matches!(e, ClientError::Io(io) if matches!(io.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fail_mode_rule_is_one_table() {
        for class in [Class::Safe, Class::Ambiguous, Class::Catastrophic] {
            assert!(fallback_blocks(class, FailMode::Closed), "{class:?}");
        }
        assert!(fallback_blocks(Class::Catastrophic, FailMode::Open));
        assert!(!fallback_blocks(Class::Ambiguous, FailMode::Open));
        assert!(!fallback_blocks(Class::Safe, FailMode::Open));
    }

    fn gate(socket: PathBuf) -> Gate {
        Gate {
            socket,
            data_dir: PathBuf::from("/nonexistent/kintsugi-data"),
            home: PathBuf::from("/home/u"),
            fail_mode: FailModeSource::Fixed(FailMode::Open),
            hold_budget: Duration::from_secs(1),
        }
    }

    #[test]
    fn a_missing_daemon_is_judged_locally_with_the_fail_mode_named() {
        let g = gate(PathBuf::from("/nonexistent/kintsugi-test.sock"));
        let cmd = ProposedCommand::new("test", "/tmp", Vec::new(), "rm -rf ~");
        let Decided::Local(j) = g.ask(&cmd, &mut |_, _| panic!("no hold")) else {
            panic!("expected a local judgment");
        };
        assert_eq!(j.class, Class::Catastrophic);
        assert!(j.blocks());
        assert_eq!(j.mode_named, "KINTSUGI_FAIL_MODE=open");
        let cmd = ProposedCommand::new("test", "/tmp", Vec::new(), "ls");
        let Decided::Local(j) = g.ask(&cmd, &mut |_, _| ()) else {
            panic!("expected a local judgment");
        };
        assert!(!j.blocks(), "{j:?}");
    }
}
