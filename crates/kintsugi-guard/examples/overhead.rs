//! What the exec filter itself costs per exec on this machine, without a
//! daemon, measured so that machine drift cannot masquerade as overhead.
//!
//! Three drivers (this example re-run with `--driver`) each time single
//! spawns of `/bin/true` (fork+exec+wait, one by one):
//! - `plain`: no filter;
//! - `bare`: under the filter, with a listener that only receives each
//!   notification and lets it continue (nothing read, nothing judged): the
//!   kernel's notification and its wake-ups, the floor of any supervisor;
//! - `supervisor`: under the real [`Supervisor`] with a judge that allows
//!   everything at once (arguments, cwd, environment and process read as
//!   for a real decision; no daemon).
//!
//! The drivers take turns in batches of BATCH execs (the order rotates each
//! round), so slow and fast minutes fall on all three alike; the plain
//! driver is the floor each guarded one is compared with. Run it under
//! `taskset -c 0` to see the cost without cross-CPU wake-ups.
//!
//! `cargo run --release -p kintsugi-guard --example overhead -- [N] [BATCH]`
//! (N execs per driver, default 3,000; BATCH default 50).

use kintsugi_guard::{
    Allowance, ExecRequest, Judge, Listener, Ready, Supervisor, Verdict, spawn_filtered,
};
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

struct AllowAll;

impl Judge for AllowAll {
    fn judge(&self, _req: &ExecRequest) -> Verdict {
        Verdict::Allow(Allowance {
            id: String::new(),
            approved: None,
            confirmed: true,
            report: None,
        })
    }
    fn unreadable(&self, pid: u32, why: &str) {
        eprintln!("unreadable exec of {pid}: {why}");
    }
}

/// Receive and let continue, nothing else.
fn bare(listener: Listener) {
    listener.sync_wake_up();
    loop {
        match listener.wait(Duration::from_secs(1)) {
            Ok(Ready::Readable) => {}
            Ok(Ready::Idle) => continue,
            _ => return,
        }
        if let Ok(Some(n)) = listener.recv() {
            let _ = listener.allow(n.id);
        }
    }
}

/// The driver: for each count read from stdin, that many timed spawns of
/// `/bin/true`, their nanoseconds written back on one line.
fn driver() {
    let stdin = std::io::stdin();
    let mut out = std::io::stdout().lock();
    for line in stdin.lock().lines() {
        let k: usize = line.unwrap().trim().parse().unwrap();
        let mut times = Vec::with_capacity(k);
        for _ in 0..k {
            let t = Instant::now();
            let s = Command::new("/bin/true").status().unwrap();
            times.push(t.elapsed().as_nanos().to_string());
            assert!(s.success());
        }
        writeln!(out, "{}", times.join(" ")).unwrap();
        out.flush().unwrap();
    }
}

struct Driver {
    name: &'static str,
    child: Child,
    to: Option<ChildStdin>,
    from: BufReader<ChildStdout>,
    samples: Vec<u64>,
}

impl Driver {
    fn start(name: &'static str, filter: Option<fn(Listener)>) -> Driver {
        let mut cmd = Command::new(std::env::current_exe().unwrap());
        cmd.arg("--driver")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped());
        let mut child = match filter {
            None => cmd.spawn().unwrap(),
            Some(supervise) => spawn_filtered(&mut cmd, supervise)
                .unwrap_or_else(|e| panic!("the exec filter is unavailable here: {e:?}")),
        };
        Driver {
            name,
            to: child.stdin.take(),
            from: BufReader::new(child.stdout.take().unwrap()),
            child,
            samples: Vec::new(),
        }
    }

    fn batch(&mut self, k: usize) {
        writeln!(self.to.as_mut().unwrap(), "{k}").unwrap();
        let mut line = String::new();
        self.from.read_line(&mut line).unwrap();
        self.samples
            .extend(line.split_whitespace().map(|w| w.parse::<u64>().unwrap()));
    }
}

fn pct(v: &[u64], p: f64) -> f64 {
    let mut v = v.to_vec();
    v.sort_unstable();
    v[((v.len() - 1) as f64 * p).round() as usize] as f64 / 1e3
}

fn main() {
    let mut args = std::env::args().skip(1).peekable();
    if args.peek().map(String::as_str) == Some("--driver") {
        return driver();
    }
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(3_000);
    let batch: usize = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(50)
        .max(1);
    let mut drivers = [
        Driver::start("plain", None),
        Driver::start("bare", Some(bare)),
        Driver::start(
            "supervisor",
            Some(|l| Supervisor::new(AllowAll, std::env::vars()).run(l)),
        ),
    ];
    let rounds = n.div_ceil(batch);
    for round in 0..rounds {
        let k = batch.min(n - round * batch);
        for i in 0..drivers.len() {
            drivers[(round + i) % drivers.len()].batch(k);
        }
    }
    let base = drivers[0].samples.clone();
    println!(
        "{n} single execs of /bin/true per driver, batches of {batch}, interleaved; µs per fork+exec+wait"
    );
    for d in &mut drivers {
        let (p50, p99) = (pct(&d.samples, 0.5), pct(&d.samples, 0.99));
        print!("{:>10}: p50 {p50:8.1}  p99 {p99:8.1}", d.name);
        if d.name != "plain" {
            let (a50, a99) = (p50 - pct(&base, 0.5), p99 - pct(&base, 0.99));
            print!(
                "   added p50 {a50:7.1}  added p99 {a99:7.1}  p50 ratio {:.3}",
                p50 / pct(&base, 0.5)
            );
        }
        println!();
        // Closing its stdin ends the driver.
        d.to.take();
        let _ = d.child.wait();
    }
}
