//! Copy-on-write on a real reflink filesystem: as root, a small loop-mounted
//! XFS image (`mkfs.xfs -m reflink=1`) inside the temp dir. Skipped, with the
//! reason printed, when not root or the tools are missing.

mod common;

use common::*;
use kintsugi_snapshot::*;
use std::path::{Path, PathBuf};
use std::process::Command;

struct Mount(PathBuf);

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

fn tool(name: &str) -> bool {
    Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {name}"))
        .output()
        .is_ok_and(|o| o.status.success())
}

fn mount_xfs(dir: &Path) -> std::result::Result<Mount, String> {
    if !is_root() {
        return Err("not running as root (loop mounts need root)".into());
    }
    if !tool("mkfs.xfs") || !tool("mount") {
        return Err("mkfs.xfs not installed (apt-get install xfsprogs)".into());
    }
    let img = dir.join("xfs.img");
    let mnt = dir.join("mnt");
    std::fs::create_dir_all(&mnt).unwrap();
    // XFS needs at least 300 MB; the image is sparse, so this costs little disk.
    std::fs::File::create(&img)
        .unwrap()
        .set_len(320 << 20)
        .unwrap();
    let ok = |c: &mut Command| {
        c.output().map_err(|e| e.to_string()).and_then(|o| {
            if o.status.success() {
                Ok(())
            } else {
                Err(String::from_utf8_lossy(&o.stderr).into_owned())
            }
        })
    };
    ok(Command::new("mkfs.xfs")
        .args(["-q", "-m", "reflink=1"])
        .arg(&img))
    .map_err(|e| format!("mkfs.xfs failed: {e}"))?;
    ok(Command::new("mount")
        .args(["-o", "loop"])
        .arg(&img)
        .arg(&mnt))
    .map_err(|e| format!("loop mount failed: {e}"))?;
    Ok(Mount(mnt))
}

#[test]
fn files_are_cloned_on_a_reflink_filesystem() {
    let dir = tempfile::tempdir().unwrap();
    let mount = match mount_xfs(dir.path()) {
        Ok(m) => m,
        Err(why) => {
            println!("SKIPPED copy-on-write test: {why}");
            return;
        }
    };
    let root = mount.0.clone();
    let project = root.join("project");
    let site = project.join("site");
    build_tree(&site);
    let before = tree_state(&site);
    let store = Store::in_data_dir(&root.join("data")).unwrap();
    let ctx = kintsugi_classify::Context {
        cwd: project.clone(),
        home: root.join("home"),
        project_root: Some(project.clone()),
    };
    let a = kintsugi_classify::analyze("rm -rf site", &ctx);
    let p = plan(&a.effects, &project);
    let m = capture(&store, &p, &Budget::default(), &mut |_| {}).unwrap();
    assert_eq!(
        m.cloned,
        m.file_count(),
        "every file should be cloned: {m:?}"
    );
    assert_eq!(m.copied, 0);
    assert_eq!(m.new_bytes, 0, "a clone writes no data blocks");
    std::fs::remove_dir_all(&site).unwrap();
    let r = restore(
        &store,
        &m.id,
        RestoreOptions {
            force: false,
            expected: None,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(r.cloned, m.file_count(), "{r}");
    assert_eq!(tree_state(&site), before);
    drop(store);
}
