//! `kintsugi admin provision | status | change-password | recover | set`:
//! the admin vault that makes turning Kintsugi off need a human's password.
//! Provisioning needs no daemon. Changes while a daemon runs go through it
//! (`vaultupdate` with a proof), because it holds the vault it loaded and
//! ignores the file until then.

use super::admin_auth::{PasswordArgs, Secret, answer, read_secret_file};
use anyhow::{Context as _, Result, anyhow, bail};
use clap::{Args, Subcommand};
use kintsugi_protocol::{Client, Request, Response, data_dir, socket_path};
use kintsugi_vault::store::{self, REPLACED_FILE, install};
use kintsugi_vault::vault::{new_recovery_key, normalize_recovery_key};
use kintsugi_vault::{OnDisk, Settings, Vault, default_kdf, fingerprint};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum AdminCommand {
    /// Create the admin vault: password typed twice, recovery key shown once.
    Provision(ProvisionArgs),
    /// Show whether a vault exists, its parameters and settings, and the daemon's view.
    Status(StatusArgs),
    /// Change the admin password (needs the current one).
    ChangePassword(ChangeArgs),
    /// Set a new password with the recovery key shown at provisioning.
    Recover(RecoverArgs),
    /// Change a setting: `mode-floor notify|attended|unattended`,
    /// `approvals-need-password true|false`, or `mode` (this daemon run only).
    Set(SetArgs),
    /// Set, change (needs the current PIN) or `--clear` the approval PIN
    /// that `approve` and `run` ask for before the confirmation code.
    SetPin(super::approval_pin::SetPinArgs),
}

#[derive(Args)]
pub struct ProvisionArgs {
    #[command(flatten)]
    pw: PasswordArgs,
    /// The loosest mode the daemon may run in (default: the configured mode).
    #[arg(long)]
    mode_floor: Option<String>,
    /// Approving a held command needs the password too.
    #[arg(long)]
    approvals_need_password: bool,
    /// Replace an existing vault (only while no daemon runs; recorded at its next start).
    #[arg(long)]
    replace: bool,
    /// argon2id memory in KiB (tests use a small value; the vault records it).
    #[arg(long, hide = true)]
    kdf_m_cost: Option<u32>,
    #[arg(long, hide = true)]
    kdf_t_cost: Option<u32>,
}

#[derive(Args)]
pub struct StatusArgs {
    /// Also open the sealed settings with the password and compare them
    /// with the plain copy the daemon enforces.
    #[arg(long)]
    verify: bool,
    #[command(flatten)]
    pw: PasswordArgs,
}

#[derive(Args)]
pub struct ChangeArgs {
    #[command(flatten)]
    pw: PasswordArgs,
    /// Read the new password from this file instead of the terminal.
    #[arg(long, value_name = "FILE")]
    new_password_file: Option<PathBuf>,
}

#[derive(Args)]
pub struct RecoverArgs {
    /// Read the recovery key from this file instead of the terminal.
    #[arg(long, value_name = "FILE")]
    recovery_key_file: Option<PathBuf>,
    /// Read the new password from this file instead of the terminal.
    #[arg(long, value_name = "FILE")]
    new_password_file: Option<PathBuf>,
}

#[derive(Args)]
pub struct SetArgs {
    /// `mode-floor`, `approvals-need-password` or `mode`.
    key: String,
    value: String,
    #[command(flatten)]
    pw: PasswordArgs,
}

pub fn run(cmd: AdminCommand) -> Result<ExitCode> {
    match cmd {
        AdminCommand::SetPin(a) => return super::approval_pin::set_pin(a),
        AdminCommand::Provision(a) => provision(a),
        AdminCommand::Status(a) => status(a),
        AdminCommand::ChangePassword(a) => change_password(a),
        AdminCommand::Recover(a) => recover(a),
        AdminCommand::Set(a) => set(a),
    }
    .map(|()| ExitCode::SUCCESS)
}

fn daemon() -> Option<Client> {
    Client::connect(&socket_path()).ok()
}

fn check_mode_word(w: &str) -> Result<String> {
    match w {
        "notify" | "attended" | "unattended" => Ok(w.to_string()),
        _ => bail!("unknown mode {w:?}; use notify, attended or unattended"),
    }
}

fn provision(a: ProvisionArgs) -> Result<()> {
    let dir = data_dir();
    let existing = !matches!(store::load(&dir), OnDisk::Never);
    if existing && !a.replace {
        bail!(
            "an admin vault is already provisioned in {}; `kintsugi admin change-password` changes the password, `kintsugi admin recover` resets a lost one",
            dir.display()
        );
    }
    if existing && daemon().is_some() {
        bail!(
            "a running daemon holds the current vault; stop it with `kintsugi stop` (needs the current password) before `provision --replace`, or use `kintsugi admin recover`"
        );
    }
    let floor = match a.mode_floor {
        Some(w) => check_mode_word(&w)?,
        None => kintsugi_config::Config::load(&kintsugi_protocol::config_path())?
            .mode
            .as_str()
            .to_string(),
    };
    let mut kdf = default_kdf();
    kdf.m_cost = a.kdf_m_cost.unwrap_or(kdf.m_cost);
    kdf.t_cost = a.kdf_t_cost.unwrap_or(kdf.t_cost);
    let pw = a.pw.get_new("new admin password")?;
    let recovery = new_recovery_key();
    let settings = Settings {
        mode_floor: Some(floor.clone()),
        approvals_need_password: a.approvals_need_password,
    };
    let started = std::time::Instant::now();
    let vault = Vault::create(
        pw.as_bytes(),
        normalize_recovery_key(&recovery).as_bytes(),
        kdf.clone(),
        settings,
        kintsugi_protocol::now_rfc3339(),
    )?;
    let took = started.elapsed();
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let fp = install(&dir, &vault)?;
    if existing {
        store::write_private(
            &dir.join(REPLACED_FILE),
            kintsugi_protocol::now_rfc3339().as_bytes(),
        )?;
    }
    println!(
        "admin vault provisioned in {} (fingerprint {})",
        dir.display(),
        &fp[..16]
    );
    println!(
        "argon2id m={} KiB t={} p={}; provisioning took {} ms; mode floor {floor}",
        kdf.m_cost,
        kdf.t_cost,
        kdf.p_cost,
        took.as_millis()
    );
    println!("recovery key (shown once; write it down and keep it away from this machine):");
    println!("  {}", *recovery);
    if let Some(mut c) = daemon() {
        // A daemon running unlocked adopts the new vault (that only tightens).
        let _ = c.request(&Request::AuthBegin {
            op: "status".into(),
        });
        println!("the running daemon now requires the password for privileged operations");
    }
    Ok(())
}

fn on_disk() -> Result<(Vault, Vec<u8>)> {
    match store::load(&data_dir()) {
        OnDisk::Present(v, b) => Ok((*v, b)),
        OnDisk::Never => {
            bail!("no admin vault is provisioned; `kintsugi admin provision` creates one")
        }
        OnDisk::Missing => bail!(
            "vault.json is missing although a vault was provisioned; restore it from a backup (the daemon, if running, still holds its copy and rewrites it at the next authenticated operation)"
        ),
        OnDisk::Corrupt(why) => bail!("the vault file is damaged: {why}"),
    }
}

fn status(a: StatusArgs) -> Result<()> {
    let dir = data_dir();
    match store::load(&dir) {
        OnDisk::Never => {
            println!("admin vault: not provisioned (stop, resume and settings need no password)")
        }
        OnDisk::Missing => {
            println!("admin vault: MISSING (a vault was provisioned; vault.json is gone)")
        }
        OnDisk::Corrupt(why) => println!("admin vault: DAMAGED: {why}"),
        OnDisk::Present(v, bytes) => {
            println!(
                "admin vault: {}",
                dir.join(kintsugi_vault::VAULT_FILE).display()
            );
            println!(
                "  created {}, fingerprint {}",
                v.created,
                &fingerprint(&bytes)[..16]
            );
            println!(
                "  argon2id m={} KiB t={} p={}",
                v.kdf.m_cost, v.kdf.t_cost, v.kdf.p_cost
            );
            println!(
                "  mode floor: {}; approvals need password: {}",
                v.settings.mode_floor.as_deref().unwrap_or("none"),
                v.settings.approvals_need_password
            );
            if a.verify {
                let unlocked = v.unlock(a.pw.get()?.as_bytes())?;
                if v.plain_settings_honest(&unlocked.settings) {
                    println!("  settings verified against the sealed copy");
                } else {
                    bail!(
                        "TAMPERED: the plain settings are looser than the sealed copy ({:?}); someone with the verifier rewrote them",
                        unlocked.settings
                    );
                }
            }
        }
    }
    let lock = kintsugi_vault::Lockout::load(&dir);
    if lock.failures > 0 {
        let wait = lock.wait_secs(kintsugi_vault::lockout::unix_now());
        println!(
            "  failed attempts in a row: {} (next attempt in {wait} s)",
            lock.failures
        );
    }
    match daemon().map(|mut c| c.request(&Request::Status)) {
        Some(Ok(Response::Status(s))) => println!(
            "daemon: {} (mode {})",
            s.admin.unwrap_or_else(|| "unknown".into()),
            s.mode.unwrap_or_default()
        ),
        _ => println!("daemon: not running"),
    }
    Ok(())
}

/// Install `new`: through the daemon (proof for `op` with `proof_secret`)
/// when one runs, else directly.
fn replace_vault(new: &Vault, op: &str, proof_secret: &Secret) -> Result<()> {
    let Some(mut c) = daemon() else {
        install(&data_dir(), new)?;
        return Ok(());
    };
    let (nonce, proof) = answer(&mut c, op, || Ok(proof_secret.clone()))?;
    if nonce.is_empty() {
        bail!("the running daemon holds no vault; restart it to load this one");
    }
    let text = String::from_utf8(new.to_bytes()).expect("json is utf-8");
    match c.request(&Request::VaultUpdate {
        op: op.into(),
        vault: text,
        nonce,
        proof,
    })? {
        Response::Ack => Ok(()),
        Response::Error { message } => bail!("the daemon refused: {message}"),
        other => bail!("unexpected answer to vaultupdate: {other:?}"),
    }
}

fn change_password(a: ChangeArgs) -> Result<()> {
    let (mut vault, _) = on_disk()?;
    let old = a.pw.get()?;
    let unlocked = vault.unlock(old.as_bytes())?;
    let new_src = PasswordArgs {
        password_file: a.new_password_file,
    };
    let new = new_src.get_new("new admin password")?;
    // Keep the stricter of the two copies.
    let settings = if vault.plain_settings_honest(&unlocked.settings) {
        vault.settings.clone()
    } else {
        unlocked.settings.clone()
    };
    vault.set_password(new.as_bytes(), &settings)?;
    replace_vault(&vault, "passwd", &old)?;
    println!("admin password changed");
    Ok(())
}

fn recover(a: RecoverArgs) -> Result<()> {
    let (mut vault, _) = on_disk()?;
    let typed = match &a.recovery_key_file {
        Some(f) => read_secret_file(f)?,
        None => super::admin_auth::prompt_tty("recovery key: ")?,
    };
    let key = normalize_recovery_key(&typed);
    vault
        .unlock_recovery(key.as_bytes())
        .map_err(|_| anyhow!("that is not this vault's recovery key; nothing was changed"))?;
    let new_src = PasswordArgs {
        password_file: a.new_password_file,
    };
    let new = new_src.get_new("new admin password")?;
    let settings = vault.settings.clone();
    vault.set_password(new.as_bytes(), &settings)?;
    replace_vault(&vault, "recover", &key)?;
    println!("admin password reset with the recovery key; the recovery key stays valid");
    Ok(())
}

fn set(a: SetArgs) -> Result<()> {
    if a.key == "mode" {
        return set_runtime_mode(&a.value, &a.pw);
    }
    let (mut vault, _) = on_disk()?;
    let pw = a.pw.get()?;
    let unlocked = vault.unlock(pw.as_bytes())?;
    let mut settings = unlocked.settings.clone();
    match a.key.as_str() {
        "mode-floor" => settings.mode_floor = Some(check_mode_word(&a.value)?),
        "approvals-need-password" => {
            settings.approvals_need_password = a
                .value
                .parse()
                .map_err(|_| anyhow!("approvals-need-password takes true or false"))?
        }
        other => {
            bail!("unknown setting {other:?}; use mode-floor, approvals-need-password or mode")
        }
    }
    vault.set_password(pw.as_bytes(), &settings)?;
    replace_vault(&vault, "config", &pw)?;
    println!("{} set to {}", a.key, a.value);
    Ok(())
}

fn set_runtime_mode(word: &str, pw: &PasswordArgs) -> Result<()> {
    let mode = check_mode_word(word)?;
    let mut c = Client::connect(&socket_path())?;
    let current = match c.request(&Request::Status)? {
        Response::Status(s) => s.mode.unwrap_or_default(),
        _ => String::new(),
    };
    let (nonce, proof) = if kintsugi_vault::mode_rank(&mode) < kintsugi_vault::mode_rank(&current) {
        let (n, p) = answer(&mut c, "config", || pw.get())?;
        (
            Some(n).filter(|s| !s.is_empty()),
            Some(p).filter(|s| !s.is_empty()),
        )
    } else {
        (None, None)
    };
    match c.request(&Request::SetMode { mode, nonce, proof })? {
        Response::Report { text } => println!("{text}"),
        Response::Error { message } => bail!("the daemon refused: {message}"),
        other => bail!("unexpected answer to setmode: {other:?}"),
    }
    Ok(())
}
