//! Signed checkpoints: the daemon's ed25519 key (made at first start, 0600)
//! signs (sequence, head hash, time); each checkpoint is one JSON line
//! appended to `checkpoints.jsonl` beside the ledger and, when configured, to
//! a witness directory.

use crate::{LedgerError, Result, io_err};
use ed25519_dalek::{Signature, Signer as _, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use std::fs::{self, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// The append-only checkpoint file's name.
pub const CHECKPOINTS_FILE: &str = "checkpoints.jsonl";
/// The signing key's file name (32 secret bytes, mode 0600).
pub const KEY_FILE: &str = "checkpoint.key";
/// The public key's file name (hex).
pub const PUBKEY_FILE: &str = "checkpoint.pub";

/// One signed checkpoint line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub seq: u64,
    pub head: String,
    pub time: String,
    /// Hex ed25519 public key that signed it.
    pub key: String,
    /// Hex ed25519 signature over [`Checkpoint::message`].
    pub sig: String,
}

impl Checkpoint {
    /// The exact bytes that are signed.
    pub fn message(seq: u64, head: &str, time: &str) -> Vec<u8> {
        format!("kintsugi-checkpoint-v1\n{seq}\n{head}\n{time}\n").into_bytes()
    }

    /// Check the signature against `key` (hex). Returns what is wrong.
    pub fn check_signature(&self, pinned_key: &str) -> std::result::Result<(), String> {
        if self.key != pinned_key {
            return Err(format!(
                "signed by key {} but the ledger's key is {}",
                short(&self.key),
                short(pinned_key)
            ));
        }
        let key_bytes: [u8; 32] = hex::decode(&self.key)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or("public key is not 32 hex bytes")?;
        let vk = VerifyingKey::from_bytes(&key_bytes).map_err(|e| e.to_string())?;
        let sig_bytes: [u8; 64] = hex::decode(&self.sig)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or("signature is not 64 hex bytes")?;
        vk.verify(
            &Self::message(self.seq, &self.head, &self.time),
            &Signature::from_bytes(&sig_bytes),
        )
        .map_err(|_| "signature does not match (sequence, head, time)".to_string())
    }
}

fn short(hex: &str) -> &str {
    &hex[..hex.len().min(12)]
}

/// Signs checkpoints and appends them to the checkpoint file(s).
pub struct Signer {
    key: SigningKey,
    files: Vec<PathBuf>,
}

impl Signer {
    /// Load the key from `data_dir`, creating it (0600) on first start.
    /// Checkpoints go to `data_dir/checkpoints.jsonl` and, if given, to
    /// `witness_dir/checkpoints.jsonl`.
    pub fn load_or_create(data_dir: &Path, witness_dir: Option<&Path>) -> Result<Signer> {
        let key_path = data_dir.join(KEY_FILE);
        let key = if key_path.exists() {
            let bytes = fs::read(&key_path).map_err(io_err(&key_path))?;
            let seed: [u8; 32] = bytes.try_into().map_err(|_| {
                LedgerError::Invalid(format!(
                    "{} is not a 32-byte key; it was damaged. Move it aside to start a new key (verify will then flag older checkpoints)",
                    key_path.display()
                ))
            })?;
            SigningKey::from_bytes(&seed)
        } else {
            let mut seed = [0u8; 32];
            getrandom::fill(&mut seed)
                .map_err(|e| LedgerError::Invalid(format!("no randomness for the key: {e}")))?;
            let mut f = OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&key_path)
                .map_err(io_err(&key_path))?;
            f.write_all(&seed).map_err(io_err(&key_path))?;
            f.sync_all().map_err(io_err(&key_path))?;
            SigningKey::from_bytes(&seed)
        };
        let pub_path = data_dir.join(PUBKEY_FILE);
        let pub_hex = hex::encode(key.verifying_key().to_bytes());
        if fs::read_to_string(&pub_path).ok().as_deref().map(str::trim) != Some(pub_hex.as_str()) {
            fs::write(&pub_path, format!("{pub_hex}\n")).map_err(io_err(&pub_path))?;
            let _ = fs::set_permissions(&pub_path, fs::Permissions::from_mode(0o644));
        }
        let mut files = vec![data_dir.join(CHECKPOINTS_FILE)];
        if let Some(w) = witness_dir {
            fs::create_dir_all(w).map_err(io_err(w))?;
            files.push(w.join(CHECKPOINTS_FILE));
        }
        Ok(Signer { key, files })
    }

    /// The hex public key.
    pub fn public_key_hex(&self) -> String {
        hex::encode(self.key.verifying_key().to_bytes())
    }

    /// Sign (seq, head, time) and append the checkpoint to every file,
    /// fsyncing each.
    pub fn checkpoint(&self, seq: u64, head: &str, time: &str) -> Result<Checkpoint> {
        let sig = self.key.sign(&Checkpoint::message(seq, head, time));
        let cp = Checkpoint {
            seq,
            head: head.to_string(),
            time: time.to_string(),
            key: self.public_key_hex(),
            sig: hex::encode(sig.to_bytes()),
        };
        let mut line =
            serde_json::to_string(&cp).map_err(|e| LedgerError::Invalid(e.to_string()))?;
        line.push('\n');
        for path in &self.files {
            let mut f = OpenOptions::new()
                .append(true)
                .create(true)
                .mode(0o600)
                .open(path)
                .map_err(io_err(path))?;
            f.write_all(line.as_bytes()).map_err(io_err(path))?;
            f.sync_data().map_err(io_err(path))?;
        }
        Ok(cp)
    }
}

/// Read every checkpoint line of a file. A malformed line is an error that
/// names its line number (a damaged checkpoint file is itself a finding).
pub fn read_checkpoints(path: &Path) -> Result<Vec<Checkpoint>> {
    let file = match fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io_err(path)(e)),
    };
    let mut out = Vec::new();
    for (i, line) in BufReader::new(file).lines().enumerate() {
        let line = line.map_err(io_err(path))?;
        if line.trim().is_empty() {
            continue;
        }
        let cp = serde_json::from_str(&line).map_err(|e| {
            LedgerError::Invalid(format!(
                "{} line {}: not a checkpoint: {e}",
                path.display(),
                i + 1
            ))
        })?;
        out.push(cp);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_is_made_once_and_signatures_verify() {
        let dir = tempfile::tempdir().unwrap();
        let s1 = Signer::load_or_create(dir.path(), None).unwrap();
        let s2 = Signer::load_or_create(dir.path(), None).unwrap();
        assert_eq!(s1.public_key_hex(), s2.public_key_hex());
        let mode = fs::metadata(dir.path().join(KEY_FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let cp = s1.checkpoint(5, "abc", "t").unwrap();
        cp.check_signature(&s1.public_key_hex()).unwrap();
        let mut forged = cp.clone();
        forged.seq = 6;
        assert!(forged.check_signature(&s1.public_key_hex()).is_err());
        assert_eq!(
            read_checkpoints(&dir.path().join(CHECKPOINTS_FILE)).unwrap(),
            vec![cp]
        );
    }
}
