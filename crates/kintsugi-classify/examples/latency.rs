//! Per-line latency of `analyze` over a realistic mix: prints p50 and p99 (and
//! max) over many iterations, for each line and overall. Run in release:
//! `cargo run --release -p kintsugi-classify --example latency [iterations]
//! [text]`; with `text`, only the mix lines containing it are timed (to
//! profile one line).

use kintsugi_classify::{Context, analyze};
use std::path::PathBuf;
use std::time::Instant;

#[path = "../benches/data/mix.rs"]
mod mix;

fn pct(v: &mut [u64], p: f64) -> u64 {
    v.sort_unstable();
    let k = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[k.min(v.len() - 1)]
}

fn main() {
    let iters: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(2_000);
    let only = std::env::args().nth(2).unwrap_or_default();
    let lines: Vec<&str> = mix::MIX
        .iter()
        .copied()
        .filter(|l| l.contains(only.as_str()))
        .collect();
    if lines.is_empty() {
        eprintln!("no line of the mix contains {only:?}");
        std::process::exit(2);
    }
    let ctx = Context {
        cwd: PathBuf::from("/home/dev/proj"),
        home: PathBuf::from("/home/dev"),
        project_root: Some(PathBuf::from("/home/dev/proj")),
    };
    // Warm up the per-thread parser.
    for l in &lines {
        let _ = analyze(l, &ctx);
    }
    let mut all: Vec<u64> = Vec::with_capacity(iters * lines.len());
    let mut rows = Vec::new();
    for l in &lines {
        let mut v = Vec::with_capacity(iters);
        for _ in 0..iters {
            let t = Instant::now();
            let a = analyze(l, &ctx);
            v.push(t.elapsed().as_nanos() as u64);
            std::hint::black_box(a);
        }
        all.extend_from_slice(&v);
        let p50 = pct(&mut v, 0.50);
        let p99 = pct(&mut v, 0.99);
        rows.push((p50, p99, l));
    }
    for (p50, p99, l) in &rows {
        println!(
            "{:>9.2} µs p50 {:>9.2} µs p99  {}",
            *p50 as f64 / 1000.0,
            *p99 as f64 / 1000.0,
            l
        );
    }
    let p50 = pct(&mut all, 0.50);
    let p99 = pct(&mut all, 0.99);
    let max = *all.last().unwrap_or(&0);
    println!(
        "overall over {} samples: p50 {:.2} µs, p99 {:.2} µs, max {:.2} µs",
        all.len(),
        p50 as f64 / 1000.0,
        p99 as f64 / 1000.0,
        max as f64 / 1000.0
    );
}
