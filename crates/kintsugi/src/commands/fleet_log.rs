//! `kintsugi fleet log` and `fleet report`: `kintsugi log` / `report` across
//! every host in the central database, with `--host` (id or hostname).

use super::fleet::connect;
use super::log::check_time;
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
    /// Only events from this origin (e.g. `shim`, `hook:claude`).
    #[arg(long)]
    agent: Option<String>,
    /// Only events of this session.
    #[arg(long)]
    session: Option<String>,
    /// Only this class: safe, ambiguous or catastrophic.
    #[arg(long, value_parser = ["safe", "ambiguous", "catastrophic"])]
    class: Option<String>,
    /// Only this decision: allow, deny or hold.
    #[arg(long, value_parser = ["allow", "deny", "hold"])]
    decision: Option<String>,
    /// Only commands containing this text.
    #[arg(long)]
    grep: Option<String>,
    /// Only events at or after this RFC 3339 time (e.g. 2026-11-24T10:00:00Z).
    #[arg(long)]
    since: Option<String>,
    /// Only events before this RFC 3339 time.
    #[arg(long)]
    until: Option<String>,
    /// Events per page.
    #[arg(short = 'n', long, default_value_t = 50)]
    limit: usize,
    /// Page number (1 = newest).
    #[arg(long, default_value_t = 1)]
    page: usize,
    /// One JSON object per line.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct FleetReportArgs {
    /// The central database (default: the config's [fleet] url).
    #[arg(long)]
    url: Option<String>,
    /// Only this host (id or hostname).
    #[arg(long)]
    host: Option<String>,
    /// Only events from this origin (e.g. `recorder`, `shim`, `hook:claude`).
    #[arg(long)]
    agent: Option<String>,
    /// Only events of this session.
    #[arg(long)]
    session: Option<String>,
    /// Only this class (default: both ambiguous and catastrophic).
    #[arg(long, value_parser = ["ambiguous", "catastrophic"])]
    class: Option<String>,
    /// Only humans' commands (`record`) or only agents' (`propose`).
    #[arg(long, value_parser = ["human", "agent"])]
    who: Option<String>,
    /// Only commands containing this text.
    #[arg(long)]
    grep: Option<String>,
    /// Only events at or after this RFC 3339 time.
    #[arg(long)]
    since: Option<String>,
    /// Only events before this RFC 3339 time.
    #[arg(long)]
    until: Option<String>,
    /// Most events shown.
    #[arg(short = 'n', long, default_value_t = 50)]
    limit: usize,
    /// One JSON object per line.
    #[arg(long)]
    json: bool,
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

pub fn log(args: FleetLogArgs) -> Result<ExitCode> {
    check_time("since", &args.since)?;
    check_time("until", &args.until)?;
    let mut client = connect(args.url)?;
    let limit = args.limit.max(1);
    let filter = FleetFilter {
        host: args.host,
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

pub fn report(args: FleetReportArgs) -> Result<ExitCode> {
    check_time("since", &args.since)?;
    check_time("until", &args.until)?;
    let mut client = connect(args.url)?;
    let classes = match args.class {
        Some(c) => vec![c],
        None => vec!["ambiguous".into(), "catastrophic".into()],
    };
    let kinds = match args.who.as_deref() {
        Some("human") => vec!["record".into()],
        Some(_) => vec!["propose".into()],
        None => vec!["record".into(), "propose".into()],
    };
    let filter = FleetFilter {
        host: args.host,
        agent: args.agent,
        session: args.session,
        classes,
        kinds,
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
