//! `kintsugi mcp` driven by a real MCP client: the official Python SDK
//! (installed into `.venv` by scripts/test). `tools/list`, `exec` of
//! `echo hi`, an exit code, a catastrophic command refused with nothing run,
//! and `check`.

mod common;
use common::*;
use std::path::PathBuf;
use std::process::Command;

fn python() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("KINTSUGI_TEST_PYTHON") {
        return Some(PathBuf::from(p));
    }
    let venv = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../.venv/bin/python"
    ));
    venv.exists().then_some(venv)
}

#[test]
fn python_mcp_client_lists_runs_and_is_refused() {
    let Some(python) = python().filter(|p| {
        Command::new(p)
            .args(["-c", "import mcp"])
            .status()
            .is_ok_and(|s| s.success())
    }) else {
        assert!(
            std::env::var_os("KINTSUGI_REQUIRE_MCP_CLIENT").is_none(),
            "the Python MCP client is required here but missing; scripts/test installs it into .venv"
        );
        eprintln!("SKIP: no Python `mcp` client; run scripts/test, which installs it into .venv");
        return;
    };
    let mut sb = Sandbox::new();
    // Nobody answers holds here: give up quickly.
    sb.write_config("hold_timeout_secs = 2\n");
    sb.start();
    let home = sb.root().join("home");
    let victim = home.clone();
    std::fs::write(home.join("keep.txt"), "precious").unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/mcp/client.py");
    let out = Command::new(&python)
        .args([
            script,
            BIN,
            home.to_str().unwrap(),
            victim.to_str().unwrap(),
        ])
        .env("KINTSUGI_DATA_DIR", sb.data())
        .env("KINTSUGI_CONFIG", sb.config())
        .env("HOME", &home)
        .env_remove("KINTSUGI_SOCKET")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(r["tools"], serde_json::json!(["check", "exec"]));
    assert_eq!(r["echo"]["is_error"], false);
    assert_eq!(r["echo"]["structured"]["stdout"], "hi\n");
    assert_eq!(r["echo"]["structured"]["exit_code"], 0);
    assert_eq!(r["exit7"]["structured"]["exit_code"], 7);
    assert_eq!(r["timeout"]["is_error"], true, "{r}");
    assert!(
        r["timeout"]["text"]
            .as_str()
            .unwrap()
            .contains("killed after 1 s"),
        "{r}"
    );
    assert_eq!(r["timeout"]["marker_written"], false, "{r}");
    assert_eq!(r["big"]["truncated"], true, "{r}");
    assert_eq!(r["big"]["stdout_len"], 1024 * 1024, "{r}");
    assert_eq!(r["catastrophic"]["is_error"], true, "{r}");
    assert!(
        r["catastrophic"]["text"]
            .as_str()
            .unwrap()
            .contains("kintsugi run"),
        "{r}"
    );
    assert_eq!(
        std::fs::read_to_string(home.join("keep.txt")).unwrap(),
        "precious"
    );
    assert_eq!(r["check"]["class"], "catastrophic");
    let log =
        String::from_utf8_lossy(&sb.run(&["log", "--json", "--agent", "mcp"]).stdout).into_owned();
    assert!(
        log.contains("echo hi") && log.contains("\"kind\":\"complete\""),
        "{log}"
    );
}
