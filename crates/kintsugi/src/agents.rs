//! Wiring `kintsugi hook` into each installed agent's own config, and taking
//! it out again. Detection is by the agent's config dir under HOME. Every
//! change is idempotent (an entry that is already there is not added twice),
//! every file changed is backed up first, JSON key order is kept, and Codex's
//! TOML keeps its comments.

use anyhow::{Context as _, Result, bail};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// The user-level config of one agent.
#[derive(Debug, Clone, Copy)]
pub struct AgentConfig {
    pub name: &'static str,
    /// Directory under HOME whose presence means the agent is installed.
    pub dir: &'static str,
    /// The file the hook goes into, under HOME.
    pub file: &'static str,
}

/// Agents `init` wires at user level. Copilot CLI reads hooks only from the
/// repository (`.github/hooks/`), so it is documented, not wired here.
pub const AGENTS: &[AgentConfig] = &[
    AgentConfig {
        name: "claude",
        dir: ".claude",
        file: ".claude/settings.json",
    },
    AgentConfig {
        name: "codex",
        dir: ".codex",
        file: ".codex/config.toml",
    },
    AgentConfig {
        name: "gemini",
        dir: ".gemini",
        file: ".gemini/settings.json",
    },
    AgentConfig {
        name: "qwen",
        dir: ".qwen",
        file: ".qwen/settings.json",
    },
    AgentConfig {
        name: "cursor",
        dir: ".cursor",
        file: ".cursor/hooks.json",
    },
    AgentConfig {
        name: "opencode",
        dir: ".config/opencode",
        file: ".config/opencode/plugins/kintsugi.js",
    },
];

/// The hook command line written into configs.
pub fn hook_command(bin: &Path, agent: &str) -> String {
    format!(
        "{} hook --agent {agent}",
        kintsugi_protocol::shell_quote(&bin.display().to_string())
    )
}

fn marker(agent: &str) -> String {
    format!("hook --agent {agent}")
}

impl AgentConfig {
    pub fn installed(&self, home: &Path) -> bool {
        home.join(self.dir).is_dir()
    }
    pub fn path(&self, home: &Path) -> PathBuf {
        home.join(self.file)
    }
    /// Whether the file already carries our hook.
    pub fn wired(&self, home: &Path) -> bool {
        std::fs::read_to_string(self.path(home)).is_ok_and(|t| t.contains(&marker(self.name)))
    }
}

fn read_json(path: &Path) -> Result<Value> {
    match std::fs::read_to_string(path) {
        Ok(t) if t.trim().is_empty() => Ok(json!({})),
        Ok(t) => serde_json::from_str(&t).with_context(|| {
            format!(
                "{} is not valid JSON; fix it by hand, then rerun `kintsugi init`",
                path.display()
            )
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(json!({})),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

fn obj<'a>(v: &'a mut Value, key: &str) -> Result<&'a mut serde_json::Map<String, Value>> {
    let map = v
        .as_object_mut()
        .context("the config's top level is not a JSON object")?;
    map.entry(key.to_string())
        .or_insert_with(|| json!({}))
        .as_object_mut()
        .with_context(|| format!("`{key}` in the config is not an object"))
}

fn arr<'a>(m: &'a mut serde_json::Map<String, Value>, key: &str) -> Result<&'a mut Vec<Value>> {
    m.entry(key.to_string())
        .or_insert_with(|| json!([]))
        .as_array_mut()
        .with_context(|| format!("`{key}` in the config is not an array"))
}

/// Add our entry to a JSON config (the shape per agent from its docs).
fn wire_json(agent: &str, cfg: &mut Value, command: &str) -> Result<()> {
    match agent {
        "claude" => {
            let hooks = obj(cfg, "hooks")?;
            arr(hooks, "PreToolUse")?.push(json!({"matcher": "Bash", "hooks": [
                {"type": "command", "command": command, "timeout": 60}]}));
        }
        "gemini" => {
            obj(cfg, "hooksConfig")?.insert("enabled".into(), json!(true));
            let hooks = obj(cfg, "hooks")?;
            arr(hooks, "BeforeTool")?.push(json!({"matcher": "run_shell_command", "hooks": [
                {"name": "kintsugi", "type": "command", "command": command, "timeout": 60000}]}));
        }
        "qwen" => {
            let hooks = obj(cfg, "hooks")?;
            arr(hooks, "PreToolUse")?.push(json!({"matcher": "^run_shell_command$", "hooks": [
                {"type": "command", "command": command, "name": "kintsugi", "timeout": 60000}]}));
        }
        "cursor" => {
            let map = cfg
                .as_object_mut()
                .context("the config's top level is not a JSON object")?;
            map.entry("version").or_insert(json!(1));
            let hooks = obj(cfg, "hooks")?;
            arr(hooks, "beforeShellExecution")?.push(json!({"command": command}));
        }
        other => bail!("no JSON hook shape for {other}"),
    }
    Ok(())
}

/// Remove every hook entry that runs our hook, and groups left empty.
fn unwire_json(cfg: &mut Value, agent: &str) {
    let ours = |v: &Value| {
        v.get("command")
            .and_then(Value::as_str)
            .is_some_and(|c| c.contains(&marker(agent)))
    };
    let Some(hooks) = cfg.get_mut("hooks").and_then(Value::as_object_mut) else {
        return;
    };
    for (_, groups) in hooks.iter_mut() {
        let Some(groups) = groups.as_array_mut() else {
            continue;
        };
        groups.retain_mut(|g| {
            if ours(g) {
                return false;
            }
            if let Some(inner) = g.get_mut("hooks").and_then(Value::as_array_mut) {
                inner.retain(|h| !ours(h));
                return !inner.is_empty();
            }
            true
        });
    }
}

fn wire_codex(text: &str, command: &str) -> Result<String> {
    let mut doc: toml_edit::DocumentMut = text
        .parse()
        .context("~/.codex/config.toml is not valid TOML")?;
    if doc.get("features").is_none() {
        doc["features"] = toml_edit::table();
    }
    if doc["features"].get("hooks").is_none() {
        doc["features"]["hooks"] = toml_edit::value(true);
    }
    let mut inner = toml_edit::Table::new();
    inner["type"] = toml_edit::value("command");
    inner["command"] = toml_edit::value(command);
    inner["timeout"] = toml_edit::value(600);
    let mut inner_arr = toml_edit::ArrayOfTables::new();
    inner_arr.push(inner);
    let mut group = toml_edit::Table::new();
    group["matcher"] = toml_edit::value("Bash");
    group.insert("hooks", toml_edit::Item::ArrayOfTables(inner_arr));
    if doc.get("hooks").is_none() {
        let mut t = toml_edit::Table::new();
        t.set_implicit(true);
        doc.insert("hooks", toml_edit::Item::Table(t));
    }
    let hooks = doc["hooks"]
        .as_table_mut()
        .context("`hooks` in config.toml is not a table")?;
    match hooks.get_mut("PreToolUse") {
        Some(toml_edit::Item::ArrayOfTables(a)) => a.push(group),
        Some(_) => bail!("`hooks.PreToolUse` in config.toml is not an array of tables"),
        None => {
            let mut a = toml_edit::ArrayOfTables::new();
            a.push(group);
            hooks.insert("PreToolUse", toml_edit::Item::ArrayOfTables(a));
        }
    }
    Ok(doc.to_string())
}

fn unwire_codex(text: &str, agent: &str) -> Result<String> {
    let mut doc: toml_edit::DocumentMut = text
        .parse()
        .context("~/.codex/config.toml is not valid TOML")?;
    if let Some(toml_edit::Item::ArrayOfTables(groups)) =
        doc.get_mut("hooks").and_then(|h| h.get_mut("PreToolUse"))
    {
        let ours = |t: &toml_edit::Table| {
            t.get("command")
                .and_then(|c| c.as_str())
                .is_some_and(|c| c.contains(&marker(agent)))
        };
        groups.retain(|g| {
            !g.get("hooks")
                .and_then(|h| h.as_array_of_tables())
                .is_some_and(|inner| inner.iter().any(ours))
        });
    }
    Ok(doc.to_string())
}

/// Copy `path` aside before changing it; returns the backup's path.
pub fn backup(path: &Path) -> Result<Option<PathBuf>> {
    if !path.exists() {
        return Ok(None);
    }
    let stamp = time::OffsetDateTime::now_utc().unix_timestamp();
    let copy = path.with_file_name(format!(
        "{}.kintsugi-backup-{stamp}",
        path.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("config")
    ));
    std::fs::copy(path, &copy).with_context(|| format!("cannot back up {}", path.display()))?;
    Ok(Some(copy))
}

fn write(path: &Path, text: &str) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("kintsugi-tmp");
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))
}

/// Put our hook into `agent`'s config. Returns the backup path (if a file was
/// changed and backed up), or `None` when it was already wired.
pub fn wire(agent: &AgentConfig, home: &Path, bin: &Path, dry_run: bool) -> Result<Option<String>> {
    if agent.wired(home) {
        return Ok(None);
    }
    let path = agent.path(home);
    let command = hook_command(bin, agent.name);
    let text = match agent.name {
        "codex" => wire_codex(
            &std::fs::read_to_string(&path).unwrap_or_default(),
            &command,
        )?,
        "opencode" => {
            let wait = kintsugi_intercept::hook::Agent::OpenCode.default_wait();
            kintsugi_intercept::hook::opencode::plugin_source(&bin.display().to_string(), wait)
        }
        name => {
            let mut cfg = read_json(&path)?;
            wire_json(name, &mut cfg, &command)?;
            format!("{}\n", serde_json::to_string_pretty(&cfg)?)
        }
    };
    if dry_run {
        return Ok(Some(format!("would add the hook to {}", path.display())));
    }
    let saved = backup(&path)?;
    write(&path, &text)?;
    Ok(Some(match saved {
        Some(b) => format!("hooked {} (backup: {})", path.display(), b.display()),
        None => format!("hooked {} (new file)", path.display()),
    }))
}

/// Take our hook out of `agent`'s config (other entries untouched).
pub fn unwire(agent: &AgentConfig, home: &Path, dry_run: bool) -> Result<Option<String>> {
    if !agent.wired(home) {
        return Ok(None);
    }
    let path = agent.path(home);
    if dry_run {
        return Ok(Some(format!(
            "would remove the hook from {}",
            path.display()
        )));
    }
    let _ = backup(&path)?;
    match agent.name {
        "opencode" => std::fs::remove_file(&path)?,
        "codex" => write(
            &path,
            &unwire_codex(&std::fs::read_to_string(&path)?, agent.name)?,
        )?,
        name => {
            let mut cfg = read_json(&path)?;
            unwire_json(&mut cfg, name);
            write(&path, &format!("{}\n", serde_json::to_string_pretty(&cfg)?))?;
        }
    }
    Ok(Some(format!("removed the hook from {}", path.display())))
}

fn find_command(v: &Value, agent: &str) -> Option<String> {
    match v {
        Value::Object(m) => m.iter().find_map(|(k, x)| match x {
            Value::String(s) if k == "command" && s.contains(&marker(agent)) => Some(s.clone()),
            other => find_command(other, agent),
        }),
        Value::Array(a) => a.iter().find_map(|x| find_command(x, agent)),
        _ => None,
    }
}

/// The hook command line as the agent's config has it, if wired.
pub fn configured_command(agent: &AgentConfig, home: &Path) -> Option<String> {
    let text = std::fs::read_to_string(agent.path(home)).ok()?;
    match agent.name {
        // The plugin names the program it runs in a JSON string literal.
        "opencode" => {
            let literal = text
                .lines()
                .find_map(|l| {
                    l.trim()
                        .strip_prefix("const KINTSUGI_BIN = process.env.KINTSUGI_BIN || ")
                })?
                .trim_end_matches(';');
            let embedded: String = serde_json::from_str(literal).ok()?;
            Some(hook_command(Path::new(&embedded), agent.name))
        }
        "codex" => {
            let table: toml::Table = toml::from_str(&text).ok()?;
            find_command(&serde_json::to_value(table).ok()?, agent.name)
        }
        _ => find_command(&serde_json::from_str(&text).ok()?, agent.name),
    }
}

/// A payload in `agent`'s dialect proposing `command` in `cwd`.
pub fn probe_payload(agent: &str, command: &str, cwd: &str) -> Value {
    match agent {
        "claude" | "codex" => json!({"session_id": "kintsugi-doctor", "cwd": cwd,
            "hook_event_name": "PreToolUse", "tool_name": "Bash",
            "tool_input": {"command": command}, "tool_use_id": "doctor"}),
        "gemini" => json!({"session_id": "kintsugi-doctor", "cwd": cwd,
            "hook_event_name": "BeforeTool", "tool_name": "run_shell_command",
            "tool_input": {"command": command}}),
        "qwen" => json!({"session_id": "kintsugi-doctor", "cwd": cwd,
            "hook_event_name": "PreToolUse", "tool_name": "run_shell_command",
            "tool_input": {"command": command}}),
        "cursor" => json!({"hook_event_name": "beforeShellExecution",
            "conversation_id": "kintsugi-doctor", "command": command, "cwd": cwd}),
        _ => {
            json!({"tool": "bash", "command": command, "cwd": cwd, "sessionID": "kintsugi-doctor"})
        }
    }
}

/// Did the hook's answer block the call, in `agent`'s dialect?
pub fn blocked(agent: &str, code: Option<i32>, stdout: &str) -> bool {
    let v: Value = serde_json::from_str(stdout).unwrap_or(Value::Null);
    match agent {
        "copilot" => v["permissionDecision"] == "deny",
        "opencode" => code == Some(2) || v["decision"] == "block",
        _ => code == Some(2),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_wiring_is_idempotent_and_reversible() {
        let home = tempfile::tempdir().unwrap();
        let a = AGENTS[0];
        std::fs::create_dir_all(home.path().join(a.dir)).unwrap();
        std::fs::write(a.path(home.path()), r#"{"model":"x","hooks":{"PreToolUse":[{"matcher":"Edit","hooks":[{"type":"command","command":"other"}]}]}}"#).unwrap();
        let bin = Path::new("/opt/kintsugi");
        assert!(wire(&a, home.path(), bin, false).unwrap().is_some());
        assert!(
            wire(&a, home.path(), bin, false).unwrap().is_none(),
            "wired twice"
        );
        let text = std::fs::read_to_string(a.path(home.path())).unwrap();
        assert_eq!(text.matches("hook --agent claude").count(), 1);
        assert!(
            text.find("\"model\"").unwrap() < text.find("\"hooks\"").unwrap(),
            "key order kept"
        );
        unwire(&a, home.path(), false).unwrap();
        let v: Value =
            serde_json::from_str(&std::fs::read_to_string(a.path(home.path())).unwrap()).unwrap();
        assert_eq!(v["hooks"]["PreToolUse"].as_array().unwrap().len(), 1);
        assert_eq!(v["model"], "x");
    }

    #[test]
    fn codex_toml_keeps_comments() {
        let text = "# my settings\nmodel = \"gpt\" # inline\n";
        let wired = wire_codex(text, "/opt/kintsugi hook --agent codex").unwrap();
        assert!(wired.contains("# my settings") && wired.contains("# inline"));
        let parsed: toml::Table = toml::from_str(&wired).unwrap();
        assert_eq!(
            parsed["hooks"]["PreToolUse"][0]["hooks"][0]["timeout"].as_integer(),
            Some(600)
        );
        let back = unwire_codex(&wired, "codex").unwrap();
        assert!(!back.contains("hook --agent codex") && back.contains("# my settings"));
    }
}
