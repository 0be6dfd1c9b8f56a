//! `kintsugi guard`'s side of the daemon's lease (`kintsugi_daemon::lease`):
//! one thread keeps the daemon's current terms (an `execlease` stream on a
//! connection checked genuine; none while it is down or closed), and one
//! sends the execs answered under them to the daemon in batches
//! (`execsran`), or to the spool when the daemon cannot take them, so each
//! is still recorded.

use kintsugi_daemon::Projects;
use kintsugi_daemon::lease::Lease;
use kintsugi_protocol::{Client, MAX_RAN_EXECS, ProposedCommand, RanExecs, Request, Response};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// How long the guard waits before asking a daemon that was down or closed
/// the lease stream again (execs are proposed meanwhile).
pub const LEASE_RETRY: Duration = Duration::from_secs(1);
/// How long answered execs are gathered before they are reported in one
/// `execsran` (at most [`MAX_RAN_EXECS`] each).
pub const REPORT_WINDOW: Duration = Duration::from_millis(5);
/// The longest the guard waits, when the agent has exited, for its last
/// answered execs to be reported.
pub const FINAL_REPORT_WAIT: Duration = Duration::from_secs(5);

/// The lease in force (if any), the project lookups it needs, and the
/// reporter of what it answered.
pub struct LeaseClient {
    current: Arc<RwLock<Option<Arc<Lease>>>>,
    projects: Projects,
    reports: Sender<Report>,
    /// The kill switch's file: while it exists nothing is answered here,
    /// whether or not the lease stream has said so yet.
    panic_file: PathBuf,
}

enum Report {
    Ran(Box<ProposedCommand>),
    /// Send everything gathered, then answer on the sender.
    Flush(Sender<()>),
}

/// Ends the reporter's work when the guard is done: see [`Finisher::finish`].
pub struct Finisher(Sender<Report>);

impl Finisher {
    /// Report what is still gathered, waiting at most [`FINAL_REPORT_WAIT`].
    pub fn finish(self) {
        let (tx, rx) = channel();
        if self.0.send(Report::Flush(tx)).is_ok() {
            let _ = rx.recv_timeout(FINAL_REPORT_WAIT);
        }
    }
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
        let (reports, rx) = channel();
        let _ = std::thread::Builder::new()
            .name("kintsugi-report".into())
            .spawn(move || report_batches(&rx, &socket, &data_dir));
        let finisher = Finisher(reports.clone());
        let client = LeaseClient {
            current,
            projects: Projects::default(),
            reports,
            panic_file,
        };
        (client, finisher)
    }

    /// Answer `cmd` (a covered exec) under the lease, if it may be: true
    /// when it continues now and is reported later.
    pub fn answered(&self, cmd: &ProposedCommand) -> bool {
        let lease = match self.current.read() {
            Ok(l) => l.clone(),
            Err(_) => None,
        };
        let Some(lease) = lease else { return false };
        if self.panic_file.exists() {
            return false;
        }
        if lease.answers(cmd, &self.projects).is_none() {
            return false;
        }
        // Not reportable (the reporter is gone): ask the daemon instead.
        self.reports
            .send(Report::Ran(Box::new(cmd.clone())))
            .is_ok()
    }
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

/// Gather answered execs for [`REPORT_WINDOW`] and report each batch.
fn report_batches(rx: &Receiver<Report>, socket: &Path, data_dir: &Path) {
    let mut conn = None;
    let mut batch: Vec<ProposedCommand> = Vec::new();
    while let Ok(first) = rx.recv() {
        let mut flushed = None;
        match first {
            Report::Ran(c) => batch.push(*c),
            Report::Flush(done) => flushed = Some(done),
        }
        let until = Instant::now() + REPORT_WINDOW;
        while flushed.is_none() && batch.len() < MAX_RAN_EXECS {
            match rx.recv_timeout(until.saturating_duration_since(Instant::now())) {
                Ok(Report::Ran(c)) => batch.push(*c),
                Ok(Report::Flush(done)) => flushed = Some(done),
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => break,
            }
        }
        if !batch.is_empty() {
            send(&mut conn, std::mem::take(&mut batch), socket, data_dir);
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
            *conn = Client::connect_genuine(socket, data_dir).ok();
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
