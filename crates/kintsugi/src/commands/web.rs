//! `kintsugi web`: the web control room (the `kintsugi-web` crate) on
//! 127.0.0.1. Prints the one-time login URL first, then serves until
//! Ctrl-C.

use anyhow::Result;
use clap::Args;
use kintsugi_protocol::{Request, Response};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct WebArgs {
    /// Port on 127.0.0.1 (0 picks a free one). The server never listens
    /// on another address.
    #[arg(long, env = "KINTSUGI_WEB_PORT", default_value_t = kintsugi_web::DEFAULT_PORT)]
    pub port: u16,
}

/// The daemon's data dir (it may differ from this process's default).
fn data_dir(socket: &std::path::Path) -> PathBuf {
    match kintsugi_web::data::ask(socket, &Request::Status) {
        Ok(Response::Status(s)) => s
            .data_dir
            .map(PathBuf::from)
            .unwrap_or_else(kintsugi_protocol::data_dir),
        _ => kintsugi_protocol::data_dir(),
    }
}

/// Each agent `init` knows: installed here, and whether its hook runs
/// Kintsugi (what `kintsugi doctor` checks).
fn wiring() -> Vec<kintsugi_web::Wiring> {
    let home = kintsugi_protocol::home_dir();
    kintsugi_intercept::install::AGENTS
        .iter()
        .map(|a| kintsugi_web::Wiring {
            agent: a.name().to_string(),
            installed: a.installed(&home),
            wired: kintsugi_intercept::install::configured_command(a, &home).is_some(),
        })
        .collect()
}

pub fn run(args: WebArgs) -> Result<ExitCode> {
    let socket = kintsugi_protocol::socket_path();
    let places = kintsugi_web::Places {
        data_dir: data_dir(&socket),
        socket,
        wiring,
    };
    kintsugi_web::run(args.port, places, |url| {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{url}");
        let _ = writeln!(
            out,
            "Kintsugi control room: open the URL above in your browser to log in (it works once; keep this running, Ctrl-C stops it)."
        );
        let _ = out.flush();
    })?;
    Ok(ExitCode::SUCCESS)
}

/// The web control room's lines for `kintsugi limits`, from the constants
/// the server uses.
pub fn limits_text() -> String {
    use kintsugi_web::{MAX_CONNECTIONS, api, auth, data, http, live};
    format!(
        "- web control room (`kintsugi web`): 127.0.0.1 only (port {port} unless --port);
  one-time login URL, then an HttpOnly SameSite=Strict cookie ({secret} random
  bytes) and a CSRF header on every write; Host must name 127.0.0.1/localhost
  and the port; {conns} connections at once (more get 503); request headers
  {head_kib} KiB, {headers} headers, body {body_kib} KiB, {req_secs} s to send a request;
  events {page} per page (at most {max_page}), search text {search} characters,
  {snaps} snapshots listed, ids {id} characters; {buffer} live events buffered per
  page before it resyncs; a keepalive every {keep} s
- what the web control room cannot prove: an approval is refused when the
  browser process that owns the loopback connection (found through
  /proc/net/tcp* and /proc/PID/fd, at most {procs} processes scanned) is in
  the proposing agent's process tree; a browser the agent started after
  leaving its tree (setsid, double fork) is not caught by that test, and
  whoever can read the terminal where `kintsugi web` printed the login URL
  before it is used can log in once
",
        port = kintsugi_web::DEFAULT_PORT,
        secret = auth::SECRET_BYTES,
        conns = MAX_CONNECTIONS,
        head_kib = http::MAX_HEADER_BYTES / 1024,
        headers = http::MAX_HEADERS,
        body_kib = http::MAX_BODY_BYTES / 1024,
        req_secs = http::REQUEST_TIMEOUT.as_secs(),
        page = data::DEFAULT_PAGE,
        max_page = data::MAX_PAGE,
        search = data::MAX_SEARCH_CHARS,
        snaps = data::MAX_SNAPSHOTS_LISTED,
        id = api::MAX_ID_CHARS,
        buffer = live::LIVE_BUFFER,
        keep = live::KEEPALIVE.as_secs(),
        procs = kintsugi_web::procnet::MAX_PROCESSES_SCANNED,
    )
}
