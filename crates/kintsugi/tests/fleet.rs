//! Fleet shipping from a real daemon to a real PostgreSQL (see
//! scripts/pg-test-server; skipped without `KINTSUGI_TEST_PG_URL`, failed
//! when `KINTSUGI_REQUIRE_PG=1`): events arrive within seconds, a restart
//! resumes with no duplicates and no gaps, an outage grows the backlog that
//! `status` shows and then drains, and the CLI's `fleet verify` / `fleet log`
//! work from the central database alone.

mod common;
use common::*;
use std::time::{Duration, Instant};

/// A fresh central database, initialised through `kintsugi fleet init`.
fn central(sb: &Sandbox, name: &str) -> Option<(String, String)> {
    let server = kintsugi_fleet::testdb::server_url()?;
    let url = kintsugi_fleet::testdb::fresh_database(&server, name).unwrap();
    let out = sb.run(&["fleet", "init", &url]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("applied migration 1"));
    Some((server, url))
}

fn count(url: &str, sql: &str) -> i64 {
    kintsugi_fleet::connect(url)
        .unwrap()
        .query_one(sql, &[])
        .unwrap()
        .get(0)
}

fn status(sb: &Sandbox) -> serde_json::Value {
    let out = sb.run(&["status", "--json"]);
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Wait until the central store holds every event the daemon committed.
fn wait_shipped(sb: &Sandbox, url: &str, within: Duration) -> Duration {
    let start = Instant::now();
    loop {
        let head = status(sb)["ledger_len"].as_i64().unwrap();
        if count(url, "SELECT count(*) FROM events") == head {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < within,
            "not shipped within {within:?}: {}",
            status(sb)
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn no_gaps_no_duplicates(url: &str) {
    let n = count(url, "SELECT count(*) FROM events");
    assert_eq!(count(url, "SELECT count(DISTINCT seq) FROM events"), n);
    assert_eq!(count(url, "SELECT max(seq) FROM events"), n);
    assert_eq!(count(url, "SELECT count(*) FROM event_conflicts"), 0);
}

fn config(url: &str) -> String {
    format!(
        "[fleet]\nurl = \"{url}\"\npoll_interval_ms = 100\nretry_min_ms = 100\nretry_max_secs = 1\n"
    )
}

#[test]
fn daemon_ships_resumes_after_restart_and_verify_catches_forgery() {
    let mut sb = Sandbox::new();
    let Some((_, url)) = central(&sb, "daemon") else {
        return;
    };
    sb.write_config(&config(&url));
    sb.start();
    let mut c = Conn::open(&sb.socket());
    for i in 0..20 {
        let v = c.ask(&propose(&format!("ls -la dir{i}"), "/tmp")).unwrap();
        assert_eq!(v["kind"], "verdict");
    }
    let took = wait_shipped(&sb, &url, Duration::from_secs(5));
    eprintln!("first events central after {took:?}");
    let s = status(&sb);
    assert_eq!(s["fleet"]["connected"], true, "{s}");
    // Restart: the stop event and final checkpoint ship at stop or on the
    // next start; nothing is sent twice and nothing is skipped.
    sb.signal("TERM");
    sb.wait_exit();
    assert!(
        !sb.data().join("ledger.db-wal").exists(),
        "a clean stop folds the WAL in, shipper or not"
    );
    sb.start();
    let mut c = Conn::open(&sb.socket());
    for i in 0..5 {
        c.ask(&propose(&format!("cat file{i}"), "/tmp")).unwrap();
    }
    wait_shipped(&sb, &url, Duration::from_secs(5));
    no_gaps_no_duplicates(&url);
    let host = kintsugi_fleet::hostname();
    let out = sb.run(&["fleet", "verify", "--url", &url, "--host", &host]);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{text}");
    assert!(text.contains("intact"), "{text}");
    let out = sb.run(&["fleet", "verify", "--url", &url, "--host", "no-such-host"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "an unknown --host is not a pass"
    );
    // Cross-host log, by hostname.
    let out = sb.run(&[
        "fleet", "log", "--url", &url, "--host", &host, "--grep", "file3", "--json",
    ]);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.contains("\"host_id\""), "{text}");
    // The URL comes from the config when not given.
    let out = sb.run(&["fleet", "report", "-n", "5"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A forged central row.
    kintsugi_fleet::connect(&url)
        .unwrap()
        .batch_execute("UPDATE events SET raw = 'ls' WHERE seq = 3")
        .unwrap();
    let out = sb.run(&["fleet", "verify", "--url", &url, "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["intact"], false);
    assert_eq!(v["hosts"][0]["findings"][0]["seq"], 3, "{v}");
    let out = sb.run(&["fleet", "verify", "--url", &url]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("edited"));
}

#[test]
fn outage_grows_the_backlog_in_status_then_it_drains() {
    let mut sb = Sandbox::new();
    let Some((server, url)) = central(&sb, "outage") else {
        return;
    };
    sb.write_config(&config(&url));
    sb.start();
    wait_shipped(&sb, &url, Duration::from_secs(5));
    let db: String = kintsugi_fleet::connect(&url)
        .unwrap()
        .query_one("SELECT current_database()", &[])
        .unwrap()
        .get(0);
    let mut admin = kintsugi_fleet::connect(&server).unwrap();
    admin
        .batch_execute(&format!(
            "ALTER DATABASE \"{db}\" ALLOW_CONNECTIONS false; \
             SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{db}';"
        ))
        .unwrap();
    let mut c = Conn::open(&sb.socket());
    let mut slowest = Duration::ZERO;
    for i in 0..30 {
        let t = Instant::now();
        let v = c
            .ask(&propose(&format!("echo during outage {i}"), "/tmp"))
            .unwrap();
        slowest = slowest.max(t.elapsed());
        assert_eq!(v["kind"], "verdict");
    }
    assert!(
        slowest < Duration::from_secs(1),
        "a verdict waited on the outage: {slowest:?}"
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    let s = loop {
        let s = status(&sb);
        let f = &s["fleet"];
        if f["connected"] == false
            && f["backlog"].as_u64() >= Some(30)
            && f["backlog_age_secs"].is_u64()
        {
            break s;
        }
        assert!(Instant::now() < deadline, "no backlog shown: {s}");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(s["fleet"]["last_error"].is_string(), "{s}");
    let human = String::from_utf8_lossy(&sb.run(&["status"]).stdout).into_owned();
    assert!(human.contains("backlog"), "{human}");
    admin
        .batch_execute(&format!("ALTER DATABASE \"{db}\" ALLOW_CONNECTIONS true"))
        .unwrap();
    wait_shipped(&sb, &url, Duration::from_secs(10));
    no_gaps_no_duplicates(&url);
    let deadline = Instant::now() + Duration::from_secs(5);
    while status(&sb)["fleet"]["backlog"] != 0 {
        assert!(Instant::now() < deadline);
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = sb.run(&["fleet", "verify", "--url", &url]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
