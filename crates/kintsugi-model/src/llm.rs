//! The llama.cpp runner (feature `llama`): load a GGUF model once, evaluate
//! the fixed prompt prefix once, then complete each command's suffix with
//! greedy sampling, a token cap and a deadline. Everything here runs on the
//! caller's thread; the daemon gives it a thread of its own.

use crate::parse;
use crate::prompt::{self, Segment};
use llama_cpp_2::context::LlamaContext;
use llama_cpp_2::context::params::LlamaContextParams;
use llama_cpp_2::llama_backend::LlamaBackend;
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::model::LlamaModel;
use llama_cpp_2::model::params::LlamaModelParams;
use llama_cpp_2::sampling::LlamaSampler;
use llama_cpp_2::token::LlamaToken;
use std::num::NonZeroU32;
use std::path::Path;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

static BACKEND: OnceLock<Result<LlamaBackend, String>> = OnceLock::new();

/// The process-wide llama.cpp backend (initialised once, logs silenced).
fn backend() -> Result<&'static LlamaBackend, String> {
    BACKEND
        .get_or_init(|| {
            let mut b = LlamaBackend::init().map_err(|e| e.to_string())?;
            b.void_logs();
            Ok(b)
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// A loaded model.
pub struct Model {
    model: LlamaModel,
    /// How long loading took.
    pub load_time: Duration,
}

/// Why a completion stopped without an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    /// The deadline passed (after `tokens` generated tokens).
    Deadline {
        tokens: usize,
    },
    Failed(String),
}

/// A finished completion: the assistant text including the `RISK:` prefill.
#[derive(Debug, Clone)]
pub struct Completion {
    pub text: String,
    pub prompt_tokens: usize,
    pub generated: usize,
}

impl Model {
    /// Load the GGUF model at `path` on the CPU.
    pub fn load(path: &Path) -> Result<Model, String> {
        let started = Instant::now();
        let backend = backend()?;
        let params = LlamaModelParams::default();
        let model = LlamaModel::load_from_file(backend, path, &params)
            .map_err(|e| format!("llama.cpp could not load it: {e}"))?;
        Ok(Model {
            model,
            load_time: started.elapsed(),
        })
    }

    /// A runner with `threads` CPU threads and a context of `n_ctx` tokens,
    /// the prompt prefix already evaluated.
    pub fn runner(&self, threads: u32, n_ctx: u32) -> Result<Runner<'_>, String> {
        let n_ctx = n_ctx.max(256);
        let params = LlamaContextParams::default()
            .with_n_ctx(NonZeroU32::new(n_ctx))
            .with_n_batch(n_ctx)
            .with_n_ubatch(n_ctx.min(512))
            .with_n_threads(threads.max(1) as i32)
            .with_n_threads_batch(threads.max(1) as i32);
        let ctx = self
            .model
            .new_context(backend()?, params)
            .map_err(|e| format!("cannot create a llama.cpp context: {e}"))?;
        let mut r = Runner {
            model: &self.model,
            ctx,
            n_ctx,
            prefix_len: 0,
        };
        let mut tokens = Vec::new();
        if self.model.vocab().should_add_bos() {
            tokens.push(self.model.vocab().bos());
        }
        tokens.extend(r.tokenize(&prompt::prefix()));
        r.eval(&tokens, 0, false)?;
        r.prefix_len = tokens.len();
        Ok(r)
    }
}

/// A context with the prefix evaluated, ready for completions.
pub struct Runner<'m> {
    model: &'m LlamaModel,
    ctx: LlamaContext<'m>,
    n_ctx: u32,
    prefix_len: usize,
}

impl Runner<'_> {
    /// Template segments may hold control tokens; data segments never do.
    fn tokenize(&self, segments: &[Segment]) -> Vec<LlamaToken> {
        let vocab = self.model.vocab();
        segments
            .iter()
            .flat_map(|s| vocab.tokenize(s.text.as_bytes(), false, s.template))
            .collect()
    }

    /// Evaluate `tokens` at positions from `start`; logits for the last one
    /// when `logits`.
    fn eval(&mut self, tokens: &[LlamaToken], start: usize, logits: bool) -> Result<(), String> {
        let mut batch = LlamaBatch::new(tokens.len().max(1), 1);
        for (i, t) in tokens.iter().enumerate() {
            let last = logits && i + 1 == tokens.len();
            batch
                .add(*t, (start + i) as i32, &[0], last)
                .map_err(|e| e.to_string())?;
        }
        self.ctx.decode(&mut batch).map_err(|e| e.to_string())
    }

    /// Prompt tokens of the fixed prefix.
    pub fn prefix_tokens(&self) -> usize {
        self.prefix_len
    }

    /// Complete the per-command `suffix`: greedy, at most `max_tokens`,
    /// stopping at the end of the summary line, an end-of-generation token,
    /// or `deadline`.
    pub fn complete(
        &mut self,
        suffix: &[Segment],
        max_tokens: u32,
        deadline: Instant,
    ) -> Result<Completion, Stop> {
        let fail = |e: String| Stop::Failed(e);
        self.ctx
            .clear_kv_cache_seq(Some(0), Some(self.prefix_len as u32), None)
            .map_err(|e| fail(e.to_string()))?;
        let tokens = self.tokenize(suffix);
        let mut pos = self.prefix_len + tokens.len();
        if pos + max_tokens as usize > self.n_ctx as usize {
            return Err(fail(format!(
                "the prompt ({pos} tokens) leaves no room in the {}-token context",
                self.n_ctx
            )));
        }
        if Instant::now() >= deadline {
            return Err(Stop::Deadline { tokens: 0 });
        }
        self.eval(&tokens, self.prefix_len, true).map_err(fail)?;
        let mut sampler = LlamaSampler::greedy();
        let vocab = self.model.vocab();
        let mut bytes = prompt::PREFILL.as_bytes().to_vec();
        let mut generated = 0;
        let mut last_batch_index = tokens.len() as i32 - 1;
        while generated < max_tokens as usize {
            if Instant::now() >= deadline {
                return Err(Stop::Deadline { tokens: generated });
            }
            let token = sampler.sample(&self.ctx, last_batch_index);
            if vocab.is_eog(token) {
                break;
            }
            generated += 1;
            bytes.extend(vocab.token_to_piece(token, false, None));
            if parse::complete(&String::from_utf8_lossy(&bytes)) {
                break;
            }
            self.eval(&[token], pos, true).map_err(fail)?;
            pos += 1;
            last_batch_index = 0;
        }
        Ok(Completion {
            text: String::from_utf8_lossy(&bytes).into_owned(),
            prompt_tokens: self.prefix_len + tokens.len(),
            generated,
        })
    }
}
