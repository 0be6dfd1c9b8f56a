//! Requests a guarded agent may not make. Under `kintsugi guard` the agent's
//! whole process tree has the guard as an ancestor: the guard is a child
//! subreaper, so the kernel re-parents every orphan of the tree (a double
//! fork, `setsid -f`, a daemonizing `tmux` server) to it rather than to
//! init. The daemon takes the peer's pid from the kernel (`SO_PEERCRED`),
//! walks its parents in `/proc`, and refuses every privileged request
//! (approve, deny, resolve, set-pin, undo, gc, resume, shutdown, admin
//! challenges and vault/mode/authorize) when a live guard is among them.
//! The guard is known by its note in `<data dir>/guards/` (its pid and
//! start time, so a reused pid is not taken for it; Landlock keeps the
//! tree from removing the note). Each refusal is recorded on the ledger.

use crate::events::{commit, peer_event};
use crate::peer::Peer;
use crate::state::State;
use kintsugi_protocol::{GuardInfo, Request, Response};

/// Most parents walked (a deeper tree is refused as if guarded).
const MAX_WALK: usize = 4096;

/// The name of a privileged request, or `None` for one anyone may make.
pub fn privileged(req: &Request) -> Option<&'static str> {
    Some(match req {
        Request::Approve { .. } => "approve",
        Request::Deny { .. } => "deny",
        Request::Resolve { .. } => "resolve",
        Request::SetPin { .. } => "set-pin",
        Request::Undo { .. } => "undo",
        Request::Gc => "gc",
        Request::Resume { .. } => "resume",
        Request::AuthBegin { .. } => "authbegin",
        Request::Shutdown { .. } => "shutdown",
        Request::SetMode { .. } => "setmode",
        Request::VaultUpdate { .. } => "vault-update",
        Request::Authorize { .. } => "authorize",
        _ => return None,
    })
}

/// Is guard `g` still the process its note names (same start time)?
fn alive(g: &GuardInfo) -> bool {
    match crate::approver::stat(g.guard_pid) {
        Some(s) => g.guard_start == 0 || s.starttime == g.guard_start,
        None => false,
    }
}

/// Is `pid` a live `kintsugi guard` with the exec layer (its note in the
/// data dir names it, with its start time)? Only such a process reports the
/// execs it answered under its lease (`execsran`).
pub fn is_live_exec_guard(state: &State, pid: u32) -> bool {
    kintsugi_protocol::guards::live(&state.paths.data_dir)
        .iter()
        .any(|g| g.guard_pid == pid && g.layer == "exec" && alive(g))
}

/// The live guard among `pid`'s ancestors (the process itself included),
/// if any. `Err` when the walk was cut short (too deep).
pub fn guard_above(pid: u32, guards: &[GuardInfo]) -> Result<Option<GuardInfo>, String> {
    let mut cur = pid;
    for _ in 0..MAX_WALK {
        if let Some(g) = guards.iter().find(|g| g.guard_pid == cur) {
            return Ok(Some(g.clone()));
        }
        match crate::approver::stat(cur) {
            Some(s) if s.ppid != 0 && s.ppid != cur => cur = s.ppid,
            _ => return Ok(None),
        }
    }
    Err(format!(
        "process {pid} has more than {MAX_WALK} ancestors; it is refused as if it were inside a guarded agent's tree"
    ))
}

/// The refusal of `req` from `peer` when it is privileged and comes from
/// inside a guarded agent's tree (recorded on the ledger); `None` lets it
/// through to its own checks.
pub async fn refusal(state: &State, peer: Peer, req: &Request) -> Option<Response> {
    let what = privileged(req)?;
    let pid = peer.pid?;
    let guards: Vec<GuardInfo> = kintsugi_protocol::guards::live(&state.paths.data_dir)
        .into_iter()
        .filter(alive)
        .collect();
    if guards.is_empty() {
        return None;
    }
    let why = match guard_above(pid, &guards) {
        Ok(None) => return None,
        Ok(Some(g)) => format!(
            "process {pid} runs inside the process tree of the agent `{}` guarded by `kintsugi guard` (guard pid {}); an agent cannot {what} — run it from your own terminal, outside the guarded agent",
            g.agent, g.guard_pid
        ),
        Err(why) => why,
    };
    let mut e = peer_event("refused", peer, what, format!("{what} refused: {why}"));
    e.detail = Some(serde_json::json!({ "guarded_tree": true, "request": what }).to_string());
    let _ = commit(state, e).await;
    Some(Response::error(format!("{what} refused: {why}")))
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    fn guard(pid: u32) -> GuardInfo {
        GuardInfo {
            guard_pid: pid,
            agent: "codex".into(),
            guard_start: crate::approver::stat(pid).map(|s| s.starttime).unwrap_or(0),
            ..GuardInfo::default()
        }
    }

    #[test]
    fn a_child_of_a_guard_is_inside_and_the_guard_s_parent_is_not() {
        let me = std::process::id();
        let mut child = std::process::Command::new("sleep")
            .arg("5")
            .spawn()
            .unwrap();
        let inside = guard_above(child.id(), &[guard(me)]);
        let parent = crate::approver::stat(me).unwrap().ppid;
        let outside = guard_above(parent, &[guard(me)]);
        let _ = child.kill();
        let _ = child.wait();
        assert_eq!(inside.unwrap().unwrap().guard_pid, me);
        assert_eq!(outside.unwrap(), None);
    }

    #[test]
    fn a_note_whose_start_time_differs_is_a_reused_pid() {
        let me = std::process::id();
        assert!(alive(&guard(me)));
        let mut other = guard(me);
        other.guard_start += 1;
        assert!(!alive(&other));
    }

    #[test]
    fn only_privileged_requests_are_named() {
        assert_eq!(privileged(&Request::Gc), Some("gc"));
        assert_eq!(privileged(&Request::Status), None);
        assert_eq!(privileged(&Request::Panic), None);
    }
}
