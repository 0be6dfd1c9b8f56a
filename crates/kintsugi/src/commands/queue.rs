//! `kintsugi queue`, `kintsugi approve ID [--remember]`, `kintsugi deny ID`:
//! the human's side of the approval queue. Approving asks for a random code
//! typed on the controlling terminal (never stdin), so an agent that pipes
//! "yes" into it gets nowhere; the daemon separately refuses approvals from
//! processes without a terminal or from the agent's own process tree.

use crate::util::request;
use anyhow::{Context as _, Result, bail};
use clap::Args;
use kintsugi_daemon::group_name;
use kintsugi_protocol::{Request, Response};
use std::io::{BufRead, BufReader, Write};
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
    /// Remember this decision for the exact command in its repository.
    #[arg(long)]
    remember: bool,
    /// Approve with the admin password (read from this file) instead of
    /// the terminal code; needed when the vault says approvals need it.
    #[arg(long, value_name = "FILE")]
    password_file: Option<std::path::PathBuf>,
    /// Read the approval PIN from this file instead of asking on the
    /// terminal (only when a PIN is set; a file an agent can read weakens it).
    #[arg(long, value_name = "FILE")]
    pin_file: Option<std::path::PathBuf>,
}

fn age(created: &str) -> String {
    let fmt = time::format_description::well_known::Rfc3339;
    match time::OffsetDateTime::parse(created, &fmt) {
        Ok(t) => {
            let secs = (time::OffsetDateTime::now_utc() - t).whole_seconds().max(0) as u64;
            crate::util::human_secs(secs)
        }
        Err(_) => "?".into(),
    }
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
    // The daemon lists them grouped by agent and session, smallest group
    // first: a header per group, so a runaway session cannot bury the rest.
    let mut last_group = None;
    for i in items.iter() {
        let group = (i.command.agent.as_str(), i.command.session.as_deref());
        if last_group != Some(group) {
            let n = items
                .iter()
                .filter(|j| (j.command.agent.as_str(), j.command.session.as_deref()) == group)
                .count();
            println!("== {}: {n} held", group_name(group.0, group.1));
            last_group = Some(group);
        }
        println!(
            "{}  {:<12} held {:<8} {}",
            i.id,
            i.class.as_str(),
            age(&i.created),
            i.command.raw
        );
        println!("          {}  [{}]", i.reason, i.rule);
        println!("          from {} in {}", i.command.agent, i.command.cwd);
        if let Some(p) = &i.preview {
            for line in p.lines() {
                println!("          {line}");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Six characters from A–Z and 2–9.
fn confirmation_code() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 6];
    getrandom::fill(&mut bytes).expect("the OS random source works");
    bytes
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect()
}

/// Show a code on the controlling terminal and read it back from there.
pub fn confirm_on_terminal(what: &str) -> Result<()> {
    let tty = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .context("approving needs your terminal (/dev/tty), and this process has none; run `kintsugi approve` in your own shell")?;
    let code = confirmation_code();
    let mut out = tty.try_clone()?;
    writeln!(out, "approve: {what}")?;
    writeln!(out, "confirmation code: {code}")?;
    write!(out, "type the code to approve (anything else cancels): ")?;
    out.flush()?;
    let mut line = String::new();
    BufReader::new(tty).read_line(&mut line)?;
    if line.trim().to_ascii_uppercase() != code {
        bail!("the code did not match; nothing was approved");
    }
    Ok(())
}

pub fn answer(args: DecideArgs, approve: bool) -> Result<ExitCode> {
    let req = if approve {
        let Response::PendingList { items } = request(&Request::ListPending)? else {
            bail!("the daemon answered `listpending` with something else");
        };
        let Some(item) = items.iter().find(|i| i.id == args.id) else {
            bail!(
                "no held command has id `{}`; `kintsugi queue` lists the pending ones",
                args.id
            );
        };
        if let Some(auth) =
            super::admin_auth::approval_proof(&args.id, args.remember, &args.password_file)?
        {
            request(&auth)?;
            println!("approved {} with the admin password", args.id);
            return Ok(ExitCode::SUCCESS);
        }
        // First the PIN (when one is set), then the confirmation code.
        let pin = super::approval_pin::pin_for_approval(&args.pin_file)?;
        let preview = item
            .preview
            .as_deref()
            .map(|p| format!("\n{p}"))
            .unwrap_or_default();
        confirm_on_terminal(&format!(
            "{}  ({} in {}: {}){preview}",
            item.command.raw,
            item.class.as_str(),
            item.command.cwd,
            item.reason
        ))?;
        Request::Approve {
            id: args.id.clone(),
            remember: args.remember.then_some(true),
            nonce: None,
            proof: None,
            progress: Some(true),
            relayed_for: None,
            pin: pin.as_ref().map(|p| p.to_string()),
        }
    } else {
        Request::Deny {
            id: args.id.clone(),
            remember: args.remember.then_some(true),
        }
    };
    if approve {
        crate::util::request_showing_capture(&req)?;
    } else {
        request(&req)?;
    }
    println!(
        "{} {}{}",
        if approve { "approved" } else { "denied" },
        args.id,
        if args.remember { " (remembered)" } else { "" }
    );
    Ok(ExitCode::SUCCESS)
}

/// `kintsugi resume`: the admin password when a vault is provisioned.
pub fn resume(pw: &super::admin_auth::PasswordArgs) -> Result<ExitCode> {
    let mut client = kintsugi_protocol::Client::connect(&kintsugi_protocol::socket_path())?;
    let (nonce, proof) = super::admin_auth::answer(&mut client, "resume", || pw.get())?;
    let req = Request::Resume {
        nonce: Some(nonce).filter(|n| !n.is_empty()),
        proof: Some(proof).filter(|p| !p.is_empty()),
    };
    if let Response::Error { message } = client.request(&req)? {
        bail!("the daemon refused: {message}");
    }
    println!("kill switch OFF: verdicts follow the rules again");
    Ok(ExitCode::SUCCESS)
}

/// `kintsugi panic` (free: it only tightens).
pub fn kill_switch(on: bool) -> Result<ExitCode> {
    if !on {
        return resume(&Default::default());
    }
    request(&Request::Panic)?;
    if on {
        println!("kill switch ON: every command is denied until `kintsugi resume`");
    } else {
        println!("kill switch OFF: verdicts follow the rules again");
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_use_the_documented_alphabet() {
        for _ in 0..100 {
            let c = confirmation_code();
            assert_eq!(c.len(), 6);
            assert!(
                c.bytes()
                    .all(|b| b.is_ascii_uppercase() || (b'2'..=b'9').contains(&b))
            );
        }
    }
}
