//! Reading events back across hosts for `kintsugi fleet log` and `report`:
//! the same filters as the local `log`, plus the host, newest first, built
//! as parameterised SQL (nothing the user types is spliced into it).

use crate::Result;
use crate::row::{COLUMNS, RawRow};
use kintsugi_ledger::Event;
use postgres::Client;
use postgres::types::ToSql;

/// Filters; every `Some` or non-empty list narrows the result.
#[derive(Debug, Clone, Default)]
pub struct FleetFilter {
    /// Host id or hostname.
    pub host: Option<String>,
    pub agent: Option<String>,
    pub session: Option<String>,
    /// Any of these classes.
    pub classes: Vec<String>,
    pub decision: Option<String>,
    /// Any of these kinds.
    pub kinds: Vec<String>,
    /// Substring of the raw command (case-sensitive).
    pub grep: Option<String>,
    /// Inclusive lower bound on `ts` (RFC 3339).
    pub since: Option<String>,
    /// Exclusive upper bound on `ts` (RFC 3339).
    pub until: Option<String>,
    pub limit: usize,
    pub offset: usize,
}

/// One event and the host it came from.
#[derive(Debug, Clone)]
pub struct HostEvent {
    pub host_id: String,
    pub hostname: Option<String>,
    pub event: Event,
}

fn like_pattern(s: &str) -> String {
    let mut out = String::from("%");
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// Events matching `f`, newest first (by time, then host, then sequence).
pub fn query(client: &mut Client, f: &FleetFilter) -> Result<Vec<HostEvent>> {
    let mut clauses: Vec<String> = Vec::new();
    let mut args: Vec<Box<dyn ToSql + Sync>> = Vec::new();
    let mut push = |clause: &str, value: Box<dyn ToSql + Sync>| {
        args.push(value);
        clauses.push(clause.replace('?', &format!("${}", args.len())));
    };
    if let Some(h) = &f.host {
        push(
            "(e.host_id = ? OR e.host_id IN (SELECT host_id FROM hosts WHERE hostname = ?))",
            Box::new(h.clone()),
        );
    }
    let eq = [
        ("e.agent", &f.agent),
        ("e.session", &f.session),
        ("e.decision", &f.decision),
    ];
    for (col, v) in eq {
        if let Some(v) = v {
            push(&format!("{col} = ?"), Box::new(v.clone()));
        }
    }
    if !f.classes.is_empty() {
        push("e.class = ANY(?)", Box::new(f.classes.clone()));
    }
    if !f.kinds.is_empty() {
        push("e.kind = ANY(?)", Box::new(f.kinds.clone()));
    }
    if let Some(g) = &f.grep {
        push("e.raw LIKE ?", Box::new(like_pattern(g)));
    }
    if let Some(v) = &f.since {
        push("e.ts >= ?", Box::new(v.clone()));
    }
    if let Some(v) = &f.until {
        push("e.ts < ?", Box::new(v.clone()));
    }
    let cols: Vec<String> = COLUMNS.split(", ").map(|c| format!("e.{c}")).collect();
    let mut sql = format!(
        "SELECT e.host_id, h.hostname, {} FROM events e LEFT JOIN hosts h ON h.host_id = e.host_id",
        cols.join(", ")
    );
    if !clauses.is_empty() {
        sql.push_str(" WHERE ");
        sql.push_str(&clauses.join(" AND "));
    }
    sql.push_str(&format!(
        " ORDER BY e.ts DESC, e.host_id, e.seq DESC LIMIT {} OFFSET {}",
        f.limit.max(1),
        f.offset
    ));
    let params: Vec<&(dyn ToSql + Sync)> = args.iter().map(|b| b.as_ref()).collect();
    let rows = client.query(&sql, &params)?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(HostEvent {
            host_id: r.get(0),
            hostname: r.get(1),
            event: RawRow::from_pg(&r, 2)?.into_event(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn like_metacharacters_are_literal() {
        assert_eq!(super::like_pattern("a%b_c\\"), "%a\\%b\\_c\\\\%");
    }
}
