//! `kintsugi daemon` (foreground), `kintsugi start` (detached) and
//! `kintsugi stop` (authorised shutdown: the admin password when a vault
//! is provisioned).

use anyhow::{Context as _, Result, bail};
use clap::Args;
use kintsugi_daemon::files::{LOG_FILE, PID_FILE};
use kintsugi_daemon::{Config, Paths};
use kintsugi_protocol::{Client, Request, Response, config_path, data_dir, socket_path};
use std::os::unix::process::CommandExt as _;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

#[derive(Args)]
pub struct DaemonArgs {
    /// Log filter (tracing syntax), e.g. `debug`.
    #[arg(long, default_value = "info", env = "KINTSUGI_LOG")]
    log: String,
}

/// Async worker threads of the daemon. A request is microseconds of work
/// between two socket operations, and the ledger writer is a thread of its
/// own; everything slow (snapshots, previews, GC, the spool, the model) runs
/// on blocking threads. One worker answers an idle daemon's request 50-60 µs
/// sooner than two (one thread fewer to wake) and keeps the concurrent
/// throughput (measured with `kintsugi bench`).
pub const RUNTIME_WORKERS: usize = 1;

/// The paths the daemon would use in this environment.
pub fn resolved_paths() -> Paths {
    Paths {
        data_dir: data_dir(),
        socket: socket_path(),
        config: config_path(),
    }
}

pub fn run(args: DaemonArgs) -> Result<ExitCode> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(&args.log))
        .with_writer(std::io::stderr)
        .init();
    // A daemon never exits without saying why in its log: a panic on any
    // thread is logged (with where it happened) before the default report.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        tracing::error!("daemon thread panicked: {info}");
        default_hook(info);
    }));
    let paths = resolved_paths();
    let config = match Config::load(&paths.config) {
        Ok(c) => c,
        Err(e) => {
            tracing::error!("daemon not started: {e}");
            return Err(e.into());
        }
    };
    kintsugi_watch::spawn_in_daemon(config.watch.resolved(&crate::gate::home()));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(RUNTIME_WORKERS)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    match runtime.block_on(kintsugi_daemon::run(paths, config)) {
        Ok(()) => {
            tracing::info!("daemon exited normally");
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            tracing::error!("daemon exiting on an error: {e}");
            Err(e.into())
        }
    }
}

fn answers(timeout: Duration) -> bool {
    let Ok(mut c) = Client::connect(&socket_path()) else {
        return false;
    };
    let _ = c.set_read_timeout(Some(timeout));
    matches!(c.request(&Request::Status), Ok(Response::Status(_)))
}

pub fn start() -> Result<ExitCode> {
    let paths = resolved_paths();
    if answers(Duration::from_secs(2)) {
        let pid = std::fs::read_to_string(paths.data_dir.join(PID_FILE)).unwrap_or_default();
        bail!(
            "a daemon already answers on {} (pid {}); `kintsugi stop` stops it",
            paths.socket.display(),
            pid.trim()
        );
    }
    Config::load(&paths.config)?;
    std::fs::create_dir_all(&paths.data_dir)
        .with_context(|| format!("cannot create {}", paths.data_dir.display()))?;
    let log_path = paths.data_dir.join(LOG_FILE);
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log_path)
        .with_context(|| format!("cannot open {}", log_path.display()))?;
    let exe = std::env::current_exe().context("cannot find my own executable")?;
    let mut child = Command::new(exe)
        .arg("daemon")
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        .process_group(0)
        .spawn()
        .context("cannot spawn the daemon")?;
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait()? {
            bail!(
                "the daemon exited at start ({status}); its log is {}",
                log_path.display()
            );
        }
        if answers(Duration::from_secs(1)) {
            println!(
                "kintsugi daemon started (pid {}), socket {}, log {}",
                child.id(),
                paths.socket.display(),
                log_path.display()
            );
            return Ok(ExitCode::SUCCESS);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    bail!(
        "the daemon did not answer within 10 s; see {}",
        log_path.display()
    )
}

pub fn stop(pw: &super::admin_auth::PasswordArgs) -> Result<ExitCode> {
    let socket = socket_path();
    let mut client = Client::connect(&socket)?;
    let (nonce, proof) = super::admin_auth::answer(&mut client, "shutdown", || pw.get())?;
    match client.request(&Request::Shutdown {
        op: "shutdown".into(),
        nonce,
        proof,
    })? {
        Response::Ack => {}
        Response::Error { message } => bail!("the daemon refused to stop: {message}"),
        other => bail!("unexpected answer to shutdown: {other:?}"),
    }
    let deadline = Instant::now() + Duration::from_secs(15);
    while socket.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    if socket.exists() {
        bail!("the daemon accepted the stop but its socket is still there after 15 s");
    }
    println!("kintsugi daemon stopped");
    Ok(ExitCode::SUCCESS)
}
