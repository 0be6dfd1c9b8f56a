//! The single ledger writer. Every event from every connection arrives on one
//! channel; a dedicated thread commits whatever has queued up in ONE
//! transaction (group commit) and only then answers each sender with its
//! sequence number. It signs checkpoints every N events or T seconds and at
//! shutdown, and leaves no WAL behind when it closes.
//!
//! Events nobody waits for (the execs a guard let continue under an allowed
//! parent, see `covered_execs`) are gathered for up to [`DEFER_WINDOW`] and
//! reach the writer as one message, so a build's thousand compiler execs
//! cost a few transactions instead of a thousand.

use kintsugi_ledger::{Durability, Ledger, NewEvent, Signer};
use kintsugi_protocol::{CheckpointInfo, now_rfc3339};
use std::path::Path;
use std::sync::{Arc, Mutex};
use tokio::sync::{broadcast, mpsc, oneshot};

use crate::subscribe::{self, Committed};

/// Most events committed in one transaction.
pub const MAX_BATCH: usize = 4096;
/// How long the writer polls for the next event before it parks.
pub const SPIN: std::time::Duration = std::time::Duration::from_micros(100);
/// Events that may wait for the writer before senders are slowed down.
pub const QUEUE_DEPTH: usize = 65_536;
/// How long an event nobody waits for is gathered with others before it is
/// handed to the writer (a daemon killed meanwhile loses it; see
/// `kintsugi limits`).
pub const DEFER_WINDOW: std::time::Duration = std::time::Duration::from_millis(5);

enum Msg {
    Append(Box<NewEvent>, oneshot::Sender<Result<u64, String>>),
    /// Events nobody waits for, committed together.
    AppendLater(Vec<NewEvent>),
    Tick,
    Close(oneshot::Sender<Result<(), String>>),
}

/// What `status` shows about the ledger.
#[derive(Debug, Clone, Default)]
pub struct LedgerHead {
    pub seq: u64,
    pub hash: String,
    pub checkpoint: Option<CheckpointInfo>,
}

/// A cheap handle that connections use to append events.
#[derive(Clone)]
pub struct WriterHandle {
    tx: mpsc::Sender<Msg>,
    /// Appends waiting for their commit right now.
    in_flight: Arc<std::sync::atomic::AtomicUsize>,
    head: Arc<Mutex<LedgerHead>>,
    committed: broadcast::Sender<Arc<Committed>>,
    /// Events handed to [`WriterHandle::append_later`] not yet sent on.
    gathered: Arc<Mutex<Vec<NewEvent>>>,
}

struct InFlight<'a>(&'a std::sync::atomic::AtomicUsize);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Checkpoint policy.
#[derive(Debug, Clone, Copy)]
pub struct CheckpointPolicy {
    pub every_events: u64,
}

impl WriterHandle {
    /// Append one event; resolves once it is committed.
    pub async fn append(&self, event: NewEvent) -> Result<u64, String> {
        use std::sync::atomic::Ordering;
        let (tx, mut rx) = oneshot::channel();
        self.tx
            .send(Msg::Append(Box::new(event), tx))
            .await
            .map_err(|_| "the ledger writer has stopped".to_string())?;
        // The only append in flight (one client, request after request):
        // yield for up to SPIN before parking, so the commit's answer finds
        // this worker awake instead of paying a scheduler round trip. With
        // others in flight, park at once and leave the CPU to them.
        let alone = self.in_flight.fetch_add(1, Ordering::Relaxed) == 0;
        // Counted down even if this future is dropped half-way.
        let _counted = InFlight(&self.in_flight);
        let start = std::time::Instant::now();
        let answer = loop {
            if !alone || start.elapsed() >= SPIN {
                break rx.await;
            }
            match rx.try_recv() {
                Ok(a) => break Ok(a),
                Err(oneshot::error::TryRecvError::Empty) => tokio::task::yield_now().await,
                Err(oneshot::error::TryRecvError::Closed) => break rx.await,
            }
        };
        answer.map_err(|_| "the ledger writer stopped before committing".to_string())?
    }

    /// Record `event` soon, without waiting for it: it is gathered with the
    /// others that arrive within [`DEFER_WINDOW`] (at most [`MAX_BATCH`])
    /// and committed with them. A failed commit is logged.
    pub fn append_later(&self, event: NewEvent) {
        let (first, full) = {
            let mut g = self.gathered.lock().unwrap_or_else(|p| p.into_inner());
            g.push(event);
            (g.len() == 1, g.len() >= MAX_BATCH)
        };
        if full {
            let me = self.clone();
            tokio::spawn(async move { me.flush_gathered().await });
        } else if first {
            let me = self.clone();
            tokio::spawn(async move {
                tokio::time::sleep(DEFER_WINDOW).await;
                me.flush_gathered().await;
            });
        }
    }

    /// Send the gathered events on to the writer now.
    async fn flush_gathered(&self) {
        let events = std::mem::take(&mut *self.gathered.lock().unwrap_or_else(|p| p.into_inner()));
        if events.is_empty() {
            return;
        }
        let n = events.len();
        if self.tx.send(Msg::AppendLater(events)).await.is_err() {
            tracing::error!("the ledger writer has stopped; {n} exec records were not written");
        }
    }

    /// Ask for a checkpoint if events arrived since the last one.
    pub async fn tick(&self) {
        let _ = self.tx.send(Msg::Tick).await;
    }

    /// Final checkpoint, WAL folded in, ledger closed.
    pub async fn close(&self) -> Result<(), String> {
        self.flush_gathered().await;
        let (tx, rx) = oneshot::channel();
        self.tx
            .send(Msg::Close(tx))
            .await
            .map_err(|_| "the ledger writer has already stopped".to_string())?;
        rx.await.map_err(|_| "the ledger writer died".to_string())?
    }

    /// Every event committed from now on (for `subscribe`).
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Committed>> {
        self.committed.subscribe()
    }

    /// The current head and last checkpoint.
    pub fn head(&self) -> LedgerHead {
        self.head.lock().map(|h| h.clone()).unwrap_or_default()
    }
}

/// Open the ledger and signer and start the writer thread.
pub fn start(
    db: &Path,
    durability: Durability,
    signer: Signer,
    policy: CheckpointPolicy,
) -> Result<(WriterHandle, std::thread::JoinHandle<()>), String> {
    let ledger = Ledger::open(db, durability).map_err(|e| e.to_string())?;
    let (seq, hash) = ledger.head();
    let head = Arc::new(Mutex::new(LedgerHead {
        seq,
        hash: hash.to_string(),
        checkpoint: None,
    }));
    let (tx, rx) = mpsc::channel(QUEUE_DEPTH);
    let shared = head.clone();
    let (committed, _) = broadcast::channel(subscribe::BUFFER);
    let publish = committed.clone();
    let thread = std::thread::Builder::new()
        .name("ledger-writer".into())
        .spawn(move || run(ledger, signer, policy, rx, shared, publish))
        .map_err(|e| format!("cannot start the ledger writer thread: {e}"))?;
    Ok((
        WriterHandle {
            tx,
            in_flight: Default::default(),
            head,
            committed,
            gathered: Arc::default(),
        },
        thread,
    ))
}

fn run(
    mut ledger: Ledger,
    signer: Signer,
    policy: CheckpointPolicy,
    mut rx: mpsc::Receiver<Msg>,
    head: Arc<Mutex<LedgerHead>>,
    publish: broadcast::Sender<Arc<Committed>>,
) {
    let mut last_signed = 0u64;
    let mut batch: Vec<NewEvent> = Vec::with_capacity(MAX_BATCH);
    // One entry per event of the batch: who waits for it, if anyone.
    let mut waiters: Vec<Option<oneshot::Sender<Result<u64, String>>>> =
        Vec::with_capacity(MAX_BATCH);
    let mut pending_close = None;
    let mut want_checkpoint = false;
    // Poll for the next message only after a batch someone waited for: its
    // client may send the next request at once; records nobody waits for
    // come every few milliseconds and are not worth the CPU.
    let mut spin = false;
    while let Some(first) = next_message(&mut rx, spin) {
        let mut next = Some(first);
        while let Some(msg) = next.take() {
            match msg {
                Msg::Append(e, w) => {
                    batch.push(*e);
                    waiters.push(Some(w));
                }
                Msg::AppendLater(events) => {
                    waiters.extend(events.iter().map(|_| None));
                    batch.extend(events);
                }
                Msg::Tick => want_checkpoint = true,
                Msg::Close(w) => pending_close = Some(w),
            }
            if batch.len() < MAX_BATCH && pending_close.is_none() {
                next = rx.try_recv().ok();
            }
        }
        spin = waiters.iter().any(Option::is_some);
        if !batch.is_empty() {
            let ts = now_rfc3339();
            match ledger.append(&batch, &ts) {
                Ok(seqs) => {
                    if publish.receiver_count() > 0 {
                        for (event, seq) in batch.iter().zip(&seqs) {
                            let c = Committed {
                                seq: *seq,
                                ts: ts.clone(),
                                event: event.clone(),
                            };
                            let _ = publish.send(Arc::new(c));
                        }
                    }
                    for (w, seq) in waiters.drain(..).zip(seqs) {
                        if let Some(w) = w {
                            let _ = w.send(Ok(seq));
                        }
                    }
                }
                Err(e) => {
                    tracing::error!("ledger append failed: {e}");
                    let unwaited = waiters.iter().filter(|w| w.is_none()).count();
                    if unwaited > 0 {
                        tracing::error!("{unwaited} exec records were not written: {e}");
                    }
                    for w in waiters.drain(..).flatten() {
                        let _ = w.send(Err(format!("the ledger could not commit: {e}")));
                    }
                }
            }
            batch.clear();
        }
        let (seq, hash) = ledger.head();
        if let Ok(mut h) = head.lock() {
            h.seq = seq;
            h.hash = hash.to_string();
        }
        let due = seq >= last_signed + policy.every_events;
        if seq > last_signed && (due || want_checkpoint || pending_close.is_some()) {
            sign(&signer, seq, hash, &head);
            last_signed = seq;
        }
        want_checkpoint = false;
        if let Some(w) = pending_close.take() {
            let result = ledger.close().map_err(|e| e.to_string());
            let _ = w.send(result);
            return;
        }
    }
}

/// The next message: polled for [`SPIN`] first when `spin` (a client on a
/// persistent connection sends its next request within microseconds, and a
/// parked thread costs a scheduler round trip to wake), then blocking.
fn next_message(rx: &mut mpsc::Receiver<Msg>, spin: bool) -> Option<Msg> {
    if !spin {
        return rx.blocking_recv();
    }
    let start = std::time::Instant::now();
    loop {
        match rx.try_recv() {
            Ok(m) => return Some(m),
            Err(mpsc::error::TryRecvError::Disconnected) => return None,
            Err(mpsc::error::TryRecvError::Empty) if start.elapsed() < SPIN => {
                std::thread::yield_now();
            }
            Err(mpsc::error::TryRecvError::Empty) => return rx.blocking_recv(),
        }
    }
}

fn sign(signer: &Signer, seq: u64, hash: &str, head: &Mutex<LedgerHead>) {
    let time = now_rfc3339();
    match signer.checkpoint(seq, hash, &time) {
        Ok(cp) => {
            if let Ok(mut h) = head.lock() {
                h.checkpoint = Some(CheckpointInfo {
                    seq: cp.seq,
                    head: cp.head,
                    time: cp.time,
                });
            }
        }
        Err(e) => tracing::error!("cannot write checkpoint at {seq}: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(raw: &str) -> NewEvent {
        NewEvent {
            kind: "propose".into(),
            agent: "exec".into(),
            raw: raw.into(),
            ..NewEvent::default()
        }
    }

    /// Events nobody waits for are committed together, after the ones
    /// waited for, and a close flushes whatever is still gathered. (One
    /// runtime thread: the window's timer cannot fire halfway through the
    /// loop that gathers them.)
    #[tokio::test]
    async fn events_appended_later_are_committed_in_one_batch_and_on_close() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("ledger.db");
        let signer = Signer::load_or_create(dir.path(), None).unwrap();
        let policy = CheckpointPolicy {
            every_events: 1_000_000,
        };
        let (w, thread) = start(&db, Durability::Normal, signer, policy).unwrap();
        for i in 0..50 {
            w.append_later(event(&format!("/bin/true {i}")));
        }
        // Not written yet: they wait for the window (a committed append
        // does not take them along).
        let first = w.append(event("top-level")).await.unwrap();
        assert_eq!(first, 1);
        // Poll until the window has passed and the batch is in.
        let mut waited = 0;
        while w.head().seq < 51 {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            waited += 1;
            assert!(
                waited < 2000,
                "the gathered events never reached the ledger"
            );
        }
        for i in 0..3 {
            w.append_later(event(&format!("/bin/false {i}")));
        }
        w.close().await.unwrap();
        thread.join().unwrap();
        let conn = kintsugi_ledger::open_read_only(&db).unwrap();
        let all = kintsugi_ledger::query(
            &conn,
            &kintsugi_ledger::Filter {
                limit: 1000,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(all.len(), 54);
        let trues: Vec<&kintsugi_ledger::Event> = all
            .iter()
            .filter(|e| e.body.raw.starts_with("/bin/true"))
            .collect();
        assert_eq!(trues.len(), 50);
        // One transaction: one time stamp for the whole batch.
        assert!(trues.iter().all(|e| e.ts == trues[0].ts));
        assert_eq!(
            all.iter()
                .filter(|e| e.body.raw.starts_with("/bin/false"))
                .count(),
            3
        );
    }
}
