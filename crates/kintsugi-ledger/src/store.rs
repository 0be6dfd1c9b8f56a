//! The SQLite store: schema, pragmas, the batched append that the daemon's
//! single writer calls, and read-only opening for `log` and `verify`.

use crate::event::{Event, NewEvent};
use crate::hash::{GENESIS_HASH, event_hash};
use crate::{LedgerError, Result};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use std::path::Path;

/// The ledger's file name inside the data dir.
pub const DB_FILE: &str = "ledger.db";

/// How hard each committed batch is pushed to disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Durability {
    /// WAL with `synchronous=NORMAL`: survives any crash of the process; a
    /// power loss may lose the last moments (checkpoints expose it).
    #[default]
    Normal,
    /// `synchronous=FULL`: every batch is fsynced before it is answered.
    Full,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS events (
    seq       INTEGER PRIMARY KEY,
    ts        TEXT NOT NULL,
    kind      TEXT NOT NULL,
    agent     TEXT NOT NULL,
    session   TEXT,
    cwd       TEXT NOT NULL,
    raw       TEXT NOT NULL,
    argv      TEXT NOT NULL,
    class     TEXT,
    decision  TEXT,
    rule      TEXT,
    reason    TEXT,
    summary   TEXT,
    risk      INTEGER,
    snapshot  TEXT,
    pending   TEXT,
    peer_pid  INTEGER,
    peer_uid  INTEGER,
    detail    TEXT,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS events_ts ON events(ts);
-- Every index is one more page written per commit (the agent and session
-- indexes cost ~3 µs of each single-event commit, a tenth of the target
-- propose latency). Filters on them walk seq backwards and stop at the page.
DROP INDEX IF EXISTS events_agent;
DROP INDEX IF EXISTS events_session;
";

/// The columns every reader selects, in [`row_to_event`] order.
pub(crate) const COLUMNS: &str = "seq, ts, kind, agent, session, cwd, raw, argv, class, decision, rule, reason, \
     summary, risk, snapshot, pending, peer_pid, peer_uid, detail, prev_hash, hash";

pub(crate) fn row_to_event(row: &rusqlite::Row<'_>) -> rusqlite::Result<Event> {
    let argv_json: String = row.get(7)?;
    let argv = serde_json::from_str(&argv_json).unwrap_or_else(|_| vec![argv_json]);
    Ok(Event {
        seq: row.get::<_, i64>(0)? as u64,
        ts: row.get(1)?,
        body: NewEvent {
            kind: row.get(2)?,
            agent: row.get(3)?,
            session: row.get(4)?,
            cwd: row.get(5)?,
            raw: row.get(6)?,
            argv,
            class: row.get(8)?,
            decision: row.get(9)?,
            rule: row.get(10)?,
            reason: row.get(11)?,
            summary: row.get(12)?,
            risk: row
                .get::<_, Option<i64>>(13)?
                .map(|r| r.clamp(0, 255) as u8),
            snapshot: row.get(14)?,
            pending: row.get(15)?,
            peer_pid: row.get::<_, Option<i64>>(16)?.map(|p| p as u32),
            peer_uid: row.get::<_, Option<i64>>(17)?.map(|u| u as u32),
            detail: row.get(18)?,
        },
        prev_hash: row.get(19)?,
        hash: row.get(20)?,
    })
}

/// The writable ledger. Exactly one exists per data dir: the daemon's writer.
pub struct Ledger {
    conn: Connection,
    head_seq: u64,
    head_hash: String,
}

impl Ledger {
    /// Open (creating if needed) the ledger at `path` for appending.
    pub fn open(path: &Path, durability: Durability) -> Result<Ledger> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        let sync = match durability {
            Durability::Normal => "NORMAL",
            Durability::Full => "FULL",
        };
        conn.pragma_update(None, "synchronous", sync)?;
        conn.execute_batch(SCHEMA)?;
        let head: Option<(i64, String)> = conn
            .query_row(
                "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let (head_seq, head_hash) = match head {
            Some((seq, hash)) => (seq as u64, hash),
            None => (0, GENESIS_HASH.to_string()),
        };
        Ok(Ledger {
            conn,
            head_seq,
            head_hash,
        })
    }

    /// The last sequence number (0 when empty) and its hash.
    pub fn head(&self) -> (u64, &str) {
        (self.head_seq, &self.head_hash)
    }

    /// Append a batch in ONE transaction; every event gets `ts`. Returns the
    /// sequence number of each event, in order. On error nothing is appended.
    pub fn append(&mut self, events: &[NewEvent], ts: &str) -> Result<Vec<u64>> {
        let tx = self.conn.transaction()?;
        let mut seqs = Vec::with_capacity(events.len());
        let mut seq = self.head_seq;
        let mut prev = self.head_hash.clone();
        {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO events (seq, ts, kind, agent, session, cwd, raw, argv, class, decision, \
                 rule, reason, summary, risk, snapshot, pending, peer_pid, peer_uid, detail, prev_hash, hash) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)",
            )?;
            for e in events {
                seq += 1;
                let argv = serde_json::to_string(&e.argv)
                    .map_err(|err| LedgerError::Invalid(err.to_string()))?;
                let hash = event_hash(&prev, seq, ts, e, &argv);
                stmt.execute(params![
                    seq as i64,
                    ts,
                    e.kind,
                    e.agent,
                    e.session,
                    e.cwd,
                    e.raw,
                    argv,
                    e.class,
                    e.decision,
                    e.rule,
                    e.reason,
                    e.summary,
                    e.risk.map(i64::from),
                    e.snapshot,
                    e.pending,
                    e.peer_pid.map(i64::from),
                    e.peer_uid.map(i64::from),
                    e.detail,
                    prev,
                    hash,
                ])?;
                seqs.push(seq);
                prev = hash;
            }
        }
        tx.commit()?;
        self.head_seq = seq;
        self.head_hash = prev;
        Ok(seqs)
    }

    /// Fold the WAL into the main database file and truncate it, so a clean
    /// shutdown leaves one self-contained `ledger.db`.
    pub fn checkpoint_wal(&self) -> Result<()> {
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }

    /// Close cleanly: checkpoint the WAL, then switch journaling off WAL so no
    /// `-wal`/`-shm` files remain.
    pub fn close(self) -> Result<()> {
        self.checkpoint_wal()?;
        self.conn.pragma_update(None, "journal_mode", "DELETE")?;
        self.conn.close().map_err(|(_, e)| LedgerError::Sql(e))
    }
}

/// Open the ledger read-only (for `log`, `verify`, `status`).
pub fn open_read_only(path: &Path) -> Result<Connection> {
    if !path.exists() {
        return Err(LedgerError::Invalid(format!(
            "no ledger at {}; has the daemon ever run with this data dir?",
            path.display()
        )));
    }
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    Ok(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(raw: &str) -> NewEvent {
        NewEvent {
            kind: "propose".into(),
            agent: "test".into(),
            cwd: "/p".into(),
            raw: raw.into(),
            ..Default::default()
        }
    }

    #[test]
    fn append_chains_and_survives_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(DB_FILE);
        let mut l = Ledger::open(&path, Durability::Normal).unwrap();
        assert_eq!(l.append(&[ev("a"), ev("b")], "t1").unwrap(), vec![1, 2]);
        let head = l.head().1.to_string();
        l.close().unwrap();
        assert!(!dir.path().join("ledger.db-wal").exists());
        let mut l = Ledger::open(&path, Durability::Full).unwrap();
        assert_eq!(l.head(), (2, head.as_str()));
        assert_eq!(l.append(&[ev("c")], "t2").unwrap(), vec![3]);
    }
}
