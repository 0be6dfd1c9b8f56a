//! `kintsugi watch PATH…` and `kintsugi undo --observed PATH`: the
//! filesystem backstop's command-line side (the logic is in `kintsugi-watch`).

use anyhow::Result;
use clap::Args;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Args)]
pub struct WatchArgs {
    /// Trees to watch recursively (target/, node_modules/ and .git/ are skipped).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
}

pub fn run(args: WatchArgs) -> Result<ExitCode> {
    kintsugi_watch::run(&args.paths)?;
    Ok(ExitCode::SUCCESS)
}

/// Restore `path` (a file or a tree) to its content before the watcher's
/// most recent observed change of each file.
pub fn undo_observed(path: &Path) -> Result<ExitCode> {
    let abs = std::path::absolute(path)?;
    let (restored, same) = kintsugi_watch::mirror::restore(&kintsugi_protocol::data_dir(), &abs)?;
    println!(
        "restored {restored} file(s) under {} to their content before the last observed change ({same} already identical)",
        abs.display()
    );
    Ok(ExitCode::SUCCESS)
}
