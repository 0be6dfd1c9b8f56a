//! `kintsugi undo [ID] [--session S] [--force] [--to DIR]`, `kintsugi snapshots`,
//! `kintsugi gc`: bring back what an allowed command destroyed, list what is
//! kept, apply retention. Undo and GC go through the daemon (so they are
//! recorded and never race a capture); `snapshots` reads the store directly.

use crate::util::request;
use anyhow::{Context, Result, bail};
use clap::Args;
use kintsugi_protocol::{Request, Response};
use kintsugi_snapshot::Store;
use std::process::ExitCode;

#[derive(Args)]
pub struct UndoArgs {
    /// The snapshot to restore (default: the newest).
    id: Option<String>,
    /// Undo every snapshot of this session, newest first.
    #[arg(long, conflicts_with = "id")]
    session: Option<String>,
    /// Restore even over changes made after the command finished (never
    /// through a directory that was replaced or symlinked since: use --to).
    /// What it overwrites is first kept in a snapshot of its own (named in
    /// the report; `kintsugi undo THAT_ID --force` brings it back).
    #[arg(long)]
    force: bool,
    /// Restore the snapshot's files under this new (or empty) directory
    /// instead of in place, keeping their layout.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["session", "observed"])]
    to: Option<std::path::PathBuf>,
    /// Restore a file or tree the watcher saw deleted or clobbered behind
    /// Kintsugi's back (from `kintsugi watch`'s mirror).
    #[arg(long, value_name = "PATH", conflicts_with_all = ["id", "session"])]
    observed: Option<std::path::PathBuf>,
}

#[derive(Args)]
pub struct SnapshotsArgs {
    /// One JSON object per snapshot.
    #[arg(long)]
    json: bool,
}

pub fn undo(args: UndoArgs) -> Result<ExitCode> {
    if let Some(path) = args.observed {
        return crate::commands::watch::undo_observed(&path);
    }
    let to = match args.to {
        Some(dir) => Some(
            std::path::absolute(&dir)
                .with_context(|| format!("cannot make {} an absolute path", dir.display()))?
                .display()
                .to_string(),
        ),
        None => None,
    };
    let resp = request(&Request::Undo {
        id: args.id,
        session: args.session,
        force: args.force,
        to,
    })?;
    let Response::Report { text } = resp else {
        bail!("the daemon answered `undo` with something else");
    };
    print!("{text}");
    Ok(ExitCode::SUCCESS)
}

pub fn snapshots(args: SnapshotsArgs) -> Result<ExitCode> {
    let store = Store::in_data_dir(&kintsugi_protocol::data_dir())?;
    let list = kintsugi_snapshot::list(&store);
    if list.is_empty() && !args.json {
        println!("no snapshots");
    }
    for s in list.iter().rev() {
        if args.json {
            println!("{}", serde_json::to_string(s)?);
        } else {
            println!("{s}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn gc() -> Result<ExitCode> {
    let Response::Report { text } = request(&Request::Gc)? else {
        bail!("the daemon answered `gc` with something else");
    };
    println!("{text}");
    Ok(ExitCode::SUCCESS)
}
