//! Snapshots end to end through the daemon: a held `rm -rf` shows its blast
//! radius, is approved at a terminal, runs through the shim, and `kintsugi
//! undo` brings the tree back byte-identical with modes and mtimes; a second
//! undo is a no-op; a change made after the command is a conflict unless
//! `--force`. Everything happens inside the sandbox.

mod common;
use common::*;
use std::collections::BTreeMap;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::process::{Command, Stdio};

/// Every entry under `root`: kind, content, mode and mtime.
fn tree(root: &Path) -> BTreeMap<String, (String, Vec<u8>, u32, i64)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            let m = std::fs::symlink_metadata(&p).unwrap();
            let rel = p.strip_prefix(root).unwrap().display().to_string();
            let (kind, data) = if m.file_type().is_symlink() {
                (
                    "link",
                    std::fs::read_link(&p)
                        .unwrap()
                        .display()
                        .to_string()
                        .into_bytes(),
                )
            } else if m.is_dir() {
                stack.push(p.clone());
                ("dir", Vec::new())
            } else {
                ("file", std::fs::read(&p).unwrap())
            };
            out.insert(
                rel,
                (
                    kind.to_string(),
                    data,
                    m.permissions().mode() & 0o7777,
                    m.mtime(),
                ),
            );
        }
    }
    out
}

fn make_src(dir: &Path) {
    std::fs::create_dir_all(dir.join("nested/empty")).unwrap();
    std::fs::write(dir.join("main.rs"), "fn main() {}\n").unwrap();
    std::fs::write(dir.join("nested/run.sh"), "#!/bin/sh\necho run\n").unwrap();
    std::fs::set_permissions(
        dir.join("nested/run.sh"),
        std::fs::Permissions::from_mode(0o750),
    )
    .unwrap();
    std::os::unix::fs::symlink("main.rs", dir.join("link.rs")).unwrap();
    let old = "200001010000";
    Command::new("touch")
        .args(["-h", "-t", old])
        .arg(dir.join("main.rs"))
        .status()
        .unwrap();
    Command::new("touch")
        .args(["-t", old])
        .arg(dir.join("nested"))
        .status()
        .unwrap();
}

/// `rm -rf DIR` through the shim, held: the waiting shim and its queue item.
fn held_rm(sb: &Sandbox, dir: &str) -> (std::process::Child, serde_json::Value) {
    let child = sb
        .via_shim("rm")
        .args(["-rf", dir])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let item = first_pending(&mut Conn::open(&sb.socket()));
    (child, item)
}

#[test]
fn held_delete_shows_preview_runs_after_approval_and_undoes_byte_identical() {
    let mut sb = Sandbox::new();
    sb.init_shims();
    sb.start();
    let src = sb.project().join("src");
    make_src(&src);
    let before = tree(&src);
    let (child, item) = held_rm(&sb, "src");
    let preview = item["preview"].as_str().unwrap_or_default();
    assert!(
        preview.contains("deletes 2 files") && preview.contains("~/proj/src"),
        "{item}"
    );
    assert!(preview.contains("undo: can cover all of it"), "{item}");
    let screen = approve_in_terminal(&sb, item["id"].as_str().unwrap(), "");
    assert!(screen.contains("EXIT=0"), "{screen}");
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!src.exists(), "the approved command did not run");
    let undo = sb.run(&["undo"]);
    assert!(
        undo.status.success(),
        "{}",
        String::from_utf8_lossy(&undo.stderr)
    );
    assert_eq!(tree(&src), before, "restored tree differs");
    let again = sb.run(&["undo"]);
    let text = String::from_utf8_lossy(&again.stdout);
    assert!(
        again.status.success() && text.contains("nothing to do"),
        "{text}"
    );
    let log = sb.log_text(200);
    assert!(log.contains("\"kind\":\"undo\""));
    let listing = String::from_utf8_lossy(&sb.run(&["snapshots"]).stdout).into_owned();
    assert!(listing.contains("rm -rf src"), "{listing}");
    let (ok, v) = verify(&sb);
    assert!(ok, "{v}");
}

#[test]
fn later_changes_are_conflicts_unless_forced() {
    let mut sb = Sandbox::new();
    sb.write_config("mode = \"notify\"\n");
    sb.init_shims();
    sb.start();
    let build = sb.project().join("build");
    make_src(&build);
    let before = tree(&build);
    // Notify mode: allowed at once, with a snapshot taken first.
    let st = sb.via_shim("rm").args(["-rf", "build"]).status().unwrap();
    assert!(st.success());
    assert!(!build.exists());
    // Something writes there after the command finished.
    std::fs::create_dir_all(&build).unwrap();
    std::fs::write(build.join("main.rs"), "// newer work\n").unwrap();
    let refused = sb.run(&["undo"]);
    assert!(!refused.status.success());
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains("--force"), "{err}");
    assert_eq!(
        std::fs::read_to_string(build.join("main.rs")).unwrap(),
        "// newer work\n"
    );
    let forced = sb.run(&["undo", "--force"]);
    assert!(
        forced.status.success(),
        "{}",
        String::from_utf8_lossy(&forced.stderr)
    );
    assert_eq!(tree(&build), before);
}

#[test]
fn approving_a_large_capture_shows_its_progress_in_the_terminal() {
    let mut sb = Sandbox::new();
    sb.init_shims();
    sb.start();
    let big = sb.project().join("big");
    for d in 0..6 {
        let dir = big.join(format!("d{d}"));
        std::fs::create_dir_all(&dir).unwrap();
        for f in 0..1000 {
            std::fs::write(dir.join(format!("f{f}")), format!("{d}/{f}")).unwrap();
        }
    }
    let (child, item) = held_rm(&sb, "big");
    let screen = approve_in_terminal(&sb, item["id"].as_str().unwrap(), "");
    assert!(screen.contains("EXIT=0"), "{screen}");
    // 6,000 files, 6 directories and `big` itself.
    assert!(screen.contains("snapshot: 6007 entries"), "{screen}");
    assert!(child.wait_with_output().unwrap().status.success());
    assert!(!big.exists());
}

#[test]
fn a_forced_undo_keeps_what_it_overwrites_so_it_can_be_undone() {
    let mut sb = Sandbox::new();
    sb.write_config("mode = \"notify\"\n");
    sb.init_shims();
    sb.start();
    let build = sb.project().join("build");
    make_src(&build);
    let st = sb.via_shim("rm").args(["-rf", "build"]).status().unwrap();
    assert!(st.success());
    // A human's newer edit where the command deleted.
    std::fs::create_dir_all(&build).unwrap();
    std::fs::write(build.join("main.rs"), "// a human's newer work\n").unwrap();
    std::fs::write(build.join("notes.txt"), "new file\n").unwrap();
    let newer = tree(&build);
    let forced = sb.run(&["undo", "--force"]);
    let out = text(&forced);
    assert!(forced.status.success(), "{out}");
    assert_eq!(
        std::fs::read_to_string(build.join("main.rs")).unwrap(),
        "fn main() {}\n"
    );
    let kept = out
        .split("kept in snapshot ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .unwrap_or_else(|| panic!("no snapshot of what was overwritten: {out}"))
        .to_string();
    // A bare `undo` does not pick the before-undo snapshot ...
    let listing = String::from_utf8_lossy(&sb.run(&["snapshots"]).stdout).into_owned();
    assert!(listing.contains("kintsugi undo --force"), "{listing}");
    // ... naming it brings the human's edit back (forced: the restored
    // originals are newer than it, and kept in turn).
    let back = sb.run(&["undo", &kept, "--force"]);
    assert!(back.status.success(), "{}", text(&back));
    let now = tree(&build);
    for f in ["main.rs", "notes.txt"] {
        assert_eq!(now.get(f), newer.get(f), "the human's {f} was lost");
    }
}
