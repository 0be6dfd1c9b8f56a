//! Approval reuse ("part of an approved line"). When a human approves a held
//! command, the daemon keeps a *grant*: the simple commands of that line as
//! the classifier sees them (argv after peeling wrappers and static
//! expansion), the cwd it was held in, and whether the human approved a
//! catastrophic class. A later proposal rides on a grant only when
//!
//! - it comes from the same cwd, within the grant's window;
//! - every one of its simple commands equals an unspent simple command of the
//!   grant (argv for argv, not a substring of the line), and each is spent by
//!   that use;
//! - it is not catastrophic unless the approved line was;
//! - it names the grant (`approved_parent`, the runner's hint) — or, for a
//!   line an agent's hook held, the agent runs it itself after the hook said
//!   yes, so no hint is needed there.
//!
//! The hint alone grants nothing: it only says WHICH approval to check.

use kintsugi_protocol::{Class, Origin, PendingItem};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long after a human approved an agent hook's held line the agent's
/// own run of it (seen by the PATH shims) may use the approval.
pub const HOOK_REUSE_WINDOW: Duration = Duration::from_secs(120);
/// How long the commands run inside an approved line (a runner's child with
/// `KINTSUGI_APPROVED_PARENT`) may use the approval.
pub const RUN_REUSE_WINDOW: Duration = Duration::from_secs(15 * 60);
/// Most grants kept at once (the oldest are dropped beyond it).
pub const MAX_GRANTS: usize = 1024;

struct Grant {
    cwd: String,
    catastrophic: bool,
    from_hook: bool,
    /// Simple commands not yet used.
    unspent: Vec<Vec<String>>,
    at: Instant,
}

impl Grant {
    fn window(&self) -> Duration {
        if self.from_hook {
            HOOK_REUSE_WINDOW
        } else {
            RUN_REUSE_WINDOW
        }
    }
    fn live(&self, now: Instant) -> bool {
        !self.unspent.is_empty() && now.duration_since(self.at) <= self.window()
    }
}

/// Every live grant, by queue id.
#[derive(Default)]
pub struct Grants {
    map: Mutex<HashMap<String, Grant>>,
}

/// A proposal that might ride on a grant.
pub struct Rider<'a> {
    /// The queue id the runner's environment names, if any.
    pub hint: Option<&'a str>,
    /// Whether an agent's hook proposed it (a hook's proposal is the agent
    /// asking first; it never rides).
    pub from_hook: bool,
    pub cwd: &'a str,
    /// Its simple commands (argv after static expansion).
    pub commands: Vec<Vec<String>>,
    pub class: Class,
}

impl Grants {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Grant>> {
        self.map.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// True when no approval is waiting to be used (skips the analysis).
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    /// A human approved `item` (queue id `id`), whose line has the simple
    /// commands `commands`. A runner that execs the item's argv itself
    /// (shim, `exec PROGRAM ARGS`) has used that one command already.
    pub fn grant(&self, id: &str, item: &PendingItem, mut commands: Vec<Vec<String>>) {
        if !item.command.argv.is_empty()
            && let Some(i) = commands.iter().position(|c| *c == item.command.argv)
        {
            commands.remove(i);
        }
        let now = Instant::now();
        let mut map = self.lock();
        map.retain(|_, g| g.live(now));
        if map.len() >= MAX_GRANTS
            && let Some(oldest) = map.iter().min_by_key(|(_, g)| g.at).map(|(k, _)| k.clone())
        {
            map.remove(&oldest);
        }
        if commands.is_empty() {
            return;
        }
        map.insert(
            id.to_string(),
            Grant {
                cwd: item.command.cwd.clone(),
                catastrophic: item.class == Class::Catastrophic,
                from_hook: item.command.origin() == Some(Origin::Hook),
                unspent: commands,
                at: now,
            },
        );
    }

    /// The grant `rider` may use, spending its commands; `None` when none
    /// covers it (then it is decided as usual).
    pub fn claim(&self, rider: &Rider) -> Option<String> {
        // A hook's proposal is the agent asking first; it never rides.
        if rider.commands.is_empty() || rider.from_hook {
            return None;
        }
        let now = Instant::now();
        let mut map = self.lock();
        map.retain(|_, g| g.live(now));
        let fits = |id: &str, g: &Grant| {
            let named = match rider.hint {
                Some(h) => h == id,
                None => g.from_hook,
            };
            named
                && g.cwd == rider.cwd
                && (g.catastrophic || rider.class != Class::Catastrophic)
                && spend(&g.unspent, &rider.commands).is_some()
        };
        let id = map.iter().find(|(id, g)| fits(id, g))?.0.clone();
        let g = map.get_mut(&id)?;
        g.unspent = spend(&g.unspent, &rider.commands)?;
        if g.unspent.is_empty() {
            map.remove(&id);
        }
        Some(id)
    }
}

/// `unspent` without one match for each of `used`, or `None` when some
/// command of `used` has no unspent match.
fn spend(unspent: &[Vec<String>], used: &[Vec<String>]) -> Option<Vec<Vec<String>>> {
    let mut left = unspent.to_vec();
    for c in used {
        let i = left.iter().position(|u| u == c)?;
        left.remove(i);
    }
    Some(left)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kintsugi_protocol::{PendingState, ProposedCommand};

    fn argv(line: &str) -> Vec<String> {
        line.split(' ').map(String::from).collect()
    }

    fn item(agent: &str, argv_run: Vec<String>, class: Class) -> PendingItem {
        PendingItem {
            id: "g1".into(),
            command: ProposedCommand::new(agent, "/p", argv_run, "x"),
            class,
            rule: "r".into(),
            reason: "r".into(),
            created: "t".into(),
            status: PendingState::Approved,
            preview: None,
        }
    }

    fn rider<'a>(hint: Option<&'a str>, cwd: &'a str, line: &str, class: Class) -> Rider<'a> {
        Rider {
            hint,
            from_hook: false,
            cwd,
            commands: vec![argv(line)],
            class,
        }
    }

    #[test]
    fn exact_argv_same_cwd_once() {
        let g = Grants::default();
        let cmds = vec![argv("rm -rf /p/build/cache"), argv("rm -rf /p/dist")];
        g.grant("g1", &item("hook:claude", vec![], Class::Ambiguous), cmds);
        let amb = Class::Ambiguous;
        // A prefix of the approved argument is not the approved command.
        assert_eq!(g.claim(&rider(Some("g1"), "/p", "rm -rf /p", amb)), None);
        // Another cwd is not the approved one.
        assert_eq!(
            g.claim(&rider(None, "/q", "rm -rf /p/build/cache", amb)),
            None
        );
        assert_eq!(
            g.claim(&rider(None, "/p", "rm -rf /p/build/cache", amb))
                .as_deref(),
            Some("g1")
        );
        // Spent.
        assert_eq!(
            g.claim(&rider(None, "/p", "rm -rf /p/build/cache", amb)),
            None
        );
        assert_eq!(
            g.claim(&rider(Some("g1"), "/p", "rm -rf /p/dist", amb))
                .as_deref(),
            Some("g1")
        );
    }

    #[test]
    fn a_runners_grant_needs_its_hint_and_its_own_argv_is_spent() {
        let g = Grants::default();
        let run = argv("bash -c x");
        let cmds = vec![run.clone(), argv("rm -rf /p/a")];
        g.grant("g2", &item("shim", run, Class::Ambiguous), cmds);
        let amb = Class::Ambiguous;
        assert_eq!(g.claim(&rider(None, "/p", "rm -rf /p/a", amb)), None);
        assert_eq!(
            g.claim(&rider(Some("other"), "/p", "rm -rf /p/a", amb)),
            None
        );
        assert_eq!(g.claim(&rider(Some("g2"), "/p", "bash -c x", amb)), None);
        assert_eq!(
            g.claim(&rider(Some("g2"), "/p", "rm -rf /p/a", amb))
                .as_deref(),
            Some("g2")
        );
    }

    #[test]
    fn never_extended_to_a_catastrophic_class_not_approved() {
        let g = Grants::default();
        let cmds = vec![argv("rm -rf /p/x")];
        g.grant(
            "g3",
            &item("hook:x", vec![], Class::Ambiguous),
            cmds.clone(),
        );
        let cat = Class::Catastrophic;
        assert_eq!(g.claim(&rider(None, "/p", "rm -rf /p/x", cat)), None);
        g.grant("g4", &item("hook:x", vec![], cat), cmds);
        assert_eq!(
            g.claim(&rider(Some("g4"), "/p", "rm -rf /p/x", cat))
                .as_deref(),
            Some("g4")
        );
        // A hook's own proposal never rides.
        let mut r = rider(Some("g3"), "/p", "rm -rf /p/x", Class::Ambiguous);
        r.from_hook = true;
        assert_eq!(g.claim(&r), None);
    }
}
