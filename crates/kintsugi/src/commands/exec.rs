//! `kintsugi exec [--agent NAME] -- COMMAND…`: run one command through the
//! gate as an agent would. One argument is a shell line (run with bash, or
//! sh when bash is missing); several are an argument vector. On a hold it
//! waits for the human; on deny it exits 126 without running anything.

use crate::gate::{self, DENIED_EXIT, GateSettings, Outcome};
use anyhow::{Result, bail};
use clap::Args;
use kintsugi_protocol::argv_to_line;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

#[derive(Args)]
pub struct ExecArgs {
    /// Origin recorded in the ledger (e.g. `script`, `ci`).
    #[arg(long, default_value = "exec")]
    agent: String,
    /// The command: one shell line, or a program and its arguments.
    #[arg(last = true, required = true)]
    command: Vec<String>,
}

/// Run `raw` (a shell line) or `argv` through the gate in `cwd`.
pub fn gated(agent: &str, cwd: &str, argv: Vec<String>, raw: &str) -> Result<ExitCode> {
    let cmd = gate::proposal(
        kintsugi_protocol::Origin::Run,
        agent,
        cwd,
        argv.clone(),
        raw,
    );
    let settings = GateSettings::load();
    let (approved, daemon) = match gate::may_run(&cmd, &settings) {
        Outcome::Refuse(msg) => {
            eprintln!("{msg}");
            return Ok(ExitCode::from(DENIED_EXIT));
        }
        Outcome::Run { daemon, approved } => (approved, daemon),
    };
    let started = Instant::now();
    let status = if argv.is_empty() {
        let shell = crate::shim::line_shell();
        gate::run_child(
            &shell,
            "bash",
            &["-c".into(), raw.into()],
            Some(cwd.as_ref()),
            &gate::approved_env(approved.as_deref()),
        )?
    } else {
        let path = std::env::var_os("PATH").unwrap_or_default();
        let me = std::env::current_exe()?;
        let Some(real) =
            crate::shim::find_real(&argv[0], &path, &me, Some(&crate::shim::shim_dir()))
                .or_else(|| argv[0].contains('/').then(|| PathBuf::from(&argv[0])))
        else {
            bail!("`{}` not found on PATH", argv[0]);
        };
        gate::run_child(
            &real,
            &argv[0],
            &argv[1..],
            Some(cwd.as_ref()),
            &gate::approved_env(approved.as_deref()),
        )?
    };
    if daemon {
        gate::report_completion(&cmd, &status, started);
    }
    Ok(gate::exit_like(status))
}

pub fn run(args: ExecArgs) -> Result<ExitCode> {
    let cwd = std::env::current_dir()?.display().to_string();
    if args.command.len() == 1 {
        let line = args.command[0].clone();
        gated(&args.agent, &cwd, Vec::new(), &line)
    } else {
        let raw = argv_to_line(&args.command);
        gated(&args.agent, &cwd, args.command, &raw)
    }
}
