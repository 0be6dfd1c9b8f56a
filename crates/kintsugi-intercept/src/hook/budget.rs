//! The hold budget per agent host: how long the host lets a pre-tool hook
//! run before it gives up on it, and how long a held command may wait for a
//! human here. Every host we know lets the command run when its hook times
//! out (Claude Code, Copilot CLI and others document it), so a hold must be
//! answered — approved, or denied with the `kintsugi run ID` hint — before
//! that: the budget is the host's timeout less [`HOLD_MARGIN`].
//!
//! `kintsugi init` writes these timeouts into the configs it wires, so the
//! table holds for a config `init` wrote; a hand-written config with a
//! shorter timeout needs `--wait-secs` to match.

use super::Agent;
use std::time::Duration;

/// The least time kept between the end of a hold's wait and the host's hook
/// timeout: the hook still has to hear the daemon's last answer (up to the
/// wait grace), print its answer and exit.
pub const HOLD_MARGIN: Duration = Duration::from_secs(5);

/// One host's row of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HoldBudget {
    /// The host's hook timeout (as `init` configures it, else its default);
    /// `None` where the host has none of its own (our OpenCode plugin
    /// enforces the budget itself).
    pub host_timeout: Option<Duration>,
    /// The default wait for a human on a held command.
    pub budget: Duration,
    /// Where the host timeout comes from.
    pub source: &'static str,
}

const fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

/// The hold budget of `agent`'s host.
pub fn hold_budget(agent: Agent) -> HoldBudget {
    let (host, budget, source) = match agent {
        Agent::Claude => (Some(60), 55, "`timeout: 60` written by init (60 s default)"),
        Agent::Codex => (Some(600), 300, "`timeout = 600` written by init"),
        Agent::Gemini => (
            Some(60),
            55,
            "`timeout: 60000` ms written by init (default)",
        ),
        Agent::Qwen => (
            Some(60),
            55,
            "`timeout: 60000` ms written by init (default)",
        ),
        Agent::Cursor => (Some(30), 25, "undocumented; assumed 30 s"),
        Agent::Copilot => (Some(30), 25, "`timeoutSec: 30` written by init (default)"),
        Agent::OpenCode => (
            None,
            120,
            "none: our plugin stops the hook after the budget",
        ),
        Agent::Antigravity => (Some(60), 55, "`timeout: 60` s written by init"),
        Agent::Droid => (Some(60), 55, "`timeout: 60` written by init (60 s default)"),
        Agent::Crush => (Some(30), 25, "30 s default"),
        Agent::Kiro => (
            Some(30),
            25,
            "`timeout_ms: 30000` written by init (default)",
        ),
        Agent::Windsurf => (Some(30), 25, "undocumented; assumed 30 s"),
        Agent::Cline => (Some(30), 25, "30 s default"),
    };
    HoldBudget {
        host_timeout: host.map(secs),
        budget: secs(budget),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_budget_ends_before_its_host_gives_up() {
        assert!(crate::gate::WAIT_GRACE < HOLD_MARGIN);
        for a in Agent::ALL {
            let b = hold_budget(a);
            assert_eq!(a.default_wait(), b.budget, "{a:?}");
            if let Some(host) = b.host_timeout {
                assert!(b.budget + HOLD_MARGIN <= host, "{a:?}: {b:?}");
            }
            assert!(
                b.budget.as_millis() as u64 <= kintsugi_protocol::MAX_WAIT_MS,
                "{a:?}"
            );
        }
    }
}
