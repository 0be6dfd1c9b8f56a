//! `kintsugi init`: wire `kintsugi hook` into every installed agent's config
//! (backing up each file it changes, never adding an entry twice), create
//! the shim dir with a link per shimmed program, start the daemon, and print
//! the PATH line. `--dry-run` shows what it would change; `--undo` takes out
//! exactly what it added.

use crate::shim::{DEFAULT_SHIMS, shim_dir};
use anyhow::{Context as _, Result};
use clap::Args;
use std::os::unix::fs::DirBuilderExt;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct InitArgs {
    /// Show what would change, change nothing.
    #[arg(long)]
    dry_run: bool,
    /// Remove what `init` created.
    #[arg(long)]
    undo: bool,
    /// Do not start the daemon.
    #[arg(long)]
    no_start: bool,
    /// With --undo when an admin vault is provisioned: read the password from this file.
    #[command(flatten)]
    pw: super::admin_auth::PasswordArgs,
    /// Set the approval PIN from this file (first line) without asking;
    /// otherwise `init` offers to set one when run at a terminal.
    #[arg(long, value_name = "FILE")]
    approval_pin_file: Option<PathBuf>,
}

/// Links in `dir` that point at this binary, by program name.
fn our_links(dir: &std::path::Path, me: &std::path::Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| std::fs::read_link(p).is_ok_and(|t| t == me))
        .collect()
}

/// Make sure the shim dir exists and links every default program to this
/// binary; returns the dir. Existing links are left alone; nothing else in
/// the dir is touched.
pub fn ensure_shims() -> Result<PathBuf> {
    let dir = shim_dir();
    let me = std::env::current_exe()?.canonicalize()?;
    if !dir.exists() {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
    }
    for name in DEFAULT_SHIMS {
        let link = dir.join(name);
        if link.symlink_metadata().is_err() {
            std::os::unix::fs::symlink(&me, &link)
                .with_context(|| format!("cannot create {}", link.display()))?;
        }
    }
    Ok(dir)
}

pub fn run(args: InitArgs) -> Result<ExitCode> {
    let dir = shim_dir();
    let me = std::env::current_exe()?.canonicalize()?;
    let home = crate::gate::home();
    for agent in kintsugi_intercept::install::AGENTS
        .iter()
        .filter(|a| a.installed(&home))
    {
        let change = if args.undo {
            kintsugi_intercept::install::unwire(agent, &home, args.dry_run)
        } else {
            kintsugi_intercept::install::wire(agent, &home, &me, args.dry_run)
        };
        match change {
            Ok(Some(what)) => println!("{}: {what}", agent.name()),
            Ok(None) if args.undo => println!("{}: no Kintsugi hook to remove", agent.name()),
            Ok(None) => println!("{}: already hooked", agent.name()),
            Err(e) => eprintln!("{}: {e:#}", agent.name()),
        }
        if agent.agent == kintsugi_intercept::hook::Agent::Codex && !args.undo && !args.dry_run {
            println!(
                "codex: {}",
                kintsugi_intercept::install::codex_trust::trust(&home)
            );
        }
    }
    if args.undo {
        if !args.dry_run {
            // Removing the shims is uninstalling: the admin password when locked.
            super::admin_auth::authorize("uninstall", &args.pw)?;
        }
        let links = our_links(&dir, &me);
        for link in &links {
            if args.dry_run {
                println!("would remove {}", link.display());
            } else {
                std::fs::remove_file(link)
                    .with_context(|| format!("cannot remove {}", link.display()))?;
            }
        }
        if !args.dry_run {
            let _ = std::fs::remove_dir(&dir);
            println!("removed {} shim links from {}", links.len(), dir.display());
            println!("remove the PATH line from your shell rc if you added it");
        }
        return Ok(ExitCode::SUCCESS);
    }
    if args.dry_run {
        let missing: Vec<&str> = DEFAULT_SHIMS
            .iter()
            .copied()
            .filter(|n| dir.join(n).symlink_metadata().is_err())
            .collect();
        println!(
            "would create {} shim links in {}: {}",
            missing.len(),
            dir.display(),
            missing.join(" ")
        );
        if !args.no_start {
            println!("would start the daemon if it is not running");
        }
        return Ok(ExitCode::SUCCESS);
    }
    let dir = ensure_shims()?;
    println!(
        "shims: {} programs linked in {}",
        DEFAULT_SHIMS.len(),
        dir.display()
    );
    if !args.no_start {
        let running = kintsugi_protocol::Client::connect(&kintsugi_protocol::socket_path()).is_ok();
        if running {
            println!("daemon: already running");
        } else {
            crate::commands::daemon::start()?;
        }
    }
    super::approval_pin::offer_at_init(args.approval_pin_file)?;
    println!("add this line to your shell rc (or run agents with `kintsugi guard -- AGENT`):");
    println!("export PATH=\"{}:$PATH\"", dir.display());
    Ok(ExitCode::SUCCESS)
}
