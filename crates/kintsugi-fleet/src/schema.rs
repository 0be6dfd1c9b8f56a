//! The central schema, created and migrated by `kintsugi fleet init`.
//! Migrations are numbered and recorded in `schema_migrations`; each runs
//! once, in one transaction, under an advisory lock so two `init`s never
//! race. Tables live in the database's default schema. Identifiers, times
//! and words compare bytewise (`COLLATE "C"`): RFC 3339 text then sorts in
//! time order whatever the database's locale, and index comparisons are
//! plain memcmp.

use crate::{FleetError, Result};
use postgres::{Client, Transaction};

/// The version this build writes and expects.
pub const SCHEMA_VERSION: i32 = 2;

type Step = fn(&mut Transaction<'_>) -> Result<()>;

const MIGRATIONS: &[(i32, &str, Step)] = &[
    (1, "hosts, events, checkpoints, conflicts, key changes", v1),
    (2, "text search on the command", v2),
];

const V1: &str = r#"
CREATE TABLE hosts (
    host_id       TEXT COLLATE "C" PRIMARY KEY,
    hostname      TEXT NOT NULL,
    pubkey        TEXT NOT NULL,
    registered_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_seen     TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TABLE key_changes (
    host_id        TEXT COLLATE "C" NOT NULL,
    registered_key TEXT NOT NULL,
    presented_key  TEXT NOT NULL,
    hostname       TEXT NOT NULL,
    first_seen     TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_seen      TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (host_id, presented_key)
);
CREATE TABLE events (
    host_id   TEXT COLLATE "C" NOT NULL,
    seq       BIGINT NOT NULL,
    ts        TEXT COLLATE "C" NOT NULL,
    kind      TEXT COLLATE "C" NOT NULL,
    agent     TEXT COLLATE "C" NOT NULL,
    session   TEXT COLLATE "C",
    cwd       TEXT NOT NULL,
    raw       TEXT NOT NULL,
    argv      TEXT NOT NULL,
    class     TEXT COLLATE "C",
    decision  TEXT COLLATE "C",
    rule      TEXT,
    reason    TEXT,
    summary   TEXT,
    risk      BIGINT,
    snapshot  TEXT,
    pending   TEXT,
    peer_pid  BIGINT,
    peer_uid  BIGINT,
    detail    TEXT,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL,
    received_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (host_id, seq) -- also the per-host index
);
CREATE INDEX events_ts ON events (ts);
CREATE INDEX events_agent ON events (agent);
CREATE INDEX events_class ON events (class);
CREATE TABLE event_conflicts (LIKE events INCLUDING DEFAULTS);
ALTER TABLE event_conflicts ADD PRIMARY KEY (host_id, seq, hash);
CREATE TABLE checkpoints (
    host_id     TEXT COLLATE "C" NOT NULL,
    seq         BIGINT NOT NULL,
    head        TEXT NOT NULL,
    time        TEXT NOT NULL,
    key         TEXT NOT NULL,
    sig         TEXT NOT NULL,
    received_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (host_id, seq, sig)
);
"#;

fn v1(tx: &mut Transaction<'_>) -> Result<()> {
    tx.batch_execute(V1)?;
    Ok(())
}

/// pg_trgm (postgresql-contrib) makes `--grep` an index lookup; without it a
/// full-text index on the words of the command is the fallback.
fn v2(tx: &mut Transaction<'_>) -> Result<()> {
    let available: bool = tx
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm')",
            &[],
        )?
        .get(0);
    if available {
        let mut sp = tx.transaction()?;
        let made = sp
            .batch_execute(
                "CREATE EXTENSION IF NOT EXISTS pg_trgm;
                 CREATE INDEX events_raw_trgm ON events USING gin (raw gin_trgm_ops);",
            )
            .is_ok();
        if made {
            sp.commit()?;
            return Ok(());
        }
        sp.rollback()?;
    }
    tx.batch_execute(
        "CREATE INDEX events_raw_words ON events USING gin (to_tsvector('simple', raw));",
    )?;
    Ok(())
}

/// The highest applied migration (0 when `fleet init` never ran).
pub fn schema_version(client: &mut Client) -> Result<i32> {
    let exists: bool = client
        .query_one("SELECT to_regclass('schema_migrations') IS NOT NULL", &[])?
        .get(0);
    if !exists {
        return Ok(0);
    }
    let v: Option<i32> = client
        .query_one("SELECT max(version) FROM schema_migrations", &[])?
        .get(0);
    Ok(v.unwrap_or(0))
}

/// Create or migrate the central schema. Returns the migrations applied now
/// (empty when it was already current).
pub fn init(client: &mut Client) -> Result<Vec<(i32, &'static str)>> {
    let mut tx = client.transaction()?;
    tx.batch_execute(
        "SELECT pg_advisory_xact_lock(hashtext('kintsugi-fleet-migrate'));
         CREATE TABLE IF NOT EXISTS schema_migrations (
             version    INTEGER PRIMARY KEY,
             name       TEXT NOT NULL,
             applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
         );",
    )?;
    let current: Option<i32> = tx
        .query_one("SELECT max(version) FROM schema_migrations", &[])?
        .get(0);
    let current = current.unwrap_or(0);
    if current > SCHEMA_VERSION {
        return Err(FleetError::Invalid(format!(
            "the central schema is at version {current}, newer than this build's {SCHEMA_VERSION}; upgrade kintsugi"
        )));
    }
    let mut applied = Vec::new();
    for (version, name, step) in MIGRATIONS {
        if *version <= current {
            continue;
        }
        step(&mut tx)?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
            &[version, name],
        )?;
        applied.push((*version, *name));
    }
    tx.commit()?;
    Ok(applied)
}

/// Fail unless the schema is exactly what this build expects.
pub(crate) fn require_current(client: &mut Client) -> Result<()> {
    match schema_version(client)? {
        SCHEMA_VERSION => Ok(()),
        0 => Err(FleetError::Invalid(
            "the central database has no Kintsugi schema; run `kintsugi fleet init URL` once"
                .into(),
        )),
        v if v < SCHEMA_VERSION => Err(FleetError::Invalid(format!(
            "the central schema is at version {v}, this build needs {SCHEMA_VERSION}; run `kintsugi fleet init URL` to migrate"
        ))),
        v => Err(FleetError::Invalid(format!(
            "the central schema is at version {v}, newer than this build's {SCHEMA_VERSION}; upgrade kintsugi"
        ))),
    }
}
