//! What `kintsugi guard` does to the agent's tree besides judging its
//! execs, so that the agent cannot act as the human:
//!
//! - the guard becomes a child subreaper (`kintsugi_guard::subreaper`): no
//!   double fork or `setsid` leaves its tree, and the daemon refuses every
//!   privileged request (approve, deny, resolve, undo, resume, admin …)
//!   from a process whose ancestry reaches a live guard (its pid and start
//!   time are in the guard's note);
//! - Landlock (`kintsugi_guard::landlock`): the tree may not write
//!   Kintsugi's data dir, config, shim folder or the cgroup file system,
//!   and may not read the admin vault, the checkpoint key or the approval
//!   PIN's hash. Where the kernel has no Landlock the guard says so and
//!   runs on with the rest.
//!
//! The outcome is written into the guard's note, so `status` and `doctor`
//! show it.

use kintsugi_guard::landlock::{self, Protected};
use kintsugi_guard::subreaper::{Subreaper, start_ticks};
use kintsugi_protocol::GuardInfo;
use std::path::PathBuf;
use std::process::Command;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

static SUBREAPER: AtomicBool = AtomicBool::new(false);
static NO_LANDLOCK: AtomicBool = AtomicBool::new(false);
static LANDLOCK: Mutex<Option<String>> = Mutex::new(None);

/// The files an agent must not read (all in the data dir).
pub const SECRET_FILES: &[&str] = &[
    kintsugi_vault::VAULT_FILE,
    kintsugi_vault::REPLACED_FILE,
    kintsugi_ledger::KEY_FILE,
    // The daemon's `approval_pin::PIN_FILE` (the CLI does not link the
    // daemon for this).
    "approval-pin.json",
];

/// Become the tree's subreaper (kept for as long as the value lives).
/// Failing that, say what it costs.
pub fn adopt_orphans(no_landlock: bool) -> Option<Subreaper> {
    NO_LANDLOCK.store(no_landlock, Ordering::Relaxed);
    match Subreaper::adopt_orphans() {
        Ok(s) => {
            SUBREAPER.store(true, Ordering::Relaxed);
            Some(s)
        }
        Err(e) => {
            eprintln!(
                "kintsugi guard: cannot adopt the agent's orphans (PR_SET_CHILD_SUBREAPER: {e}); a process that double-forks away from the agent is no longer known to be the agent's, so the daemon cannot refuse its approvals by ancestry."
            );
            None
        }
    }
}

/// What the tree may not touch: Kintsugi's data dir, config, shim folder
/// and the cgroup file system (written), and the secrets (read).
pub fn protected() -> Protected {
    let data = kintsugi_protocol::data_dir();
    let config = kintsugi_protocol::config_path();
    let config_dir = config
        .parent()
        .filter(|p| p.file_name().is_some_and(|n| n == "kintsugi"))
        .map(PathBuf::from);
    let shims = crate::shim::shim_dir();
    let mut no_write = vec![data.clone(), shims];
    // A missing folder would be created by the agent (with its own
    // content), so Kintsugi's own folders exist before the rules are made.
    for d in &no_write {
        let _ = std::fs::create_dir_all(d);
    }
    match config_dir {
        Some(d) => {
            let _ = std::fs::create_dir_all(&d);
            no_write.push(d);
        }
        None => no_write.push(config),
    }
    no_write.push(PathBuf::from("/sys/fs/cgroup"));
    let no_read = SECRET_FILES.iter().map(|f| data.join(f)).collect();
    Protected { no_write, no_read }
}

/// Restrict the child of `cmd` with Landlock (unless `--no-landlock`), and
/// say plainly when the kernel cannot.
pub fn restrict_child(cmd: &mut Command) {
    let said = if NO_LANDLOCK.load(Ordering::Relaxed) {
        eprintln!(
            "kintsugi guard: Landlock turned off (--no-landlock): the agent can write Kintsugi's data dir and config and read the admin vault."
        );
        "off (--no-landlock)".to_string()
    } else {
        match landlock::prepare(&protected()) {
            Ok(plan) => {
                let said = format!(
                    "ABI {}: Kintsugi's data dir, config and shims read-only, its secrets unreadable ({} rules)",
                    plan.abi, plan.rules
                );
                plan.apply(cmd);
                said
            }
            Err(why) => {
                eprintln!(
                    "kintsugi guard: Landlock is unavailable here: {why}. The agent can write Kintsugi's data dir and config and read the admin vault; the exec supervisor and the daemon's refusals still hold."
                );
                format!("unavailable: {why}")
            }
        }
    };
    *LANDLOCK.lock().unwrap_or_else(|p| p.into_inner()) = Some(said);
}

/// The guard note's fields this module knows (the rest are filled by the
/// caller).
pub fn note_fields() -> GuardInfo {
    let me = std::process::id();
    GuardInfo {
        guard_start: start_ticks(me).unwrap_or(0),
        subreaper: SUBREAPER.load(Ordering::Relaxed),
        landlock: LANDLOCK.lock().unwrap_or_else(|p| p.into_inner()).clone(),
        ..GuardInfo::default()
    }
}

/// What a live guard's note says it does besides its layer, for `status`
/// and `doctor` (empty for a guard that recorded nothing more).
pub fn protections(g: &GuardInfo) -> String {
    let mut parts = Vec::new();
    if g.subreaper {
        parts.push(
            "adopts its tree's orphans, so the daemon refuses the agent's approvals".to_string(),
        );
    }
    if let Some(l) = &g.landlock {
        parts.push(format!("Landlock {l}"));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("; {}", parts.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_says_what_the_guard_does_for_the_human() {
        let g = GuardInfo {
            subreaper: true,
            landlock: Some("unavailable: this kernel was built without Landlock".into()),
            ..GuardInfo::default()
        };
        let p = protections(&g);
        assert!(p.contains("refuses the agent's approvals"), "{p}");
        assert!(p.contains("Landlock unavailable: this kernel"), "{p}");
        assert_eq!(protections(&GuardInfo::default()), "");
    }
}
