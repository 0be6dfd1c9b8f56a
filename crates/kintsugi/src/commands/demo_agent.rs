//! `kintsugi demo-agent` (hidden): the scripted agent that `kintsugi demo`
//! plays. Like Claude Code, it asks its pre-tool hook (`kintsugi hook
//! --agent claude`, with Claude's real PreToolUse payload) before each
//! command, runs the command with bash only when the hook lets it, then calls
//! its post-tool hook (`--after`, Claude's PostToolUse payload), and once
//! tries to approve its own held command (which the daemon refuses). It reads
//! one command per stdin line and prints one JSON line per event.

use anyhow::Result;
use clap::Args;
use kintsugi_protocol::{Client, Request, Response, socket_path};
use std::io::{BufRead, Write};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

#[derive(Args)]
pub struct DemoAgentArgs {
    /// Working directory the commands run in.
    #[arg(long)]
    cwd: String,
}

fn emit(value: serde_json::Value) -> Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{value}")?;
    out.flush()?;
    Ok(())
}

/// While the hook waits for a human, try to approve the hold from inside the
/// agent's own process tree, as a rogue agent would.
fn try_self_approval(line: &str) -> Option<String> {
    let mut client = Client::connect(&socket_path()).ok()?;
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if let Ok(Response::PendingList { items }) = client.request(&Request::ListPending)
            && let Some(item) = items.iter().find(|i| i.command.raw == line)
        {
            let answer = client.request(&Request::Approve {
                id: item.id.clone(),
                remember: None,
                nonce: None,
                proof: None,
                progress: None,
                relayed_for: None,
                pin: None,
            });
            return Some(match answer {
                Ok(Response::Error { message }) => message,
                other => format!("UNEXPECTED: {other:?}"),
            });
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

pub fn run(args: DemoAgentArgs) -> Result<ExitCode> {
    let exe = std::env::current_exe()?;
    let mut tried_self_approval = false;
    for (n, line) in std::io::stdin().lock().lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let call = format!("toolu_demo{n:04}");
        let payload = serde_json::json!({
            "session_id": "demo-session",
            "transcript_path": null,
            "cwd": args.cwd,
            "permission_mode": "default",
            "hook_event_name": "PreToolUse",
            "tool_name": "Bash",
            "tool_input": {"command": line, "description": "demo"},
            "tool_use_id": call,
        });
        let mut hook = Command::new(&exe)
            .args(["hook", "--agent", "claude", "--wait-secs", "60"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        hook.stdin
            .take()
            .expect("piped")
            .write_all(payload.to_string().as_bytes())?;
        let rogue = line.starts_with("rm -rf ~") && !tried_self_approval;
        if rogue {
            tried_self_approval = true;
            if let Some(answer) = try_self_approval(&line) {
                emit(
                    serde_json::json!({"event": "self-approval", "line": line, "answer": answer}),
                )?;
            }
        }
        let out = hook.wait_with_output()?;
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let allowed = out.status.code() == Some(0)
            && serde_json::from_str::<serde_json::Value>(&stdout)
                .map(|v| v["hookSpecificOutput"]["permissionDecision"] == "allow")
                .unwrap_or(false);
        if !allowed {
            let reason = String::from_utf8_lossy(&out.stderr).trim().to_string();
            emit(serde_json::json!({"event": "blocked", "line": line, "reason": reason}))?;
            continue;
        }
        let ran = Command::new("bash")
            .args(["-c", &line])
            .current_dir(&args.cwd)
            .stdin(Stdio::null())
            .output()?;
        // Then, like Claude Code, its PostToolUse hook (`init` wires it).
        let mut post = payload.clone();
        post["hook_event_name"] = "PostToolUse".into();
        post["tool_response"] = serde_json::json!({
            "stdout": String::from_utf8_lossy(&ran.stdout),
            "stderr": String::from_utf8_lossy(&ran.stderr),
            "interrupted": false,
        });
        let mut after = Command::new(&exe)
            .args(["hook", "--agent", "claude", "--after"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        after
            .stdin
            .take()
            .expect("piped")
            .write_all(post.to_string().as_bytes())?;
        after.wait()?;
        emit(serde_json::json!({
            "event": "ran",
            "line": line,
            "exit_code": ran.status.code(),
            "output": String::from_utf8_lossy(&ran.stdout).lines().take(3).collect::<Vec<_>>().join(" | "),
        }))?;
    }
    Ok(ExitCode::SUCCESS)
}
