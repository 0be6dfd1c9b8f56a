//! `kintsugi mcp`: an MCP server on stdio (the official Rust SDK, `rmcp`)
//! with two tools. `exec` runs a shell command through the gate (propose,
//! wait on a hold, run with a timeout and output limits, report completion)
//! and returns exit code, stdout and stderr; a denial or an unanswered hold
//! comes back as a tool error with the reason, and nothing runs. `check`
//! only classifies.
//!
//! Protocol revisions: rmcp serves both the 2025-11-25 handshake
//! (`initialize`, then a session) and the stateless 2026-07-28 revision
//! (no handshake, no session: each request carries its protocol version in
//! `_meta`, and an opening request that is not `initialize` is answered on
//! its own). Its `server/discover` answer is rmcp's (supported versions,
//! capabilities, server info) plus the tool list under [`TOOLS_META_KEY`].
//! Stdout carries only JSON-RPC; diagnostics go to stderr.
//!
//! Architecture invariant: every `exec` decides through the one gate of
//! `kintsugi-intercept`, like the hook and the shim; this crate adds only
//! the MCP transport. It is its own crate because it needs an async runtime
//! (rmcp on tokio), which the interception crate, whose hooks are
//! short-lived blocking processes, does not carry.
#![forbid(unsafe_code)]

use kintsugi_classify::{Context, analyze};
use kintsugi_intercept::gate::child::report_completion;
use kintsugi_intercept::gate::runner::{GateSettings, Outcome, approved_env, may_run, proposal};
use kintsugi_intercept::shim::line_shell;
use kintsugi_protocol::home_dir;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, DiscoverResult,
    Implementation, JsonObject, ListToolsResult, PaginatedRequestParams, ServerCapabilities,
    ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData as McpError, RoleServer, ServerHandler, ServiceExt};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::AsyncReadExt;

/// Bytes of stdout (and, separately, of stderr) returned per call; the rest
/// is dropped and the result says so.
pub const MAX_OUTPUT_BYTES: usize = 1024 * 1024;
/// Default and largest run time of one `exec`, in seconds.
pub const DEFAULT_TIMEOUT_SECS: u64 = 120;
pub const MAX_TIMEOUT_SECS: u64 = 3600;

/// The `_meta` key of the `server/discover` result that lists the tools
/// (name, description, input schema), so a stateless client learns them in
/// its first round trip.
pub const TOOLS_META_KEY: &str = "dev.kintsugi/tools";

struct KintsugiMcp;

fn schema(v: Value) -> Arc<JsonObject> {
    match v {
        Value::Object(m) => Arc::new(m),
        _ => Arc::new(JsonObject::new()),
    }
}

fn tools() -> Vec<Tool> {
    vec![
        Tool::new(
            "exec",
            "Run a shell command through Kintsugi: it is checked first; dangerous commands wait for a human or are refused. Returns exit code, stdout and stderr.",
            schema(json!({
                "type": "object",
                "properties": {
                    "command": {"type": "string", "description": "The shell command line (run with bash -c)."},
                    "cwd": {"type": "string", "description": "Absolute working directory (default: the server's)."},
                    "timeout_secs": {"type": "integer", "minimum": 1, "maximum": MAX_TIMEOUT_SECS, "description": "Kill the command after this many seconds (default 120)."}
                },
                "required": ["command"]
            })),
        ),
        Tool::new(
            "check",
            "Classify a shell command without running it: class (safe, ambiguous, catastrophic), rule and reason.",
            schema(json!({
                "type": "object",
                "properties": {
                    "command": {"type": "string"},
                    "cwd": {"type": "string"}
                },
                "required": ["command"]
            })),
        ),
    ]
}

fn arg<'a>(args: &'a JsonObject, key: &str) -> Option<&'a str> {
    args.get(key).and_then(Value::as_str)
}

fn bad_params(message: String) -> McpError {
    McpError::invalid_params(message, None)
}

fn working_dir(args: &JsonObject) -> Result<PathBuf, McpError> {
    match arg(args, "cwd") {
        Some(c) if PathBuf::from(c).is_absolute() => Ok(PathBuf::from(c)),
        Some(c) => Err(bad_params(format!(
            "`cwd` must be an absolute path, got {c:?}"
        ))),
        None => std::env::current_dir().map_err(|e| McpError::internal_error(e.to_string(), None)),
    }
}

/// Read up to the limit, keep draining the rest; true when truncated.
async fn read_limited(mut r: impl tokio::io::AsyncRead + Unpin) -> (Vec<u8>, bool) {
    let mut out = Vec::new();
    let mut buf = [0u8; 8192];
    let mut truncated = false;
    while let Ok(n) = r.read(&mut buf).await {
        if n == 0 {
            break;
        }
        let room = MAX_OUTPUT_BYTES.saturating_sub(out.len());
        out.extend_from_slice(&buf[..n.min(room)]);
        truncated |= n > room;
    }
    (out, truncated)
}

async fn exec(args: JsonObject) -> Result<CallToolResult, McpError> {
    let command = arg(&args, "command")
        .ok_or_else(|| bad_params("`command` (a string) is required".into()))?
        .to_string();
    let cwd = working_dir(&args)?;
    let timeout = args
        .get("timeout_secs")
        .and_then(Value::as_u64)
        .unwrap_or(DEFAULT_TIMEOUT_SECS)
        .clamp(1, MAX_TIMEOUT_SECS);
    let cmd = proposal(
        kintsugi_protocol::Origin::Mcp,
        "mcp",
        &cwd.display().to_string(),
        Vec::new(),
        &command,
    );
    let gate_cmd = cmd.clone();
    let outcome = tokio::task::spawn_blocking(move || may_run(&gate_cmd, &GateSettings::load()))
        .await
        .map_err(|e| McpError::internal_error(e.to_string(), None))?;
    let (daemon, approved) = match outcome {
        Outcome::Refuse(reason) => {
            return Ok(CallToolResult::error(vec![ContentBlock::text(reason)]));
        }
        Outcome::Run { daemon, approved } => (daemon, approved),
    };
    let started = Instant::now();
    let mut child = tokio::process::Command::new(line_shell())
        .arg("-c")
        .arg(&command)
        .current_dir(&cwd)
        .envs(approved_env(approved.as_deref()))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        // Its own process group, so a timeout kills what it started too.
        .process_group(0)
        .spawn()
        .map_err(|e| McpError::internal_error(format!("cannot start bash: {e}"), None))?;
    let out = tokio::spawn(read_limited(child.stdout.take().expect("piped")));
    let err = tokio::spawn(read_limited(child.stderr.take().expect("piped")));
    let status = match tokio::time::timeout(Duration::from_secs(timeout), child.wait()).await {
        Ok(s) => s.map_err(|e| McpError::internal_error(e.to_string(), None))?,
        Err(_) => {
            kill_group(&child);
            let _ = child.kill().await;
            let status = child
                .wait()
                .await
                .map_err(|e| McpError::internal_error(e.to_string(), None))?;
            if daemon {
                report_completion(&cmd, &status, started);
            }
            return Ok(CallToolResult::error(vec![ContentBlock::text(format!(
                "killed after {timeout} s (timeout_secs)"
            ))]));
        }
    };
    let (stdout, out_cut) = out.await.unwrap_or_default();
    let (stderr, err_cut) = err.await.unwrap_or_default();
    if daemon {
        report_completion(&cmd, &status, started);
    }
    let stdout = String::from_utf8_lossy(&stdout).into_owned();
    let stderr = String::from_utf8_lossy(&stderr).into_owned();
    let mut text = format!(
        "exit code: {}\n",
        status
            .code()
            .map(|c| c.to_string())
            .unwrap_or_else(|| "signal".into())
    );
    text.push_str(&stdout);
    if !stderr.is_empty() {
        text.push_str("\n--- stderr ---\n");
        text.push_str(&stderr);
    }
    if out_cut || err_cut {
        text.push_str(&format!(
            "\n[output cut at {MAX_OUTPUT_BYTES} bytes per stream]"
        ));
    }
    let mut result = CallToolResult::success(vec![ContentBlock::text(text)]);
    result.structured_content = Some(json!({
        "exit_code": status.code(),
        "stdout": stdout,
        "stderr": stderr,
        "truncated": out_cut || err_cut,
    }));
    Ok(result)
}

/// SIGKILL the process group led by `child` (background jobs and
/// pipelines it started included).
fn kill_group(child: &tokio::process::Child) {
    let group = child
        .id()
        .and_then(|id| i32::try_from(id).ok())
        .and_then(rustix::process::Pid::from_raw);
    if let Some(group) = group {
        let _ = rustix::process::kill_process_group(group, rustix::process::Signal::KILL);
    }
}

fn check(args: JsonObject) -> Result<CallToolResult, McpError> {
    let command = arg(&args, "command")
        .ok_or_else(|| bad_params("`command` (a string) is required".into()))?;
    let ctx = Context {
        cwd: working_dir(&args)?,
        home: home_dir(),
        project_root: None,
    };
    let a = analyze(command, &ctx);
    let mut result = CallToolResult::success(vec![ContentBlock::text(format!(
        "{}: {} [{}]",
        a.class.as_str(),
        a.reason,
        a.rule
    ))]);
    result.structured_content =
        Some(json!({"class": a.class.as_str(), "rule": a.rule, "reason": a.reason}));
    Ok(result)
}

impl ServerHandler for KintsugiMcp {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("kintsugi", env!("CARGO_PKG_VERSION")))
            .with_instructions("Run shell commands with `exec`; Kintsugi checks each one and may hold it for a human.")
    }

    async fn discover(
        &self,
        _context: RequestContext<RoleServer>,
    ) -> Result<DiscoverResult, McpError> {
        let mut result = DiscoverResult::from_server_info(
            ServerHandler::supported_protocol_versions(self).into_owned(),
            self.get_info(),
        );
        let tools = serde_json::to_value(tools())
            .map_err(|e| McpError::internal_error(format!("cannot list the tools: {e}"), None))?;
        result
            .meta
            .get_or_insert_default()
            .insert(TOOLS_META_KEY.to_string(), tools);
        Ok(result)
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, McpError> {
        Ok(ListToolsResult::with_all_items(tools()))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, McpError> {
        let args = request.arguments.unwrap_or_default();
        let result = match request.name.as_ref() {
            "exec" => exec(args).await?,
            "check" => check(args)?,
            other => {
                return Err(bad_params(format!(
                    "unknown tool `{other}`; the tools are exec and check"
                )));
            }
        };
        Ok(result.into())
    }
}

/// Serve MCP on stdin/stdout until the client goes away.
pub fn run() -> anyhow::Result<std::process::ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let service = KintsugiMcp.serve(rmcp::transport::stdio()).await?;
        service.waiting().await?;
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(std::process::ExitCode::SUCCESS)
}
