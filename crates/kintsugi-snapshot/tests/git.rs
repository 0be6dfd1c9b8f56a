//! Git damage on real repositories in temp dirs: force push to a local bare
//! remote, `reset --hard`, `clean -fdx`, `stash clear`, `branch -D`.

mod common;

use common::*;
use kintsugi_snapshot::*;
use std::fs;

fn status(repo: &std::path::Path) -> String {
    git(
        repo,
        &[
            "status",
            "--porcelain=v1",
            "--untracked-files=all",
            "--ignored",
        ],
    )
}

/// A repo pushed to a bare remote, then rewritten locally so a force push
/// would lose commits; returns the bare remote and its current `main`.
fn pushed_then_rewritten(sb: &Sandbox) -> (std::path::PathBuf, String) {
    let bare = sb.dir.path().join("remote.git");
    fs::create_dir_all(&bare).unwrap();
    git(&bare, &["init", "-q", "--bare", "-b", "main"]);
    let repo = &sb.project;
    init_repo(repo, &[("a.txt", "one\n")]);
    write(&repo.join("a.txt"), "two\n");
    git(repo, &["commit", "-qam", "second"]);
    write(&repo.join("b.txt"), "b\n");
    git(repo, &["add", "b.txt"]);
    git(repo, &["commit", "-qm", "third"]);
    git(repo, &["remote", "add", "origin", bare.to_str().unwrap()]);
    git(repo, &["push", "-q", "origin", "main"]);
    let old = git(&bare, &["rev-parse", "main"]);
    // Rewrite local history: the remote would lose two commits.
    git(repo, &["reset", "-q", "--hard", "HEAD~2"]);
    write(&repo.join("c.txt"), "c\n");
    git(repo, &["add", "c.txt"]);
    git(repo, &["commit", "-qm", "rewritten"]);
    (bare, old)
}

#[test]
fn force_push_is_undone_on_the_remote() {
    let sb = Sandbox::new();
    let (bare, old) = pushed_then_rewritten(&sb);
    let repo = &sb.project;

    let line = "git push --force origin main";
    let p = sb.plan(line, repo);
    let pv = preview(
        &p,
        1000,
        &PreviewContext {
            home: sb.home.clone(),
            project: Some(repo.clone()),
        },
    );
    assert_eq!(pv.remote_losses.len(), 1, "{pv}");
    assert_eq!(pv.remote_losses[0].commits, Some(2), "{pv}");
    assert!(
        pv.to_string()
            .contains("the remote origin will lose 2 commits on refs/heads/main"),
        "{pv}"
    );

    let (m, fp) = sb.damage(line, repo);
    assert_eq!(m.remote_refs.len(), 1);
    assert_eq!(m.remote_refs[0].old.as_deref(), Some(old.as_str()));
    let pin = m.remote_refs[0].pin.clone().unwrap();
    assert_eq!(git(repo, &["rev-parse", &pin]), old);
    assert_ne!(git(&bare, &["rev-parse", "main"]), old);

    let r = sb.undo(&m, fp);
    assert_eq!(r.git.len(), 1, "{r}");
    assert!(
        r.to_string()
            .lines()
            .next()
            .unwrap()
            .contains("1 git change undone"),
        "{r}"
    );
    assert_eq!(git(&bare, &["rev-parse", "main"]), old);
    assert_eq!(git(repo, &["rev-parse", "refs/remotes/origin/main"]), old);
    let r2 = restore(&sb.store, &m.id, RestoreOptions::default()).unwrap();
    assert!(r2.nothing_to_do(), "{r2}");
}

#[test]
fn a_force_push_with_dash_c_is_planned_in_that_repo() {
    let sb = Sandbox::new();
    let (bare, old) = pushed_then_rewritten(&sb);
    let repo = &sb.project;
    // Run from outside the repository: `-C` names it.
    let elsewhere = sb.dir.path().join("elsewhere");
    fs::create_dir_all(&elsewhere).unwrap();
    let line = format!("git -C {} push --force origin main", repo.display());
    let (m, fp) = sb.damage(&line, &elsewhere);
    assert_eq!(m.remote_refs.len(), 1, "{m:?}");
    assert_eq!(&m.remote_refs[0].repo, repo);
    assert_eq!(m.remote_refs[0].old.as_deref(), Some(old.as_str()));
    assert_ne!(git(&bare, &["rev-parse", "main"]), old);
    sb.undo(&m, fp);
    assert_eq!(git(&bare, &["rev-parse", "main"]), old);
}

#[test]
fn a_pushed_new_ref_is_deleted_by_undo() {
    let sb = Sandbox::new();
    let bare = sb.dir.path().join("remote.git");
    fs::create_dir_all(&bare).unwrap();
    git(&bare, &["init", "-q", "--bare", "-b", "main"]);
    let repo = &sb.project;
    init_repo(repo, &[("a.txt", "one\n")]);
    let line = format!("git push {} HEAD:refs/heads/feature", bare.display());
    let (m, fp) = sb.damage(&line, repo);
    assert_eq!(m.remote_refs[0].old, None);
    assert!(!git(&bare, &["branch", "--list", "feature"]).is_empty());
    sb.undo(&m, fp);
    assert!(git(&bare, &["branch", "--list", "feature"]).is_empty());
}

#[test]
fn reset_hard_with_uncommitted_work_is_undone() {
    let sb = Sandbox::new();
    let repo = &sb.project;
    init_repo(repo, &[("a.txt", "a1\n"), ("b.txt", "b1\n")]);
    write(&repo.join("c.txt"), "c committed\n");
    git(repo, &["add", "c.txt"]);
    git(repo, &["commit", "-qm", "add c"]);
    let head = git(repo, &["rev-parse", "HEAD"]);
    write(&repo.join("a.txt"), "a1\nunstaged edit\n");
    write(&repo.join("b.txt"), "b1\nstaged edit\n");
    git(repo, &["add", "b.txt"]);
    write(&repo.join("new/staged.txt"), "brand new, staged\n");
    git(repo, &["add", "new/staged.txt"]);
    let before = status(repo);
    let ctx = PreviewContext {
        home: sb.home.clone(),
        project: Some(repo.clone()),
    };
    let pv = preview(&sb.plan("git reset --hard HEAD~1", repo), 100, &ctx);
    assert!(
        pv.to_string()
            .contains("git reset --hard in ~/work/project: discards uncommitted work in 3 files"),
        "{pv}"
    );
    // git keeps no directory mtimes; compare the files' state only.
    let files_before = fs::read(repo.join("new/staged.txt")).unwrap();

    let (m, fp) = sb.damage("git reset --hard HEAD~1", repo);
    assert_eq!(m.work_trees.len(), 1);
    assert_ne!(git(repo, &["rev-parse", "HEAD"]), head);
    assert!(!repo.join("c.txt").exists() && !repo.join("new").exists());

    let r = sb.undo(&m, fp);
    assert_eq!(git(repo, &["rev-parse", "HEAD"]), head, "{r}");
    assert_eq!(status(repo), before, "{r}");
    assert_eq!(
        fs::read_to_string(repo.join("a.txt")).unwrap(),
        "a1\nunstaged edit\n"
    );
    assert_eq!(
        fs::read_to_string(repo.join("b.txt")).unwrap(),
        "b1\nstaged edit\n"
    );
    assert_eq!(
        fs::read_to_string(repo.join("c.txt")).unwrap(),
        "c committed\n"
    );
    assert_eq!(fs::read(repo.join("new/staged.txt")).unwrap(), files_before);
    assert!(
        restore(&sb.store, &m.id, RestoreOptions::default())
            .unwrap()
            .nothing_to_do()
    );
}

#[test]
fn clean_fdx_untracked_and_ignored_files_come_back() {
    let sb = Sandbox::new();
    let repo = &sb.project;
    init_repo(
        repo,
        &[(".gitignore", "target/\n*.log\n"), ("src.rs", "x\n")],
    );
    write(&repo.join("untracked.txt"), "u\n");
    write(&repo.join("scratch/deep/notes.md"), "notes\n");
    write(&repo.join("target/debug/app"), "binary");
    write(&repo.join("run.log"), "log\n");
    let before = status(repo);
    let (m, fp) = sb.damage("git clean -fdx", repo);
    assert!(!repo.join("target").exists() && !repo.join("untracked.txt").exists());
    assert_eq!(m.file_count(), 4, "{:?}", m.entries);
    sb.undo(&m, fp);
    assert_eq!(status(repo), before);
    assert_eq!(
        fs::read_to_string(repo.join("target/debug/app")).unwrap(),
        "binary"
    );
    assert_eq!(
        fs::read_to_string(repo.join("scratch/deep/notes.md")).unwrap(),
        "notes\n"
    );
}

#[test]
fn stash_clear_is_undone() {
    let sb = Sandbox::new();
    let repo = &sb.project;
    init_repo(repo, &[("a.txt", "a\n")]);
    write(&repo.join("a.txt"), "first stash\n");
    git(repo, &["stash", "push", "-q", "-m", "first"]);
    write(&repo.join("a.txt"), "second stash\n");
    git(repo, &["stash", "push", "-q", "-m", "second"]);
    let before = git(repo, &["stash", "list", "--format=%H %gs"]);
    assert_eq!(before.lines().count(), 2);
    let (m, fp) = sb.damage("git stash clear", repo);
    assert_eq!(git(repo, &["stash", "list"]), "");
    sb.undo(&m, fp);
    assert_eq!(git(repo, &["stash", "list", "--format=%H %gs"]), before);
    git(repo, &["stash", "pop", "-q"]);
    assert_eq!(
        fs::read_to_string(repo.join("a.txt")).unwrap(),
        "second stash\n"
    );
}

#[test]
fn branch_force_delete_is_undone() {
    let sb = Sandbox::new();
    let repo = &sb.project;
    init_repo(repo, &[("a.txt", "a\n")]);
    git(repo, &["checkout", "-q", "-b", "topic"]);
    write(&repo.join("t.txt"), "topic work\n");
    git(repo, &["add", "t.txt"]);
    git(repo, &["commit", "-qm", "topic work"]);
    let topic = git(repo, &["rev-parse", "topic"]);
    git(repo, &["checkout", "-q", "main"]);
    let (m, fp) = sb.damage("git branch -D topic", repo);
    assert!(git(repo, &["branch", "--list", "topic"]).is_empty());
    sb.undo(&m, fp);
    assert_eq!(git(repo, &["rev-parse", "topic"]), topic);
}

#[test]
fn gc_removes_pins_of_deleted_snapshots() {
    let sb = Sandbox::new();
    let repo = &sb.project;
    init_repo(repo, &[("a.txt", "a\n")]);
    let m = sb.snapshot("git stash clear", repo);
    assert!(!git(repo, &["for-each-ref", &format!("refs/kintsugi/{}/", m.id)]).is_empty());
    let r = gc(&sb.store, 0, std::time::Duration::from_secs(0), 0).unwrap();
    assert_eq!(r.deleted, vec![m.id.clone()]);
    assert!(git(repo, &["for-each-ref", &format!("refs/kintsugi/{}/", m.id)]).is_empty());
}
