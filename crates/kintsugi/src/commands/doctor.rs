//! `kintsugi doctor`: is this machine protected? For each agent: installed,
//! hook configured, and live (the configured hook command, fed a synthetic
//! must-deny payload, really blocks it). Also: the daemon answers, the shim
//! dir is first on PATH. Exit 1 when something is not protected.

use anyhow::Result;
use kintsugi_intercept::install::codex_trust::TrustStatus;
use kintsugi_intercept::install::{AGENTS, blocked, configured_command, probe_payload};
use kintsugi_protocol::{Client, Request, Response, socket_path};
use std::io::Write;
use std::process::{Command, ExitCode, Stdio};

/// The must-deny probe: catastrophic by any reading.
const PROBE: &str = "rm -rf ~/";

fn live(
    cmd: &str,
    agent: kintsugi_intercept::hook::Agent,
    home: &std::path::Path,
) -> Result<bool, String> {
    let payload = probe_payload(agent, PROBE, &home.display().to_string()).to_string();
    let mut child = Command::new("sh")
        .args(["-c", cmd])
        .env("KINTSUGI_HOOK_WAIT_SECS", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run it: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(payload.as_bytes());
    }
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    Ok(blocked(
        agent,
        out.status.code(),
        &String::from_utf8_lossy(&out.stdout),
    ))
}

/// Deny (and so clear) the holds our probes left in the queue.
fn clear_probes() {
    let Ok(mut c) = Client::connect(&socket_path()) else {
        return;
    };
    if let Ok(Response::PendingList { items }) = c.request(&Request::ListPending) {
        for i in items.iter().filter(|i| {
            i.command.raw == PROBE && i.command.session.as_deref() == Some("kintsugi-doctor")
        }) {
            let _ = c.request(&Request::Deny {
                id: i.id.clone(),
                remember: None,
            });
        }
    }
}

/// Codex silently skips a hook it has not trusted (or that changed since):
/// ask Codex itself. Returns the number of problems (0 or 1).
fn report_codex_trust(home: &std::path::Path) -> usize {
    let fix = "run `kintsugi init` with codex on PATH, or trust it in Codex's /hooks";
    let (problem, text) = match kintsugi_intercept::install::codex_trust::status(home) {
        TrustStatus::Trusted => (false, "trust: Codex lists the hook as trusted".to_string()),
        TrustStatus::Untrusted(state) => (
            true,
            format!(
                "NOT PROTECTED: Codex lists the hook as `{state}` and skips it silently; {fix}"
            ),
        ),
        TrustStatus::NotListed => (
            true,
            format!("NOT PROTECTED: Codex does not list the Kintsugi hook; {fix}"),
        ),
        TrustStatus::Unknown(why) => (
            false,
            format!("trust not checked ({why}); Codex runs a hook only once it is trusted"),
        ),
    };
    println!("{:<10} {text}", "");
    usize::from(problem)
}

pub fn run() -> Result<ExitCode> {
    let home = crate::gate::home();
    let mut problems = 0;
    println!(
        "{:<10} {:<10} {:<12} live check",
        "agent", "installed", "hook"
    );
    let mut any = false;
    for a in AGENTS {
        if !a.installed(&home) {
            println!("{:<10} {:<10} {:<12} -", a.name(), "no", "-");
            continue;
        }
        any = true;
        let Some(cmd) = configured_command(a, &home) else {
            problems += 1;
            println!(
                "{:<10} {:<10} {:<12} NOT PROTECTED: run `kintsugi init`",
                a.name(),
                "yes",
                "missing"
            );
            continue;
        };
        match live(&cmd, a.agent, &home) {
            Ok(true) => println!(
                "{:<10} {:<10} {:<12} ok: blocks `{PROBE}`",
                a.name(),
                "yes",
                "configured"
            ),
            Ok(false) => {
                problems += 1;
                println!(
                    "{:<10} {:<10} {:<12} NOT PROTECTED: the hook let `{PROBE}` through",
                    a.name(),
                    "yes",
                    "configured"
                );
            }
            Err(e) => {
                problems += 1;
                println!(
                    "{:<10} {:<10} {:<12} NOT PROTECTED: {e}",
                    a.name(),
                    "yes",
                    "configured"
                );
            }
        }
        if a.missing_after_hook(&home) == Some(true) {
            println!(
                "{:<10} note: no post-tool hook, so finished commands are not recorded and undo needs --force; run `kintsugi init`",
                ""
            );
        }
        if a.agent == kintsugi_intercept::hook::Agent::Codex {
            problems += report_codex_trust(&home);
        }
    }
    clear_probes();
    if !any {
        println!(
            "no agent config dir found under {} (checked: {})",
            home.display(),
            AGENTS
                .iter()
                .flat_map(|a| a.dirs.iter().copied())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let status = Client::connect(&socket_path())
        .ok()
        .and_then(|mut c| c.request(&Request::Status).ok())
        .and_then(|r| match r {
            Response::Status(s) => Some(s),
            _ => None,
        });
    let daemon = status.is_some();
    println!(
        "daemon     {}",
        if daemon {
            "answers".to_string()
        } else {
            format!(
                "NOT RUNNING at {} (`kintsugi start`)",
                socket_path().display()
            )
        }
    );
    if let Some(pin) = status.as_ref().and_then(|s| s.approval_pin.clone()) {
        // Not counted as a problem: a first run has none, and it works.
        println!("approvals  {}", super::limits_human::pin_line(&pin));
    }
    for w in status.and_then(|s| s.warnings).unwrap_or_default() {
        // A degraded watch or an ignored repo policy needs the user's eyes.
        problems += 1;
        println!("warning    {w}");
    }
    if !daemon {
        problems += 1;
    }
    // Not a protection gap (commands are still judged), but the ledger's
    // tail could be cut unnoticed: say so.
    println!("witness    {}", super::verify::witness_line());
    let shims = crate::shim::shim_dir();
    let path = std::env::var_os("PATH").unwrap_or_default();
    let first = std::env::split_paths(&path).next();
    if first.as_deref() == Some(shims.as_path()) {
        println!("shims      first on PATH ({})", shims.display());
    } else {
        println!(
            "shims      not first on PATH: add `export PATH=\"{}:$PATH\"` or run agents with `kintsugi guard`",
            shims.display()
        );
    }
    for g in super::guard_exec::live_guards() {
        println!("guard      {g}");
    }
    println!(
        "guard      `kintsugi guard -- AGENT` judges every exec on Linux (seccomp); inside it setuid programs (sudo) do not gain privileges (no_new_privs)"
    );
    if problems == 0 {
        println!("protected");
        Ok(ExitCode::SUCCESS)
    } else {
        println!("{problems} problem(s): see above");
        Ok(ExitCode::from(1))
    }
}
