//! `kintsugi verify`: recompute the ledger's chain and check every signed
//! checkpoint. Exit 0 when intact, 1 with the first bad sequence number
//! otherwise.

use anyhow::{Context as _, Result, bail};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use kintsugi_ledger::{CHECKPOINTS_FILE, DB_FILE, PUBKEY_FILE, read_checkpoints, verify};
use std::io::IsTerminal;
use std::path::PathBuf;
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
    let checkpoints = read_checkpoints(&cp_path)?;
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
