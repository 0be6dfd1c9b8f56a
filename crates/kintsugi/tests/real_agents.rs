//! The real Claude Code, Codex and Gemini CLIs (and, in the second test,
//! Qwen Code, OpenCode, Copilot CLI and Factory Droid) run `kintsugi hook` as their
//! pre-tool hook (`scripts/realagents-test`, which drives the harness in
//! `../shared/realagents/` with a local mock model). Asserts, per agent, that
//! the catastrophic `rm -rf VICTIM` was blocked by the hook with VICTIM
//! intact, that the safe `ls VICTIM` really ran, and that the post-tool hook
//! recorded its completion.
//!
//! Skipped, with the reason printed, only when a prerequisite is missing
//! (npm, python3, or the shared harness); the script exits 77 then, and
//! `KINTSUGI_REQUIRE_REAL_AGENTS=1` (set by `scripts/test` when the harness
//! is there) turns that skip into a failure. A failed install or a failed
//! check is a failure, never a skip.

use std::process::Command;

#[test]
fn real_agents_block_the_dangerous_command_and_run_the_safe_one() {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/realagents-test");
    let out = Command::new("bash")
        .arg(script)
        .arg(env!("CARGO_BIN_EXE_kintsugi"))
        .env_remove("KINTSUGI_SOCKET")
        .env_remove("KINTSUGI_DATA_DIR")
        .env_remove("KINTSUGI_CONFIG")
        .env_remove("KINTSUGI_FAIL_MODE")
        .env_remove("KINTSUGI_HOOK_WAIT_SECS")
        .output()
        .expect("cannot run scripts/realagents-test");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    match out.status.code() {
        Some(77) => {
            assert!(
                std::env::var("KINTSUGI_REQUIRE_REAL_AGENTS").as_deref() != Ok("1"),
                "KINTSUGI_REQUIRE_REAL_AGENTS=1 but the real-agent test skipped: {}",
                text.trim()
            );
            eprintln!("SKIP real agents: {}", text.trim());
            return;
        }
        Some(0) => {}
        other => panic!("scripts/realagents-test failed ({other:?}):\n{text}"),
    }
    for agent in ["claude", "codex", "gemini"] {
        for case in ["dangerous", "safe", "completion"] {
            let pass = text.lines().any(|l| {
                l.starts_with("PASS")
                    && l.split_whitespace().nth(1) == Some(agent)
                    && l.split_whitespace().nth(2) == Some(case)
            });
            assert!(pass, "no PASS for {agent} {case}:\n{text}");
        }
    }
    assert!(text.contains("all real-agent checks passed"), "{text}");
}

/// The real Qwen Code, OpenCode, Copilot CLI and Factory Droid
/// (`scripts/realagents-chat-test`:
/// pinned npm versions, a loopback Chat Completions mock in
/// `scripts/realagents/mock_chat.py`) with Kintsugi as their pre-tool guard:
/// `rm -rf VICTIM` blocked by the hook with VICTIM intact and the block's
/// `kintsugi run ID` hint sent back to the model, `ls VICTIM` run with its
/// output seen by the model, both proposals on the ledger. Skipped only
/// when npm, node or python3 is missing (exit 77), which
/// `KINTSUGI_REQUIRE_REAL_AGENTS=1` or `KINTSUGI_REQUIRE_CHAT_AGENTS=1`
/// turns into a failure.
#[test]
fn real_chat_agents_block_the_dangerous_command_and_run_the_safe_one() {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../scripts/realagents-chat-test"
    );
    let out = Command::new("bash")
        .arg(script)
        .arg(env!("CARGO_BIN_EXE_kintsugi"))
        .env_remove("KINTSUGI_SOCKET")
        .env_remove("KINTSUGI_DATA_DIR")
        .env_remove("KINTSUGI_CONFIG")
        .env_remove("KINTSUGI_FAIL_MODE")
        .env_remove("KINTSUGI_HOOK_WAIT_SECS")
        .output()
        .expect("cannot run scripts/realagents-chat-test");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let required = [
        "KINTSUGI_REQUIRE_REAL_AGENTS",
        "KINTSUGI_REQUIRE_CHAT_AGENTS",
    ]
    .iter()
    .any(|v| std::env::var(v).as_deref() == Ok("1"));
    match out.status.code() {
        Some(77) => {
            assert!(
                !required,
                "the real chat agents are required but the test skipped: {}",
                text.trim()
            );
            eprintln!("SKIP real chat agents: {}", text.trim());
            return;
        }
        Some(0) => {}
        other => panic!("scripts/realagents-chat-test failed ({other:?}):\n{text}"),
    }
    for agent in ["qwen", "opencode", "copilot", "droid"] {
        for case in ["dangerous", "safe", "ledger"] {
            let pass = text.lines().any(|l| {
                let mut w = l.split_whitespace();
                w.next() == Some("PASS") && w.next() == Some(agent) && w.next() == Some(case)
            });
            assert!(pass, "no PASS for {agent} {case}:\n{text}");
        }
    }
    assert!(text.contains("all chat-agent checks passed"), "{text}");
}
