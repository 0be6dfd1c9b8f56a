//! Approval integrity: what the daemon records about the process that
//! proposed a held command, so that `human_proof.rs` can refuse an approval
//! from the agent's own tree and judge a terminal opened after the hold.
//! Linux reads `/proc/<pid>/stat` (`approver.rs`); elsewhere only the
//! proposer's pid and the time are known.

/// The process tree facts recorded for a proposer when its command is held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Proposer {
    pub pid: Option<u32>,
    pub parent: Option<u32>,
    /// When the command was held (Unix milliseconds).
    pub held_ms: u64,
    /// When the command was held, in clock ticks after boot (the clock of
    /// a process's start time), if readable.
    pub held_ticks: Option<u64>,
}

impl Proposer {
    /// Record the proposer `pid` and its parent, held now.
    pub fn of(pid: Option<u32>) -> Proposer {
        let parent = pid.and_then(crate::approver::stat).map(|s| s.ppid);
        Proposer {
            pid,
            parent,
            held_ms: crate::approver::now_ms(),
            held_ticks: crate::approver::uptime_ticks(),
        }
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn a_proposer_records_its_parent_and_the_time() {
        let p = Proposer::of(Some(std::process::id()));
        assert!(p.parent.is_some_and(|pp| pp > 0));
        assert!(p.held_ms > 0);
    }
}
