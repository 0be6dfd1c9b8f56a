//! The gate every runner shares (shim, `exec`, `run`): propose a command,
//! obey the verdict, wait for a human on a hold, fall back to the local
//! classifier when the daemon is unreachable, and report completion.

use anyhow::Result;
use kintsugi_classify::{Class, Context, analyze};
use kintsugi_config::{Config, FailMode};
use kintsugi_protocol::{
    Client, ClientError, Decision, PendingState, ProposedCommand, Request, Response, Verdict,
    config_path, data_dir, socket_path,
};
use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Exit code for a command Kintsugi refused to run (as shells use for
/// "found but not executable").
pub const DENIED_EXIT: u8 = 126;

/// The environment variable a runner sets for a command a human approved.
pub const APPROVED_PARENT_ENV: &str = "KINTSUGI_APPROVED_PARENT";

/// The environment a runner gives a command a human approved.
pub fn approved_env(approved: Option<&str>) -> Vec<(String, String)> {
    approved
        .map(|id| vec![(APPROVED_PARENT_ENV.to_string(), id.to_string())])
        .unwrap_or_default()
}

/// A proposed command from this process's point of view: agent `agent`,
/// the current session and approved parent from the environment.
pub fn proposal(agent: &str, cwd: &str, argv: Vec<String>, raw: &str) -> ProposedCommand {
    let mut cmd = ProposedCommand::new(agent, cwd, argv, raw);
    cmd.session = std::env::var("KINTSUGI_SESSION")
        .ok()
        .filter(|s| !s.is_empty());
    cmd.approved_parent = std::env::var(APPROVED_PARENT_ENV)
        .ok()
        .filter(|s| !s.is_empty());
    cmd
}

/// What the gate decided.
#[derive(Debug)]
pub enum Outcome {
    /// Run it. `daemon` is false when the local fallback allowed it;
    /// `approved` is the queue id when a human approved a hold, passed to the
    /// child as `KINTSUGI_APPROVED_PARENT` so the commands it runs inside
    /// that approval are not held again.
    Run {
        daemon: bool,
        approved: Option<String>,
    },
    /// Do not run it; the message says why.
    Refuse(String),
}

/// The runner's settings, from the user config and the environment.
pub struct GateSettings {
    pub fail_mode: FailMode,
    pub hold_timeout: Duration,
}

impl GateSettings {
    /// Read the config (a broken config falls back to the safest settings
    /// and says so) and apply `KINTSUGI_FAIL_MODE` (which can only tighten).
    pub fn load() -> GateSettings {
        let (config, warning) = config_or_safest();
        if let Some(w) = warning {
            eprintln!("kintsugi: {w}");
        }
        let fail_mode = fail_mode_with_env(config.fail_mode);
        GateSettings {
            fail_mode,
            hold_timeout: Duration::from_secs(config.hold_timeout_secs),
        }
    }
}

/// The config's fail mode as `KINTSUGI_FAIL_MODE` may tighten it (never
/// loosen: see [`FailMode::tightened_by`], the rule the hook uses too).
pub fn fail_mode_with_env(config: FailMode) -> FailMode {
    let env = FailMode::from_env().map(|(mode, warning)| {
        if let Some(w) = warning {
            eprintln!("kintsugi: {w}");
        }
        mode
    });
    FailMode::tightened_by(config, env)
}

/// The config, or, when it cannot be read, the defaults with fail mode
/// `closed` and a warning that says why.
pub fn config_or_safest() -> (Config, Option<String>) {
    match Config::load(&config_path()) {
        Ok(c) => (c, None),
        Err(e) => (
            Config {
                fail_mode: FailMode::Closed,
                ..Config::default()
            },
            Some(format!("{e}; using fail mode `closed` until it is fixed")),
        ),
    }
}

/// The user's home directory.
pub use kintsugi_protocol::home_dir as home;

/// Write to the controlling terminal when there is one, else to stderr, so a
/// hold card reaches the human even when the agent captures stderr.
pub fn tell_human(text: &str) {
    if let Ok(mut tty) = std::fs::OpenOptions::new().write(true).open("/dev/tty")
        && tty.write_all(text.as_bytes()).is_ok()
    {
        return;
    }
    eprint!("{text}");
}

/// Decide `cmd` through the daemon (or locally when it is down).
pub fn decide(cmd: &ProposedCommand, settings: &GateSettings) -> Outcome {
    let mut client = match Client::connect_genuine(&socket_path(), &data_dir()) {
        Ok(c) => c,
        // An impostor on the socket: decide as if down, and fail closed.
        Err(e @ ClientError::NotGenuine(_)) => {
            let closed = GateSettings {
                fail_mode: FailMode::Closed,
                hold_timeout: settings.hold_timeout,
            };
            return decide_locally(cmd, &closed, &e.to_string());
        }
        Err(e) => return decide_locally(cmd, settings, &e.to_string()),
    };
    let verdict = match client.request(&Request::Propose(cmd.clone())) {
        Ok(Response::Verdict(v)) => v,
        Ok(Response::Error { message }) => {
            return decide_locally(cmd, settings, &format!("the daemon refused: {message}"));
        }
        Ok(other) => return decide_locally(cmd, settings, &format!("unexpected answer {other:?}")),
        Err(ClientError::Busy(message)) => return refuse_busy(cmd, &message),
        Err(e) => return decide_locally(cmd, settings, &e.to_string()),
    };
    match verdict.decision {
        Decision::Allow => Outcome::Run {
            daemon: true,
            approved: cmd.approved_parent.clone(),
        },
        Decision::Deny => Outcome::Refuse(format!(
            "kintsugi: denied `{}`: {} [{}]",
            cmd.raw, verdict.reason, verdict.rule
        )),
        Decision::Hold => wait_for_human(&mut client, cmd, &verdict, settings.hold_timeout),
    }
}

fn wait_for_human(
    client: &mut Client,
    cmd: &ProposedCommand,
    v: &Verdict,
    timeout: Duration,
) -> Outcome {
    let Some(id) = v.pending.clone() else {
        return Outcome::Refuse("kintsugi: held without a queue id; not running it".into());
    };
    let summary = match v.summary.as_deref() {
        Some(s) if s != v.reason => format!("  {s}\n"),
        _ => String::new(),
    };
    tell_human(&format!(
        "\nkintsugi: HELD {id}  {} ({})\n  {}\n{summary}  approve in another terminal: kintsugi approve {id}    deny: kintsugi deny {id}\n",
        cmd.raw,
        v.class.as_str(),
        v.reason,
    ));
    let deadline = Instant::now() + timeout;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Outcome::Refuse(format!(
                "kintsugi: no decision on {id} within {} s; not running it. A human can still run it with `kintsugi run {id}`",
                timeout.as_secs()
            ));
        }
        let slice = left.min(Duration::from_secs(60));
        let answer = client.request(&Request::Wait {
            id: id.clone(),
            timeout_ms: Some(slice.as_millis() as u64),
        });
        match answer {
            Ok(Response::Pending {
                status: PendingState::Approved,
            }) => {
                return Outcome::Run {
                    daemon: true,
                    approved: Some(id),
                };
            }
            Ok(Response::Pending {
                status: PendingState::Pending,
            }) => continue,
            Ok(Response::Pending { status }) => {
                return Outcome::Refuse(format!(
                    "kintsugi: held command {id} was {}; not running it",
                    format!("{status:?}").to_lowercase()
                ));
            }
            Ok(other) => {
                return Outcome::Refuse(format!(
                    "kintsugi: unexpected answer while waiting: {other:?}"
                ));
            }
            Err(e) => {
                return Outcome::Refuse(format!(
                    "kintsugi: lost the daemon while waiting on {id}: {e}"
                ));
            }
        }
    }
}

/// The daemon is up but refused us for load: it did not vouch for the
/// command and cannot record it, so nothing runs, whatever the fail mode
/// (the fail mode is about a daemon that is down).
fn refuse_busy(cmd: &ProposedCommand, message: &str) -> Outcome {
    Outcome::Refuse(format!(
        "kintsugi: blocked `{}`: the daemon is busy and turned this request away ({message}); nothing runs unrecorded, whatever the fail mode. Retry in a moment.",
        cmd.raw
    ))
}

/// The daemon is unreachable: the classifier is a library, so judge here.
/// Catastrophic is always blocked; the rest follows the fail mode.
fn decide_locally(cmd: &ProposedCommand, settings: &GateSettings, why: &str) -> Outcome {
    let ctx = Context {
        cwd: PathBuf::from(&cmd.cwd),
        home: home(),
        project_root: None,
    };
    let a = analyze(&cmd.raw, &ctx);
    let mode = match settings.fail_mode {
        FailMode::Open => "open",
        FailMode::Closed => "closed",
    };
    eprintln!("kintsugi: daemon unreachable ({why}); deciding locally, fail mode `{mode}`");
    match (a.class, settings.fail_mode) {
        (Class::Catastrophic, _) => Outcome::Refuse(format!(
            "kintsugi: blocked `{}` while the daemon is down: {} [{}]",
            cmd.raw, a.reason, a.rule
        )),
        (Class::Ambiguous, FailMode::Closed) => Outcome::Refuse(format!(
            "kintsugi: blocked `{}`: the daemon is down and fail mode is closed ({})",
            cmd.raw, a.reason
        )),
        _ => Outcome::Run {
            daemon: false,
            approved: None,
        },
    }
}

/// Tell the daemon the command finished (best effort: a runner never fails
/// because the report could not be sent).
pub fn report_completion(
    cmd: &ProposedCommand,
    status: &std::process::ExitStatus,
    started: Instant,
) {
    use std::os::unix::process::ExitStatusExt;
    let Ok(mut client) = Client::connect(&socket_path()) else {
        return;
    };
    let _ = client.request(&Request::Complete {
        id: cmd.id.clone(),
        exit_code: status.code(),
        signal: status.signal(),
        duration_ms: Some(started.elapsed().as_millis() as u64),
        agent: cmd.agent.clone(),
        raw: cmd.raw.clone(),
        cwd: cmd.cwd.clone(),
    });
}

/// Run `program` with `args` (argv0 as given), forwarding signals, and
/// return its status. SIGINT, SIGQUIT and SIGWINCH from a terminal already
/// reach the child (same process group); they are forwarded only when we are
/// not in the terminal's foreground. SIGHUP, SIGTERM, SIGUSR1/2, SIGALRM and
/// SIGCONT sent to us alone are always passed on. (SIGSTOP and SIGKILL
/// cannot be caught: they stop or kill only this process.)
pub fn run_child(
    program: &std::path::Path,
    argv0: &str,
    args: &[String],
    cwd: Option<&std::path::Path>,
    env: &[(String, String)],
) -> Result<std::process::ExitStatus> {
    use signal_hook::consts::signal::{
        SIGALRM, SIGCONT, SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH,
    };
    use std::os::unix::process::CommandExt;
    let mut command = std::process::Command::new(program);
    command.arg0(argv0).args(args);
    if let Some(dir) = cwd {
        command.current_dir(dir);
    }
    command.envs(env.iter().map(|(k, v)| (k, v)));
    let forward_terminal_signals = !in_terminal_foreground();
    let mut signals = signal_hook::iterator::Signals::new([
        SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGALRM, SIGCONT, SIGWINCH,
    ])?;
    let handle = signals.handle();
    let mut child = command.spawn()?;
    let pid = rustix::process::Pid::from_raw(child.id() as i32);
    let forwarder = std::thread::spawn(move || {
        for sig in signals.forever() {
            if matches!(sig, SIGINT | SIGQUIT | SIGWINCH) && !forward_terminal_signals {
                continue;
            }
            if let (Some(pid), Some(s)) = (pid, rustix::process::Signal::from_named_raw(sig)) {
                let _ = rustix::process::kill_process(pid, s);
            }
        }
    });
    let status = child.wait();
    handle.close();
    let _ = forwarder.join();
    Ok(status?)
}

fn in_terminal_foreground() -> bool {
    let Ok(tty) = std::fs::File::open("/dev/tty") else {
        return false;
    };
    match rustix::termios::tcgetpgrp(&tty) {
        Ok(fg) => fg == rustix::process::getpgrp(),
        Err(_) => false,
    }
}

/// Leave the way the child did: its exit code, or death by its signal.
pub fn exit_like(status: std::process::ExitStatus) -> std::process::ExitCode {
    use std::os::unix::process::ExitStatusExt;
    if let Some(code) = status.code() {
        return std::process::ExitCode::from(code as u8);
    }
    if let Some(sig) = status.signal() {
        let _ = signal_hook::low_level::emulate_default_handler(sig);
        return std::process::ExitCode::from(128u8.wrapping_add(sig as u8));
    }
    std::process::ExitCode::FAILURE
}
