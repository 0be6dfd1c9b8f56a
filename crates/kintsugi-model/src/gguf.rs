//! GGUF file checks done before a model is recorded or loaded: the header
//! magic and a supported version, the size, and the SHA-256 of the content.

use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::Read;
use std::path::Path;

/// The first four bytes of every GGUF file.
pub const MAGIC: &[u8; 4] = b"GGUF";
/// GGUF versions llama.cpp reads (1 is long obsolete and refused).
pub const VERSIONS: std::ops::RangeInclusive<u32> = 2..=3;

/// What the header says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub version: u32,
    pub tensors: u64,
    pub size: u64,
}

/// Why a file is not a usable GGUF model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GgufError {
    Io(String),
    NotGguf,
    Version(u32),
    Truncated,
}

impl std::fmt::Display for GgufError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GgufError::Io(e) => write!(f, "cannot read it: {e}"),
            GgufError::NotGguf => write!(f, "not a GGUF file (the header magic is not `GGUF`)"),
            GgufError::Version(v) => write!(
                f,
                "unsupported GGUF version {v} (supported: {}..={})",
                VERSIONS.start(),
                VERSIONS.end()
            ),
            GgufError::Truncated => write!(f, "not a GGUF file (the header is truncated)"),
        }
    }
}

impl std::error::Error for GgufError {}

/// Check the 24-byte header of `bytes` (magic, version, tensor count).
pub fn parse_header(bytes: &[u8], size: u64) -> Result<Header, GgufError> {
    if bytes.len() < 4 || &bytes[..4] != MAGIC {
        return Err(if bytes.len() < 4 && MAGIC.starts_with(bytes) {
            GgufError::Truncated
        } else {
            GgufError::NotGguf
        });
    }
    if bytes.len() < 24 {
        return Err(GgufError::Truncated);
    }
    let version = u32::from_le_bytes(bytes[4..8].try_into().expect("4 bytes"));
    if !VERSIONS.contains(&version) {
        return Err(GgufError::Version(version));
    }
    let tensors = u64::from_le_bytes(bytes[8..16].try_into().expect("8 bytes"));
    Ok(Header {
        version,
        tensors,
        size,
    })
}

/// Check the header of the file at `path`.
pub fn check(path: &Path) -> Result<Header, GgufError> {
    let mut f = File::open(path).map_err(|e| GgufError::Io(e.to_string()))?;
    let size = f
        .metadata()
        .map_err(|e| GgufError::Io(e.to_string()))?
        .len();
    let mut head = Vec::with_capacity(24);
    f.by_ref()
        .take(24)
        .read_to_end(&mut head)
        .map_err(|e| GgufError::Io(e.to_string()))?;
    parse_header(&head, size)
}

/// The lowercase hex SHA-256 of the file at `path`.
pub fn sha256(path: &Path) -> std::io::Result<String> {
    let mut f = File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex::encode(h.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(version: u32) -> Vec<u8> {
        let mut b = MAGIC.to_vec();
        b.extend(version.to_le_bytes());
        b.extend(7u64.to_le_bytes());
        b.extend(3u64.to_le_bytes());
        b
    }

    #[test]
    fn accepts_v2_and_v3_headers() {
        let h = parse_header(&header(3), 100).unwrap();
        assert_eq!((h.version, h.tensors, h.size), (3, 7, 100));
        assert!(parse_header(&header(2), 100).is_ok());
    }

    #[test]
    fn refuses_other_magic_versions_and_truncation() {
        assert_eq!(
            parse_header(b"PK\x03\x04xxxxxxxxxxxxxxxxxxxx", 24),
            Err(GgufError::NotGguf)
        );
        assert_eq!(parse_header(&header(1), 24), Err(GgufError::Version(1)));
        assert_eq!(parse_header(&header(4), 24), Err(GgufError::Version(4)));
        assert_eq!(parse_header(b"GGUF\x03\0", 6), Err(GgufError::Truncated));
        assert_eq!(parse_header(b"", 0), Err(GgufError::Truncated));
        assert!(GgufError::NotGguf.to_string().contains("not a GGUF file"));
    }

    #[test]
    fn file_checks_and_hash() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("m.gguf");
        std::fs::write(&p, header(3)).unwrap();
        assert_eq!(check(&p).unwrap().size, 24);
        assert_eq!(sha256(&p).unwrap().len(), 64);
        std::fs::write(&p, b"hello").unwrap();
        assert_eq!(check(&p), Err(GgufError::NotGguf));
        assert!(matches!(
            check(&dir.path().join("none")),
            Err(GgufError::Io(_))
        ));
    }
}
