//! The local model scorer's building blocks, kept apart from the daemon so
//! the pure parts are tested in every build:
//!
//! - `gguf`: is this file a GGUF model (magic, version), its size and SHA-256;
//! - `prompt`: the prompt, with the command treated strictly as quoted data;
//! - `parse`: the strict parser of the model's answer (`RISK:` / `SUMMARY:`);
//! - `llm` (feature `llama` only): load a GGUF model with llama.cpp and
//!   complete prompts greedily on the CPU, with a deadline.
//!
//! Invariant: no async runtime, no daemon types; the model's answer is only
//! ever data for the caller, which may use it to escalate, never to loosen.
#![forbid(unsafe_code)]

pub mod gguf;
#[cfg(feature = "llama")]
pub mod llm;
pub mod parse;
pub mod prompt;

/// Was this build compiled with the llama.cpp runner?
pub const AVAILABLE: bool = cfg!(feature = "llama");

/// Why a model is not available in this build, when it is not.
pub const NOT_BUILT: &str = "this kintsugi binary was built without the `llama` feature (cargo build --release --features llama)";
