//! The guard's lease (`execlease`): the terms under which `kintsugi guard`
//! answers an exec itself, the one rule both sides apply
//! ([`Lease::answers`]), and the judging and recording of what it so
//! answered (`execsran`).
//!
//! An exec (one of the agent's own commands, or one under an allowed parent
//! exec) that the classifier calls safe and no deny or hold rule matches is
//! allowed by the verdict's steps in every mode, whatever its parent: the
//! kill switch and a remembered denial are the only
//! other steps that could refuse it, and the lease is withdrawn while either
//! could (`verdict_tests.rs` checks [`Lease::answers`] against
//! [`crate::verdict::by_rules`]). So the guard runs the same classification
//! and policy match, in the same build, lets such an exec continue at once,
//! and reports it afterwards; the daemon judges the report again and records
//! it with the rest of the covered execs' batch.
//!
//! A leased exec of the agent's own is remembered as an allowed exec when
//! its report arrives, so the execs under it can name it as their parent
//! (the guard sends that report before it proposes any of them).
//!
//! What this gives up: the kill switch or a new remembered denial reaches a
//! guard when it reads the next `lease` line (the daemon writes it at once);
//! until then only execs this rule calls safe continue unasked. A safe exec
//! is on the ledger a few milliseconds after it started, not before.

use crate::config::Rules;
use crate::engine::{Engine, classify, context, wire_class};
use crate::policy::{Projects, evaluate, program_lines};
use crate::state::State;
use kintsugi_classify::Analysis;
use kintsugi_protocol::{LeaseTerms, ProposedCommand};
use std::path::{Path, PathBuf};

/// This build's identity: its version and the file it runs from (device,
/// inode, size, modification time). A guard uses a lease only from a daemon
/// of the same build, so both classify alike; a replaced binary differs.
pub fn build_id() -> &'static str {
    static ID: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    ID.get_or_init(|| {
        #[cfg(target_os = "linux")]
        {
            use std::os::unix::fs::MetadataExt;
            match std::fs::metadata("/proc/self/exe") {
                Ok(m) => format!(
                    "{} {}:{} {} {}.{}",
                    env!("CARGO_PKG_VERSION"),
                    m.dev(),
                    m.ino(),
                    m.size(),
                    m.mtime(),
                    m.mtime_nsec()
                ),
                Err(_) => String::new(),
            }
        }
        #[cfg(not(target_os = "linux"))]
        String::new()
    })
}

/// The terms the daemon grants now.
pub fn terms(engine: &Engine) -> LeaseTerms {
    let why = if engine.panicked() {
        Some("the kill switch is on")
    } else if engine.memory.has_denials() {
        Some("a human's denial is remembered, so every exec is asked")
    } else {
        None
    };
    LeaseTerms {
        granted: why.is_none(),
        why: why.map(str::to_string),
        build: build_id().to_string(),
        home: engine.home.display().to_string(),
        deny: engine.config.rules.deny.clone(),
        hold: engine.config.rules.hold.clone(),
    }
}

/// A granted lease, ready to apply.
#[derive(Debug, Clone)]
pub struct Lease {
    rules: Rules,
    home: PathBuf,
}

impl Lease {
    /// The lease `terms` grant to this build, if any: none when not granted,
    /// or when the daemon is of another build (or its build is unknown).
    pub fn of(terms: &LeaseTerms) -> Option<Lease> {
        if !terms.granted || terms.build.is_empty() || terms.build != build_id() {
            return None;
        }
        Some(Lease {
            rules: Rules {
                allow: Vec::new(),
                deny: terms.deny.clone(),
                hold: terms.hold.clone(),
            },
            home: PathBuf::from(&terms.home),
        })
    }

    /// May `cmd`, an exec caught by the guard, continue at once? Its
    /// analysis when it is safe and no deny or hold rule (the user's, or a
    /// `.kintsugi.toml` from its cwd up) matches it; `None` sends it to the
    /// daemon.
    pub fn answers(&self, cmd: &ProposedCommand, projects: &Projects) -> Option<Analysis> {
        if cmd.origin != Some(kintsugi_protocol::Origin::Exec) {
            return None;
        }
        cmd.exec.as_ref()?;
        let project = projects.for_cwd(Path::new(&cmd.cwd));
        let analysis = classify(cmd, &context(cmd, &self.home, project.root.clone()));
        if analysis.class != kintsugi_classify::Class::Safe {
            return None;
        }
        let programs = program_lines(&analysis);
        let m = evaluate(
            &self.rules,
            &project.policies,
            &cmd.raw,
            &programs,
            &analysis.rule,
        );
        (m.deny.is_none() && m.hold.is_none()).then_some(analysis)
    }
}

/// How the daemon judges an exec a guard reports it answered: the class,
/// rule and reason to record. An exec the daemon's current terms would not
/// have let through (the lease was withdrawn after it ran, or the guard
/// disagrees) keeps the daemon's own class and says so.
/// `current` is the lease the daemon's terms grant now (taken once per
/// report). The last value says whether the daemon agrees it was allowed.
pub fn rejudge(
    state: &State,
    current: Option<&Lease>,
    cmd: &ProposedCommand,
) -> (kintsugi_protocol::Class, String, String, bool) {
    if let Some(a) = current.and_then(|l| l.answers(cmd, &state.engine.projects)) {
        let whose = if cmd.exec.as_ref().is_some_and(|x| x.parent.is_some()) {
            "under an allowed parent exec"
        } else {
            "one of the agent's own commands"
        };
        let reason = format!(
            "{} Answered by `kintsugi guard` under the daemon's lease: safe, {whose}.",
            a.reason
        );
        return (wire_class(a.class), a.rule, reason, true);
    }
    let a = state.engine.classify(cmd);
    let reason = format!(
        "{} It ran before the daemon saw it: `kintsugi guard` answered it under its lease, and the daemon's rules now would not let it through unasked (the kill switch, a remembered denial, a rule, or the guard's judgment differs).",
        a.reason
    );
    (wire_class(a.class), a.rule, reason, false)
}
