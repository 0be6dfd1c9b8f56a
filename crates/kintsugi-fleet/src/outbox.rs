//! The outbox cursor: how far this host's ledger and checkpoint file have
//! reached each central database. It lives in its own small SQLite file
//! (`fleet.db`) beside the ledger, not in `ledger.db`, so the shipper never
//! takes the ledger's write lock and can never delay the daemon's single
//! writer; the hashed `events` table is untouched. The cursor moves only after
//! the central transaction committed, so a crash in between re-sends a batch
//! that the central store then ignores as already there.

use crate::Result;
use rusqlite::{Connection, OptionalExtension, params};
use std::path::Path;

/// The outbox's file name in the data dir.
pub const OUTBOX_FILE: &str = "fleet.db";

/// Where shipping to one target stands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cursor {
    /// Every event up to this sequence number is in the central store.
    pub events_seq: u64,
    /// Bytes of `checkpoints.jsonl` whose lines are in the central store.
    pub checkpoints_offset: u64,
}

/// The open outbox for one target.
pub struct Outbox {
    conn: Connection,
    target: String,
}

impl Outbox {
    /// Open (creating) `data_dir/fleet.db` for `target` (see `target_key`).
    pub fn open(data_dir: &Path, target: &str) -> Result<Outbox> {
        let conn = Connection::open(data_dir.join(OUTBOX_FILE))?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS outbox (
                 target TEXT PRIMARY KEY,
                 events_seq INTEGER NOT NULL,
                 checkpoints_offset INTEGER NOT NULL,
                 updated TEXT NOT NULL
             ) STRICT;",
        )?;
        Ok(Outbox {
            conn,
            target: target.to_string(),
        })
    }

    /// The cursor (zero when nothing was shipped to this target yet).
    pub fn cursor(&self) -> Result<Cursor> {
        let c = self
            .conn
            .query_row(
                "SELECT events_seq, checkpoints_offset FROM outbox WHERE target = ?1",
                [&self.target],
                |r| {
                    Ok(Cursor {
                        events_seq: r.get::<_, i64>(0)? as u64,
                        checkpoints_offset: r.get::<_, i64>(1)? as u64,
                    })
                },
            )
            .optional()?;
        Ok(c.unwrap_or_default())
    }

    /// Record a new cursor (after the central commit).
    pub fn save(&self, c: Cursor) -> Result<()> {
        self.conn.execute(
            "INSERT INTO outbox (target, events_seq, checkpoints_offset, updated) \
             VALUES (?1, ?2, ?3, strftime('%Y-%m-%dT%H:%M:%fZ','now')) \
             ON CONFLICT (target) DO UPDATE SET events_seq = excluded.events_seq, \
             checkpoints_offset = excluded.checkpoints_offset, updated = excluded.updated",
            params![
                self.target,
                c.events_seq as i64,
                c.checkpoints_offset as i64
            ],
        )?;
        Ok(())
    }
}
