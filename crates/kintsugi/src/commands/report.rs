//! `kintsugi report`: the destructive commands (ambiguous and catastrophic)
//! that humans ran (`record`) and agents proposed (`propose`), newest
//! first, for review. Filters as `kintsugi log`.

use anyhow::Result;
use clap::Args;
use kintsugi_ledger::{DB_FILE, Event, Filter, open_read_only, query};
use std::path::PathBuf;
use std::process::ExitCode;

/// The filters `kintsugi report` and `kintsugi fleet report` share.
#[derive(Args)]
pub struct ReportFilters {
    /// Only events from this origin (e.g. `recorder`, `shim`, `hook:claude`).
    #[arg(long)]
    pub agent: Option<String>,
    /// Only events of this session.
    #[arg(long)]
    pub session: Option<String>,
    /// Only this class (default: both ambiguous and catastrophic).
    #[arg(long, value_parser = ["ambiguous", "catastrophic"])]
    pub class: Option<String>,
    /// Only humans' commands (`record`) or only agents' (`propose`).
    #[arg(long, value_parser = ["human", "agent"])]
    pub who: Option<String>,
    /// Only commands containing this text.
    #[arg(long)]
    pub grep: Option<String>,
    /// Only events at or after this RFC 3339 time.
    #[arg(long)]
    pub since: Option<String>,
    /// Only events before this RFC 3339 time.
    #[arg(long)]
    pub until: Option<String>,
    /// Most events shown.
    #[arg(short = 'n', long, default_value_t = 50)]
    pub limit: usize,
    /// One JSON object per line.
    #[arg(long)]
    pub json: bool,
}

impl ReportFilters {
    /// Refuse a `--since`/`--until` that is not RFC 3339.
    pub fn check(&self) -> Result<()> {
        super::log::check_time("since", &self.since)?;
        super::log::check_time("until", &self.until)
    }

    /// The classes reported: the one asked for, else both destructive ones.
    pub fn classes(&self) -> Vec<String> {
        match &self.class {
            Some(c) => vec![c.clone()],
            None => vec!["ambiguous".into(), "catastrophic".into()],
        }
    }

    /// The event kinds reported: humans' `record`, agents' `propose`, or both.
    pub fn kinds(&self) -> Vec<String> {
        match self.who.as_deref() {
            Some("human") => vec!["record".into()],
            Some(_) => vec!["propose".into()],
            None => vec!["record".into(), "propose".into()],
        }
    }
}

#[derive(Args)]
pub struct ReportArgs {
    #[command(flatten)]
    filters: ReportFilters,
    /// The data dir (default: the resolved data dir).
    #[arg(long)]
    data_dir: Option<PathBuf>,
}

/// A reported command's two lines: what ran, and where and why it is
/// destructive (`kintsugi report` and `kintsugi fleet report`).
pub(crate) fn entry(e: &Event) -> (String, String) {
    let b = &e.body;
    let who = if b.kind == "record" { "human" } else { "agent" };
    let line = format!(
        "#{:<6} {}  {:<12} {:<5} {:<12} {:<6} {}",
        e.seq,
        &e.ts[..e.ts.len().min(19)],
        b.class.as_deref().unwrap_or("-"),
        who,
        b.agent,
        b.decision.as_deref().unwrap_or("ran"),
        b.raw
    );
    let detail = format!(
        "        in {}  {}  ({})",
        b.cwd,
        b.reason.as_deref().unwrap_or(""),
        b.rule.as_deref().unwrap_or("-")
    );
    (line, detail)
}

pub fn run(all: ReportArgs) -> Result<ExitCode> {
    let dir = all.data_dir.unwrap_or_else(kintsugi_protocol::data_dir);
    let args = all.filters;
    let conn = open_read_only(&dir.join(DB_FILE))?;
    let limit = args.limit.max(1);
    let classes = args.classes();
    let kinds = args.kinds();
    let mut events: Vec<Event> = Vec::new();
    for class in &classes {
        for kind in &kinds {
            let filter = Filter {
                agent: args.agent.clone(),
                session: args.session.clone(),
                class: Some(class.to_string()),
                kind: Some(kind.to_string()),
                grep: args.grep.clone(),
                since: args.since.clone(),
                until: args.until.clone(),
                limit,
                ..Default::default()
            };
            events.extend(query(&conn, &filter)?);
        }
    }
    events.sort_by_key(|e| std::cmp::Reverse(e.seq));
    events.truncate(limit);
    for e in &events {
        if args.json {
            println!("{}", serde_json::to_string(e)?);
            continue;
        }
        let (line, detail) = entry(e);
        println!("{line}\n{detail}");
    }
    if events.is_empty() && !args.json {
        eprintln!("no destructive commands recorded");
    }
    Ok(ExitCode::SUCCESS)
}
