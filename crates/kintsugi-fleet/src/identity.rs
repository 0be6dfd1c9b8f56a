//! Host identity: a random id made once and kept in the data dir
//! (`host.id`), the hostname as a display name, and the checkpoint public key
//! the central store registers on first contact.

use crate::{FleetError, Result, io_err};
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::Path;

/// The host id's file name in the data dir.
pub const HOST_ID_FILE: &str = "host.id";

/// Who is shipping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostIdentity {
    /// Stable id (32 lowercase hex characters).
    pub host_id: String,
    /// Display name only; never used to match.
    pub hostname: String,
    /// Hex ed25519 key that signs this host's checkpoints.
    pub pubkey: String,
}

impl HostIdentity {
    /// The id (made on first use), hostname and `checkpoint.pub` of `data_dir`.
    pub fn load(data_dir: &Path) -> Result<HostIdentity> {
        let pub_path = data_dir.join(kintsugi_ledger::PUBKEY_FILE);
        let pubkey = fs::read_to_string(&pub_path)
            .map_err(io_err(&pub_path))?
            .trim()
            .to_string();
        Ok(HostIdentity {
            host_id: load_or_create_host_id(data_dir)?,
            hostname: hostname(),
            pubkey,
        })
    }
}

fn valid(id: &str) -> bool {
    (8..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase() || b == b'-')
}

/// Read `data_dir/host.id`, creating it (16 random bytes as hex) if absent.
pub fn load_or_create_host_id(data_dir: &Path) -> Result<String> {
    let path = data_dir.join(HOST_ID_FILE);
    match fs::read_to_string(&path) {
        Ok(text) => {
            let id = text.trim().to_string();
            if valid(&id) {
                return Ok(id);
            }
            return Err(FleetError::Invalid(format!(
                "{} does not hold a host id; move it aside to make a new one (the central store will see a new host)",
                path.display()
            )));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io_err(&path)(e)),
    }
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)
        .map_err(|e| FleetError::Invalid(format!("no randomness for the host id: {e}")))?;
    let id = hex::encode(bytes);
    match OpenOptions::new().write(true).create_new(true).open(&path) {
        Ok(mut f) => {
            f.write_all(format!("{id}\n").as_bytes())
                .map_err(io_err(&path))?;
            f.sync_all().map_err(io_err(&path))?;
            Ok(id)
        }
        // Someone else made it first: theirs wins.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => load_or_create_host_id(data_dir),
        Err(e) => Err(io_err(&path)(e)),
    }
}

/// The kernel's hostname, else `unknown`.
pub fn hostname() -> String {
    ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .find_map(|p| fs::read_to_string(p).ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_id_is_made_once() {
        let dir = tempfile::tempdir().unwrap();
        let a = load_or_create_host_id(dir.path()).unwrap();
        let b = load_or_create_host_id(dir.path()).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.len(), 32);
        fs::write(dir.path().join(HOST_ID_FILE), "x y\n").unwrap();
        assert!(load_or_create_host_id(dir.path()).is_err());
    }
}
