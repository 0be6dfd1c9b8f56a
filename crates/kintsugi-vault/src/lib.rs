//! The admin vault: what makes turning Kintsugi off need a human's
//! password. The CLI runs argon2id (it has the password); the daemon only
//! checks HMAC proofs against the stored verifier, so the password never
//! crosses the socket and the daemon never spends argon2 time on a request.
//!
//! `crypto` (argon2id, HMAC-SHA256, XChaCha20-Poly1305), `vault` (the file
//! format and its checks), `store` (atomic 0600 files and the marker),
//! `lockout` (persisted failure back-off), `challenge` (single-use nonces).
//! See docs/ADMIN.md for the design and its limits.
#![forbid(unsafe_code)]

pub mod challenge;
pub mod crypto;
pub mod lockout;
pub mod store;
pub mod vault;

pub use challenge::{Challenges, NonceError};
pub use lockout::Lockout;
pub use store::{MARKER_FILE, OnDisk, REPLACED_FILE, VAULT_FILE};
pub use vault::{Settings, Vault, fingerprint, mode_rank};

/// Why a vault operation failed.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error("wrong password (or recovery key)")]
    WrongPassword,
    #[error("the vault is invalid: {0}")]
    Invalid(String),
    #[error("{0}")]
    Io(String),
}

/// The parameters a new vault uses unless told otherwise: argon2id,
/// 64 MiB, t=3, p=1 (about 170 ms in a release build on the reference box).
pub fn default_kdf() -> kintsugi_protocol::KdfParams {
    kintsugi_protocol::KdfParams {
        alg: "argon2id".into(),
        m_cost: 64 * 1024,
        t_cost: 3,
        p_cost: 1,
    }
}
