//! Median cost of committing one event at a time (the persistent-connection
//! case), as a floor for the daemon's propose latency:
//! `cargo run --release -p kintsugi-ledger --example append_latency`.

use kintsugi_ledger::{Durability, Ledger, NewEvent};
use std::time::Instant;

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut ledger = Ledger::open(&dir.path().join("ledger.db"), Durability::Normal).expect("open");
    let event = NewEvent {
        kind: "propose".into(),
        agent: "bench".into(),
        session: Some("s1".into()),
        cwd: "/tmp".into(),
        raw: "ls -la".into(),
        argv: vec!["ls".into(), "-la".into()],
        class: Some("safe".into()),
        decision: Some("allow".into()),
        rule: Some("safe:ls".into()),
        reason: Some("lists files".into()),
        peer_pid: Some(1),
        peer_uid: Some(0),
        ..NewEvent::default()
    };
    let n = 5000;
    let mut samples = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        ledger
            .append(std::slice::from_ref(&event), "2026-11-24T00:00:00.000Z")
            .expect("append");
        samples.push(t.elapsed());
    }
    samples.sort();
    println!(
        "one event per commit: p50 {:.1} µs, p99 {:.1} µs over {n}",
        samples[n / 2].as_secs_f64() * 1e6,
        samples[n * 99 / 100].as_secs_f64() * 1e6
    );
}
