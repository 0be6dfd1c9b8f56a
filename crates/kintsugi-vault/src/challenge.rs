//! Outstanding challenges: each nonce is 32 random bytes (hex), bound to
//! the op it was issued for, single-use, and expires after [`NONCE_TTL`].

use crate::crypto::random_bytes;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// How long a nonce may be answered.
pub const NONCE_TTL: Duration = Duration::from_secs(60);
/// Most outstanding nonces kept (the oldest are dropped beyond it).
pub const MAX_OUTSTANDING: usize = 1024;

/// Why a nonce was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NonceError {
    #[error("unknown or already used nonce (each challenge answers once; ask for a new one)")]
    Unknown,
    #[error("the challenge expired; ask for a new one")]
    Expired,
    #[error("the nonce was issued for op {issued:?}, not {used:?}")]
    WrongOp { issued: String, used: String },
}

/// The set of live nonces.
#[derive(Debug, Default)]
pub struct Challenges {
    live: HashMap<String, (String, Instant)>,
}

impl Challenges {
    /// Issue a nonce for `op`.
    pub fn issue(&mut self, op: &str) -> String {
        let now = Instant::now();
        self.live
            .retain(|_, (_, t)| now.duration_since(*t) < NONCE_TTL);
        if self.live.len() >= MAX_OUTSTANDING
            && let Some(oldest) = self
                .live
                .iter()
                .min_by_key(|(_, (_, t))| *t)
                .map(|(k, _)| k.clone())
        {
            self.live.remove(&oldest);
        }
        let nonce = hex::encode(random_bytes::<32>());
        self.live.insert(nonce.clone(), (op.to_string(), now));
        nonce
    }

    /// Consume `nonce` for `op`: it is gone afterwards whatever the outcome.
    pub fn take(&mut self, nonce: &str, op: &str) -> Result<(), NonceError> {
        let (issued, at) = self.live.remove(nonce).ok_or(NonceError::Unknown)?;
        if at.elapsed() >= NONCE_TTL {
            return Err(NonceError::Expired);
        }
        if issued != op {
            return Err(NonceError::WrongOp {
                issued,
                used: op.to_string(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_use_and_op_bound() {
        let mut c = Challenges::default();
        let n = c.issue("shutdown");
        assert_eq!(n.len(), 64);
        assert!(c.take(&n, "shutdown").is_ok());
        assert_eq!(c.take(&n, "shutdown"), Err(NonceError::Unknown));
        let m = c.issue("resume");
        assert!(matches!(
            c.take(&m, "shutdown"),
            Err(NonceError::WrongOp { .. })
        ));
        assert_eq!(c.take(&m, "resume"), Err(NonceError::Unknown));
    }
}
