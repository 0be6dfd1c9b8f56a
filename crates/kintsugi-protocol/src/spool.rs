//! The spool: when the daemon cannot be reached, `kintsugi record send`
//! appends the (redacted) command, and `kintsugi watch` the change it saw,
//! as one JSON line to `<data dir>/spool.jsonl` (0600), and the daemon
//! drains it, in order, when it starts and every few seconds after.
//!
//! Concurrency: appenders and the drainer take an exclusive lock on
//! `spool.jsonl.lock` for the moment they touch the spool. An appender opens
//! the spool only while holding the lock and writes each line with a single
//! `O_APPEND` write; the drainer, under the same lock, renames the spool to
//! `spool.draining.jsonl`, so no line can be appended to a file being
//! drained. The drainer deletes that file only after every line in it is
//! committed; a daemon killed mid-drain finds it at its next start and
//! drains it first (at-least-once: such lines may be recorded twice).

use crate::redact::redact_command;
use crate::types::{Observation, ProposedCommand};
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// The spool's file name in the data dir.
pub const SPOOL_FILE: &str = "spool.jsonl";
/// The spool being drained.
pub const DRAINING_FILE: &str = "spool.draining.jsonl";
const LOCK_FILE: &str = "spool.jsonl.lock";

fn private(path: &Path, append: bool) -> io::Result<File> {
    OpenOptions::new()
        .create(true)
        .append(append)
        .write(!append)
        .mode(0o600)
        .open(path)
}

fn lock(data_dir: &Path) -> io::Result<File> {
    std::fs::create_dir_all(data_dir)?;
    let f = private(&data_dir.join(LOCK_FILE), true)?;
    f.lock()?;
    Ok(f)
}

/// One spooled line: a recorded command (the original line format) or a
/// filesystem change, which carries an `observed` object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Spooled {
    Observe { observed: Observation },
    Record(ProposedCommand),
}

impl Spooled {
    /// When the line was typed or the change seen (RFC 3339), if known.
    pub fn time(&self) -> Option<&str> {
        match self {
            Spooled::Observe { observed } => observed.seen_at.as_deref(),
            Spooled::Record(c) => Some(c.ts.as_str()),
        }
    }
}

/// Append `cmd` (redacted first) to the spool in `data_dir`.
pub fn append(data_dir: &Path, cmd: &ProposedCommand) -> io::Result<()> {
    let mut cmd = cmd.clone();
    redact_command(&mut cmd);
    append_line(data_dir, &Spooled::Record(cmd))
}

/// Append a filesystem change seen while the daemon was down.
pub fn append_observation(data_dir: &Path, observed: &Observation) -> io::Result<()> {
    append_line(
        data_dir,
        &Spooled::Observe {
            observed: observed.clone(),
        },
    )
}

fn append_line(data_dir: &Path, item: &Spooled) -> io::Result<()> {
    let mut line = serde_json::to_vec(item).map_err(io::Error::other)?;
    line.push(b'\n');
    let guard = lock(data_dir)?;
    let mut f = private(&data_dir.join(SPOOL_FILE), true)?;
    f.write_all(&line)?;
    drop(guard);
    Ok(())
}

/// The file to drain next, if any: a leftover `spool.draining.jsonl` from an
/// interrupted drain, else the spool renamed to it (under the lock).
pub fn take(data_dir: &Path) -> io::Result<Option<PathBuf>> {
    let draining = data_dir.join(DRAINING_FILE);
    if draining.exists() {
        return Ok(Some(draining));
    }
    let spool = data_dir.join(SPOOL_FILE);
    if !spool.exists() {
        return Ok(None);
    }
    let _guard = lock(data_dir)?;
    match std::fs::rename(&spool, &draining) {
        Ok(()) => Ok(Some(draining)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// The lines of a spool file, in order. A line that does not parse (a torn
/// write) is skipped and counted.
pub fn read(path: &Path) -> io::Result<(Vec<Spooled>, usize)> {
    let text = std::fs::read(path)?;
    let mut bad = 0;
    let cmds = text
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .filter_map(|l| {
            let parsed = serde_json::from_slice(l).ok();
            bad += usize::from(parsed.is_none());
            parsed
        })
        .collect();
    Ok((cmds, bad))
}

/// Lines waiting in the spool (and in an interrupted drain).
pub fn pending(data_dir: &Path) -> usize {
    [SPOOL_FILE, DRAINING_FILE]
        .iter()
        .filter_map(|f| std::fs::read(data_dir.join(f)).ok())
        .map(|t| t.iter().filter(|&&b| b == b'\n').count())
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Change;
    use std::os::unix::fs::PermissionsExt;

    fn raw(s: &Spooled) -> &str {
        match s {
            Spooled::Record(c) => &c.raw,
            Spooled::Observe { observed } => &observed.path,
        }
    }

    #[test]
    fn observations_and_commands_share_the_spool() {
        let dir = tempfile::tempdir().unwrap();
        append(
            dir.path(),
            &ProposedCommand::new("recorder", "/", vec![], "ls"),
        )
        .unwrap();
        let mut o = Observation::new(Change::Removed, "/p/a.txt");
        o.seen_at = Some("2026-11-24T00:00:00Z".into());
        append_observation(dir.path(), &o).unwrap();
        let (items, bad) = read(&dir.path().join(SPOOL_FILE)).unwrap();
        assert_eq!(bad, 0);
        assert!(matches!(&items[0], Spooled::Record(c) if c.raw == "ls"));
        assert_eq!(items[1], Spooled::Observe { observed: o });
        assert_eq!(items[1].time(), Some("2026-11-24T00:00:00Z"));
    }

    #[test]
    fn appended_lines_are_redacted_private_and_drained_in_order() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..3 {
            let c = ProposedCommand::new("recorder", "/", vec![], &format!("TOKEN=s{i} echo {i}"));
            append(dir.path(), &c).unwrap();
        }
        let spool = dir.path().join(SPOOL_FILE);
        let mode = std::fs::metadata(&spool).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(pending(dir.path()), 3);
        let text = std::fs::read_to_string(&spool).unwrap();
        assert!(!text.contains("TOKEN=s"), "{text}");
        let path = take(dir.path()).unwrap().unwrap();
        assert!(!spool.exists());
        // A line appended during the drain goes to a fresh spool.
        append(
            dir.path(),
            &ProposedCommand::new("recorder", "/", vec![], "late"),
        )
        .unwrap();
        let (cmds, bad) = read(&path).unwrap();
        assert_eq!(bad, 0);
        let raws: Vec<&str> = cmds.iter().map(raw).collect();
        assert_eq!(
            raws,
            [
                "TOKEN=[REDACTED] echo 0",
                "TOKEN=[REDACTED] echo 1",
                "TOKEN=[REDACTED] echo 2"
            ]
        );
        // Until removed, the same draining file is handed out again.
        assert_eq!(take(dir.path()).unwrap(), Some(path.clone()));
        std::fs::remove_file(&path).unwrap();
        let next = take(dir.path()).unwrap().unwrap();
        assert_eq!(raw(&read(&next).unwrap().0[0]), "late");
    }

    #[test]
    fn concurrent_appenders_never_tear_lines() {
        let dir = tempfile::tempdir().unwrap();
        let threads: Vec<_> = (0..8)
            .map(|t| {
                let d = dir.path().to_path_buf();
                std::thread::spawn(move || {
                    for i in 0..50 {
                        let raw = format!("echo {t}-{i} {}", "x".repeat(5000));
                        append(&d, &ProposedCommand::new("recorder", "/", vec![], &raw)).unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let (cmds, bad) = read(&dir.path().join(SPOOL_FILE)).unwrap();
        assert_eq!((cmds.len(), bad), (400, 0));
    }
}
