//! Unit tests of hook wiring: idempotent, reversible, comments kept, and
//! the post-tool hook added to configs wired before it existed.

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
    let gemini = AGENTS.iter().find(|a| a.name == "gemini").unwrap();
    let original = "{\n  // UI\n  \"theme\": \"dark\", /* mine */\n  \"hooks\": {\n    \"BeforeTool\": [\n      {\"matcher\": \"x\", \"hooks\": [{\"command\": \"other\"}]}, // theirs\n    ],\n  },\n}\n";
    std::fs::create_dir_all(home.path().join(gemini.dir)).unwrap();
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
    std::fs::create_dir_all(home.path().join(claude.dir)).unwrap();
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
        hook_command(bin, "claude")
    );
    std::fs::create_dir_all(home.path().join(claude.dir)).unwrap();
    std::fs::write(claude.path(home.path()), &pre_only).unwrap();
    assert!(!claude.wired(home.path()), "the post-tool hook is missing");
    wire(&claude, home.path(), bin, false).unwrap();
    let text = std::fs::read_to_string(claude.path(home.path())).unwrap();
    assert_eq!(hooks_in(&text, "claude"), (true, true));
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
    let back = unwire_codex(&wired, "codex").unwrap();
    assert!(!back.contains("hook --agent codex") && back.contains("# my settings"));
}
