//! `kintsugi run ID`: a human runs a held command (e.g. one whose agent hook
//! timed out) after typing the confirmation code on the terminal, exactly as
//! `approve` asks. It runs in the command's original cwd through bash, and
//! its completion is recorded.

use crate::commands::queue::confirm_on_terminal;
use crate::gate;
use crate::util::request;
use anyhow::{Result, bail};
use clap::Args;
use kintsugi_protocol::{Request, Response};
use std::process::ExitCode;
use std::time::Instant;

#[derive(Args)]
pub struct RunArgs {
    /// The held command's id (from `kintsugi queue` or the hook's message).
    id: String,
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
    })?;
    let cwd = std::path::Path::new(&item.command.cwd);
    if !cwd.is_dir() {
        bail!(
            "approved, but its directory {} no longer exists; nothing was run",
            cwd.display()
        );
    }
    let started = Instant::now();
    let shell = crate::commands::exec::line_shell();
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
