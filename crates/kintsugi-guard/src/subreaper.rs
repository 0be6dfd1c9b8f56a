//! The guard adopts its tree's orphans (Linux `PR_SET_CHILD_SUBREAPER`).
//!
//! A process that double-forks or runs `setsid -f` normally ends up a child
//! of init, and its ancestry no longer shows where it came from. With the
//! guard a child subreaper, the kernel re-parents every orphan of the
//! guarded tree to the guard instead, so while the guard lives each process
//! of the tree has the guard among its ancestors. The daemon relies on it to
//! refuse privileged requests (approve, undo, resume, admin …) from inside a
//! guarded tree, identified by the guard's pid and start time in its note.
//!
//! Adopted orphans are reaped here when they exit; the agent itself (the
//! guard's oldest child) is left to the guard's own wait.

use crate::sys;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// How often exited orphans are reaped.
const REAP_EVERY: Duration = Duration::from_millis(500);

/// This process adopts its tree's orphans while the value lives.
pub struct Subreaper {
    stop: Arc<AtomicBool>,
}

impl Subreaper {
    /// Become a child subreaper and start reaping adopted orphans.
    pub fn adopt_orphans() -> std::io::Result<Subreaper> {
        sys::set_child_subreaper()?;
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        std::thread::Builder::new()
            .name("kintsugi-guard-reaper".into())
            .spawn(move || {
                while !flag.load(Ordering::Relaxed) {
                    reap_adopted();
                    std::thread::sleep(REAP_EVERY);
                }
            })?;
        Ok(Subreaper { stop })
    }
}

impl Drop for Subreaper {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// `(pid, start ticks, exited)` of each child of this process.
fn children() -> Vec<(u32, u64, bool)> {
    let mut pids = Vec::new();
    if let Ok(tasks) = std::fs::read_dir("/proc/self/task") {
        for t in tasks.flatten() {
            if let Ok(text) = std::fs::read_to_string(t.path().join("children")) {
                pids.extend(
                    text.split_whitespace()
                        .filter_map(|p| p.parse::<u32>().ok()),
                );
            }
        }
    }
    pids.sort_unstable();
    pids.dedup();
    pids.into_iter()
        .filter_map(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            let (state, start) = state_and_start(&stat)?;
            Some((pid, start, state == "Z"))
        })
        .collect()
}

/// The state letter and start time (clock ticks after boot) of a
/// `/proc/PID/stat` line.
pub fn state_and_start(stat: &str) -> Option<(&str, u64)> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    Some((f.first()?, f.get(19)?.parse().ok()?))
}

/// The start time of process `pid` in clock ticks after boot, if readable.
pub fn start_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    state_and_start(&stat).map(|(_, s)| s)
}

/// Reap every exited child but the oldest (the agent, which the guard
/// waits for itself).
fn reap_adopted() {
    let kids = children();
    let Some(agent) = kids
        .iter()
        .min_by_key(|(pid, start, _)| (*start, *pid))
        .map(|k| k.0)
    else {
        return;
    };
    for (pid, _, exited) in kids {
        if exited && pid != agent {
            sys::reap(pid);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_lines_give_state_and_start() {
        let line = "42 (a) b (c)) Z 7 42 40 34819 42 4194304 1 0 0 0 0 0 0 0 20 0 1 0 12345 0 0";
        assert_eq!(state_and_start(line), Some(("Z", 12345)));
        assert_eq!(state_and_start("junk"), None);
        assert!(start_ticks(std::process::id()).is_some());
    }
}
