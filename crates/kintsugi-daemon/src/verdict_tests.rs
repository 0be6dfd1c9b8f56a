//! The rule steps of `verdict.rs` in their order, against a real engine
//! (the classifier, the policy matcher and a memory file in a temp dir).

use super::by_rules;
use crate::config::{Config, Mode};
use crate::engine::Engine;
use crate::memory::Memory;
use crate::policy::Projects;
use crate::scorer::Heuristic;
use kintsugi_protocol::{Class, Decision, ProposedCommand};
use std::sync::atomic::{AtomicBool, Ordering};

fn engine(dir: &std::path::Path, mode: Mode, rules: &[(&str, &str)]) -> Engine {
    let mut config = Config {
        mode,
        ..Config::default()
    };
    for (kind, pattern) in rules {
        let list = match *kind {
            "allow" => &mut config.rules.allow,
            "deny" => &mut config.rules.deny,
            _ => &mut config.rules.hold,
        };
        list.push(pattern.to_string());
    }
    Engine {
        model: crate::model::Slot::new(&config.model),
        config,
        home: dir.join("home"),
        projects: Projects::default(),
        memory: Memory::load(dir).unwrap(),
        scorer: Box::new(Heuristic),
        panic: AtomicBool::new(false),
        mode_now: Default::default(),
    }
}

fn cmd(dir: &std::path::Path, raw: &str) -> ProposedCommand {
    ProposedCommand::new("test", &dir.display().to_string(), vec![], raw)
}

fn run(engine: &Engine, c: &ProposedCommand) -> super::Decided {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(by_rules(engine, c))
}

#[test]
fn the_kill_switch_comes_before_an_allow_rule_and_still_says_what_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(dir.path(), Mode::Notify, &[("allow", "frobnicate*")]);
    e.panic.store(true, Ordering::SeqCst);
    let d = run(&e, &cmd(dir.path(), "frobnicate --all"));
    assert_eq!(d.decision, Decision::Deny);
    assert!(d.reason.contains("kill switch"), "{}", d.reason);
    assert_ne!(d.class, Class::Safe);
    assert!(
        d.risk.is_some(),
        "the score is reported on a kill-switch deny"
    );
}

#[test]
fn a_deny_rule_comes_before_a_remembered_approval() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(dir.path(), Mode::Attended, &[("deny", "rm -rf build")]);
    e.memory
        .remember(dir.path(), "rm -rf build", "allow", "t")
        .unwrap();
    let d = run(&e, &cmd(dir.path(), "rm -rf build"));
    assert_eq!(d.decision, Decision::Deny);
    assert!(d.reason.starts_with("Denied by the rule"), "{}", d.reason);
}

#[test]
fn a_remembered_approval_allows_what_the_mode_would_hold_but_never_a_catastrophe() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(dir.path(), Mode::Attended, &[]);
    e.memory
        .remember(dir.path(), "frobnicate --all", "allow", "t")
        .unwrap();
    e.memory
        .remember(dir.path(), "rm -rf /", "allow", "t")
        .unwrap();
    let d = run(&e, &cmd(dir.path(), "frobnicate --all"));
    assert_eq!(d.decision, Decision::Allow);
    assert!(
        d.reason.contains("remembered human approval"),
        "{}",
        d.reason
    );
    let d = run(&e, &cmd(dir.path(), "rm -rf /"));
    assert_eq!(d.class, Class::Catastrophic);
    assert_eq!(d.decision, Decision::Hold);
}

#[test]
fn a_hold_rule_on_a_safe_command_holds_and_unattended_turns_the_hold_into_deny() {
    let dir = tempfile::tempdir().unwrap();
    let attended = engine(dir.path(), Mode::Attended, &[("hold", "ls*")]);
    let d = run(&attended, &cmd(dir.path(), "ls -la"));
    assert_eq!(d.class, Class::Safe);
    assert_eq!(d.decision, Decision::Hold);
    let unattended = engine(dir.path(), Mode::Unattended, &[("hold", "ls*")]);
    let d = run(&unattended, &cmd(dir.path(), "ls -la"));
    assert_eq!(d.decision, Decision::Deny);
    assert!(d.reason.starts_with("Held by the rule"), "{}", d.reason);
}

/// A covered exec as the guard would propose it (origin `exec`, a parent).
fn covered_exec(cwd: &std::path::Path, raw: &str) -> ProposedCommand {
    let mut c = cmd(cwd, raw);
    c.origin = Some(kintsugi_protocol::Origin::Exec);
    c.exec = Some(kintsugi_protocol::ExecForm {
        program: raw.split(' ').next().unwrap_or_default().to_string(),
        parent: Some("parent-exec".into()),
        ..Default::default()
    });
    c
}

/// Every labelled corpus line, from the classifier's corpus files.
fn corpus_lines() -> Vec<String> {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../kintsugi-classify/tests/corpus");
    let mut lines = Vec::new();
    for f in std::fs::read_dir(&dir).unwrap() {
        let p = f.unwrap().path();
        if p.extension().is_some_and(|e| e == "tsv") {
            let text = std::fs::read_to_string(&p).unwrap();
            let cases = kintsugi_classify::corpus::parse(&p.display().to_string(), &text).unwrap();
            lines.extend(cases.into_iter().map(|c| c.command));
        }
    }
    lines
}

#[test]
fn whatever_the_guards_lease_answers_the_rule_steps_allow_in_every_mode() {
    let dir = tempfile::tempdir().unwrap();
    let proj = dir.path().join("proj");
    std::fs::create_dir_all(proj.join(".git")).unwrap();
    std::fs::write(
        proj.join(".kintsugi.toml"),
        "[rules]\nhold = [\"ls -la*\"]\n",
    )
    .unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let lines = corpus_lines();
    assert!(lines.len() > 5000, "the corpus was read: {}", lines.len());
    for mode in [Mode::Attended, Mode::Unattended, Mode::Notify] {
        let rules = [("hold", "git status*"), ("deny", "cat *notes*")];
        let e = engine(dir.path(), mode, &rules);
        let lease = crate::lease::Lease::of(&crate::lease::terms(&e)).expect("granted");
        let mut answered = 0;
        for line in &lines {
            let c = covered_exec(&proj, line);
            if lease.answers(&c, &e.projects).is_some() {
                answered += 1;
                let d = rt.block_on(by_rules(&e, &c));
                assert_eq!(d.decision, Decision::Allow, "{mode:?} {line}: {}", d.reason);
            }
        }
        assert!(answered > 1000, "{mode:?}: only {answered} lines answered");
        for (line, answers) in [
            ("ls", true),
            ("ls -la", false),
            ("git status", false),
            ("cat notes.txt", false),
            ("rm -rf build", false),
        ] {
            let c = covered_exec(&proj, line);
            assert_eq!(lease.answers(&c, &e.projects).is_some(), answers, "{line}");
        }
        // One of the agent's own execs (no parent) is answered alike; a
        // command that is no exec the guard caught never is.
        let mut top = covered_exec(&proj, "ls");
        top.exec.as_mut().unwrap().parent = None;
        assert!(lease.answers(&top, &e.projects).is_some());
        let mut hook = covered_exec(&proj, "ls");
        hook.origin = Some(kintsugi_protocol::Origin::Hook);
        assert!(lease.answers(&hook, &e.projects).is_none());
        hook.origin = Some(kintsugi_protocol::Origin::Exec);
        hook.exec = None;
        assert!(lease.answers(&hook, &e.projects).is_none());
    }
}

#[test]
fn the_lease_is_withheld_under_the_kill_switch_a_remembered_denial_or_another_build() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(dir.path(), Mode::Attended, &[]);
    let t = crate::lease::terms(&e);
    assert!(t.granted && crate::lease::Lease::of(&t).is_some());
    let other = kintsugi_protocol::LeaseTerms {
        build: format!("{} (another)", t.build),
        ..t.clone()
    };
    assert!(crate::lease::Lease::of(&other).is_none(), "another build");
    e.panic.store(true, Ordering::SeqCst);
    let t = crate::lease::terms(&e);
    assert!(!t.granted && t.why.as_deref().unwrap().contains("kill switch"));
    assert!(crate::lease::Lease::of(&t).is_none());
    e.panic.store(false, Ordering::SeqCst);
    e.memory
        .remember(dir.path(), "make deploy", "allow", "t")
        .unwrap();
    assert!(
        crate::lease::terms(&e).granted,
        "a remembered approval changes nothing"
    );
    e.memory
        .remember(dir.path(), "make deploy", "deny", "t")
        .unwrap();
    let t = crate::lease::terms(&e);
    assert!(
        !t.granted && t.why.as_deref().unwrap().contains("denial"),
        "{t:?}"
    );
}
