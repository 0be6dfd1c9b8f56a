//! The supervisor's own cost per exec, without a daemon: a shell loop of N
//! execs of `/bin/true` unguarded and under the supervisor with a judge that
//! allows everything at once (medians of RUNS runs).
//!
//! `cargo run -p kintsugi-guard --example overhead -- [N] [RUNS]`

use kintsugi_guard::{Allowance, ExecRequest, Judge, Supervisor, Verdict, spawn_filtered};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

struct AllowAll;

impl Judge for AllowAll {
    fn judge(&self, _req: &ExecRequest) -> Verdict {
        Verdict::Allow(Allowance {
            id: String::new(),
            approved: None,
        })
    }
    fn unreadable(&self, pid: u32, why: &str) {
        eprintln!("unreadable exec of {pid}: {why}");
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: u32 = args.next().and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let runs: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(3);
    let script = format!("i=0; while [ $i -lt {n} ]; do /bin/true; i=$((i+1)); done");
    let (mut plain, mut guarded) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        let t = Instant::now();
        let s = Command::new("/bin/sh")
            .args(["-c", &script])
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(s.success());
        plain.push(t.elapsed());
        let t = Instant::now();
        let mut cmd = Command::new("/bin/sh");
        cmd.args(["-c", &script]).stdout(Stdio::null());
        let mut child = spawn_filtered(&mut cmd, |l| {
            Supervisor::new(AllowAll, std::env::vars()).run(l)
        })
        .unwrap_or_else(|e| panic!("{e:?}"));
        assert!(child.wait().unwrap().success());
        guarded.push(t.elapsed());
    }
    let (p, g) = (median(plain), median(guarded));
    println!(
        "{n} execs of /bin/true, median of {runs}: unguarded {:.3} s, supervised (allow-all judge) {:.3} s, ratio {:.2}, added {:.1} µs per exec",
        p.as_secs_f64(),
        g.as_secs_f64(),
        g.as_secs_f64() / p.as_secs_f64(),
        (g.as_secs_f64() - p.as_secs_f64()) / n as f64 * 1e6
    );
}
