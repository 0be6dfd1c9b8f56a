//! `kintsugi verify`: recompute the ledger's chain and check every signed
//! checkpoint, the witness copy's too (`witness_dir`), so a tail deleted
//! together with the checkpoint lines that cover it is caught. Without a
//! witness that truncation is undetectable locally, and verify says so
//! loudly. Exit 0 when intact, 1 with the first bad sequence number
//! otherwise.

use anyhow::{Context as _, Result, bail};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use kintsugi_ledger::{
    CHECKPOINTS_FILE, Checkpoint, DB_FILE, PUBKEY_FILE, merge_witness, read_checkpoints, verify,
};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Args)]
pub struct VerifyArgs {
    /// The data dir holding ledger.db (default: the resolved data dir).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Checkpoint file to check against (default: <data dir>/checkpoints.jsonl);
    /// point it at a witness copy to check against that.
    #[arg(long)]
    checkpoints: Option<PathBuf>,
    /// Pin the signing public key (hex) instead of reading <data dir>/checkpoint.pub.
    #[arg(long)]
    pubkey: Option<String>,
    /// The witness dir to compare with (default: `witness_dir` from the config).
    #[arg(long, value_name = "DIR")]
    witness: Option<PathBuf>,
    /// Print the result as one JSON object.
    #[arg(long)]
    json: bool,
}

pub fn run(args: VerifyArgs) -> Result<ExitCode> {
    let dir = args.data_dir.unwrap_or_else(kintsugi_protocol::data_dir);
    let db = dir.join(DB_FILE);
    let cp_path = args
        .checkpoints
        .unwrap_or_else(|| dir.join(CHECKPOINTS_FILE));
    let local = read_checkpoints(&cp_path)?;
    let (witness, fleet) = match args.witness {
        Some(w) => (Some(w), false),
        None => {
            let path = kintsugi_protocol::config_path();
            let c = kintsugi_config::Config::load(&path).with_context(|| {
                "the config names the witness to check against, so verify needs it: fix it, or pass --witness DIR".to_string()
            })?;
            (c.witness_dir, c.fleet.is_some())
        }
    };
    let mut notes = Vec::new();
    let checkpoints = match &witness {
        Some(dir) => {
            let file = dir.join(CHECKPOINTS_FILE);
            let copy = read_checkpoints(&file)?;
            notes.extend(witness_lag(&local, &copy, &file));
            merge_witness(local, &copy)
        }
        None => {
            notes.push(no_witness_warning(fleet));
            local
        }
    };
    let key = match args.pubkey {
        Some(k) => k,
        None => match std::fs::read_to_string(dir.join(PUBKEY_FILE)) {
            Ok(k) => k.trim().to_string(),
            Err(_) if checkpoints.is_empty() => String::new(),
            Err(e) => {
                return Err(e).with_context(|| {
                    format!(
                        "checkpoints exist but the public key {} cannot be read; pass --pubkey",
                        dir.join(PUBKEY_FILE).display()
                    )
                });
            }
        },
    };
    let bar = if std::io::stderr().is_terminal() && !args.json {
        let b = ProgressBar::new(0);
        b.set_style(
            ProgressStyle::with_template("verifying {bar:40} {pos}/{len} events ({per_sec})")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        Some(b)
    } else {
        None
    };
    let mut progress = |done: u64, total: u64| {
        if let Some(b) = &bar {
            b.set_length(total);
            b.set_position(done);
        }
    };
    let started = std::time::Instant::now();
    let report = verify(&db, &checkpoints, &key, &mut progress)?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let secs = started.elapsed().as_secs_f64();
    if !args.json {
        for n in &notes {
            eprintln!("{n}");
        }
    }
    if args.json {
        let findings: Vec<_> = report
            .findings
            .iter()
            .map(|f| serde_json::json!({"seq": f.seq, "what": f.what}))
            .collect();
        println!(
            "{}",
            serde_json::json!({
                "intact": report.intact(),
                "events": report.events,
                "checkpoints": report.checkpoints,
                "last_checked_checkpoint": report.last_checked_checkpoint,
                "findings": findings,
                "witness": witness.as_ref().map(|w| w.display().to_string()),
                "warnings": notes,
            })
        );
    } else if report.intact() {
        println!(
            "ledger intact: {} events, {} signed checkpoints (last matched at sequence {}), {:.0} events/s",
            report.events,
            report.checkpoints,
            report
                .last_checked_checkpoint
                .map(|s| s.to_string())
                .unwrap_or_else(|| "-".into()),
            report.events as f64 / secs.max(1e-9)
        );
    } else {
        let first = &report.findings[0];
        eprintln!(
            "ledger TAMPERED: first bad sequence {}: {}",
            first.seq, first.what
        );
        for f in report.findings.iter().skip(1).take(20) {
            eprintln!("  also at {}: {}", f.seq, f.what);
        }
    }
    if report.intact() {
        Ok(ExitCode::SUCCESS)
    } else if args.json {
        Ok(ExitCode::from(1))
    } else {
        bail!("verification failed")
    }
}

/// What `verify`, `status` and `doctor` say when no witness is configured.
pub fn no_witness_warning(fleet: bool) -> String {
    let base = "no witness_dir is configured, so a ledger whose last events were deleted together with the checkpoint lines that cover them looks intact here: that truncation is undetectable from the data dir alone";
    if fleet {
        format!(
            "WARNING: {base}. [fleet] ships the ledger centrally: `kintsugi fleet verify` compares with that copy."
        )
    } else {
        format!(
            "WARNING: {base}. Set witness_dir = \"/path/the/agent/cannot/write\" in the config (or ship with [fleet])."
        )
    }
}

/// The witness is behind the ledger's own checkpoints: it was configured
/// after they were signed, or the daemon stopped writing to it.
fn witness_lag(local: &[Checkpoint], copy: &[Checkpoint], file: &Path) -> Option<String> {
    let mine = local.iter().map(|c| c.seq).max()?;
    let theirs = copy.iter().map(|c| c.seq).max();
    match theirs {
        Some(t) if t >= mine => None,
        _ => Some(format!(
            "WARNING: the witness {} has checkpoints up to sequence {} but the data dir has them up to {mine}: the witness did not receive the newest ones (configured later, or unwritable), so they are checked against the data dir only",
            file.display(),
            theirs
                .map(|t| t.to_string())
                .unwrap_or_else(|| "none".into())
        )),
    }
}

/// The `witness` line of `status` and `doctor`: where checkpoints are
/// witnessed, or the warning that a truncated tail would go unnoticed.
pub fn witness_line() -> String {
    let path = kintsugi_protocol::config_path();
    match kintsugi_config::Config::load(&path) {
        Ok(c) => match c.witness_dir {
            Some(w) => format!("checkpoints also go to {}", w.display()),
            None => no_witness_warning(c.fleet.is_some()),
        },
        Err(e) => format!("unknown: {e}"),
    }
}
