//! Unit tests of hook wiring: idempotent, reversible, comments kept, and
//! the post-tool hook added to configs wired before it existed.

use super::*;
use crate::hook::Agent;

#[test]
fn json_wiring_is_idempotent_and_reversible() {
    let home = tempfile::tempdir().unwrap();
    let a = AGENTS[0];
    std::fs::create_dir_all(home.path().join(a.dirs[0])).unwrap();
    std::fs::write(a.path(home.path()), r#"{"model":"x","hooks":{"PreToolUse":[{"matcher":"Edit","hooks":[{"type":"command","command":"other"}]}]}}"#).unwrap();
    let bin = Path::new("/opt/kintsugi");
    assert!(wire(&a, home.path(), bin, false).unwrap().is_some());
    assert!(
        wire(&a, home.path(), bin, false).unwrap().is_none(),
        "wired twice"
    );
    let text = std::fs::read_to_string(a.path(home.path())).unwrap();
    assert_eq!(
        text.matches("hook --agent claude").count(),
        2,
        "pre and post"
    );
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
fn json_with_comments_is_wired_and_unwired_around_them() {
    let home = tempfile::tempdir().unwrap();
    let bin = Path::new("/opt/kintsugi");
    let gemini = AGENTS.iter().find(|a| a.agent == Agent::Gemini).unwrap();
    let original = "{\n  // UI\n  \"theme\": \"dark\", /* mine */\n  \"hooks\": {\n    \"BeforeTool\": [\n      {\"matcher\": \"x\", \"hooks\": [{\"command\": \"other\"}]}, // theirs\n    ],\n  },\n}\n";
    std::fs::create_dir_all(home.path().join(gemini.dirs[0])).unwrap();
    std::fs::write(gemini.path(home.path()), original).unwrap();
    wire(gemini, home.path(), bin, false).unwrap();
    let wired = std::fs::read_to_string(gemini.path(home.path())).unwrap();
    for kept in ["// UI", "/* mine */", "// theirs", "\"other\""] {
        assert!(wired.contains(kept), "{kept}:\n{wired}");
    }
    assert_eq!(
        configured_command(gemini, home.path()).as_deref(),
        Some("/opt/kintsugi hook --agent gemini")
    );
    unwire(gemini, home.path(), false).unwrap();
    let back = std::fs::read_to_string(gemini.path(home.path())).unwrap();
    assert!(!back.contains("--agent gemini"), "{back}");
    // Only the `hooksConfig.enabled` switch we turned on stays.
    let without_switch = back.replace(",\n  \"hooksConfig\": {\n    \"enabled\": true\n  }", "");
    assert_eq!(without_switch, original);

    // Plain JSON comes back byte for byte.
    let claude = AGENTS[0];
    let plain = "{\"model\":\"x\",\"hooks\":{\"PreToolUse\":[{\"matcher\":\"Edit\"}]}}\n";
    std::fs::create_dir_all(home.path().join(claude.dirs[0])).unwrap();
    std::fs::write(claude.path(home.path()), plain).unwrap();
    wire(&claude, home.path(), bin, false).unwrap();
    unwire(&claude, home.path(), false).unwrap();
    assert_eq!(
        std::fs::read_to_string(claude.path(home.path())).unwrap(),
        plain
    );
}

#[test]
fn a_config_wired_before_the_post_tool_hook_gets_only_that_added() {
    let home = tempfile::tempdir().unwrap();
    let claude = AGENTS[0];
    let bin = Path::new("/opt/kintsugi");
    let pre_only = format!(
        "{{\"hooks\": {{\"PreToolUse\": [{{\"matcher\": \"Bash\", \"hooks\": [{{\"type\": \"command\", \"command\": \"{}\"}}]}}]}}}}\n",
        hook_command(bin, Agent::Claude)
    );
    std::fs::create_dir_all(home.path().join(claude.dirs[0])).unwrap();
    std::fs::write(claude.path(home.path()), &pre_only).unwrap();
    assert!(!claude.wired(home.path()), "the post-tool hook is missing");
    wire(&claude, home.path(), bin, false).unwrap();
    let text = std::fs::read_to_string(claude.path(home.path())).unwrap();
    assert_eq!(hooks_in(&text, Agent::Claude), (true, true));
    assert_eq!(text.matches("hook --agent claude").count(), 2, "{text}");
    assert!(claude.wired(home.path()));
    assert_eq!(
        configured_command(&claude, home.path()).as_deref(),
        Some("/opt/kintsugi hook --agent claude"),
        "doctor probes the pre-tool hook, never the post-tool one"
    );
    unwire(&claude, home.path(), false).unwrap();
    let text = std::fs::read_to_string(claude.path(home.path())).unwrap();
    assert!(!text.contains("--agent claude"), "{text}");
}

#[test]
fn codex_toml_keeps_comments() {
    let text = "# my settings\nmodel = \"gpt\" # inline\n";
    let wired = wire_codex(text, "PreToolUse", "/opt/kintsugi hook --agent codex").unwrap();
    assert!(wired.contains("# my settings") && wired.contains("# inline"));
    let parsed: toml::Table = toml::from_str(&wired).unwrap();
    assert_eq!(
        parsed["hooks"]["PreToolUse"][0]["hooks"][0]["timeout"].as_integer(),
        Some(600)
    );
    let back = unwire_codex(&wired, Agent::Codex).unwrap();
    assert!(!back.contains("hook --agent codex") && back.contains("# my settings"));
}

/// Wire `agent` into a fresh home (its dir created, `seed` written to its
/// file when given): wired once, idempotent, found by `doctor`, and taken
/// out again by undo leaving `seed` (or no file) behind.
fn round_trip(agent: Agent, seed: Option<&str>) -> String {
    let home = tempfile::tempdir().unwrap();
    let a = AGENTS.iter().find(|a| a.agent == agent).unwrap();
    std::fs::create_dir_all(home.path().join(a.dirs[0])).unwrap();
    let bin = Path::new("/opt/kintsugi");
    if let Some(seed) = seed {
        let path = a.path(home.path());
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, seed).unwrap();
    }
    assert!(a.installed(home.path()), "{agent:?}");
    assert!(
        wire(a, home.path(), bin, false).unwrap().is_some(),
        "{agent:?}"
    );
    assert!(a.wired(home.path()), "{agent:?}");
    assert!(
        wire(a, home.path(), bin, false).unwrap().is_none(),
        "{agent:?} wired twice"
    );
    let text = std::fs::read_to_string(a.path(home.path())).unwrap();
    assert_eq!(
        configured_command(a, home.path()).as_deref(),
        Some(format!("/opt/kintsugi hook --agent {}", agent.name()).as_str()),
        "{agent:?}: {text}"
    );
    unwire(a, home.path(), false).unwrap();
    let back = std::fs::read_to_string(a.path(home.path())).ok();
    if seed.is_some() || store(agent) == ConfigStore::OwnFile {
        // A file of ours goes; a config that was there comes back as it was.
        assert_eq!(back.as_deref(), seed, "{agent:?}");
    }
    assert!(!shapes::mentions(&back.unwrap_or_default(), agent));
    text
}

#[test]
fn the_new_hosts_are_wired_in_their_own_shapes_and_undone() {
    let v = |t: &str| serde_json::from_str::<Value>(t).unwrap();
    let agy = v(&round_trip(
        Agent::Antigravity,
        Some("{\"mine\": {\"Stop\": []}}\n"),
    ));
    let hook = &agy["kintsugi"]["PreToolUse"][0];
    assert_eq!(
        (
            hook["matcher"].as_str(),
            hook["hooks"][0]["timeout"].as_u64()
        ),
        (Some("run_command"), Some(60))
    );
    assert!(agy["mine"].is_object(), "other hooks kept");
    let droid = v(&round_trip(Agent::Droid, None));
    assert_eq!(droid["hooks"]["PreToolUse"][0]["matcher"], "Execute");
    let crush = v(&round_trip(Agent::Crush, Some("{\"options\": {}}")));
    assert_eq!(crush["hooks"]["PreToolUse"][0]["matcher"], "^bash$");
    let wind = v(&round_trip(Agent::Windsurf, None));
    assert!(wind["hooks"]["pre_run_command"][0]["command"].is_string());
    let cursor = v(&round_trip(Agent::Cursor, None));
    for event in ["beforeShellExecution", "preToolUse"] {
        assert!(cursor["hooks"][event][0]["command"].is_string(), "{event}");
    }
    let copilot = v(&round_trip(Agent::Copilot, None));
    let entry = &copilot["hooks"]["preToolUse"][0];
    assert_eq!(
        (entry["type"].as_str(), entry["timeoutSec"].as_u64()),
        (Some("command"), Some(30))
    );
    let script = round_trip(Agent::Cline, None);
    assert!(
        script.starts_with("#!/bin/sh\n")
            && script.contains("\nexec /opt/kintsugi hook --agent cline\n")
    );
}

#[test]
fn cline_hook_script_is_executable() {
    use std::os::unix::fs::PermissionsExt;
    let home = tempfile::tempdir().unwrap();
    let a = AGENTS.iter().find(|a| a.agent == Agent::Cline).unwrap();
    std::fs::create_dir_all(home.path().join(a.dirs[0])).unwrap();
    wire(a, home.path(), Path::new("/opt/kintsugi"), false).unwrap();
    let mode = std::fs::metadata(a.path(home.path()))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o111, 0o111, "{mode:o}");
}

#[test]
fn kiro_wires_every_agent_file_and_refuses_when_there_is_none() {
    let home = tempfile::tempdir().unwrap();
    let a = AGENTS.iter().find(|a| a.agent == Agent::Kiro).unwrap();
    let dir = a.path(home.path());
    std::fs::create_dir_all(&dir).unwrap();
    let bin = Path::new("/opt/kintsugi");
    let e = wire(a, home.path(), bin, false).unwrap_err().to_string();
    assert!(e.contains("kiro-cli agent create"), "{e}");
    let seed = "{\"name\": \"dev\", \"tools\": [\"*\"]}\n";
    for name in ["dev.json", "ops.json"] {
        std::fs::write(dir.join(name), seed).unwrap();
    }
    std::fs::write(dir.join("notes.txt"), "not an agent").unwrap();
    let done = wire(a, home.path(), bin, false).unwrap().unwrap();
    assert_eq!(done.matches("hooked").count(), 2, "{done}");
    for name in ["dev.json", "ops.json"] {
        let v: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join(name)).unwrap()).unwrap();
        let h = &v["hooks"]["preToolUse"][0];
        assert_eq!(
            (h["matcher"].as_str(), h["timeout_ms"].as_u64()),
            (Some("execute_bash"), Some(30_000))
        );
        assert_eq!(v["name"], "dev");
    }
    assert!(a.wired(home.path()));
    unwire(a, home.path(), false).unwrap();
    for name in ["dev.json", "ops.json"] {
        assert_eq!(std::fs::read_to_string(dir.join(name)).unwrap(), seed);
    }
    assert_eq!(
        std::fs::read_to_string(dir.join("notes.txt")).unwrap(),
        "not an agent"
    );
}

#[test]
fn every_agent_has_a_probe_the_hook_reads_and_a_block_doctor_sees() {
    for a in AGENTS {
        let p = probe_payload(a.agent, "rm -rf ~/", "/tmp");
        let text = p.to_string();
        assert!(text.contains("rm -rf ~/"), "{:?}: {text}", a.agent);
    }
    assert!(blocked(
        Agent::Antigravity,
        Some(0),
        r#"{"decision":"deny"}"#
    ));
    assert!(!blocked(
        Agent::Antigravity,
        Some(0),
        r#"{"decision":"ask"}"#
    ));
    assert!(blocked(Agent::Cline, Some(0), r#"{"cancel":true}"#));
    assert!(!blocked(Agent::Cline, Some(0), r#"{"cancel":false}"#));
    assert!(blocked(Agent::Windsurf, Some(2), ""));
    assert!(!blocked(Agent::Kiro, Some(0), ""));
}

#[test]
fn a_cursor_config_from_before_3_11_gets_the_pre_tool_use_entry_added() {
    let home = tempfile::tempdir().unwrap();
    let a = AGENTS.iter().find(|a| a.agent == Agent::Cursor).unwrap();
    let bin = Path::new("/opt/kintsugi");
    let old = format!(
        "{{\"version\": 1, \"hooks\": {{\"beforeShellExecution\": [{{\"command\": \"{}\"}}]}}}}\n",
        hook_command(bin, Agent::Cursor)
    );
    std::fs::create_dir_all(home.path().join(a.dirs[0])).unwrap();
    std::fs::write(a.path(home.path()), &old).unwrap();
    assert!(!a.wired(home.path()));
    assert!(wire(a, home.path(), bin, false).unwrap().is_some());
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(a.path(home.path())).unwrap()).unwrap();
    assert_eq!(
        v["hooks"]["beforeShellExecution"].as_array().unwrap().len(),
        1
    );
    assert_eq!(
        v["hooks"]["preToolUse"][0]["command"],
        "/opt/kintsugi hook --agent cursor"
    );
    assert!(a.wired(home.path()));
    assert!(wire(a, home.path(), bin, false).unwrap().is_none());
}

#[test]
fn init_wires_every_agent_once_inside_a_dir_it_detects_it_by() {
    for agent in Agent::ALL {
        let found = AGENTS.iter().filter(|a| a.agent == agent).count();
        assert_eq!(found, 1, "{agent:?} in AGENTS {found} times");
        let facts = agent.install_facts();
        assert!(
            facts
                .dirs
                .iter()
                .any(|d| Path::new(facts.file).starts_with(d) && !d.starts_with('/')),
            "{agent:?}: {} is not under any of {:?}",
            facts.file,
            facts.dirs
        );
    }
}
