//! `kintsugi guard`'s exec layer: run the agent under the seccomp exec
//! supervisor (`kintsugi-guard`) and judge each exec through the same gate
//! as the shim, `exec` and `run` (propose → hold wait → local fallback).
//! A live guard leaves a note in `<data dir>/guards/` so `status` and
//! `doctor` can say which layer protects it.

use crate::gate::{self, GateSettings, Outcome};
use kintsugi_guard::{
    Allowance, ExecRequest, Judge, NotifUnavailable, SpawnError, Supervisor, Verdict,
    spawn_filtered,
};
use kintsugi_protocol::{ExecForm, Origin, ProposedCommand, argv_to_line, shell_quote};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};

/// What the agent is told (through the human's terminal) when an exec is
/// refused: the agent itself only sees `EPERM`.
pub const EPERM_NOTE: &str = "kintsugi guard: the program was not started (the agent sees \"Operation not permitted\", EPERM). Under guard, setuid programs such as sudo also cannot gain privileges (no_new_privs).";

/// The sub-directory of the data dir where live guards leave a note.
pub const GUARDS_DIR: &str = "guards";

/// The gate as the supervisor's judge.
pub struct GateJudge {
    pub session: String,
    pub settings: GateSettings,
}

/// The command line an exec stands for: the environment that changes what
/// programs do (`PATH` aside: the program is already resolved), then the
/// program the kernel was asked to run and its arguments.
pub fn exec_line(req: &ExecRequest) -> (Vec<String>, String) {
    let mut words = vec![req.program.clone()];
    words.extend(req.argv.iter().skip(1).cloned());
    let mut line = argv_to_line(&words);
    let assigns: Vec<String> = req
        .env
        .iter()
        .filter(|(k, _)| k != "PATH")
        .map(|(k, v)| format!("{k}={}", shell_quote(v)))
        .collect();
    if !assigns.is_empty() {
        line = format!("{} {line}", assigns.join(" "));
    }
    (words, line)
}

impl Judge for GateJudge {
    fn judge(&self, req: &ExecRequest) -> Verdict {
        let (words, line) = exec_line(req);
        let mut cmd = ProposedCommand::new("exec", &req.cwd, words, &line);
        cmd.session = Some(self.session.clone());
        cmd.origin = Some(Origin::Exec);
        cmd.approved_parent = req.parent.as_ref().and_then(|p| p.approved.clone());
        cmd.exec = Some(ExecForm {
            program: req.program.clone(),
            env: req.env.clone(),
            parent: req.parent.as_ref().map(|p| p.id.clone()),
            pid: Some(req.pid),
        });
        match gate::decide(&cmd, &self.settings) {
            Outcome::Run { approved, .. } => Verdict::Allow(Allowance {
                id: cmd.id,
                approved: approved.or_else(|| req.parent.as_ref()?.approved.clone()),
            }),
            Outcome::Refuse(msg) => {
                gate::tell_human(&format!("{msg}\n{EPERM_NOTE}\n"));
                Verdict::Deny(msg)
            }
        }
    }

    fn unreadable(&self, pid: u32, why: &str) {
        gate::tell_human(&format!(
            "kintsugi guard: refused an exec of process {pid}: its arguments could not be read whole ({why}); an exec Kintsugi cannot read is never guessed.\n"
        ));
    }
}

/// How the exec layer went.
pub enum Layer {
    /// The agent ran under the supervisor and exited so.
    Ran(ExitStatus),
    /// The kernel or container refused the filter: fall back.
    Unavailable(NotifUnavailable),
}

/// Run `program` (argv0 `argv0`, then `args`) under the exec supervisor.
pub fn run(
    program: &Path,
    argv0: &str,
    args: &[String],
    env: &[(String, String)],
    session: &str,
) -> anyhow::Result<Layer> {
    use std::os::unix::process::CommandExt;
    let mut command = Command::new(program);
    command.arg0(argv0).args(args);
    command.envs(env.iter().map(|(k, v)| (k, v)));
    let judge = GateJudge {
        session: session.to_string(),
        settings: GateSettings::load(),
    };
    let baseline: Vec<(String, String)> = std::env::vars().collect();
    let forwarding = kintsugi_intercept::gate::child::SignalForwarding::start()?;
    let child = match spawn_filtered(&mut command, move |l| {
        Supervisor::new(judge, baseline).run(l)
    }) {
        Ok(c) => c,
        Err(SpawnError::Unavailable(why)) => return Ok(Layer::Unavailable(why)),
        Err(SpawnError::Spawn(e)) => {
            anyhow::bail!("cannot start {}: {e}", program.display())
        }
    };
    let note = GuardNote::write(child.id(), argv0, session, "exec");
    let status = forwarding.wait(child);
    drop(note);
    Ok(Layer::Ran(status?))
}

/// A live guard's note in `<data dir>/guards/PID.json`, removed on drop.
pub struct GuardNote(Option<PathBuf>);

impl GuardNote {
    /// Leave a note that agent `agent` (process `pid`) is guarded by `layer`.
    pub fn write(pid: u32, agent: &str, session: &str, layer: &str) -> GuardNote {
        let dir = kintsugi_protocol::data_dir().join(GUARDS_DIR);
        let path = dir.join(format!("{}.json", std::process::id()));
        let body = serde_json::json!({
            "guard_pid": std::process::id(),
            "agent_pid": pid,
            "agent": agent,
            "session": session,
            "layer": layer,
        });
        let ok = std::fs::create_dir_all(&dir).is_ok()
            && std::fs::write(&path, body.to_string()).is_ok();
        GuardNote(ok.then_some(path))
    }
}

impl Drop for GuardNote {
    fn drop(&mut self) {
        if let Some(p) = &self.0 {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// The live guards' notes (`guard_pid` still running): one line each.
pub fn live_guards() -> Vec<String> {
    let dir = kintsugi_protocol::data_dir().join(GUARDS_DIR);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for e in entries.flatten() {
        let Ok(text) = std::fs::read_to_string(e.path()) else {
            continue;
        };
        let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) else {
            continue;
        };
        let pid = v["guard_pid"].as_u64().unwrap_or(0);
        if pid == 0 || !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_file(e.path());
            continue;
        }
        let layer = match v["layer"].as_str() {
            Some("exec") => "exec supervisor (seccomp: every exec judged)",
            _ => "PATH shims only (absolute paths are not seen)",
        };
        out.push(format!(
            "{} (guard pid {pid}, session {}): {layer}",
            v["agent"].as_str().unwrap_or("?"),
            v["session"].as_str().unwrap_or("?")
        ));
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_names_the_program_and_the_changed_environment() {
        let req = ExecRequest {
            pid: 1,
            program: "/usr/bin/rm".into(),
            argv: vec!["rm".into(), "-rf".into(), "a b".into()],
            env: vec![
                ("PATH".into(), "/x".into()),
                ("BASH_ENV".into(), "/tmp/e v".into()),
            ],
            cwd: "/".into(),
            parent: None,
        };
        let (words, line) = exec_line(&req);
        assert_eq!(words, ["/usr/bin/rm", "-rf", "a b"]);
        assert_eq!(line, "BASH_ENV='/tmp/e v' /usr/bin/rm -rf 'a b'");
    }
}
