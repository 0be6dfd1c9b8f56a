//! `kintsugi service install | uninstall | status`: keep the daemon running
//! as a user service, so a daemon killed by a signal comes back. Linux: a
//! systemd user unit (`Restart=always`) in `$XDG_CONFIG_HOME/systemd/user/`.
//! macOS: a launchd agent (`KeepAlive`) in `~/Library/LaunchAgents/`.
//! Uninstalling is privileged when an admin vault is provisioned.

use super::admin_auth::{PasswordArgs, authorize};
use anyhow::{Context as _, Result, bail};
use clap::{Args, Subcommand};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

#[derive(Subcommand)]
pub enum ServiceCommand {
    /// Write the service file and (unless --no-enable) enable and start it.
    Install(InstallArgs),
    /// Stop, disable and remove the service (needs the admin password when locked).
    Uninstall(PasswordArgs),
    /// Show whether the service is installed, enabled and running.
    Status,
}

#[derive(Args)]
pub struct InstallArgs {
    /// Only write the file; do not ask the service manager to enable it.
    #[arg(long)]
    no_enable: bool,
}

/// The service name.
pub const UNIT: &str = "kintsugi.service";

use kintsugi_protocol::home_dir as home;

/// Where the service file goes.
pub fn service_path() -> PathBuf {
    if cfg!(target_os = "macos") {
        return home().join("Library/LaunchAgents/dev.kintsugi.daemon.plist");
    }
    let config = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| home().join(".config"));
    config.join("systemd/user").join(UNIT)
}

/// Environment the service must keep (a non-default data dir or config).
fn kept_env() -> Vec<(&'static str, String)> {
    ["KINTSUGI_DATA_DIR", "KINTSUGI_CONFIG", "KINTSUGI_SOCKET"]
        .into_iter()
        .filter_map(|k| std::env::var(k).ok().map(|v| (k, v)))
        .collect()
}

fn systemd_quote(s: &str) -> String {
    if s.chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-+=:@,".contains(c))
    {
        s.to_string()
    } else {
        format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

/// The systemd user unit that runs `exe daemon` and restarts it always.
pub fn systemd_unit(exe: &Path, env: &[(&str, String)]) -> String {
    let mut s = String::from(
        "[Unit]\nDescription=Kintsugi daemon (local safety net for AI coding agents)\n\n[Service]\nType=simple\n",
    );
    s.push_str(&format!(
        "ExecStart={} daemon\n",
        systemd_quote(&exe.display().to_string())
    ));
    for (k, v) in env {
        s.push_str(&format!(
            "Environment={}\n",
            systemd_quote(&format!("{k}={v}"))
        ));
    }
    s.push_str("Restart=always\nRestartSec=1\n\n[Install]\nWantedBy=default.target\n");
    s
}

/// The launchd agent (macOS) that runs `exe daemon` and keeps it alive.
pub fn launchd_plist(exe: &Path, env: &[(&str, String)]) -> String {
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let envs: String = env
        .iter()
        .map(|(k, v)| format!("    <key>{k}</key><string>{}</string>\n", esc(v)))
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n<plist version=\"1.0\"><dict>\n  <key>Label</key><string>dev.kintsugi.daemon</string>\n  <key>ProgramArguments</key><array><string>{}</string><string>daemon</string></array>\n  <key>EnvironmentVariables</key><dict>\n{envs}  </dict>\n  <key>RunAtLoad</key><true/>\n  <key>KeepAlive</key><true/>\n</dict></plist>\n",
        esc(&exe.display().to_string())
    )
}

/// Check a unit's shape: sections, an absolute ExecStart ending in `daemon`,
/// `Restart=always`. Returns what is wrong.
pub fn validate_unit(text: &str) -> Result<(), String> {
    let mut section = "";
    let mut seen = std::collections::BTreeMap::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = name;
            continue;
        }
        let (k, v) = line
            .split_once('=')
            .ok_or(format!("not key=value: {line:?}"))?;
        seen.insert(format!("{section}.{k}"), v.to_string());
    }
    let exec = seen.get("Service.ExecStart").ok_or("no ExecStart")?;
    let bin = exec.trim_start_matches('"');
    if !bin.starts_with('/') || !exec.ends_with(" daemon") {
        return Err(format!(
            "ExecStart must be an absolute path running `daemon`: {exec}"
        ));
    }
    if seen.get("Service.Restart").map(String::as_str) != Some("always") {
        return Err("Restart must be always".into());
    }
    if !seen.contains_key("Install.WantedBy") {
        return Err("no WantedBy in [Install]".into());
    }
    Ok(())
}

/// Run a service-manager command; `None` when it cannot run at all.
fn manager(args: &[&str]) -> Option<(bool, String)> {
    let (prog, args) = if cfg!(target_os = "macos") {
        ("launchctl", args.to_vec())
    } else {
        ("systemctl", [&["--user"][..], args].concat())
    };
    let out = Command::new(prog).args(&args).output().ok()?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    Some((out.status.success(), text.trim().to_string()))
}

fn systemd_reachable() -> bool {
    matches!(manager(&["show-environment"]), Some((true, _)))
}

fn install(a: InstallArgs) -> Result<()> {
    let exe = std::env::current_exe()?.canonicalize()?;
    let path = service_path();
    let text = if cfg!(target_os = "macos") {
        launchd_plist(&exe, &kept_env())
    } else {
        let unit = systemd_unit(&exe, &kept_env());
        validate_unit(&unit).map_err(|e| anyhow::anyhow!("generated a bad unit: {e}"))?;
        unit
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    std::fs::write(&path, &text).with_context(|| format!("cannot write {}", path.display()))?;
    println!("service file written: {}", path.display());
    if a.no_enable {
        return Ok(());
    }
    if cfg!(target_os = "macos") {
        match manager(&["load", "-w", &path.display().to_string()]) {
            Some((true, _)) => {
                println!("launchd agent loaded; launchd restarts the daemon if it dies")
            }
            other => bail!("launchctl load failed: {other:?}"),
        }
    } else if systemd_reachable() {
        let _ = manager(&["daemon-reload"]);
        match manager(&["enable", "--now", UNIT]) {
            Some((true, _)) => {
                println!("enabled and started {UNIT}; systemd restarts the daemon if it dies")
            }
            Some((false, why)) => bail!("systemctl --user enable --now {UNIT} failed: {why}"),
            None => bail!("systemctl could not be run"),
        }
    } else {
        println!(
            "no systemd user manager is reachable here, so nothing was enabled; where one runs: `systemctl --user daemon-reload && systemctl --user enable --now {UNIT}`"
        );
    }
    Ok(())
}

fn uninstall(pw: PasswordArgs) -> Result<()> {
    authorize("uninstall", &pw)?;
    let path = service_path();
    if cfg!(target_os = "macos") {
        let _ = manager(&["unload", "-w", &path.display().to_string()]);
    } else if systemd_reachable() {
        let _ = manager(&["disable", "--now", UNIT]);
    }
    match std::fs::remove_file(&path) {
        Ok(()) => println!("removed {}", path.display()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            println!("no service file at {}", path.display())
        }
        Err(e) => bail!("cannot remove {}: {e}", path.display()),
    }
    if !cfg!(target_os = "macos") && systemd_reachable() {
        let _ = manager(&["daemon-reload"]);
    }
    Ok(())
}

fn status() -> Result<()> {
    let path = service_path();
    if path.exists() {
        println!("service file: {}", path.display());
    } else {
        println!("service file: not installed (`kintsugi service install`)");
    }
    if cfg!(target_os = "macos") {
        match manager(&["list", "dev.kintsugi.daemon"]) {
            Some((ok, _)) => println!("launchd: {}", if ok { "loaded" } else { "not loaded" }),
            None => println!("launchctl cannot be run here"),
        }
    } else if systemd_reachable() {
        let word = |args: &[&str]| manager(args).map(|(_, t)| t).unwrap_or_default();
        println!("enabled: {}", word(&["is-enabled", UNIT]));
        println!("active: {}", word(&["is-active", UNIT]));
    } else {
        println!(
            "systemd: no user manager is reachable here, so whether the service is enabled or running cannot be known"
        );
    }
    let answers = kintsugi_protocol::Client::connect(&kintsugi_protocol::socket_path()).is_ok();
    println!(
        "daemon socket: {}",
        if answers {
            "answering"
        } else {
            "not answering"
        }
    );
    Ok(())
}

pub fn run(cmd: ServiceCommand) -> Result<ExitCode> {
    match cmd {
        ServiceCommand::Install(a) => install(a),
        ServiceCommand::Uninstall(pw) => uninstall(pw),
        ServiceCommand::Status => status(),
    }
    .map(|()| ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_validates_and_quotes() {
        let env = vec![("KINTSUGI_DATA_DIR", "/tmp/a b".to_string())];
        let u = systemd_unit(Path::new("/opt/kin tsugi/kintsugi"), &env);
        validate_unit(&u).unwrap();
        assert!(u.contains("ExecStart=\"/opt/kin tsugi/kintsugi\" daemon"));
        assert!(u.contains("Environment=\"KINTSUGI_DATA_DIR=/tmp/a b\""));
        assert!(validate_unit(&u.replace("Restart=always", "Restart=no")).is_err());
        assert!(validate_unit(&u.replace("ExecStart=\"/opt", "ExecStart=\"opt")).is_err());
        assert!(
            launchd_plist(Path::new("/a/kintsugi"), &env).contains("<key>KeepAlive</key><true/>")
        );
    }
}
