//! The content-addressed store: `objects/<2 hex>/<62 hex>` named by the
//! BLAKE3 of their content (deduplicated across snapshots, read-only),
//! `manifests/<id>.json`, `tmp/` for in-flight copies, and a `lock` file
//! (captures and restores share it; GC takes it exclusively).

use crate::error::{Result, SnapshotError, io};
use crate::manifest::{CopyMethod, SnapshotManifest};
use crate::meter::{COPY_CHUNK, Meter, Over};
use crate::{pseudo, walk};
use std::fs::{self, File};
use std::io::{ErrorKind, Read, Seek, SeekFrom, Write};
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
    /// filesystem allows and deduplicating against existing objects. The
    /// file is opened without following a symlink and without blocking (a
    /// FIFO swapped in is never waited on); anything but a regular file on a
    /// real filesystem is skipped, and `meter` is checked after every chunk
    /// read, so a file that grows or never ends stops at the budget.
    pub(crate) fn put_file(&self, src: &Path, meter: &Meter) -> std::result::Result<Put, PutError> {
        use rustix::fs::{Mode, OFlags};
        let flags =
            OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::NOCTTY | OFlags::CLOEXEC;
        let fd = rustix::fs::open(src, flags, Mode::empty())
            .map_err(|e| PutError::Failed(io("reading", src)(e.into())))?;
        let mut file = File::from(fd);
        let meta = file
            .metadata()
            .map_err(|e| PutError::Failed(io("reading", src)(e)))?;
        if !meta.is_file() {
            let kind = walk::special_kind(&meta.file_type()).unwrap_or("special file");
            return Ok(Put::Skipped(kind.to_string()));
        }
        if let Some(fs) = pseudo::of_fd(&file) {
            return Ok(Put::Skipped(format!("{fs} filesystem")));
        }
        let before = change_stamp(&meta);
        let (hash, size) = chunks(&mut file, None, meter).map_err(|e| e.reading(src))?;
        if self.object_path(&hash).exists() {
            return Ok(Put::Stored(Stored {
                hash,
                size,
                method: CopyMethod::Deduplicated,
                new_bytes: 0,
            }));
        }
        let tmp = self.tmp_path();
        let copied = self.copy_to_tmp(&mut file, &tmp, before, (hash, size), meter);
        let (hash, size, cloned) = match copied {
            Ok(c) => c,
            Err(e) => {
                let _ = fs::remove_file(&tmp);
                return Err(e.reading(src));
            }
        };
        let dest = self.object_path(&hash);
        let method = if cloned {
            CopyMethod::Cloned
        } else {
            CopyMethod::Copied
        };
        if dest.exists() {
            let _ = fs::remove_file(&tmp);
            return Ok(Put::Stored(Stored {
                hash,
                size,
                method: CopyMethod::Deduplicated,
                new_bytes: 0,
            }));
        }
        let _ = fs::set_permissions(&tmp, fs::Permissions::from_mode(0o444));
        let parent = dest.parent().expect("object paths have a parent");
        fs::create_dir_all(parent).map_err(|e| PutError::Failed(io("creating", parent)(e)))?;
        fs::rename(&tmp, &dest).map_err(|e| PutError::Failed(io("storing object", &dest)(e)))?;
        let new_bytes = if cloned { 0 } else { size };
        Ok(Put::Stored(Stored {
            hash,
            size,
            method,
            new_bytes,
        }))
    }

    /// Clones (else copies in metered chunks) `src` into `tmp`. Returns the
    /// hash and size of what `tmp` holds, and whether it was cloned. When
    /// the source changed since it was hashed (`before` no longer matches),
    /// the copy is the truth: it is named by its own hash.
    fn copy_to_tmp(
        &self,
        src: &mut File,
        tmp: &Path,
        before: Stamp,
        hashed: (String, u64),
        meter: &Meter,
    ) -> std::result::Result<(String, u64, bool), ChunkError> {
        let mut out = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(tmp)
            .map_err(ChunkError::Io)?;
        if rustix::fs::ioctl_ficlone(&out, &*src).is_ok() {
            let size = out.metadata().map_err(ChunkError::Io)?.len();
            meter.check_bytes(size).map_err(ChunkError::Over)?;
            let now = src.metadata().map_err(ChunkError::Io)?;
            if change_stamp(&now) == before && size == hashed.1 {
                return Ok((hashed.0, hashed.1, true));
            }
            let mut clone = File::open(tmp).map_err(ChunkError::Io)?;
            let (hash, size) = chunks(&mut clone, None, meter)?;
            return Ok((hash, size, true));
        }
        src.seek(SeekFrom::Start(0)).map_err(ChunkError::Io)?;
        let (hash, size) = chunks(src, Some(&mut out), meter)?;
        Ok((hash, size, false))
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

/// What changes whenever a file's content does: size, mtime, ctime.
type Stamp = (u64, i64, i64, i64, i64);

fn change_stamp(m: &fs::Metadata) -> Stamp {
    use std::os::unix::fs::MetadataExt;
    (
        m.size(),
        m.mtime(),
        m.mtime_nsec(),
        m.ctime(),
        m.ctime_nsec(),
    )
}

/// What storing one file produced.
pub(crate) enum Put {
    /// Its content is in the store.
    Stored(Stored),
    /// It was not read: a special file or a pseudo-filesystem (the kind).
    Skipped(String),
}

/// Why a file was not stored.
pub(crate) enum PutError {
    /// A budget or the stop request ended the capture inside this file.
    Over(Over),
    /// It could not be read or stored.
    Failed(SnapshotError),
}

/// An error while reading a file in chunks.
pub(crate) enum ChunkError {
    Over(Over),
    Io(std::io::Error),
}

impl ChunkError {
    fn reading(self, src: &Path) -> PutError {
        match self {
            ChunkError::Over(o) => PutError::Over(o),
            ChunkError::Io(e) => PutError::Failed(io("reading", src)(e)),
        }
    }
}

/// Reads `r` to its end in [`COPY_CHUNK`] steps, hashing (and writing to
/// `w`, when given) each one; `meter` is checked after every step.
fn chunks(
    r: &mut File,
    mut w: Option<&mut File>,
    meter: &Meter,
) -> std::result::Result<(String, u64), ChunkError> {
    let mut buf = vec![0u8; COPY_CHUNK];
    let mut h = blake3::Hasher::new();
    let mut n = 0u64;
    loop {
        let k = match r.read(&mut buf) {
            Ok(0) => break,
            Ok(k) => k,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(ChunkError::Io(e)),
        };
        h.update(&buf[..k]);
        if let Some(w) = w.as_deref_mut() {
            w.write_all(&buf[..k]).map_err(ChunkError::Io)?;
        }
        n += k as u64;
        meter.check_bytes(n).map_err(ChunkError::Over)?;
    }
    Ok((h.finalize().to_hex().to_string(), n))
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
