//! Getting the admin password from a human and answering the daemon's
//! challenge with it. The password is read from the controlling terminal
//! with echo off (never from stdin, which an agent may be feeding), or from
//! `--password-file F`; it never leaves this process: only an HMAC proof
//! keyed with argon2id(password) goes over the socket.

use anyhow::{Context as _, Result, bail};
use clap::Args;
use kintsugi_protocol::{Client, KdfParams, Request, Response};
use kintsugi_vault::crypto;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use zeroize::Zeroizing;

/// `--password-file F` for every privileged command.
#[derive(Args, Debug, Clone, Default)]
pub struct PasswordArgs {
    /// Read the admin password from this file (first line) instead of the terminal.
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
}

/// A secret as typed: zeroed when dropped.
pub type Secret = Zeroizing<String>;

/// The first line of `path`, without its line ending.
pub fn read_secret_file(path: &std::path::Path) -> Result<Secret> {
    let text = Zeroizing::new(
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?,
    );
    let line = text.lines().next().unwrap_or_default();
    if line.is_empty() {
        bail!(
            "{} is empty; put the password on its first line",
            path.display()
        );
    }
    Ok(Zeroizing::new(line.to_string()))
}

/// Restores the terminal's modes when dropped (even on an error path).
struct EchoOff {
    tty: std::fs::File,
    saved: rustix::termios::Termios,
}

impl Drop for EchoOff {
    fn drop(&mut self) {
        let _ = rustix::termios::tcsetattr(
            &self.tty,
            rustix::termios::OptionalActions::Now,
            &self.saved,
        );
    }
}

/// Ask on /dev/tty with echo off.
pub fn prompt_tty(prompt: &str) -> Result<Secret> {
    use rustix::termios::{LocalModes, OptionalActions, tcgetattr, tcsetattr};
    let tty = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .context("the admin password is read from your terminal (/dev/tty), and this process has none; run it in your own shell or pass --password-file FILE")?;
    let saved = tcgetattr(&tty).context("cannot read the terminal's settings")?;
    let mut quiet = saved.clone();
    quiet.local_modes.remove(LocalModes::ECHO);
    quiet.local_modes.insert(LocalModes::ECHONL);
    let guard = EchoOff {
        tty: tty.try_clone()?,
        saved,
    };
    tcsetattr(&tty, OptionalActions::Flush, &quiet).context("cannot turn terminal echo off")?;
    let mut out = tty.try_clone()?;
    write!(out, "{prompt}")?;
    out.flush()?;
    let mut line = Zeroizing::new(String::new());
    BufReader::new(tty).read_line(&mut line)?;
    drop(guard);
    let trimmed = line.trim_end_matches(['\n', '\r']);
    if trimmed.is_empty() {
        bail!("no password typed; nothing was done");
    }
    Ok(Zeroizing::new(trimmed.to_string()))
}

impl PasswordArgs {
    /// The current admin password.
    pub fn get(&self) -> Result<Secret> {
        match &self.password_file {
            Some(f) => read_secret_file(f),
            None => prompt_tty("Kintsugi admin password: "),
        }
    }

    /// A new password: from the file, or typed twice on the terminal.
    pub fn get_new(&self, what: &str) -> Result<Secret> {
        let pw = match &self.password_file {
            Some(f) => read_secret_file(f)?,
            None => {
                let a = prompt_tty(&format!("{what}: "))?;
                let b = prompt_tty(&format!("{what} (again): "))?;
                if *a != *b {
                    bail!("the two passwords differ; nothing was changed");
                }
                a
            }
        };
        if pw.chars().count() < 8 {
            bail!("the password is shorter than 8 characters; choose a longer one");
        }
        Ok(pw)
    }
}

/// The proof for a challenge, made from `secret`.
pub fn make_proof(
    secret: &str,
    salt_hex: &str,
    params: &KdfParams,
    nonce: &str,
    op: &str,
) -> Result<String> {
    let salt = hex::decode(salt_hex).context("the daemon sent a salt that is not hex")?;
    let key = crypto::derive_key(secret.as_bytes(), &salt, params)?;
    Ok(crypto::proof(&key, nonce, op))
}

/// Ask for a challenge for `op`; when the daemon is locked, answer it with
/// the secret `get` supplies (called only then). Returns (nonce, proof),
/// both empty when no vault is provisioned.
pub fn answer(
    client: &mut Client,
    op: &str,
    get: impl FnOnce() -> Result<Secret>,
) -> Result<(String, String)> {
    match client.request(&Request::AuthBegin { op: op.into() })? {
        Response::Challenge { locked: false, .. } => Ok((String::new(), String::new())),
        Response::Challenge {
            locked: true,
            nonce,
            salt,
            params,
        } => {
            let secret = get()?;
            let proof = make_proof(&secret, &salt, &params, &nonce, op)?;
            Ok((nonce, proof))
        }
        Response::Error { message } => bail!("the daemon refused: {message}"),
        other => bail!("unexpected answer to authbegin: {other:?}"),
    }
}

/// Get the daemon to check and record a proof for `op` (e.g. `uninstall`).
/// With no daemon running, a provisioned vault is checked here instead.
pub fn authorize(op: &str, pw: &PasswordArgs) -> Result<()> {
    match Client::connect(&kintsugi_protocol::socket_path()) {
        Ok(mut c) => {
            let (nonce, proof) = answer(&mut c, op, || pw.get())?;
            if nonce.is_empty() {
                return Ok(());
            }
            match c.request(&Request::Authorize {
                op: op.into(),
                nonce,
                proof,
            })? {
                Response::Ack => Ok(()),
                Response::Error { message } => bail!("the daemon refused `{op}`: {message}"),
                other => bail!("unexpected answer to authorize: {other:?}"),
            }
        }
        Err(_) => match kintsugi_vault::store::load(&kintsugi_protocol::data_dir()) {
            kintsugi_vault::OnDisk::Never => Ok(()),
            kintsugi_vault::OnDisk::Present(v, _) => {
                v.unlock(pw.get()?.as_bytes())
                    .map_err(|e| anyhow::anyhow!("`{op}` refused: {e}"))?;
                Ok(())
            }
            _ => bail!(
                "`{op}` refused: the admin vault is missing or damaged; see `kintsugi admin status`"
            ),
        },
    }
}

/// When approving needs the admin password (the vault says so) or one is
/// given: the `approve` request carrying its proof for op `approve:<id>`.
/// `None`: no vault, so the terminal code applies.
pub fn approval_proof(id: &str, remember: bool, file: &Option<PathBuf>) -> Result<Option<Request>> {
    let needs = matches!(
        kintsugi_vault::store::load(&kintsugi_protocol::data_dir()),
        kintsugi_vault::OnDisk::Present(v, _) if v.settings.approvals_need_password
    );
    if file.is_none() && !needs {
        return Ok(None);
    }
    let pw = PasswordArgs {
        password_file: file.clone(),
    };
    let mut c = Client::connect(&kintsugi_protocol::socket_path())?;
    let (nonce, proof) = answer(&mut c, &format!("approve:{id}"), || pw.get())?;
    if nonce.is_empty() {
        return Ok(None);
    }
    Ok(Some(Request::Approve {
        id: id.to_string(),
        remember: remember.then_some(true),
        nonce: Some(nonce),
        proof: Some(proof),
        progress: None,
        relayed_for: None,
        pin: None,
    }))
}
