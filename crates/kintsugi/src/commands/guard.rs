//! `kintsugi guard [--] AGENT_COMMAND…`: run an agent so that what it runs
//! is judged. On Linux with seccomp user notification, every exec of the
//! agent's process tree is judged (`guard_exec.rs`); where the kernel or a
//! container forbids that, it says so and falls back to the PATH shims
//! first on PATH and SHELL pointing at a shimmed shell. Either way the agent
//! runs in a session of its own, signals are forwarded, and guard exits as
//! the agent did. In both layers the guard adopts the tree's orphans, so the
//! agent cannot approve its own holds; the exec layer also restricts the
//! tree with Landlock (`guard_tree.rs`), so it cannot touch Kintsugi's
//! files (the shims fallback does not).

use crate::commands::guard_exec::{self, Layer};
use crate::commands::guard_tree;
use crate::commands::init::ensure_shims;
use crate::gate;
use anyhow::{Result, bail};
use clap::Args;
use std::process::ExitCode;

#[derive(Args)]
#[command(after_help = "\
Layers: on Linux every execve/execveat of the agent's whole process tree is \
judged by the daemon (seccomp user notification; absolute paths, scripts and \
interpreters included). Where that is unavailable (old kernel, a container \
that forbids seccomp, or another supervisor already listening: EBUSY) guard \
says so and falls back to the PATH shims, which see only commands spelled \
through PATH.

no_new_privs: the exec layer sets it, so setuid programs (sudo, su, ping on \
some systems) do not gain privileges inside the guarded tree; run those \
outside guard. A refused exec fails with EPERM (\"Operation not permitted\") \
and the reason is printed on your terminal.

Limits: argv is read from the caller's memory, so a multi-threaded program \
could change it after the check (time of check / time of use); file \
operations that need no exec (a Python shutil.rmtree) are for the snapshot \
and watcher backstops; root can remove the guard itself.

The agent is not the human: the guard adopts every orphan of the tree \
(child subreaper), so a double fork or setsid cannot leave it, and the daemon \
refuses approve, deny, resolve, undo, resume, set-pin and admin requests from \
any process of the tree. Landlock (Linux 5.19+) keeps the tree from writing \
Kintsugi's data dir, config, shims and the cgroup files, and from reading the \
admin vault, the checkpoint key and the PIN hash; files created directly in \
your home folder (or another folder on the way to those) after the agent \
started are not writable by it. Where Landlock is missing guard says so and \
runs on.")]
pub struct GuardArgs {
    /// Use the PATH shims only, without the exec supervisor.
    #[arg(long)]
    shims_only: bool,
    /// Do not restrict the agent with Landlock (it can then write Kintsugi's
    /// data dir and config and read the admin vault).
    #[arg(long)]
    no_landlock: bool,
    /// Ask the daemon about every exec, even a safe one (by default the
    /// guard answers those itself under the daemon's lease and records
    /// them right after; see docs/GUARD.md).
    #[arg(long)]
    ask_every_exec: bool,
    /// The agent command line, e.g. `claude` or `codex --full-auto`.
    #[arg(last = true, required = true)]
    command: Vec<String>,
}

pub fn run(args: GuardArgs) -> Result<ExitCode> {
    let me = std::env::current_exe()?;
    let session = uuid::Uuid::new_v4().to_string();
    let dir = crate::shim::shim_dir();
    let _adopting = guard_tree::adopt_orphans(args.no_landlock);
    if !args.shims_only {
        let old_path = std::env::var_os("PATH").unwrap_or_default();
        let name = &args.command[0];
        let agent = if name.contains('/') {
            Some(std::path::PathBuf::from(name))
        } else {
            crate::shim::find_real(name, &old_path, &me, Some(&dir))
        };
        let Some(agent) = agent else {
            bail!("`{name}` not found on PATH");
        };
        let env = vec![("KINTSUGI_SESSION".to_string(), session.clone())];
        match guard_exec::run(
            &agent,
            name,
            &args.command[1..],
            &env,
            &session,
            !args.ask_every_exec,
        )? {
            Layer::Ran(status) => return Ok(gate::exit_like(status)),
            Layer::Unavailable(why) => eprintln!(
                "kintsugi guard: the exec supervisor is unavailable here: {why}.\n\
                 kintsugi guard: falling back to the PATH shims: only commands spelled through PATH \
                 are judged; an absolute path such as /bin/rm, or a program started by another \
                 program, is NOT seen. `kintsugi status` shows which layer protects this agent."
            ),
        }
    }
    run_with_shims(&args.command, &session)
}

fn run_with_shims(command: &[String], session: &str) -> Result<ExitCode> {
    let dir = ensure_shims()?;
    let old_path = std::env::var_os("PATH").unwrap_or_default();
    let mut paths = vec![dir.clone()];
    paths.extend(std::env::split_paths(&old_path).filter(|p| p != &dir));
    let path = std::env::join_paths(paths)?;
    let me = std::env::current_exe()?;
    let Some(agent) = crate::shim::find_real(&command[0], &path, &me, Some(&dir)) else {
        bail!("`{}` not found on PATH", command[0]);
    };
    let mut command_env = vec![
        ("PATH".to_string(), path.to_string_lossy().into_owned()),
        ("KINTSUGI_SESSION".to_string(), session.to_string()),
    ];
    if dir.join("bash").exists() {
        command_env.push(("SHELL".into(), dir.join("bash").display().to_string()));
    }
    eprintln!(
        "kintsugi guard: session {session}; shims from {} first on PATH",
        dir.display()
    );
    let note = guard_exec::note(0, &command[0], session, "shims");
    let status = gate::run_child(&agent, &command[0], &command[1..], None, &command_env)?;
    drop(note);
    Ok(gate::exit_like(status))
}
