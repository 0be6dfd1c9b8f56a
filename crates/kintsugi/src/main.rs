//! `kintsugi`: the one binary. Each subcommand lives in its own file under
//! `commands/`; this file only parses arguments and dispatches.
#![forbid(unsafe_code)]

mod commands;
mod demo_tree;
/// The one gate (in `kintsugi-intercept`): the runner's side and running
/// the child, under the short name the commands use.
mod gate {
    pub use kintsugi_intercept::gate::child::{exit_like, report_completion, run_child};
    pub use kintsugi_intercept::gate::runner::*;
    pub use kintsugi_protocol::home_dir as home;
}
mod replay;
mod sandbox;
mod util;

/// The PATH shim (in `kintsugi-intercept`): run by argv0, and where the
/// commands find real programs past it.
use kintsugi_intercept::shim;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// A local safety net for AI coding agents.
#[derive(Parser)]
#[command(name = "kintsugi", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create the shim dir, start the daemon, print the PATH line.
    Init(commands::init::InitArgs),
    /// Is this machine protected? Hooks live, daemon up, shims on PATH.
    Doctor,
    /// Run one command through the gate, as an agent would.
    Exec(commands::exec::ExecArgs),
    /// Run a held command yourself, after confirming on the terminal.
    Run(commands::run::RunArgs),
    /// Run an agent with every exec of its tree judged (seccomp; shims as fallback).
    Guard(commands::guard::GuardArgs),
    /// Serve the MCP tools `exec` and `check` on stdio.
    Mcp,
    /// Run the daemon in the foreground (logs to stderr).
    Daemon(commands::daemon::DaemonArgs),
    /// Start the daemon detached (pid and log file in the data dir).
    Start,
    /// Stop the daemon through the authorised shutdown handshake.
    Stop(commands::admin_auth::PasswordArgs),
    /// Show the daemon's socket, pid, uptime, scorer, ledger head and last checkpoint.
    Status(commands::status::StatusArgs),
    /// Recompute the ledger's hash chain and check every signed checkpoint.
    Verify(commands::verify::VerifyArgs),
    /// Show recorded events, newest first.
    Log(commands::log::LogArgs),
    /// Classify a command (runs nothing, logs nothing, needs no daemon).
    Test(commands::test::TestArgs),
    /// Decide the shell calls in agents' session transcripts under the current policy (runs nothing).
    Replay(commands::replay::ReplayArgs),
    /// Classify your shell history (or a file) and summarise what would have been held.
    DryRun(commands::dry_run::DryRunArgs),
    /// The control room: live timeline, approve/deny, snapshots and undo.
    Tui(commands::tui::TuiArgs),
    /// The web control room on 127.0.0.1: prints a one-time login URL.
    Web(commands::web::WebArgs),
    /// List held commands waiting for a human.
    Queue(commands::queue::QueueArgs),
    /// Approve a held command.
    Approve(commands::queue::DecideArgs),
    /// Deny a held command.
    Deny(commands::queue::DecideArgs),
    /// Kill switch: deny every command, for every agent, until `resume`.
    Panic,
    /// Turn the kill switch off (needs the admin password when locked).
    Resume(commands::admin_auth::PasswordArgs),
    /// The admin vault: password-gated stop, resume, settings and uninstall.
    #[command(subcommand)]
    Admin(commands::admin::AdminCommand),
    /// Install, remove or inspect the user service that keeps the daemon running.
    #[command(subcommand)]
    Service(commands::service::ServiceCommand),
    /// Restore what an allowed command destroyed (newest snapshot by default).
    Undo(commands::undo::UndoArgs),
    /// List kept snapshots: command, time, size, what each covers.
    Snapshots(commands::undo::SnapshotsArgs),
    /// Apply snapshot retention now.
    Gc,
    /// The local model scorer: use, status, remove, bench.
    #[command(subcommand)]
    Model(commands::model::ModelCommand),
    /// Measure verdict latency and throughput against a live daemon.
    Bench(commands::bench::BenchArgs),
    /// The scripted agent `demo` plays (internal).
    #[command(hide = true)]
    DemoAgent(commands::demo_agent::DemoAgentArgs),
    /// What Kintsugi cannot stop, and every named limit.
    Limits,
    /// Play a scripted agent session against a throwaway sandbox daemon.
    Demo(commands::demo::DemoArgs),
    /// Watch trees for changes that bypass interception (mirrors them for `undo --observed`).
    Watch(commands::watch::WatchArgs),
    /// Record human shells: install/uninstall the hook, status, send (what the hook runs).
    Record(commands::record::RecordArgs),
    /// The central audit database: init, verify every host, log and report across hosts.
    #[command(subcommand)]
    Fleet(commands::fleet::FleetCommand),
    /// Destructive (ambiguous, catastrophic) commands humans ran and agents proposed.
    Report(commands::report::ReportArgs),
    /// The pre-tool hook of an agent CLI: payload on stdin, verdict in the agent's dialect.
    Hook(commands::hook::HookArgs),
}

fn main() -> ExitCode {
    if let Some(name) = std::env::args().next().as_deref().and_then(shim::shim_name) {
        return shim::run(&name);
    }
    // The agent hook runs for every tool call: its usual form skips clap.
    let args: Option<Vec<String>> = std::env::args_os()
        .skip(1)
        .map(|a| a.into_string().ok())
        .collect();
    if let Some(args) = args
        && args.first().map(String::as_str) == Some("hook")
        && let Some(a) = commands::hook::fast_args(&args[1..])
    {
        return finish(commands::hook::run(a));
    }
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Init(a) => commands::init::run(a),
        Command::Doctor => commands::doctor::run(),
        Command::Exec(a) => commands::exec::run(a),
        Command::Run(a) => commands::run::run(a),
        Command::Guard(a) => commands::guard::run(a),
        Command::Mcp => kintsugi_mcp::run(),
        Command::Daemon(a) => commands::daemon::run(a),
        Command::Start => commands::daemon::start(),
        Command::Stop(a) => commands::daemon::stop(&a),
        Command::Status(a) => commands::status::run(a),
        Command::Verify(a) => commands::verify::run(a),
        Command::Log(a) => commands::log::run(a),
        Command::Test(a) => commands::test::run(a),
        Command::DryRun(a) => commands::dry_run::run(a),
        Command::Replay(a) => commands::replay::run(a),
        Command::Tui(a) => commands::tui::run(a),
        Command::Web(a) => commands::web::run(a),
        Command::Queue(a) => commands::queue::list(a),
        Command::Approve(a) => commands::queue::answer(a, true),
        Command::Deny(a) => commands::queue::answer(a, false),
        Command::Panic => commands::queue::kill_switch(true),
        Command::Resume(a) => commands::queue::resume(&a),
        Command::Admin(c) => commands::admin::run(c),
        Command::Service(c) => commands::service::run(c),
        Command::Undo(a) => commands::undo::undo(a),
        Command::Snapshots(a) => commands::undo::snapshots(a),
        Command::Gc => commands::undo::gc(),
        Command::Bench(a) => commands::bench::run(a),
        Command::Model(c) => commands::model::run(c),
        Command::Demo(a) => commands::demo::run(a),
        Command::DemoAgent(a) => commands::demo_agent::run(a),
        Command::Hook(a) => commands::hook::run(a),
        Command::Record(a) => commands::record::run(a),
        Command::Watch(a) => commands::watch::run(a),
        Command::Report(a) => commands::report::run(a),
        Command::Fleet(c) => commands::fleet::run(c),
        Command::Limits => commands::limits::run(),
    };
    finish(result)
}

/// The exit code of a command; an error is printed first.
fn finish(result: anyhow::Result<ExitCode>) -> ExitCode {
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("kintsugi: {e:#}");
            ExitCode::from(1)
        }
    }
}
