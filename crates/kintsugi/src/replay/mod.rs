//! `kintsugi replay`: the shell tool calls in agents' session transcripts
//! (`transcripts.rs` finds and reads the files, `formats.rs` parses each
//! agent's records), each decided by the daemon's own engine under the
//! current policy and mode (`kintsugi_daemon::OfflineEngine`), optionally
//! matched against the ledger (`ledger.rs`), summarised (`report.rs`).
//! Runs nothing and records nothing.

pub mod formats;
pub mod ledger;
pub mod report;
pub mod transcripts;

/// Largest transcript file read; a larger one is skipped with a message.
pub const MAX_TRANSCRIPT_BYTES: u64 = 512 * 1024 * 1024;
/// Longest transcript line parsed; a longer one counts as a bad line.
pub const MAX_LINE_BYTES: usize = 64 * 1024 * 1024;
/// Most transcript files read in one replay; the rest are reported unread.
pub const MAX_FILES: usize = 100_000;
/// Deepest directory level searched under a transcript root.
pub const MAX_DEPTH: usize = 16;

/// One shell tool call found in a transcript.
#[derive(Debug, Clone)]
pub struct Call {
    /// `claude`, `codex` or `gemini`.
    pub agent: &'static str,
    pub file: String,
    /// 1-based JSON record number in the file.
    pub line: usize,
    pub session: Option<String>,
    /// The directory the call ran in, when the transcript says.
    pub cwd: Option<String>,
    /// RFC 3339 time the agent recorded for the call.
    pub time: Option<String>,
    /// The command line as the agent sent it (unredacted: never printed).
    pub command: String,
}
