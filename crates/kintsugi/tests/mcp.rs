//! `kintsugi mcp` driven by a real MCP client: the official Python SDK
//! (pinned, installed into `.venv` by scripts/test) in both protocol
//! revisions: the 2025-11-25 handshake (`legacy`), the stateless 2026-07-28
//! revision found by probing `server/discover` (`auto`) and adopted without
//! any probe (`2026-07-28`). Each: `tools/list`, `exec` of `echo hi`, an exit
//! code, a catastrophic command refused with nothing run, and `check`. Plus
//! the stateless revision over raw JSON-RPC: no handshake, a tool call as
//! the first request, `server/discover` listing `exec` and `check`, and
//! nothing but JSON-RPC on stdout.

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

/// Run tests/mcp/client.py in `mode` against a sandbox daemon and check
/// every call; returns the client's report.
fn python_client_session(mode: &str) -> Option<serde_json::Value> {
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
        return None;
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
            mode,
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
    Some(r)
}

#[test]
fn python_mcp_client_2025_11_25_handshake_lists_runs_and_is_refused() {
    let Some(r) = python_client_session("legacy") else {
        return;
    };
    assert_eq!(r["protocol_version"], "2025-11-25", "{r}");
    assert_eq!(r["discovered"], serde_json::Value::Null, "{r}");
}

#[test]
fn python_mcp_client_probing_server_discover_speaks_2026_07_28() {
    let Some(r) = python_client_session("auto") else {
        return;
    };
    assert_eq!(r["protocol_version"], "2026-07-28", "{r}");
    let d = &r["discovered"];
    assert_eq!(d["tools"], serde_json::json!(["exec", "check"]), "{r}");
    assert_eq!(d["server"], "kintsugi", "{r}");
    let supported = d["supported"].as_array().unwrap();
    for v in ["2025-11-25", "2026-07-28"] {
        assert!(supported.iter().any(|s| s == v), "{v} not in {supported:?}");
    }
}

#[test]
fn python_mcp_client_pinned_to_2026_07_28_needs_no_handshake() {
    let Some(r) = python_client_session("2026-07-28") else {
        return;
    };
    assert_eq!(r["protocol_version"], "2026-07-28", "{r}");
}

/// The stateless revision's `_meta` envelope.
fn modern(id: u64, method: &str, mut params: serde_json::Value) -> String {
    params["_meta"] = serde_json::json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
    });
    serde_json::json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}).to_string()
}

#[test]
fn stateless_2026_07_28_over_raw_json_rpc_needs_no_session_and_stdout_is_only_json_rpc() {
    use std::io::Write;
    let sb = Sandbox::new();
    let cwd = sb.root().display().to_string();
    let mut child = sb
        .cmd()
        .arg("mcp")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let requests = [
        // A tool call as the very first request: no initialize, no discover.
        modern(
            1,
            "tools/call",
            serde_json::json!({"name": "check", "arguments": {"command": "rm -rf ~", "cwd": cwd}}),
        ),
        modern(2, "server/discover", serde_json::json!({})),
        modern(3, "tools/list", serde_json::json!({})),
        modern(
            4,
            "tools/call",
            serde_json::json!({"name": "check", "arguments": {"command": "ls", "cwd": cwd}}),
        ),
    ];
    let mut stdin = child.stdin.take().unwrap();
    for r in &requests {
        writeln!(stdin, "{r}").unwrap();
    }
    // Let every answer out before the input ends.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let out = std::thread::spawn(move || child.wait_with_output().unwrap());
    std::thread::sleep(std::time::Duration::from_secs(2));
    drop(stdin);
    let out = out.join().unwrap();
    assert!(
        std::time::Instant::now() < deadline,
        "the server did not stop when stdin closed"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut answers = std::collections::BTreeMap::new();
    for line in stdout.lines() {
        let v: serde_json::Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("stdout has a line that is not JSON ({e}): {line:?}"));
        assert_eq!(v["jsonrpc"], "2.0", "not JSON-RPC: {line}");
        answers.insert(v["id"].as_u64().expect("every line answers a request"), v);
    }
    assert_eq!(
        answers.len(),
        4,
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        answers[&1]["result"]["structuredContent"]["class"], "catastrophic",
        "{stdout}"
    );
    let d = &answers[&2]["result"];
    let supported = d["supportedVersions"].as_array().unwrap();
    for v in ["2025-11-25", "2026-07-28"] {
        assert!(supported.iter().any(|s| s == v), "{v} not in {d}");
    }
    assert!(d["capabilities"]["tools"].is_object(), "{d}");
    let names: Vec<&str> = d["_meta"]["dev.kintsugi/tools"]
        .as_array()
        .unwrap_or_else(|| panic!("discover lists no tools: {d}"))
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["exec", "check"], "{d}");
    let listed: Vec<&str> = answers[&3]["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(listed, ["exec", "check"]);
    assert_eq!(
        answers[&4]["result"]["structuredContent"]["class"], "safe",
        "{stdout}"
    );
}
