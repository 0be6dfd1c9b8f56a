//! `kintsugi record`: passive recording of human shells. `install` prints
//! (or writes into an rc file, idempotently) the hook code; `uninstall`
//! removes it; `status` says where it is installed, whether the daemon
//! answers and how many lines wait in the spool; `send` is what the hook
//! runs for each command line (the daemon, else the spool; never fails).

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use kintsugi_intercept::recorder::{self, Shell};
use kintsugi_protocol::{Client, ProposedCommand, Request, Response, spool};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

#[derive(Args)]
pub struct RecordArgs {
    #[command(subcommand)]
    action: Action,
}

#[derive(Subcommand)]
enum Action {
    /// Print the hook code (for `eval "$(kintsugi record install)"`), or write it into RCFILE.
    Install {
        /// bash or zsh (default: from $SHELL).
        #[arg(long)]
        shell: Option<String>,
        /// Write the code into this rc file in a fenced block (idempotent).
        #[arg(long, value_name = "RCFILE")]
        write: Option<PathBuf>,
    },
    /// Remove the fenced block from RCFILE (default: the rc file of $SHELL).
    Uninstall {
        #[arg(long, value_name = "RCFILE")]
        write: Option<PathBuf>,
    },
    /// Is the hook installed, does the daemon answer, how many lines are spooled?
    Status {
        /// The rc file to check (default: ~/.bashrc and ~/.zshrc).
        #[arg(long, value_name = "RCFILE")]
        rc: Option<PathBuf>,
    },
    /// Record one command line (what the hook runs, in the background).
    Send {
        /// When the line was typed: seconds since the epoch (`$EPOCHREALTIME`).
        #[arg(long)]
        at: Option<String>,
        #[arg(long)]
        cwd: Option<String>,
        #[arg(long)]
        session: Option<String>,
        /// The command line as typed.
        #[arg(last = true, required = true)]
        line: Vec<String>,
    },
}

pub fn run(args: RecordArgs) -> Result<ExitCode> {
    match args.action {
        Action::Install { shell, write } => install(shell, write),
        Action::Uninstall { write } => uninstall(write),
        Action::Status { rc } => status(rc),
        Action::Send {
            at,
            cwd,
            session,
            line,
        } => Ok(send(at, cwd, session, line.join(" "))),
    }
}

use kintsugi_protocol::home_dir as home;

fn pick_shell(shell: Option<String>) -> Result<Shell> {
    let name = shell
        .or_else(|| std::env::var("SHELL").ok())
        .unwrap_or_default();
    Shell::parse(&name)
        .with_context(|| format!("cannot record shell {name:?}: pass --shell bash or --shell zsh"))
}

fn install(shell: Option<String>, write: Option<PathBuf>) -> Result<ExitCode> {
    let shell = pick_shell(shell)?;
    let bin = std::env::current_exe().context("cannot find the kintsugi binary's path")?;
    let code = recorder::shell_code(shell, &bin.display().to_string());
    let Some(rc) = write else {
        print!("{code}");
        return Ok(ExitCode::SUCCESS);
    };
    let old = read_rc(&rc)?;
    let new = recorder::install_block(&old, &code);
    if new == old {
        eprintln!("kintsugi: {} already records this shell", rc.display());
    } else {
        std::fs::write(&rc, new).with_context(|| format!("cannot write {}", rc.display()))?;
        eprintln!(
            "kintsugi: recording installed in {}; open a new shell (or `source {}`)",
            rc.display(),
            rc.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn read_rc(rc: &Path) -> Result<String> {
    match std::fs::read_to_string(rc) {
        Ok(t) => Ok(t),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", rc.display())),
    }
}

fn uninstall(write: Option<PathBuf>) -> Result<ExitCode> {
    let rc = match write {
        Some(rc) => rc,
        None => pick_shell(None)?.rc_file(&home()),
    };
    let old = read_rc(&rc)?;
    match recorder::remove_block(&old) {
        Some(new) => {
            std::fs::write(&rc, new).with_context(|| format!("cannot write {}", rc.display()))?;
            eprintln!(
                "kintsugi: recording removed from {}; shells already open keep recording until they exit",
                rc.display()
            );
        }
        None => eprintln!("kintsugi: {} has no kintsugi record block", rc.display()),
    }
    Ok(ExitCode::SUCCESS)
}

fn status(rc: Option<PathBuf>) -> Result<ExitCode> {
    let files = match rc {
        Some(rc) => vec![rc],
        None => vec![Shell::Bash.rc_file(&home()), Shell::Zsh.rc_file(&home())],
    };
    for f in files {
        let state = match std::fs::read_to_string(&f) {
            Ok(t) if recorder::has_block(&t) => "installed",
            Ok(_) => "not installed",
            Err(_) => "not installed (no such file)",
        };
        println!("{:<40} {state}", f.display());
    }
    let socket = kintsugi_protocol::socket_path();
    let daemon = match ask(&ProposedCommand::new("recorder", "/", vec![], ""), true) {
        Ok(()) => "reachable",
        Err(_) => "NOT reachable (lines are spooled until it starts)",
    };
    println!("daemon {:<33} {daemon}", socket.display());
    let dir = kintsugi_protocol::data_dir();
    println!(
        "spool  {:<33} {} line(s) waiting",
        dir.join(spool::SPOOL_FILE).display(),
        spool::pending(&dir)
    );
    Ok(ExitCode::SUCCESS)
}

/// Send `cmd` as `record` (or only `status` when `probe`).
fn ask(cmd: &ProposedCommand, probe: bool) -> Result<()> {
    let mut client = Client::connect_default()?;
    client.set_read_timeout(Some(Duration::from_secs(2)))?;
    let req = if probe {
        Request::Status
    } else {
        Request::Record(cmd.clone())
    };
    match client.request(&req)? {
        Response::Ack | Response::Status(_) => Ok(()),
        Response::Error { message } => bail!("the daemon refused the record: {message}"),
        other => bail!("unexpected answer {other:?}"),
    }
}

/// Record one line: to the daemon, else to the spool. Always exit 0 unless
/// even the spool cannot be written (then say so on stderr, exit 1).
fn send(
    at: Option<String>,
    cwd: Option<String>,
    session: Option<String>,
    line: String,
) -> ExitCode {
    if line.trim().is_empty() {
        return ExitCode::SUCCESS;
    }
    let cwd = cwd
        .or_else(|| {
            std::env::current_dir()
                .ok()
                .map(|d| d.display().to_string())
        })
        .unwrap_or_else(|| "/".into());
    let mut cmd = ProposedCommand::new("recorder", &cwd, vec![], &line)
        .from_origin(kintsugi_protocol::Origin::Recorder);
    cmd.session = session;
    if let Some(ts) = at.as_deref().and_then(epoch_to_rfc3339) {
        cmd.ts = ts;
    }
    kintsugi_protocol::redact_command(&mut cmd);
    if ask(&cmd, false).is_ok() {
        return ExitCode::SUCCESS;
    }
    match spool::append(&kintsugi_protocol::data_dir(), &cmd) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kintsugi: cannot spool the recorded command: {e}");
            ExitCode::from(1)
        }
    }
}

/// `1795488222.123456` (seconds since the epoch, any fraction) as RFC 3339.
fn epoch_to_rfc3339(s: &str) -> Option<String> {
    let (secs, frac) = s.trim().split_once(['.', ',']).unwrap_or((s.trim(), "0"));
    let secs: i64 = secs.parse().ok()?;
    let digits: String = frac.chars().take(9).collect();
    let nanos: i64 = format!("{digits:0<9}").parse().ok()?;
    let t =
        time::OffsetDateTime::from_unix_timestamp(secs).ok()? + time::Duration::nanoseconds(nanos);
    t.format(&time::format_description::well_known::Rfc3339)
        .ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn epoch_times_become_rfc3339() {
        assert_eq!(
            super::epoch_to_rfc3339("1795488222.5").as_deref(),
            Some("2026-11-24T02:43:42.5Z")
        );
        assert_eq!(super::epoch_to_rfc3339(""), None);
        assert_eq!(super::epoch_to_rfc3339("x"), None);
    }
}
