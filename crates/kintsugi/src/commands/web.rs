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

pub fn run(args: WebArgs) -> Result<ExitCode> {
    let socket = kintsugi_protocol::socket_path();
    let places = kintsugi_web::Places {
        data_dir: data_dir(&socket),
        socket,
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
