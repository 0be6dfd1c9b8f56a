//! Wiring `kintsugi hook` into each installed agent's own config, and taking
//! it out again. Detection is by the agent's config dir under HOME. Every
//! change is idempotent (an entry that is already there is not added twice),
//! every file changed is backed up first, and everything else in the file
//! is kept as it was: JSON (with comments, as Gemini CLI and Qwen Code allow)
//! through `jsonc`, Codex's TOML through `toml_edit`.

use crate::jsonc::{Doc, Step};
use anyhow::{Context as _, Result, anyhow, bail};
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

/// The event an agent's post-tool hook (`--after`, which reports that a
/// command finished) goes under; `None` where `init` wires none.
fn after_event(agent: &str) -> Option<&'static str> {
    match agent {
        "claude" | "codex" | "qwen" => Some("PostToolUse"),
        "gemini" => Some("AfterTool"),
        _ => None,
    }
}

/// Whether a config text carries every hook `init` wires for `agent`.
fn fully_wired(text: &str, agent: &str) -> bool {
    let (pre, post) = hooks_in(text, agent);
    pre && (post || after_event(agent).is_none())
}

/// Which of our two hooks a config text carries: (pre-tool, post-tool).
fn hooks_in(text: &str, agent: &str) -> (bool, bool) {
    let all = text.matches(&marker(agent)).count();
    let after = text.matches(&format!("{} --after", marker(agent))).count();
    (all > after, after > 0)
}

impl AgentConfig {
    pub fn installed(&self, home: &Path) -> bool {
        home.join(self.dir).is_dir()
    }
    pub fn path(&self, home: &Path) -> PathBuf {
        home.join(self.file)
    }
    /// Whether the file already carries our hook (and our post-tool hook,
    /// for the agents that get one).
    #[cfg(test)]
    pub fn wired(&self, home: &Path) -> bool {
        std::fs::read_to_string(self.path(home)).is_ok_and(|t| fully_wired(&t, self.name))
    }
    /// Whether `init` wires a post-tool hook for this agent and the file
    /// lacks it (`None` when the agent gets none).
    pub fn missing_after_hook(&self, home: &Path) -> Option<bool> {
        after_event(self.name)?;
        let text = std::fs::read_to_string(self.path(home)).unwrap_or_default();
        Some(!hooks_in(&text, self.name).1)
    }
}

/// A config file's text; a missing file is empty.
fn read_config(path: &Path) -> Result<String> {
    match std::fs::read_to_string(path) {
        Ok(t) => Ok(t),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

/// A JSON config's text (comments allowed, kept) as an editable document.
fn parse_doc(path: &Path, text: &str) -> Result<Doc> {
    Doc::parse(text).map_err(|e| {
        anyhow!(
            "{} is not valid JSON: {e}; fix it by hand, then rerun `kintsugi init`",
            path.display()
        )
    })
}

/// Add our post-tool entry to a JSON config.
fn wire_json_after(agent: &str, doc: &mut Doc, command: &str) -> Result<(), String> {
    let (matcher, named) = match agent {
        "claude" => ("Bash", false),
        "gemini" => ("run_shell_command", true),
        "qwen" => ("^run_shell_command$", true),
        other => return Err(format!("no post-tool hook shape for {other}")),
    };
    // Claude counts `timeout` in seconds, Gemini and Qwen in milliseconds.
    let timeout = if agent == "claude" { 10 } else { 10_000 };
    let mut hook = json!({"type": "command", "command": command, "timeout": timeout});
    if named {
        hook["name"] = json!("kintsugi-after");
    }
    let event = after_event(agent).expect("the agents above have one");
    doc.push(
        &["hooks", event],
        &json!({"matcher": matcher, "hooks": [hook]}),
    )
}

/// Add our entry to a JSON config (the shape per agent from its docs).
fn wire_json(agent: &str, doc: &mut Doc, command: &str) -> Result<(), String> {
    match agent {
        "claude" => doc.push(
            &["hooks", "PreToolUse"],
            &json!({"matcher": "Bash", "hooks": [
                {"type": "command", "command": command, "timeout": 60}]}),
        ),
        "gemini" => {
            doc.set(&["hooksConfig", "enabled"], &json!(true), false)?;
            doc.push(
                &["hooks", "BeforeTool"],
                &json!({"matcher": "run_shell_command", "hooks": [
                    {"name": "kintsugi", "type": "command", "command": command, "timeout": 60000}]}),
            )
        }
        "qwen" => doc.push(
            &["hooks", "PreToolUse"],
            &json!({"matcher": "^run_shell_command$", "hooks": [
                {"type": "command", "command": command, "name": "kintsugi", "timeout": 60000}]}),
        ),
        "cursor" => {
            doc.set(&["version"], &json!(1), true)?;
            doc.push(
                &["hooks", "beforeShellExecution"],
                &json!({"command": command}),
            )
        }
        other => Err(format!("no JSON hook shape for {other}")),
    }
}

/// Remove every hook entry that runs our hook, and groups left empty.
fn unwire_json(doc: &mut Doc, agent: &str) -> Result<(), String> {
    let ours = |v: &Value| {
        v.get("command")
            .and_then(Value::as_str)
            .is_some_and(|c| c.contains(&marker(agent)))
    };
    let Some(Value::Object(hooks)) = doc.get(&[Step::Key("hooks")]) else {
        return Ok(());
    };
    let mut emptied = 0;
    for (event, groups) in &hooks {
        let Value::Array(groups) = groups else {
            continue;
        };
        let before = doc.text().len();
        let group_path = |g| [Step::Key("hooks"), Step::Key(event), Step::Index(g)];
        // Back to front, so the indexes still to visit stay valid.
        for (g, group) in groups.iter().enumerate().rev() {
            let inner = group.get("hooks").and_then(Value::as_array);
            let mine: Vec<usize> = inner
                .into_iter()
                .flatten()
                .enumerate()
                .filter(|(_, h)| ours(h))
                .map(|(i, _)| i)
                .collect();
            if ours(group) || (!mine.is_empty() && inner.is_some_and(|i| i.len() == mine.len())) {
                doc.remove(&group_path(g))?;
                continue;
            }
            for i in mine.into_iter().rev() {
                let [hooks, event, group] = group_path(g);
                doc.remove(&[hooks, event, group, Step::Key("hooks"), Step::Index(i)])?;
            }
        }
        // An event list we emptied goes too (it may be one we added).
        let event_path = [Step::Key("hooks"), Step::Key(event)];
        if doc.text().len() != before && doc.get(&event_path) == Some(json!([])) {
            doc.remove(&event_path)?;
            emptied += 1;
        }
    }
    if emptied > 0 && doc.get(&[Step::Key("hooks")]) == Some(json!({})) {
        doc.remove(&[Step::Key("hooks")])?;
    }
    Ok(())
}

fn wire_codex(text: &str, event: &str, command: &str) -> Result<String> {
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
    inner["timeout"] = toml_edit::value(if event == "PreToolUse" { 600 } else { 10 });
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
    match hooks.get_mut(event) {
        Some(toml_edit::Item::ArrayOfTables(a)) => a.push(group),
        Some(_) => bail!("`hooks.{event}` in config.toml is not an array of tables"),
        None => {
            let mut a = toml_edit::ArrayOfTables::new();
            a.push(group);
            hooks.insert(event, toml_edit::Item::ArrayOfTables(a));
        }
    }
    Ok(doc.to_string())
}

fn unwire_codex(text: &str, agent: &str) -> Result<String> {
    let mut doc: toml_edit::DocumentMut = text
        .parse()
        .context("~/.codex/config.toml is not valid TOML")?;
    let ours = |t: &toml_edit::Table| {
        t.get("command")
            .and_then(|c| c.as_str())
            .is_some_and(|c| c.contains(&marker(agent)))
    };
    for event in ["PreToolUse", "PostToolUse"] {
        if let Some(toml_edit::Item::ArrayOfTables(groups)) =
            doc.get_mut("hooks").and_then(|h| h.get_mut(event))
        {
            groups.retain(|g| {
                !g.get("hooks")
                    .and_then(|h| h.as_array_of_tables())
                    .is_some_and(|inner| inner.iter().any(ours))
            });
        }
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
    let path = agent.path(home);
    let current = read_config(&path)?;
    if fully_wired(&current, agent.name) {
        return Ok(None);
    }
    let command = hook_command(bin, agent.name);
    let after = format!("{command} --after");
    // Add only what is missing (a config from before the post-tool hook
    // existed gets just that one).
    let (has_pre, has_post) = hooks_in(&current, agent.name);
    let post_event = after_event(agent.name).filter(|_| !has_post);
    let text = match agent.name {
        "codex" => {
            let mut text = current;
            if !has_pre {
                text = wire_codex(&text, "PreToolUse", &command)?;
            }
            if let Some(event) = post_event {
                text = wire_codex(&text, event, &after)?;
            }
            text
        }
        "opencode" => {
            let wait = kintsugi_intercept::hook::Agent::OpenCode.default_wait();
            kintsugi_intercept::hook::opencode::plugin_source(&bin.display().to_string(), wait)
        }
        name => {
            let mut doc = parse_doc(&path, &current)?;
            let added = if has_pre {
                Ok(())
            } else {
                wire_json(name, &mut doc, &command)
            };
            added
                .and_then(|()| match post_event {
                    Some(_) => wire_json_after(name, &mut doc, &after),
                    None => Ok(()),
                })
                .map_err(|e| anyhow!("cannot add the hook to {}: {e}", path.display()))?;
            doc.text().to_string()
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
    let path = agent.path(home);
    let current = read_config(&path)?;
    if !current.contains(&marker(agent.name)) {
        return Ok(None);
    }
    if dry_run {
        return Ok(Some(format!(
            "would remove the hook from {}",
            path.display()
        )));
    }
    let _ = backup(&path)?;
    match agent.name {
        "opencode" => std::fs::remove_file(&path)?,
        "codex" => write(&path, &unwire_codex(&current, agent.name)?)?,
        name => {
            let mut doc = parse_doc(&path, &current)?;
            unwire_json(&mut doc, name)
                .map_err(|e| anyhow!("cannot remove the hook from {}: {e}", path.display()))?;
            write(&path, doc.text())?;
        }
    }
    Ok(Some(format!("removed the hook from {}", path.display())))
}

fn find_command(v: &Value, agent: &str) -> Option<String> {
    match v {
        Value::Object(m) => m.iter().find_map(|(k, x)| match x {
            Value::String(s)
                if k == "command" && s.contains(&marker(agent)) && !s.ends_with(" --after") =>
            {
                Some(s.clone())
            }
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
        _ => find_command(&Doc::parse(&text).ok()?.get(&[])?, agent.name),
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
mod tests;
