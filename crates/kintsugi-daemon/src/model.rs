//! The local model scorer: a GGUF model kept warm on a thread of its own
//! (feature `llama`), asked through a bounded queue with a deadline. It is
//! loaded in the background after start-up: until it is ready (or when it
//! cannot be loaded) the heuristic answers alone, so a slow load never
//! delays a verdict. The
//! decision engine awaits the answer with a timeout, so inference never
//! blocks a connection task; a full queue, a timeout, a failure or a
//! malformed answer all leave the heuristic result standing, with a note
//! saying why. The model may only explain and escalate (`verdict.rs` takes
//! the max of the two risks); it never lowers a class or unlocks a hold.

use crate::config::ModelConfig;
use kintsugi_model::gguf;
use kintsugi_model::parse::Answer;
use kintsugi_model::prompt::{self, Facts, Segment};
use std::path::Path;
use std::sync::mpsc::{SyncSender, TrySendError};
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

/// One request to the inference thread (read there, so only with `llama`).
#[cfg_attr(not(feature = "llama"), allow(dead_code))]
pub struct Job {
    pub suffix: Vec<Segment>,
    pub deadline: Instant,
    pub reply: oneshot::Sender<Result<Answer, String>>,
}

/// A loaded model, ready to be asked.
pub struct ModelScorer {
    name: String,
    jobs: SyncSender<Job>,
    timeout: Duration,
    queue_len: usize,
}

/// What the daemon has: a loaded model or the reason it runs without one.
pub struct Slot {
    scorer: std::sync::OnceLock<ModelScorer>,
    /// One line for `status`: what is loaded, or why nothing is.
    describe: std::sync::Mutex<String>,
}

impl Slot {
    /// The slot at start-up: `loading …` when a model is configured.
    pub fn new(cfg: &ModelConfig) -> Slot {
        let describe = match &cfg.path {
            None => "none (heuristic only): no [model] path is configured".to_string(),
            Some(p) => format!(
                "loading {} from {} (the heuristic answers meanwhile)",
                scorer_name(p),
                p.display()
            ),
        };
        Slot {
            scorer: Default::default(),
            describe: std::sync::Mutex::new(describe),
        }
    }

    /// The loaded model, once it is ready.
    pub fn scorer(&self) -> Option<&ModelScorer> {
        self.scorer.get()
    }

    /// What `status` says about the model.
    pub fn describe(&self) -> String {
        self.describe.lock().map(|d| d.clone()).unwrap_or_default()
    }

    /// Record the outcome of loading.
    pub fn install(&self, scorer: Option<ModelScorer>, describe: String) {
        if let Ok(mut d) = self.describe.lock() {
            *d = describe;
        }
        if let Some(s) = scorer {
            let _ = self.scorer.set(s);
        }
    }
}

/// What the loader reports once the thread has the model (or failed).
pub struct Loaded {
    pub load_time: Duration,
    pub prefix_tokens: usize,
}

/// The scorer name `status` reports for the model file at `path`.
pub fn scorer_name(path: &Path) -> String {
    let file = path
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    format!("llama:{file}")
}

/// Check and load the configured model (blocking: run it off the runtime).
/// Never fails the daemon: any problem yields no scorer and a line that
/// says why.
pub fn open(cfg: &ModelConfig) -> (Option<ModelScorer>, String) {
    let Some(path) = cfg.path.as_deref() else {
        return (None, Slot::new(cfg).describe());
    };
    match try_open(cfg, path) {
        Ok((scorer, describe)) => (Some(scorer), describe),
        Err(why) => (
            None,
            format!("not loaded (heuristic only): {}: {why}", path.display()),
        ),
    }
}

fn try_open(cfg: &ModelConfig, path: &Path) -> Result<(ModelScorer, String), String> {
    let header = gguf::check(path).map_err(|e| e.to_string())?;
    let sha = match &cfg.sha256 {
        Some(want) => {
            let got = gguf::sha256(path).map_err(|e| format!("cannot read it: {e}"))?;
            if !got.eq_ignore_ascii_case(want) {
                return Err(format!(
                    "sha256 mismatch: the config records {want}, the file is {got}"
                ));
            }
            format!(", sha256 {}", &got[..16])
        }
        None => ", sha256 not pinned".into(),
    };
    let (jobs, loaded) = spawn(cfg, path)?;
    let describe = format!(
        "{} loaded from {} ({:.1} MB, GGUF v{}{sha}; loaded in {} ms, prompt prefix {} tokens; {} threads, timeout {} ms, queue {})",
        scorer_name(path),
        path.display(),
        header.size as f64 / 1e6,
        header.version,
        loaded.load_time.as_millis(),
        loaded.prefix_tokens,
        cfg.threads,
        cfg.timeout_ms,
        cfg.queue_len,
    );
    let scorer = ModelScorer {
        name: scorer_name(path),
        jobs,
        timeout: Duration::from_millis(cfg.timeout_ms),
        queue_len: cfg.queue_len,
    };
    Ok((scorer, describe))
}

#[cfg(not(feature = "llama"))]
fn spawn(_cfg: &ModelConfig, _path: &Path) -> Result<(SyncSender<Job>, Loaded), String> {
    Err(kintsugi_model::NOT_BUILT.into())
}

#[cfg(feature = "llama")]
fn spawn(cfg: &ModelConfig, path: &Path) -> Result<(SyncSender<Job>, Loaded), String> {
    crate::model_thread::spawn(cfg, path)
}

impl ModelScorer {
    /// The name `status` reports.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Ask the model about one command within the time budget. `Err` says
    /// why the heuristic stands.
    pub async fn ask(&self, facts: &Facts<'_>) -> Result<Answer, String> {
        let deadline = Instant::now() + self.timeout;
        let (reply, answer) = oneshot::channel();
        let job = Job {
            suffix: prompt::suffix(facts),
            deadline,
            reply,
        };
        self.jobs.try_send(job).map_err(|e| match e {
            TrySendError::Full(_) => format!(
                "the model's queue is full ({} waiting; [model] queue_len)",
                self.queue_len
            ),
            TrySendError::Disconnected(_) => "the model thread has stopped".to_string(),
        })?;
        match tokio::time::timeout(self.timeout, answer).await {
            Err(_) => Err(format!(
                "the model did not answer within {} ms ([model] timeout_ms)",
                self.timeout.as_millis()
            )),
            Ok(Err(_)) => Err(format!(
                "the model did not answer within {} ms ([model] timeout_ms)",
                self.timeout.as_millis()
            )),
            Ok(Ok(r)) => r,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_path_means_heuristic_and_bad_files_say_why() {
        assert!(open(&ModelConfig::default()).0.is_none());
        assert!(
            Slot::new(&ModelConfig::default())
                .describe()
                .starts_with("none")
        );
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("m.gguf");
        std::fs::write(&p, b"not a model at all, just text").unwrap();
        let cfg = ModelConfig {
            path: Some(p.clone()),
            ..Default::default()
        };
        assert!(
            Slot::new(&cfg)
                .describe()
                .starts_with("loading llama:m.gguf")
        );
        let (scorer, why) = open(&cfg);
        assert!(scorer.is_none());
        assert!(why.contains("not a GGUF file"), "{why}");
        let mut good = b"GGUF".to_vec();
        good.extend(3u32.to_le_bytes());
        good.extend([0u8; 16]);
        std::fs::write(&p, &good).unwrap();
        let pinned = ModelConfig {
            sha256: Some("0".repeat(64)),
            ..cfg.clone()
        };
        assert!(open(&pinned).1.contains("sha256 mismatch"));
        if !kintsugi_model::AVAILABLE {
            assert!(open(&cfg).1.contains("without the `llama` feature"));
        }
        assert_eq!(scorer_name(&p), "llama:m.gguf");
    }
}
