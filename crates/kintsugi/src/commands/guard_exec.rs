//! `kintsugi guard`'s exec layer: run the agent under the seccomp exec
//! supervisor (`kintsugi-guard`) and judge each exec through the same gate
//! as the shim, `exec` and `run` (propose → hold wait → local fallback).
//! A live guard leaves a note in `<data dir>/guards/` so `status` and
//! `doctor` can say which layer protects it.

use crate::commands::guard_lease::LeaseClient;
use crate::gate::{self, GateSettings, Outcome};
use kintsugi_guard::{
    Allowance, ExecRequest, Judge, NotifUnavailable, SpawnError, Supervisor, Verdict,
    spawn_filtered,
};
use kintsugi_protocol::guards::GuardNote;
use kintsugi_protocol::{ExecForm, GuardInfo, Origin, ProposedCommand, argv_to_line, shell_quote};
use std::path::Path;
use std::process::{Command, ExitStatus};
use std::time::{Duration, Instant};

/// What the agent is told (through the human's terminal) when an exec is
/// refused: the agent itself only sees `EPERM`.
pub const EPERM_NOTE: &str = "kintsugi guard: the program was not started (the agent sees \"Operation not permitted\", EPERM). Under guard, setuid programs such as sudo also cannot gain privileges (no_new_privs).";

/// Most idle daemon connections a guard keeps for its execs.
const MAX_KEPT_CONNECTIONS: usize = 8;

/// The gate as the supervisor's judge. It keeps a few connections to the
/// daemon, each checked genuine once when it was opened, instead of
/// connecting and checking for every exec; a connection is kept only while
/// it is idle for less than half the daemon's `read_timeout_secs` (the
/// daemon closes idle ones), and one the daemon closed is replaced by the
/// gate ([`gate::may_run_reusing`]).
pub struct GateJudge {
    pub session: String,
    pub settings: GateSettings,
    kept: ConnectionPool,
    /// The daemon's lease, when the guard may answer covered execs itself.
    lease: Option<LeaseClient>,
}

/// Idle, checked connections to the daemon, with when each was last used.
struct ConnectionPool {
    idle: std::sync::Mutex<Vec<(kintsugi_protocol::Client, Instant)>>,
    max_idle: Duration,
}

impl ConnectionPool {
    fn new(daemon_read_timeout: Duration) -> ConnectionPool {
        ConnectionPool {
            idle: std::sync::Mutex::default(),
            max_idle: daemon_read_timeout / 2,
        }
    }

    /// A connection fresh enough to reuse, if one is kept.
    fn take(&self) -> Option<kintsugi_protocol::Client> {
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        idle.retain(|(_, at)| at.elapsed() < self.max_idle);
        idle.pop().map(|(c, _)| c)
    }

    /// Keep `conn` for the next exec (dropped when enough are kept).
    fn give_back(&self, conn: Option<kintsugi_protocol::Client>) {
        let Some(conn) = conn else { return };
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        if idle.len() < MAX_KEPT_CONNECTIONS {
            idle.push((conn, Instant::now()));
        }
    }
}

impl GateJudge {
    /// A judge for the guard of `session`, with the user's gate settings,
    /// answering covered execs under the daemon's lease when `lease` is set.
    pub fn new(session: &str, lease: Option<LeaseClient>) -> GateJudge {
        let read_timeout = gate::config_or_safest().0.read_timeout_secs;
        GateJudge {
            session: session.to_string(),
            settings: GateSettings::load(),
            kept: ConnectionPool::new(Duration::from_secs(read_timeout)),
            lease,
        }
    }
}

/// The command line an exec stands for: the environment that changes what
/// programs do (`PATH` aside: the program is already resolved), then the
/// program the kernel was asked to run and its arguments.
pub fn exec_line(req: &ExecRequest) -> (Vec<String>, String) {
    let mut words = vec![req.program.clone()];
    words.extend(req.argv.iter().skip(1).cloned());
    let mut line = argv_to_line(&words);
    let assigns: Vec<String> = req
        .env
        .iter()
        .filter(|(k, _)| k != "PATH")
        .map(|(k, v)| format!("{k}={}", shell_quote(v)))
        .collect();
    if !assigns.is_empty() {
        line = format!("{} {line}", assigns.join(" "));
    }
    (words, line)
}

impl Judge for GateJudge {
    fn judge(&self, req: &ExecRequest) -> Verdict {
        let (words, line) = exec_line(req);
        let mut cmd = ProposedCommand::new("exec", &req.cwd, words, &line);
        cmd.session = Some(self.session.clone());
        cmd.origin = Some(Origin::Exec);
        cmd.approved_parent = req.parent.as_ref().and_then(|p| p.approved.clone());
        cmd.exec = Some(ExecForm {
            program: req.program.clone(),
            env: req.env.clone(),
            parent: req.parent.as_ref().map(|p| p.id.clone()),
            pid: Some(req.pid),
        });
        // A safe exec the lease answers continues now, reported later. A
        // covered one passes its parent's allowance on (only a parent the
        // daemon itself allowed, not the fail-mode fallback); one of the
        // agent's own commands passes on its own, with its report's number.
        if let Some(lease) = &self.lease {
            let under_daemon = req.parent.as_ref().is_none_or(|p| p.confirmed);
            if under_daemon && let Some(report) = lease.answered(&cmd) {
                return Verdict::Allow(req.parent.clone().unwrap_or(Allowance {
                    id: cmd.id,
                    approved: None,
                    confirmed: true,
                    report: Some(report),
                }));
            }
            // The daemon learns of a leased parent from its report: that
            // goes first, or this exec would name a parent it never saw.
            if let Some(report) = req.parent.as_ref().and_then(|p| p.report) {
                lease.reported(report);
            }
        }
        let mut conn = self.kept.take();
        let outcome = gate::may_run_reusing(&cmd, &self.settings, &mut conn);
        self.kept.give_back(conn);
        match outcome {
            Outcome::Run { approved, daemon } => Verdict::Allow(Allowance {
                id: cmd.id,
                approved: approved.or_else(|| req.parent.as_ref()?.approved.clone()),
                confirmed: daemon,
                report: None,
            }),
            Outcome::Refuse(msg) => {
                gate::tell_human(&format!("{msg}\n{EPERM_NOTE}\n"));
                Verdict::Deny(msg)
            }
        }
    }

    fn unreadable(&self, pid: u32, why: &str) {
        gate::tell_human(&format!(
            "kintsugi guard: refused an exec of process {pid}: its arguments could not be read whole ({why}); an exec Kintsugi cannot read is never guessed.\n"
        ));
    }
}

/// How the exec layer went.
pub enum Layer {
    /// The agent ran under the supervisor and exited so.
    Ran(ExitStatus),
    /// The kernel or container refused the filter: fall back.
    Unavailable(NotifUnavailable),
}

/// Run `program` (argv0 `argv0`, then `args`) under the exec supervisor.
pub fn run(
    program: &Path,
    argv0: &str,
    args: &[String],
    env: &[(String, String)],
    session: &str,
    use_lease: bool,
) -> anyhow::Result<Layer> {
    use std::os::unix::process::CommandExt;
    let mut command = Command::new(program);
    command.arg0(argv0).args(args);
    command.envs(env.iter().map(|(k, v)| (k, v)));
    crate::commands::guard_tree::restrict_child(&mut command);
    let (lease, finisher) = if use_lease {
        let (l, f) = LeaseClient::start(
            kintsugi_protocol::socket_path(),
            kintsugi_protocol::data_dir(),
        );
        (Some(l), Some(f))
    } else {
        (None, None)
    };
    let judge = GateJudge::new(session, lease);
    let baseline: Vec<(String, String)> = std::env::vars().collect();
    let forwarding = kintsugi_intercept::gate::child::SignalForwarding::start()?;
    let child = match spawn_filtered(&mut command, move |l| {
        Supervisor::new(judge, baseline).run(l)
    }) {
        Ok(c) => c,
        Err(SpawnError::Unavailable(why)) => return Ok(Layer::Unavailable(why)),
        Err(SpawnError::Spawn(e)) => {
            anyhow::bail!("cannot start {}: {e}", program.display())
        }
    };
    let note = note(child.id(), argv0, session, "exec");
    let status = forwarding.wait(child);
    if let Some(f) = finisher {
        f.finish();
    }
    drop(note);
    Ok(Layer::Ran(status?))
}

/// Leave the note `status` reads: agent `agent` (process `pid`) is
/// guarded by this process with `layer`.
pub fn note(pid: u32, agent: &str, session: &str, layer: &str) -> GuardNote {
    GuardNote::write(
        &kintsugi_protocol::data_dir(),
        &GuardInfo {
            guard_pid: std::process::id(),
            agent_pid: pid,
            agent: agent.to_string(),
            session: session.to_string(),
            layer: layer.to_string(),
            ..crate::commands::guard_tree::note_fields()
        },
    )
}

/// The live guards, one line each (read from the notes, so it works with
/// the daemon down too).
pub fn live_guards() -> Vec<String> {
    kintsugi_protocol::guards::live(&kintsugi_protocol::data_dir())
        .into_iter()
        .map(|g| {
            format!(
                "{} (guard pid {}, session {}): {}{}",
                g.agent,
                g.guard_pid,
                g.session,
                layer_words(&g.layer),
                crate::commands::guard_tree::protections(&g)
            )
        })
        .collect()
}

/// What a layer word means to a user.
pub fn layer_words(layer: &str) -> &'static str {
    match layer {
        "exec" => "exec supervisor (seccomp: every exec judged)",
        _ => "PATH shims only (absolute paths are not seen)",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_names_the_program_and_the_changed_environment() {
        let req = ExecRequest {
            pid: 1,
            program: "/usr/bin/rm".into(),
            argv: vec!["rm".into(), "-rf".into(), "a b".into()],
            env: vec![
                ("PATH".into(), "/x".into()),
                ("BASH_ENV".into(), "/tmp/e v".into()),
            ],
            cwd: "/".into(),
            parent: None,
        };
        let (words, line) = exec_line(&req);
        assert_eq!(words, ["/usr/bin/rm", "-rf", "a b"]);
        assert_eq!(line, "BASH_ENV='/tmp/e v' /usr/bin/rm -rf 'a b'");
    }
}
