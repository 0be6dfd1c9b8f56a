//! `kintsugi demo-agent` (hidden): the scripted agent that `kintsugi demo`
//! plays. It proposes each command line given on stdin, waits in-band for a
//! human on holds, tries (and fails) to approve its first catastrophic hold,
//! and prints
//! one JSON line per event for the demo to narrate. It runs nothing.

use anyhow::{Result, bail};
use clap::Args;
use kintsugi_protocol::{Client, PendingState, ProposedCommand, Request, Response, socket_path};
use std::io::{BufRead, Write};
use std::process::ExitCode;

#[derive(Args)]
pub struct DemoAgentArgs {
    /// Working directory the proposed commands would run in.
    #[arg(long)]
    cwd: String,
}

fn emit(value: serde_json::Value) -> Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{value}")?;
    out.flush()?;
    Ok(())
}

pub fn run(args: DemoAgentArgs) -> Result<ExitCode> {
    let mut client = Client::connect(&socket_path())?;
    let mut tried_self_approval = false;
    for line in std::io::stdin().lock().lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let mut cmd = ProposedCommand::new("demo-agent", &args.cwd, vec![], &line);
        cmd.session = Some("demo".into());
        let Response::Verdict(v) = client.request(&Request::Propose(cmd))? else {
            bail!("propose was not answered with a verdict");
        };
        emit(serde_json::json!({"event": "verdict", "line": line, "verdict": v}))?;
        let Some(id) = v.pending else { continue };
        if !tried_self_approval && v.class == kintsugi_protocol::Class::Catastrophic {
            tried_self_approval = true;
            let answer = client.request(&Request::Approve {
                id: id.clone(),
                remember: None,
                nonce: None,
                proof: None,
            })?;
            let refused = match answer {
                Response::Error { message } => message,
                other => format!("UNEXPECTED: {other:?}"),
            };
            emit(serde_json::json!({"event": "self-approval", "id": id, "answer": refused}))?;
        }
        emit(serde_json::json!({"event": "waiting", "id": id, "line": line}))?;
        let status = loop {
            match client.request(&Request::Wait {
                id: id.clone(),
                timeout_ms: Some(60_000),
            })? {
                Response::Pending {
                    status: PendingState::Pending,
                } => continue,
                Response::Pending { status } => break status,
                other => bail!("wait was answered with {other:?}"),
            }
        };
        emit(serde_json::json!({"event": "decided", "id": id, "line": line, "status": status}))?;
    }
    Ok(ExitCode::SUCCESS)
}
