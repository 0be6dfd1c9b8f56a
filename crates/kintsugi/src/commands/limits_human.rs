//! The part of `kintsugi limits` (and the `doctor` line) that says who may
//! approve a held command and what that proof does not cover, from the
//! constants the daemon uses.

use kintsugi_daemon::approval_pin::{
    MAX_PIN_LEN, MIN_PIN_LEN, PIN_KDF_M_COST, PIN_KDF_T_COST, PIN_LOCKOUT_SECS, PIN_MAX_FAILURES,
};

/// `doctor`'s line for the daemon's PIN state (`set`, `unset`, `lost: …`).
pub fn pin_line(state: &str) -> String {
    match state {
        "set" => "an approval PIN is set: every approval needs it".into(),
        "unset" => "no approval PIN: approvals rest on the terminal test only (a terminal that was open before the agent started and the command was held); `kintsugi admin set-pin` sets one".into(),
        other => format!("approval PIN {other}: approvals are refused until `kintsugi admin set-pin`"),
    }
}

/// The section of `kintsugi limits`.
pub fn text() -> String {
    format!(
        "
Who may approve a held command (docs/ADMIN.md, \"Approvals: proving a human\")
- With an approval PIN (`kintsugi admin set-pin`; `status` says set): every
  approval (`approve`, `run`, a `resolve` that allows) needs the PIN, which
  the daemon checks (argon2id {m} MiB, t={t}; {min} to {max} characters).
  After {fails} wrong PINs in a row every PIN is refused for {lock} s, the
  right one too (persisted in the data dir, so a restart keeps it).
- Without a PIN (the first-run default; `status` says unset): approvals rest
  on the terminal test only: a controlling terminal, a process reached from
  its terminal session's leader (not double-forked away), outside the
  proposing agent's process tree, in a session that already existed when
  the command was held AND when the agent started (the program started in
  the proposer's own terminal). A pseudo-terminal opened after the hold
  (`pty.fork`, `script`, `tmux new`, `expect`) or a session the agent
  prepared before any hold (`tmux new -d`, `screen -dm`, `setsid script`)
  is refused and recorded; so is every approval when the proposer has no
  terminal of its own. A terminal you open after starting the agent cannot
  approve without a PIN. An agent that can type into a terminal you
  already have open (`tmux send-keys` into your pane, TIOCSTI where the
  kernel allows it) passes this test: set a PIN.
- Every approval records the approver's tty, session, session start and
  ancestry (pid and executable up to pid 1) and how it was proven (pin,
  terminal, admin-password); every refusal records the same facts.
- Same-user reach over the PIN: approval-pin.json holds an argon2id hash,
  so a process that reads it can guess a short PIN offline (choose a long
  one); one that writes the data dir can delete it (the ledger records every
  PIN set, so the daemon then starts with the PIN lost and refuses
  approvals until a new one is set) or delete the lockout file and restart
  the daemon. Before you set a PIN, any process at a terminal could set the
  first one; that is recorded and `status` shows it set: set it at install
  (`kintsugi init` offers it; `--approval-pin-file F` without asking).
- Under `kintsugi guard`: the guard adopts every orphan of the agent's
  tree (child subreaper), so a double fork or setsid cannot leave it, and
  the daemon refuses approve, deny, resolve, set-pin, undo, gc, resume,
  shutdown and admin requests from any process whose parents (read by pid
  from the kernel's SO_PEERCRED) reach a live guard, PIN or not; recorded
  as `refused` with guarded_tree. Landlock (Linux 5.19+) keeps the tree
  from writing the data dir, config, shims and /sys/fs/cgroup and from
  reading the vault, the checkpoint key and the PIN hash; files created
  directly in your home folder after the agent started are not writable by
  it (docs/GUARD.md). Without Landlock the guard says so and the agent can
  read and erase those files. Not covered: a terminal or tmux server of
  yours outside the tree that the agent can type into.
- Root can read and replace the PIN, the vault and the ledger, and approve
  anything: none of this holds against root. An agent running as root under
  guard is still refused by the daemon and held by Landlock, but it can
  kill the guard (its orphans then go to init and the refusals end) or
  reach the files through another process of root's outside the tree.
",
        m = PIN_KDF_M_COST / 1024,
        t = PIN_KDF_T_COST,
        min = MIN_PIN_LEN,
        max = MAX_PIN_LEN,
        fails = PIN_MAX_FAILURES,
        lock = PIN_LOCKOUT_SECS,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_states_the_lockout_and_the_no_pin_fallback_from_the_constants() {
        let t = text();
        assert!(t.contains(&format!("After {PIN_MAX_FAILURES} wrong PINs")));
        assert!(t.contains(&format!("refused for {PIN_LOCKOUT_SECS} s")));
        assert!(t.contains("approvals rest\n  on the terminal test only"));
        assert!(pin_line("unset").contains("terminal test only"));
        assert!(pin_line("lost: gone").contains("refused"));
        assert!(t.contains("when the agent started"));
        assert!(t.contains("child subreaper"));
    }
}
