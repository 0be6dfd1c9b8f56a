//! Snapshot benchmark. First a one-shot measurement on a generated
//! 10,000-file / 500 MB tree (capture into an empty store, a second capture
//! that deduplicates everything, then `rm -rf` and restore), printing time,
//! bytes written and whether files were cloned; then a criterion group for
//! the deduplicating capture of a 1,000-file tree.
//!
//! `KINTSUGI_BENCH_DIR=/mnt/xfs` runs it on another filesystem (e.g. a
//! reflink XFS mount); the default is a temp dir. `KINTSUGI_BENCH_MB` and
//! `KINTSUGI_BENCH_FILES` change the tree's size.

use criterion::{Criterion, criterion_group};
use kintsugi_snapshot::{Budget, Effect, RestoreOptions, Store, capture, plan, restore};
use std::path::Path;
use std::time::{Duration, Instant};

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Writes `files` files totalling about `total` bytes of incompressible,
/// non-repeating content, 100 files per directory.
fn generate(root: &Path, files: u64, total: u64) {
    let per = (total / files.max(1)) as usize;
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut buf = vec![0u8; per];
    for i in 0..files {
        let dir = root.join(format!("d{:03}", i / 100));
        if i % 100 == 0 {
            std::fs::create_dir_all(&dir).unwrap();
        }
        for chunk in buf.chunks_mut(8) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            chunk.copy_from_slice(&state.to_le_bytes()[..chunk.len()]);
        }
        std::fs::write(dir.join(format!("f{i:05}.bin")), &buf).unwrap();
    }
}

fn one_shot() {
    let base = std::env::var_os("KINTSUGI_BENCH_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let dir = tempfile::tempdir_in(&base).unwrap();
    let files = env_u64("KINTSUGI_BENCH_FILES", 10_000);
    let mb = env_u64("KINTSUGI_BENCH_MB", 500);
    let tree = dir.path().join("tree");
    let t = Instant::now();
    generate(&tree, files, mb * 1_000_000);
    println!(
        "generated {files} files / {mb} MB under {} in {:.2?}",
        dir.path().display(),
        t.elapsed()
    );
    let store = Store::open(dir.path().join("store")).unwrap();
    let effects = vec![Effect::Delete {
        path: tree.display().to_string(),
        recursive: true,
    }];
    let p = plan(&effects, dir.path());
    let budget = Budget {
        max_bytes: u64::MAX,
        max_files: u64::MAX,
        max_time: Duration::from_secs(3600),
    };

    let t = Instant::now();
    let m = capture(&store, &p, &budget, &mut |_| {}).unwrap();
    let first = t.elapsed();
    println!(
        "capture (empty store): {:.2?}  {} files, {} MB content, {} MB written to the store, cloned {} / copied {} (reflink {})",
        first,
        m.file_count(),
        m.bytes / 1_000_000,
        m.new_bytes / 1_000_000,
        m.cloned,
        m.copied,
        if m.cloned > 0 {
            "used"
        } else {
            "not available here"
        }
    );
    let within_default = first <= Budget::default().max_time;
    println!(
        "  within the default time budget ({:?}): {within_default}",
        Budget::default().max_time
    );

    let t = Instant::now();
    let m2 = capture(&store, &p, &budget, &mut |_| {}).unwrap();
    println!(
        "capture (same tree again, deduplicated): {:.2?}  {} MB written, {} deduplicated",
        t.elapsed(),
        m2.new_bytes / 1_000_000,
        m2.deduplicated
    );
    let usage = store.usage().unwrap();
    println!(
        "store: {} objects, {} MB",
        usage.objects,
        usage.bytes / 1_000_000
    );

    std::fs::remove_dir_all(&tree).unwrap();
    let t = Instant::now();
    let r = restore(&store, &m.id, RestoreOptions::default()).unwrap();
    println!(
        "restore after rm -rf: {:.2?}  {} files, {} cloned",
        t.elapsed(),
        r.restored.len(),
        r.cloned
    );
}

fn dedup_capture(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("tree");
    generate(&tree, 1_000, 4_000_000);
    let store = Store::open(dir.path().join("store")).unwrap();
    let effects = vec![Effect::Delete {
        path: tree.display().to_string(),
        recursive: true,
    }];
    let p = plan(&effects, dir.path());
    capture(&store, &p, &Budget::default(), &mut |_| {}).unwrap();
    c.bench_function("capture 1,000 files / 4 MB, all deduplicated", |b| {
        b.iter(|| capture(&store, &p, &Budget::default(), &mut |_| {}).unwrap())
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10).measurement_time(Duration::from_secs(5));
    targets = dedup_capture
}

fn main() {
    one_shot();
    benches();
    Criterion::default().configure_from_args().final_summary();
}
