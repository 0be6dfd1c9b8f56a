//! `kintsugi guard`'s side of the daemon's lease (`kintsugi_daemon::lease`):
//! one thread keeps the daemon's current terms (an `execlease` stream on a
//! connection checked genuine; none while it is down or closed), and one
//! sends the execs answered under them to the daemon in batches
//! (`execsran`), or to the spool when the daemon cannot take them, so each
//! is still recorded.

use kintsugi_daemon::Projects;
use kintsugi_daemon::lease::Lease;
use kintsugi_protocol::{Client, ProposedCommand, RanExecs, Request, Response};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, SyncSender, channel, sync_channel};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

/// How long the guard waits before asking a daemon that was down or closed
/// the lease stream again (execs are proposed meanwhile).
pub const LEASE_RETRY: Duration = Duration::from_secs(1);
/// How long answered execs are gathered before they are reported in one
/// `execsran` (at most [`REPORT_BATCH`] each).
pub const REPORT_WINDOW: Duration = Duration::from_millis(5);
/// The longest the guard waits, when the agent has exited, for its last
/// answered execs to be reported.
pub const FINAL_REPORT_WAIT: Duration = Duration::from_secs(5);
/// Most answered execs waiting to be reported; while that many wait (the
/// daemon is slow to take them) further execs are proposed instead.
pub const MAX_UNREPORTED: usize = 4096;
/// Most execs one report carries (the protocol allows up to
/// [`kintsugi_protocol::MAX_RAN_EXECS`]; with [`MAX_LEASED_EXEC_BYTES`] a report stays far
/// below the frame limit).
pub const REPORT_BATCH: usize = 256;
/// Largest exec (its line, arguments and environment, in bytes) the guard
/// answers itself; a larger one is proposed, so the reports waiting stay
/// bounded in memory.
pub const MAX_LEASED_EXEC_BYTES: usize = 16 * 1024;
/// The longest one report waits for the daemon's answer before it goes to
/// the spool instead.
pub const REPORT_TIMEOUT: Duration = Duration::from_secs(10);
/// The longest an exec whose allowed parent was answered here waits for
/// that parent's report before it is proposed naming it (two tries of a
/// report, then the spool).
pub const FLUSH_WAIT: Duration = Duration::from_secs(21);

/// The lease in force (if any), the project lookups it needs, and the
/// reporter of what it answered.
pub struct LeaseClient {
    current: Arc<RwLock<Option<Arc<Lease>>>>,
    projects: Projects,
    reports: SyncSender<Report>,
    /// The kill switch's file: while it exists nothing is answered here,
    /// whether or not the lease stream has said so yet.
    panic_file: PathBuf,
    /// Set when the guard is done: nothing more is answered here, so
    /// nothing is left unreported.
    closing: Arc<AtomicBool>,
    /// The number of the last answered exec queued for the reporter
    /// (numbered from 1 in queue order: the lock keeps the two together).
    queued: Mutex<u64>,
    /// The number of the last one the reporter sent, or spooled.
    sent: Arc<AtomicU64>,
}

enum Report {
    /// An answered exec and its number.
    Ran(u64, Box<ProposedCommand>),
    /// Send everything gathered, then answer on the sender.
    Flush(Sender<()>),
}

/// Ends the reporter's work when the guard is done: see [`Finisher::finish`].
pub struct Finisher(SyncSender<Report>, Arc<AtomicBool>);

impl Finisher {
    /// Report what is still gathered, waiting at most [`FINAL_REPORT_WAIT`].
    pub fn finish(self) {
        self.1.store(true, Ordering::SeqCst);
        flush(&self.0, FINAL_REPORT_WAIT);
    }
}

/// Have the reporter send everything queued before now, and wait until it
/// has, at most `wait` (the queue may be full for a moment; never wait past
/// the deadline).
fn flush(reports: &SyncSender<Report>, wait: Duration) {
    let deadline = Instant::now() + wait;
    let (tx, rx) = channel();
    let mut flush = Report::Flush(tx);
    loop {
        match reports.try_send(flush) {
            Ok(()) => break,
            Err(std::sync::mpsc::TrySendError::Full(back)) if Instant::now() < deadline => {
                flush = back;
                std::thread::sleep(REPORT_WINDOW);
            }
            Err(_) => return,
        }
    }
    let _ = rx.recv_timeout(deadline.saturating_duration_since(Instant::now()));
}

impl LeaseClient {
    /// Start the lease watcher and the reporter for the daemon at `socket`.
    pub fn start(socket: PathBuf, data_dir: PathBuf) -> (LeaseClient, Finisher) {
        let current = Arc::new(RwLock::new(None));
        let kept = current.clone();
        let (s, d) = (socket.clone(), data_dir.clone());
        let panic_file = data_dir.join(kintsugi_daemon::files::PANIC_FILE);
        let _ = std::thread::Builder::new()
            .name("kintsugi-lease".into())
            .spawn(move || watch_lease(&s, &d, &kept));
        let (reports, rx) = sync_channel(MAX_UNREPORTED);
        let sent = Arc::new(AtomicU64::new(0));
        let done = sent.clone();
        let _ = std::thread::Builder::new()
            .name("kintsugi-report".into())
            .spawn(move || report_batches(&rx, &socket, &data_dir, &done));
        let closing = Arc::new(AtomicBool::new(false));
        let finisher = Finisher(reports.clone(), closing.clone());
        let client = LeaseClient {
            current,
            projects: Projects::default(),
            reports,
            panic_file,
            closing,
            queued: Mutex::new(0),
            sent,
        };
        (client, finisher)
    }

    /// Answer `cmd` (an exec the guard caught) under the lease, if it may
    /// be: its report's number when it continues now and is reported later.
    pub fn answered(&self, cmd: &ProposedCommand) -> Option<u64> {
        let lease = match self.current.read() {
            Ok(l) => l.clone(),
            Err(_) => None,
        };
        let lease = lease?;
        if exec_bytes(cmd) > MAX_LEASED_EXEC_BYTES || self.panic_file.exists() {
            return None;
        }
        lease.answers(cmd, &self.projects)?;
        // Classification reads files and takes time: the kill switch or a
        // withdrawn lease in the meantime wins.
        let withdrawn = self.current.read().map(|l| l.is_none()).unwrap_or(true);
        if withdrawn || self.panic_file.exists() || self.closing.load(Ordering::SeqCst) {
            return None;
        }
        // Not reportable (the reporter is gone, or too far behind): ask the
        // daemon instead.
        let mut last = self.queued.lock().unwrap_or_else(|p| p.into_inner());
        let number = *last + 1;
        self.reports
            .try_send(Report::Ran(number, Box::new(cmd.clone())))
            .ok()?;
        *last = number;
        Some(number)
    }

    /// Return once the exec answered as `number` has been reported (sent
    /// to the daemon, or to the spool when it could not take it): at once
    /// when it has, else after the reporter sent what it gathered, waiting
    /// at most [`FLUSH_WAIT`].
    pub fn reported(&self, number: u64) {
        if self.sent.load(Ordering::SeqCst) >= number {
            return;
        }
        flush(&self.reports, FLUSH_WAIT);
    }
}

/// The bytes an exec's report carries, near enough: its line, arguments
/// and environment.
fn exec_bytes(cmd: &ProposedCommand) -> usize {
    let env = cmd.exec.as_ref().map_or(0, |x| {
        x.env.iter().map(|(k, v)| k.len() + v.len()).sum::<usize>()
    });
    cmd.raw.len() + cmd.argv.iter().map(String::len).sum::<usize>() + env
}

fn set(slot: &RwLock<Option<Arc<Lease>>>, lease: Option<Lease>) {
    if let Ok(mut s) = slot.write() {
        *s = lease.map(Arc::new);
    }
}

/// Keep `slot` holding the lease the daemon grants now (none while it is
/// down, not genuine, or another build), forever.
fn watch_lease(socket: &Path, data_dir: &Path, slot: &RwLock<Option<Arc<Lease>>>) {
    loop {
        if let Ok(mut client) = Client::connect_genuine(socket, data_dir)
            && client.set_read_timeout(None).is_ok()
        {
            let mut next = client.request(&Request::ExecLease);
            while let Ok(Response::Lease(terms)) = next {
                set(slot, Lease::of(&terms));
                next = client.read_response();
            }
        }
        set(slot, None);
        std::thread::sleep(LEASE_RETRY);
    }
}

/// Gather answered execs for [`REPORT_WINDOW`] and report each batch;
/// `sent` is the number of the last exec reported.
fn report_batches(rx: &Receiver<Report>, socket: &Path, data_dir: &Path, sent: &AtomicU64) {
    let mut conn = None;
    let mut batch: Vec<ProposedCommand> = Vec::new();
    let mut last = 0;
    while let Ok(first) = rx.recv() {
        let mut flushed = None;
        match first {
            Report::Ran(n, c) => {
                last = n;
                batch.push(*c);
            }
            Report::Flush(done) => flushed = Some(done),
        }
        let until = Instant::now() + REPORT_WINDOW;
        while flushed.is_none() && batch.len() < REPORT_BATCH {
            match rx.recv_timeout(until.saturating_duration_since(Instant::now())) {
                Ok(Report::Ran(n, c)) => {
                    last = n;
                    batch.push(*c);
                }
                Ok(Report::Flush(done)) => flushed = Some(done),
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => break,
            }
        }
        if !batch.is_empty() {
            send(&mut conn, std::mem::take(&mut batch), socket, data_dir);
            sent.store(last, Ordering::SeqCst);
        }
        if let Some(done) = flushed {
            let _ = done.send(());
        }
    }
}

/// Report `batch` on the kept connection (replaced once if the daemon has
/// closed it); to the spool when the daemon cannot take it.
fn send(conn: &mut Option<Client>, batch: Vec<ProposedCommand>, socket: &Path, data_dir: &Path) {
    let req = Request::ExecsRan(RanExecs { execs: batch });
    for _ in 0..2 {
        if conn.is_none() {
            *conn = Client::connect_genuine(socket, data_dir)
                .ok()
                .filter(|c| c.set_read_timeout(Some(REPORT_TIMEOUT)).is_ok());
        }
        let Some(c) = conn.as_mut() else { break };
        match c.request(&req) {
            Ok(Response::Ack) => return,
            Ok(Response::Error { message }) => {
                crate::gate::tell_human(&format!(
                    "kintsugi guard: the daemon refused the report of execs that ran: {message}; they go to the spool\n"
                ));
                break;
            }
            _ => *conn = None,
        }
    }
    let Request::ExecsRan(ran) = req else { return };
    for cmd in &ran.execs {
        if let Err(e) = kintsugi_protocol::spool::append(data_dir, cmd) {
            crate::gate::tell_human(&format!(
                "kintsugi guard: an exec that ran could not be recorded ({e}): {}\n",
                cmd.raw
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kintsugi_protocol::{ExecForm, LeaseTerms, Origin};

    fn covered(cwd: &Path, raw: &str) -> ProposedCommand {
        let mut c = ProposedCommand::new("exec", &cwd.display().to_string(), vec![], raw);
        c.origin = Some(Origin::Exec);
        c.exec = Some(ExecForm {
            program: raw.split(' ').next().unwrap().into(),
            parent: Some("p".into()),
            ..Default::default()
        });
        c
    }

    /// A home outside /tmp (the classifier treats /tmp as scratch); only
    /// read, and it need not exist.
    const HOME: &str = "/home/kintsugi-lease-test";

    fn client(dir: &Path, queue: usize) -> (LeaseClient, Receiver<Report>) {
        let terms = LeaseTerms {
            granted: true,
            build: kintsugi_daemon::lease::build_id().into(),
            home: HOME.into(),
            ..Default::default()
        };
        let lease = Lease::of(&terms).expect("this build's lease");
        let (reports, rx) = sync_channel(queue);
        let client = LeaseClient {
            current: Arc::new(RwLock::new(Some(Arc::new(lease)))),
            projects: Projects::default(),
            reports,
            panic_file: dir.join("panic.on"),
            closing: Arc::default(),
            queued: Mutex::new(0),
            sent: Arc::default(),
        };
        (client, rx)
    }

    #[test]
    fn a_full_report_queue_or_the_kill_switch_sends_the_exec_to_the_daemon() {
        let dir = tempfile::tempdir().unwrap();
        let (c, rx) = client(dir.path(), 1);
        let proj = Path::new(HOME).join("proj");
        let proj = proj.as_path();
        assert!(c.answered(&covered(proj, "ls")).is_some());
        assert!(
            c.answered(&covered(proj, "ls")).is_none(),
            "the queue is full"
        );
        assert!(matches!(rx.try_recv(), Ok(Report::Ran(..))));
        assert!(
            c.answered(&covered(proj, "rm -rf build")).is_none(),
            "not safe"
        );
        std::fs::write(dir.path().join("panic.on"), "").unwrap();
        assert!(
            c.answered(&covered(proj, "ls")).is_none(),
            "the kill switch"
        );
        std::fs::remove_file(dir.path().join("panic.on")).unwrap();
        assert!(c.answered(&covered(proj, "ls")).is_some());
        let big = format!("ls {}", "x".repeat(MAX_LEASED_EXEC_BYTES));
        assert!(
            c.answered(&covered(proj, &big)).is_none(),
            "too large to queue"
        );
        c.closing.store(true, Ordering::SeqCst);
        assert!(
            c.answered(&covered(proj, "ls")).is_none(),
            "the guard is done"
        );
        c.closing.store(false, Ordering::SeqCst);
        *c.current.write().unwrap() = None;
        assert!(c.answered(&covered(proj, "ls")).is_none(), "no lease");
    }

    /// `reported` waits until the exec it names is recorded somewhere: here
    /// no daemon listens, so in the spool.
    #[test]
    fn reported_returns_once_the_named_exec_is_sent_or_spooled() {
        let dir = tempfile::tempdir().unwrap();
        let (c, rx) = client(dir.path(), 8);
        let sent = c.sent.clone();
        let (sock, data) = (dir.path().join("none.sock"), dir.path().join("data"));
        std::fs::create_dir_all(&data).unwrap();
        let spool = data.clone();
        let reporter = std::thread::spawn(move || report_batches(&rx, &sock, &spool, &sent));
        let proj = Path::new(HOME).join("proj");
        assert_eq!(c.answered(&covered(&proj, "ls")), Some(1));
        assert_eq!(c.answered(&covered(&proj, "pwd")), Some(2));
        c.reported(2);
        assert_eq!(c.sent.load(Ordering::SeqCst), 2);
        assert_eq!(kintsugi_protocol::spool::pending(&data), 2, "both spooled");
        // Already reported: no wait, nothing sent.
        c.reported(1);
        assert_eq!(kintsugi_protocol::spool::pending(&data), 2);
        drop(c);
        reporter.join().unwrap();
    }
}
