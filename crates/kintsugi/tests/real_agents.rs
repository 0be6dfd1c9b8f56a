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
//!
//! The third test runs the real Codex CLI, npm's launcher as a user types
//! it, under `kintsugi guard` (no hook: the exec supervisor is the only
//! gate; the launcher's own start is not asked about) against the harness's loopback
//! mock model: Codex's own `/bin/bash -lc '/bin/rm -rf VICTIM'` is held,
//! denied by a human from outside the tree, and VICTIM survives; `ls VICTIM`
//! runs.

mod common;
use common::{Sandbox, text};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

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

/// The real Codex CLI and the shared harness's mock model, or why not.
fn codex_and_harness() -> Result<(PathBuf, PathBuf), String> {
    let shared = std::env::var_os("KINTSUGI_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    let mock = shared.join("realagents/mock_openai.py");
    if !mock.exists() {
        return Err(format!(
            "the realagents harness is not at {}",
            mock.display()
        ));
    }
    let codex = std::env::var_os("KINTSUGI_TEST_CODEX")
        .map(PathBuf::from)
        .or_else(|| {
            let root = std::env::var_os("RA_ROOT").map(PathBuf::from).or_else(|| {
                std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/realagents"))
            })?;
            Some(root.join("node_modules/.bin/codex"))
        })
        .filter(|c| c.exists())
        .ok_or("the Codex CLI is not installed (KINTSUGI_TEST_CODEX or RA_ROOT)")?;
    // npm's launcher (`node_modules/.bin/codex`, a node script that starts
    // the native binary), as a user types it: its start is not asked about.
    Ok((codex, mock))
}

/// One Codex turn under `kintsugi guard` whose mock model calls the shell
/// tool with `line`. Returns the running guard and the mock's log path.
fn codex_under_guard(
    sb: &Sandbox,
    codex: &Path,
    mock: &Path,
    line: &str,
    tag: &str,
) -> (std::process::Child, std::process::Child, PathBuf) {
    let run = sb.root().join(format!("codex-{tag}"));
    let work = run.join("work");
    std::fs::create_dir_all(&work).unwrap();
    let port_file = run.join("port");
    let log = run.join("mock.log");
    let mock_child = Command::new("python3")
        .arg(mock)
        .args(["--port", "0", "--port-file"])
        .arg(&port_file)
        .arg("--cmd")
        .arg(line)
        .arg("--log")
        .arg(&log)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let port = loop {
        let p = std::fs::read_to_string(&port_file).unwrap_or_default();
        if !p.trim().is_empty() {
            break p.trim().to_string();
        }
        assert!(Instant::now() < deadline, "the mock model did not start");
        std::thread::sleep(Duration::from_millis(50));
    };
    // Codex's HOME is the sandbox's: its config points at the mock, and an
    // explicit `rm` rule lifts Codex's own refusal of `rm -rf` so that the
    // guard is the only gate (as in ../shared/realagents/run_codex.sh).
    // Codex's start-up shell snapshot (a `bash -lc` that prints the
    // environment) is turned off: under guard it is held as a possible
    // secrets dump (docs/GUARD.md, "Agents under guard").
    let home = sb.root().join("home");
    std::fs::create_dir_all(home.join(".codex/rules")).unwrap();
    std::fs::write(
        home.join(".codex/config.toml"),
        format!(
            "model = \"gpt-5-mock\"\nmodel_provider = \"mock\"\napproval_policy = \"never\"\n\
             sandbox_mode = \"danger-full-access\"\ncheck_for_update_on_startup = false\n\n\
             [model_providers.mock]\nname = \"mock\"\nbase_url = \"http://127.0.0.1:{port}/v1\"\n\
             env_key = \"MOCK_API_KEY\"\nwire_api = \"responses\"\nrequest_max_retries = 0\n\
             stream_max_retries = 0\n\n[analytics]\nenabled = false\n\n[feedback]\nenabled = false\n\n\
             [features]\nshell_snapshot = false\nplugins = false\nremote_plugin = false\napps = false\n\
             tool_suggest = false\nin_app_updates = false\ndaemon_auto_start = false\n"
        ),
    )
    .unwrap();
    std::fs::write(
        home.join(".codex/rules/harness.rules"),
        "prefix_rule(pattern = [\"rm\"], decision = \"allow\")\n",
    )
    .unwrap();
    let guard = sb
        .cmd()
        .env_clear()
        .env("KINTSUGI_DATA_DIR", sb.data())
        .env("KINTSUGI_CONFIG", sb.config())
        .env("HOME", &home)
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .env("TERM", "dumb")
        .env("LANG", "C.UTF-8")
        .env("SHELL", "/bin/bash")
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env("MOCK_API_KEY", "sk-test")
        .current_dir(&work)
        .arg("guard")
        .arg("--")
        .arg(codex)
        .args(["exec", "--skip-git-repo-check", "--json", "run the command"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .unwrap();
    (guard, mock_child, log)
}

/// Kills a guarded run's whole process group (the guard, Codex and what
/// Codex started) and the mock model when dropped, so a failing assertion
/// leaves nothing running behind the test (a leaked tree keeps the test
/// harness's inherited descriptors open).
struct KillOnDrop {
    group: u32,
    mock: u32,
}

impl KillOnDrop {
    fn new(guard: &std::process::Child, mock: &std::process::Child) -> KillOnDrop {
        KillOnDrop {
            group: guard.id(),
            mock: mock.id(),
        }
    }
}

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.group)])
            .stderr(Stdio::null())
            .status();
        let _ = Command::new("kill")
            .args(["-KILL", &self.mock.to_string()])
            .stderr(Stdio::null())
            .status();
    }
}

/// Wait (generously: Codex starts slowly on a loaded machine) for the
/// guard to exit; its output.
fn finish(guard: std::process::Child, mut mock: std::process::Child) -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(guard.wait_with_output());
    });
    let out = rx
        .recv_timeout(Duration::from_secs(300))
        .expect("codex under guard did not finish within 300 s")
        .unwrap();
    let _ = mock.kill();
    let _ = mock.wait();
    text(&out)
}

/// The ledger's proposal events with origin `exec` whose line contains
/// `needle`.
fn exec_events_with(sb: &Sandbox, needle: &str) -> Vec<serde_json::Value> {
    sb.log_text(500)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|e| {
            e["kind"] == "propose"
                && e["raw"].as_str().is_some_and(|r| r.contains(needle))
                && e["detail"]
                    .as_str()
                    .and_then(|d| serde_json::from_str::<serde_json::Value>(d).ok())
                    .is_some_and(|d| d["origin"] == "exec")
        })
        .collect()
}

#[test]
fn real_codex_under_guard_has_its_absolute_rm_held_and_denied_and_its_ls_run() {
    let (codex, mock) = match codex_and_harness() {
        Ok(found) => found,
        Err(why) => {
            assert!(
                std::env::var("KINTSUGI_REQUIRE_REAL_AGENTS").as_deref() != Ok("1"),
                "KINTSUGI_REQUIRE_REAL_AGENTS=1 but the guarded Codex test cannot run: {why}"
            );
            eprintln!("SKIP real Codex under guard: {why}");
            return;
        }
    };
    let mut sb = Sandbox::new();
    // Long enough that only the human's deny ends the hold.
    sb.write_config("hold_timeout_secs = 600\n");
    sb.start();
    let victim = sb.root().join("victim");
    std::fs::create_dir_all(&victim).unwrap();
    std::fs::write(victim.join("canary.txt"), "canary").unwrap();
    let rm = format!("/bin/rm -rf {}", victim.display());

    // 1. The model asks for `/bin/rm -rf VICTIM`: Codex runs it through
    //    `/bin/bash -lc` by absolute path; the guard holds that exec.
    let (guard, mock_child, _) = codex_under_guard(&sb, &codex, &mock, &rm, "rm");
    let _cleanup = KillOnDrop::new(&guard, &mock_child);
    let mut conn = common::Conn::open(&sb.socket());
    let deadline = Instant::now() + Duration::from_secs(240);
    // Codex's own start-up execs that the classifier holds (its `git -c
    // core.hooksPath=/dev/null rev-parse`) are denied as a cautious human
    // would; Codex carries on without them.
    let mut others = Vec::new();
    let id = loop {
        let list = conn.ask(r#"{"kind":"listpending"}"#).unwrap();
        let items = list["items"].as_array().cloned().unwrap_or_default();
        if let Some(item) = items.iter().find(|i| {
            i["command"]["raw"]
                .as_str()
                .is_some_and(|r| r.contains(&rm))
        }) {
            break item["id"].as_str().unwrap().to_string();
        }
        for item in &items {
            let raw = item["command"]["raw"].as_str().unwrap_or_default();
            assert!(
                !raw.contains("--skip-git-repo-check"),
                "the launcher's own start was held: {item}"
            );
            let other = item["id"].as_str().unwrap().to_string();
            assert!(sb.run(&["deny", &other]).status.success());
            others.push(item["command"]["raw"].clone());
        }
        assert!(
            Instant::now() < deadline,
            "Codex's rm was never held (denied on the way: {others:?})"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    assert!(victim.join("canary.txt").exists(), "paused, not run");
    // A human denies it from another terminal, outside the guarded tree.
    let denied = sb.run(&["deny", &id]);
    assert!(denied.status.success(), "{}", text(&denied));
    let out = finish(guard, mock_child);
    assert_eq!(
        std::fs::read_to_string(victim.join("canary.txt"))
            .ok()
            .as_deref(),
        Some("canary"),
        "VICTIM must be intact: {out}"
    );
    let events = exec_events_with(&sb, &rm);
    let held = events
        .iter()
        .find(|e| e["pending"] == id.as_str())
        .unwrap_or_else(|| {
            panic!("the held exec is not on the ledger as origin exec: {events:#?}")
        });
    assert_eq!(held["decision"], "hold", "{held}");
    assert_eq!(held["agent"], "exec", "{held}");
    assert!(
        held["raw"].as_str().unwrap().contains("bash"),
        "Codex ran it through its shell by absolute path: {held}"
    );
    assert!(
        events.iter().all(|e| e["decision"] != "allow"),
        "the rm was never allowed: {events:#?}"
    );

    // 2. The model asks for `ls VICTIM`: it runs, and the model sees its
    //    output.
    let ls = format!("ls {}", victim.display());
    let (guard, mock_child, log) = codex_under_guard(&sb, &codex, &mock, &ls, "ls");
    let _cleanup_ls = KillOnDrop::new(&guard, &mock_child);
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let denier = {
        let (done, socket, sb_cmd) = (done.clone(), sb.socket(), sb.root().to_path_buf());
        std::thread::spawn(move || deny_start_up_holds(&socket, &sb_cmd, &done))
    };
    let out = finish(guard, mock_child);
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    let denied_on_the_way = denier.join().unwrap();
    assert!(
        denied_on_the_way.iter().all(|r| !r.contains(&ls)),
        "the ls itself was held: {denied_on_the_way:?}"
    );
    let seen = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(
        seen.contains("canary.txt"),
        "`ls VICTIM` did not run under guard (the model never saw canary.txt): {out}"
    );
    let events = exec_events_with(&sb, &ls);
    assert!(
        events.iter().any(|e| e["decision"] == "allow"),
        "the ls exec is on the ledger, allowed: {events:#?}"
    );
}

/// Deny every held exec (Codex's start-up machinery) until `done`; their
/// lines. Runs `kintsugi deny` with the sandbox at `root`'s environment.
fn deny_start_up_holds(
    socket: &Path,
    root: &Path,
    done: &std::sync::atomic::AtomicBool,
) -> Vec<String> {
    let mut conn = common::Conn::open(socket);
    let mut seen = Vec::new();
    while !done.load(std::sync::atomic::Ordering::Relaxed) {
        let list = conn.ask(r#"{"kind":"listpending"}"#).unwrap();
        for item in list["items"].as_array().cloned().unwrap_or_default() {
            let id = item["id"].as_str().unwrap();
            let _ = Command::new(common::BIN)
                .env("KINTSUGI_DATA_DIR", root.join("data"))
                .env("KINTSUGI_CONFIG", root.join("config.toml"))
                .env("HOME", root.join("home"))
                .env_remove("KINTSUGI_SOCKET")
                .args(["deny", id])
                .output();
            seen.push(item["command"]["raw"].as_str().unwrap_or("").to_string());
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    seen
}
