//! The privileged handshake (`authbegin` / `shutdown`). Until an admin vault
//! is provisioned, the challenge says `locked: false` and a shutdown needs no
//! proof; the KDF parameters announced are the ones a vault will use.

use kintsugi_protocol::{KdfParams, Response};

/// Argon2id parameters (64 MiB, t=3, p=1: ~170 ms here).
pub fn kdf_params() -> KdfParams {
    KdfParams {
        alg: "argon2id".into(),
        m_cost: 64 * 1024,
        t_cost: 3,
        p_cost: 1,
    }
}

/// The challenge for an unprovisioned host.
pub fn unlocked_challenge() -> Response {
    Response::Challenge {
        locked: false,
        nonce: String::new(),
        salt: String::new(),
        params: kdf_params(),
    }
}
