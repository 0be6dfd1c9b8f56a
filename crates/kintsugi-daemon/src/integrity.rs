//! Approval integrity: who may approve a held command. Any process of the
//! user can write an `approve` frame, so the daemon inspects the peer itself:
//! it must have a controlling terminal, and it must not be the proposing
//! process or a descendant of the proposer's parent (the agent's tree).
//!
//! Linux reads `/proc/<pid>/stat`. Elsewhere the inspection is not built yet,
//! so approvals over the socket are refused there (fail closed).

/// The process tree facts recorded for a proposer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Proposer {
    pub pid: Option<u32>,
    pub parent: Option<u32>,
}

/// Most ancestors walked before giving up (a loop or a very deep tree).
pub const MAX_ANCESTRY: usize = 512;

#[cfg(target_os = "linux")]
mod proc_stat {
    /// (ppid, tty_nr) of `pid` from /proc/<pid>/stat.
    pub fn ppid_and_tty(pid: u32) -> Option<(u32, i64)> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // The command name is in parentheses and may contain spaces: split after the last ')'.
        let rest = &stat[stat.rfind(')')? + 1..];
        let fields: Vec<&str> = rest.split_whitespace().collect();
        // rest: state(0) ppid(1) pgrp(2) session(3) tty_nr(4)
        Some((fields.get(1)?.parse().ok()?, fields.get(4)?.parse().ok()?))
    }
}

impl Proposer {
    /// Record the proposer `pid` and its parent.
    pub fn of(pid: Option<u32>) -> Proposer {
        #[cfg(target_os = "linux")]
        let parent = pid.and_then(proc_stat::ppid_and_tty).map(|(pp, _)| pp);
        #[cfg(not(target_os = "linux"))]
        let parent = None;
        Proposer { pid, parent }
    }
}

/// Why an approval was refused, or `Ok` when the approver may decide.
pub fn check_approver(approver: Option<u32>, proposer: Proposer) -> Result<(), String> {
    let Some(pid) = approver else {
        return Err("the approving process could not be identified".into());
    };
    #[cfg(target_os = "linux")]
    {
        let (_, tty) = proc_stat::ppid_and_tty(pid)
            .ok_or("the approving process vanished before it could be inspected")?;
        if tty == 0 {
            return Err(format!(
                "process {pid} has no controlling terminal; approvals must come from a human at a terminal (`kintsugi approve ID`)"
            ));
        }
        outside_agent_tree(pid, proposer)
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (pid, proposer);
        Err(
            "approval checks are only built for Linux; approvals are refused on this platform"
                .into(),
        )
    }
}

/// `Ok` when process `pid` is outside the proposing agent's process tree
/// (the proposer and everything under its parent). The terminal check of
/// [`check_approver`] is not made: this is also the test for a browser that
/// `kintsugi web` relays an approval for (a browser has no terminal).
pub fn outside_agent_tree(pid: u32, proposer: Proposer) -> Result<(), String> {
    #[cfg(target_os = "linux")]
    {
        if proc_stat::ppid_and_tty(pid).is_none() {
            return Err(format!(
                "process {pid} vanished before it could be inspected"
            ));
        }
        // Pid 1 (init) as a parent would make every process "the agent's",
        // so then only the proposer's own subtree counts.
        let roots: Vec<u32> = [proposer.pid, proposer.parent.filter(|&p| p > 1)]
            .into_iter()
            .flatten()
            .collect();
        let mut cur = pid;
        for _ in 0..MAX_ANCESTRY {
            if roots.contains(&cur) {
                return Err(format!(
                    "process {pid} belongs to the process tree of the agent that proposed this command; an agent cannot approve its own holds"
                ));
            }
            match proc_stat::ppid_and_tty(cur) {
                Some((ppid, _)) if ppid > 0 && ppid != cur => cur = ppid,
                _ => return Ok(()),
            }
        }
        Err("the approving process's ancestry is too deep to check".into())
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (pid, proposer);
        Err(
            "approval checks are only built for Linux; approvals are refused on this platform"
                .into(),
        )
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn a_process_cannot_approve_its_own_hold() {
        let me = std::process::id();
        let p = Proposer::of(Some(me));
        assert!(p.parent.is_some());
        let err = check_approver(Some(me), p).unwrap_err();
        // Under a test runner there may be no terminal; either refusal is right.
        assert!(
            err.contains("terminal") || err.contains("process tree"),
            "{err}"
        );
    }

    #[test]
    fn unknown_approver_is_refused() {
        assert!(check_approver(None, Proposer::default()).is_err());
    }

    #[test]
    fn a_child_is_inside_the_tree_and_a_stranger_is_not() {
        let me = std::process::id();
        let mut child = std::process::Command::new("sleep")
            .arg("5")
            .spawn()
            .unwrap();
        let p = Proposer::of(Some(me));
        let inside = outside_agent_tree(child.id(), p);
        // Pid 1 is no descendant of this test.
        let stranger = outside_agent_tree(1, p);
        let _ = child.kill();
        let _ = child.wait();
        assert!(inside.unwrap_err().contains("process tree"));
        assert_eq!(stranger, Ok(()));
        assert!(
            outside_agent_tree(u32::MAX - 1, p)
                .unwrap_err()
                .contains("vanished")
        );
    }
}
