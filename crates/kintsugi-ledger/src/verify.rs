//! The verifier: recompute the whole chain from `ledger.db` and check every
//! signed checkpoint against it. Detects edited fields, deleted or reordered
//! rows, a truncated tail behind the last checkpoint, and a chain recomputed
//! from scratch (its heads no longer match what the key signed).

use crate::chain::ChainChecker;
use crate::checkpoint::Checkpoint;
use crate::hash::HashInput;
use crate::{Result, open_read_only};
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

/// The ledger's own checkpoints plus every line of a witness copy that the
/// ledger's file lacks, each inserted after the last of the ledger's
/// checkpoints at or below its sequence (so the order of the ledger's own
/// file is still checked as written). A witness line the ledger's file lost
/// is how a truncated tail shows: it covers events that are gone.
pub fn merge_witness(local: Vec<Checkpoint>, witness: &[Checkpoint]) -> Vec<Checkpoint> {
    let mut merged = local;
    for w in witness {
        if merged.contains(w) {
            continue;
        }
        let at = merged
            .iter()
            .rposition(|c| c.seq <= w.seq)
            .map_or(0, |i| i + 1);
        merged.insert(at, w.clone());
    }
    merged
}

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
    let mut checker = ChainChecker::new(checkpoints, pinned_key);
    let mut stmt = conn.prepare(
        "SELECT seq, ts, kind, agent, session, cwd, raw, argv, class, decision, rule, reason, \
         summary, risk, snapshot, pending, peer_pid, peer_uid, detail, prev_hash, hash \
         FROM events ORDER BY seq",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let input = HashInput {
            prev_hash: row.get_ref(19)?.as_str()?,
            seq: row.get::<_, i64>(0)?,
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
        checker.push(&input, row.get_ref(20)?.as_str()?);
        if checker.events().is_multiple_of(8192) {
            progress(checker.events(), total as u64);
        }
    }
    progress(checker.events(), total as u64);
    Ok(checker.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cp(seq: u64) -> Checkpoint {
        Checkpoint {
            seq,
            head: format!("h{seq}"),
            time: "t".into(),
            key: "k".into(),
            sig: "s".into(),
        }
    }

    #[test]
    fn witness_lines_the_ledger_lost_are_merged_in_order() {
        let local = vec![cp(5), cp(10)];
        let witness = vec![cp(5), cp(10), cp(15), cp(20)];
        let seqs: Vec<u64> = merge_witness(local, &witness)
            .iter()
            .map(|c| c.seq)
            .collect();
        assert_eq!(seqs, vec![5, 10, 15, 20]);
        // A line only the witness has, in the middle, lands in place; the
        // ledger's own disorder is kept for the checker to report.
        let seqs: Vec<u64> = merge_witness(vec![cp(10), cp(3)], &[cp(1), cp(7)])
            .iter()
            .map(|c| c.seq)
            .collect();
        assert_eq!(seqs, vec![1, 10, 3, 7]);
    }
}
