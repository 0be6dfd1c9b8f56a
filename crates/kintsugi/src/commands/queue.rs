//! `kintsugi queue`, `kintsugi approve ID`, `kintsugi deny ID`: the human's
//! side of the approval queue.

use crate::util::request;
use anyhow::{Result, bail};
use clap::Args;
use kintsugi_protocol::{Request, Response};
use std::process::ExitCode;

#[derive(Args)]
pub struct QueueArgs {
    /// One JSON object per held command.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct DecideArgs {
    /// The held command's id (from `kintsugi queue`).
    id: String,
}

pub fn list(args: QueueArgs) -> Result<ExitCode> {
    let Response::PendingList { items } = request(&Request::ListPending)? else {
        bail!("the daemon answered `listpending` with something else");
    };
    if args.json {
        for i in &items {
            println!("{}", serde_json::to_string(i)?);
        }
        return Ok(ExitCode::SUCCESS);
    }
    if items.is_empty() {
        println!("no held commands");
    }
    for i in items {
        println!(
            "{}  {:<12} {}  (held {})",
            i.id,
            i.class.as_str(),
            i.command.raw,
            i.created
        );
        println!(
            "          {}  [{}]  from {} in {}",
            i.reason, i.rule, i.command.agent, i.command.cwd
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn decide(args: DecideArgs, approve: bool) -> Result<ExitCode> {
    let req = if approve {
        Request::Approve {
            id: args.id.clone(),
        }
    } else {
        Request::Deny {
            id: args.id.clone(),
        }
    };
    request(&req)?;
    println!(
        "{} {}",
        if approve { "approved" } else { "denied" },
        args.id
    );
    Ok(ExitCode::SUCCESS)
}
