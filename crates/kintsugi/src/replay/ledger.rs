//! `--against-ledger`: was a transcript's call seen by Kintsugi? Seen means
//! an event of a kind an interceptor writes before the command runs
//! ([`SEEN_KINDS`]) with the same command text after redaction, recorded
//! within [`LEDGER_WINDOW_SECS`] of the time the agent gave the call. A call
//! without a time matches on its text alone.

use anyhow::{Context as _, Result};
use kintsugi_ledger::{Filter, open_read_only, query};
use rusqlite::Connection;
use std::path::Path;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Seconds either side of a transcript call's time within which a ledger
/// event with the same command text counts as Kintsugi having seen it (the
/// agent stamps the call before its hook runs; the daemon stamps the
/// proposal when it arrives).
pub const LEDGER_WINDOW_SECS: i64 = 300;
/// Most ledger events with the same command text examined for one call.
pub const MAX_LEDGER_CANDIDATES: usize = 10_000;
/// Event kinds that mean an interceptor showed Kintsugi the command before
/// it ran: a hook's, shim's, `exec`'s or MCP's `propose`, the recorder's
/// `record`.
pub const SEEN_KINDS: [&str; 2] = ["propose", "record"];

/// The ledger, opened read-only.
pub struct Ledger {
    conn: Connection,
    /// Events already read, per command text (calls repeat: `ls`, `git
    /// status`), so each distinct text is looked up once.
    cache: std::cell::RefCell<std::collections::HashMap<String, Vec<SeenBy>>>,
}

/// The ledger event that saw a call.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SeenBy {
    pub seq: u64,
    pub ts: String,
    pub agent: String,
    pub decision: Option<String>,
}

/// Parse an RFC 3339 time.
pub fn parse_time(ts: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(ts, &Rfc3339).ok()
}

impl Ledger {
    /// Open `ledger.db` in `data_dir` read-only.
    pub fn open(data_dir: &Path) -> Result<Ledger> {
        let path = data_dir.join(kintsugi_ledger::DB_FILE);
        if !path.exists() {
            anyhow::bail!(
                "no ledger at {} (--against-ledger needs the daemon's data dir: set KINTSUGI_DATA_DIR or --data-dir)",
                path.display()
            );
        }
        let conn = open_read_only(&path)
            .with_context(|| format!("cannot open the ledger {}", path.display()))?;
        Ok(Ledger {
            conn,
            cache: Default::default(),
        })
    }

    /// Every event of [`SEEN_KINDS`] whose command is exactly `redacted`.
    fn events_for(&self, redacted: &str) -> Result<Vec<SeenBy>> {
        if let Some(hit) = self.cache.borrow().get(redacted) {
            return Ok(hit.clone());
        }
        let mut found = Vec::new();
        for kind in SEEN_KINDS {
            let filter = Filter {
                kind: Some(kind.to_string()),
                grep: Some(redacted.to_string()),
                limit: MAX_LEDGER_CANDIDATES,
                ..Default::default()
            };
            for e in query(&self.conn, &filter).context("cannot read the ledger")? {
                if e.body.raw == redacted {
                    found.push(SeenBy {
                        seq: e.seq,
                        ts: e.ts,
                        agent: e.body.agent,
                        decision: e.body.decision,
                    });
                }
            }
        }
        self.cache
            .borrow_mut()
            .insert(redacted.to_string(), found.clone());
        Ok(found)
    }

    /// The event that saw `redacted` (the call's command as the daemon
    /// stores it) near `time`, if any; the closest in time wins.
    pub fn seen(&self, redacted: &str, time: Option<&str>) -> Result<Option<SeenBy>> {
        let at = time.and_then(parse_time);
        let mut best: Option<(i128, SeenBy)> = None;
        for e in self.events_for(redacted)? {
            let gap = match (at, parse_time(&e.ts)) {
                (Some(a), Some(t)) => (t - a).whole_milliseconds().abs(),
                (Some(_), None) => continue,
                (None, _) => 0,
            };
            if gap > i128::from(LEDGER_WINDOW_SECS) * 1000 {
                continue;
            }
            if best.as_ref().is_none_or(|(g, _)| gap < *g) {
                best = Some((gap, e));
            }
        }
        Ok(best.map(|(_, s)| s))
    }
}
