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

/// What `/proc/PID/stat` says about a thread's process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stat {
    pub ppid: u32,
    /// Start time in clock ticks since boot (unchanged by exec).
    pub start: u64,
    pub threads: u64,
}

/// Most bytes of `/proc/PID/stat` read (the line is about 300 bytes: a
/// command name of at most 64 and 51 numbers).
const STAT_BYTES: usize = 2048;

/// The text of `/proc/PID/stat`, read in one call when it fits (the kernel
/// hands the whole line to one large read): this runs for every exec.
fn stat_text(pid: u32) -> Option<String> {
    use std::io::Read;
    let mut f = std::fs::File::open(format!("/proc/{pid}/stat")).ok()?;
    let mut buf = [0u8; STAT_BYTES];
    let mut len = 0;
    while len < buf.len() {
        let n = f.read(&mut buf[len..]).ok()?;
        len += n;
        if n == 0 || buf[len - 1] == b'\n' {
            break;
        }
    }
    Some(String::from_utf8_lossy(&buf[..len]).into_owned())
}

/// A process's parent, start time and thread count, from `/proc/PID/stat`.
pub(crate) fn stat(pid: u32) -> Option<Stat> {
    let text = stat_text(pid)?;
    // The command name may contain spaces and parentheses: fields start
    // after the last ')'. Field 3 is the state, 4 the parent, 20 the
    // number of threads, 22 the start.
    let mut fields = text[text.rfind(')')? + 1..].split_ascii_whitespace();
    let ppid = fields.nth(1)?.parse().ok()?;
    let threads = fields.nth(15)?.parse().ok()?;
    let start = fields.nth(1)?.parse().ok()?;
    Some(Stat {
        ppid,
        start,
        threads,
    })
}

/// The process a thread making an exec belongs to, with its stat: read
/// from `/proc/TID/stat` alone when the process has one thread (the
/// common case: a freshly forked child), else from `/proc/TID/status`. In
/// the rare case of a lone thread whose leader has exited the thread id is
/// taken for the process: its descendants then find no allowance under it
/// and are judged on their own (stricter, never looser).
pub(crate) fn process_of(tid: u32) -> (u32, Option<Stat>) {
    let own = stat(tid);
    match own {
        Some(s) if s.threads == 1 => (tid, own),
        _ => match tgid(tid) {
            Some(p) if p != tid => (p, stat(p)),
            _ => (tid, own),
        },
    }
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

    /// Process `pid`, started at `start`, now runs an allowed exec.
    pub(crate) fn record(&self, pid: u32, start: u64, allowance: Allowance) {
        let mut map = self.lock();
        if map.len() >= PRUNE_AT {
            map.retain(|p, (s, _)| stat(*p).is_some_and(|now| now.start == *s));
        }
        map.insert(pid, (start, allowance));
    }

    /// The allowance of the nearest allowed ancestor of `pid` (itself
    /// included; `own` is its stat, already read), not looking at `root`
    /// (the agent) or above it.
    pub(crate) fn inherited(&self, pid: u32, own: Stat, root: u32) -> Option<Allowance> {
        let map = self.lock();
        if map.is_empty() {
            return None;
        }
        let (mut p, mut st) = (pid, own);
        for _ in 0..MAX_TREE_DEPTH {
            if p == root || p <= 1 {
                return None;
            }
            if let Some((s, a)) = map.get(&p)
                && *s == st.start
            {
                return Some(a.clone());
            }
            p = st.ppid;
            if p == root || p <= 1 {
                return None;
            }
            st = stat(p)?;
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
        let mine = stat(me).unwrap();
        let parent = mine.ppid;
        assert_eq!(tgid(me), Some(me));
        let mut child = std::process::Command::new("sleep")
            .arg("5")
            .spawn()
            .unwrap();
        let kid = child.id();
        let (pid, kid_stat) = process_of(kid);
        let kid_stat = kid_stat.unwrap();
        assert_eq!((pid, kid_stat.ppid, kid_stat.threads), (kid, me, 1));
        let t = Tree::default();
        assert!(t.inherited(kid, kid_stat, parent).is_none());
        t.record(
            me,
            mine.start,
            Allowance {
                id: "a1".into(),
                approved: None,
                confirmed: true,
                report: None,
            },
        );
        assert_eq!(t.inherited(kid, kid_stat, parent).unwrap().id, "a1");
        // The agent itself (the root) never passes an allowance on.
        assert!(t.inherited(kid, kid_stat, me).is_none());
        // A recycled pid (another start time) inherits nothing.
        let stranger = Stat {
            start: kid_stat.start + 1,
            ..kid_stat
        };
        t.record(
            kid,
            kid_stat.start,
            Allowance {
                id: "a2".into(),
                approved: None,
                confirmed: true,
                report: None,
            },
        );
        assert_eq!(t.inherited(kid, kid_stat, parent).unwrap().id, "a2");
        assert_eq!(t.inherited(kid, stranger, parent).unwrap().id, "a1");
        child.kill().unwrap();
        child.wait().unwrap();
    }
}

#[cfg(test)]
mod thread_tests {
    use super::*;
    use std::sync::mpsc;

    #[test]
    fn a_thread_of_a_threaded_process_is_taken_for_its_process() {
        let me = std::process::id();
        let (tid_tx, tid_rx) = mpsc::channel();
        let (done_tx, done_rx) = mpsc::channel::<()>();
        let thread = std::thread::spawn(move || {
            let tid: u32 = std::fs::read_link("/proc/thread-self")
                .unwrap()
                .file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            tid_tx.send(tid).unwrap();
            let _ = done_rx.recv();
        });
        let tid = tid_rx.recv().unwrap();
        assert_ne!(tid, me);
        let (pid, st) = process_of(tid);
        assert_eq!(pid, me);
        let st = st.unwrap();
        assert_eq!(st.start, stat(me).unwrap().start);
        assert!(st.threads >= 2);
        done_tx.send(()).unwrap();
        thread.join().unwrap();
    }
}
