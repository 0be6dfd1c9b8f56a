//! The vault file (`vault.json`, mode 0600): what is stored, how it is
//! built from a password, and how each reader checks it.
//!
//! - `verifier` = argon2id(password, `salt`, `kdf`): the proof key the
//!   daemon checks challenge answers with. It never sees the password.
//! - `recovery_verifier`: the same for the one-time recovery key.
//! - `sealed`: the settings under XChaCha20-Poly1305 with a key from a
//!   SECOND argon2id run (`seal_salt`), so only the password opens it.
//! - `settings`: the plain copy the daemon enforces without the password.
//! - `mac`: HMAC-SHA256 under the verifier over every other field, so a
//!   corrupted or naively edited file is refused at start-up.

use crate::VaultError;
use crate::crypto::{self, Key, Sealed};
use kintsugi_protocol::KdfParams;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// The on-disk format version.
pub const VERSION: u32 = 1;
const SEAL_AAD: &[u8] = b"kintsugi-vault-v1 settings";
const MAC_LABEL: &[u8] = b"kintsugi-vault-v1 mac\0";

/// Settings the vault enforces (a human's password is needed to loosen).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// The loosest mode the daemon may run in (`notify` < `attended` <
    /// `unattended`); the config file can only tighten it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode_floor: Option<String>,
    /// Approving a held command needs the admin password as well.
    #[serde(default)]
    pub approvals_need_password: bool,
}

/// How strict a mode word is; unknown words count as strictest.
pub fn mode_rank(mode: &str) -> u8 {
    match mode {
        "notify" => 0,
        "attended" => 1,
        _ => 2,
    }
}

impl Settings {
    /// Is `self` at least as strict as `other` in every setting?
    pub fn at_least_as_strict_as(&self, other: &Settings) -> bool {
        let floor = |s: &Settings| s.mode_floor.as_deref().map(mode_rank).unwrap_or(0);
        floor(self) >= floor(other)
            && (self.approvals_need_password || !other.approvals_need_password)
    }
}

/// The vault file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vault {
    pub version: u32,
    pub kdf: KdfParams,
    pub salt: String,
    pub verifier: String,
    pub recovery_salt: String,
    pub recovery_verifier: String,
    pub seal_salt: String,
    pub sealed: Sealed,
    pub settings: Settings,
    pub created: String,
    pub mac: String,
}

/// What a password (or recovery key) proves once derived: the proof key.
pub struct Unlocked {
    pub auth: Key,
    pub settings: Settings,
}

fn unhex(field: &str, v: &str) -> Result<Vec<u8>, VaultError> {
    hex::decode(v).map_err(|_| VaultError::Invalid(format!("field `{field}` is not hex")))
}

fn key_from(field: &str, v: &str) -> Result<Key, VaultError> {
    let bytes = Zeroizing::new(unhex(field, v)?);
    let arr: [u8; 32] = bytes
        .as_slice()
        .try_into()
        .map_err(|_| VaultError::Invalid(format!("field `{field}` is not 32 bytes")))?;
    Ok(Zeroizing::new(arr))
}

impl Vault {
    /// Build a vault for `password`, with `recovery_key` as the way back.
    pub fn create(
        password: &[u8],
        recovery_key: &[u8],
        kdf: KdfParams,
        settings: Settings,
        created: String,
    ) -> Result<Vault, VaultError> {
        crypto::check_params(&kdf)?;
        let salt: [u8; 16] = crypto::random_bytes();
        let recovery_salt: [u8; 16] = crypto::random_bytes();
        let recovery = crypto::derive_key(recovery_key, &recovery_salt, &kdf)?;
        let mut v = Vault {
            version: VERSION,
            kdf,
            salt: hex::encode(salt),
            verifier: String::new(),
            recovery_salt: hex::encode(recovery_salt),
            recovery_verifier: hex::encode(recovery.as_ref()),
            seal_salt: String::new(),
            sealed: Sealed {
                nonce: String::new(),
                ciphertext: String::new(),
            },
            settings: settings.clone(),
            created,
            mac: String::new(),
        };
        v.set_password(password, &settings)?;
        Ok(v)
    }

    /// Re-key the vault for a new password, sealing `settings` as the
    /// password's copy (the recovery key stays).
    pub fn set_password(&mut self, password: &[u8], settings: &Settings) -> Result<(), VaultError> {
        let salt: [u8; 16] = crypto::random_bytes();
        let seal_salt: [u8; 16] = crypto::random_bytes();
        let auth = crypto::derive_key(password, &salt, &self.kdf)?;
        let seal_key = crypto::derive_key(password, &seal_salt, &self.kdf)?;
        self.salt = hex::encode(salt);
        self.verifier = hex::encode(auth.as_ref());
        self.seal_salt = hex::encode(seal_salt);
        self.reseal(&seal_key, settings)?;
        Ok(())
    }

    fn reseal(&mut self, seal_key: &[u8; 32], settings: &Settings) -> Result<(), VaultError> {
        let plain = Zeroizing::new(serde_json::to_vec(settings).expect("settings serialize"));
        self.sealed = crypto::seal(seal_key, &plain, SEAL_AAD);
        self.settings = settings.clone();
        self.mac = hex::encode(self.compute_mac()?);
        Ok(())
    }

    /// The daemon's proof key.
    pub fn auth_key(&self) -> Result<Key, VaultError> {
        key_from("verifier", &self.verifier)
    }

    /// The recovery key's proof key.
    pub fn recovery_key(&self) -> Result<Key, VaultError> {
        key_from("recovery_verifier", &self.recovery_verifier)
    }

    fn compute_mac(&self) -> Result<[u8; 32], VaultError> {
        let key = self.auth_key()?;
        let mut body = self.clone();
        body.mac = String::new();
        let bytes = serde_json::to_vec(&body).expect("vault serializes");
        Ok(crypto::hmac_sha256(key.as_ref(), &[MAC_LABEL, &bytes]))
    }

    /// The daemon's start-up check: well-formed, a known version, usable
    /// parameters, and the MAC matches every field.
    pub fn check(&self) -> Result<(), VaultError> {
        if self.version != VERSION {
            return Err(VaultError::Invalid(format!(
                "vault version {} is not supported (this build reads {VERSION})",
                self.version
            )));
        }
        crypto::check_params(&self.kdf)?;
        for (f, v) in [("salt", &self.salt), ("recovery_salt", &self.recovery_salt)] {
            unhex(f, v)?;
        }
        self.recovery_key()?;
        let want = self.compute_mac()?;
        let got = unhex("mac", &self.mac)?;
        if !crypto::ct_eq(&want, &got) {
            return Err(VaultError::Invalid(
                "the vault's MAC does not match its contents: it was edited or corrupted outside Kintsugi".into(),
            ));
        }
        Ok(())
    }

    /// Derive the proof key from `password` and check it against the
    /// verifier; then open the sealed settings with the second key.
    pub fn unlock(&self, password: &[u8]) -> Result<Unlocked, VaultError> {
        let auth = crypto::derive_key(password, &unhex("salt", &self.salt)?, &self.kdf)?;
        if !crypto::ct_eq(auth.as_ref(), self.auth_key()?.as_ref()) {
            return Err(VaultError::WrongPassword);
        }
        let seal_key =
            crypto::derive_key(password, &unhex("seal_salt", &self.seal_salt)?, &self.kdf)?;
        let plain = crypto::open(&seal_key, &self.sealed, SEAL_AAD)?;
        let settings: Settings = serde_json::from_slice(&plain)
            .map_err(|e| VaultError::Invalid(format!("sealed settings unreadable: {e}")))?;
        Ok(Unlocked { auth, settings })
    }

    /// Derive the recovery proof key and check it.
    pub fn unlock_recovery(&self, recovery_key: &[u8]) -> Result<Key, VaultError> {
        let salt = unhex("recovery_salt", &self.recovery_salt)?;
        let key = crypto::derive_key(recovery_key, &salt, &self.kdf)?;
        if !crypto::ct_eq(key.as_ref(), self.recovery_key()?.as_ref()) {
            return Err(VaultError::WrongPassword);
        }
        Ok(key)
    }

    /// Layer two: the plain settings may be stricter than the sealed copy
    /// (tightening needs no password) but never looser.
    pub fn plain_settings_honest(&self, sealed: &Settings) -> bool {
        self.settings.at_least_as_strict_as(sealed)
    }

    /// Serialize for disk.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut b = serde_json::to_vec_pretty(self).expect("vault serializes");
        b.push(b'\n');
        b
    }

    /// Parse and check bytes read from disk.
    pub fn from_bytes(bytes: &[u8]) -> Result<Vault, VaultError> {
        let v: Vault = serde_json::from_slice(bytes)
            .map_err(|e| VaultError::Invalid(format!("not a vault file: {e}")))?;
        v.check()?;
        Ok(v)
    }
}

/// SHA-256 of a vault file's bytes, hex (recorded in the ledger and marker).
pub fn fingerprint(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A fresh recovery key: 20 random bytes as five dash-separated groups of
/// eight hex digits.
pub fn new_recovery_key() -> Zeroizing<String> {
    let b: [u8; 20] = crypto::random_bytes();
    let h = Zeroizing::new(hex::encode(b));
    Zeroizing::new(
        h.as_bytes()
            .chunks(8)
            .map(|c| std::str::from_utf8(c).expect("hex is ascii"))
            .collect::<Vec<_>>()
            .join("-"),
    )
}

/// A recovery key as typed: dashes, spaces and case do not matter.
pub fn normalize_recovery_key(typed: &str) -> Zeroizing<String> {
    Zeroizing::new(
        typed
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_lowercase())
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> KdfParams {
        KdfParams {
            alg: "argon2id".into(),
            m_cost: 256,
            t_cost: 1,
            p_cost: 1,
        }
    }

    #[test]
    fn create_unlock_rekey_and_detect_edits() {
        let s = Settings {
            mode_floor: Some("attended".into()),
            approvals_need_password: false,
        };
        let rk = normalize_recovery_key(&new_recovery_key());
        let mut v =
            Vault::create(b"pw one", rk.as_bytes(), small(), s.clone(), "t".into()).unwrap();
        let v2 = Vault::from_bytes(&v.to_bytes()).unwrap();
        assert_eq!(v2.unlock(b"pw one").unwrap().settings, s);
        assert!(matches!(
            v2.unlock(b"pw two"),
            Err(VaultError::WrongPassword)
        ));
        assert!(v2.unlock_recovery(rk.as_bytes()).is_ok());
        v.set_password(b"pw two", &s).unwrap();
        assert!(v.unlock(b"pw two").is_ok());
        let edited = String::from_utf8(v.to_bytes())
            .unwrap()
            .replace("\"attended\"", "\"notify\"");
        assert!(Vault::from_bytes(edited.as_bytes()).is_err());
        // A forger with the verifier can fix the MAC, but not the sealed copy.
        let mut forged = v.clone();
        forged.settings.mode_floor = Some("notify".into());
        forged.mac = hex::encode(forged.compute_mac().unwrap());
        assert!(forged.check().is_ok());
        let sealed = forged.unlock(b"pw two").unwrap().settings;
        assert!(!forged.plain_settings_honest(&sealed));
    }
}
