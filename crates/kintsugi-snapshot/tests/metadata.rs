//! Metadata beyond mode and mtime on a real tree: hard links come back as
//! one file with two names, owners and extended attributes (on files and
//! directories) are set back, and a restore that cannot set something says
//! so instead of failing.

mod common;

use common::*;
use kintsugi_snapshot::*;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

fn set_xattr(path: &Path, name: &str, value: &[u8]) {
    rustix::fs::lsetxattr(path, name, value, rustix::fs::XattrFlags::empty())
        .unwrap_or_else(|e| panic!("this test needs user xattrs on {}: {e}", path.display()));
}

fn get_xattr(path: &Path, name: &str) -> Option<Vec<u8>> {
    let mut buf = vec![0u8; 256];
    let n = rustix::fs::lgetxattr(path, name, &mut buf[..]).ok()?;
    buf.truncate(n);
    Some(buf)
}

fn is_root() -> bool {
    rustix::process::geteuid().is_root()
}

#[test]
fn hard_links_owners_and_xattrs_come_back() {
    let sb = Sandbox::new();
    let site = sb.project.join("site");
    build_tree(&site);
    let a = site.join("a.txt");
    let b = site.join("src/also-a.txt");
    write(&a, "shared content\n");
    fs::hard_link(&a, &b).unwrap();
    set_xattr(&a, "user.kintsugi.note", b"keep\0me");
    set_xattr(&site.join("src"), "user.kintsugi.dir", b"d");
    let owned = site.join("README.md");
    // Root can give a file away; anyone else keeps their own uid, which
    // restore must still set back as it was.
    let (uid, gid) = if is_root() {
        (65534, 65534)
    } else {
        let m = fs::metadata(&owned).unwrap();
        (m.uid(), m.gid())
    };
    std::os::unix::fs::lchown(&owned, Some(uid), Some(gid)).unwrap();
    let before = tree_state(&site);

    let (m, fp) = sb.damage("rm -rf site", &sb.project);
    assert!(m.complete, "{:?}", m.uncovered);
    let linked: Vec<_> = m
        .entries
        .iter()
        .filter(|e| e.hardlink_of.is_some())
        .collect();
    assert_eq!(linked.len(), 1, "{linked:?}");
    assert!(!site.exists());

    let r = sb.undo(&m, fp);
    assert!(r.metadata_not_restored.is_empty(), "{r}");
    assert_eq!(tree_state(&site), before);
    let (ma, mb) = (fs::metadata(&a).unwrap(), fs::metadata(&b).unwrap());
    assert_eq!(
        (ma.dev(), ma.ino()),
        (mb.dev(), mb.ino()),
        "the hard link was not relinked"
    );
    assert_eq!(ma.nlink(), 2);
    assert_eq!(
        get_xattr(&a, "user.kintsugi.note").as_deref(),
        Some(&b"keep\0me"[..])
    );
    assert_eq!(
        get_xattr(&site.join("src"), "user.kintsugi.dir").as_deref(),
        Some(&b"d"[..])
    );
    let mo = fs::metadata(&owned).unwrap();
    assert_eq!((mo.uid(), mo.gid()), (uid, gid));

    // Split the link, drop an attribute, add one: restore (forced, these
    // are changes made after the command) puts every bit back.
    fs::remove_file(&b).unwrap();
    write(&b, "shared content\n");
    rustix::fs::lremovexattr(&a, "user.kintsugi.note").unwrap();
    set_xattr(&a, "user.kintsugi.extra", b"x");
    let r = sb.force_undo(&m);
    assert!(!r.nothing_to_do(), "{r}");
    let (ma, mb) = (fs::metadata(&a).unwrap(), fs::metadata(&b).unwrap());
    assert_eq!(ma.ino(), mb.ino(), "{r}");
    assert_eq!(
        get_xattr(&a, "user.kintsugi.note").as_deref(),
        Some(&b"keep\0me"[..])
    );
    assert_eq!(get_xattr(&a, "user.kintsugi.extra"), None);
    let r = restore(&sb.store, &m.id, RestoreOptions::default()).unwrap();
    assert!(r.nothing_to_do(), "{r}");
}
