//! The filesystem backstop on real trees: a delete and a clobber behind the
//! daemon's back are recorded as unexplained and restored byte-identical by
//! `undo --observed`; a change an allowed command (or an undo) covers is
//! explained; a
//! 10,000-file delete is one coalesced burst and restores whole; ignored
//! directories are neither mirrored nor reported.

mod common;

use common::watching::{bytes, observed, wait_observed, watch};
use common::{Conn, Sandbox, propose};
use serde_json::Value;
use std::path::PathBuf;
use std::time::Duration;

fn tree(sb: &Sandbox) -> PathBuf {
    let p = sb.root().join("home/proj");
    for d in ["src", "node_modules/pkg", "target/debug", ".git"] {
        std::fs::create_dir_all(p.join(d)).unwrap();
    }
    std::fs::write(p.join("src/main.rs"), bytes(1, 70_000)).unwrap();
    std::fs::write(p.join("notes.txt"), bytes(2, 123)).unwrap();
    std::fs::write(p.join("node_modules/pkg/index.js"), b"module").unwrap();
    std::fs::write(p.join("target/debug/app"), b"binary").unwrap();
    std::fs::write(p.join(".git/HEAD"), b"ref").unwrap();
    p
}

#[test]
fn delete_and_clobber_behind_the_back_are_unexplained_and_restored() {
    let mut sb = Sandbox::new();
    sb.start();
    let proj = tree(&sb);
    let (_w, ready) = watch(&sb, &proj);
    assert!(
        ready.contains("watching 2 file(s)"),
        "ignored dirs were mirrored: {ready}"
    );

    std::fs::remove_file(proj.join("src/main.rs")).unwrap();
    std::fs::write(proj.join("notes.txt"), b"clobbered").unwrap();
    std::fs::write(proj.join("node_modules/pkg/index.js"), b"changed").unwrap();
    wait_observed(&sb, |v| v.len() >= 2);
    std::thread::sleep(Duration::from_millis(1500));
    let events = observed(&sb);
    let paths: Vec<&str> = events.iter().map(|e| e["raw"].as_str().unwrap()).collect();
    assert_eq!(
        events.len(),
        2,
        "one event per change, none for ignored dirs: {paths:?}"
    );
    for e in &events {
        let reason = e["reason"].as_str().unwrap();
        assert!(reason.starts_with("unexplained"), "{reason}");
    }
    assert!(paths.iter().any(|p| p.ends_with("src/main.rs")));
    assert!(paths.iter().any(|p| p.ends_with("notes.txt")));

    let out = sb.run(&["undo", "--observed", proj.to_str().unwrap()]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        std::fs::read(proj.join("src/main.rs")).unwrap(),
        bytes(1, 70_000)
    );
    assert_eq!(
        std::fs::read(proj.join("notes.txt")).unwrap(),
        bytes(2, 123)
    );
    // Ignored files are left alone.
    assert_eq!(
        std::fs::read(proj.join("node_modules/pkg/index.js")).unwrap(),
        b"changed"
    );
    // The mirror's snapshots are not what a plain `undo` restores.
    let out = sb.run(&["undo"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("no snapshots"),
        "{err}"
    );
}

#[test]
fn a_change_an_allowed_command_covers_is_explained() {
    let mut sb = Sandbox::new();
    sb.write_config("mode = \"notify\"\n");
    sb.start();
    let proj = tree(&sb);
    std::fs::create_dir_all(proj.join("build")).unwrap();
    std::fs::write(proj.join("build/out.o"), b"obj").unwrap();
    let (_w, _) = watch(&sb, &proj);
    let cwd = proj.display().to_string();
    let v = Conn::open(&sb.socket())
        .ask(&propose("rm -rf ./build", &cwd))
        .unwrap();
    assert_eq!(v["decision"], "allow", "{v}");
    std::fs::remove_dir_all(proj.join("build")).unwrap();
    std::fs::write(proj.join("notes.txt"), b"sneaky").unwrap();
    let events = wait_observed(&sb, |v| v.len() >= 2);
    let reason_of = |suffix: &str| {
        events
            .iter()
            .find(|e| e["raw"].as_str().unwrap().ends_with(suffix))
            .map(|e| e["reason"].as_str().unwrap().to_string())
            .unwrap_or_else(|| panic!("no event for {suffix}: {events:#?}"))
    };
    assert!(
        reason_of("build/out.o").starts_with("explained"),
        "{events:#?}"
    );
    assert!(
        reason_of("notes.txt").starts_with("unexplained"),
        "{events:#?}"
    );
    // What `kintsugi undo` writes back is explained by the undo itself.
    let out = sb.run(&["undo"]);
    assert!(out.status.success(), "{out:?}");
    let events = wait_observed(&sb, |v| {
        v.iter()
            .filter(|e| e["raw"].as_str().unwrap().ends_with("build/out.o"))
            .count()
            >= 2
    });
    let restored = events
        .iter()
        .filter(|e| e["raw"].as_str().unwrap().ends_with("build/out.o"))
        .max_by_key(|e| e["seq"].as_u64())
        .unwrap();
    let reason = restored["reason"].as_str().unwrap();
    assert!(
        reason.starts_with("explained") && reason.contains("`kintsugi undo "),
        "{restored:#}"
    );
}

#[test]
fn a_ten_thousand_file_delete_is_one_burst_and_restores_whole() {
    let mut sb = Sandbox::new();
    sb.start();
    let proj = tree(&sb);
    let big = proj.join("data");
    for d in 0..10 {
        let dir = big.join(format!("d{d}"));
        std::fs::create_dir_all(&dir).unwrap();
        for f in 0..1000 {
            std::fs::write(dir.join(format!("f{f}.txt")), format!("{d}/{f}")).unwrap();
        }
    }
    let (_w, ready) = watch(&sb, &proj);
    assert!(ready.contains("watching 10002 file(s)"), "{ready}");
    std::fs::remove_dir_all(&big).unwrap();
    let count = |v: &[Value]| -> u64 {
        v.iter()
            .map(|e| {
                let d: Value = serde_json::from_str(e["detail"].as_str().unwrap()).unwrap();
                d["count"].as_u64().unwrap_or(1)
            })
            .sum()
    };
    wait_observed(&sb, |v| count(v) >= 10_000);
    std::thread::sleep(Duration::from_millis(1500));
    let events = observed(&sb);
    assert_eq!(count(&events), 10_000);
    assert!(events.len() <= 10, "{} events for one rm -rf", events.len());
    assert!(
        events
            .iter()
            .all(|e| e["reason"].as_str().unwrap().starts_with("unexplained"))
    );
    let out = sb.run(&["undo", "--observed", big.to_str().unwrap()]);
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("restored 10000 file(s)"));
    assert_eq!(
        std::fs::read_to_string(big.join("d7/f123.txt")).unwrap(),
        "7/123"
    );
}
