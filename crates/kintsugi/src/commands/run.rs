//! `kintsugi run ID`: a human runs a held command (e.g. one whose agent hook
//! timed out) after typing the confirmation code on the terminal, exactly as
//! `approve` asks. It runs in the command's original cwd through bash, and
//! its completion is recorded.
//!
//! A held line whose stored text has a `[REDACTED]` marker is refused
//! before anything is asked or approved: the secret value was never
//! stored, so running the stored text would run the marker literally.

use crate::commands::queue::confirm_on_terminal;
use crate::gate;
use crate::util::request;
use anyhow::{Result, bail};
use clap::Args;
use kintsugi_protocol::{REDACTED, Request, Response};
use std::process::ExitCode;
use std::time::Instant;

#[derive(Args)]
pub struct RunArgs {
    /// The held command's id (from `kintsugi queue` or the hook's message).
    id: String,
    /// Read the approval PIN from this file instead of asking on the
    /// terminal (only when a PIN is set).
    #[arg(long, value_name = "FILE")]
    pin_file: Option<std::path::PathBuf>,
}

pub fn run(args: RunArgs) -> Result<ExitCode> {
    let Response::PendingList { items } = request(&Request::ListPending)? else {
        bail!("the daemon answered `listpending` with something else");
    };
    let Some(item) = items.into_iter().find(|i| i.id == args.id) else {
        bail!(
            "no held command has id `{}` (it may have been decided or expired); `kintsugi queue` lists them",
            args.id
        );
    };
    if item.command.raw.contains(REDACTED) {
        bail!(
            "held command {} cannot be run from here: a secret in it was redacted before it was stored, \
             so the stored line `{}` holds the marker {REDACTED} instead of the value. \
             Nothing was approved or run. Run the command yourself with the secret, \
             or ask the agent to propose it again and approve it with `kintsugi approve {}`",
            args.id,
            item.command.raw,
            args.id
        );
    }
    // First the PIN (when one is set), then the confirmation code.
    let pin = crate::commands::approval_pin::pin_for_approval(&args.pin_file)?;
    confirm_on_terminal(&format!(
        "run `{}` in {} ({}: {})",
        item.command.raw,
        item.command.cwd,
        item.class.as_str(),
        item.reason
    ))?;
    crate::util::request_showing_capture(&Request::Approve {
        id: args.id.clone(),
        remember: None,
        nonce: None,
        proof: None,
        progress: Some(true),
        relayed_for: None,
        pin: pin.as_ref().map(|p| p.to_string()),
    })?;
    let cwd = std::path::Path::new(&item.command.cwd);
    if !cwd.is_dir() {
        bail!(
            "approved, but its directory {} no longer exists; nothing was run",
            cwd.display()
        );
    }
    let started = Instant::now();
    let shell = crate::shim::line_shell();
    let status = gate::run_child(
        &shell,
        "bash",
        &["-c".into(), item.command.raw.clone()],
        Some(cwd),
        &gate::approved_env(Some(&args.id)),
    )?;
    gate::report_completion(&item.command, &status, started);
    Ok(gate::exit_like(status))
}
