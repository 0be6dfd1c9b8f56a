//! The central store against a real PostgreSQL: schema migrations, shipping
//! and resuming without duplicates or gaps, an outage in the middle of a
//! batch, and every tamper `fleet verify` must catch (a forged row, a
//! rewritten history shipped under the same host id, a changed host key, a
//! deleted row, a missing tail).

mod common;
use common::*;
use kintsugi_fleet::{FleetReport, ship_all, verify};
use std::time::{Duration, Instant};

fn report(url: &str) -> FleetReport {
    verify(&mut client(url), None).unwrap()
}

fn kinds(r: &FleetReport) -> Vec<(&'static str, String)> {
    r.hosts
        .iter()
        .flat_map(|h| h.findings.iter().map(|f| (f.kind, f.what.clone())))
        .collect()
}

#[test]
fn init_is_versioned_and_idempotent() {
    let Some(server) = kintsugi_fleet::testdb::server_url() else {
        return;
    };
    let url = kintsugi_fleet::testdb::fresh_database(&server, "init").unwrap();
    let mut c = client(&url);
    assert_eq!(kintsugi_fleet::schema_version(&mut c).unwrap(), 0);
    let applied = kintsugi_fleet::init(&mut c).unwrap();
    assert_eq!(applied.iter().map(|a| a.0).collect::<Vec<_>>(), vec![1, 2]);
    assert!(kintsugi_fleet::init(&mut c).unwrap().is_empty());
    assert_eq!(
        kintsugi_fleet::schema_version(&mut c).unwrap(),
        kintsugi_fleet::SCHEMA_VERSION
    );
    let search_index = count(
        &url,
        "SELECT count(*) FROM pg_indexes WHERE tablename = 'events' AND indexname IN ('events_raw_trgm', 'events_raw_words')",
    );
    assert_eq!(search_index, 1);
}

#[test]
fn ships_and_resumes_without_duplicates_or_gaps() {
    let Some(url) = db("resume") else { return };
    let mut host = Host::new();
    host.append(250, "first");
    host.checkpoint();
    let c = ship_all(&url, host.path(), 100).unwrap();
    assert_eq!((c.inserted, c.duplicates, c.conflicts), (250, 0, 0));
    assert_eq!(c.checkpoints, 1);
    // A restart: a new source and outbox pick up at the saved cursor.
    host.append(100, "second");
    host.checkpoint();
    let c = ship_all(&url, host.path(), 100).unwrap();
    assert_eq!((c.inserted, c.duplicates), (100, 0));
    assert_eq!(count(&url, "SELECT count(*) FROM events"), 350);
    assert_eq!(count(&url, "SELECT max(seq) FROM events"), 350);
    // A lost cursor re-sends everything; nothing is stored twice.
    std::fs::remove_file(host.path().join(kintsugi_fleet::OUTBOX_FILE)).unwrap();
    let c = ship_all(&url, host.path(), 100).unwrap();
    assert_eq!((c.inserted, c.duplicates, c.conflicts), (0, 350, 0));
    assert_eq!(count(&url, "SELECT count(*) FROM events"), 350);
    let r = report(&url);
    assert!(r.intact(), "{:?}", kinds(&r));
    assert_eq!(r.hosts[0].last_matched_checkpoint, Some(350));
    assert_eq!(r.events, 350);
}

/// Wait for the shipper's backend to block on the lock, then kill it.
fn terminate_blocked_shipper(url: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut admin = client(url);
    loop {
        let n: i64 = admin
            .query_one(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity \
                 WHERE datname = current_database() AND application_name = 'kintsugi-fleet' \
                 AND wait_event_type = 'Lock'",
                &[],
            )
            .unwrap()
            .get(0);
        if n > 0 {
            return;
        }
        assert!(Instant::now() < deadline, "the shipper never blocked");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn outage_mid_batch_then_everything_arrives_exactly_once() {
    let Some(url) = db("outage").map(|u| u.replace("?", "?application_name=kintsugi-fleet&"))
    else {
        return;
    };
    let mut host = Host::new();
    host.append(3000, "before");
    host.checkpoint();
    ship_all(&url, host.path(), 500).unwrap();
    host.append(2000, "during");
    host.checkpoint();
    // Hold the events table so the next batch stops between its COPY and
    // its INSERT, then kill the shipper's connection right there.
    let mut locker = client(&url);
    let mut tx = locker.transaction().unwrap();
    tx.batch_execute("LOCK TABLE events IN SHARE ROW EXCLUSIVE MODE")
        .unwrap();
    let dir = host.path().to_path_buf();
    let u = url.clone();
    let shipping = std::thread::spawn(move || ship_all(&u, &dir, 500));
    terminate_blocked_shipper(&url);
    assert!(shipping.join().unwrap().is_err());
    tx.rollback().unwrap();
    // The database then refuses every connection for a while.
    let db_name: String = client(&url)
        .query_one("SELECT current_database()", &[])
        .unwrap()
        .get(0);
    let server = kintsugi_fleet::testdb::server_url().unwrap();
    let mut admin = client(&server);
    admin
        .batch_execute(&format!(
            "ALTER DATABASE \"{db_name}\" ALLOW_CONNECTIONS false"
        ))
        .unwrap();
    host.append(500, "offline");
    host.checkpoint();
    assert!(ship_all(&url, host.path(), 500).is_err());
    admin
        .batch_execute(&format!(
            "ALTER DATABASE \"{db_name}\" ALLOW_CONNECTIONS true"
        ))
        .unwrap();
    let c = ship_all(&url, host.path(), 500).unwrap();
    assert_eq!(c.conflicts, 0);
    assert_eq!(c.inserted, 2500);
    assert_eq!(count(&url, "SELECT count(*) FROM events"), 5500);
    assert_eq!(count(&url, "SELECT count(DISTINCT seq) FROM events"), 5500);
    assert_eq!(count(&url, "SELECT max(seq) FROM events"), 5500);
    assert_eq!(count(&url, "SELECT count(*) FROM event_conflicts"), 0);
    let r = report(&url);
    assert!(r.intact(), "{:?}", kinds(&r));
    assert_eq!(r.hosts[0].last_matched_checkpoint, Some(5500));
}

#[test]
fn forged_central_row_is_caught() {
    let Some(url) = db("forged") else { return };
    let mut host = Host::new();
    host.append(20, "real");
    host.checkpoint();
    ship_all(&url, host.path(), 100).unwrap();
    assert!(report(&url).intact());
    client(&url)
        .batch_execute("UPDATE events SET raw = 'echo harmless' WHERE seq = 7")
        .unwrap();
    let r = report(&url);
    assert!(!r.intact());
    let f = &r.hosts[0].findings[0];
    assert_eq!((f.kind, f.seq), ("chain", Some(7)));
    assert!(f.what.contains("edited"), "{}", f.what);
}

#[test]
fn rewritten_history_under_the_same_host_id_is_a_fork() {
    let Some(url) = db("fork") else { return };
    let mut host = Host::new();
    host.append(50, "true-history");
    host.checkpoint();
    ship_all(&url, host.path(), 100).unwrap();
    // The same host id and key, a different ledger: a rewritten history.
    let mut liar = Host::impersonating(&host, true);
    liar.append(60, "rewritten");
    liar.checkpoint();
    let c = ship_all(&url, liar.path(), 100).unwrap();
    assert_eq!(c.conflicts, 50, "every shared seq differs");
    assert_eq!(c.inserted, 10);
    assert_eq!(count(&url, "SELECT count(*) FROM event_conflicts"), 50);
    let r = report(&url);
    assert!(!r.intact());
    let found = kinds(&r);
    assert!(found.iter().any(|(k, _)| *k == "fork"), "{found:?}");
    assert!(
        found.iter().any(|(_, w)| w.contains("rewritten")),
        "the rewritten chain's checkpoint does not match: {found:?}"
    );
}

#[test]
fn changed_host_key_is_flagged() {
    let Some(url) = db("rekey") else { return };
    let mut host = Host::new();
    host.append(10, "a");
    host.checkpoint();
    ship_all(&url, host.path(), 100).unwrap();
    let mut rekeyed = Host::impersonating(&host, false);
    rekeyed.append(5, "b");
    rekeyed.checkpoint();
    ship_all(&url, rekeyed.path(), 100).unwrap();
    assert_eq!(count(&url, "SELECT count(*) FROM key_changes"), 1);
    let registered: String = client(&url)
        .query_one("SELECT pubkey FROM hosts", &[])
        .unwrap()
        .get(0);
    let original = std::fs::read_to_string(host.path().join(kintsugi_ledger::PUBKEY_FILE)).unwrap();
    assert_eq!(registered, original.trim(), "the registered key is kept");
    let r = report(&url);
    let found = kinds(&r);
    assert!(found.iter().any(|(k, _)| *k == "key-changed"), "{found:?}");
    assert!(
        found.iter().any(|(_, w)| w.contains("not authentic")),
        "checkpoints under the new key are not accepted: {found:?}"
    );
}

#[test]
fn deleted_row_and_missing_tail_are_caught() {
    let Some(url) = db("gaps") else { return };
    let mut host = Host::new();
    host.append(100, "x");
    host.checkpoint();
    ship_all(&url, host.path(), 30).unwrap();
    client(&url)
        .batch_execute("DELETE FROM events WHERE seq = 40 OR seq > 90")
        .unwrap();
    let r = report(&url);
    let found = kinds(&r);
    assert!(
        found.iter().any(|(_, w)| w.contains("jumps from 39 to 41")),
        "{found:?}"
    );
    assert!(
        found.iter().any(|(_, w)| w.contains("truncated")),
        "{found:?}"
    );
}

#[test]
fn query_filters_across_hosts() {
    let Some(url) = db("query") else { return };
    let mut a = Host::new();
    let mut b = Host::new();
    a.append(30, "alpha");
    b.append(30, "beta");
    ship_all(&url, a.path(), 100).unwrap();
    ship_all(&url, b.path(), 100).unwrap();
    let mut c = client(&url);
    let all = kintsugi_fleet::query(
        &mut c,
        &kintsugi_fleet::FleetFilter {
            limit: 1000,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(all.len(), 60);
    let a_id = kintsugi_fleet::load_or_create_host_id(a.path()).unwrap();
    let only_a = kintsugi_fleet::query(
        &mut c,
        &kintsugi_fleet::FleetFilter {
            host: Some(a_id.clone()),
            classes: vec!["catastrophic".into()],
            kinds: vec!["propose".into()],
            limit: 1000,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(!only_a.is_empty());
    assert!(only_a.iter().all(|e| e.host_id == a_id
        && e.event.body.class.as_deref() == Some("catastrophic")
        && e.event.body.kind == "propose"));
    let grep = kintsugi_fleet::query(
        &mut c,
        &kintsugi_fleet::FleetFilter {
            grep: Some("beta command number 1".into()),
            limit: 1000,
            ..Default::default()
        },
    )
    .unwrap();
    // 1, 10..19
    assert_eq!(grep.len(), 11);
    let none = kintsugi_fleet::query(
        &mut c,
        &kintsugi_fleet::FleetFilter {
            grep: Some("%".into()),
            limit: 10,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(none.is_empty(), "LIKE metacharacters are literal");
}
