//! Where the vault lives in the data dir and how it is written: atomically
//! (temp file, fsync, rename), mode 0600. Beside it, `vault.provisioned`
//! remembers that a vault existed (and the fingerprint last installed), so
//! a vault that disappears is never mistaken for a host never provisioned.

use crate::VaultError;
use crate::vault::{Vault, fingerprint};
use std::fs;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// The vault file.
pub const VAULT_FILE: &str = "vault.json";
/// Present once a vault was provisioned; holds its fingerprint.
pub const MARKER_FILE: &str = "vault.provisioned";
/// Left by `admin provision --replace` for the daemon to record at start.
pub const REPLACED_FILE: &str = "vault.replaced";
/// Failed-attempt counter and time (see `lockout`).
pub const LOCKOUT_FILE: &str = "auth.lockout";

/// Write `bytes` to `path` atomically with mode 0600.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(
        ".{}.tmp{}",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("file"),
        std::process::id()
    ));
    let _ = fs::remove_file(&tmp);
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    drop(f);
    fs::rename(&tmp, path)
}

/// What the data dir says about the vault.
#[derive(Debug)]
pub enum OnDisk {
    /// No vault and no sign one ever existed.
    Never,
    /// A well-formed vault whose MAC checks, with its file bytes.
    Present(Box<Vault>, Vec<u8>),
    /// The marker says a vault existed, but it is gone.
    Missing,
    /// A file is there but fails its checks.
    Corrupt(String),
}

/// Read and check the vault in `data_dir`.
pub fn load(data_dir: &Path) -> OnDisk {
    let path = data_dir.join(VAULT_FILE);
    match fs::read(&path) {
        Ok(bytes) => match Vault::from_bytes(&bytes) {
            Ok(v) => OnDisk::Present(Box::new(v), bytes),
            Err(e) => OnDisk::Corrupt(e.to_string()),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if data_dir.join(MARKER_FILE).exists() {
                OnDisk::Missing
            } else {
                OnDisk::Never
            }
        }
        Err(e) => OnDisk::Corrupt(format!("cannot read {}: {e}", path.display())),
    }
}

/// Install `vault` in `data_dir` (file and marker); returns its fingerprint.
pub fn install(data_dir: &Path, vault: &Vault) -> Result<String, VaultError> {
    let bytes = vault.to_bytes();
    let fp = fingerprint(&bytes);
    let io = |e: std::io::Error| VaultError::Io(format!("cannot write the vault: {e}"));
    write_private(&data_dir.join(VAULT_FILE), &bytes).map_err(io)?;
    write_private(&data_dir.join(MARKER_FILE), format!("{fp}\n").as_bytes()).map_err(io)?;
    Ok(fp)
}

/// The fingerprint the marker remembers, if any.
pub fn marker_fingerprint(data_dir: &Path) -> Option<String> {
    fs::read_to_string(data_dir.join(MARKER_FILE))
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}
