//! `kintsugi replay [--agent NAME] [--against-ledger] [PATH…]`: read the
//! session transcripts agent CLIs keep, decide every shell tool call with
//! the daemon's own engine under the current config, repository policy,
//! remembered decisions and mode, and report what would have been allowed,
//! held and denied. Runs nothing, records nothing, needs no daemon.
//!
//! Exit codes: 0 when the report is produced (unreadable or garbled files
//! are skipped, named and counted), 1 on a bad argument, an unreadable
//! config or ledger, or when no transcript was found at all.

use crate::replay::ledger::Ledger;
use crate::replay::report::{Entry, Report};
use crate::replay::transcripts::{self, AGENTS};
use anyhow::{Context as _, Result, bail};
use clap::Args;
use kintsugi_daemon::{Config, Mode, OfflineEngine, scrubbed};
use kintsugi_protocol::{ProposedCommand, Request, Response};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Args)]
pub struct ReplayArgs {
    /// Only this agent's transcripts (claude, codex, gemini). Without PATH,
    /// its default place under your home; with PATH, read as its format.
    #[arg(long)]
    agent: Option<String>,
    /// For each call, look for the ledger event that saw it; calls never
    /// seen (the interception gap) are listed first.
    #[arg(long)]
    against_ledger: bool,
    /// Decide in this mode instead of the one in force (what if).
    #[arg(long, value_parser = ["attended", "unattended", "notify"])]
    mode: Option<String>,
    /// Print one JSON object instead of the text report.
    #[arg(long)]
    json: bool,
    /// The daemon's data dir (ledger, remembered decisions); default as the daemon's.
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Home whose transcripts are read when no PATH is given (default: $HOME).
    #[arg(long)]
    home: Option<PathBuf>,
    /// Transcript files or directories of them (default: every agent's
    /// default place: ~/.claude/projects, ~/.codex/sessions, ~/.gemini/tmp).
    paths: Vec<PathBuf>,
}

fn parse_mode(word: &str) -> Result<Mode> {
    serde_json::from_value(serde_json::Value::String(word.to_string()))
        .with_context(|| format!("unknown mode {word:?}: use attended, unattended or notify"))
}

/// The mode in force: the running daemon's (it may differ from the config
/// after `kintsugi admin mode` or the vault's floor), else the config's.
fn mode_in_force(config: &Config) -> (Mode, String) {
    if let Ok(Response::Status(s)) = crate::util::request(&Request::Status)
        && let Some(m) = s.mode
        && let Ok(mode) = parse_mode(&m)
    {
        return (mode, "the running daemon's mode".into());
    }
    (config.mode, "the config's mode (no daemon answered)".into())
}

pub fn run(args: ReplayArgs) -> Result<ExitCode> {
    let agent = match &args.agent {
        None => None,
        Some(w) => Some(transcripts::agent_name(w).with_context(|| {
            format!("unknown agent {w:?}: replay reads claude, codex and gemini transcripts")
        })?),
    };
    let home = args
        .home
        .clone()
        .or_else(|| std::env::var_os("HOME").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("/"));
    let roots: Vec<(PathBuf, bool)> = if args.paths.is_empty() {
        AGENTS
            .iter()
            .filter(|a| agent.is_none_or(|x| x == **a))
            .map(|a| (transcripts::default_root(a, &home), false))
            .collect()
    } else {
        args.paths.iter().map(|p| (p.clone(), true)).collect()
    };
    let read = transcripts::read_all(&roots, agent)?;
    if read.files == 0 && read.skipped.is_empty() {
        let places: Vec<String> = roots.iter().map(|(p, _)| p.display().to_string()).collect();
        bail!(
            "no transcripts found in {}; pass transcript files or directories as PATH",
            places.join(", ")
        );
    }

    let config_path = kintsugi_protocol::config_path();
    let config = Config::load(&config_path)?;
    let (mode, mode_from) = match &args.mode {
        Some(m) => (parse_mode(m)?, "--mode".to_string()),
        None => mode_in_force(&config),
    };
    let mut notes = vec![format!("mode {} from {mode_from}", mode.as_str())];
    if config.model.path.is_some() {
        notes.push(
            "the local model is not consulted (heuristic only); it could only add holds".into(),
        );
    }
    let data_dir = args
        .data_dir
        .clone()
        .unwrap_or_else(kintsugi_protocol::data_dir);
    let daemon_home = crate::gate::home();
    let engine = OfflineEngine::new(config, mode, daemon_home.clone(), &data_dir)
        .map_err(anyhow::Error::msg)?;
    let ledger = if args.against_ledger {
        Some(Ledger::open(&data_dir)?)
    } else {
        None
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .context("cannot start the async runtime")?;
    let mut entries = Vec::with_capacity(read.calls.len());
    for call in &read.calls {
        let cwd = call
            .cwd
            .clone()
            .unwrap_or_else(|| daemon_home.display().to_string());
        let mut cmd =
            ProposedCommand::new(&format!("hook:{}", call.agent), &cwd, vec![], &call.command);
        cmd.session = call.session.clone();
        let decided = runtime.block_on(engine.replay(&cmd));
        let (shown, reason) = scrubbed(cmd, decided.reason);
        let shown = shown.raw;
        let seen_by = match &ledger {
            Some(l) => l.seen(&shown, call.time.as_deref())?,
            None => None,
        };
        entries.push(Entry {
            agent: call.agent.to_string(),
            project: engine.project_of(Path::new(&cwd)).display().to_string(),
            cwd,
            session: call.session.clone(),
            time: call.time.clone(),
            file: call.file.clone(),
            line: call.line,
            decision: decided.decision.as_str().to_string(),
            class: decided.class.as_str().to_string(),
            rule: decided.rule,
            reason,
            seen: ledger.as_ref().map(|_| seen_by.is_some()),
            seen_by,
            command: shown,
        });
    }
    let report = Report::build(
        mode.as_str(),
        entries,
        read.files,
        read.skipped,
        read.bad_lines,
        args.against_ledger,
        notes,
    );
    let text = if args.json {
        format!("{}\n", serde_json::to_string(&report)?)
    } else {
        report.text()
    };
    use std::io::Write as _;
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        // A reader that stopped early (`| head`) is not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        other => other.context("cannot write the report")?,
    }
    Ok(ExitCode::SUCCESS)
}
