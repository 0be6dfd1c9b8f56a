//! `kintsugi fleet verify`: from the central database alone, recompute every
//! host's chain with the ledger's own [`ChainChecker`] and check its signed
//! checkpoints against the key the host registered. Also reports what only
//! the central store can see: forks (two hashes shipped for one sequence
//! number), key changes, and events from hosts that never registered.

use crate::Result;
use crate::row::{COLUMNS, RawRow};
use kintsugi_ledger::{ChainChecker, Checkpoint};
use postgres::Client;
use postgres::fallible_iterator::FallibleIterator;
use serde::Serialize;
use std::time::Instant;

/// One thing wrong with one host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FleetFinding {
    /// `chain` (gap, edit, broken link, checkpoint mismatch, missing tail),
    /// `fork`, `key-changed` or `unregistered`.
    pub kind: &'static str,
    pub seq: Option<u64>,
    pub what: String,
}

/// One host's result.
#[derive(Debug, Clone, Serialize)]
pub struct HostReport {
    pub host_id: String,
    pub hostname: Option<String>,
    pub events: u64,
    pub checkpoints: usize,
    pub last_matched_checkpoint: Option<u64>,
    pub findings: Vec<FleetFinding>,
}

/// Every host's result.
#[derive(Debug, Clone, Serialize)]
pub struct FleetReport {
    pub hosts: Vec<HostReport>,
    pub events: u64,
    pub secs: f64,
}

impl FleetReport {
    /// True when no host has a finding.
    pub fn intact(&self) -> bool {
        self.hosts.iter().all(|h| h.findings.is_empty())
    }
}

fn hosts(client: &mut Client, only: Option<&str>) -> Result<Vec<String>> {
    let rows = client.query(
        "SELECT host_id FROM hosts \
         UNION SELECT DISTINCT host_id FROM events \
         UNION SELECT DISTINCT host_id FROM checkpoints \
         UNION SELECT DISTINCT host_id FROM event_conflicts \
         ORDER BY 1",
        &[],
    )?;
    let all: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
    let Some(h) = only else { return Ok(all) };
    let named: Vec<String> = client
        .query("SELECT host_id FROM hosts WHERE hostname = $1", &[&h])?
        .iter()
        .map(|r| r.get(0))
        .collect();
    Ok(all
        .into_iter()
        .filter(|x| x == h || named.contains(x))
        .collect())
}

fn verify_host(client: &mut Client, host: &str) -> Result<HostReport> {
    let mut findings = Vec::new();
    let reg = client.query_opt(
        "SELECT hostname, pubkey FROM hosts WHERE host_id = $1",
        &[&host],
    )?;
    let (hostname, key) = match &reg {
        Some(r) => (Some(r.get::<_, String>(0)), r.get::<_, String>(1)),
        None => {
            findings.push(FleetFinding {
                kind: "unregistered",
                seq: None,
                what: "events or checkpoints from a host that never registered a key".into(),
            });
            (None, String::new())
        }
    };
    for r in client.query(
        "SELECT presented_key, hostname, first_seen::text FROM key_changes WHERE host_id = $1 ORDER BY first_seen",
        &[&host],
    )? {
        let k: String = r.get(0);
        findings.push(FleetFinding {
            kind: "key-changed",
            seq: None,
            what: format!(
                "the host (as {}) presented checkpoint key {} at {}, not its registered key {}",
                r.get::<_, String>(1),
                &k[..k.len().min(16)],
                r.get::<_, String>(2),
                &key[..key.len().min(16)]
            ),
        });
    }
    let checkpoints: Vec<Checkpoint> = client
        .query(
            "SELECT seq, head, time, key, sig FROM checkpoints WHERE host_id = $1 ORDER BY seq, received_at",
            &[&host],
        )?
        .iter()
        .map(|r| Checkpoint {
            seq: r.get::<_, i64>(0) as u64,
            head: r.get(1),
            time: r.get(2),
            key: r.get(3),
            sig: r.get(4),
        })
        .collect();
    let mut checker = ChainChecker::new(&checkpoints, &key);
    {
        let mut rows = client.query_raw(
            &format!("SELECT {COLUMNS} FROM events WHERE host_id = $1 ORDER BY seq"),
            [&host],
        )?;
        while let Some(row) = rows.next()? {
            let r = RawRow::from_pg(&row, 0)?;
            checker.push(&r.hash_input(), &r.hash);
        }
    }
    let chain = checker.finish();
    findings.extend(chain.findings.into_iter().map(|f| FleetFinding {
        kind: "chain",
        seq: Some(f.seq),
        what: f.what,
    }));
    for r in client.query(
        "SELECT c.seq, c.hash, e.hash FROM event_conflicts c LEFT JOIN events e \
         ON e.host_id = c.host_id AND e.seq = c.seq WHERE c.host_id = $1 ORDER BY c.seq LIMIT 100",
        &[&host],
    )? {
        let seq = r.get::<_, i64>(0) as u64;
        let other: String = r.get(1);
        let central: Option<String> = r.get(2);
        findings.push(FleetFinding {
            kind: "fork",
            seq: Some(seq),
            what: format!(
                "two different events were shipped for sequence {seq}: {} is stored, {} was also sent (history rewritten or a copied host id)",
                central.as_deref().map(|h| &h[..h.len().min(16)]).unwrap_or("none"),
                &other[..other.len().min(16)]
            ),
        });
    }
    Ok(HostReport {
        host_id: host.to_string(),
        hostname,
        events: chain.events,
        checkpoints: chain.checkpoints,
        last_matched_checkpoint: chain.last_checked_checkpoint,
        findings,
    })
}

/// Verify every host (or only `only`: a host id or hostname).
pub fn verify(client: &mut Client, only: Option<&str>) -> Result<FleetReport> {
    crate::schema::require_current(client)?;
    let started = Instant::now();
    let mut report = FleetReport {
        hosts: Vec::new(),
        events: 0,
        secs: 0.0,
    };
    for host in hosts(client, only)? {
        let h = verify_host(client, &host)?;
        report.events += h.events;
        report.hosts.push(h);
    }
    report.secs = started.elapsed().as_secs_f64();
    Ok(report)
}
