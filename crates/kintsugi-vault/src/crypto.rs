//! The primitives the vault is built from: argon2id key derivation,
//! HMAC-SHA256 (written here over `sha2`, RFC 2104), the challenge proof,
//! XChaCha20-Poly1305 sealing, and constant-time comparison. Every derived
//! key is returned in a [`Key`] that wipes itself when dropped.

use crate::VaultError;
use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use kintsugi_protocol::KdfParams;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// A 32-byte secret that is zeroed when dropped.
pub type Key = Zeroizing<[u8; 32]>;

/// Bytes from the OS random source.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).expect("the OS random source works");
    b
}

/// Check that `p` names argon2id with parameters argon2 accepts.
pub fn check_params(p: &KdfParams) -> Result<Params, VaultError> {
    if p.alg != "argon2id" {
        return Err(VaultError::Invalid(format!(
            "unsupported KDF {:?}; this build knows argon2id only",
            p.alg
        )));
    }
    Params::new(p.m_cost, p.t_cost, p.p_cost, Some(32))
        .map_err(|e| VaultError::Invalid(format!("bad argon2id parameters: {e}")))
}

/// argon2id(secret, salt, params) → 32 bytes. This is the proof key of
/// PROTOCOL.md when `secret` is the password and `salt` the announced salt.
pub fn derive_key(secret: &[u8], salt: &[u8], params: &KdfParams) -> Result<Key, VaultError> {
    let p = check_params(params)?;
    let mut out = Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, p)
        .hash_password_into(secret, salt, out.as_mut())
        .map_err(|e| VaultError::Invalid(format!("argon2id failed: {e}")))?;
    Ok(out)
}

const BLOCK: usize = 64;

/// HMAC-SHA256 (RFC 2104) of the concatenation of `parts` under `key`.
pub fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut k = Zeroizing::new([0u8; BLOCK]);
    if key.len() > BLOCK {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let mut ipad = Zeroizing::new([0x36u8; BLOCK]);
    let mut opad = Zeroizing::new([0x5cu8; BLOCK]);
    for i in 0..BLOCK {
        ipad[i] ^= k[i];
        opad[i] ^= k[i];
    }
    let mut inner = Sha256::new();
    inner.update(ipad.as_ref());
    for p in parts {
        inner.update(p);
    }
    let inner = inner.finalize();
    let mut outer = Sha256::new();
    outer.update(opad.as_ref());
    outer.update(inner);
    let mut out = [0u8; 32];
    out.copy_from_slice(&outer.finalize());
    out
}

/// The proof for a challenge: hex HMAC-SHA256 keyed with `key` over the
/// bytes of `nonce` (the hex string as sent) followed by the bytes of `op`.
pub fn proof(key: &[u8; 32], nonce: &str, op: &str) -> String {
    hex::encode(hmac_sha256(key, &[nonce.as_bytes(), op.as_bytes()]))
}

/// Does `proof_hex` answer (`nonce`, `op`) under `key`? Constant time in
/// the proof's contents.
pub fn verify_proof(key: &[u8; 32], nonce: &str, op: &str, proof_hex: &str) -> bool {
    let Ok(given) = hex::decode(proof_hex.trim()) else {
        return false;
    };
    let want = hmac_sha256(key, &[nonce.as_bytes(), op.as_bytes()]);
    given.len() == want.len() && bool::from(given.ct_eq(&want))
}

/// Constant-time equality of two byte strings.
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

/// An AEAD box: XChaCha20-Poly1305 with a random 192-bit nonce, both hex.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sealed {
    pub nonce: String,
    pub ciphertext: String,
}

/// Seal `plaintext` under `key`, binding `aad` (the context it belongs to).
pub fn seal(key: &[u8; 32], plaintext: &[u8], aad: &[u8]) -> Sealed {
    let cipher = XChaCha20Poly1305::new_from_slice(key).expect("32-byte key");
    let nonce_bytes: [u8; 24] = random_bytes();
    let nonce = XNonce::try_from(&nonce_bytes[..]).expect("24-byte nonce");
    let ct = cipher
        .encrypt(
            &nonce,
            chacha20poly1305::aead::Payload {
                msg: plaintext,
                aad,
            },
        )
        .expect("sealing in memory cannot fail");
    Sealed {
        nonce: hex::encode(nonce_bytes),
        ciphertext: hex::encode(ct),
    }
}

/// Open a box sealed by [`seal`]; a wrong key or any edit is an error.
pub fn open(key: &[u8; 32], sealed: &Sealed, aad: &[u8]) -> Result<Zeroizing<Vec<u8>>, VaultError> {
    let bad = || VaultError::Invalid("the sealed settings are damaged (not hex)".into());
    let nonce_bytes = hex::decode(&sealed.nonce).map_err(|_| bad())?;
    let nonce = XNonce::try_from(&nonce_bytes[..]).map_err(|_| bad())?;
    let ct = hex::decode(&sealed.ciphertext).map_err(|_| bad())?;
    let cipher = XChaCha20Poly1305::new_from_slice(key).expect("32-byte key");
    cipher
        .decrypt(&nonce, chacha20poly1305::aead::Payload { msg: &ct, aad })
        .map(Zeroizing::new)
        .map_err(|_| VaultError::WrongPassword)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc4231_case_2() {
        let mac = hmac_sha256(b"Jefe", &[b"what do ya want ", b"for nothing?"]);
        assert_eq!(
            hex::encode(mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn hmac_long_key_rfc4231_case_6() {
        let key = [0xaau8; 131];
        let mac = hmac_sha256(
            &key,
            &[b"Test Using Larger Than Block-Size Key - Hash Key First"],
        );
        assert_eq!(
            hex::encode(mac),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn proofs_bind_nonce_and_op() {
        let k = [7u8; 32];
        let p = proof(&k, "abcd", "shutdown");
        assert!(verify_proof(&k, "abcd", "shutdown", &p));
        assert!(!verify_proof(&k, "abce", "shutdown", &p));
        assert!(!verify_proof(&k, "abcd", "resume", &p));
        assert!(!verify_proof(&[8u8; 32], "abcd", "shutdown", &p));
        assert!(!verify_proof(&k, "abcd", "shutdown", "zz"));
    }

    #[test]
    fn seal_round_trip_and_tamper() {
        let k = [1u8; 32];
        let s = seal(&k, b"settings", b"ctx");
        assert_eq!(open(&k, &s, b"ctx").unwrap().as_slice(), b"settings");
        assert!(open(&[2u8; 32], &s, b"ctx").is_err());
        assert!(open(&k, &s, b"other").is_err());
        let mut t = s.clone();
        t.ciphertext.replace_range(0..2, "00");
        assert!(t == s || open(&k, &t, b"ctx").is_err());
    }

    #[test]
    fn derive_is_deterministic_and_salted() {
        let p = KdfParams {
            alg: "argon2id".into(),
            m_cost: 256,
            t_cost: 1,
            p_cost: 1,
        };
        let a = derive_key(b"pw", b"saltsaltsalt", &p).unwrap();
        assert_eq!(*a, *derive_key(b"pw", b"saltsaltsalt", &p).unwrap());
        assert_ne!(*a, *derive_key(b"pw", b"saltsalt2222", &p).unwrap());
        let bad = KdfParams {
            alg: "scrypt".into(),
            ..p
        };
        assert!(derive_key(b"pw", b"saltsaltsalt", &bad).is_err());
    }
}
