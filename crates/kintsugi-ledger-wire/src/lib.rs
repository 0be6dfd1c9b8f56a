//! Ledger events in their wire form: the one place that turns a ledger
//! event (`kintsugi_ledger::NewEvent` with its sequence number and time)
//! into the protocol's `EventRecord`, for the daemon's `subscribe` stream
//! and for the control rooms (`kintsugi tui`, `kintsugi web`) reading
//! history from the ledger.
//!
//! It is a crate of its own because neither side may name the other: the
//! protocol depends on none of our crates and the ledger never on the
//! protocol (ARCHITECTURE.md, dependency rules).
#![forbid(unsafe_code)]

use kintsugi_ledger::{Event, NewEvent};
use kintsugi_protocol::EventRecord;

/// The wire form of the event `body` committed as `seq` at `ts`. What the
/// ledger keeps beyond the wire form (argv, peer, detail, hashes) stays out.
pub fn event_record(seq: u64, ts: &str, body: &NewEvent) -> EventRecord {
    EventRecord {
        seq,
        ts: ts.to_string(),
        kind: body.kind.clone(),
        agent: body.agent.clone(),
        session: body.session.clone(),
        cwd: body.cwd.clone(),
        raw: body.raw.clone(),
        class: body.class.clone(),
        decision: body.decision.clone(),
        rule: body.rule.clone(),
        reason: body.reason.clone(),
        summary: body.summary.clone(),
        risk: body.risk,
        snapshot: body.snapshot.clone(),
        pending: body.pending.clone(),
    }
}

/// The wire form of an event read back from the ledger.
pub fn stored_event_record(e: &Event) -> EventRecord {
    event_record(e.seq, &e.ts, &e.body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body() -> NewEvent {
        NewEvent {
            kind: "propose".into(),
            agent: "hook:claude".into(),
            session: Some("s-1".into()),
            cwd: "/home/u/proj".into(),
            raw: "rm -rf build".into(),
            argv: vec!["rm".into(), "-rf".into(), "build".into()],
            class: Some("destructive".into()),
            decision: Some("hold".into()),
            rule: Some("rm-recursive".into()),
            reason: Some("deletes a tree".into()),
            summary: Some("deletes build/".into()),
            risk: Some(7),
            snapshot: Some("snap-9".into()),
            pending: Some("p-3".into()),
            peer_pid: Some(41),
            peer_uid: Some(1000),
            detail: Some("{\"id\":\"c-1\"}".into()),
        }
    }

    /// Compared by name through JSON, so a field added to both types is
    /// checked too: each wire field holds the ledger field of that name.
    #[test]
    fn every_wire_field_is_carried_from_the_event() {
        let wire = serde_json::to_value(event_record(12, "2026-12-03T23:00:00Z", &body())).unwrap();
        let ledger = serde_json::to_value(body()).unwrap();
        let wire = wire.as_object().unwrap();
        assert_eq!(wire["seq"], 12);
        assert_eq!(wire["ts"], "2026-12-03T23:00:00Z");
        let carried: Vec<&String> = wire.keys().filter(|k| *k != "seq" && *k != "ts").collect();
        // Every optional field is set in `body()`, so none is skipped.
        assert_eq!(carried.len(), 13, "{carried:?}");
        for k in carried {
            assert_eq!(wire[k.as_str()], ledger[k.as_str()], "field {k}");
        }
    }

    #[test]
    fn a_stored_event_converts_like_a_committed_one() {
        let stored = Event {
            seq: 5,
            ts: "2026-12-03T23:00:01Z".into(),
            body: body(),
            prev_hash: "aa".into(),
            hash: "bb".into(),
        };
        assert_eq!(
            stored_event_record(&stored),
            event_record(5, "2026-12-03T23:00:01Z", &body())
        );
    }
}
