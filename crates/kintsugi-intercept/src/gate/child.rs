//! Running the command a gate let through: the child with signals
//! forwarded, the exit passed on as the child's, and the completion report
//! to the daemon.

use kintsugi_protocol::{Client, ProposedCommand, Request, socket_path};
use std::time::Instant;

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

/// Run `program` with `args` (argv0 as given), forwarding signals (see
/// [`SignalForwarding`]), and return its status.
pub fn run_child(
    program: &std::path::Path,
    argv0: &str,
    args: &[String],
    cwd: Option<&std::path::Path>,
    env: &[(String, String)],
) -> std::io::Result<std::process::ExitStatus> {
    use std::os::unix::process::CommandExt;
    let mut command = std::process::Command::new(program);
    command.arg0(argv0).args(args);
    if let Some(dir) = cwd {
        command.current_dir(dir);
    }
    command.envs(env.iter().map(|(k, v)| (k, v)));
    let forwarding = SignalForwarding::start()?;
    forwarding.wait(command.spawn()?)
}

/// Signals sent to a runner passed on to its child. SIGINT, SIGQUIT and
/// SIGWINCH from a terminal already reach the child (same process group);
/// they are forwarded only when we are not in the terminal's foreground.
/// SIGHUP, SIGTERM, SIGUSR1/2, SIGALRM and SIGCONT sent to us alone are
/// always passed on. (SIGSTOP and SIGKILL cannot be caught: they stop or
/// kill only this process.) Start it before spawning the child, so no
/// signal falls between.
pub struct SignalForwarding {
    signals: signal_hook::iterator::Signals,
    terminal_signals_too: bool,
}

impl SignalForwarding {
    /// Catch the signals to forward.
    pub fn start() -> std::io::Result<SignalForwarding> {
        use signal_hook::consts::signal::{
            SIGALRM, SIGCONT, SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH,
        };
        let signals = signal_hook::iterator::Signals::new([
            SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGALRM, SIGCONT, SIGWINCH,
        ])?;
        Ok(SignalForwarding {
            signals,
            terminal_signals_too: !in_terminal_foreground(),
        })
    }

    /// Forward to `child` until it exits; its status.
    pub fn wait(
        mut self,
        mut child: std::process::Child,
    ) -> std::io::Result<std::process::ExitStatus> {
        use signal_hook::consts::signal::{SIGINT, SIGQUIT, SIGWINCH};
        let handle = self.signals.handle();
        let pid = rustix::process::Pid::from_raw(child.id() as i32);
        let terminal_too = self.terminal_signals_too;
        let forwarder = std::thread::spawn(move || {
            for sig in self.signals.forever() {
                if matches!(sig, SIGINT | SIGQUIT | SIGWINCH) && !terminal_too {
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
        status
    }
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
