//! The filesystem backstop when things go wrong: changes seen while the
//! daemon is down are spooled and recorded when it is back; the `[watch]`
//! config list is watched by the daemon itself; snapshot GC never removes
//! what `undo --observed` needs; an inotify queue overflow and a lost watch
//! are recorded as degraded and shown by `status` and `doctor`.

mod common;

use common::Sandbox;
use common::watching::{bytes, observed, wait_observed, watch};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn small_tree(sb: &Sandbox) -> PathBuf {
    let p = sb.root().join("home/proj");
    std::fs::create_dir_all(p.join("src")).unwrap();
    std::fs::write(p.join("src/lib.rs"), bytes(3, 40_000)).unwrap();
    std::fs::write(p.join("notes.txt"), bytes(4, 500)).unwrap();
    p
}

fn wait_until(what: &str, mut ok: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !ok() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn reason(e: &Value) -> &str {
    e["reason"].as_str().unwrap_or_default()
}

fn kill(sig: &str, pid: u32) {
    let ok = Command::new("kill")
        .args([&format!("-{sig}"), &pid.to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill -{sig} {pid}");
}

#[test]
fn changes_while_the_daemon_is_down_are_spooled_and_recorded_late() {
    let mut sb = Sandbox::new();
    sb.start();
    let proj = small_tree(&sb);
    let (_w, _) = watch(&sb, &proj);
    sb.signal("TERM");
    sb.wait_exit();
    let gone = proj.join("notes.txt");
    std::fs::remove_file(&gone).unwrap();
    let spool = sb.data().join("spool.jsonl");
    wait_until("the spooled change", || {
        std::fs::read_to_string(&spool).is_ok_and(|t| t.contains("notes.txt"))
    });
    sb.start();
    let events = wait_observed(&sb, |v| {
        v.iter()
            .any(|e| e["raw"] == gone.to_str().unwrap() && reason(e).contains("recorded late"))
    });
    let e = events
        .iter()
        .find(|e| e["raw"] == gone.to_str().unwrap())
        .unwrap();
    assert!(reason(e).starts_with("unexplained"), "{e}");
    wait_until("the drained spool to be removed", || !spool.exists());
    let out = sb.run(&["undo", "--observed", gone.to_str().unwrap()]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(std::fs::read(&gone).unwrap(), bytes(4, 500));
}

#[test]
fn the_configured_watch_list_is_watched_by_the_daemon() {
    let mut sb = Sandbox::new();
    let proj = small_tree(&sb);
    sb.write_config(&format!(
        "[watch]\npaths = [{:?}]\n",
        proj.to_str().unwrap()
    ));
    sb.start();
    let file = proj.join("src/lib.rs");
    // The daemon's watcher says nothing when it is ready: change the file
    // until a change of it is recorded.
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut round = 0u8;
    loop {
        round += 1;
        std::fs::write(&file, bytes(round, 1000)).unwrap();
        std::thread::sleep(Duration::from_millis(400));
        if observed(&sb)
            .iter()
            .any(|e| e["raw"] == file.to_str().unwrap())
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the configured watcher never reported"
        );
    }
    std::fs::remove_file(&file).unwrap();
    wait_observed(&sb, |v| {
        v.iter()
            .any(|e| e["raw"] == file.to_str().unwrap() && reason(e).contains(" removed"))
    });
    let out = sb.run(&["undo", "--observed", file.to_str().unwrap()]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(std::fs::read(&file).unwrap(), bytes(round, 1000));
}

/// Pretend every watcher-mirror manifest was written a day ago.
fn age_mirror_manifests(data: &Path) -> usize {
    let dir = data.join("snapshots/manifests");
    let mut aged = 0;
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let mut m: Value = serde_json::from_slice(&std::fs::read(e.path()).unwrap()).unwrap();
        if m["session"] == "kintsugi:watch-mirror" {
            m["created_unix"] = Value::from(m["created_unix"].as_i64().unwrap() - 86_400);
            std::fs::write(e.path(), serde_json::to_vec(&m).unwrap()).unwrap();
            aged += 1;
        }
    }
    aged
}

#[test]
fn snapshot_gc_never_removes_what_undo_observed_needs() {
    let mut sb = Sandbox::new();
    sb.write_config("snapshot_store_max_mb = 0\nsnapshot_keep_newest = 0\n");
    sb.start();
    let proj = small_tree(&sb);
    let (_w, _) = watch(&sb, &proj);
    let notes = proj.join("notes.txt");
    std::fs::write(&notes, b"clobbered").unwrap();
    wait_observed(&sb, |v| {
        v.iter().any(|e| e["raw"] == notes.to_str().unwrap())
    });
    // Let the watcher pin the batch's objects, then age its manifests past
    // their grace period so GC deletes them.
    std::thread::sleep(Duration::from_millis(500));
    assert!(age_mirror_manifests(&sb.data()) >= 2);
    let out = sb.run(&["gc"]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        age_mirror_manifests(&sb.data()),
        0,
        "mirror manifests survived GC"
    );
    // The mirror's objects are pinned: the pre-clobber content and the
    // current content of every watched file are still in the store.
    let out = sb.run(&["undo", "--observed", notes.to_str().unwrap()]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(std::fs::read(&notes).unwrap(), bytes(4, 500));
    let lib = proj.join("src/lib.rs");
    std::fs::remove_file(&lib).unwrap();
    wait_observed(&sb, |v| v.iter().any(|e| e["raw"] == lib.to_str().unwrap()));
    let out = sb.run(&["undo", "--observed", lib.to_str().unwrap()]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(std::fs::read(&lib).unwrap(), bytes(3, 40_000));
}

#[test]
fn an_event_queue_overflow_is_recorded_as_degraded_and_shown() {
    let mut sb = Sandbox::new();
    sb.start();
    let proj = small_tree(&sb);
    let (w, _) = watch(&sb, &proj);
    let max: usize = std::fs::read_to_string("/proc/sys/fs/inotify/max_queued_events")
        .ok()
        .and_then(|t| t.trim().parse().ok())
        .unwrap_or(16_384);
    // The watch on a new directory is added when its creation is read.
    let burst = proj.join("burst");
    std::fs::create_dir(&burst).unwrap();
    std::thread::sleep(Duration::from_millis(1000));
    // A stopped watcher reads nothing, so the kernel's queue overflows.
    kill("STOP", w.0.id());
    for i in 0..max + 1000 {
        std::fs::File::create(burst.join(format!("f{i}"))).unwrap();
    }
    kill("CONT", w.0.id());
    let events = wait_observed(&sb, |v| v.iter().any(|e| reason(e).contains("degraded")));
    let e = events
        .iter()
        .find(|e| reason(e).contains("degraded"))
        .unwrap();
    assert!(reason(e).contains("overflow"), "{e}");
    let status = sb.run(&["status"]);
    let text = String::from_utf8_lossy(&status.stdout);
    assert!(
        text.contains("warning") && text.contains("overflow"),
        "{text}"
    );
    let doctor = sb.run(&["doctor"]);
    let text = String::from_utf8_lossy(&doctor.stdout);
    assert!(
        text.contains("warning    ") && text.contains("overflow"),
        "{text}"
    );
}

#[test]
fn a_removed_root_is_a_lost_watch_and_the_tree_comes_back() {
    let mut sb = Sandbox::new();
    sb.start();
    let proj = small_tree(&sb);
    let (mut w, _) = watch(&sb, &proj);
    std::fs::remove_dir_all(&proj).unwrap();
    let events = wait_observed(&sb, |v| {
        v.iter().any(|e| reason(e).contains("watch is lost"))
    });
    assert!(
        events.iter().any(|e| reason(e).starts_with("unexplained")
            && e["raw"].as_str().unwrap().ends_with("lib.rs")),
        "{events:#?}"
    );
    // With nothing left to watch, the watcher stops and says why.
    let deadline = Instant::now() + Duration::from_secs(10);
    while w.0.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "the watcher kept running");
        std::thread::sleep(Duration::from_millis(50));
    }
    let status = String::from_utf8_lossy(&sb.run(&["status"]).stdout).into_owned();
    assert!(status.contains("watch is lost"), "{status}");
    let out = sb.run(&["undo", "--observed", proj.to_str().unwrap()]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        std::fs::read(proj.join("src/lib.rs")).unwrap(),
        bytes(3, 40_000)
    );
    assert_eq!(
        std::fs::read(proj.join("notes.txt")).unwrap(),
        bytes(4, 500)
    );
}

/// `cmd` run as uid/gid 65534 when we are root (root reads every file, so
/// an unreadable directory needs someone else), else as is.
fn as_unprivileged(cmd: &Command) -> Command {
    if !rustix::process::geteuid().is_root() {
        let mut c = Command::new(cmd.get_program());
        c.args(cmd.get_args());
        for (k, v) in cmd.get_envs() {
            match v {
                Some(v) => c.env(k, v),
                None => c.env_remove(k),
            };
        }
        return c;
    }
    let mut c = Command::new("setpriv");
    c.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(cmd.get_program())
        .args(cmd.get_args());
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => c.env(k, v),
            None => c.env_remove(k),
        };
    }
    c
}

#[test]
fn unreadable_directories_are_recorded_as_degraded() {
    let mut sb = Sandbox::new();
    let proj = small_tree(&sb);
    let locked = proj.join("locked");
    std::fs::create_dir(&locked).unwrap();
    std::fs::write(locked.join("inside.txt"), b"unseen").unwrap();
    if rustix::process::geteuid().is_root() {
        // Everything belongs to the unprivileged user but `locked`.
        let ok = Command::new("chown")
            .args(["-R", "65534:65534"])
            .arg(sb.root())
            .status()
            .unwrap()
            .success();
        assert!(ok, "chown");
        std::os::unix::fs::chown(&locked, Some(0), Some(0)).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(sb.root(), std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    }
    let mut daemon = sb.cmd();
    daemon.args(["daemon", "--log", "warn"]);
    sb.child = Some(
        as_unprivileged(&daemon)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    // The daemon serves its own uid only: talk to it as that user.
    let status = || {
        let mut c = sb.cmd();
        c.arg("status");
        as_unprivileged(&c).output().unwrap()
    };
    wait_until("the unprivileged daemon", || status().status.success());
    let mut watch = sb.cmd();
    watch.args(["watch", proj.to_str().unwrap()]);
    let mut w = as_unprivileged(&watch)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let events = wait_observed(&sb, |v| {
        v.iter().any(|e| reason(e).contains("cannot be read"))
    });
    // The rest of the tree is still watched, new directories included.
    std::fs::write(proj.join("notes.txt"), b"changed").unwrap();
    let fresh = proj.join("fresh");
    std::fs::create_dir(&fresh).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    std::fs::write(fresh.join("new.txt"), b"new").unwrap();
    wait_observed(&sb, |v| {
        v.iter()
            .any(|e| e["raw"].as_str().unwrap().ends_with("notes.txt"))
            && v.iter()
                .any(|e| e["raw"].as_str().unwrap().ends_with("fresh/new.txt"))
    });
    let _ = w.kill();
    let _ = w.wait();
    let e = events
        .iter()
        .find(|e| reason(e).contains("cannot be read"))
        .unwrap();
    assert!(
        reason(e).contains("locked") && reason(e).contains("ermission denied"),
        "{e}"
    );
    let text = String::from_utf8_lossy(&status().stdout).into_owned();
    assert!(text.contains("cannot be read"), "{text}");
}

/// Every file under `dir`, read whole (the store, WAL included).
fn any_file_contains(dir: &Path, needle: &[u8]) -> bool {
    let mut stack = vec![dir.to_path_buf()];
    while let Some(p) = stack.pop() {
        if p.is_dir() {
            stack.extend(std::fs::read_dir(&p).unwrap().flatten().map(|e| e.path()));
        } else if std::fs::read(&p).is_ok_and(|b| b.windows(needle.len()).any(|w| w == needle)) {
            return true;
        }
    }
    false
}

#[test]
fn files_git_ignores_are_reported_but_never_mirrored() {
    let mut sb = Sandbox::new();
    sb.start();
    let proj = small_tree(&sb);
    let ok = Command::new("git")
        .args(["init", "-q"])
        .arg(&proj)
        .status()
        .unwrap()
        .success();
    assert!(ok, "git init");
    std::fs::write(proj.join(".gitignore"), "*.log\n").unwrap();
    let secret_log = b"ignored-log-content-7f3a9c";
    std::fs::write(proj.join("app.log"), secret_log).unwrap();
    let (_w, ready) = watch(&sb, &proj);
    assert!(ready.contains("watching 4 file(s)"), "{ready}");
    assert!(
        !any_file_contains(&sb.data(), secret_log),
        "an ignored file's content reached the data dir"
    );
    let log = proj.join("app.log");
    std::fs::remove_file(&log).unwrap();
    let lib = proj.join("src/lib.rs");
    std::fs::remove_file(&lib).unwrap();
    wait_observed(&sb, |v| {
        v.iter()
            .any(|e| e["raw"] == log.to_str().unwrap() && reason(e).contains(" removed"))
            && v.iter().any(|e| e["raw"] == lib.to_str().unwrap())
    });
    let out = sb.run(&["undo", "--observed", log.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("git ignores"),
        "{out:?}"
    );
    let out = sb.run(&["undo", "--observed", lib.to_str().unwrap()]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(std::fs::read(&lib).unwrap(), bytes(3, 40_000));
}
