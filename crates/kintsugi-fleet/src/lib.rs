//! Fleet audit: every host's ledger shipped to one central PostgreSQL and
//! verified there. `schema` creates and migrates the central tables,
//! `shipper` runs the background shipping loop (outbox cursor in `outbox`,
//! batches in `ship`), `verify` recomputes every host's chain from the
//! central database alone, `query` serves `kintsugi fleet log` / `report`.
//! See `docs/FLEET.md`.
//!
//! Architecture invariant: depends on the ledger crate (its hash and chain
//! checker are the only definition of a valid chain) and never on the daemon
//! or the wire protocol. The shipper reads `ledger.db` read-only and never
//! takes its write lock.
#![forbid(unsafe_code)]

mod conn;
mod identity;
mod outbox;
mod query;
mod row;
mod schema;
mod ship;
mod shipper;
pub mod testdb;
mod verify;

pub use conn::{check_url, connect, target_key};
pub use identity::{HOST_ID_FILE, HostIdentity, hostname, load_or_create_host_id};
pub use outbox::{Cursor, OUTBOX_FILE, Outbox};
pub use query::{FleetFilter, HostEvent, query};
pub use row::RawRow;
pub use schema::{SCHEMA_VERSION, init, schema_version};
pub use ship::{Cycle, Source, register, ship_all, ship_cycle};
pub use shipper::{ShipStatus, ShipperConfig, ShipperHandle, spawn};
pub use verify::{FleetFinding, FleetReport, HostReport, verify};

/// Errors from the central store or the local files.
#[derive(Debug, thiserror::Error)]
pub enum FleetError {
    /// Shown with its causes (the `postgres` crate's own message is only the
    /// kind, e.g. "error performing TLS handshake", without the reason).
    #[error("central database: {}", with_causes(.0))]
    Pg(postgres::Error),
    #[error("{0}")]
    Ledger(#[from] kintsugi_ledger::LedgerError),
    #[error("local fleet outbox: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("{path}: {source}")]
    Io {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Invalid(String),
}

impl From<postgres::Error> for FleetError {
    fn from(e: postgres::Error) -> Self {
        FleetError::Pg(e)
    }
}

/// `e` and every cause below it, joined by ": ".
fn with_causes(e: &postgres::Error) -> String {
    let mut out = e.to_string();
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        out.push_str(": ");
        out.push_str(&c.to_string());
        cause = c.source();
    }
    out
}

/// Result alias for fleet operations.
pub type Result<T> = std::result::Result<T, FleetError>;

pub(crate) fn io_err(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> FleetError + '_ {
    move |source| FleetError::Io {
        path: path.to_path_buf(),
        source,
    }
}
