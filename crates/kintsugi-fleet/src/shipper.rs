//! The background shipper: one std thread per daemon, with its own
//! connections (the ledger read-only, the outbox, PostgreSQL). It polls the
//! ledger, ships what is new, and on any error drops the connection and
//! retries with exponential backoff. It never touches the writer, so a slow
//! or absent central database only grows the backlog.

use crate::outbox::Outbox;
use crate::ship::{Source, register, ship_cycle};
use crate::{Result, conn, schema};
use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Shipping settings (the daemon's `[fleet]` table).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShipperConfig {
    pub url: String,
    /// Events per central transaction.
    pub batch_size: usize,
    /// How often the ledger is checked for new events.
    pub poll_interval: Duration,
    /// First retry delay after an error; doubles up to `retry_max`.
    pub retry_min: Duration,
    pub retry_max: Duration,
}

/// What `kintsugi status` shows about shipping.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShipStatus {
    pub host_id: Option<String>,
    /// Every event up to here is in the central store.
    pub shipped_seq: u64,
    /// The ledger's head when last looked at.
    pub local_seq: u64,
    /// Time of the oldest event not yet shipped (when there is a backlog).
    pub oldest_unshipped_ts: Option<String>,
    pub connected: bool,
    /// When a pass last succeeded (RFC 3339).
    pub last_ok: Option<String>,
    /// The last error, cleared by the next successful pass.
    pub last_error: Option<String>,
    /// The central store holds another key for this host.
    pub key_changed: bool,
}

struct Shared {
    status: Mutex<ShipStatus>,
    stop: Mutex<bool>,
    wake: Condvar,
}

/// The running shipper.
pub struct ShipperHandle {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl ShipperHandle {
    /// A copy of the current status.
    pub fn status(&self) -> ShipStatus {
        self.shared
            .status
            .lock()
            .map(|s| s.clone())
            .unwrap_or_default()
    }

    /// Make one last pass (if connected) and stop, waiting at most `wait`.
    pub fn stop(mut self, wait: Duration) {
        if let Ok(mut s) = self.shared.stop.lock() {
            *s = true;
        }
        self.shared.wake.notify_all();
        let Some(thread) = self.thread.take() else {
            return;
        };
        let deadline = Instant::now() + wait;
        while !thread.is_finished() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        if thread.is_finished() {
            let _ = thread.join();
        }
    }
}

/// Start shipping `data_dir`'s ledger in a background thread.
pub fn spawn(data_dir: PathBuf, cfg: ShipperConfig) -> std::io::Result<ShipperHandle> {
    let shared = Arc::new(Shared {
        status: Mutex::new(ShipStatus::default()),
        stop: Mutex::new(false),
        wake: Condvar::new(),
    });
    let s = shared.clone();
    let thread = std::thread::Builder::new()
        .name("fleet-shipper".into())
        .spawn(move || run(&data_dir, &cfg, &s))?;
    Ok(ShipperHandle {
        shared,
        thread: Some(thread),
    })
}

fn now() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Sleep up to `d`; true when told to stop.
fn pause(shared: &Shared, d: Duration) -> bool {
    let Ok(guard) = shared.stop.lock() else {
        return true;
    };
    if *guard {
        return true;
    }
    match shared.wake.wait_timeout(guard, d) {
        Ok((g, _)) => *g,
        Err(_) => true,
    }
}

fn stopping(shared: &Shared) -> bool {
    shared.stop.lock().map(|g| *g).unwrap_or(true)
}

fn update(shared: &Shared, f: impl FnOnce(&mut ShipStatus)) {
    if let Ok(mut s) = shared.status.lock() {
        f(&mut s);
    }
}

struct Session {
    client: postgres::Client,
}

fn open_session(src: &Source, cfg: &ShipperConfig, shared: &Shared) -> Result<Session> {
    let mut client = conn::connect(&cfg.url)?;
    schema::require_current(&mut client)?;
    let same = register(&mut client, &src.identity)?;
    update(shared, |s| s.key_changed = !same);
    Ok(Session { client })
}

fn note_backlog(src: &Source, outbox: &Outbox, shared: &Shared) {
    let head = src.head_seq().unwrap_or(0);
    let shipped = outbox.cursor().map(|c| c.events_seq).unwrap_or(0);
    let oldest = if head > shipped {
        src.ts_of(shipped + 1).ok().flatten()
    } else {
        None
    };
    update(shared, |s| {
        s.local_seq = head;
        s.shipped_seq = shipped;
        s.oldest_unshipped_ts = oldest;
    });
}

fn run(data_dir: &std::path::Path, cfg: &ShipperConfig, shared: &Shared) {
    let mut backoff = cfg.retry_min;
    let mut session: Option<Session> = None;
    let mut local: Option<(Source, Outbox)> = None;
    loop {
        let last_pass = stopping(shared);
        if last_pass && session.is_none() {
            return;
        }
        let result = (|| -> Result<bool> {
            if local.is_none() {
                let src = Source::open(data_dir)?;
                let outbox = Outbox::open(data_dir, &conn::target_key(&cfg.url)?)?;
                update(shared, |s| s.host_id = Some(src.identity.host_id.clone()));
                local = Some((src, outbox));
            }
            let Some((src, outbox)) = local.as_ref() else {
                return Ok(true);
            };
            note_backlog(src, outbox, shared);
            if session.is_none() {
                session = Some(open_session(src, cfg, shared)?);
                update(shared, |s| s.connected = true);
            }
            let Some(sess) = session.as_mut() else {
                return Ok(true);
            };
            let cycle = ship_cycle(&mut sess.client, src, outbox, cfg.batch_size, 16)?;
            note_backlog(src, outbox, shared);
            update(shared, |s| {
                s.last_ok = Some(now());
                s.last_error = None;
            });
            Ok(cycle.caught_up)
        })();
        match result {
            Ok(caught_up) => {
                backoff = cfg.retry_min;
                if last_pass {
                    return;
                }
                if caught_up && pause(shared, cfg.poll_interval) && session.is_none() {
                    return;
                }
            }
            Err(e) => {
                tracing::warn!("fleet shipping: {e}; retrying in {:?}", backoff);
                session = None;
                update(shared, |s| {
                    s.connected = false;
                    s.last_error = Some(e.to_string());
                });
                if last_pass || pause(shared, backoff) {
                    return;
                }
                backoff = (backoff * 2).min(cfg.retry_max);
            }
        }
    }
}
