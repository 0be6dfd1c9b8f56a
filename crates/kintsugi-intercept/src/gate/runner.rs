//! The gate as runners see it (the PATH shims, `kintsugi exec`, `kintsugi
//! run`, the MCP server's `exec` tool): run the child or refuse it with a
//! message, tell the human at the terminal about a hold, and carry a human's
//! approval to the commands the child runs.

use super::{Decided, FailMode, FailModeSource, Gate, HoldEnd};
use kintsugi_config::Config;
use kintsugi_protocol::{Origin, ProposedCommand, Verdict, config_path, data_dir, socket_path};
use std::io::Write;
use std::time::Duration;

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
/// caught by interceptor `origin`, the current session and approved parent
/// from the environment.
pub fn proposal(
    origin: Origin,
    agent: &str,
    cwd: &str,
    argv: Vec<String>,
    raw: &str,
) -> ProposedCommand {
    let mut cmd = ProposedCommand::new(agent, cwd, argv, raw).from_origin(origin);
    cmd.session = std::env::var("KINTSUGI_SESSION")
        .ok()
        .filter(|s| !s.is_empty());
    cmd.approved_parent = std::env::var(APPROVED_PARENT_ENV)
        .ok()
        .filter(|s| !s.is_empty());
    cmd
}

/// What the gate decided, for a runner.
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

fn hold_card(cmd: &ProposedCommand, id: &str, v: &Verdict) {
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
}

/// Decide `cmd` through the daemon (or locally when it is down).
pub fn may_run(cmd: &ProposedCommand, settings: &GateSettings) -> Outcome {
    may_run_reusing(cmd, settings, &mut None)
}

/// [`may_run`] on a kept, already checked connection (see
/// [`Gate::ask_reusing`]), for a long-lived runner such as the guard's exec
/// supervisor that decides many commands.
pub fn may_run_reusing(
    cmd: &ProposedCommand,
    settings: &GateSettings,
    conn: &mut Option<kintsugi_protocol::Client>,
) -> Outcome {
    let gate = Gate {
        socket: socket_path(),
        data_dir: data_dir(),
        home: kintsugi_protocol::home_dir(),
        fail_mode: FailModeSource::Fixed(settings.fail_mode),
        hold_budget: settings.hold_timeout,
    };
    match gate.ask_reusing(conn, cmd, &mut |id, v| hold_card(cmd, id, v)) {
        Decided::Allowed(_) => Outcome::Run {
            daemon: true,
            approved: cmd.approved_parent.clone(),
        },
        Decided::Denied(v) => Outcome::Refuse(format!(
            "kintsugi: denied `{}`: {} [{}]",
            cmd.raw, v.reason, v.rule
        )),
        Decided::HeldWithoutId(_) => {
            Outcome::Refuse("kintsugi: held without a queue id; not running it".into())
        }
        Decided::Held { id, end, .. } => match end {
            HoldEnd::Approved => Outcome::Run {
                daemon: true,
                approved: Some(id),
            },
            HoldEnd::TimedOut => Outcome::Refuse(format!(
                "kintsugi: no decision on {id} within {} s; not running it. A human can still run it with `kintsugi run {id}`",
                settings.hold_timeout.as_secs()
            )),
            HoldEnd::Denied => Outcome::Refuse(format!(
                "kintsugi: held command {id} was denied; not running it"
            )),
            HoldEnd::Gone => Outcome::Refuse(format!(
                "kintsugi: held command {id} was gone (expired or removed); not running it"
            )),
            HoldEnd::Lost(why) => Outcome::Refuse(format!(
                "kintsugi: held command {id}: {why}; not running it"
            )),
        },
        // The daemon is up but refused us for load: it did not vouch for the
        // command and cannot record it, so nothing runs, whatever the fail
        // mode (the fail mode is about a daemon that is down).
        Decided::Busy(message) => Outcome::Refuse(format!(
            "kintsugi: blocked `{}`: the daemon is busy and turned this request away ({message}); nothing runs unrecorded, whatever the fail mode. Retry in a moment.",
            cmd.raw
        )),
        Decided::Local(j) => {
            if let Some(w) = &j.warning {
                eprintln!("kintsugi: {w}");
            }
            eprintln!(
                "kintsugi: daemon unreachable ({}); deciding locally, fail mode `{}`",
                j.why,
                j.mode.as_str()
            );
            if !j.blocks() {
                return Outcome::Run {
                    daemon: false,
                    approved: None,
                };
            }
            if j.class == kintsugi_classify::Class::Catastrophic {
                Outcome::Refuse(format!(
                    "kintsugi: blocked `{}` while the daemon is down: {} [{}]",
                    cmd.raw, j.reason, j.rule
                ))
            } else {
                Outcome::Refuse(format!(
                    "kintsugi: blocked `{}`: the daemon is down and fail mode is closed ({}; {})",
                    cmd.raw, j.mode_named, j.reason
                ))
            }
        }
    }
}
