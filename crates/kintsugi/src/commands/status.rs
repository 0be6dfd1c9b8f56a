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
    Ok(ExitCode::SUCCESS)
}
