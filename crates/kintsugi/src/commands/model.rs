//! `kintsugi model use|status|remove|bench`: choose the local GGUF model the
//! daemon scores with, see what it loaded (or why not), go back to the
//! heuristic, and measure it. `use` checks the GGUF header and records the
//! path and SHA-256 in the config file (other content kept as written);
//! the daemon loads the model at its next start. Nothing is downloaded.

use crate::util::request;
use anyhow::{Context as _, Result, bail};
use clap::{Args, Subcommand};
use kintsugi_model::{AVAILABLE, NOT_BUILT, gguf};
use kintsugi_protocol::{Request, Response, config_path};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum ModelCommand {
    /// Check a GGUF file and record it (path and SHA-256) in the config.
    Use(UseArgs),
    /// What the config names, whether the file is usable, what the daemon loaded.
    Status,
    /// Forget the model: the daemon scores with the heuristic after a restart.
    Remove,
    /// Measure load time and per-command scoring latency (needs the llama feature).
    Bench(crate::commands::model_bench::BenchArgs),
}

#[derive(Args)]
pub struct UseArgs {
    /// The .gguf model file.
    path: PathBuf,
}

const RESTART: &str = "the daemon loads it at its next start: `kintsugi stop && kintsugi start` (or restart the service)";

pub fn run(cmd: ModelCommand) -> Result<ExitCode> {
    match cmd {
        ModelCommand::Use(a) => use_model(&a.path),
        ModelCommand::Status => status(),
        ModelCommand::Remove => remove(),
        ModelCommand::Bench(a) => crate::commands::model_bench::run(a),
    }
}

fn use_model(path: &Path) -> Result<ExitCode> {
    let path = std::fs::canonicalize(path)
        .with_context(|| format!("refused: cannot open {}", path.display()))?;
    let header =
        gguf::check(&path).map_err(|e| anyhow::anyhow!("refused: {}: {e}", path.display()))?;
    let sha = gguf::sha256(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let file = config_path();
    edit_config(&file, |model| {
        model["path"] = toml_edit::value(path.display().to_string());
        model["sha256"] = toml_edit::value(sha.clone());
    })?;
    println!(
        "recorded {} (GGUF v{}, {:.1} MB, sha256 {sha}) in {}",
        path.display(),
        header.version,
        header.size as f64 / 1e6,
        file.display()
    );
    println!("{RESTART}");
    if !AVAILABLE {
        println!("note: {NOT_BUILT}; until then the daemon keeps the heuristic");
    }
    Ok(ExitCode::SUCCESS)
}

fn remove() -> Result<ExitCode> {
    let file = config_path();
    edit_config(&file, |model| {
        model.remove("path");
        model.remove("sha256");
    })?;
    println!("no model in {} any more; {RESTART}", file.display());
    Ok(ExitCode::SUCCESS)
}

/// Change the `[model]` table of the config file, keeping everything else
/// as written; the result must still be a config the daemon accepts.
fn edit_config(file: &Path, change: impl FnOnce(&mut toml_edit::Table)) -> Result<()> {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", file.display())),
    };
    let mut doc: toml_edit::DocumentMut = text
        .parse()
        .with_context(|| format!("{} is not valid TOML; fix it first", file.display()))?;
    if !doc.contains_table("model") {
        doc["model"] = toml_edit::table();
    }
    let Some(model) = doc["model"].as_table_mut() else {
        bail!("`model` in {} is not a table", file.display());
    };
    change(model);
    let out = doc.to_string();
    if let Err(e) = kintsugi_config::Config::parse(&out) {
        bail!(
            "not changed: {} would not be a valid config: {e}",
            file.display()
        );
    }
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let tmp = file.with_extension("toml.tmp");
    std::fs::write(&tmp, out).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, file).with_context(|| format!("cannot replace {}", file.display()))?;
    Ok(())
}

fn status() -> Result<ExitCode> {
    let file = config_path();
    println!("config          {}", file.display());
    println!(
        "this binary     {}",
        if AVAILABLE {
            "built with the llama feature"
        } else {
            NOT_BUILT
        }
    );
    match kintsugi_config::Config::load(&file) {
        Err(e) => println!("model           config unreadable: {e}"),
        Ok(cfg) => match &cfg.model.path {
            None => println!("model           none configured (heuristic only)"),
            Some(p) => {
                println!("model           {}", p.display());
                println!(
                    "file            {}",
                    file_check(p, cfg.model.sha256.as_deref())
                );
                println!(
                    "limits          timeout {} ms, {} threads, queue {}, {} tokens out, context {}",
                    cfg.model.timeout_ms,
                    cfg.model.threads,
                    cfg.model.queue_len,
                    cfg.model.max_tokens,
                    cfg.model.context_tokens
                );
            }
        },
    }
    match request(&Request::Status) {
        Ok(Response::Status(s)) => {
            println!("daemon scorer   {}", s.scorer);
            println!("daemon model    {}", s.model.unwrap_or_else(|| "-".into()));
        }
        _ => println!("daemon          not running"),
    }
    Ok(ExitCode::SUCCESS)
}

/// Is the file there, a GGUF model, and the recorded content?
fn file_check(p: &Path, sha: Option<&str>) -> String {
    let h = match gguf::check(p) {
        Ok(h) => h,
        Err(e) => return format!("unusable: {e}"),
    };
    let pin = match (sha, gguf::sha256(p)) {
        (None, _) => "sha256 not recorded".to_string(),
        (Some(want), Ok(got)) if got.eq_ignore_ascii_case(want) => "sha256 matches".into(),
        (Some(want), Ok(got)) => format!("sha256 MISMATCH (recorded {want}, file {got})"),
        (Some(_), Err(e)) => format!("cannot hash it: {e}"),
    };
    format!("GGUF v{}, {:.1} MB, {pin}", h.version, h.size as f64 / 1e6)
}
