//! `kintsugi guard [--] AGENT_COMMAND…`: run an agent with the shim dir first
//! on PATH and SHELL pointing at a shimmed shell, in a session of its own,
//! forwarding signals and exiting as the agent did.

use crate::commands::init::ensure_shims;
use crate::gate;
use anyhow::{Result, bail};
use clap::Args;
use std::process::ExitCode;

#[derive(Args)]
pub struct GuardArgs {
    /// The agent command line, e.g. `claude` or `codex --full-auto`.
    #[arg(last = true, required = true)]
    command: Vec<String>,
}

pub fn run(args: GuardArgs) -> Result<ExitCode> {
    let dir = ensure_shims()?;
    let old_path = std::env::var_os("PATH").unwrap_or_default();
    let mut paths = vec![dir.clone()];
    paths.extend(std::env::split_paths(&old_path).filter(|p| p != &dir));
    let path = std::env::join_paths(paths)?;
    let me = std::env::current_exe()?;
    let Some(agent) = crate::shim::find_real(&args.command[0], &path, &me, Some(&dir)) else {
        bail!("`{}` not found on PATH", args.command[0]);
    };
    let session = uuid::Uuid::new_v4().to_string();
    let mut command_env = vec![
        ("PATH".to_string(), path.to_string_lossy().into_owned()),
        ("KINTSUGI_SESSION".to_string(), session.clone()),
    ];
    if dir.join("bash").exists() {
        command_env.push(("SHELL".into(), dir.join("bash").display().to_string()));
    }
    eprintln!(
        "kintsugi guard: session {session}; shims from {} first on PATH",
        dir.display()
    );
    let status = gate::run_child(
        &agent,
        &args.command[0],
        &args.command[1..],
        None,
        &command_env,
    )?;
    Ok(gate::exit_like(status))
}
