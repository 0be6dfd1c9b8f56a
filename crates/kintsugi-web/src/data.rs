//! What the control room reads: requests to the daemon over its socket (on
//! a blocking thread each), and the ledger and snapshot store read-only,
//! paged and filtered in SQL so a large ledger is never loaded whole.

use kintsugi_ledger::{
    CHECKPOINTS_FILE, DB_FILE, Filter, PUBKEY_FILE, open_read_only, query, read_checkpoints, verify,
};
use kintsugi_ledger_wire::stored_event_record;
use kintsugi_protocol::{Client, EventRecord, Request, Response};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Events in one page of `/api/events` unless `limit` asks for fewer.
pub const DEFAULT_PAGE: usize = 100;
/// Most events one page of `/api/events` returns.
pub const MAX_PAGE: usize = 500;
/// Most snapshots `/api/snapshots` lists (newest first).
pub const MAX_SNAPSHOTS_LISTED: usize = 500;
/// Longest search text accepted by `/api/events` (characters).
pub const MAX_SEARCH_CHARS: usize = 500;
/// How long one daemon request may take (an approval waits for its snapshot).
pub const DAEMON_TIMEOUT: Duration = Duration::from_secs(120);

/// Where the daemon and its files are, and how to learn which agents are
/// wired (the CLI knows each agent's config; this crate does not).
#[derive(Debug, Clone)]
pub struct Places {
    pub socket: PathBuf,
    pub data_dir: PathBuf,
    /// Each known agent: installed on this machine, and whether its hook
    /// runs Kintsugi. Asked on every `/api/agents`, so `init` or `init
    /// --undo` while the page is open shows at the next look.
    pub wiring: fn() -> Vec<Wiring>,
}

/// One agent's wiring as `kintsugi doctor` reads it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Wiring {
    /// The agent's name (`claude`, `codex`, …; its hook proposes as
    /// `hook:NAME`).
    pub agent: String,
    pub installed: bool,
    pub wired: bool,
}

/// No agent configs known (tests that serve without the CLI).
pub fn no_wiring() -> Vec<Wiring> {
    Vec::new()
}

/// One request on a fresh connection; an `error` answer becomes `Err`.
pub fn ask(socket: &Path, req: &Request) -> Result<Response, String> {
    let mut c = Client::connect(socket).map_err(|e| {
        format!(
            "cannot reach the daemon at {}: {e} (is `kintsugi daemon` running?)",
            socket.display()
        )
    })?;
    c.set_read_timeout(Some(DAEMON_TIMEOUT))
        .map_err(|e| e.to_string())?;
    match c.request(req).map_err(|e| e.to_string())? {
        Response::Error { message } => Err(message),
        other => Ok(other),
    }
}

/// [`ask`] on a blocking thread.
pub async fn ask_async(socket: PathBuf, req: Request) -> Result<Response, String> {
    tokio::task::spawn_blocking(move || ask(&socket, &req))
        .await
        .map_err(|e| format!("the daemon request failed: {e}"))?
}

/// The filters of `/api/events`, already checked.
#[derive(Debug, Clone, Default)]
pub struct EventQuery {
    pub agent: Option<String>,
    pub session: Option<String>,
    pub class: Option<String>,
    pub decision: Option<String>,
    /// The event kind (`propose`, `approve`, `deny`, `refused`, …).
    pub kind: Option<String>,
    pub text: Option<String>,
    pub before: Option<u64>,
    pub limit: usize,
}

impl EventQuery {
    /// Build from query parameters; `Err` says which one is wrong.
    pub fn parse(get: impl Fn(&str) -> Option<String>) -> Result<EventQuery, String> {
        let number = |name: &str| -> Result<Option<u64>, String> {
            get(name)
                .map(|v| {
                    v.parse::<u64>()
                        .map_err(|_| format!("`{name}` must be a whole number, not `{v}`"))
                })
                .transpose()
        };
        let limit = number("limit")?.map(|n| n as usize).unwrap_or(DEFAULT_PAGE);
        if limit == 0 || limit > MAX_PAGE {
            return Err(format!("`limit` must be between 1 and {MAX_PAGE}"));
        }
        let text = get("text");
        if text
            .as_ref()
            .is_some_and(|t| t.chars().count() > MAX_SEARCH_CHARS)
        {
            return Err(format!(
                "`text` is longer than {MAX_SEARCH_CHARS} characters"
            ));
        }
        Ok(EventQuery {
            agent: get("agent"),
            session: get("session"),
            class: get("class"),
            decision: get("decision"),
            kind: get("kind"),
            text,
            before: number("before")?,
            limit,
        })
    }
}

/// One page of events, newest first, and the cursor for the next page.
pub fn events(data_dir: &Path, q: &EventQuery) -> Result<Value, String> {
    let conn = open_read_only(&data_dir.join(DB_FILE))
        .map_err(|e| format!("cannot open the ledger read-only: {e}"))?;
    let filter = Filter {
        agent: q.agent.clone(),
        session: q.session.clone(),
        class: q.class.clone(),
        decision: q.decision.clone(),
        kind: q.kind.clone(),
        grep: q.text.clone(),
        before_seq: q.before,
        // One more than asked tells whether another page exists.
        limit: q.limit + 1,
        since: None,
        until: None,
    };
    let mut found = query(&conn, &filter).map_err(|e| format!("ledger query failed: {e}"))?;
    let more = found.len() > q.limit;
    found.truncate(q.limit);
    let next = if more {
        found.last().map(|e| e.seq)
    } else {
        None
    };
    let events: Vec<EventRecord> = found.iter().map(stored_event_record).collect();
    Ok(json!({ "events": events, "next_before": next }))
}

/// Agents seen in the ledger (events, last seen), and each known agent's
/// wiring (installed, hook wired).
pub fn agents(places: &Places) -> Result<Value, String> {
    let data_dir = &places.data_dir;
    let conn = open_read_only(&data_dir.join(DB_FILE))
        .map_err(|e| format!("cannot open the ledger read-only: {e}"))?;
    let mut stmt = conn
        .prepare(
            "SELECT agent, COUNT(*), MAX(ts), MAX(seq) FROM events \
             WHERE agent IS NOT NULL AND agent != '' GROUP BY agent ORDER BY MAX(seq) DESC",
        )
        .map_err(|e| e.to_string())?;
    let rows = stmt
        .query_map([], |r| {
            Ok(json!({
                "agent": r.get::<_, String>(0)?,
                "events": r.get::<_, i64>(1)?,
                "last_seen": r.get::<_, String>(2)?,
            }))
        })
        .map_err(|e| e.to_string())?;
    let list = rows
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())?;
    Ok(json!({ "agents": list, "wiring": (places.wiring)() }))
}

/// Snapshots, newest first, at most [`MAX_SNAPSHOTS_LISTED`].
pub fn snapshots(data_dir: &Path) -> Result<Value, String> {
    let store = kintsugi_snapshot::Store::in_data_dir(data_dir)
        .map_err(|e| format!("cannot open the snapshot store: {e}"))?;
    let mut list = kintsugi_snapshot::list(&store);
    list.reverse();
    list.truncate(MAX_SNAPSHOTS_LISTED);
    Ok(json!({ "snapshots": list }))
}

/// Verify the ledger's chain and signed checkpoints now.
pub fn verify_now(data_dir: &Path) -> Value {
    let checkpoints = match read_checkpoints(&data_dir.join(CHECKPOINTS_FILE)) {
        Ok(c) => c,
        Err(e) => {
            return json!({ "intact": false, "text": format!("cannot read the checkpoints: {e}") });
        }
    };
    let key = std::fs::read_to_string(data_dir.join(PUBKEY_FILE))
        .map(|k| k.trim().to_string())
        .unwrap_or_default();
    match verify(&data_dir.join(DB_FILE), &checkpoints, &key, &mut |_, _| {}) {
        Ok(r) if r.intact() => json!({
            "intact": true,
            "text": format!("INTACT: {} events, {} signed checkpoints", r.events, r.checkpoints),
        }),
        Ok(r) => json!({
            "intact": false,
            "text": format!("TAMPERED: first bad sequence {}: {}", r.findings[0].seq, r.findings[0].what),
        }),
        Err(e) => json!({ "intact": false, "text": format!("could not verify: {e}") }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> Result<EventQuery, String> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        EventQuery::parse(|n| pairs.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone()))
    }

    #[test]
    fn event_queries_are_checked() {
        assert_eq!(q(&[]).unwrap().limit, DEFAULT_PAGE);
        assert!(q(&[("limit", "0")]).unwrap_err().contains("between 1"));
        assert!(q(&[("limit", &(MAX_PAGE + 1).to_string())]).is_err());
        assert!(q(&[("before", "x")]).unwrap_err().contains("`before`"));
        let long = "a".repeat(MAX_SEARCH_CHARS + 1);
        assert!(q(&[("text", &long)]).unwrap_err().contains("longer"));
        let ok = q(&[("agent", "claude"), ("before", "7"), ("text", "rm")]).unwrap();
        assert_eq!(ok.agent.as_deref(), Some("claude"));
        assert_eq!(ok.before, Some(7));
    }
}
