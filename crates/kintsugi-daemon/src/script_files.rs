//! Reading the scripts a proposed line runs (`./x.sh`, `bash x`, `python3
//! x.py`) so the classifier can judge them by their content. Only regular
//! files are read (symlinks resolved), never anything under `/proc`, `/sys`
//! or `/dev`, and at most [`MAX_SCRIPT_BYTES`] of them: a larger file reads
//! as unknown.

use std::io::Read;
use std::path::Path;

pub use kintsugi_classify::MAX_SCRIPT_BYTES;

/// The text of the script at `path`, or `None` when it is missing, not a
/// regular file, on a pseudo-filesystem path, or larger than the cap (the
/// classifier then records an unknown script).
pub fn read_script(path: &str) -> Option<String> {
    let p = Path::new(path);
    if !p.is_absolute() {
        return None;
    }
    let real = std::fs::canonicalize(p).ok()?;
    if ["/proc", "/sys", "/dev"]
        .iter()
        .any(|d| real.starts_with(d))
    {
        return None;
    }
    let meta = std::fs::metadata(&real).ok()?;
    if !meta.is_file() {
        return None;
    }
    let file = std::fs::File::open(&real).ok()?;
    let mut buf = Vec::new();
    file.take(MAX_SCRIPT_BYTES as u64 + 1)
        .read_to_end(&mut buf)
        .ok()?;
    // A file longer than the cap is handed over cut at cap + 1 bytes: the
    // classifier then calls it too large rather than judging a prefix.
    Some(String::from_utf8_lossy(&buf).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_regular_files_only() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("x.sh");
        std::fs::write(&f, "rm -rf ~\n").unwrap();
        assert_eq!(read_script(f.to_str().unwrap()).unwrap(), "rm -rf ~\n");
        assert!(read_script(dir.path().to_str().unwrap()).is_none());
        assert!(read_script("/proc/self/environ").is_none());
        assert!(read_script("/dev/zero").is_none());
        assert!(read_script("relative.sh").is_none());
        let link = dir.path().join("l.sh");
        std::os::unix::fs::symlink(&f, &link).unwrap();
        assert!(read_script(link.to_str().unwrap()).is_some());
        let big = dir.path().join("big.sh");
        std::fs::write(&big, vec![b'#'; MAX_SCRIPT_BYTES + 10]).unwrap();
        assert!(read_script(big.to_str().unwrap()).unwrap().len() > MAX_SCRIPT_BYTES);
    }
}
