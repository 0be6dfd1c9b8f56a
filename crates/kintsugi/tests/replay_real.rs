//! `kintsugi replay` over transcripts written by the REAL Claude Code, Codex
//! and Gemini CLIs (the pinned npm build driven by the shared harness `../shared/realagents`
//! against its loopback mock model): with `kintsugi hook` as the pre-tool
//! hook, the blocked `rm -rf VICTIM` and the harmless `ls VICTIM` are both
//! on the ledger, replay holds the first (denies it with `--mode
//! unattended`) and allows the second, and `--against-ledger` finds 0 calls
//! never seen. With Kintsugi's hook removed for one run (the harness's own
//! hook allows everything), the `rm -rf VICTIM` it ran is listed as never
//! seen. VICTIM is the harness's throwaway directory under
//! `$RA_ROOT/scratch`.
//!
//! Skipped, with the reason, when the harness or the installed CLI is
//! missing; `KINTSUGI_REQUIRE_REAL_AGENTS=1` (set by scripts/test when the
//! harness is there) turns the skip into a failure.

mod common;
use common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn harness() -> PathBuf {
    let shared = std::env::var_os("KINTSUGI_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared")));
    shared.join("realagents")
}

fn ra_root() -> PathBuf {
    if let Some(r) = std::env::var_os("RA_ROOT") {
        return PathBuf::from(r);
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap()).join(".cache"));
    cache.join("realagents")
}

fn quote(p: &Path) -> String {
    format!("'{}'", p.display().to_string().replace('\'', "'\\''"))
}

/// Run the harness's script for `agent`; returns the agent's HOME and VICTIM.
fn run_agent(agent: &str, template: &str, mode: &str) -> (PathBuf, PathBuf, String) {
    let out = Command::new("bash")
        .arg(harness().join(format!("run_{agent}.sh")))
        .args([template, mode])
        .env("RA_ROOT", ra_root())
        .env("RA_TIMEOUT", "120")
        .output()
        .expect("cannot run run_claude.sh");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let run_dir = text
        .lines()
        .find_map(|l| l.strip_prefix("run dir: "))
        .unwrap_or_else(|| panic!("the harness named no run dir:\n{text}"));
    let run = Path::new(run_dir.trim()).file_name().unwrap().to_owned();
    let home = ra_root().join("homes").join(&run);
    let mut victim = run.clone();
    victim.push("-victim");
    (home, ra_root().join("scratch").join(victim), text)
}

/// Where each agent keeps its transcripts under its HOME.
fn transcripts(agent: &str, home: &Path) -> String {
    let sub = match agent {
        "claude" => ".claude/projects",
        "codex" => ".codex/sessions",
        _ => ".gemini/tmp",
    };
    home.join(sub).display().to_string()
}

fn replay(sb: &Sandbox, agent: &str, extra: &[&str], homes: &[&Path]) -> Value {
    let mut args = vec!["replay", "--json", "--agent", agent];
    args.extend_from_slice(extra);
    let dirs: Vec<String> = homes.iter().map(|h| transcripts(agent, h)).collect();
    args.extend(dirs.iter().map(String::as_str));
    let out = sb.run(&args);
    assert!(
        out.status.success(),
        "replay failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn decision(r: &Value, command: &str) -> String {
    r["held_or_denied"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["command"] == command)
        .map(|e| e["decision"].as_str().unwrap().to_string())
        .unwrap_or_else(|| "allow".into())
}

#[test]
fn replay_of_real_agent_transcripts_matches_the_ledger_and_finds_the_gap() {
    let claude = ra_root().join("node_modules/.bin/claude");
    if !harness().join("run_claude.sh").exists() || !claude.exists() {
        assert!(
            std::env::var("KINTSUGI_REQUIRE_REAL_AGENTS").as_deref() != Ok("1"),
            "KINTSUGI_REQUIRE_REAL_AGENTS=1 but the harness ({}) or Claude Code ({}) is missing",
            harness().display(),
            claude.display()
        );
        eprintln!("SKIP: no realagents harness or no installed Claude Code");
        return;
    }
    let mut sb = Sandbox::new();
    sb.start();
    let hook = |agent: &str| {
        format!(
            "env KINTSUGI_SOCKET={} KINTSUGI_DATA_DIR={} KINTSUGI_CONFIG={} {} hook --agent {agent} --wait-secs 2",
            quote(&sb.socket()),
            quote(&sb.data()),
            quote(&sb.config()),
            quote(Path::new(BIN))
        )
    };

    // 1. Kintsugi's hook in place, per agent: the rm is blocked, the ls runs.
    let mut claude_homes = Vec::new();
    for agent in ["claude", "codex", "gemini"] {
        let (blocked_home, victim, text) = run_agent(
            agent,
            "rm -rf {VICTIM}",
            &format!("exec-blocked={}", hook(agent)),
        );
        assert!(
            victim.join("canary.txt").exists(),
            "{agent}: VICTIM was deleted:\n{text}"
        );
        let (ran_home, ls_victim, text) = run_agent(
            agent,
            "ls {VICTIM}",
            &format!("exec-executed={}", hook(agent)),
        );
        assert!(ls_victim.exists(), "{text}");
        let rm = format!("rm -rf {}", victim.display());
        let ls = format!("ls {}", ls_victim.display());

        let r = replay(
            &sb,
            agent,
            &["--against-ledger"],
            &[&blocked_home, &ran_home],
        );
        assert_eq!(r["totals"]["calls"], 2, "{agent}: {r:#}");
        assert_eq!(
            decision(&r, &rm),
            "hold",
            "{agent}: held in the config's attended mode: {r:#}"
        );
        assert_eq!(decision(&r, &ls), "allow", "{agent}: {r:#}");
        assert_eq!(
            r["totals"]["never_seen"], 0,
            "{agent}: Kintsugi saw every call: {r:#}"
        );
        let r = replay(&sb, agent, &["--mode", "unattended"], &[&blocked_home]);
        assert_eq!(decision(&r, &rm), "deny", "{agent}: {r:#}");
        if agent == "claude" {
            claude_homes = vec![blocked_home, ran_home];
        }
    }

    // 2. The hook removed for one run: the harness's own hook allows, the
    //    rm deletes the throwaway VICTIM, and Kintsugi never hears of it.
    let (open_home, open_victim, text) = run_agent("claude", "rm -rf {VICTIM}", "allow");
    assert!(
        !open_victim.exists(),
        "without the hook the rm ran:\n{text}"
    );
    let open_rm = format!("rm -rf {}", open_victim.display());
    let homes = [
        claude_homes[0].as_path(),
        claude_homes[1].as_path(),
        open_home.as_path(),
    ];
    let r = replay(&sb, "claude", &["--against-ledger"], &homes);
    assert_eq!(r["totals"]["calls"], 3, "{r:#}");
    assert_eq!(r["totals"]["never_seen"], 1, "{r:#}");
    assert_eq!(r["never_seen"][0]["command"], open_rm.as_str(), "{r:#}");
    let out = sb.run(&[
        "replay",
        "--against-ledger",
        open_home.join(".claude/projects").to_str().unwrap(),
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("never seen by Kintsugi (no matching ledger event): 1 of 1"),
        "{text}"
    );
    assert!(text.contains(&open_rm), "{text}");
}
