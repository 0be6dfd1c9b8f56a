//! `kintsugi fleet log` and `fleet report`: `kintsugi log` / `report` across
//! every host in the central database, with `--host` (id or hostname).

use super::fleet::connect;
use super::log::LogFilters;
use super::report::ReportFilters;
use anyhow::Result;
use clap::Args;
use kintsugi_fleet::{FleetFilter, HostEvent, query};
use std::process::ExitCode;

#[derive(Args)]
pub struct FleetLogArgs {
    /// The central database (default: the config's [fleet] url).
    #[arg(long)]
    url: Option<String>,
    /// Only this host (id or hostname).
    #[arg(long)]
    host: Option<String>,
    #[command(flatten)]
    filters: LogFilters,
}

#[derive(Args)]
pub struct FleetReportArgs {
    /// The central database (default: the config's [fleet] url).
    #[arg(long)]
    url: Option<String>,
    /// Only this host (id or hostname).
    #[arg(long)]
    host: Option<String>,
    #[command(flatten)]
    filters: ReportFilters,
}

fn print_json(e: &HostEvent) -> Result<()> {
    let mut v = serde_json::to_value(&e.event)?;
    if let Some(o) = v.as_object_mut() {
        o.insert("host_id".into(), e.host_id.clone().into());
        o.insert("hostname".into(), e.hostname.clone().into());
    }
    println!("{v}");
    Ok(())
}

/// Each event as a JSON line (with its host) or as `render` writes it; on
/// stderr, `none` when there is nothing to show.
fn print_events(
    events: &[HostEvent],
    json: bool,
    none: &str,
    render: impl Fn(&HostEvent) -> String,
) -> Result<ExitCode> {
    for e in events {
        if json {
            print_json(e)?;
        } else {
            println!("{}", render(e));
        }
    }
    if events.is_empty() && !json {
        eprintln!("{none}");
    }
    Ok(ExitCode::SUCCESS)
}

fn host_label(e: &HostEvent) -> String {
    e.hostname.clone().unwrap_or_else(|| e.host_id.clone())
}

pub fn log(all: FleetLogArgs) -> Result<ExitCode> {
    all.filters.check()?;
    let mut client = connect(all.url)?;
    let args = all.filters;
    let limit = args.limit.max(1);
    let filter = FleetFilter {
        host: all.host,
        agent: args.agent,
        session: args.session,
        classes: args.class.into_iter().collect(),
        decision: args.decision,
        grep: args.grep,
        since: args.since,
        until: args.until,
        limit,
        offset: limit * (args.page.max(1) - 1),
        ..Default::default()
    };
    let events = query(&mut client, &filter)?;
    print_events(&events, args.json, "no events match", |e| {
        format!("{:<14} {}", host_label(e), super::log::headline(&e.event))
    })
}

pub fn report(all: FleetReportArgs) -> Result<ExitCode> {
    all.filters.check()?;
    let mut client = connect(all.url)?;
    let args = all.filters;
    let filter = FleetFilter {
        host: all.host,
        agent: args.agent.clone(),
        session: args.session.clone(),
        classes: args.classes(),
        kinds: args.kinds(),
        grep: args.grep,
        since: args.since,
        until: args.until,
        limit: args.limit.max(1),
        ..Default::default()
    };
    let events = query(&mut client, &filter)?;
    print_events(
        &events,
        args.json,
        "no destructive commands recorded",
        |e| {
            let (line, detail) = super::report::entry(&e.event);
            format!("{:<14} {line}\n{detail}", host_label(e))
        },
    )
}
