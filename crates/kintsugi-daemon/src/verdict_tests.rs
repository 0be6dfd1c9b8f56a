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
