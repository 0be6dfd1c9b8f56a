//! Wiring `kintsugi hook` into each installed agent's own config, and taking
//! it out again. Where each agent lives and keeps its hook is stated in its
//! dialect file in `hook/` ([`InstallFacts`]); the shape of the hook entry
//! is in `shapes.rs`, and `codex_trust.rs` records Codex's hook trust.
//! Detection is by the agent's config dir under HOME. Every
//! change is idempotent (an entry that is already there is not added twice),
//! every file changed is backed up first, and everything else in the file
//! is kept as it was: JSON (with comments, as Gemini CLI and Qwen Code allow)
//! through `jsonc`, Codex's TOML through `toml_edit`.

use crate::hook::Agent;
use anyhow::{Context as _, Result, anyhow, bail};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

pub mod codex_trust;
mod jsonc;
mod shapes;

use jsonc::{Doc, Step};
use shapes::{after_event, own_file, wire_json, wire_json_after};
pub use shapes::{blocked, probe_payload};

/// Where an agent lives under HOME and how its hook config is kept: the
/// install facts each dialect file in `hook/` states beside its dialect
/// ([`Agent::install_facts`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InstallFacts {
    /// Directories under HOME whose presence means the agent is installed
    /// (any one of them).
    pub dirs: &'static [&'static str],
    /// The file the hook goes into, under HOME (for Kiro: the directory of
    /// its agent files, each of which gets the hook).
    pub file: &'static str,
    /// How that file holds the hook.
    pub store: ConfigStore,
}

/// How an agent's hook config is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigStore {
    /// Entries in a JSON (with comments) config shared with other settings.
    Json,
    /// Codex's `config.toml`.
    CodexToml,
    /// A file that is ours alone (a plugin, a hook script, a hooks file in
    /// a directory of them): written whole, removed on undo.
    OwnFile,
}

/// The user-level config of one agent.
#[derive(Debug, Clone, Copy)]
pub struct AgentConfig {
    pub agent: Agent,
    /// Directories under HOME whose presence means the agent is installed
    /// (any one of them).
    pub dirs: &'static [&'static str],
    /// The file the hook goes into, under HOME (for Kiro: the directory of
    /// its agent files, each of which gets the hook).
    pub file: &'static str,
}

impl AgentConfig {
    /// `agent`'s config, from the facts its dialect file states.
    pub const fn of(agent: Agent) -> AgentConfig {
        let facts = agent.install_facts();
        AgentConfig {
            agent,
            dirs: facts.dirs,
            file: facts.file,
        }
    }
}

fn store(agent: Agent) -> ConfigStore {
    agent.install_facts().store
}

/// Agents `init` wires at user level, in the order it reports them (a unit
/// test checks that every [`Agent`] is here once).
pub const AGENTS: &[AgentConfig] = &[
    AgentConfig::of(Agent::Claude),
    AgentConfig::of(Agent::Codex),
    AgentConfig::of(Agent::Gemini),
    AgentConfig::of(Agent::Qwen),
    AgentConfig::of(Agent::Cursor),
    AgentConfig::of(Agent::OpenCode),
    AgentConfig::of(Agent::Copilot),
    AgentConfig::of(Agent::Antigravity),
    AgentConfig::of(Agent::Droid),
    AgentConfig::of(Agent::Crush),
    AgentConfig::of(Agent::Kiro),
    AgentConfig::of(Agent::Windsurf),
    AgentConfig::of(Agent::Cline),
];

/// The hook command line written into configs.
pub fn hook_command(bin: &Path, agent: Agent) -> String {
    format!(
        "{} hook --agent {}",
        kintsugi_protocol::shell_quote(&bin.display().to_string()),
        agent.name()
    )
}

fn marker(agent: Agent) -> String {
    format!("hook --agent {}", agent.name())
}

/// Whether a config text carries every hook `init` wires for `agent`.
fn fully_wired(text: &str, agent: Agent) -> bool {
    let (pre, post) = hooks_in(text, agent);
    pre && (post || after_event(agent).is_none()) && !cursor_lacks_pre_tool_use(text, agent)
}

/// A Cursor config wired before 3.11 support: our hook under
/// `beforeShellExecution` only, none under `preToolUse` (where Cursor 3.11
/// sends shell calls).
fn cursor_lacks_pre_tool_use(text: &str, agent: Agent) -> bool {
    agent == Agent::Cursor
        && hooks_in(text, agent).0
        && !Doc::parse(text)
            .ok()
            .and_then(|d| d.get(&[Step::Key("hooks"), Step::Key("preToolUse")]))
            .is_some_and(|v| v.to_string().contains(&marker(agent)))
}

/// Which of our two hooks a config text carries: (pre-tool, post-tool).
fn hooks_in(text: &str, agent: Agent) -> (bool, bool) {
    let all = text.matches(&marker(agent)).count();
    let after = text.matches(&format!("{} --after", marker(agent))).count();
    (all > after, after > 0)
}

impl AgentConfig {
    /// The name on the command line (`hook --agent NAME`).
    pub fn name(&self) -> &'static str {
        self.agent.name()
    }
    pub fn installed(&self, home: &Path) -> bool {
        self.dirs.iter().any(|d| home.join(d).is_dir())
    }
    pub fn path(&self, home: &Path) -> PathBuf {
        home.join(self.file)
    }
    /// Every file the hook goes into: the one config file, or for Kiro each
    /// agent file (`~/.kiro/agents/*.json`), sorted.
    pub fn paths(&self, home: &Path) -> Vec<PathBuf> {
        if self.agent != Agent::Kiro {
            return vec![self.path(home)];
        }
        let mut found: Vec<PathBuf> = std::fs::read_dir(self.path(home))
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "json") && p.is_file())
            .collect();
        found.sort();
        found
    }
    /// Whether the file already carries our hook (and our post-tool hook,
    /// for the agents that get one).
    #[cfg(test)]
    pub fn wired(&self, home: &Path) -> bool {
        let paths = self.paths(home);
        !paths.is_empty()
            && paths
                .iter()
                .all(|p| std::fs::read_to_string(p).is_ok_and(|t| fully_wired(&t, self.agent)))
    }
    /// Whether `init` wires a post-tool hook for this agent and the file
    /// lacks it (`None` when the agent gets none).
    pub fn missing_after_hook(&self, home: &Path) -> Option<bool> {
        after_event(self.agent)?;
        let text = std::fs::read_to_string(self.path(home)).unwrap_or_default();
        Some(!hooks_in(&text, self.agent).1)
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

/// Remove every hook entry that runs our hook, and groups left empty.
fn unwire_json(doc: &mut Doc, agent: Agent) -> Result<(), String> {
    if agent == Agent::Antigravity {
        // Antigravity groups hooks by name at the top level: ours is one.
        let ours = doc
            .get(&[Step::Key(shapes::ANTIGRAVITY_HOOK)])
            .is_some_and(|v| v.to_string().contains(&marker(agent)));
        return if ours {
            doc.remove(&[Step::Key(shapes::ANTIGRAVITY_HOOK)])
        } else {
            Ok(())
        };
    }
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

fn unwire_codex(text: &str, agent: Agent) -> Result<String> {
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

/// Put our hook into `agent`'s config (every file of it). Returns what was
/// done, or `None` when it was already wired.
pub fn wire(agent: &AgentConfig, home: &Path, bin: &Path, dry_run: bool) -> Result<Option<String>> {
    let paths = agent.paths(home);
    if paths.is_empty() {
        bail!(
            "no agent file under {}: create an agent (`kiro-cli agent create`), then rerun `kintsugi init`",
            agent.path(home).display()
        );
    }
    let mut done = Vec::new();
    for path in paths {
        if let Some(what) = wire_file(agent.agent, &path, bin, dry_run)? {
            done.push(what);
        }
    }
    Ok((!done.is_empty()).then(|| done.join("; ")))
}

fn wire_file(agent: Agent, path: &Path, bin: &Path, dry_run: bool) -> Result<Option<String>> {
    let current = read_config(path)?;
    if fully_wired(&current, agent) {
        return Ok(None);
    }
    let command = hook_command(bin, agent);
    let after = format!("{command} --after");
    // Add only what is missing (a config from before the post-tool hook
    // existed gets just that one).
    let (has_pre, has_post) = hooks_in(&current, agent);
    let post_event = after_event(agent).filter(|_| !has_post);
    let text = match store(agent) {
        ConfigStore::CodexToml => {
            let mut text = current;
            if !has_pre {
                text = wire_codex(&text, "PreToolUse", &command)?;
            }
            if let Some(event) = post_event {
                text = wire_codex(&text, event, &after)?;
            }
            text
        }
        ConfigStore::OwnFile => own_file(agent, bin, &command),
        ConfigStore::Json => {
            let mut doc = parse_doc(path, &current)?;
            let added = if !has_pre {
                wire_json(agent, &mut doc, &command)
            } else if cursor_lacks_pre_tool_use(&current, agent) {
                doc.push(&["hooks", "preToolUse"], &json!({"command": command}))
            } else {
                Ok(())
            };
            added
                .and_then(|()| match post_event {
                    Some(_) => wire_json_after(agent, &mut doc, &after),
                    None => Ok(()),
                })
                .map_err(|e| anyhow!("cannot add the hook to {}: {e}", path.display()))?;
            doc.text().to_string()
        }
    };
    if dry_run {
        return Ok(Some(format!("would add the hook to {}", path.display())));
    }
    let saved = backup(path)?;
    write(path, &text)?;
    if agent == Agent::Cline {
        // Cline runs the hook file itself: it must be executable.
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
            .with_context(|| format!("cannot make {} executable", path.display()))?;
    }
    Ok(Some(match saved {
        Some(b) => format!("hooked {} (backup: {})", path.display(), b.display()),
        None => format!("hooked {} (new file)", path.display()),
    }))
}

/// Take our hook out of `agent`'s config (other entries untouched).
pub fn unwire(agent: &AgentConfig, home: &Path, dry_run: bool) -> Result<Option<String>> {
    let mut done = Vec::new();
    for path in agent.paths(home) {
        if let Some(what) = unwire_file(agent.agent, &path, dry_run)? {
            done.push(what);
        }
    }
    Ok((!done.is_empty()).then(|| done.join("; ")))
}

fn unwire_file(agent: Agent, path: &Path, dry_run: bool) -> Result<Option<String>> {
    let current = read_config(path)?;
    if !current.contains(&marker(agent)) {
        return Ok(None);
    }
    if dry_run {
        return Ok(Some(format!(
            "would remove the hook from {}",
            path.display()
        )));
    }
    let _ = backup(path)?;
    match store(agent) {
        ConfigStore::OwnFile => std::fs::remove_file(path)?,
        ConfigStore::CodexToml => write(path, &unwire_codex(&current, agent)?)?,
        ConfigStore::Json => {
            let mut doc = parse_doc(path, &current)?;
            unwire_json(&mut doc, agent)
                .map_err(|e| anyhow!("cannot remove the hook from {}: {e}", path.display()))?;
            write(path, doc.text())?;
        }
    }
    Ok(Some(format!("removed the hook from {}", path.display())))
}

/// The first string under one of `keys` (at any depth) that runs our
/// pre-tool hook.
fn find_command(v: &Value, agent: Agent, keys: &[&str]) -> Option<String> {
    match v {
        Value::Object(m) => m.iter().find_map(|(k, x)| match x {
            Value::String(s)
                if keys.contains(&k.as_str())
                    && s.contains(&marker(agent))
                    && !s.ends_with(" --after") =>
            {
                Some(s.clone())
            }
            other => find_command(other, agent, keys),
        }),
        Value::Array(a) => a.iter().find_map(|x| find_command(x, agent, keys)),
        _ => None,
    }
}

/// The hook command line as the agent's config has it, if wired.
pub fn configured_command(agent: &AgentConfig, home: &Path) -> Option<String> {
    agent
        .paths(home)
        .iter()
        .find_map(|p| command_in_file(agent.agent, &std::fs::read_to_string(p).ok()?))
}

fn command_in_file(agent: Agent, text: &str) -> Option<String> {
    match agent {
        // The plugin names the program it runs in a JSON string literal.
        Agent::OpenCode => {
            let literal = text
                .lines()
                .find_map(|l| {
                    l.trim()
                        .strip_prefix("const KINTSUGI_BIN = process.env.KINTSUGI_BIN || ")
                })?
                .trim_end_matches(';');
            let embedded: String = serde_json::from_str(literal).ok()?;
            Some(hook_command(Path::new(&embedded), agent))
        }
        // The hook script `exec`s the command.
        Agent::Cline => text
            .lines()
            .find_map(|l| l.strip_prefix("exec "))
            .filter(|c| c.contains(&marker(agent)))
            .map(str::to_string),
        Agent::Codex => {
            let table: toml::Table = toml::from_str(text).ok()?;
            find_command(&serde_json::to_value(table).ok()?, agent, &["command"])
        }
        _ => find_command(
            &Doc::parse(text).ok()?.get(&[])?,
            agent,
            &["command", "bash"],
        ),
    }
}

#[cfg(test)]
mod tests;
