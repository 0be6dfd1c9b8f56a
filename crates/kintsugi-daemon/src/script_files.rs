//! Reading the scripts a proposed line runs (`./x.sh`, `bash x`, `python3
//! x.py`) so the classifier can judge them by their content. Only regular
//! files are read (symlinks resolved), never anything under `/proc`, `/sys`
//! or `/dev`, and at most [`MAX_SCRIPT_BYTES`] of them: a larger file reads
//! as unknown. A file whose first [`BINARY_SNIFF_BYTES`] hold a NUL is a
//! program, and only that head is read.

use std::io::Read;
use std::path::Path;

pub use kintsugi_classify::MAX_SCRIPT_BYTES;

/// How much of a file is read first to tell a program from a script.
pub const BINARY_SNIFF_BYTES: u64 = 1024;

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
    let mut file = std::fs::File::open(&real).ok()?;
    let mut buf = Vec::new();
    // A program's first bytes hold a NUL (ELF and the other binary formats
    // do): hand over that head alone, which the classifier calls an unknown
    // program, instead of reading and converting the cap's worth of a
    // compiler for every exec of a build.
    (&mut file)
        .take(BINARY_SNIFF_BYTES)
        .read_to_end(&mut buf)
        .ok()?;
    if buf.contains(&0) {
        return Some(String::from_utf8_lossy(&buf).into_owned());
    }
    file.take(MAX_SCRIPT_BYTES as u64 + 1 - buf.len() as u64)
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
        // A big program is told by its head, which is all that is read.
        let elf = dir.path().join("prog");
        let mut bytes = b"\x7fELF\x02\x01\x01\0\0".to_vec();
        bytes.resize(MAX_SCRIPT_BYTES * 2, b'x');
        std::fs::write(&elf, &bytes).unwrap();
        let head = read_script(elf.to_str().unwrap()).unwrap();
        assert!(head.len() <= BINARY_SNIFF_BYTES as usize && head.contains('\0'));
    }
}
