//! The inference thread (feature `llama`): owns the model and its context,
//! takes jobs from the bounded queue one at a time, skips any whose caller
//! already gave up or whose deadline passed, and answers each through its
//! oneshot. Nothing here touches the async runtime.

use crate::config::ModelConfig;
use crate::model::{Job, Loaded};
use kintsugi_model::llm::{Model, Stop};
use kintsugi_model::parse;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::time::Instant;

/// Start the thread; returns once the model is loaded (or failed to load).
pub fn spawn(cfg: &ModelConfig, path: &Path) -> Result<(SyncSender<Job>, Loaded), String> {
    let (jobs_tx, jobs_rx) = sync_channel::<Job>(cfg.queue_len);
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let (path, cfg): (PathBuf, ModelConfig) = (path.to_path_buf(), cfg.clone());
    std::thread::Builder::new()
        .name("kintsugi-model".into())
        .spawn(move || serve(&path, &cfg, jobs_rx, ready_tx))
        .map_err(|e| format!("cannot start the model thread: {e}"))?;
    let loaded = ready_rx
        .recv()
        .map_err(|_| "the model thread stopped while loading".to_string())??;
    Ok((jobs_tx, loaded))
}

fn serve(
    path: &Path,
    cfg: &ModelConfig,
    jobs: Receiver<Job>,
    ready: std::sync::mpsc::Sender<Result<Loaded, String>>,
) {
    let model = match Model::load(path) {
        Ok(m) => m,
        Err(e) => {
            let _ = ready.send(Err(e));
            return;
        }
    };
    let mut runner = match model.runner(cfg.threads, cfg.context_tokens) {
        Ok(r) => r,
        Err(e) => {
            let _ = ready.send(Err(e));
            return;
        }
    };
    let _ = ready.send(Ok(Loaded {
        load_time: model.load_time,
        prefix_tokens: runner.prefix_tokens(),
    }));
    while let Ok(job) = jobs.recv() {
        if job.reply.is_closed() || Instant::now() >= job.deadline {
            continue;
        }
        let answer = match runner.complete(&job.suffix, cfg.max_tokens, job.deadline) {
            Ok(c) => {
                parse::parse(&c.text).map_err(|e| format!("the model's answer was malformed ({e})"))
            }
            Err(Stop::Deadline { tokens }) => Err(format!(
                "the model did not answer within {} ms ([model] timeout_ms; {tokens} tokens generated)",
                cfg.timeout_ms
            )),
            Err(Stop::Failed(e)) => Err(format!("the model failed: {e}")),
        };
        let _ = job.reply.send(answer);
    }
}
