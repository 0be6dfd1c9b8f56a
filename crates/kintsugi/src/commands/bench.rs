//! `kintsugi bench`: latency and throughput of the real daemon, measured next
//! to a do-nothing server in the same run. It starts its own daemon in a
//! throwaway data dir (never the user's), so the numbers are reproducible and
//! the user's ledger is untouched.

use anyhow::{Result, bail};
use clap::Args;
use kintsugi_protocol::{ProposedCommand, Request, encode_line};
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

#[derive(Args)]
pub struct BenchArgs {
    /// Sequential requests per latency series.
    #[arg(long, default_value_t = 5000)]
    requests: usize,
    /// Concurrent clients in the throughput series.
    #[arg(long, default_value_t = 64)]
    clients: usize,
    /// Requests each concurrent client sends.
    #[arg(long, default_value_t = 500)]
    per_client: usize,
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let idx = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[idx]
}

fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

fn propose_line() -> Vec<u8> {
    encode_line(&Request::Propose(ProposedCommand::new(
        "bench",
        "/tmp",
        vec!["ls".into(), "-la".into()],
        "ls -la",
    )))
}

fn round_trip(stream: &mut BufReader<UnixStream>, line: &[u8], buf: &mut Vec<u8>) -> Result<()> {
    stream.get_mut().write_all(line)?;
    buf.clear();
    if stream.read_until(b'\n', buf)? == 0 {
        bail!("server closed the connection");
    }
    Ok(())
}

/// p50/p99 of `n` requests, each on a fresh connection or all on one.
fn latency(socket: &Path, n: usize, fresh: bool) -> Result<(Duration, Duration)> {
    let line = propose_line();
    let mut buf = Vec::with_capacity(512);
    let mut samples = Vec::with_capacity(n);
    let mut persistent = BufReader::new(UnixStream::connect(socket)?);
    for _ in 0..n {
        let t = Instant::now();
        if fresh {
            let mut s = BufReader::new(UnixStream::connect(socket)?);
            round_trip(&mut s, &line, &mut buf)?;
        } else {
            round_trip(&mut persistent, &line, &mut buf)?;
        }
        samples.push(t.elapsed());
    }
    samples.sort();
    Ok((percentile(&samples, 0.5), percentile(&samples, 0.99)))
}

/// Requests per second with `clients` persistent connections in parallel.
fn throughput(socket: &Path, clients: usize, per_client: usize) -> Result<f64> {
    let start = Instant::now();
    let handles: Vec<_> = (0..clients)
        .map(|_| {
            let socket = socket.to_path_buf();
            std::thread::spawn(move || -> Result<()> {
                let line = propose_line();
                let mut buf = Vec::with_capacity(512);
                let mut s = BufReader::new(UnixStream::connect(&socket)?);
                for _ in 0..per_client {
                    round_trip(&mut s, &line, &mut buf)?;
                }
                Ok(())
            })
        })
        .collect();
    for h in handles {
        h.join()
            .map_err(|_| anyhow::anyhow!("a bench client panicked"))??;
    }
    Ok((clients * per_client) as f64 / start.elapsed().as_secs_f64())
}

/// A server that answers every line with `{"kind":"ack"}` and does nothing else:
/// the floor any daemon's round trip is compared with.
fn spawn_floor_server(path: &Path) -> Result<()> {
    let listener = UnixListener::bind(path)?;
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream);
                let mut line = Vec::new();
                while reader
                    .read_until(b'\n', &mut line)
                    .map(|n| n > 0)
                    .unwrap_or(false)
                {
                    if reader.get_mut().write_all(b"{\"kind\":\"ack\"}\n").is_err() {
                        break;
                    }
                    line.clear();
                }
            });
        }
    });
    Ok(())
}

fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

pub fn run(args: BenchArgs) -> Result<ExitCode> {
    let dir = tempfile::tempdir()?;
    let floor_sock = dir.path().join("floor.sock");
    spawn_floor_server(&floor_sock)?;
    let daemon = crate::sandbox::start_daemon(dir.path())?;
    std::thread::sleep(Duration::from_millis(300));
    let idle_rss = rss_kib(daemon.pid());
    let n = args.requests.max(10);
    // Warm both up so neither pays for first-touch costs.
    latency(&floor_sock, 200, false)?;
    latency(daemon.socket(), 200, false)?;

    println!("kintsugi bench: {n} sequential requests per series, safe `propose` of `ls -la`");
    let fp = latency(&floor_sock, n, false)?;
    let dp = latency(daemon.socket(), n, false)?;
    let ff = latency(&floor_sock, n, true)?;
    let df = latency(daemon.socket(), n, true)?;
    println!("{:<34}{:>12}{:>12}", "series", "p50 µs", "p99 µs");
    for (name, (p50, p99)) in [
        ("persistent, do-nothing server", fp),
        ("persistent, kintsugi daemon", dp),
        ("fresh connection, do-nothing", ff),
        ("fresh connection, kintsugi daemon", df),
    ] {
        println!("{name:<34}{:>12.1}{:>12.1}", us(p50), us(p99));
    }
    println!(
        "fresh-connection ratio daemon/floor: p50 {:.2}x",
        us(df.0) / us(ff.0).max(1e-9)
    );
    let floor_tp = throughput(&floor_sock, args.clients, args.per_client)?;
    let daemon_tp = throughput(daemon.socket(), args.clients, args.per_client)?;
    println!(
        "{} concurrent clients: daemon {:.0} verdicts/s (every event committed), do-nothing {:.0} replies/s",
        args.clients, daemon_tp, floor_tp
    );
    if let Some(kib) = idle_rss {
        println!("idle daemon RSS: {:.1} MB", kib as f64 / 1024.0);
    }
    let data = daemon.data.clone();
    daemon.stop()?;
    let t = Instant::now();
    let cps = kintsugi_ledger::read_checkpoints(&data.join(kintsugi_ledger::CHECKPOINTS_FILE))?;
    let key = std::fs::read_to_string(data.join(kintsugi_ledger::PUBKEY_FILE))?;
    let report = kintsugi_ledger::verify(
        &data.join(kintsugi_ledger::DB_FILE),
        &cps,
        key.trim(),
        &mut |_, _| {},
    )?;
    let secs = t.elapsed().as_secs_f64();
    println!(
        "verify: {} events in {:.3} s = {:.0} events/s, intact: {}",
        report.events,
        secs,
        report.events as f64 / secs.max(1e-9),
        report.intact()
    );
    if !report.intact() {
        bail!(
            "the bench ledger failed verification: {:?}",
            report.findings.first()
        );
    }
    Ok(ExitCode::SUCCESS)
}
