//! Start-up, the accept loop and shutdown. One task per connection, the
//! connection classes and budgets of `load.rs` bounding them (a refusal for
//! load is one `busy` frame), a watch channel every task listens to for the
//! stop signal, and an orderly stop: refuse new connections, let in-flight
//! requests finish, record the stop, sign a final checkpoint, fold the WAL
//! in, remove the socket.

use crate::config::Config;
use crate::connection::{Connection, Incoming};
use crate::engine::Engine;
use crate::events::daemon_event;
use crate::files::{PANIC_FILE, PID_FILE, RUNNING_MARKER};
use crate::load::{Admission, MAX_REFUSALS_IN_FLIGHT, RequestSlot};
use crate::memory::Memory;
use crate::peer::{Peer, own_uid};
use crate::policy::Projects;
use crate::queue::Queue;
use crate::requests::{After, handle};
use crate::scorer::Heuristic;
use crate::state::{Paths, State, StopReason};
use crate::writer::{self, CheckpointPolicy};
use kintsugi_ledger::{DB_FILE, Signer};
use kintsugi_protocol::{Response, busy_line, decode_request, encode_line};
use std::fs;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};
use tokio::net::UnixListener;
use tokio::sync::{Semaphore, mpsc, watch};

/// How long a stopping daemon waits for the fleet shipper's last pass.
const FLEET_STOP_WAIT: Duration = Duration::from_secs(3);

/// Why the daemon could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    #[error(
        "another Kintsugi daemon is already serving on {socket}{pid}; stop it with `kintsugi stop` or point KINTSUGI_SOCKET elsewhere"
    )]
    AlreadyRunning { socket: PathBuf, pid: String },
    #[error("{what} {path}: {source}")]
    Io {
        what: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Other(String),
}

fn io<'a>(what: &'static str, path: &'a Path) -> impl FnOnce(std::io::Error) -> DaemonError + 'a {
    move |source| DaemonError::Io {
        what,
        path: path.to_path_buf(),
        source,
    }
}

/// Create `dir` (and parents) with mode 0700 if it does not exist.
fn ensure_private_dir(dir: &Path) -> Result<(), DaemonError> {
    if !dir.exists() {
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(io("cannot create directory", dir))?;
    }
    Ok(())
}

/// Bind the socket: a leftover file nobody answers on is replaced; one that
/// answers means another daemon runs.
fn bind(paths: &Paths) -> Result<UnixListener, DaemonError> {
    let socket = &paths.socket;
    if let Some(parent) = socket.parent() {
        ensure_private_dir(parent)?;
    }
    if socket.exists() {
        if std::os::unix::net::UnixStream::connect(socket).is_ok() {
            let pid = fs::read_to_string(paths.data_dir.join(PID_FILE))
                .map(|p| format!(" (pid {})", p.trim()))
                .unwrap_or_default();
            return Err(DaemonError::AlreadyRunning {
                socket: socket.clone(),
                pid,
            });
        }
        fs::remove_file(socket).map_err(io("cannot remove stale socket", socket))?;
    }
    let listener = UnixListener::bind(socket).map_err(io("cannot bind socket", socket))?;
    fs::set_permissions(socket, fs::Permissions::from_mode(0o600))
        .map_err(io("cannot set socket mode", socket))?;
    Ok(listener)
}

/// Run the daemon until it is told to stop (protocol `shutdown`, SIGTERM,
/// SIGINT). Call from inside a tokio runtime.
pub async fn run(paths: Paths, config: Config) -> Result<(), DaemonError> {
    ensure_private_dir(&paths.data_dir)?;
    let listener = bind(&paths)?;
    let signer = Signer::load_or_create(&paths.data_dir, config.witness_dir.as_deref())
        .map_err(|e| DaemonError::Other(e.to_string()))?;
    let policy = CheckpointPolicy {
        every_events: config.checkpoint_every,
    };
    let (writer, writer_thread) = writer::start(
        &paths.data_dir.join(DB_FILE),
        config.durability(),
        signer,
        policy,
    )
    .map_err(DaemonError::Other)?;

    let marker = paths.data_dir.join(RUNNING_MARKER);
    let unclean = marker.exists();
    fs::write(&marker, std::process::id().to_string()).map_err(io("cannot write", &marker))?;
    let pid_file = paths.data_dir.join(PID_FILE);
    fs::write(&pid_file, format!("{}\n", std::process::id()))
        .map_err(io("cannot write", &pid_file))?;

    let (stop_tx, stop_rx) = watch::channel(StopReason::Running);
    let home = kintsugi_protocol::home_dir();
    let memory = Memory::load(&paths.data_dir).map_err(DaemonError::Other)?;
    let snapshots = crate::snapshots::Snapshots::open(&paths.data_dir, &config, &home)
        .map_err(|e| DaemonError::Other(format!("cannot open the snapshot store: {e}")))?;
    let engine = Engine {
        config: config.clone(),
        home,
        projects: Projects::default(),
        memory,
        scorer: Box::new(Heuristic),
        model: crate::model::Slot::new(&config.model),
        panic: AtomicBool::new(paths.data_dir.join(PANIC_FILE).exists()),
        mode_now: Default::default(),
    };
    let (admin, admin_events) = crate::vault_guard::Guard::load(&paths.data_dir);
    let (pin, pin_events) = crate::approval_pin::PinGuard::load(&paths.data_dir);
    let state = Arc::new(State {
        queue: Queue::new(
            config.max_pending,
            config.max_pending_per_session,
            Duration::from_secs(config.pending_ttl_secs),
        ),
        load: Admission::new(crate::load::Limits::from_config(&config)),
        grants: Default::default(),
        alerts: crate::alerts::Alerts::start(&config.alerts, config.pending_ttl_secs),
        execs: Default::default(),
        config,
        paths: paths.clone(),
        engine,
        snapshots,
        writer,
        started: Instant::now(),
        stop: stop_tx,
        admin,
        pin,
        warnings: Default::default(),
        degraded: Default::default(),
        recent: Default::default(),
        fleet: Default::default(),
        lease: watch::channel(0).0,
    });
    state.admin.apply_mode(&state.engine);

    if unclean {
        let e = daemon_event(
            "daemon",
            "start".into(),
            "the previous daemon run ended without a clean stop (killed or crashed); events it committed after its last checkpoint are unsigned".into(),
        );
        let _ = state.writer.append(e).await;
    }
    let start = daemon_event(
        "daemon",
        "start".into(),
        format!("daemon started (pid {})", std::process::id()),
    );
    state
        .writer
        .append(start)
        .await
        .map_err(DaemonError::Other)?;
    spawn_model_loader(state.clone());
    for e in admin_events.into_iter().chain(pin_events) {
        tracing::warn!("{}", e.reason.as_deref().unwrap_or_default());
        let _ = state.writer.append(e).await;
    }
    tracing::info!(socket = %paths.socket.display(), "kintsugi daemon listening");

    if let Some(fleet) = &state.config.fleet {
        match kintsugi_fleet::spawn(paths.data_dir.clone(), fleet.shipper()) {
            Ok(h) => {
                if let Ok(mut slot) = state.fleet.lock() {
                    *slot = Some(h);
                }
            }
            Err(e) => tracing::error!("cannot start the fleet shipper: {e}"),
        }
    }
    spawn_timers(state.clone());
    crate::spool_drain::spawn(state.clone());
    spawn_signal_listener(state.clone())?;
    let (done_tx, mut done_rx) = mpsc::channel::<()>(1);
    accept_loop(&listener, state.clone(), stop_rx.clone(), done_tx).await;

    // Orderly stop: no new connections, in-flight requests finish.
    drop(listener);
    let _ = fs::remove_file(&paths.socket);
    let _ = tokio::time::timeout(Duration::from_secs(10), done_rx.recv()).await;
    let reason = stop_rx.borrow().clone();
    let text = match reason {
        StopReason::Requested { pid } => format!(
            "daemon stopped on an authorised shutdown request (peer pid {})",
            pid.map(|p| p.to_string())
                .unwrap_or_else(|| "unknown".into())
        ),
        StopReason::Signal(sig) => format!("daemon stopped by {sig}"),
        StopReason::Running => "daemon stopped".into(),
    };
    let _ = state
        .writer
        .append(daemon_event("daemon", "stop".into(), text))
        .await;
    // One last shipping pass for the stop event (an unreachable database
    // leaves it for the next start). The shipper lets go of its read-only
    // connection before the writer closes, so the WAL can be folded in.
    if let Some(shipper) = state.fleet.lock().ok().and_then(|mut s| s.take()) {
        let _ = tokio::task::spawn_blocking(move || shipper.stop(FLEET_STOP_WAIT)).await;
    }
    let closed = state.writer.close().await;
    let _ = writer_thread.join();
    let _ = fs::remove_file(&pid_file);
    let _ = fs::remove_file(&marker);
    tracing::info!("kintsugi daemon stopped");
    closed.map_err(DaemonError::Other)
}

async fn accept_loop(
    listener: &UnixListener,
    state: Arc<State>,
    mut stop: watch::Receiver<StopReason>,
    done: mpsc::Sender<()>,
) {
    let admission = state.load.clone();
    let refusals = Arc::new(Semaphore::new(MAX_REFUSALS_IN_FLIGHT));
    let my_uid = own_uid();
    loop {
        let accepted = tokio::select! {
            r = listener.accept() => r,
            _ = stop.changed() => return,
        };
        let stream = match accepted {
            Ok((s, _)) => s,
            Err(e) => {
                tracing::warn!("accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        let state = state.clone();
        let stop = stop.clone();
        let done = done.clone();
        let admission = admission.clone();
        let refusals = refusals.clone();
        tokio::spawn(async move {
            let _done = done;
            let peer = match Peer::of(&stream) {
                Ok(p) => p,
                Err(e) => {
                    tracing::warn!("cannot read peer credentials: {e}");
                    return;
                }
            };
            let conn = Connection::new(stream);
            if peer.uid != my_uid {
                // Another uid never holds a slot of the table.
                let msg = format!(
                    "refused: this daemon serves uid {my_uid} only and the peer is uid {}",
                    peer.uid
                );
                let mut e = daemon_event("refused", String::new(), msg.clone());
                e.peer_pid = peer.pid;
                e.peer_uid = Some(peer.uid);
                let _ = state.writer.append(e).await;
                reject(conn, encode_line(&Response::error(msg)), &refusals).await;
                return;
            }
            let slot = match admission.request(peer.pid.unwrap_or(0)) {
                Ok(slot) => slot,
                Err(why) => return reject(conn, busy_line(&why), &refusals).await,
            };
            serve(conn, state, stop, peer, (slot, &admission)).await;
        });
    }
}

async fn serve(
    mut conn: Connection,
    state: Arc<State>,
    mut stop: watch::Receiver<StopReason>,
    peer: Peer,
    (slot, admission): (RequestSlot, &Arc<Admission>),
) {
    let read_timeout = state.config.read_timeout();
    loop {
        let incoming = tokio::select! {
            r = tokio::time::timeout(read_timeout, conn.read_frame()) => r,
            _ = stop.changed() => return,
        };
        let frame = match incoming {
            Err(_) => {
                let msg = format!(
                    "no complete request within {} s; connection closed (read_timeout_secs)",
                    read_timeout.as_secs()
                );
                let _ = conn.write(&Response::error(msg)).await;
                return;
            }
            Ok(Err(_)) | Ok(Ok(Incoming::Closed)) | Ok(Ok(Incoming::Truncated)) => return,
            Ok(Ok(Incoming::TooLarge)) => {
                let msg = "frame exceeds the 16 MiB limit (16777216 bytes) without a newline; connection closed";
                let _ = conn.write(&Response::error(msg)).await;
                return;
            }
            Ok(Ok(Incoming::Frame(f))) => f,
        };
        let (response, after) = match decode_request(&frame) {
            Ok(
                req @ (kintsugi_protocol::Request::Subscribe
                | kintsugi_protocol::Request::ExecLease),
            ) => {
                // A stream (the feed, or a guard's lease) moves to its own
                // class and frees its request slot.
                let _stream_slot = match admission.subscriber() {
                    Ok(s) => s,
                    Err(why) => {
                        let _ = conn.write_raw(&busy_line(&why)).await;
                        return;
                    }
                };
                drop(slot);
                return match req {
                    kintsugi_protocol::Request::ExecLease => {
                        crate::lease_stream::serve(&mut conn, &state, stop).await
                    }
                    _ => crate::subscribe::serve(&mut conn, &state, stop).await,
                };
            }
            Ok(
                req @ kintsugi_protocol::Request::Approve {
                    progress: Some(true),
                    ..
                },
            ) => match with_progress(&mut conn, handle(&state, peer, req)).await {
                Some(answer) => answer,
                None => return,
            },
            Ok(req) => handle(&state, peer, req).await,
            Err(e) => (Response::error(e.to_string()), After::Close),
        };
        if conn.write(&response).await.is_err() {
            return;
        }
        if let After::Close = after {
            return;
        }
    }
}

/// Serve a request whose client asked for capture progress: `progress`
/// lines go out while it runs (and any left when it ends), the answer
/// after. A client that goes away mid-way does not cancel the work (an
/// approval still lands); `None` then says there is no one to answer.
async fn with_progress(
    conn: &mut Connection,
    work: impl std::future::Future<Output = (Response, After)>,
) -> Option<(Response, After)> {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let work = crate::snapshots::PROGRESS.scope(tx, work);
    tokio::pin!(work);
    let mut gone = false;
    let answer = loop {
        tokio::select! {
            answer = &mut work => break answer,
            Some(p) = rx.recv() => {
                gone = gone || conn.write(&Response::Progress(p)).await.is_err();
            }
        }
    };
    while let Ok(p) = rx.try_recv() {
        gone = gone || conn.write(&Response::Progress(p)).await.is_err();
    }
    (!gone).then_some(answer)
}

/// Answer a connection we will not serve with its one `line`, then, while
/// fewer than [`MAX_REFUSALS_IN_FLIGHT`] refusals are being answered, give
/// the peer a moment to finish sending its first frame, so its write does not
/// fail before it can read why it was turned away.
async fn reject(mut conn: Connection, line: Vec<u8>, refusals: &Arc<Semaphore>) {
    let grace = refusals.clone().try_acquire_owned();
    let wrote = tokio::time::timeout(Duration::from_secs(1), conn.write_raw(&line)).await;
    if let (Ok(_permit), Ok(Ok(()))) = (grace, wrote) {
        let _ = tokio::time::timeout(Duration::from_secs(1), conn.read_frame()).await;
    }
}

fn spawn_timers(state: Arc<State>) {
    let interval = Duration::from_secs(state.config.checkpoint_interval_secs.max(1));
    let s = state.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(interval);
        tick.tick().await;
        loop {
            tick.tick().await;
            s.writer.tick().await;
        }
    });
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            tick.tick().await;
            for item in state.queue.expire() {
                let mut e = daemon_event(
                    "expire",
                    item.command.raw.clone(),
                    format!("held command {} expired without a human decision", item.id),
                );
                e.pending = Some(item.id);
                e.cwd = item.command.cwd;
                let _ = state.writer.append(e).await;
            }
        }
    });
}

/// Load the configured model off the runtime; until it is ready the
/// heuristic answers. The outcome is recorded in the ledger and `status`.
fn spawn_model_loader(state: Arc<State>) {
    if state.config.model.path.is_none() {
        return;
    }
    tokio::spawn(async move {
        let cfg = state.config.model.clone();
        let (scorer, text) = tokio::task::spawn_blocking(move || crate::model::open(&cfg))
            .await
            .unwrap_or_else(|e| {
                (
                    None,
                    format!("not loaded (heuristic only): the loader failed: {e}"),
                )
            });
        tracing::info!("model: {text}");
        let event = daemon_event("model", String::new(), format!("model: {text}"));
        let _ = state.writer.append(event).await;
        state.engine.model.install(scorer, text);
    });
}

fn spawn_signal_listener(state: Arc<State>) -> Result<(), DaemonError> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term =
        signal(SignalKind::terminate()).map_err(|e| DaemonError::Other(e.to_string()))?;
    let mut int = signal(SignalKind::interrupt()).map_err(|e| DaemonError::Other(e.to_string()))?;
    tokio::spawn(async move {
        let name = tokio::select! {
            _ = term.recv() => "SIGTERM",
            _ = int.recv() => "SIGINT",
        };
        state.request_stop(StopReason::Signal(name));
    });
    Ok(())
}
