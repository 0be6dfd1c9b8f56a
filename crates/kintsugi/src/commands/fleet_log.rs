//! `kintsugi fleet log` and `fleet report`: `kintsugi log` / `report` across
//! every host in the central database, with `--host` (id or hostname).

use super::fleet::connect;
use super::log::{LogFilters, check_time};
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
    for e in &events {
        if args.json {
            print_json(e)?;
            continue;
        }
        let (ev, b) = (&e.event, &e.event.body);
        println!(
            "{:<14} #{:<6} {}  {:<9} {:<12} {:<6} {:<12} {}",
            host_label(e),
            ev.seq,
            &ev.ts[..ev.ts.len().min(19)],
            b.kind,
            b.class.as_deref().unwrap_or("-"),
            b.decision.as_deref().unwrap_or("-"),
            b.agent,
            b.raw
        );
    }
    if events.is_empty() && !args.json {
        eprintln!("no events match");
    }
    Ok(ExitCode::SUCCESS)
}

pub fn report(all: FleetReportArgs) -> Result<ExitCode> {
    check_time("since", &all.filters.since)?;
    check_time("until", &all.filters.until)?;
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
    for e in &events {
        if args.json {
            print_json(e)?;
            continue;
        }
        let (ev, b) = (&e.event, &e.event.body);
        let who = if b.kind == "record" { "human" } else { "agent" };
        println!(
            "{:<14} #{:<6} {}  {:<12} {:<5} {:<12} {:<6} {}",
            host_label(e),
            ev.seq,
            &ev.ts[..ev.ts.len().min(19)],
            b.class.as_deref().unwrap_or("-"),
            who,
            b.agent,
            b.decision.as_deref().unwrap_or("ran"),
            b.raw
        );
        println!(
            "        in {}  {}  ({})",
            b.cwd,
            b.reason.as_deref().unwrap_or(""),
            b.rule.as_deref().unwrap_or("-")
        );
    }
    if events.is_empty() && !args.json {
        eprintln!("no destructive commands recorded");
    }
    Ok(ExitCode::SUCCESS)
}
