//! The approval PIN on the CLI side: `kintsugi admin set-pin`, the PIN
//! prompt `approve` and `run` show before the confirmation code, and the
//! offer `init` makes. The PIN is typed on the controlling terminal with
//! echo off (never read from stdin, which an agent may feed) or read from
//! `--pin-file`; the daemon checks it (`kintsugi_daemon::approval_pin`).

use super::admin_auth::{Secret, prompt_tty, read_secret_file};
use anyhow::{Context as _, Result, bail};
use clap::Args;
use kintsugi_daemon::approval_pin::{PIN_FILE, check_new_pin, hash_pin, write_pin_file};
use kintsugi_protocol::{Client, Request, Response, data_dir, socket_path};
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// The prompt `approve` and `run` show for the PIN (before the code).
pub const PIN_PROMPT: &str = "Kintsugi approval PIN: ";

#[derive(Args, Debug, Default)]
pub struct SetPinArgs {
    /// Read the new PIN from this file (first line) instead of the terminal.
    #[arg(long, value_name = "FILE")]
    pub pin_file: Option<PathBuf>,
    /// Read the current PIN (needed to change or clear it) from this file.
    #[arg(long, value_name = "FILE")]
    pub current_pin_file: Option<PathBuf>,
    /// Remove the PIN: approvals then rest on the terminal test only.
    #[arg(long, conflicts_with = "pin_file")]
    pub clear: bool,
}

/// The daemon's word on the PIN (`set`, `unset`, `lost: …`), if it runs.
pub fn daemon_pin_state() -> Option<String> {
    let mut c = Client::connect(&socket_path()).ok()?;
    match c.request(&Request::Status).ok()? {
        Response::Status(s) => s.approval_pin,
        _ => None,
    }
}

fn require_tty(what: &str) -> Result<()> {
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .map(drop)
        .with_context(|| format!("{what} is typed on your terminal (/dev/tty), and this process has none; run it in your own shell"))
}

/// The PIN for an approval: asked (or read from `file`) when the daemon
/// says one is set; `None` when none is.
pub fn pin_for_approval(file: &Option<PathBuf>) -> Result<Option<Secret>> {
    if daemon_pin_state().is_none_or(|s| s != "set") {
        return Ok(None);
    }
    Ok(Some(match file {
        Some(f) => read_secret_file(f)?,
        None => {
            require_tty("the approval PIN")?;
            prompt_tty(PIN_PROMPT)?
        }
    }))
}

fn new_pin(args: &SetPinArgs) -> Result<Secret> {
    let pin = match &args.pin_file {
        Some(f) => read_secret_file(f)?,
        None => {
            require_tty("a new approval PIN")?;
            let a = prompt_tty("choose an approval PIN: ")?;
            let b = prompt_tty("repeat the approval PIN: ")?;
            if *a != *b {
                bail!("the two PINs differ; nothing was changed");
            }
            a
        }
    };
    check_new_pin(&pin).map_err(anyhow::Error::msg)?;
    Ok(pin)
}

/// `kintsugi admin set-pin [--clear]`.
pub fn set_pin(args: SetPinArgs) -> Result<ExitCode> {
    let Ok(mut client) = Client::connect(&socket_path()) else {
        return set_offline(&args);
    };
    let state = match client.request(&Request::Status)? {
        Response::Status(s) => s.approval_pin.unwrap_or_default(),
        _ => String::new(),
    };
    let current = if state == "set" {
        Some(match &args.current_pin_file {
            Some(f) => read_secret_file(f)?,
            None => {
                require_tty("the current approval PIN")?;
                prompt_tty("current approval PIN: ")?
            }
        })
    } else {
        None
    };
    let pin = if args.clear {
        None
    } else {
        Some(new_pin(&args)?)
    };
    let req = Request::SetPin {
        pin: pin.as_ref().map(|p| p.to_string()),
        current: current.as_ref().map(|c| c.to_string()),
    };
    if let Response::Error { message } = client.request(&req)? {
        bail!("the daemon refused: {message}");
    }
    if args.clear {
        println!("approval PIN cleared: approvals rest on the terminal test only");
    } else {
        println!(
            "approval PIN set: `kintsugi approve` and `kintsugi run` ask for it before the confirmation code"
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// No daemon runs: only a first PIN may be written, straight to the data
/// dir; the daemon records it on the ledger when it starts.
fn set_offline(args: &SetPinArgs) -> Result<ExitCode> {
    let dir = data_dir();
    if dir.join(PIN_FILE).exists() {
        bail!(
            "an approval PIN is set ({}) and no daemon runs: start it (`kintsugi start`) and run `kintsugi admin set-pin` again to change or clear it with the current PIN",
            dir.join(PIN_FILE).display()
        );
    }
    if args.clear {
        bail!("no approval PIN is set; there is nothing to clear");
    }
    let pin = new_pin(args)?;
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let file = hash_pin(&pin).map_err(anyhow::Error::msg)?;
    write_pin_file(&dir, &file).map_err(anyhow::Error::msg)?;
    println!(
        "approval PIN set in {} (the daemon records it on the ledger when it starts)",
        dir.join(PIN_FILE).display()
    );
    Ok(ExitCode::SUCCESS)
}

/// What `init` does about the PIN: set it from `file`, offer it on an
/// interactive terminal, or say plainly that there is none.
pub fn offer_at_init(file: Option<PathBuf>) -> Result<()> {
    let state = daemon_pin_state();
    let set = match &state {
        Some(s) => s == "set",
        None => data_dir().join(PIN_FILE).exists(),
    };
    if let Some(f) = file {
        if set {
            println!("approval PIN: already set (change it with `kintsugi admin set-pin`)");
            return Ok(());
        }
        set_pin(SetPinArgs {
            pin_file: Some(f),
            ..Default::default()
        })?;
        return Ok(());
    }
    if set {
        println!("approval PIN: set");
        return Ok(());
    }
    let interactive = rustix::termios::isatty(std::io::stdin());
    if interactive
        && let Ok(tty) = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/tty")
    {
        let mut out = tty.try_clone()?;
        write!(
            out,
            "Set an approval PIN now? Without one, approvals rest on the terminal test only. [y/N] "
        )?;
        out.flush()?;
        let mut line = String::new();
        BufReader::new(tty).read_line(&mut line)?;
        if line.trim().eq_ignore_ascii_case("y") {
            set_pin(SetPinArgs::default())?;
            return Ok(());
        }
    }
    println!(
        "approval PIN: none set; approvals rest on the terminal test only (`kintsugi admin set-pin` sets one)"
    );
    Ok(())
}
