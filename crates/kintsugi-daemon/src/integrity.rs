//! Approval integrity: what the daemon records about the process that
//! proposed a held command, so that `human_proof.rs` can refuse an approval
//! from the agent's own tree and judge a terminal opened after the hold.
//! Linux reads `/proc/<pid>/stat` (`approver.rs`); elsewhere only the
//! proposer's pid and the time are known. With no approval PIN, a terminal
//! must predate both the hold and the agent's own start (see
//! [`agent_start`]), so a session the agent prepared in advance (`tmux new
//! -d`, `screen -dm`, `setsid script`) cannot approve.

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
    /// When the agent behind the proposer started (clock ticks after boot):
    /// the start of the proposer's ancestor just below its terminal
    /// session's leader (the program the human started in that terminal).
    /// `None` when the proposer has no controlling terminal or was forked
    /// away from its session's leader: then no terminal can be shown to
    /// predate the agent.
    pub agent_start_ticks: Option<u64>,
}

/// The start of the process just below `pid`'s session leader on its
/// parent chain (or of `pid` itself when it leads its session), if `pid`
/// has a controlling terminal and its chain reaches that leader.
pub fn agent_start(pid: u32) -> Option<u64> {
    let me = crate::approver::stat(pid)?;
    if me.tty_nr == 0 {
        return None;
    }
    if pid == me.session {
        return Some(me.starttime);
    }
    let (mut cur, mut st) = (pid, me);
    for _ in 0..crate::approver::MAX_ANCESTRY {
        if st.ppid == me.session {
            return Some(st.starttime);
        }
        if st.ppid <= 1 || st.ppid == cur {
            return None;
        }
        cur = st.ppid;
        st = crate::approver::stat(cur)?;
    }
    None
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
            agent_start_ticks: pid.and_then(agent_start),
        }
    }

    /// Is `facts`' process the proposer, or below it or its parent? (Pid 1
    /// as the parent would make every process "the agent's", so then only
    /// the proposer's own subtree counts.)
    pub fn tree_contains(&self, facts: &crate::approver::ApproverFacts) -> bool {
        [self.pid, self.parent.filter(|&p| p > 1)]
            .into_iter()
            .flatten()
            .any(|pid| facts.descends_from(pid))
    }
}

/// `Ok` when process `pid` is outside the proposing agent's process tree.
/// No terminal test: this is the check for a browser that `kintsugi web`
/// relays an approval for (a browser has no terminal; the web server's own
/// process goes through `human_proof::prove_human` like any approver).
pub fn outside_agent_tree(pid: u32, proposer: Proposer) -> Result<(), String> {
    let facts = crate::approver::ApproverFacts::of(pid)?;
    if proposer.tree_contains(&facts) {
        return Err(format!(
            "process {pid} belongs to the process tree of the agent that proposed this command; an agent cannot approve its own holds"
        ));
    }
    Ok(())
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
