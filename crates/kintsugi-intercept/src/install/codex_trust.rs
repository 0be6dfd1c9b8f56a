//! Codex runs a non-managed hook only when its hash is recorded as trusted;
//! an untrusted (or changed) hook is skipped silently. This does what Codex's
//! own `/hooks` review does: ask `codex app-server` (JSON-RPC over stdio) for
//! `hooks/list` and append `[hooks.state."KEY"] trusted_hash = "HASH"` for
//! our hook to `~/.codex/config.toml`.

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long the app-server may take to answer.
const APP_SERVER_TIMEOUT: Duration = Duration::from_secs(20);

fn hooks_list(codex: &Path, cwd: &Path) -> Result<Value, String> {
    let mut child = Command::new(codex)
        .arg("app-server")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start `codex app-server`: {e}"))?;
    let mut stdin = child.stdin.take().ok_or("no stdin")?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let requests = [
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "clientInfo": {"name": "kintsugi", "version": env!("CARGO_PKG_VERSION")},
            "capabilities": {"experimentalApi": true}}}),
        json!({"jsonrpc": "2.0", "method": "initialized"}),
        json!({"jsonrpc": "2.0", "id": 2, "method": "hooks/list", "params": {"cwds": [cwd]}}),
    ];
    for r in &requests {
        writeln!(stdin, "{r}").map_err(|e| e.to_string())?;
    }
    let deadline = Instant::now() + APP_SERVER_TIMEOUT;
    let answer = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let Ok(line) = rx.recv_timeout(left) else {
            break Err("`codex app-server` did not answer hooks/list".to_string());
        };
        let Ok(msg) = serde_json::from_str::<Value>(&line) else {
            continue;
        };
        if msg["id"] == 2 {
            break msg
                .get("result")
                .cloned()
                .ok_or_else(|| format!("hooks/list failed: {}", msg["error"]));
        }
    };
    let _ = child.kill();
    let _ = child.wait();
    answer
}

fn our_hooks(list: &Value) -> Vec<Value> {
    list["data"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|e| e["hooks"].as_array().cloned().unwrap_or_default())
        .filter(|h| h.to_string().contains("hook --agent codex"))
        .collect()
}

/// `codex` on PATH, if any.
fn codex_on_path() -> Option<std::path::PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|d| d.join("codex"))
        .find(|p| p.is_file())
}

/// What Codex itself says of our hook, for `doctor`.
#[derive(Debug, PartialEq, Eq)]
pub enum TrustStatus {
    /// Every Kintsugi hook Codex lists is trusted.
    Trusted,
    /// Codex lists a Kintsugi hook it will skip: never trusted, or changed
    /// since it was (`trustStatus` as Codex spells it).
    Untrusted(String),
    /// Codex lists no Kintsugi hook at all.
    NotListed,
    /// Codex could not be asked; why.
    Unknown(String),
}

/// Ask Codex (`codex app-server`, `hooks/list`) whether it will run our hook.
pub fn status(home: &Path) -> TrustStatus {
    let Some(codex) = codex_on_path() else {
        return TrustStatus::Unknown("codex is not on PATH".into());
    };
    let list = match hooks_list(&codex, home) {
        Ok(l) => l,
        Err(e) => return TrustStatus::Unknown(e),
    };
    let ours = our_hooks(&list);
    if ours.is_empty() {
        return TrustStatus::NotListed;
    }
    match ours.iter().find(|h| h["trustStatus"] != "trusted") {
        Some(h) => TrustStatus::Untrusted(h["trustStatus"].as_str().unwrap_or("unknown").into()),
        None => TrustStatus::Trusted,
    }
}

/// Trust our Codex hook; a sentence saying what happened.
pub fn trust(home: &Path) -> String {
    let Some(codex) = codex_on_path() else {
        return "codex is not on PATH; open Codex and trust the hook in /hooks, or Codex will skip it silently".into();
    };
    let list = match hooks_list(&codex, home) {
        Ok(l) => l,
        Err(e) => return format!("could not record trust ({e}); trust the hook in Codex's /hooks"),
    };
    let mut block = String::new();
    for h in our_hooks(&list) {
        if h["trustStatus"] == "trusted" {
            continue;
        }
        if let (Some(key), Some(hash)) = (h["key"].as_str(), h["currentHash"].as_str()) {
            block.push_str(&format!(
                "\n[hooks.state.{}]\ntrusted_hash = {}\n",
                json!(key),
                json!(hash)
            ));
        }
    }
    if block.is_empty() {
        return "hook already trusted".into();
    }
    let config = home.join(".codex/config.toml");
    if let Err(e) = super::backup(&config) {
        return format!("cannot record trust: {e}");
    }
    let appended = std::fs::OpenOptions::new()
        .append(true)
        .open(&config)
        .and_then(|mut f| f.write_all(block.as_bytes()));
    if let Err(e) = appended {
        return format!("cannot record trust in {}: {e}", config.display());
    }
    match hooks_list(&codex, home)
        .map(|l| our_hooks(&l).iter().all(|h| h["trustStatus"] == "trusted"))
    {
        Ok(true) => "hook trusted (recorded in ~/.codex/config.toml)".into(),
        Ok(false) => {
            "recorded trust, but Codex still lists the hook as untrusted; check /hooks".into()
        }
        Err(e) => format!("recorded trust; could not re-check: {e}"),
    }
}
