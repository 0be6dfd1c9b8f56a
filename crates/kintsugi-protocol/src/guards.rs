//! Live guard notes: each `kintsugi guard` leaves `<data dir>/guards/PID.json`
//! (its own pid) saying which agent it runs and which layer protects it
//! (`exec`: the seccomp supervisor judges every exec; `shims`: PATH shims
//! only). The daemon reads them for `status`, so every front end (CLI, TUI,
//! web) shows which layer protects each guarded agent. A note whose guard
//! process is gone is stale and removed when read.

use crate::GuardInfo;
use std::path::{Path, PathBuf};

/// The folder of the notes, under the data dir.
pub const GUARDS_DIR: &str = "guards";
/// Most notes read (a folder filled by something else cannot make `status`
/// slow).
pub const MAX_GUARD_NOTES: usize = 256;
/// Largest note read, in bytes.
pub const MAX_GUARD_NOTE_BYTES: u64 = 4096;

/// A live guard's note, removed when dropped.
pub struct GuardNote(Option<PathBuf>);

impl GuardNote {
    /// Leave a note in `data_dir` that `info.agent` is guarded by this
    /// process with `info.layer`. Best effort: a note that cannot be written
    /// only means `status` will not list this guard.
    pub fn write(data_dir: &Path, info: &GuardInfo) -> GuardNote {
        let dir = data_dir.join(GUARDS_DIR);
        let path = dir.join(format!("{}.json", info.guard_pid));
        let ok = std::fs::create_dir_all(&dir).is_ok()
            && serde_json::to_string(info)
                .ok()
                .is_some_and(|body| std::fs::write(&path, body).is_ok());
        GuardNote(ok.then_some(path))
    }
}

impl Drop for GuardNote {
    fn drop(&mut self) {
        if let Some(p) = &self.0 {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// The notes of guards still running in `data_dir`, sorted by agent; stale
/// ones are removed.
pub fn live(data_dir: &Path) -> Vec<GuardInfo> {
    let Ok(entries) = std::fs::read_dir(data_dir.join(GUARDS_DIR)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for e in entries.flatten().take(MAX_GUARD_NOTES) {
        let path = e.path();
        let small = e
            .metadata()
            .is_ok_and(|m| m.is_file() && m.len() <= MAX_GUARD_NOTE_BYTES);
        let Some(info) = small
            .then(|| std::fs::read_to_string(&path).ok())
            .flatten()
            .and_then(|t| serde_json::from_str::<GuardInfo>(&t).ok())
        else {
            continue;
        };
        if info.guard_pid == 0 || !Path::new(&format!("/proc/{}", info.guard_pid)).exists() {
            let _ = std::fs::remove_file(&path);
            continue;
        }
        out.push(info);
    }
    out.sort_by(|a, b| (&a.agent, a.guard_pid).cmp(&(&b.agent, b.guard_pid)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(guard_pid: u32, layer: &str) -> GuardInfo {
        GuardInfo {
            guard_pid,
            agent_pid: 0,
            agent: "codex".into(),
            session: "s".into(),
            layer: layer.into(),
            ..GuardInfo::default()
        }
    }

    #[test]
    fn live_notes_are_listed_and_stale_ones_removed() {
        let dir = tempfile::tempdir().unwrap();
        let me = std::process::id();
        let note = GuardNote::write(dir.path(), &info(me, "exec"));
        // A guard that is gone (pid beyond pid_max).
        let stale = dir.path().join(GUARDS_DIR).join("4194305.json");
        std::fs::write(
            &stale,
            serde_json::to_string(&info(4_194_305, "shims")).unwrap(),
        )
        .unwrap();
        std::fs::write(dir.path().join(GUARDS_DIR).join("junk.json"), "not json").unwrap();
        let found = live(dir.path());
        assert_eq!(found, vec![info(me, "exec")]);
        assert!(!stale.exists(), "a stale note is removed");
        drop(note);
        assert!(live(dir.path()).is_empty(), "the note goes with its guard");
    }
}
