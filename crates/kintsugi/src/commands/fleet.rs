//! `kintsugi fleet`: the central audit database. `init URL` creates or
//! migrates its schema; `verify` recomputes every host's chain from it
//! alone; `log` and `report` (in `fleet_log.rs`) read events across hosts.
//! The URL defaults to `[fleet] url` of the user config. docs/FLEET.md.

use anyhow::{Context as _, Result, anyhow};
use clap::{Args, Subcommand};
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum FleetCommand {
    /// Create or migrate the central schema (safe to run again).
    Init(InitArgs),
    /// Recompute every host's chain from the central database; exit 1 on any finding.
    Verify(VerifyArgs),
    /// Events across hosts, newest first (the filters of `kintsugi log`, plus --host).
    Log(super::fleet_log::FleetLogArgs),
    /// Destructive commands across hosts (the filters of `kintsugi report`, plus --host).
    Report(super::fleet_log::FleetReportArgs),
}

#[derive(Args)]
pub struct InitArgs {
    /// postgres://user@host:port/db?sslmode=disable (default: the config's [fleet] url).
    url: Option<String>,
}

#[derive(Args)]
pub struct VerifyArgs {
    /// The central database (default: the config's [fleet] url).
    #[arg(long)]
    url: Option<String>,
    /// Only this host (id or hostname).
    #[arg(long)]
    host: Option<String>,
    /// Print the result as one JSON object.
    #[arg(long)]
    json: bool,
}

/// The URL given, else the config's `[fleet] url`.
pub(crate) fn resolve_url(url: Option<String>) -> Result<String> {
    if let Some(u) = url {
        return Ok(u);
    }
    let path = kintsugi_protocol::config_path();
    let config = kintsugi_config::Config::load(&path)?;
    config.fleet.map(|f| f.url).ok_or_else(|| {
        anyhow!(
            "no central database: pass --url or set [fleet] url in {}",
            path.display()
        )
    })
}

pub(crate) fn connect(url: Option<String>) -> Result<postgres::Client> {
    let url = resolve_url(url)?;
    kintsugi_fleet::check_url(&url)?;
    kintsugi_fleet::connect(&url).context("cannot reach the central database")
}

pub fn run(cmd: FleetCommand) -> Result<ExitCode> {
    match cmd {
        FleetCommand::Init(a) => init(a),
        FleetCommand::Verify(a) => verify(a),
        FleetCommand::Log(a) => super::fleet_log::log(a),
        FleetCommand::Report(a) => super::fleet_log::report(a),
    }
}

fn init(args: InitArgs) -> Result<ExitCode> {
    let mut client = connect(args.url)?;
    let applied = kintsugi_fleet::init(&mut client)?;
    if applied.is_empty() {
        println!(
            "central schema already at version {}",
            kintsugi_fleet::SCHEMA_VERSION
        );
    }
    for (v, name) in applied {
        println!("applied migration {v}: {name}");
    }
    Ok(ExitCode::SUCCESS)
}

fn verify(args: VerifyArgs) -> Result<ExitCode> {
    let mut client = connect(args.url)?;
    let report = kintsugi_fleet::verify(&mut client, args.host.as_deref())?;
    if args.json {
        println!(
            "{}",
            serde_json::json!({
                "intact": report.intact(),
                "events": report.events,
                "hosts": report.hosts,
                "secs": report.secs,
            })
        );
    } else {
        for h in &report.hosts {
            let name = h.hostname.as_deref().unwrap_or("?");
            let status = if h.findings.is_empty() {
                "intact"
            } else {
                "FINDINGS"
            };
            println!(
                "{} ({name}): {status}: {} events, {} checkpoints (last matched at {})",
                h.host_id,
                h.events,
                h.checkpoints,
                h.last_matched_checkpoint
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| "-".into())
            );
            for f in h.findings.iter().take(20) {
                let at = f.seq.map(|s| format!(" at {s}")).unwrap_or_default();
                println!("  {}{at}: {}", f.kind, f.what);
            }
            if h.findings.len() > 20 {
                println!("  … {} more", h.findings.len() - 20);
            }
        }
        println!(
            "{} hosts, {} events verified in {:.2} s ({:.0} events/s)",
            report.hosts.len(),
            report.events,
            report.secs,
            report.events as f64 / report.secs.max(1e-9)
        );
        if args.host.is_some() && report.hosts.is_empty() {
            eprintln!("no such host in the central database");
        }
    }
    let missing_host = args.host.is_some() && report.hosts.is_empty();
    Ok(if report.intact() && !missing_host {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
