//! Store-wide retention: the newest N survive, unreferenced objects go.

mod common;

use common::*;
use kintsugi_snapshot::*;
use std::time::Duration;

#[test]
fn gc_keeps_newest_and_removes_unreferenced_objects() {
    let sb = Sandbox::new();
    let f = sb.project.join("f.txt");
    let mut ids = Vec::new();
    for i in 0..4 {
        write(&f, &format!("version {i} {}", "x".repeat(1000 * (i + 1))));
        ids.push(sb.snapshot("rm -f f.txt", &sb.project).id);
    }
    let before = sb.store.usage().unwrap();
    assert_eq!(before.objects, 4);
    assert_eq!(before.manifests, 4);
    // Over the byte budget: delete oldest first, never the newest 2.
    let r = gc(&sb.store, 0, Duration::from_secs(3600), 2).unwrap();
    assert_eq!(r.deleted, ids[..2].to_vec());
    assert_eq!(r.kept, 2);
    assert_eq!(r.objects_removed, 2);
    let after = sb.store.usage().unwrap();
    assert_eq!(after.objects, 2);
    assert_eq!(after.bytes, r.bytes_after);
    assert_eq!(before.bytes - after.bytes, r.bytes_freed);
    let left: Vec<String> = list(&sb.store).into_iter().map(|s| s.id).collect();
    assert_eq!(left, ids[2..].to_vec());
    // The survivors still restore.
    std::fs::remove_file(&f).ok();
    restore(&sb.store, &ids[3], RestoreOptions::default()).unwrap();
    assert!(
        std::fs::read_to_string(&f)
            .unwrap()
            .starts_with("version 3")
    );

    // Within budget and young: nothing deleted.
    let r = gc(&sb.store, u64::MAX, Duration::from_secs(3600), 0).unwrap();
    assert!(r.deleted.is_empty() && r.objects_removed == 0);
}

#[test]
fn gc_deletes_orphan_objects() {
    let sb = Sandbox::new();
    let f = sb.project.join("shared.txt");
    write(&f, "shared content");
    let a = sb.snapshot("rm -f shared.txt", &sb.project);
    let b = sb.snapshot("rm -f shared.txt", &sb.project);
    assert_eq!(sb.store.usage().unwrap().objects, 1);
    // Deleting one manifest keeps the object the other still uses.
    let r = gc(&sb.store, 0, Duration::from_secs(3600), 1).unwrap();
    assert_eq!(r.deleted, vec![a.id]);
    assert_eq!(r.objects_removed, 0);
    assert_eq!(sb.store.usage().unwrap().objects, 1);
    let r = gc(&sb.store, 0, Duration::from_secs(3600), 0).unwrap();
    assert_eq!(r.deleted, vec![b.id]);
    assert_eq!(sb.store.usage().unwrap(), StoreUsage::default());
}
