//! `kintsugi`: the one binary. Each subcommand lives in its own file under
//! `commands/`; this file only parses arguments and dispatches.
#![forbid(unsafe_code)]

mod commands;
mod sandbox;
mod util;

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
    /// Run the daemon in the foreground (logs to stderr).
    Daemon(commands::daemon::DaemonArgs),
    /// Start the daemon detached (pid and log file in the data dir).
    Start,
    /// Stop the daemon through the authorised shutdown handshake.
    Stop,
    /// Show the daemon's socket, pid, uptime, scorer, ledger head and last checkpoint.
    Status(commands::status::StatusArgs),
    /// Recompute the ledger's hash chain and check every signed checkpoint.
    Verify(commands::verify::VerifyArgs),
    /// Show recorded events, newest first.
    Log(commands::log::LogArgs),
    /// Classify a command (runs nothing, logs nothing, needs no daemon).
    Test(commands::test::TestArgs),
    /// Classify your shell history (or a file) and summarise what would have been held.
    DryRun(commands::dry_run::DryRunArgs),
    /// List held commands waiting for a human.
    Queue(commands::queue::QueueArgs),
    /// Approve a held command.
    Approve(commands::queue::DecideArgs),
    /// Deny a held command.
    Deny(commands::queue::DecideArgs),
    /// Measure verdict latency and throughput against a live daemon.
    Bench(commands::bench::BenchArgs),
    /// What Kintsugi cannot stop, and every named limit.
    Limits,
    /// Play a scripted agent session against a throwaway sandbox daemon.
    Demo(commands::demo::DemoArgs),
    /// The pre-tool hook of an agent CLI: payload on stdin, verdict in the agent's dialect.
    Hook(commands::hook::HookArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Daemon(a) => commands::daemon::run(a),
        Command::Start => commands::daemon::start(),
        Command::Stop => commands::daemon::stop(),
        Command::Status(a) => commands::status::run(a),
        Command::Verify(a) => commands::verify::run(a),
        Command::Log(a) => commands::log::run(a),
        Command::Test(a) => commands::test::run(a),
        Command::DryRun(a) => commands::dry_run::run(a),
        Command::Queue(a) => commands::queue::list(a),
        Command::Approve(a) => commands::queue::decide(a, true),
        Command::Deny(a) => commands::queue::decide(a, false),
        Command::Bench(a) => commands::bench::run(a),
        Command::Demo(a) => commands::demo::run(a),
        Command::Hook(a) => commands::hook::run(a),
        Command::Limits => commands::limits::run(),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("kintsugi: {e:#}");
            ExitCode::from(1)
        }
    }
}
