//! Fixtures for the fleet tests: a fresh database on the real test server
//! (skipped, or failed under KINTSUGI_REQUIRE_PG=1, when there is none) and
//! simulated hosts whose ledgers are written with the ledger crate's own API
//! and signed with real checkpoint keys.
#![allow(dead_code)]

use kintsugi_ledger::{DB_FILE, Durability, Ledger, NewEvent, Signer};
use std::path::Path;

/// A fresh database with the schema applied, or `None` to skip.
pub fn db(name: &str) -> Option<String> {
    let server = kintsugi_fleet::testdb::server_url()?;
    let url = kintsugi_fleet::testdb::fresh_database(&server, name).unwrap();
    let mut c = kintsugi_fleet::connect(&url).unwrap();
    kintsugi_fleet::init(&mut c).unwrap();
    Some(url)
}

pub fn client(url: &str) -> postgres::Client {
    kintsugi_fleet::connect(url).unwrap()
}

pub fn count(url: &str, sql: &str) -> i64 {
    client(url).query_one(sql, &[]).unwrap().get(0)
}

/// A simulated host: a data dir with a ledger and a checkpoint key.
pub struct Host {
    pub dir: tempfile::TempDir,
    ledger: Ledger,
    signer: Signer,
    n: u64,
}

pub fn now() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

pub fn event(i: u64, tag: &str) -> NewEvent {
    let (class, agent) = match i % 3 {
        0 => ("safe", "shim"),
        1 => ("ambiguous", "hook:claude"),
        _ => ("catastrophic", "recorder"),
    };
    NewEvent {
        kind: if i.is_multiple_of(2) {
            "propose"
        } else {
            "record"
        }
        .into(),
        agent: agent.into(),
        session: Some(format!("s{}", i % 7)),
        cwd: "/home/dev/proj".into(),
        raw: format!("{tag} command number {i} --flag"),
        argv: vec![tag.into(), i.to_string()],
        class: Some(class.into()),
        decision: Some("allow".into()),
        rule: Some("test:rule".into()),
        reason: Some("a test event".into()),
        risk: Some((i % 100) as u8),
        peer_pid: Some(1000 + i as u32),
        peer_uid: Some(1000),
        detail: Some("{\"id\":\"x\"}".into()),
        ..Default::default()
    }
}

impl Host {
    pub fn new() -> Host {
        let dir = tempfile::tempdir().unwrap();
        Host::in_dir(dir)
    }
    pub fn in_dir(dir: tempfile::TempDir) -> Host {
        let signer = Signer::load_or_create(dir.path(), None).unwrap();
        let ledger = Ledger::open(&dir.path().join(DB_FILE), Durability::Normal).unwrap();
        Host {
            dir,
            ledger,
            signer,
            n: 0,
        }
    }
    /// A host that claims `other`'s host id (and, with `same_key`, its key).
    pub fn impersonating(other: &Host, same_key: bool) -> Host {
        let dir = tempfile::tempdir().unwrap();
        let id = kintsugi_fleet::load_or_create_host_id(other.path()).unwrap();
        std::fs::write(dir.path().join(kintsugi_fleet::HOST_ID_FILE), id).unwrap();
        if same_key {
            std::fs::copy(
                other.path().join(kintsugi_ledger::KEY_FILE),
                dir.path().join(kintsugi_ledger::KEY_FILE),
            )
            .unwrap();
        }
        Host::in_dir(dir)
    }
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
    pub fn append(&mut self, n: u64, tag: &str) {
        let events: Vec<NewEvent> = (0..n).map(|i| event(self.n + i, tag)).collect();
        self.n += n;
        self.ledger.append(&events, &now()).unwrap();
    }
    pub fn checkpoint(&self) {
        let (seq, head) = self.ledger.head();
        self.signer.checkpoint(seq, head, &now()).unwrap();
    }
    pub fn head(&self) -> u64 {
        self.ledger.head().0
    }
}
