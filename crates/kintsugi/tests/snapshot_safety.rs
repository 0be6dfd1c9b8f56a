//! Snapshots through the daemon cannot be turned against the user: undo
//! through a project swapped for a symlink is refused (even with --force)
//! and `undo --to DIR` restores elsewhere; a capture in progress does not
//! hold a stopping daemon up; a command reaching a whole system directory
//! starts no capture and its verdict says so.

mod common;
use common::*;
use std::path::Path;
use std::time::{Duration, Instant};

fn listing(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn undo_through_a_symlinked_project_is_refused_and_to_restores_elsewhere() {
    let mut sb = Sandbox::new();
    sb.write_config("mode = \"notify\"\n");
    sb.init_shims();
    sb.start();
    let proj = sb.project().join("PROJ");
    std::fs::create_dir_all(proj.join("data/sub")).unwrap();
    std::fs::write(proj.join("data/a.txt"), "alpha\n").unwrap();
    std::fs::write(proj.join("data/sub/b.txt"), "beta\n").unwrap();
    let st = sb
        .via_shim("rm")
        .args(["-rf", "PROJ/data"])
        .status()
        .unwrap();
    assert!(st.success());
    assert!(
        !proj.join("data").exists(),
        "the allowed command did not run"
    );
    // The agent points PROJ somewhere else.
    let other = sb.project().join("other");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::rename(&proj, sb.project().join("PROJ.moved")).unwrap();
    std::os::unix::fs::symlink(&other, &proj).unwrap();
    for args in [&["undo"][..], &["undo", "--force"][..]] {
        let out = sb
            .cmd()
            .args(args)
            .current_dir(sb.project())
            .output()
            .unwrap();
        let err = text(&out);
        assert!(!out.status.success(), "{args:?}: {err}");
        assert!(err.contains("--to"), "{args:?}: {err}");
        assert!(
            listing(&other).is_empty(),
            "{args:?} wrote through the symlink"
        );
    }
    let out = sb
        .cmd()
        .args(["undo", "--to", "restored"])
        .current_dir(sb.project())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let restored = sb.project().join("restored/data");
    assert_eq!(
        std::fs::read_to_string(restored.join("a.txt")).unwrap(),
        "alpha\n"
    );
    assert_eq!(
        std::fs::read_to_string(restored.join("sub/b.txt")).unwrap(),
        "beta\n"
    );
    assert!(listing(&other).is_empty());
}

#[test]
fn a_stop_signal_interrupts_a_capture_in_progress() {
    let mut sb = Sandbox::new();
    // Budgets far beyond what the test could read: only the stop ends it.
    sb.write_config("mode = \"notify\"\nsnapshot_max_secs = 3600\nsnapshot_max_mb = 100000000\n");
    sb.start();
    let big = sb.project().join("big");
    std::fs::create_dir_all(&big).unwrap();
    std::fs::File::create(big.join("huge.img"))
        .unwrap()
        .set_len(1 << 40)
        .unwrap();
    let socket = sb.socket();
    let cwd = sb.project().display().to_string();
    let proposer = std::thread::spawn(move || {
        let mut c = Conn::open(&socket);
        c.ask(&propose("rm -rf big", &cwd))
    });
    // Until the capture is under way (the proposal is waiting on it).
    std::thread::sleep(Duration::from_millis(700));
    assert!(!proposer.is_finished(), "the capture ended on its own");
    let stopped = Instant::now();
    sb.signal("TERM");
    let (status, stderr) = sb.wait_exit();
    let took = stopped.elapsed();
    assert!(status.success(), "{stderr}");
    assert!(
        took < Duration::from_secs(5),
        "the daemon took {took:?} to stop"
    );
    let answer = proposer.join().unwrap();
    if let Some(v) = answer {
        let reason = v["reason"].as_str().unwrap_or_default();
        assert!(reason.contains("stopped"), "{v}");
    }
}

#[test]
fn a_command_reaching_a_whole_system_directory_starts_no_capture() {
    let mut sb = Sandbox::new();
    sb.write_config("mode = \"notify\"\n");
    sb.start();
    let mut c = Conn::open(&sb.socket());
    let started = Instant::now();
    // Only proposed: nothing runs.
    let v = c.ask(&propose("rm -rf /tmp", "/")).unwrap();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(v["decision"], "allow", "{v}");
    let reason = v["reason"].as_str().unwrap_or_default();
    assert!(reason.contains("reaches the whole system"), "{v}");
    assert!(v["snapshot"].is_null(), "{v}");
    let manifests = sb.data().join("snapshots/manifests");
    assert!(
        !manifests.exists() || listing(&manifests).is_empty(),
        "a snapshot was taken"
    );
}
