//! Reading events back for `kintsugi log` and `report`: newest first, paged,
//! filtered in SQL so a large ledger is never loaded whole.

use crate::Result;
use crate::event::Event;
use crate::store::{COLUMNS, row_to_event};
use rusqlite::{Connection, ToSql};

/// Filters for [`query`]; every `Some` narrows the result.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub agent: Option<String>,
    pub session: Option<String>,
    pub class: Option<String>,
    pub decision: Option<String>,
    pub kind: Option<String>,
    /// Substring of the raw command (case-sensitive).
    pub grep: Option<String>,
    /// Inclusive lower bound on `ts` (RFC 3339).
    pub since: Option<String>,
    /// Exclusive upper bound on `ts` (RFC 3339).
    pub until: Option<String>,
    /// Only events with a sequence number below this (paging cursor).
    pub before_seq: Option<u64>,
    pub limit: usize,
}

/// Events matching `filter`, newest first.
pub fn query(conn: &Connection, filter: &Filter) -> Result<Vec<Event>> {
    let mut clauses: Vec<&str> = Vec::new();
    let mut args: Vec<Box<dyn ToSql>> = Vec::new();
    let mut push = |clause: &'static str, value: Box<dyn ToSql>| {
        clauses.push(clause);
        args.push(value);
    };
    if let Some(v) = &filter.agent {
        push("agent = ?", Box::new(v.clone()));
    }
    if let Some(v) = &filter.session {
        push("session = ?", Box::new(v.clone()));
    }
    if let Some(v) = &filter.class {
        push("class = ?", Box::new(v.clone()));
    }
    if let Some(v) = &filter.decision {
        push("decision = ?", Box::new(v.clone()));
    }
    if let Some(v) = &filter.kind {
        push("kind = ?", Box::new(v.clone()));
    }
    if let Some(v) = &filter.grep {
        push("instr(raw, ?) > 0", Box::new(v.clone()));
    }
    if let Some(v) = &filter.since {
        push("ts >= ?", Box::new(v.clone()));
    }
    if let Some(v) = &filter.until {
        push("ts < ?", Box::new(v.clone()));
    }
    if let Some(v) = filter.before_seq {
        push("seq < ?", Box::new(v as i64));
    }
    let mut sql = format!("SELECT {COLUMNS} FROM events");
    if !clauses.is_empty() {
        sql.push_str(" WHERE ");
        sql.push_str(&clauses.join(" AND "));
    }
    sql.push_str(&format!(" ORDER BY seq DESC LIMIT {}", filter.limit.max(1)));
    let mut stmt = conn.prepare(&sql)?;
    let params: Vec<&dyn ToSql> = args.iter().map(|b| b.as_ref()).collect();
    let rows = stmt.query_map(params.as_slice(), row_to_event)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}
