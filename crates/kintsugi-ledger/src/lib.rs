//! The audit ledger: an append-only SQLite table of events, each hashed over
//! the previous hash and a canonical encoding of every field it shows, plus
//! ed25519-signed checkpoints in a separate append-only file. `verify`
//! recomputes everything from the files alone (see `docs/LEDGER.md`).
//!
//! Architecture invariant: no async runtime, no knowledge of the daemon or the
//! wire protocol. The daemon owns the single writer; readers (log, verify) open
//! the database read-only and never block it (WAL).
#![forbid(unsafe_code)]

mod chain;
mod checkpoint;
mod event;
mod hash;
mod query;
mod store;
mod verify;

pub use chain::{ChainChecker, MAX_FINDINGS};
pub use checkpoint::{
    CHECKPOINTS_FILE, Checkpoint, KEY_FILE, PUBKEY_FILE, Signer, read_checkpoints,
};
pub use event::{Event, NewEvent};
pub use hash::{GENESIS_HASH, HashInput, event_hash, hash_row};
pub use query::{Filter, query};
pub use store::{DB_FILE, Durability, Ledger, open_read_only};
pub use verify::{Finding, VerifyReport, merge_witness, verify};

/// Errors from the ledger. Each says what failed and where.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error("ledger database error: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("ledger file error at {path}: {source}")]
    Io {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Invalid(String),
}

impl From<rusqlite::types::FromSqlError> for LedgerError {
    fn from(e: rusqlite::types::FromSqlError) -> Self {
        LedgerError::Invalid(format!(
            "an event row holds a value of the wrong type ({e}): the database was altered outside Kintsugi"
        ))
    }
}

/// Result alias for ledger operations.
pub type Result<T> = std::result::Result<T, LedgerError>;

pub(crate) fn io_err(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> LedgerError + '_ {
    move |source| LedgerError::Io {
        path: path.to_path_buf(),
        source,
    }
}
