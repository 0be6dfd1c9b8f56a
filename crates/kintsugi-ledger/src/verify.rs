//! The verifier: recompute the whole chain from `ledger.db` and check every
//! signed checkpoint against it. Detects edited fields, deleted or reordered
//! rows, a truncated tail behind the last checkpoint, and a chain recomputed
//! from scratch (its heads no longer match what the key signed).

use crate::checkpoint::Checkpoint;
use crate::hash::{GENESIS_HASH, HashInput, hash_row};
use crate::{Result, open_read_only};
use std::collections::HashMap;
use std::path::Path;

/// One thing that is wrong, at the first sequence number where it shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub seq: u64,
    pub what: String,
}

/// What `verify` found.
#[derive(Debug, Clone, Default)]
pub struct VerifyReport {
    pub events: u64,
    pub checkpoints: usize,
    pub last_checked_checkpoint: Option<u64>,
    pub findings: Vec<Finding>,
}

impl VerifyReport {
    /// True when nothing is wrong.
    pub fn intact(&self) -> bool {
        self.findings.is_empty()
    }
}

const MAX_FINDINGS: usize = 100;

/// Verify the ledger at `db` against `checkpoints` signed by `pinned_key`.
/// `progress(done, total)` is called every few thousand events.
pub fn verify(
    db: &Path,
    checkpoints: &[Checkpoint],
    pinned_key: &str,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<VerifyReport> {
    let conn = open_read_only(db)?;
    let total: i64 = conn.query_row("SELECT count(*) FROM events", [], |r| r.get(0))?;
    let mut report = VerifyReport {
        checkpoints: checkpoints.len(),
        ..Default::default()
    };
    let mut signed: HashMap<u64, &Checkpoint> = HashMap::new();
    let mut last_cp_seq = 0u64;
    for cp in checkpoints {
        if let Err(why) = cp.check_signature(pinned_key) {
            report.findings.push(Finding {
                seq: cp.seq,
                what: format!("checkpoint at sequence {} is not authentic: {why}", cp.seq),
            });
            continue;
        }
        if cp.seq < last_cp_seq {
            report.findings.push(Finding {
                seq: cp.seq,
                what: format!(
                    "checkpoint at sequence {} comes after one at {last_cp_seq}",
                    cp.seq
                ),
            });
        }
        last_cp_seq = last_cp_seq.max(cp.seq);
        signed.insert(cp.seq, cp);
    }

    let mut stmt = conn.prepare(
        "SELECT seq, ts, kind, agent, session, cwd, raw, argv, class, decision, rule, reason, \
         summary, risk, snapshot, pending, peer_pid, peer_uid, detail, prev_hash, hash \
         FROM events ORDER BY seq",
    )?;
    let mut rows = stmt.query([])?;
    let mut expected_seq = 1u64;
    let mut prev_hash = GENESIS_HASH.to_string();
    while let Some(row) = rows.next()? {
        let seq = row.get::<_, i64>(0)? as u64;
        let stored_prev = row.get_ref(19)?.as_str()?;
        let stored_hash = row.get_ref(20)?.as_str()?;
        let mut note = |what: String| {
            if report.findings.len() < MAX_FINDINGS {
                report.findings.push(Finding { seq, what });
            }
        };
        if seq != expected_seq {
            note(format!(
                "sequence jumps from {} to {seq}: events {expected_seq}..{} were deleted",
                expected_seq - 1,
                seq - 1
            ));
        }
        if stored_prev != prev_hash {
            note(
                "prev_hash does not match the hash of the event before it (rows deleted, reordered or replaced)"
                    .to_string(),
            );
        }
        let input = HashInput {
            prev_hash: stored_prev,
            seq: seq as i64,
            ts: row.get_ref(1)?.as_str()?,
            kind: row.get_ref(2)?.as_str()?,
            agent: row.get_ref(3)?.as_str()?,
            session: row.get_ref(4)?.as_str_or_null()?,
            cwd: row.get_ref(5)?.as_str()?,
            raw: row.get_ref(6)?.as_str()?,
            argv_json: row.get_ref(7)?.as_str()?,
            class: row.get_ref(8)?.as_str_or_null()?,
            decision: row.get_ref(9)?.as_str_or_null()?,
            rule: row.get_ref(10)?.as_str_or_null()?,
            reason: row.get_ref(11)?.as_str_or_null()?,
            summary: row.get_ref(12)?.as_str_or_null()?,
            risk: row.get_ref(13)?.as_i64_or_null()?,
            snapshot: row.get_ref(14)?.as_str_or_null()?,
            pending: row.get_ref(15)?.as_str_or_null()?,
            peer_pid: row.get_ref(16)?.as_i64_or_null()?,
            peer_uid: row.get_ref(17)?.as_i64_or_null()?,
            detail: row.get_ref(18)?.as_str_or_null()?,
        };
        let computed = hash_row(&input);
        if computed != stored_hash {
            note("the event's fields do not match its hash (a field was edited)".to_string());
        }
        if let Some(cp) = signed.get(&seq) {
            if cp.head != stored_hash || computed != stored_hash {
                note(format!(
                    "checkpoint signed at {} says the head here is {}, the ledger has {}: history was rewritten",
                    cp.time,
                    &cp.head[..cp.head.len().min(16)],
                    &stored_hash[..stored_hash.len().min(16)]
                ));
            } else {
                report.last_checked_checkpoint = Some(seq);
            }
        }
        prev_hash = stored_hash.to_string();
        expected_seq = seq + 1;
        report.events += 1;
        if report.events.is_multiple_of(8192) {
            progress(report.events, total as u64);
        }
    }
    progress(report.events, total as u64);
    let last_seq = expected_seq - 1;
    if last_cp_seq > last_seq {
        report.findings.push(Finding {
            seq: last_seq + 1,
            what: format!(
                "the ledger ends at sequence {last_seq} but a signed checkpoint covers {last_cp_seq}: the tail was truncated"
            ),
        });
    }
    Ok(report)
}
