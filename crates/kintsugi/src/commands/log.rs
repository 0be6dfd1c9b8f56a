//! `kintsugi log`: recorded events, newest first, paged and filtered.

use anyhow::Result;
use clap::Args;
use kintsugi_ledger::{DB_FILE, Event, Filter, open_read_only, query};
use std::path::PathBuf;
use std::process::ExitCode;

/// The filters `kintsugi log` and `kintsugi fleet log` share.
#[derive(Args)]
pub struct LogFilters {
    /// Only events from this origin (e.g. `shim`, `hook:claude`).
    #[arg(long)]
    pub agent: Option<String>,
    /// Only events of this session.
    #[arg(long)]
    pub session: Option<String>,
    /// Only this class: safe, ambiguous or catastrophic.
    #[arg(long, value_parser = ["safe", "ambiguous", "catastrophic"])]
    pub class: Option<String>,
    /// Only this decision: allow, deny or hold.
    #[arg(long, value_parser = ["allow", "deny", "hold"])]
    pub decision: Option<String>,
    /// Only commands containing this text.
    #[arg(long)]
    pub grep: Option<String>,
    /// Only events at or after this RFC 3339 time (e.g. 2026-11-24T10:00:00Z).
    #[arg(long)]
    pub since: Option<String>,
    /// Only events before this RFC 3339 time.
    #[arg(long)]
    pub until: Option<String>,
    /// Events per page.
    #[arg(short = 'n', long, default_value_t = 50)]
    pub limit: usize,
    /// Page number (1 = newest).
    #[arg(long, default_value_t = 1)]
    pub page: usize,
    /// One JSON object per line.
    #[arg(long)]
    pub json: bool,
}

impl LogFilters {
    /// Refuse a `--since`/`--until` that is not RFC 3339.
    pub fn check(&self) -> Result<()> {
        check_time("since", &self.since)?;
        check_time("until", &self.until)
    }
}

#[derive(Args)]
pub struct LogArgs {
    #[command(flatten)]
    filters: LogFilters,
    /// The data dir (default: the resolved data dir).
    #[arg(long)]
    data_dir: Option<PathBuf>,
}

pub(crate) fn check_time(label: &str, value: &Option<String>) -> Result<()> {
    if let Some(v) = value {
        time::OffsetDateTime::parse(v, &time::format_description::well_known::Rfc3339).map_err(
            |_| {
                anyhow::anyhow!(
                    "--{label} {v:?} is not an RFC 3339 time; write e.g. 2026-11-24T10:00:00Z"
                )
            },
        )?;
    }
    Ok(())
}

/// An event's one-line summary (`kintsugi log` and `kintsugi fleet log`).
pub(crate) fn headline(e: &Event) -> String {
    let b = &e.body;
    format!(
        "#{:<6} {}  {:<9} {:<12} {:<6} {:<12} {}",
        e.seq,
        &e.ts[..e.ts.len().min(19)],
        b.kind,
        b.class.as_deref().unwrap_or("-"),
        b.decision.as_deref().unwrap_or("-"),
        b.agent,
        b.raw
    )
}

pub fn run(all: LogArgs) -> Result<ExitCode> {
    all.filters.check()?;
    let dir = all.data_dir.unwrap_or_else(kintsugi_protocol::data_dir);
    let args = all.filters;
    let conn = open_read_only(&dir.join(DB_FILE))?;
    let limit = args.limit.max(1);
    let mut filter = Filter {
        agent: args.agent,
        session: args.session,
        class: args.class,
        decision: args.decision,
        grep: args.grep,
        since: args.since,
        until: args.until,
        limit,
        ..Default::default()
    };
    let mut events = query(&conn, &filter)?;
    for _ in 1..args.page.max(1) {
        let Some(last) = events.last() else { break };
        filter.before_seq = Some(last.seq);
        events = query(&conn, &filter)?;
    }
    for e in &events {
        if args.json {
            println!("{}", serde_json::to_string(e)?);
            continue;
        }
        let b = &e.body;
        println!("{}", headline(e));
        if let Some(reason) = &b.reason {
            println!("        {}  ({})", reason, b.rule.as_deref().unwrap_or("-"));
        }
    }
    if events.is_empty() && !args.json {
        eprintln!("no events match");
    }
    Ok(ExitCode::SUCCESS)
}
