//! Every kind of tampering `verify` must detect, on real SQLite files: an
//! edited field, a deleted row, reordered rows, a truncated tail, and a chain
//! recomputed from scratch after an edit.

use kintsugi_ledger::*;
use rusqlite::Connection;
use std::path::{Path, PathBuf};

struct Fixture {
    _dir: tempfile::TempDir,
    db: PathBuf,
    cps: Vec<Checkpoint>,
    key: String,
}

fn ev(i: usize) -> NewEvent {
    NewEvent {
        kind: "propose".into(),
        agent: "test".into(),
        cwd: "/p".into(),
        raw: format!("echo {i}"),
        argv: vec!["echo".into(), i.to_string()],
        class: Some("safe".into()),
        decision: Some("allow".into()),
        ..Default::default()
    }
}

/// 100 events with checkpoints at 50 and 100.
fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join(DB_FILE);
    let signer = Signer::load_or_create(dir.path(), None).unwrap();
    let mut ledger = Ledger::open(&db, Durability::Normal).unwrap();
    for chunk in 0..2 {
        let events: Vec<_> = (0..50).map(|i| ev(chunk * 50 + i)).collect();
        ledger
            .append(&events, &format!("2026-11-24T00:00:0{chunk}Z"))
            .unwrap();
        let (seq, head) = ledger.head();
        signer
            .checkpoint(seq, head, "2026-11-24T00:01:00Z")
            .unwrap();
    }
    ledger.close().unwrap();
    let cps = read_checkpoints(&dir.path().join(CHECKPOINTS_FILE)).unwrap();
    Fixture {
        key: signer.public_key_hex(),
        _dir: dir,
        db,
        cps,
    }
}

fn check(f: &Fixture) -> VerifyReport {
    verify(&f.db, &f.cps, &f.key, &mut |_, _| {}).unwrap()
}

fn sql(db: &Path, stmt: &str) {
    Connection::open(db).unwrap().execute_batch(stmt).unwrap();
}

fn first(r: &VerifyReport) -> &Finding {
    r.findings.first().expect("tampering went undetected")
}

#[test]
fn untouched_ledger_is_intact() {
    let f = fixture();
    let r = check(&f);
    assert!(r.intact(), "{:?}", r.findings);
    assert_eq!(r.events, 100);
    assert_eq!(r.last_checked_checkpoint, Some(100));
}

#[test]
fn edited_field_is_detected_at_its_sequence() {
    let f = fixture();
    sql(&f.db, "UPDATE events SET raw = 'rm -rf ~' WHERE seq = 37");
    let r = check(&f);
    assert_eq!(first(&r).seq, 37);
    assert!(first(&r).what.contains("edited"));
}

#[test]
fn edited_nullable_field_is_detected() {
    let f = fixture();
    sql(&f.db, "UPDATE events SET session = 'x' WHERE seq = 3");
    assert_eq!(first(&check(&f)).seq, 3);
}

#[test]
fn deleted_row_is_detected() {
    let f = fixture();
    sql(&f.db, "DELETE FROM events WHERE seq = 20");
    let r = check(&f);
    assert_eq!(first(&r).seq, 21);
    assert!(first(&r).what.contains("deleted"), "{:?}", r.findings);
}

#[test]
fn reordered_rows_are_detected() {
    let f = fixture();
    // Swap the contents of rows 10 and 11 (keeping their sequence numbers).
    sql(
        &f.db,
        "UPDATE events SET seq = -10 WHERE seq = 10;
         UPDATE events SET seq = 10 WHERE seq = 11;
         UPDATE events SET seq = 11 WHERE seq = -10;",
    );
    let r = check(&f);
    assert_eq!(first(&r).seq, 10);
}

#[test]
fn truncated_tail_behind_a_checkpoint_is_detected() {
    let f = fixture();
    sql(&f.db, "DELETE FROM events WHERE seq > 80");
    let r = check(&f);
    assert!(
        r.findings.iter().any(|x| x.what.contains("truncated")),
        "{:?}",
        r.findings
    );
}

#[test]
fn recomputed_chain_fails_the_signed_checkpoints() {
    let f = fixture();
    // Rewrite history: change event 5, then recompute every hash after it so
    // the chain itself is consistent again.
    let conn = Connection::open(&f.db).unwrap();
    conn.execute(
        "UPDATE events SET raw = 'nothing happened' WHERE seq = 5",
        [],
    )
    .unwrap();
    let rows: Vec<(i64, String, String, String)> = {
        let mut st = conn
            .prepare("SELECT seq, ts, raw, argv FROM events ORDER BY seq")
            .unwrap();
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .map(|r| r.unwrap())
            .collect()
    };
    let mut prev = GENESIS_HASH.to_string();
    for (seq, ts, raw, argv_json) in rows {
        let mut e = ev(0);
        e.raw = raw;
        e.argv = serde_json::from_str(&argv_json).unwrap();
        let hash = event_hash(&prev, seq as u64, &ts, &e, &argv_json);
        conn.execute(
            "UPDATE events SET prev_hash = ?1, hash = ?2 WHERE seq = ?3",
            rusqlite::params![prev, hash, seq],
        )
        .unwrap();
        prev = hash;
    }
    drop(conn);
    let r = check(&f);
    let f0 = first(&r);
    assert_eq!(f0.seq, 50, "{:?}", r.findings);
    assert!(f0.what.contains("rewritten"));
}

#[test]
fn forged_checkpoint_is_detected() {
    let mut f = fixture();
    f.cps[0].seq = 49;
    let r = check(&f);
    assert!(first(&r).what.contains("not authentic"));
}
