//! Restore cannot be redirected: a directory above a snapshot's roots that
//! was swapped for a symlink (or another directory) since capture makes the
//! restore refuse, even forced, with nothing written anywhere; `to` restores
//! under a new directory instead.

mod common;

use common::{Sandbox, build_tree, tree_state};
use kintsugi_snapshot::{RestoreOptions, SnapshotError, restore};
use std::fs;
use std::path::{Path, PathBuf};

fn opts(force: bool, to: Option<PathBuf>) -> RestoreOptions {
    RestoreOptions {
        force,
        expected: None,
        to,
    }
}

/// Every path under `dir` (empty when it has nothing).
fn listing(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.symlink_metadata().unwrap().is_dir() {
                stack.push(p.clone());
            }
            out.push(p);
        }
    }
    out
}

/// PROJ/data captured and deleted, then PROJ replaced by a symlink to OTHER.
struct Redirected {
    sb: Sandbox,
    id: String,
    proj: PathBuf,
    other: PathBuf,
    before: std::collections::BTreeMap<PathBuf, (String, u32, i128, Vec<u8>)>,
}

fn redirected_project() -> Redirected {
    let sb = Sandbox::new();
    let proj = sb.home.join("PROJ");
    build_tree(&proj.join("data"));
    let before = tree_state(&proj.join("data"));
    let (m, _fp) = sb.damage("rm -rf data", &proj);
    assert!(!proj.join("data").exists());
    let other = sb.home.join("other");
    fs::create_dir_all(&other).unwrap();
    fs::rename(&proj, sb.home.join("PROJ.moved")).unwrap();
    std::os::unix::fs::symlink(&other, &proj).unwrap();
    Redirected {
        sb,
        id: m.id,
        proj,
        other,
        before,
    }
}

#[test]
fn undo_through_a_symlinked_ancestor_is_refused_even_forced() {
    let r = redirected_project();
    for force in [false, true] {
        let err = restore(&r.sb.store, &r.id, opts(force, None)).unwrap_err();
        assert!(
            matches!(&err, SnapshotError::Redirected { what, .. } if *what == r.proj),
            "force={force}: {err}"
        );
        let text = err.to_string();
        assert!(text.contains("--force does not override"), "{text}");
        assert!(
            text.contains(&format!("kintsugi undo {} --to", r.id)),
            "{text}"
        );
        assert!(
            listing(&r.other).is_empty(),
            "force={force}: something was written through the symlink: {:?}",
            listing(&r.other)
        );
    }
}

#[test]
fn undo_to_a_new_directory_restores_the_tree_there() {
    let r = redirected_project();
    let new_dir = r.sb.dir.path().join("restored");
    let report = restore(&r.sb.store, &r.id, opts(false, Some(new_dir.clone()))).unwrap();
    assert_eq!(tree_state(&new_dir.join("data")), r.before, "{report}");
    assert!(report.restored.iter().all(|p| p.starts_with(&new_dir)));
    assert!(listing(&r.other).is_empty());
    // A second time: the directory is no longer empty.
    let err = restore(&r.sb.store, &r.id, opts(false, Some(new_dir.clone()))).unwrap_err();
    assert!(err.to_string().contains("not empty"), "{err}");
    let err = restore(&r.sb.store, &r.id, opts(false, Some("relative/dir".into()))).unwrap_err();
    assert!(err.to_string().contains("absolute"), "{err}");
}

#[test]
fn an_ancestor_replaced_by_another_directory_is_refused() {
    let sb = Sandbox::new();
    let proj = sb.home.join("PROJ");
    build_tree(&proj.join("data"));
    let (m, fp) = sb.damage("rm -rf data", &proj);
    fs::rename(&proj, sb.home.join("PROJ.old")).unwrap();
    fs::create_dir(&proj).unwrap();
    let err = restore(
        &sb.store,
        &m.id,
        RestoreOptions {
            force: true,
            expected: Some(fp),
            to: None,
        },
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("replaced by another directory"),
        "{err}"
    );
    assert!(listing(&proj).is_empty());
}

#[test]
fn a_symlink_that_was_already_there_at_capture_still_restores_in_place() {
    let sb = Sandbox::new();
    let real = sb.home.join("real-proj");
    build_tree(&real.join("data"));
    let before = tree_state(&real.join("data"));
    let link = sb.home.join("proj-link");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let (m, fp) = sb.damage("rm -rf data", &link);
    assert!(!real.join("data").exists());
    sb.undo(&m, fp);
    assert_eq!(tree_state(&real.join("data")), before);
}

#[test]
fn old_manifests_without_identities_refuse_any_symlinked_ancestor() {
    let r = redirected_project();
    // Strip the recorded identities, as in a manifest from an older version.
    let path =
        r.sb.store
            .root()
            .join("manifests")
            .join(format!("{}.json", r.id));
    let mut json: serde_json::Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
    assert!(json.as_object_mut().unwrap().remove("ancestors").is_some());
    fs::write(&path, serde_json::to_vec(&json).unwrap()).unwrap();
    let err = restore(&r.sb.store, &r.id, opts(true, None)).unwrap_err();
    assert!(err.to_string().contains("is a symlink now"), "{err}");
    assert!(listing(&r.other).is_empty());
    // With the real directory back, the same old manifest restores.
    fs::remove_file(&r.proj).unwrap();
    fs::rename(r.sb.home.join("PROJ.moved"), &r.proj).unwrap();
    restore(&r.sb.store, &r.id, opts(false, None)).unwrap();
    assert_eq!(tree_state(&r.proj.join("data")), r.before);
}

#[test]
fn a_captured_subdirectory_swapped_for_a_symlink_is_never_written_through() {
    let sb = Sandbox::new();
    let proj = sb.home.join("PROJ");
    build_tree(&proj.join("data"));
    let (m, _fp) = sb.damage("rm -rf data/src/lib/deep/util.rs data/README.md", &proj);
    let other = sb.home.join("elsewhere");
    fs::create_dir_all(&other).unwrap();
    fs::remove_dir_all(proj.join("data/src")).unwrap();
    std::os::unix::fs::symlink(&other, proj.join("data/src")).unwrap();
    let _ = restore(&sb.store, &m.id, opts(true, None));
    assert!(
        listing(&other).is_empty(),
        "written through the symlink: {:?}",
        listing(&other)
    );
}

#[test]
fn git_is_never_run_in_a_work_tree_swapped_for_a_symlink() {
    let sb = Sandbox::new();
    let repo = &sb.project;
    common::init_repo(repo, &[("a.txt", "a\n")]);
    common::git(repo, &["branch", "topic"]);
    let (m, _fp) = sb.damage("git branch -D topic", repo);
    assert_eq!(m.work_trees.len(), 1);
    let other = sb.home.join("other-repo");
    common::init_repo(&other, &[("o.txt", "o\n")]);
    fs::rename(repo, sb.home.join("moved-project")).unwrap();
    std::os::unix::fs::symlink(&other, repo).unwrap();
    let err = restore(&sb.store, &m.id, opts(true, None)).unwrap_err();
    assert!(matches!(err, SnapshotError::Redirected { .. }), "{err}");
    assert!(
        common::git(&other, &["branch", "--list", "topic"]).is_empty(),
        "the branch was recreated in the other repository"
    );
}
