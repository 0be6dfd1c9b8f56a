//! File damage on real trees: `rm -rf`, `>` truncation, `sed -i`, conflicts,
//! idempotence, dedup, budgets, special files and the preview.

mod common;

use common::*;
use kintsugi_snapshot::*;
use std::fs;

#[test]
fn rm_rf_then_restore_is_byte_identical() {
    let sb = Sandbox::new();
    let site = sb.project.join("site");
    build_tree(&site);
    let before = tree_state(&site);
    let (m, fp) = sb.damage("rm -rf site", &sb.project);
    assert!(m.complete, "{:?}", m.uncovered);
    assert!(!site.exists());
    assert_eq!(m.file_count(), 5);
    let r = sb.undo(&m, fp);
    assert!(!r.nothing_to_do());
    assert_eq!(tree_state(&site), before, "tree differs after restore");
    // Restoring twice is a clean no-op, even without a fingerprint.
    let r2 = restore(&sb.store, &m.id, RestoreOptions::default()).unwrap();
    assert!(r2.nothing_to_do(), "{r2}");
    assert!(r2.to_string().contains("already restored / nothing to do"));
    assert_eq!(tree_state(&site), before);
}

#[test]
fn truncation_and_sed_in_place_are_restored() {
    let sb = Sandbox::new();
    let cfg = sb.project.join("config.toml");
    let notes = sb.project.join("notes.txt");
    write(&cfg, "name = \"kintsugi\"\nmode = \"strict\"\n");
    write(&notes, "alpha\nbeta\ngamma\n");
    set_mtime(&cfg, 5000);
    let before_cfg = tree_state(&cfg);
    let before_notes = fs::read(&notes).unwrap();

    let (m1, fp1) = sb.damage("echo > config.toml", &sb.project);
    assert_eq!(fs::read_to_string(&cfg).unwrap(), "\n");
    let (m2, fp2) = sb.damage("sed -i 's/beta/BETA/' notes.txt", &sb.project);
    assert_eq!(fs::read_to_string(&notes).unwrap(), "alpha\nBETA\ngamma\n");

    sb.undo(&m1, fp1);
    sb.undo(&m2, fp2);
    assert_eq!(tree_state(&cfg), before_cfg);
    assert_eq!(fs::read(&notes).unwrap(), before_notes);
}

#[test]
fn conflict_refused_without_force_and_applied_with_it() {
    let sb = Sandbox::new();
    let f = sb.project.join("data.csv");
    let other = sb.project.join("other.csv");
    write(&f, "a,b\n1,2\n");
    write(&other, "x\n");
    let (m, fp) = sb.damage("rm -f data.csv other.csv", &sb.project);
    // Someone writes a new data.csv after the command.
    write(&f, "new content written after the command\n");
    let err = restore(
        &sb.store,
        &m.id,
        RestoreOptions {
            force: false,
            expected: Some(fp.clone()),
            ..Default::default()
        },
    )
    .unwrap_err();
    match &err {
        SnapshotError::Conflicts { conflicts, .. } => {
            assert_eq!(conflicts.len(), 1);
            assert!(conflicts[0].what.ends_with("data.csv"));
        }
        other => panic!("expected conflicts, got {other}"),
    }
    assert!(err.to_string().contains("--force"));
    // Nothing changed: other.csv was not brought back either.
    assert!(!other.exists());
    assert_eq!(
        fs::read_to_string(&f).unwrap(),
        "new content written after the command\n"
    );

    let r = restore(
        &sb.store,
        &m.id,
        RestoreOptions {
            force: true,
            expected: Some(fp),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(r.conflicts.len(), 1);
    assert_eq!(fs::read_to_string(&f).unwrap(), "a,b\n1,2\n");
    assert_eq!(fs::read_to_string(&other).unwrap(), "x\n");
    let r2 = restore(&sb.store, &m.id, RestoreOptions::default()).unwrap();
    assert!(r2.nothing_to_do());
}

#[test]
fn without_fingerprint_a_changed_file_is_a_conflict() {
    let sb = Sandbox::new();
    let f = sb.project.join("a.txt");
    write(&f, "original\n");
    let m = sb.snapshot("echo changed > a.txt", &sb.project);
    sb.run("echo changed > a.txt", &sb.project);
    assert!(matches!(
        restore(&sb.store, &m.id, RestoreOptions::default()),
        Err(SnapshotError::Conflicts { .. })
    ));
    sb.force_undo(&m);
    assert_eq!(fs::read_to_string(&f).unwrap(), "original\n");
}

#[test]
fn restore_never_deletes_uncaptured_files() {
    let sb = Sandbox::new();
    let d = sb.project.join("build");
    write(&d.join("a.o"), "obj");
    let (m, fp) = sb.damage("rm -rf build", &sb.project);
    write(&d.join("new.o"), "created later");
    sb.undo(&m, fp);
    assert_eq!(fs::read_to_string(d.join("a.o")).unwrap(), "obj");
    assert_eq!(
        fs::read_to_string(d.join("new.o")).unwrap(),
        "created later"
    );
}

#[test]
fn second_snapshot_of_same_tree_adds_no_objects() {
    let sb = Sandbox::new();
    let site = sb.project.join("site");
    build_tree(&site);
    let m1 = sb.snapshot("rm -rf site", &sb.project);
    let u1 = sb.store.usage().unwrap();
    assert!(m1.new_bytes > 0 || m1.cloned > 0);
    let m2 = sb.snapshot("rm -rf site", &sb.project);
    let u2 = sb.store.usage().unwrap();
    assert_eq!(u1.objects, u2.objects);
    assert_eq!(u1.bytes, u2.bytes);
    assert_eq!(m2.new_bytes, 0);
    assert_eq!(m2.deduplicated, m2.file_count());
    assert_eq!(u2.manifests, 2);
    let ids: Vec<String> = list(&sb.store).into_iter().map(|s| s.id).collect();
    assert_eq!(ids, vec![m1.id.clone(), m2.id.clone()]);
    assert!(
        m1.id.len() == 22 && m1.id.as_bytes()[8] == b'T',
        "{}",
        m1.id
    );
}

#[test]
fn budget_exceeded_is_reported_precisely() {
    let sb = Sandbox::new();
    let big = sb.project.join("big");
    for i in 0..20 {
        write(&big.join(format!("f{i:02}.txt")), &"x".repeat(1000));
    }
    let budget = Budget {
        max_bytes: 5_500,
        ..Budget::default()
    };
    let m = sb.snapshot_with("rm -rf big", &sb.project, &budget);
    assert!(!m.complete);
    assert_eq!(m.file_count(), 5);
    // The 15 files not captured are each named.
    let names: Vec<&str> = m.uncovered.iter().map(|u| u.what.as_str()).collect();
    assert_eq!(names.len(), 15, "{names:?}");
    assert!(names[0].ends_with("f05.txt") && names[14].ends_with("f19.txt"));
    assert!(m.uncovered[0].reason.contains("byte budget"));

    let budget = Budget {
        max_files: 3,
        ..Budget::default()
    };
    let m = sb.snapshot_with("rm -rf big", &sb.project, &budget);
    assert!(!m.complete);
    assert_eq!(m.entries.len(), 3);
    assert!(m.uncovered.iter().all(|u| u.reason.contains("file budget")));
}

#[test]
fn special_files_are_skipped_and_listed() {
    let sb = Sandbox::new();
    let d = sb.project.join("run");
    write(&d.join("keep.txt"), "k");
    let st = std::process::Command::new("mkfifo")
        .arg(d.join("pipe"))
        .status()
        .unwrap();
    assert!(st.success());
    let m = sb.snapshot("rm -rf run", &sb.project);
    assert_eq!(m.skipped.len(), 1);
    assert_eq!(m.skipped[0].kind, "fifo");
    assert_eq!(m.file_count(), 1);
}

#[test]
fn globs_and_moves_are_planned_and_restored() {
    let sb = Sandbox::new();
    write(&sb.project.join("a.log"), "A");
    write(&sb.project.join("b.log"), "B");
    write(&sb.project.join("keep.txt"), "K");
    write(&sb.project.join("old/name.txt"), "N");
    let (m, fp) = sb.damage("rm *.log && mv old new", &sb.project);
    let planned: Vec<_> = m
        .roots
        .iter()
        .map(|r| r.path.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(planned, vec!["a.log", "b.log", "new", "old"]);
    sb.undo(&m, fp);
    assert_eq!(fs::read_to_string(sb.project.join("a.log")).unwrap(), "A");
    assert_eq!(
        fs::read_to_string(sb.project.join("old/name.txt")).unwrap(),
        "N"
    );
    // The moved copy is left where the command put it (never delete what was not captured).
    assert!(sb.project.join("new/name.txt").exists());
    let again = restore(&sb.store, &m.id, RestoreOptions::default()).unwrap();
    assert!(again.nothing_to_do());
    assert_eq!(again.left_in_place, vec![sb.project.join("new")]);
    assert!(again.to_string().contains("left in place"), "{again}");
    let line = list(&sb.store)[0].to_string();
    assert!(
        line.contains("rm *.log && mv old new") && line.contains("3 files"),
        "{line}"
    );
}

#[test]
fn unresolvable_targets_are_reported() {
    let sb = Sandbox::new();
    let p = sb.plan("rm -rf \"$TARGET_DIR\"/cache", &sb.project);
    assert!(
        p.uncovered.iter().any(|u| u.what.contains("$TARGET_DIR")),
        "{:?}",
        p.uncovered
    );
    let pv = preview(
        &p,
        1000,
        &PreviewContext {
            home: sb.home.clone(),
            project: Some(sb.project.clone()),
        },
    );
    assert!(pv.to_string().contains("undo cannot cover"), "{pv}");
}

#[test]
fn preview_sizes_and_flags() {
    let sb = Sandbox::new();
    let site = sb.home.join("work/site");
    for i in 0..12 {
        write(&site.join(format!("page{i}.html")), &"<p>".repeat(100));
    }
    write(&site.join(".env"), "SECRET=1");
    let p = sb.plan("rm -rf ~/work/site", &sb.project);
    let ctx = PreviewContext {
        home: sb.home.clone(),
        project: Some(sb.project.clone()),
    };
    let pv = preview(&p, 1000, &ctx);
    let text = pv.to_string();
    assert_eq!(pv.items[0].files, 13);
    assert!(
        text.contains("deletes 13 files (3.6 KB) under ~/work/site"),
        "{text}"
    );
    assert!(
        text.contains("leaves the project: yes; reaches home: yes"),
        "{text}"
    );
    assert!(
        text.contains("credentials in scope: ~/work/site/.env"),
        "{text}"
    );
    assert!(text.contains("undo: can cover all of it"), "{text}");
    let capped = preview(&p, 5, &ctx);
    assert!(capped.items[0].more_than);
    assert!(capped.to_string().contains("more than"), "{capped}");

    let inside = sb.plan("rm -rf build", &sb.project);
    fs::create_dir_all(sb.project.join("build")).unwrap();
    let pv = preview(&inside, 1000, &ctx);
    assert!(!pv.leaves_project && !pv.reaches_home, "{pv}");
}

#[test]
fn the_store_is_never_captured_into_itself() {
    let sb = Sandbox::new();
    write(&sb.home.join("notes.txt"), "n");
    let store = Store::in_data_dir(&sb.home.join(".local/share/kintsugi")).unwrap();
    let p = sb.plan("rm -rf ~", &sb.project);
    let m = capture(&store, &p, &Budget::default(), &mut |_| {}).unwrap();
    assert!(m.entries.iter().all(|e| !e.path.starts_with(store.root())));
    assert!(
        m.uncovered
            .iter()
            .any(|u| u.reason.contains("store itself"))
    );
    assert!(m.entries.iter().any(|e| e.path.ends_with("notes.txt")));
}
