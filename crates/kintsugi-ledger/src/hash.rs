//! The canonical event encoding and its SHA-256 chain hash. The exact byte
//! layout is documented in `docs/LEDGER.md`; change it only with a new domain
//! tag.

use crate::event::NewEvent;
use sha2::{Digest, Sha256};

/// The `prev_hash` of the first event: 64 hex zeros.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

const DOMAIN: &[u8] = b"kintsugi-ledger-v1\0";

/// Every hashed column of one row, borrowed, in hashing order. Integers are
/// hashed as their decimal text; `argv` as the stored compact JSON text.
#[derive(Debug, Clone, Copy)]
pub struct HashInput<'a> {
    pub prev_hash: &'a str,
    pub seq: i64,
    pub ts: &'a str,
    pub kind: &'a str,
    pub agent: &'a str,
    pub session: Option<&'a str>,
    pub cwd: &'a str,
    pub raw: &'a str,
    pub argv_json: &'a str,
    pub class: Option<&'a str>,
    pub decision: Option<&'a str>,
    pub rule: Option<&'a str>,
    pub reason: Option<&'a str>,
    pub summary: Option<&'a str>,
    pub risk: Option<i64>,
    pub snapshot: Option<&'a str>,
    pub pending: Option<&'a str>,
    pub peer_pid: Option<i64>,
    pub peer_uid: Option<i64>,
    pub detail: Option<&'a str>,
}

fn field(h: &mut Sha256, value: Option<&[u8]>) {
    match value {
        None => h.update([0u8]),
        Some(v) => {
            h.update([1u8]);
            h.update((v.len() as u64).to_be_bytes());
            h.update(v);
        }
    }
}

fn text(h: &mut Sha256, value: Option<&str>) {
    field(h, value.map(str::as_bytes));
}

fn int(h: &mut Sha256, value: Option<i64>) {
    match value {
        None => field(h, None),
        Some(v) => field(h, Some(v.to_string().as_bytes())),
    }
}

/// SHA-256 (lowercase hex) over the domain tag and every field, each
/// length-prefixed, in the documented order.
pub fn hash_row(r: &HashInput<'_>) -> String {
    let mut h = Sha256::new();
    h.update(DOMAIN);
    text(&mut h, Some(r.prev_hash));
    int(&mut h, Some(r.seq));
    text(&mut h, Some(r.ts));
    text(&mut h, Some(r.kind));
    text(&mut h, Some(r.agent));
    text(&mut h, r.session);
    text(&mut h, Some(r.cwd));
    text(&mut h, Some(r.raw));
    text(&mut h, Some(r.argv_json));
    text(&mut h, r.class);
    text(&mut h, r.decision);
    text(&mut h, r.rule);
    text(&mut h, r.reason);
    text(&mut h, r.summary);
    int(&mut h, r.risk);
    text(&mut h, r.snapshot);
    text(&mut h, r.pending);
    int(&mut h, r.peer_pid);
    int(&mut h, r.peer_uid);
    text(&mut h, r.detail);
    hex::encode(h.finalize())
}

/// The hash of a new event appended after `prev_hash` as `seq` at `ts`.
pub fn event_hash(prev_hash: &str, seq: u64, ts: &str, e: &NewEvent, argv_json: &str) -> String {
    hash_row(&HashInput {
        prev_hash,
        seq: seq as i64,
        ts,
        kind: &e.kind,
        agent: &e.agent,
        session: e.session.as_deref(),
        cwd: &e.cwd,
        raw: &e.raw,
        argv_json,
        class: e.class.as_deref(),
        decision: e.decision.as_deref(),
        rule: e.rule.as_deref(),
        reason: e.reason.as_deref(),
        summary: e.summary.as_deref(),
        risk: e.risk.map(i64::from),
        snapshot: e.snapshot.as_deref(),
        pending: e.pending.as_deref(),
        peer_pid: e.peer_pid.map(i64::from),
        peer_uid: e.peer_uid.map(i64::from),
        detail: e.detail.as_deref(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(e: &NewEvent, seq: u64) -> String {
        event_hash(
            GENESIS_HASH,
            seq,
            "t",
            e,
            &serde_json::to_string(&e.argv).unwrap(),
        )
    }

    #[test]
    fn every_field_changes_the_hash() {
        let base = NewEvent {
            kind: "propose".into(),
            agent: "shim".into(),
            cwd: "/p".into(),
            raw: "ls".into(),
            ..Default::default()
        };
        let h0 = h(&base, 1);
        let mut variants = Vec::new();
        let mut e = base.clone();
        e.session = Some(String::new());
        variants.push(e);
        let mut e = base.clone();
        e.argv = vec!["ls".into()];
        variants.push(e);
        let mut e = base.clone();
        e.risk = Some(0);
        variants.push(e);
        let mut e = base.clone();
        e.detail = Some("{}".into());
        variants.push(e);
        for v in variants {
            assert_ne!(h(&v, 1), h0, "{v:?}");
        }
        assert_ne!(h(&base, 2), h0);
    }

    #[test]
    fn length_prefix_prevents_field_splicing() {
        let a = NewEvent {
            cwd: "ab".into(),
            raw: "c".into(),
            ..Default::default()
        };
        let b = NewEvent {
            cwd: "a".into(),
            raw: "bc".into(),
            ..Default::default()
        };
        assert_ne!(h(&a, 1), h(&b, 1));
    }
}
