//! Fleet load bench: many simulated hosts (ledgers written with the ledger
//! crate's API, real signed checkpoints) ship to one central PostgreSQL at
//! once; prints the central ingest rate and the `fleet verify` rate.
//!
//! ```text
//! scripts/pg-test-server start /tmp/pg && eval "$(scripts/pg-test-server start /tmp/pg)"
//! cargo run --release -p kintsugi-fleet --example fleet_bench -- \
//!     --hosts 100 --events 10000 --concurrency 100
//! ```
//! `--url` defaults to `KINTSUGI_TEST_PG_URL`; each run ships into a fresh
//! database on that server (dropped afterwards unless `--keep`).

use kintsugi_ledger::{DB_FILE, Durability, Ledger, NewEvent, Signer};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

struct Args {
    url: String,
    hosts: usize,
    events: u64,
    concurrency: usize,
    batch: usize,
    checkpoint_every: u64,
    keep: bool,
    /// Measurement only: SQL run after `init` (e.g. drop or swap an index).
    setup_sql: Option<String>,
}

fn args() -> Args {
    let mut a = Args {
        url: std::env::var(kintsugi_fleet::testdb::URL_VAR).unwrap_or_default(),
        hosts: 100,
        events: 10_000,
        concurrency: 0,
        batch: 5000,
        checkpoint_every: 1000,
        keep: false,
        setup_sql: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "--keep" {
            a.keep = true;
            continue;
        }
        let v = it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--url" => a.url = v,
            "--setup-sql" => a.setup_sql = Some(v),
            "--hosts" => a.hosts = v.parse().expect("--hosts N"),
            "--events" => a.events = v.parse().expect("--events N (per host)"),
            "--concurrency" => a.concurrency = v.parse().expect("--concurrency N"),
            "--batch" => a.batch = v.parse().expect("--batch N"),
            "--checkpoint-every" => a.checkpoint_every = v.parse().expect("--checkpoint-every N"),
            other => panic!("unknown flag {other}"),
        }
    }
    assert!(!a.url.is_empty(), "pass --url or set KINTSUGI_TEST_PG_URL");
    if a.concurrency == 0 {
        a.concurrency = a.hosts;
    }
    a
}

fn now() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

fn event(host: usize, i: u64) -> NewEvent {
    const CLASSES: [&str; 3] = ["safe", "ambiguous", "catastrophic"];
    const AGENTS: [&str; 4] = ["shim", "hook:claude", "recorder", "mcp"];
    NewEvent {
        kind: if i.is_multiple_of(5) {
            "record"
        } else {
            "propose"
        }
        .into(),
        agent: AGENTS[(i % 4) as usize].into(),
        session: Some(format!("h{host}-s{}", i / 500)),
        cwd: format!("/home/dev{host}/project"),
        raw: format!(
            "git commit -m 'change {i} on host {host}' && cargo test -p crate{}",
            i % 17
        ),
        argv: vec![
            "git".into(),
            "commit".into(),
            "-m".into(),
            format!("change {i}"),
        ],
        class: Some(CLASSES[(i % 3) as usize].into()),
        decision: Some("allow".into()),
        rule: Some("git:commit".into()),
        reason: Some("records history; nothing is lost".into()),
        risk: Some((i % 100) as u8),
        peer_pid: Some(4000 + (i % 1000) as u32),
        peer_uid: Some(1000),
        detail: Some(format!("{{\"id\":\"{host}-{i}\"}}")),
        ..Default::default()
    }
}

/// CPU seconds used so far by the PostgreSQL server (the postmaster, its
/// live children, and its exited children as the kernel accounts them to
/// it) plus this process: the machine is shared, so wall-clock rates depend
/// on what else runs; CPU time per event does not. Needs the server on this
/// machine and a readable /proc; `None` otherwise.
fn cpu_secs(postmaster: u32) -> Option<f64> {
    let ticks: f64 = std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0);
    // Fields after the `(comm)`: state ppid … utime(14) stime(15) cutime(16) cstime(17).
    let fields = |pid: &str| -> Option<Vec<u64>> {
        let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        let rest = &text[text.rfind(')')? + 2..];
        Some(
            rest.split(' ')
                .skip(1)
                .take(16)
                .map(|f| f.parse().unwrap_or(0))
                .collect(),
        )
    };
    let pm = fields(&postmaster.to_string())?;
    let mut total = pm[10] + pm[11] + pm[12] + pm[13];
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        if let Some(f) = fields(&name)
            && f[0] == u64::from(postmaster)
        {
            total += f[10] + f[11];
        }
    }
    let me = fields("self")?;
    total += me[10] + me[11];
    Some(total as f64 / ticks)
}

fn postmaster_pid(client: &mut postgres::Client) -> Option<u32> {
    let backend: i32 = client
        .query_one("SELECT pg_backend_pid()", &[])
        .ok()?
        .get(0);
    let status = std::fs::read_to_string(format!("/proc/{backend}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("PPid:"))
        .and_then(|v| v.trim().parse().ok())
}

fn make_host(root: &std::path::Path, host: usize, a: &Args) -> std::path::PathBuf {
    let dir = root.join(format!("host{host}"));
    std::fs::create_dir_all(&dir).unwrap();
    let signer = Signer::load_or_create(&dir, None).unwrap();
    let mut ledger = Ledger::open(&dir.join(DB_FILE), Durability::Normal).unwrap();
    let mut i = 0;
    while i < a.events {
        let n = a.checkpoint_every.min(a.events - i);
        let batch: Vec<NewEvent> = (i..i + n).map(|k| event(host, k)).collect();
        ledger.append(&batch, &now()).unwrap();
        let (seq, head) = ledger.head();
        signer.checkpoint(seq, head, &now()).unwrap();
        i += n;
    }
    ledger.close().unwrap();
    dir
}

fn main() {
    let a = args();
    let root = tempfile::tempdir().unwrap();
    let t = Instant::now();
    let dirs: Vec<_> = (0..a.hosts)
        .map(|h| make_host(root.path(), h, &a))
        .collect();
    let total = a.events * a.hosts as u64;
    eprintln!(
        "generated {} hosts x {} events in {:.1} s",
        a.hosts,
        a.events,
        t.elapsed().as_secs_f64()
    );
    let url = kintsugi_fleet::testdb::fresh_database(&a.url, "bench").unwrap();
    let mut c = kintsugi_fleet::connect(&url).unwrap();
    kintsugi_fleet::init(&mut c).unwrap();
    if let Some(sql) = &a.setup_sql {
        c.batch_execute(sql).unwrap();
    }
    drop(c);

    let postmaster = postmaster_pid(&mut kintsugi_fleet::connect(&url).unwrap());
    let cpu_before = postmaster.and_then(cpu_secs);
    let next = AtomicUsize::new(0);
    let t = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..a.concurrency.min(a.hosts) {
            s.spawn(|| {
                loop {
                    let h = next.fetch_add(1, Ordering::SeqCst);
                    let Some(dir) = dirs.get(h) else { return };
                    let c = kintsugi_fleet::ship_all(&url, dir, a.batch).unwrap();
                    assert_eq!(c.inserted, a.events);
                }
            });
        }
    });
    let copy_secs = t.elapsed().as_secs_f64();
    let mut client = kintsugi_fleet::connect(&url).unwrap();
    // Count the deferred search-index work as ingest: merge the trigram
    // index's pending list now, inside the timed span.
    client
        .batch_execute(
            "SELECT gin_clean_pending_list(c.oid::regclass) FROM pg_class c \
             JOIN pg_am am ON am.oid = c.relam WHERE c.relkind = 'i' AND am.amname = 'gin'",
        )
        .unwrap();
    let ship_secs = t.elapsed().as_secs_f64();
    let ship_cpu = postmaster
        .and_then(cpu_secs)
        .zip(cpu_before)
        .map(|(after, before)| after - before);
    let stored: i64 = client
        .query_one("SELECT count(*) FROM events", &[])
        .unwrap()
        .get(0);
    assert_eq!(stored as u64, total);
    let t = Instant::now();
    let report = kintsugi_fleet::verify(&mut client, None).unwrap();
    let verify_secs = t.elapsed().as_secs_f64();
    assert!(report.intact(), "the bench fleet must verify intact");
    assert_eq!(report.events, total);
    println!(
        "{}",
        serde_json::json!({
            "hosts": a.hosts,
            "events": total,
            "concurrency": a.concurrency,
            "batch": a.batch,
            "copy_secs": copy_secs,
            "ship_secs": ship_secs,
            "ingest_events_per_sec": total as f64 / ship_secs,
            "ship_cpu_secs": ship_cpu,
            "ingest_events_per_cpu_sec": ship_cpu.map(|c| total as f64 / c),
            "verify_secs": verify_secs,
            "verify_events_per_sec": total as f64 / verify_secs,
        })
    );
    if !a.keep {
        drop(client);
        let db = url
            .rsplit('/')
            .next()
            .unwrap()
            .split('?')
            .next()
            .unwrap()
            .to_string();
        let mut admin = kintsugi_fleet::connect(&a.url).unwrap();
        let _ = admin.batch_execute(&format!("DROP DATABASE \"{db}\" WITH (FORCE)"));
    }
}
