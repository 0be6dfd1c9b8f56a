//! Helpers for the model scorer tests: the test model's path (or a skip,
//! or a failure when `KINTSUGI_REQUIRE_MODEL=1`), configs naming a model,
//! and reading the scorer note of a recorded event.
#![allow(dead_code)]

use super::Sandbox;
use std::path::{Path, PathBuf};

/// The GGUF model the llama tests run, from `KINTSUGI_TEST_MODEL`. `None`
/// (skip) when it or the `llama` feature is missing, unless
/// `KINTSUGI_REQUIRE_MODEL=1`, which turns that into a failure.
pub fn test_model(feature_built: bool) -> Option<PathBuf> {
    let require = std::env::var("KINTSUGI_REQUIRE_MODEL").is_ok_and(|v| v == "1");
    let path = std::env::var_os("KINTSUGI_TEST_MODEL").map(PathBuf::from);
    let why = match &path {
        _ if !feature_built => "this test binary was built without the `llama` feature".to_string(),
        None => "KINTSUGI_TEST_MODEL is not set (scripts/model-test-setup prints it)".to_string(),
        Some(p) if !p.is_file() => format!("KINTSUGI_TEST_MODEL={} is not a file", p.display()),
        Some(_) => return path,
    };
    assert!(!require, "KINTSUGI_REQUIRE_MODEL=1 but {why}");
    eprintln!("skipped: {why}");
    None
}

/// A config in `mode` naming `model` with a `timeout_ms` budget.
pub fn model_config(mode: &str, model: &Path, timeout_ms: u64) -> String {
    format!(
        "mode = \"{mode}\"\n[model]\npath = \"{}\"\ntimeout_ms = {timeout_ms}\n",
        model.display()
    )
}

/// The `scorer` note in the detail of the newest `propose` event for `raw`
/// (`log` lists newest first)
/// (empty when there is none, e.g. a safe command or a scrubbed line).
pub fn scorer_note(sb: &Sandbox, raw: &str) -> String {
    let log = sb.log_text(2000);
    let Some(event) = log
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|e| e["kind"] == "propose" && e["raw"] == raw)
    else {
        return String::new();
    };
    let detail: serde_json::Value =
        serde_json::from_str(event["detail"].as_str().unwrap_or("{}")).unwrap();
    detail["scorer"].as_str().unwrap_or_default().to_string()
}

/// The daemon's `status` answer.
pub fn status(sb: &Sandbox) -> serde_json::Value {
    let mut c = super::Conn::open(&sb.socket());
    c.ask(r#"{"kind":"status"}"#).unwrap()
}

/// Wait (up to 120 s) until the daemon has finished loading its model (or
/// given up on it); returns the final `status`.
pub fn wait_model(sb: &Sandbox) -> serde_json::Value {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        let st = status(sb);
        if !st["model"]
            .as_str()
            .unwrap_or_default()
            .starts_with("loading ")
        {
            return st;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the model never loaded: {st}"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}
