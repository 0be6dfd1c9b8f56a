//! The chain check shared by every verifier: fed rows in sequence order, it
//! recomputes each hash, follows `prev_hash`, notices jumps in the sequence,
//! and compares every authentic signed checkpoint with the row it covers.
//! `verify` feeds it from `ledger.db`; the fleet verifier feeds it from the
//! central database, so both apply exactly the same rules.

use crate::checkpoint::Checkpoint;
use crate::hash::{GENESIS_HASH, HashInput, hash_row};
use crate::verify::{Finding, VerifyReport};
use std::collections::HashMap;

/// Most findings kept per chain; the first ones say where it went wrong.
pub const MAX_FINDINGS: usize = 100;

/// Walks one chain, row by row, and collects what is wrong.
pub struct ChainChecker {
    signed: HashMap<u64, Vec<Checkpoint>>,
    last_cp_seq: u64,
    expected_seq: u64,
    prev_hash: String,
    report: VerifyReport,
}

impl ChainChecker {
    /// Check `checkpoints` against `pinned_key`; the authentic ones are then
    /// compared with the rows pushed.
    pub fn new(checkpoints: &[Checkpoint], pinned_key: &str) -> ChainChecker {
        let mut report = VerifyReport {
            checkpoints: checkpoints.len(),
            ..Default::default()
        };
        let mut signed: HashMap<u64, Vec<Checkpoint>> = HashMap::new();
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
            signed.entry(cp.seq).or_default().push(cp.clone());
        }
        ChainChecker {
            signed,
            last_cp_seq,
            expected_seq: 1,
            prev_hash: GENESIS_HASH.to_string(),
            report,
        }
    }

    fn note(&mut self, seq: u64, what: String) {
        if self.report.findings.len() < MAX_FINDINGS {
            self.report.findings.push(Finding { seq, what });
        }
    }

    /// The next row (rows must come in ascending `seq` order).
    pub fn push(&mut self, row: &HashInput<'_>, stored_hash: &str) {
        let seq = row.seq as u64;
        if seq != self.expected_seq {
            let what = format!(
                "sequence jumps from {} to {seq}: events {}..{} were deleted",
                self.expected_seq - 1,
                self.expected_seq,
                seq.saturating_sub(1)
            );
            self.note(seq, what);
        }
        if row.prev_hash != self.prev_hash {
            self.note(
                seq,
                "prev_hash does not match the hash of the event before it (rows deleted, reordered or replaced)"
                    .to_string(),
            );
        }
        let computed = hash_row(row);
        if computed != stored_hash {
            self.note(
                seq,
                "the event's fields do not match its hash (a field was edited)".to_string(),
            );
        }
        let mut matched = None;
        let mut mismatches = Vec::new();
        if let Some(cps) = self.signed.get(&seq) {
            for cp in cps {
                if cp.head != stored_hash || computed != stored_hash {
                    mismatches.push(format!(
                        "checkpoint signed at {} says the head here is {}, the ledger has {}: history was rewritten",
                        cp.time,
                        &cp.head[..cp.head.len().min(16)],
                        &stored_hash[..stored_hash.len().min(16)]
                    ));
                } else {
                    matched = Some(seq);
                }
            }
        }
        for m in mismatches {
            self.note(seq, m);
        }
        if matched.is_some() {
            self.report.last_checked_checkpoint = matched;
        }
        self.prev_hash = stored_hash.to_string();
        self.expected_seq = seq + 1;
        self.report.events += 1;
    }

    /// Rows checked so far.
    pub fn events(&self) -> u64 {
        self.report.events
    }

    /// Finish: a signed checkpoint beyond the last row means a missing tail.
    pub fn finish(mut self) -> VerifyReport {
        let last_seq = self.expected_seq - 1;
        if self.last_cp_seq > last_seq {
            self.report.findings.push(Finding {
                seq: last_seq + 1,
                what: format!(
                    "the ledger ends at sequence {last_seq} but a signed checkpoint covers {}: the tail was truncated",
                    self.last_cp_seq
                ),
            });
        }
        self.report
    }
}
