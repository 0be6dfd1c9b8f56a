//! The supervisor loop: receive each exec notification, read what the exec
//! would run, ask the [`Judge`], answer the kernel.
//!
//! The first exec is the guard's own child starting the agent: the human
//! typed that command, so it continues unasked and its process becomes the
//! root of the tree. The agent re-running its own program through
//! `/proc/self/exe` (Codex does, to set up each command's process) is the
//! agent itself and continues unasked too, as does an npm launcher's start
//! (its interpreter, then the hand-off to its native binary: `launch.rs`);
//! neither passes an allowance on, so what the agent then runs is judged as
//! one of its own top-level commands.
//! Every later exec is received, read and judged by one of a pool of worker
//! threads (at most [`MAX_IN_FLIGHT`], started as needed and kept), so a
//! held exec does not stop the rest of the tree. A held exec's caller stays paused in the kernel; with
//! `WAIT_KILLABLE_RECV` signals other than a fatal one do not interrupt it,
//! so there is no retry storm.

use crate::launch::{Exec, Launch, is_self_exe};
use crate::mem::{ExecRead, read_exec};
use crate::sys::{Listener, Ready};
use crate::tree::{Tree, process_of};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Most execs judged at once (worker threads); further notifications wait
/// in the supervisor's queue until a worker is free.
pub const MAX_IN_FLIGHT: usize = 64;
/// `execveat`'s flag for "the fd itself is the program".
const AT_EMPTY_PATH: u64 = 0x1000;

/// An exec that was allowed, as its descendants name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allowance {
    /// The proposal id the daemon recorded it under.
    pub id: String,
    /// The queue id of the human approval it ran under, if any.
    pub approved: Option<String>,
    /// Allowed by the judge's authority itself, not by a local fallback
    /// while it could not be asked: only then may a judge answer this
    /// exec's descendants on its own.
    pub confirmed: bool,
    /// Set when the judge answered on its authority's behalf (a lease)
    /// rather than the authority: the judge's number for the report that
    /// tells the authority, which may not have reached it yet (before a
    /// descendant is put to the authority naming this exec, the judge
    /// makes sure it has).
    pub report: Option<u64>,
}

/// One exec to judge.
#[derive(Debug, Clone)]
pub struct ExecRequest {
    /// The calling process.
    pub pid: u32,
    /// The program the kernel was asked to run, absolute when it could be
    /// resolved.
    pub program: String,
    /// The argv as passed (argv\[0\] may differ from the program).
    pub argv: Vec<String>,
    /// Environment entries that change what programs do and that differ
    /// from the environment the guard started with.
    pub env: Vec<(String, String)>,
    /// The caller's working directory.
    pub cwd: String,
    /// The nearest allowed exec this process descends from (the agent's own
    /// top-level commands have none).
    pub parent: Option<Allowance>,
}

/// The answer to an exec.
#[derive(Debug, Clone)]
pub enum Verdict {
    Allow(Allowance),
    /// Fail the exec with `EPERM`; the judge has told the human why.
    Deny(String),
}

/// Who decides (the daemon's gate in `kintsugi guard`).
pub trait Judge: Send + Sync + 'static {
    /// Decide one exec (may block while a human decides a hold).
    fn judge(&self, req: &ExecRequest) -> Verdict;
    /// An exec was denied because its arguments could not be read whole.
    fn unreadable(&self, pid: u32, why: &str);
}

/// Counts for a summary line.
#[derive(Debug, Default)]
pub struct SupervisorStats {
    pub allowed: AtomicU64,
    pub denied: AtomicU64,
}

/// The exec supervisor of one guarded tree.
pub struct Supervisor<J: Judge> {
    judge: Arc<J>,
    baseline: HashMap<String, String>,
    tree: Arc<Tree>,
    stats: Arc<SupervisorStats>,
}

/// Worker threads that judge execs. Each takes notifications from the
/// kernel itself (`NOTIF_RECV` hands each one to exactly one waiting
/// thread), so no thread passes work to another. There is always one idle
/// worker waiting while fewer than [`MAX_IN_FLIGHT`] run: the one that
/// takes a notification starts the next if it was the last idle one. A
/// held exec keeps its worker; the others go on.
struct Workers<J: Judge> {
    listener: Arc<Listener>,
    judge: Arc<J>,
    tree: Arc<Tree>,
    stats: Arc<SupervisorStats>,
    baseline: Arc<HashMap<String, String>>,
    /// The agent's process and its start-up (`launch.rs`).
    launch: Arc<Launch>,
    /// (idle, started) worker counts.
    counts: Mutex<(usize, usize)>,
}

impl<J: Judge> Workers<J> {
    /// Start one more worker if none is idle and the cap allows it.
    fn top_up(self: &Arc<Self>) {
        let mut c = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        if c.0 > 0 || c.1 >= MAX_IN_FLIGHT {
            return;
        }
        let me = self.clone();
        let started = std::thread::Builder::new()
            .name("kintsugi-guard-exec".into())
            .spawn(move || me.work());
        if started.is_ok() {
            c.0 += 1;
            c.1 += 1;
        }
        // A worker that cannot start leaves the notification queued in the
        // kernel, its caller paused, until a running worker is free.
    }

    fn work(self: Arc<Self>) {
        loop {
            let n = match self.listener.recv() {
                Ok(Some(n)) => n,
                Ok(None) => continue,
                // The listener is broken: nothing more can be received.
                Err(_) => return,
            };
            self.counts.lock().unwrap_or_else(|p| p.into_inner()).0 -= 1;
            self.top_up();
            answer(
                &self.listener,
                &*self.judge,
                &self.tree,
                &self.stats,
                &self.baseline,
                &self.launch,
                n,
            );
            self.counts.lock().unwrap_or_else(|p| p.into_inner()).0 += 1;
        }
    }
}

impl<J: Judge> Supervisor<J> {
    /// A supervisor asking `judge`; `baseline` is the environment the guard
    /// started with (relevant variables equal to it are not reported).
    pub fn new(judge: J, baseline: impl IntoIterator<Item = (String, String)>) -> Self {
        Supervisor {
            judge: Arc::new(judge),
            baseline: baseline.into_iter().collect(),
            tree: Arc::default(),
            stats: Arc::default(),
        }
    }

    /// The counters (shared; they keep counting while `run` runs).
    pub fn stats(&self) -> Arc<SupervisorStats> {
        self.stats.clone()
    }

    /// Answer notifications until no process uses the filter any more.
    pub fn run(self, listener: Listener) {
        // Same-CPU hand-offs between the paused caller and the workers
        // where the kernel has them (`Listener::sync_wake_up`).
        listener.sync_wake_up();
        // The first exec is the guard's own child starting the agent.
        let first = loop {
            match listener.wait(Duration::from_secs(1)) {
                Ok(Ready::Readable) => {}
                Ok(Ready::Idle) => continue,
                Ok(Ready::Gone) | Err(_) => return,
            }
            match listener.recv() {
                Ok(Some(n)) => break n,
                Ok(None) => continue,
                Err(_) => return,
            }
        };
        let root = process_of(first.pid).0;
        let launch = read_exec(first.pid, first.nr, first.args)
            .ok()
            .and_then(|r| {
                let cwd = std::fs::read_link(format!("/proc/{}/cwd", first.pid)).ok()?;
                Some(Launch::new(
                    root,
                    &r.path,
                    &resolve(&r, &cwd, first.pid),
                    &r.argv,
                ))
            })
            .unwrap_or_else(|| Launch::new(root, "", "", &[]));
        let _ = listener.allow(first.id);
        let listener = Arc::new(listener);
        let workers = Arc::new(Workers {
            listener: listener.clone(),
            judge: self.judge,
            tree: self.tree,
            stats: self.stats,
            baseline: Arc::new(self.baseline),
            launch: Arc::new(launch),
            counts: Mutex::default(),
        });
        workers.top_up();
        // The workers take the notifications; this thread only waits for
        // the last process of the tree to drop the filter.
        loop {
            match listener.wait_hangup(Duration::from_secs(1)) {
                Ok(Ready::Gone) | Err(_) => return,
                Ok(_) => {}
            }
        }
    }
}

fn answer<J: Judge>(
    listener: &Listener,
    judge: &J,
    tree: &Tree,
    stats: &SupervisorStats,
    baseline: &HashMap<String, String>,
    launch: &Launch,
    n: crate::sys::Notif,
) {
    let read = read_exec(n.pid, n.nr, n.args);
    let cwd = std::fs::read_link(format!("/proc/{}/cwd", n.pid));
    let (pid, own) = process_of(n.pid);
    // What we read belongs to this exec only if the caller is still the
    // one waiting on it (the pid was not recycled meanwhile).
    if !listener.id_valid(n.id) {
        return;
    }
    let (read, cwd) = match (read, cwd) {
        (Ok(r), Ok(c)) => (r, c),
        (Err(e), _) => {
            judge.unreadable(pid, &e.0);
            stats.denied.fetch_add(1, Ordering::Relaxed);
            let _ = listener.deny(n.id);
            return;
        }
        (_, Err(e)) => {
            judge.unreadable(pid, &format!("cannot read its working directory: {e}"));
            stats.denied.fetch_add(1, Ordering::Relaxed);
            let _ = listener.deny(n.id);
            return;
        }
    };
    let program = resolve(&read, &cwd, n.pid);
    let exec = Exec {
        pid,
        ppid: own.map(|o| o.ppid),
        path: &read.path,
        program: &program,
        argv: &read.argv,
    };
    if launch.start(&exec).is_some() {
        // The agent starting (its launcher) or re-running itself through
        // `/proc/self/exe`: continued unasked, no allowance passed on.
        stats.allowed.fetch_add(1, Ordering::Relaxed);
        let _ = listener.allow(n.id);
        return;
    }
    let env = read
        .env
        .into_iter()
        .filter(|(k, v)| baseline.get(k) != Some(v))
        .collect();
    let req = ExecRequest {
        pid,
        program,
        argv: read.argv,
        env,
        cwd: cwd.display().to_string(),
        parent: own.and_then(|own| tree.inherited(pid, own, launch.root)),
    };
    match judge.judge(&req) {
        Verdict::Allow(a) => {
            // Recorded before the exec continues: the new program may fork
            // at once.
            if let Some(own) = own {
                tree.record(pid, own.start, a);
            }
            stats.allowed.fetch_add(1, Ordering::Relaxed);
            let _ = listener.allow(n.id);
        }
        Verdict::Deny(_) => {
            stats.denied.fetch_add(1, Ordering::Relaxed);
            let _ = listener.deny(n.id);
        }
    }
}

/// The program an exec names, made absolute: relative to the cwd, or to
/// `execveat`'s directory fd, or the fd itself with `AT_EMPTY_PATH`;
/// `/proc/self/exe` is the caller's own program.
fn resolve(read: &ExecRead, cwd: &Path, tid: u32) -> String {
    let path = Path::new(&read.path);
    if is_self_exe(&read.path)
        && let Ok(p) = std::fs::read_link(format!("/proc/{tid}/exe"))
    {
        return p.display().to_string();
    }
    if path.is_absolute() {
        return read.path.clone();
    }
    let base: PathBuf = match read.dirfd {
        Some(fd) => match std::fs::read_link(format!("/proc/{tid}/fd/{fd}")) {
            Ok(p) => p,
            Err(_) => return read.path.clone(),
        },
        None => cwd.to_path_buf(),
    };
    if read.path.is_empty() && read.flags & AT_EMPTY_PATH != 0 {
        return base.display().to_string();
    }
    let rel = read.path.strip_prefix("./").unwrap_or(&read.path);
    base.join(rel).display().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(path: &str, dirfd: Option<i32>, flags: u64) -> ExecRead {
        ExecRead {
            path: path.into(),
            dirfd,
            flags,
            argv: vec![],
            env: vec![],
        }
    }

    #[test]
    fn programs_are_made_absolute() {
        let cwd = Path::new("/p");
        let me = std::process::id();
        assert_eq!(resolve(&read("/bin/rm", None, 0), cwd, me), "/bin/rm");
        assert_eq!(resolve(&read("./wipe.sh", None, 0), cwd, me), "/p/wipe.sh");
        assert_eq!(resolve(&read("x/y", None, 0), cwd, me), "/p/x/y");
        let dir = std::fs::File::open("/usr").unwrap();
        let fd = std::os::fd::AsRawFd::as_raw_fd(&dir);
        assert_eq!(
            resolve(&read("bin/true", Some(fd), 0), cwd, me),
            "/usr/bin/true"
        );
        assert_eq!(resolve(&read("", Some(fd), AT_EMPTY_PATH), cwd, me), "/usr");
        let exe = std::env::current_exe().unwrap().display().to_string();
        assert_eq!(resolve(&read("/proc/self/exe", None, 0), cwd, me), exe);
    }
}
