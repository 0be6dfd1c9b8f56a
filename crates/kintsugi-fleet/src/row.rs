//! One ledger row exactly as stored, every column verbatim (argv as its
//! stored JSON text), so the central copy can be re-hashed with the ledger's
//! own `hash_row`. Read from `ledger.db` or from the central `events` table.

use kintsugi_ledger::{Event, HashInput, NewEvent};

/// The ledger columns in table order, for SQL on either side.
pub const COLUMNS: &str = "seq, ts, kind, agent, session, cwd, raw, argv, class, decision, rule, reason, \
     summary, risk, snapshot, pending, peer_pid, peer_uid, detail, prev_hash, hash";

/// One stored event, verbatim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawRow {
    pub seq: i64,
    pub ts: String,
    pub kind: String,
    pub agent: String,
    pub session: Option<String>,
    pub cwd: String,
    pub raw: String,
    pub argv: String,
    pub class: Option<String>,
    pub decision: Option<String>,
    pub rule: Option<String>,
    pub reason: Option<String>,
    pub summary: Option<String>,
    pub risk: Option<i64>,
    pub snapshot: Option<String>,
    pub pending: Option<String>,
    pub peer_pid: Option<i64>,
    pub peer_uid: Option<i64>,
    pub detail: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

impl RawRow {
    /// From a SQLite row selected with [`COLUMNS`].
    pub fn from_sqlite(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawRow> {
        Ok(RawRow {
            seq: r.get(0)?,
            ts: r.get(1)?,
            kind: r.get(2)?,
            agent: r.get(3)?,
            session: r.get(4)?,
            cwd: r.get(5)?,
            raw: r.get(6)?,
            argv: r.get(7)?,
            class: r.get(8)?,
            decision: r.get(9)?,
            rule: r.get(10)?,
            reason: r.get(11)?,
            summary: r.get(12)?,
            risk: r.get(13)?,
            snapshot: r.get(14)?,
            pending: r.get(15)?,
            peer_pid: r.get(16)?,
            peer_uid: r.get(17)?,
            detail: r.get(18)?,
            prev_hash: r.get(19)?,
            hash: r.get(20)?,
        })
    }

    /// From a PostgreSQL row whose columns `offset..offset+21` are [`COLUMNS`].
    pub fn from_pg(r: &postgres::Row, offset: usize) -> Result<RawRow, postgres::Error> {
        let o = offset;
        Ok(RawRow {
            seq: r.try_get(o)?,
            ts: r.try_get(o + 1)?,
            kind: r.try_get(o + 2)?,
            agent: r.try_get(o + 3)?,
            session: r.try_get(o + 4)?,
            cwd: r.try_get(o + 5)?,
            raw: r.try_get(o + 6)?,
            argv: r.try_get(o + 7)?,
            class: r.try_get(o + 8)?,
            decision: r.try_get(o + 9)?,
            rule: r.try_get(o + 10)?,
            reason: r.try_get(o + 11)?,
            summary: r.try_get(o + 12)?,
            risk: r.try_get(o + 13)?,
            snapshot: r.try_get(o + 14)?,
            pending: r.try_get(o + 15)?,
            peer_pid: r.try_get(o + 16)?,
            peer_uid: r.try_get(o + 17)?,
            detail: r.try_get(o + 18)?,
            prev_hash: r.try_get(o + 19)?,
            hash: r.try_get(o + 20)?,
        })
    }

    /// The row as the ledger's hash sees it.
    pub fn hash_input(&self) -> HashInput<'_> {
        HashInput {
            prev_hash: &self.prev_hash,
            seq: self.seq,
            ts: &self.ts,
            kind: &self.kind,
            agent: &self.agent,
            session: self.session.as_deref(),
            cwd: &self.cwd,
            raw: &self.raw,
            argv_json: &self.argv,
            class: self.class.as_deref(),
            decision: self.decision.as_deref(),
            rule: self.rule.as_deref(),
            reason: self.reason.as_deref(),
            summary: self.summary.as_deref(),
            risk: self.risk,
            snapshot: self.snapshot.as_deref(),
            pending: self.pending.as_deref(),
            peer_pid: self.peer_pid,
            peer_uid: self.peer_uid,
            detail: self.detail.as_deref(),
        }
    }

    /// The row as the ledger's readers show it (as `kintsugi log` does).
    pub fn into_event(self) -> Event {
        let argv = serde_json::from_str(&self.argv).unwrap_or_else(|_| vec![self.argv.clone()]);
        Event {
            seq: self.seq as u64,
            ts: self.ts,
            body: NewEvent {
                kind: self.kind,
                agent: self.agent,
                session: self.session,
                cwd: self.cwd,
                raw: self.raw,
                argv,
                class: self.class,
                decision: self.decision,
                rule: self.rule,
                reason: self.reason,
                summary: self.summary,
                risk: self.risk.map(|r| r.clamp(0, 255) as u8),
                snapshot: self.snapshot,
                pending: self.pending,
                peer_pid: self.peer_pid.map(|p| p as u32),
                peer_uid: self.peer_uid.map(|u| u as u32),
                detail: self.detail,
            },
            prev_hash: self.prev_hash,
            hash: self.hash,
        }
    }
}
