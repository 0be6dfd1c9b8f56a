//! `kintsugi status`: what the running daemon reports about itself.

use crate::util::{human_secs, request, short};
use anyhow::{Result, bail};
use clap::Args;
use kintsugi_protocol::{Request, Response};
use std::process::ExitCode;

#[derive(Args)]
pub struct StatusArgs {
    /// Print the raw status object as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(args: StatusArgs) -> Result<ExitCode> {
    let Response::Status(s) = request(&Request::Status)? else {
        bail!("the daemon answered `status` with something else");
    };
    if args.json {
        println!("{}", serde_json::to_string(&s)?);
        return Ok(ExitCode::SUCCESS);
    }
    let opt = |v: Option<String>| v.unwrap_or_else(|| "-".into());
    println!("socket          {}", opt(s.socket));
    println!("data dir        {}", opt(s.data_dir));
    println!("pid             {}", opt(s.pid.map(|p| p.to_string())));
    println!("version         {}", opt(s.version));
    println!("uptime          {}", opt(s.uptime_secs.map(human_secs)));
    println!("scorer          {}", s.scorer);
    if let Some(m) = s.model {
        println!("model           {m}");
    }
    println!("mode            {}", opt(s.mode));
    println!("held commands   {}", opt(s.pending.map(|p| p.to_string())));
    if let (Some(c), Some(sub)) = (s.connections, s.subscribers) {
        println!(
            "connections     {c} requests, {sub} subscribers, {} turned away as busy since start",
            s.refused_busy.unwrap_or(0)
        );
    }
    if s.panic == Some(true) {
        println!("kill switch     ON: every non-safe command is denied (`kintsugi resume`)");
    }
    if let Some(pin) = &s.approval_pin {
        let note = if pin == "unset" {
            " (approvals rest on the terminal test only; `kintsugi admin set-pin`)"
        } else {
            ""
        };
        println!("approval PIN    {pin}{note}");
    }
    if let Some(admin) = s.admin {
        println!("admin vault     {admin}");
    }
    println!(
        "ledger          {} events, head {}",
        s.ledger_len.unwrap_or(0),
        short(s.ledger_head.as_deref().unwrap_or("-"))
    );
    match s.last_checkpoint {
        Some(cp) => println!(
            "last checkpoint sequence {} at {}, head {}",
            cp.seq,
            cp.time,
            short(&cp.head)
        ),
        None => println!("last checkpoint none yet in this run"),
    }
    println!("witness         {}", super::verify::witness_line());
    for g in super::guard_exec::live_guards() {
        println!("guarded agent   {g}");
    }
    for w in s.warnings.unwrap_or_default() {
        println!("warning         {w}");
    }
    if let Some(f) = s.fleet {
        let state = if f.connected {
            "connected"
        } else {
            "not connected"
        };
        let age = f
            .backlog_age_secs
            .map(|a| format!(", oldest {} old", human_secs(a)))
            .unwrap_or_default();
        println!(
            "fleet           {state}, shipped to sequence {}, backlog {} events{age}",
            f.shipped_seq, f.backlog
        );
        if f.key_changed {
            println!("fleet key       the central store has ANOTHER key registered for this host");
        }
        if let Some(e) = f.last_error {
            println!("fleet error     {e}");
        }
    }
    if let Some(a) = s.alerts {
        for (name, sink) in [("desktop", a.desktop), ("webhook", a.webhook)] {
            let Some(k) = sink else { continue };
            let last = k
                .last_delivery
                .map(|t| format!(", last at {t}"))
                .unwrap_or_default();
            println!(
                "alerts {name:<8} {}: {} delivered, {} failed, {} dropped (queue full){last}",
                k.target, k.delivered, k.failed, k.dropped
            );
            if let Some(e) = k.last_error {
                println!("alerts error    {e}");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
