//! Execs caught by `kintsugi guard` (origin `exec`): the inheritance rule.
//!
//! Every exec proposal is remembered for a while with its verdict. A later
//! exec names (in `exec.parent`) the nearest allowed exec it descends from;
//! the supervisor knows the process tree, the daemon checks that the named
//! exec really was allowed (or approved by a human). When the engine would
//! HOLD such an exec, it is allowed instead when
//!
//! 1. it is part of the parent's line: each of its simple commands is one of
//!    the parent line's simple commands (program compared by file name, so
//!    `rm` in `bash -c 'rm -rf x'` matches the shell's `/usr/bin/rm -rf x`),
//!    and it is not catastrophic unless the parent was; or
//! 2. it is held only for being unknown (every effect is an unknown
//!    program or verb): a build's compilers, linkers and helpers inherit the
//!    allowance of the command that started them.
//!
//! Anything destructive, exfiltrating or otherwise non-safe by a known rule
//! is judged on its own. A DENY is never changed. The agent's own top-level
//! commands have no parent and are decided as any other proposal.

use kintsugi_classify::Effect;
use kintsugi_protocol::{Class, Decision, Origin, PendingState, ProposedCommand};
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long an allowed exec's allowance may be inherited by the execs that
/// descend from it (a long build runs its tools well after it started).
pub const EXEC_ALLOWANCE_WINDOW: Duration = Duration::from_secs(12 * 60 * 60);
/// Most exec proposals remembered for inheritance: the least recently
/// noted or named as a parent are dropped first, so a long build's `make`
/// stays while the thousands of compilers under it come and go.
pub const MAX_EXEC_ALLOWANCES: usize = 16_384;

struct Remembered {
    cmd: ProposedCommand,
    class: Class,
    decision: Decision,
    pending: Option<String>,
    at: Instant,
    /// When it was last noted or named as a parent (its place in `order`).
    used: u64,
}

/// Exec proposals, by proposal id.
#[derive(Default)]
pub struct ExecAllowances {
    memory: Mutex<Memory>,
}

/// The remembered proposals and their use order. `order` holds one entry
/// per note or use, oldest first; an entry whose tick is no longer its
/// proposal's `used` is stale and skipped. Every operation is O(1)
/// amortised (the daemon answers every exec of a build through it).
#[derive(Default)]
struct Memory {
    map: HashMap<String, Remembered>,
    order: VecDeque<(u64, String)>,
    tick: u64,
}

impl Memory {
    /// Mark `id` used now.
    fn touch(&mut self, id: &str) {
        self.tick += 1;
        let tick = self.tick;
        if let Some(r) = self.map.get_mut(id) {
            r.used = tick;
            self.order.push_back((tick, id.to_string()));
        }
        if self.order.len() > 4 * MAX_EXEC_ALLOWANCES {
            self.order
                .retain(|(t, id)| self.map.get(id).is_some_and(|r| r.used == *t));
        }
    }

    /// Drop the least recently used until there is room for one more.
    fn make_room(&mut self) {
        while self.map.len() >= MAX_EXEC_ALLOWANCES {
            let Some((t, id)) = self.order.pop_front() else {
                break;
            };
            if self.map.get(&id).is_some_and(|r| r.used == t) {
                self.map.remove(&id);
            }
        }
    }
}

/// Why an exec that would be held was allowed by inheritance.
pub enum Inherited {
    /// Part of the allowed parent's own line.
    PartOfLine { parent_raw: String },
    /// Held only for being unknown, under an allowed parent.
    UnknownUnderParent { parent_raw: String },
}

impl Inherited {
    /// The sentence prepended to the verdict's reason.
    pub fn reason(&self) -> String {
        match self {
            Inherited::PartOfLine { parent_raw } => {
                format!("Part of `{parent_raw}`, which was allowed; not asked again.")
            }
            Inherited::UnknownUnderParent { parent_raw } => format!(
                "Run under `{parent_raw}`, which was allowed, and held only for being unknown: it inherits that allowance."
            ),
        }
    }
}

impl ExecAllowances {
    fn lock(&self) -> std::sync::MutexGuard<'_, Memory> {
        self.memory.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Remember an exec proposal's verdict (only origin `exec` is kept).
    pub fn note(
        &self,
        cmd: &ProposedCommand,
        class: Class,
        decision: Decision,
        pending: Option<String>,
    ) {
        if cmd.origin != Some(Origin::Exec) || decision == Decision::Deny {
            return;
        }
        let mut memory = self.lock();
        if !memory.map.contains_key(&cmd.id) {
            memory.make_room();
        }
        memory.map.insert(
            cmd.id.clone(),
            Remembered {
                cmd: cmd.clone(),
                class,
                decision,
                pending,
                at: Instant::now(),
                used: 0,
            },
        );
        memory.touch(&cmd.id);
    }

    /// The parent exec `cmd` names, when it was allowed (by the engine or by
    /// a human approving its hold) within the window: its command and class.
    pub(crate) fn allowed_parent(
        &self,
        cmd: &ProposedCommand,
        status: &dyn Fn(&str) -> PendingState,
    ) -> Option<(ProposedCommand, Class)> {
        if cmd.origin != Some(Origin::Exec) {
            return None;
        }
        let parent = cmd.exec.as_ref()?.parent.as_deref()?;
        let mut memory = self.lock();
        let r = memory.map.get(parent)?;
        if r.at.elapsed() > EXEC_ALLOWANCE_WINDOW {
            return None;
        }
        let allowed = match (r.decision, &r.pending) {
            (Decision::Allow, _) => true,
            (Decision::Hold, Some(id)) => status(id) == PendingState::Approved,
            _ => false,
        };
        let found = allowed.then(|| (r.cmd.clone(), r.class));
        if found.is_some() {
            memory.touch(parent);
        }
        found
    }

    /// Does the inheritance rule allow `cmd`, which the engine would hold
    /// with `class` and `effects`? `commands` gives a command's simple
    /// commands (the classifier's argv after peeling).
    pub fn inherit(
        &self,
        cmd: &ProposedCommand,
        class: Class,
        effects: &[Effect],
        status: &dyn Fn(&str) -> PendingState,
        commands: &dyn Fn(&ProposedCommand) -> Vec<Vec<String>>,
    ) -> Option<Inherited> {
        let (parent, parent_class) = self.allowed_parent(cmd, status)?;
        let parent_raw = parent.raw.clone();
        let mine = commands(cmd);
        let theirs = commands(&parent);
        let part = !mine.is_empty()
            && mine
                .iter()
                .all(|c| theirs.iter().any(|t| same_command(c, t)))
            && (class != Class::Catastrophic || parent_class == Class::Catastrophic);
        if part {
            return Some(Inherited::PartOfLine { parent_raw });
        }
        let only_unknown = !effects.is_empty()
            && effects.iter().all(|e| matches!(e, Effect::Unknown { .. }))
            && class != Class::Catastrophic;
        only_unknown.then_some(Inherited::UnknownUnderParent { parent_raw })
    }
}

/// Two simple commands are the same when their arguments are equal and
/// their programs have the same file name (`rm` and `/usr/bin/rm`).
fn same_command(a: &[String], b: &[String]) -> bool {
    let name = |s: &String| s.rsplit('/').next().unwrap_or(s).to_string();
    a.len() == b.len() && !a.is_empty() && name(&a[0]) == name(&b[0]) && a[1..] == b[1..]
}

/// The simple commands an exec proposal rides an approval with: a shell
/// running a `-c` payload (`/bin/bash -lc LINE`, as agents run what their
/// hook let through) is the machinery of that line, not a command of it, so
/// it is left out when the payload's own programs are listed.
pub fn rider_commands(
    cmd: &ProposedCommand,
    programs: Vec<kintsugi_classify::Program>,
) -> Vec<Vec<String>> {
    const SHELLS: &[&str] = &["sh", "bash", "dash", "zsh", "ksh", "mksh", "ash"];
    let wrapped = programs.iter().any(|p| !p.via.is_empty());
    let is_shell_c = |argv: &[String]| {
        let name = argv
            .first()
            .map(|a| a.rsplit('/').next().unwrap_or(a))
            .unwrap_or("");
        SHELLS.contains(&name)
            && argv[1..]
                .iter()
                .any(|a| a.starts_with('-') && !a.starts_with("--") && a.contains('c'))
    };
    programs
        .into_iter()
        .filter(|p| {
            !(cmd.origin == Some(Origin::Exec)
                && wrapped
                && p.via.is_empty()
                && is_shell_c(&p.argv))
        })
        .map(|p| p.argv)
        .collect()
}

/// Is a hold of `cmd` one the inheritance rule may look at?
pub fn may_inherit(cmd: &ProposedCommand, decision: Decision) -> bool {
    decision == Decision::Hold
        && cmd.origin == Some(Origin::Exec)
        && cmd.exec.as_ref().is_some_and(|e| e.parent.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use kintsugi_protocol::ExecForm;

    fn exec(raw: &str, parent: Option<&str>) -> ProposedCommand {
        let mut c = ProposedCommand::new("exec", "/p", vec![], raw);
        c.origin = Some(Origin::Exec);
        c.exec = Some(ExecForm {
            program: raw.split(' ').next().unwrap().into(),
            parent: parent.map(String::from),
            ..Default::default()
        });
        c
    }

    /// A long build: the parent it names keeps its place while three times
    /// the bound of children come and go; an entry nobody names is dropped;
    /// the memory stays bounded.
    #[test]
    fn a_parent_in_use_outlives_its_many_children_and_memory_stays_bounded() {
        let a = ExecAllowances::default();
        let allow = |_: &str| PendingState::Pending;
        let idle = exec("idle-tool", None);
        a.note(&idle, Class::Safe, Decision::Allow, None);
        let make = exec("make -j2", None);
        a.note(&make, Class::Ambiguous, Decision::Allow, None);
        for i in 0..3 * MAX_EXEC_ALLOWANCES {
            let cc = exec(&format!("cc -c m{i}.c"), Some(&make.id));
            assert!(
                a.allowed_parent(&cc, &allow).is_some(),
                "lost the parent at {i}"
            );
            a.note(&cc, Class::Ambiguous, Decision::Allow, None);
        }
        let memory = a.lock();
        assert!(memory.map.len() <= MAX_EXEC_ALLOWANCES);
        assert!(memory.order.len() <= 4 * MAX_EXEC_ALLOWANCES + 1);
        assert!(memory.map.contains_key(&make.id));
        assert!(!memory.map.contains_key(&idle.id));
    }

    fn words(c: &ProposedCommand) -> Vec<Vec<String>> {
        let inner = c.raw.strip_prefix("bash -c ").unwrap_or(&c.raw);
        inner
            .split(';')
            .map(|s| s.split_whitespace().map(String::from).collect())
            .collect()
    }

    fn unknown() -> Vec<Effect> {
        vec![Effect::Unknown {
            program: "cc1".into(),
            form: String::new(),
            what: "unknown program".into(),
        }]
    }

    #[test]
    fn part_of_an_allowed_line_and_unknown_children_inherit_but_deletes_do_not() {
        let a = ExecAllowances::default();
        let parent = exec("bash -c rm -rf x; make", None);
        a.note(&parent, Class::Ambiguous, Decision::Allow, None);
        let pending = |_: &str| PendingState::Pending;
        let del = Effect::Delete {
            path: "/p/y".into(),
            recursive: true,
        };
        let rm = exec("/usr/bin/rm -rf x", Some(&parent.id));
        assert!(matches!(
            a.inherit(
                &rm,
                Class::Ambiguous,
                std::slice::from_ref(&del),
                &pending,
                &words
            ),
            Some(Inherited::PartOfLine { .. })
        ));
        let other_rm = exec("/usr/bin/rm -rf y", Some(&parent.id));
        assert!(
            a.inherit(&other_rm, Class::Ambiguous, &[del], &pending, &words)
                .is_none()
        );
        let cc = exec("cc1 a.c", Some(&parent.id));
        assert!(matches!(
            a.inherit(&cc, Class::Ambiguous, &unknown(), &pending, &words),
            Some(Inherited::UnknownUnderParent { .. })
        ));
        // No parent, an unknown parent, or a parent still held: judged alone.
        let top = exec("cc1 a.c", None);
        assert!(
            a.inherit(&top, Class::Ambiguous, &unknown(), &pending, &words)
                .is_none()
        );
        let stray = exec("cc1 a.c", Some("nope"));
        assert!(
            a.inherit(&stray, Class::Ambiguous, &unknown(), &pending, &words)
                .is_none()
        );
        let held = exec("make x", None);
        a.note(&held, Class::Ambiguous, Decision::Hold, Some("q1".into()));
        let child = exec("cc1 a.c", Some(&held.id));
        assert!(
            a.inherit(&child, Class::Ambiguous, &unknown(), &pending, &words)
                .is_none()
        );
        let approved = |_: &str| PendingState::Approved;
        assert!(
            a.inherit(&child, Class::Ambiguous, &unknown(), &approved, &words)
                .is_some()
        );
    }

    #[test]
    fn an_exec_of_a_shell_payload_rides_with_the_payload_s_programs_only() {
        let prog = |argv: &[&str], via: &[&str]| kintsugi_classify::Program {
            argv: argv.iter().map(|s| s.to_string()).collect(),
            via: via.iter().map(|s| s.to_string()).collect(),
        };
        let programs = vec![
            prog(&["/bin/bash", "-lc", "rm -rf x"], &[]),
            prog(&["rm", "-rf", "x"], &["bash -c"]),
        ];
        let e = exec("/bin/bash -lc x", None);
        assert_eq!(
            rider_commands(&e, programs.clone()),
            vec![vec!["rm", "-rf", "x"]]
        );
        // Other origins keep every program (the shim's rules are unchanged).
        let shim = ProposedCommand::new("shim", "/p", vec![], "bash -lc x");
        assert_eq!(rider_commands(&shim, programs).len(), 2);
    }

    #[test]
    fn catastrophic_needs_a_catastrophic_parent() {
        let a = ExecAllowances::default();
        let parent = exec("bash -c rm -rf /", None);
        a.note(&parent, Class::Ambiguous, Decision::Allow, None);
        let rm = exec("/bin/rm -rf /", Some(&parent.id));
        let allowed = |_: &str| PendingState::Approved;
        assert!(
            a.inherit(&rm, Class::Catastrophic, &[], &allowed, &words)
                .is_none()
        );
    }
}
