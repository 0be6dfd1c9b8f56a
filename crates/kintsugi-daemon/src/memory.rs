//! Remembered human decisions: allow or deny for one exact command in one
//! repository. Allow memory never applies to a catastrophic command; deny
//! memory always applies. Kept in `memory.json` (0600) in the data dir and
//! rewritten atomically on every change.

use serde::{Deserialize, Serialize};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The memory file's name in the data dir.
pub const MEMORY_FILE: &str = "memory.json";
/// Most remembered decisions kept; the oldest are dropped beyond it.
pub const MAX_REMEMBERED: usize = 10_000;

/// One remembered decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Remembered {
    pub repo: String,
    pub command: String,
    /// `allow` or `deny`.
    pub decision: String,
    pub at: String,
}

/// The store.
pub struct Memory {
    path: PathBuf,
    entries: Mutex<Vec<Remembered>>,
}

impl Memory {
    /// Load from `data_dir` (a missing file is an empty memory; a corrupt one
    /// is an error so that remembered denials are never silently lost).
    pub fn load(data_dir: &Path) -> Result<Memory, String> {
        let path = data_dir.join(MEMORY_FILE);
        let entries = match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| {
                format!(
                    "{} is damaged ({e}); fix or remove it (remembered decisions are lost with it)",
                    path.display()
                )
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        };
        Ok(Memory {
            path,
            entries: Mutex::new(entries),
        })
    }

    /// The remembered decision for `command` in `repo`, if any.
    pub fn lookup(&self, repo: &Path, command: &str) -> Option<String> {
        let entries = self.entries.lock().ok()?;
        if entries.is_empty() {
            return None;
        }
        let repo = repo.display().to_string();
        // Stored lines are redacted (no secret reaches disk), so compare the
        // redacted form.
        let command = kintsugi_protocol::redact(command);
        entries
            .iter()
            .rev()
            .find(|e| e.repo == repo && e.command == command)
            .map(|e| e.decision.clone())
    }

    /// True when nothing is remembered (lets callers skip the repo lookup).
    pub fn is_empty(&self) -> bool {
        self.entries.lock().map(|e| e.is_empty()).unwrap_or(true)
    }

    /// True when any remembered decision is a denial (the guard's lease is
    /// withheld then: `lease.rs`).
    pub fn has_denials(&self) -> bool {
        self.entries
            .lock()
            .map(|e| e.iter().any(|r| r.decision == "deny"))
            .unwrap_or(true)
    }

    /// Remember `decision` for `command` in `repo` and persist.
    pub fn remember(
        &self,
        repo: &Path,
        command: &str,
        decision: &str,
        at: &str,
    ) -> Result<(), String> {
        let mut entries = self
            .entries
            .lock()
            .map_err(|_| "memory lock poisoned".to_string())?;
        let repo = repo.display().to_string();
        let command = kintsugi_protocol::redact(command).into_owned();
        entries.retain(|e| !(e.repo == repo && e.command == command));
        entries.push(Remembered {
            repo,
            command,
            decision: decision.to_string(),
            at: at.to_string(),
        });
        let excess = entries.len().saturating_sub(MAX_REMEMBERED);
        entries.drain(..excess);
        self.persist(&entries)
    }

    fn persist(&self, entries: &[Remembered]) -> Result<(), String> {
        let tmp = self.path.with_extension("json.tmp");
        let text = serde_json::to_vec_pretty(entries).map_err(|e| e.to_string())?;
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&tmp)
            .map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
        f.write_all(&text)
            .and_then(|_| f.sync_all())
            .map_err(|e| e.to_string())?;
        std::fs::rename(&tmp, &self.path).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_across_reloads_and_latest_wins() {
        let dir = tempfile::tempdir().unwrap();
        let m = Memory::load(dir.path()).unwrap();
        assert!(m.is_empty());
        m.remember(Path::new("/r"), "rm -rf target", "allow", "t")
            .unwrap();
        m.remember(Path::new("/r"), "rm -rf target", "deny", "t")
            .unwrap();
        let m = Memory::load(dir.path()).unwrap();
        assert_eq!(
            m.lookup(Path::new("/r"), "rm -rf target").as_deref(),
            Some("deny")
        );
        assert_eq!(m.lookup(Path::new("/other"), "rm -rf target"), None);
    }

    #[test]
    fn damaged_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(MEMORY_FILE), "{").unwrap();
        let err = Memory::load(dir.path())
            .err()
            .expect("a damaged file is an error");
        assert!(err.contains("damaged"), "{err}");
    }
}
