//! Process-tree bookkeeping: which processes of the guarded tree are
//! running an exec that was allowed, so that their descendants can name it
//! (the daemon's inheritance rule). Processes are keyed by pid and start
//! time, so a recycled pid never inherits a stranger's allowance.

use crate::supervisor::Allowance;
use std::collections::HashMap;
use std::sync::Mutex;

/// How many parents the supervisor walks up from an exec looking for an
/// allowed ancestor before it stops (deeper trees are treated as top-level).
pub const MAX_TREE_DEPTH: usize = 64;
/// Records kept before the ones whose process is gone are dropped.
const PRUNE_AT: usize = 4096;

/// A process's parent and start time, from `/proc/PID/stat`.
pub(crate) fn stat(pid: u32) -> Option<(u32, u64)> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may contain spaces and parentheses: fields start
    // after the last ')'. Field 3 is the state, 4 the parent, 22 the start.
    let rest = &text[text.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ppid = fields.get(1)?.parse().ok()?;
    let start = fields.get(19)?.parse().ok()?;
    Some((ppid, start))
}

/// The process (thread group) a thread belongs to.
pub(crate) fn tgid(tid: u32) -> Option<u32> {
    let text = std::fs::read_to_string(format!("/proc/{tid}/status")).ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix("Tgid:"))
        .and_then(|v| v.trim().parse().ok())
}

/// Allowed execs by process.
#[derive(Default)]
pub(crate) struct Tree {
    map: Mutex<HashMap<u32, (u64, Allowance)>>,
}

impl Tree {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u32, (u64, Allowance)>> {
        self.map.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Process `pid` now runs an allowed exec.
    pub(crate) fn record(&self, pid: u32, allowance: Allowance) {
        let Some((_, start)) = stat(pid) else { return };
        let mut map = self.lock();
        if map.len() >= PRUNE_AT {
            map.retain(|p, (s, _)| stat(*p).is_some_and(|(_, now)| now == *s));
        }
        map.insert(pid, (start, allowance));
    }

    /// The allowance of the nearest allowed ancestor of `pid` (itself
    /// included), not looking at `root` (the agent) or above it.
    pub(crate) fn inherited(&self, pid: u32, root: u32) -> Option<Allowance> {
        let map = self.lock();
        if map.is_empty() {
            return None;
        }
        let mut p = pid;
        for _ in 0..MAX_TREE_DEPTH {
            if p == root || p <= 1 {
                return None;
            }
            let (ppid, start) = stat(p)?;
            if let Some((s, a)) = map.get(&p)
                && *s == start
            {
                return Some(a.clone());
            }
            p = ppid;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_nearest_allowed_ancestor_and_never_the_root() {
        let me = std::process::id();
        let (parent, _) = stat(me).unwrap();
        assert_eq!(tgid(me), Some(me));
        let mut child = std::process::Command::new("sleep")
            .arg("5")
            .spawn()
            .unwrap();
        let kid = child.id();
        assert_eq!(stat(kid).unwrap().0, me);
        let t = Tree::default();
        assert!(t.inherited(kid, parent).is_none());
        t.record(
            me,
            Allowance {
                id: "a1".into(),
                approved: None,
            },
        );
        assert_eq!(t.inherited(kid, parent).unwrap().id, "a1");
        // The agent itself (the root) never passes an allowance on.
        assert!(t.inherited(kid, me).is_none());
        child.kill().unwrap();
        child.wait().unwrap();
    }
}
