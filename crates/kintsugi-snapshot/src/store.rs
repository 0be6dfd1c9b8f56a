//! The content-addressed store: `objects/<2 hex>/<62 hex>` named by the
//! BLAKE3 of their content (deduplicated across snapshots, read-only),
//! `manifests/<id>.json`, `tmp/` for in-flight copies, and a `lock` file
//! (captures and restores share it; GC takes it exclusively).

use crate::error::{Result, SnapshotError, io};
use crate::manifest::{CopyMethod, SnapshotManifest};
use std::fs::{self, File};
use std::io::ErrorKind;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// A snapshot store rooted at one directory (normally `<data dir>/snapshots`).
#[derive(Debug, Clone)]
pub struct Store {
    root: PathBuf,
}

/// Size of the store.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StoreUsage {
    /// Number of objects.
    pub objects: u64,
    /// Total bytes of objects.
    pub bytes: u64,
    /// Number of manifests.
    pub manifests: u64,
}

/// Held while a capture, restore or GC runs.
pub(crate) struct StoreLock {
    _file: File,
}

/// Result of storing one file.
pub(crate) struct Stored {
    pub hash: String,
    pub size: u64,
    pub method: CopyMethod,
    pub new_bytes: u64,
}

impl Store {
    /// Opens (creating if needed) a store in `root`.
    pub fn open(root: impl Into<PathBuf>) -> Result<Store> {
        let root = root.into();
        for d in ["objects", "manifests", "tmp"] {
            let p = root.join(d);
            fs::create_dir_all(&p).map_err(io("creating store directory", &p))?;
        }
        Ok(Store { root })
    }

    /// Opens the store under a Kintsugi data directory (`<data dir>/snapshots`).
    pub fn in_data_dir(data_dir: &Path) -> Result<Store> {
        Store::open(data_dir.join("snapshots"))
    }

    /// The store's root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    pub(crate) fn object_path(&self, hash: &str) -> PathBuf {
        self.root.join("objects").join(&hash[..2]).join(&hash[2..])
    }

    fn manifest_path(&self, id: &str) -> PathBuf {
        self.root.join("manifests").join(format!("{id}.json"))
    }

    pub(crate) fn tmp_path(&self) -> PathBuf {
        self.root
            .join("tmp")
            .join(format!("t-{}-{}", std::process::id(), random_hex(8)))
    }

    fn lock(&self, exclusive: bool) -> Result<StoreLock> {
        let p = self.root.join("lock");
        let file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&p)
            .map_err(io("opening lock", &p))?;
        let op = if exclusive {
            rustix::fs::FlockOperation::LockExclusive
        } else {
            rustix::fs::FlockOperation::LockShared
        };
        rustix::fs::flock(&file, op).map_err(|e| io("locking", &p)(e.into()))?;
        Ok(StoreLock { _file: file })
    }

    pub(crate) fn lock_shared(&self) -> Result<StoreLock> {
        self.lock(false)
    }

    pub(crate) fn lock_exclusive(&self) -> Result<StoreLock> {
        self.lock(true)
    }

    /// Stores the content of the regular file `src`, cloning it when the
    /// filesystem allows and deduplicating against existing objects.
    pub(crate) fn put_file(&self, src: &Path) -> Result<Stored> {
        let before = change_stamp(src);
        let (hash, size) = hash_file(src).map_err(io("reading", src))?;
        let dest = self.object_path(&hash);
        if dest.exists() {
            return Ok(Stored {
                hash,
                size,
                method: CopyMethod::Deduplicated,
                new_bytes: 0,
            });
        }
        let tmp = self.tmp_path();
        let cloned = match reflink_copy::reflink_or_copy(src, &tmp) {
            Ok(None) => true,
            Ok(Some(_)) => false,
            Err(e) => {
                let _ = fs::remove_file(&tmp);
                return Err(io("copying", src)(e));
            }
        };
        // When the source changed while it was hashed or copied (its size,
        // mtime or ctime moved), the copy is the truth: name it by its own hash.
        let (hash, size) = if before.is_some() && before == change_stamp(src) {
            (hash, size)
        } else {
            hash_file(&tmp).map_err(io("reading", &tmp))?
        };
        let dest = self.object_path(&hash);
        let method = if cloned {
            CopyMethod::Cloned
        } else {
            CopyMethod::Copied
        };
        if dest.exists() {
            let _ = fs::remove_file(&tmp);
            return Ok(Stored {
                hash,
                size,
                method: CopyMethod::Deduplicated,
                new_bytes: 0,
            });
        }
        let _ = fs::set_permissions(&tmp, fs::Permissions::from_mode(0o444));
        let parent = dest.parent().expect("object paths have a parent");
        fs::create_dir_all(parent).map_err(io("creating", parent))?;
        fs::rename(&tmp, &dest).map_err(io("storing object", &dest))?;
        let new_bytes = if cloned { 0 } else { size };
        Ok(Stored {
            hash,
            size,
            method,
            new_bytes,
        })
    }

    /// Copies (or clones) object `hash` to `dest`. Returns whether it was cloned.
    pub fn materialize(&self, hash: &str, dest: &Path, for_path: &Path) -> Result<bool> {
        let src = self.object_path(hash);
        if !src.exists() {
            return Err(SnapshotError::MissingObject {
                hash: hash.into(),
                path: for_path.into(),
            });
        }
        match reflink_copy::reflink_or_copy(&src, dest) {
            Ok(r) => Ok(r.is_none()),
            Err(e) => Err(io("writing", dest)(e)),
        }
    }

    /// Writes a manifest atomically.
    pub(crate) fn save_manifest(&self, m: &SnapshotManifest) -> Result<()> {
        let p = self.manifest_path(&m.id);
        let tmp = self.tmp_path();
        let json = serde_json::to_vec_pretty(m).map_err(|source| SnapshotError::Manifest {
            path: p.clone(),
            source,
        })?;
        fs::write(&tmp, json).map_err(io("writing", &tmp))?;
        fs::rename(&tmp, &p).map_err(io("writing manifest", &p))
    }

    /// Reads the manifest of snapshot `id`.
    pub fn load_manifest(&self, id: &str) -> Result<SnapshotManifest> {
        if id.is_empty() || id.contains('/') || id.starts_with('.') {
            return Err(SnapshotError::UnknownSnapshot(id.into()));
        }
        let p = self.manifest_path(id);
        let bytes = match fs::read(&p) {
            Ok(b) => b,
            Err(e) if e.kind() == ErrorKind::NotFound => {
                return Err(SnapshotError::UnknownSnapshot(id.into()));
            }
            Err(e) => return Err(io("reading", &p)(e)),
        };
        serde_json::from_slice(&bytes).map_err(|source| SnapshotError::Manifest { path: p, source })
    }

    pub(crate) fn delete_manifest(&self, id: &str) -> Result<()> {
        let p = self.manifest_path(id);
        fs::remove_file(&p).map_err(io("deleting", &p))
    }

    /// Ids of every manifest, oldest first.
    pub fn manifest_ids(&self) -> Result<Vec<String>> {
        let dir = self.root.join("manifests");
        let mut ids = Vec::new();
        for e in fs::read_dir(&dir).map_err(io("listing", &dir))? {
            let e = e.map_err(io("listing", &dir))?;
            let name = e.file_name().to_string_lossy().into_owned();
            if let Some(id) = name.strip_suffix(".json") {
                ids.push(id.to_string());
            }
        }
        ids.sort();
        Ok(ids)
    }

    /// Every object: (hash, size).
    pub(crate) fn objects(&self) -> Result<Vec<(String, u64)>> {
        let dir = self.root.join("objects");
        let mut out = Vec::new();
        for d in fs::read_dir(&dir).map_err(io("listing", &dir))? {
            let d = d.map_err(io("listing", &dir))?;
            let prefix = d.file_name().to_string_lossy().into_owned();
            let sub = d.path();
            if !sub.is_dir() {
                continue;
            }
            for f in fs::read_dir(&sub).map_err(io("listing", &sub))? {
                let f = f.map_err(io("listing", &sub))?;
                let size = f.metadata().map(|m| m.len()).unwrap_or(0);
                out.push((format!("{prefix}{}", f.file_name().to_string_lossy()), size));
            }
        }
        Ok(out)
    }

    /// Counts objects, their bytes and manifests.
    pub fn usage(&self) -> Result<StoreUsage> {
        let objects = self.objects()?;
        Ok(StoreUsage {
            objects: objects.len() as u64,
            bytes: objects.iter().map(|o| o.1).sum(),
            manifests: self.manifest_ids()?.len() as u64,
        })
    }

    pub(crate) fn remove_object(&self, hash: &str) -> Result<()> {
        let p = self.object_path(hash);
        match fs::remove_file(&p) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io("deleting", &p)(e)),
        }
    }

    /// Removes leftovers of interrupted copies.
    pub(crate) fn clear_tmp(&self) {
        if let Ok(rd) = fs::read_dir(self.root.join("tmp")) {
            for e in rd.flatten() {
                let _ = fs::remove_file(e.path());
            }
        }
    }
}

/// What changes whenever a file's content does: inode, size, mtime, ctime.
fn change_stamp(p: &Path) -> Option<(u64, u64, i64, i64, i64, i64)> {
    use std::os::unix::fs::MetadataExt;
    let m = fs::symlink_metadata(p).ok()?;
    Some((
        m.ino(),
        m.size(),
        m.mtime(),
        m.mtime_nsec(),
        m.ctime(),
        m.ctime_nsec(),
    ))
}

/// BLAKE3 (hex) and size of a file's content.
pub(crate) fn hash_file(p: &Path) -> std::io::Result<(String, u64)> {
    let mut f = File::open(p)?;
    let mut h = blake3::Hasher::new();
    h.update_reader(&mut f)?;
    let size = f.metadata()?.len();
    Ok((h.finalize().to_hex().to_string(), size))
}

/// `n` random bytes as hex.
pub(crate) fn random_hex(n: usize) -> String {
    let mut buf = vec![0u8; n];
    if getrandom::fill(&mut buf).is_err() {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        for (i, b) in buf.iter_mut().enumerate() {
            *b = (t >> (8 * (i % 16))) as u8 ^ std::process::id() as u8;
        }
    }
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

/// A new snapshot id: `YYYYMMDDThhmmss-<6 hex>` (UTC). The first three hex
/// digits are the milliseconds, so ids sort by time to the millisecond; the
/// last three are random.
pub(crate) fn new_id(now: time::OffsetDateTime) -> String {
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}-{:03x}{}",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second(),
        now.millisecond(),
        &random_hex(2)[..3]
    )
}
