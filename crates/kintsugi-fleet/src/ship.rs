//! One shipping pass: send every event after the outbox cursor in batches,
//! then the signed checkpoints that the shipped events already cover. A
//! batch none of whose sequence numbers is central yet is copied (binary
//! COPY) straight into `events`; otherwise it goes through a session-local
//! staging table and INSERT … ON CONFLICT DO NOTHING, and a row whose (host,
//! seq) is already central with a DIFFERENT hash is kept in
//! `event_conflicts` as evidence of a fork, never dropped. Also host
//! registration and `ship_all` (connect, register, pass until caught up).

use crate::identity::HostIdentity;
use crate::outbox::{Cursor, Outbox};
use crate::row::{COLUMNS, RawRow};
use crate::{Result, io_err};
use kintsugi_ledger::{CHECKPOINTS_FILE, Checkpoint, DB_FILE, open_read_only};
use postgres::Client;
use postgres::binary_copy::BinaryCopyInWriter;
use postgres::types::{ToSql, Type};
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// A host's local ledger, opened read-only, and its checkpoint file.
pub struct Source {
    conn: rusqlite::Connection,
    checkpoints: PathBuf,
    pub identity: HostIdentity,
}

impl Source {
    /// Open `data_dir`'s ledger read-only (never its writer's connection).
    pub fn open(data_dir: &Path) -> Result<Source> {
        Ok(Source {
            conn: open_read_only(&data_dir.join(DB_FILE))?,
            checkpoints: data_dir.join(CHECKPOINTS_FILE),
            identity: HostIdentity::load(data_dir)?,
        })
    }

    /// The last sequence number in the ledger (0 when empty).
    pub fn head_seq(&self) -> Result<u64> {
        let v: Option<i64> = self
            .conn
            .query_row("SELECT max(seq) FROM events", [], |r| r.get(0))?;
        Ok(v.unwrap_or(0) as u64)
    }

    /// The time of event `seq`, if it exists.
    pub fn ts_of(&self, seq: u64) -> Result<Option<String>> {
        use rusqlite::OptionalExtension as _;
        Ok(self
            .conn
            .query_row("SELECT ts FROM events WHERE seq = ?1", [seq as i64], |r| {
                r.get(0)
            })
            .optional()?)
    }

    fn read_after(&self, after: u64, limit: usize) -> Result<Vec<RawRow>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2"
        ))?;
        let rows = stmt.query_map([after as i64, limit as i64], RawRow::from_sqlite)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Complete checkpoint lines from byte `offset` whose sequence is at most
    /// `up_to`, and the offset just past the last one taken. A line that is
    /// not a checkpoint is skipped (and logged): it cannot be verified anyway.
    fn read_checkpoints(&self, offset: u64, up_to: u64) -> Result<(Vec<Checkpoint>, u64)> {
        let path = &self.checkpoints;
        let mut file = match std::fs::File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Vec::new(), 0)),
            Err(e) => return Err(io_err(path)(e)),
        };
        let len = file.metadata().map_err(io_err(path))?.len();
        let offset = if len < offset { 0 } else { offset };
        file.seek(SeekFrom::Start(offset)).map_err(io_err(path))?;
        let mut text = Vec::new();
        file.read_to_end(&mut text).map_err(io_err(path))?;
        let mut out = Vec::new();
        let mut pos = 0usize;
        while let Some(nl) = text[pos..].iter().position(|&b| b == b'\n') {
            let line = &text[pos..pos + nl];
            match serde_json::from_slice::<Checkpoint>(line) {
                Ok(cp) if cp.seq > up_to => break,
                Ok(cp) => out.push(cp),
                Err(_) if line.iter().all(u8::is_ascii_whitespace) => {}
                Err(e) => tracing::warn!(
                    "{} at byte {}: not a checkpoint ({e}); not shipped",
                    path.display(),
                    offset as usize + pos
                ),
            }
            pos += nl + 1;
        }
        Ok((out, offset + pos as u64))
    }
}

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cycle {
    /// Events newly stored centrally.
    pub inserted: u64,
    /// Events the central store already had (same hash): re-sent after a crash.
    pub duplicates: u64,
    /// Events whose (host, seq) was central with another hash: kept as forks.
    pub conflicts: u64,
    pub checkpoints: u64,
    /// The cursor after the pass.
    pub shipped_seq: u64,
    /// True when the pass reached the ledger's head.
    pub caught_up: bool,
}

/// Register the host on first contact; a host presenting a different key
/// than the registered one is recorded in `key_changes` (the registered key
/// stays). Returns true when the key matches the registered one.
pub fn register(client: &mut Client, id: &HostIdentity) -> Result<bool> {
    let mut tx = client.transaction()?;
    tx.execute(
        "INSERT INTO hosts (host_id, hostname, pubkey) VALUES ($1, $2, $3) \
         ON CONFLICT (host_id) DO UPDATE SET last_seen = now(), hostname = excluded.hostname",
        &[&id.host_id, &id.hostname, &id.pubkey],
    )?;
    let registered: String = tx
        .query_one(
            "SELECT pubkey FROM hosts WHERE host_id = $1",
            &[&id.host_id],
        )?
        .get(0);
    let same = registered == id.pubkey;
    if !same {
        tx.execute(
            "INSERT INTO key_changes (host_id, registered_key, presented_key, hostname) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (host_id, presented_key) DO UPDATE SET last_seen = now()",
            &[&id.host_id, &registered, &id.pubkey, &id.hostname],
        )?;
        tracing::warn!(
            "the central store registered another checkpoint key for host {}; flagged as a key change",
            id.host_id
        );
    }
    tx.commit()?;
    Ok(same)
}

const STAGE: &str = "CREATE TEMP TABLE IF NOT EXISTS fleet_stage (
    host_id TEXT, seq BIGINT, ts TEXT, kind TEXT, agent TEXT, session TEXT, cwd TEXT, raw TEXT,
    argv TEXT, class TEXT, decision TEXT, rule TEXT, reason TEXT, summary TEXT, risk BIGINT,
    snapshot TEXT, pending TEXT, peer_pid BIGINT, peer_uid BIGINT, detail TEXT, prev_hash TEXT,
    hash TEXT) ON COMMIT DELETE ROWS";

fn copy_types() -> Vec<Type> {
    let mut t = vec![Type::TEXT; 22];
    for i in [1, 14, 17, 18] {
        t[i] = Type::INT8;
    }
    t
}

fn copy_rows(
    tx: &mut postgres::Transaction<'_>,
    table: &str,
    host_id: &str,
    rows: &[RawRow],
) -> Result<()> {
    let sink = tx.copy_in(&format!(
        "COPY {table} (host_id, {COLUMNS}) FROM STDIN (FORMAT binary)"
    ))?;
    let mut w = BinaryCopyInWriter::new(sink, &copy_types());
    for r in rows {
        let values: [&(dyn ToSql + Sync); 22] = [
            &host_id,
            &r.seq,
            &r.ts,
            &r.kind,
            &r.agent,
            &r.session,
            &r.cwd,
            &r.raw,
            &r.argv,
            &r.class,
            &r.decision,
            &r.rule,
            &r.reason,
            &r.summary,
            &r.risk,
            &r.snapshot,
            &r.pending,
            &r.peer_pid,
            &r.peer_uid,
            &r.detail,
            &r.prev_hash,
            &r.hash,
        ];
        w.write(&values)?;
    }
    w.finish()?;
    Ok(())
}

/// The common case: none of the batch's sequence numbers is central yet, so
/// the rows are copied straight into `events`. Returns false (nothing
/// stored) when some already are, or when a concurrent sender got there
/// first (the unique key refuses the copy).
fn try_direct(client: &mut Client, host_id: &str, rows: &[RawRow]) -> Result<bool> {
    let (Some(first), Some(last)) = (rows.first(), rows.last()) else {
        return Ok(true);
    };
    let mut tx = client.transaction()?;
    let taken: bool = tx
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM events WHERE host_id = $1 AND seq BETWEEN $2 AND $3)",
            &[&host_id, &first.seq, &last.seq],
        )?
        .get(0);
    if taken {
        return Ok(false);
    }
    match copy_rows(&mut tx, "events", host_id, rows) {
        Ok(()) => {}
        Err(crate::FleetError::Pg(e))
            if e.code() == Some(&postgres::error::SqlState::UNIQUE_VIOLATION) =>
        {
            return Ok(false);
        }
        Err(e) => return Err(e),
    }
    match tx.commit() {
        Ok(()) => Ok(true),
        Err(e) if e.code() == Some(&postgres::error::SqlState::UNIQUE_VIOLATION) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Store one batch of a host's rows in one transaction. Returns (stored,
/// forks).
pub(crate) fn insert_events(
    client: &mut Client,
    host_id: &str,
    rows: &[RawRow],
) -> Result<(u64, u64)> {
    if try_direct(client, host_id, rows)? {
        return Ok((rows.len() as u64, 0));
    }
    let mut tx = client.transaction()?;
    tx.batch_execute("SET LOCAL client_min_messages = warning")?;
    tx.batch_execute(STAGE)?;
    copy_rows(&mut tx, "fleet_stage", host_id, rows)?;
    let inserted = tx.execute(
        &format!(
            "INSERT INTO events (host_id, {COLUMNS}) SELECT host_id, {COLUMNS} FROM fleet_stage \
             ON CONFLICT (host_id, seq) DO NOTHING"
        ),
        &[],
    )?;
    let mut conflicts = 0;
    if inserted < rows.len() as u64 {
        let s_cols: Vec<String> = COLUMNS.split(", ").map(|c| format!("s.{c}")).collect();
        tx.execute(
            &format!(
                "INSERT INTO event_conflicts (host_id, {COLUMNS}) SELECT s.host_id, {} \
                 FROM fleet_stage s JOIN events e ON e.host_id = s.host_id AND e.seq = s.seq \
                 WHERE e.hash <> s.hash ON CONFLICT DO NOTHING",
                s_cols.join(", ")
            ),
            &[],
        )?;
        let forks: i64 = tx
            .query_one(
                "SELECT count(*) FROM fleet_stage s JOIN events e ON e.host_id = s.host_id \
                 AND e.seq = s.seq WHERE e.hash <> s.hash",
                &[],
            )?
            .get(0);
        conflicts = forks as u64;
        if forks > 0 {
            tracing::warn!(
                "{forks} events of host {host_id} differ from what the central store holds for the same sequence numbers: kept as forks"
            );
        }
    }
    tx.commit()?;
    Ok((inserted, conflicts))
}

fn insert_checkpoints(client: &mut Client, host_id: &str, cps: &[Checkpoint]) -> Result<u64> {
    let mut tx = client.transaction()?;
    let stmt = tx.prepare(
        "INSERT INTO checkpoints (host_id, seq, head, time, key, sig) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT DO NOTHING",
    )?;
    let mut n = 0;
    for cp in cps {
        n += tx.execute(
            &stmt,
            &[
                &host_id,
                &(cp.seq as i64),
                &cp.head,
                &cp.time,
                &cp.key,
                &cp.sig,
            ],
        )?;
    }
    tx.commit()?;
    Ok(n)
}

/// Ship up to `max_batches` batches of `batch_size` events, then the
/// checkpoints they cover. The cursor is saved after every committed batch,
/// so an error part-way loses nothing and re-sends nothing twice.
pub fn ship_cycle(
    client: &mut Client,
    src: &Source,
    outbox: &Outbox,
    batch_size: usize,
    max_batches: usize,
) -> Result<Cycle> {
    let mut cur = outbox.cursor()?;
    let head = src.head_seq()?;
    if head < cur.events_seq {
        tracing::warn!(
            "the local ledger ends at {head} but {} events were shipped: it was replaced; shipping it again from the start",
            cur.events_seq
        );
        cur = Cursor::default();
        outbox.save(cur)?;
    }
    let host = src.identity.host_id.clone();
    let mut cycle = Cycle::default();
    let mut batches = 0;
    loop {
        if batches >= max_batches {
            break;
        }
        let rows = src.read_after(cur.events_seq, batch_size.max(1))?;
        let Some(last) = rows.last() else {
            cycle.caught_up = true;
            break;
        };
        let last_seq = last.seq as u64;
        let (inserted, conflicts) = insert_events(client, &host, &rows)?;
        cycle.inserted += inserted;
        cycle.conflicts += conflicts;
        cycle.duplicates += rows.len() as u64 - inserted;
        cur.events_seq = last_seq;
        outbox.save(cur)?;
        batches += 1;
    }
    let (cps, offset) = src.read_checkpoints(cur.checkpoints_offset, cur.events_seq)?;
    if !cps.is_empty() {
        cycle.checkpoints = insert_checkpoints(client, &host, &cps)?;
    }
    if offset != cur.checkpoints_offset {
        cur.checkpoints_offset = offset;
        outbox.save(cur)?;
    }
    cycle.shipped_seq = cur.events_seq;
    Ok(cycle)
}

/// Ship everything `data_dir` has to `url` now: connect, check the schema,
/// register, and pass until caught up. Returns the summed passes.
pub fn ship_all(url: &str, data_dir: &Path, batch_size: usize) -> Result<Cycle> {
    let src = Source::open(data_dir)?;
    let outbox = Outbox::open(data_dir, &crate::conn::target_key(url)?)?;
    let mut client = crate::conn::connect(url)?;
    crate::schema::require_current(&mut client)?;
    register(&mut client, &src.identity)?;
    let mut total = Cycle::default();
    loop {
        let c = ship_cycle(&mut client, &src, &outbox, batch_size, 64)?;
        total.inserted += c.inserted;
        total.duplicates += c.duplicates;
        total.conflicts += c.conflicts;
        total.checkpoints += c.checkpoints;
        total.shipped_seq = c.shipped_seq;
        if c.caught_up {
            total.caught_up = true;
            return Ok(total);
        }
    }
}
