//! Helpers every subcommand shares: reaching the daemon, and small formatting.

use anyhow::{Context as _, Result, bail};
use kintsugi_protocol::{Client, Request, Response, socket_path};

/// One request to the daemon at the resolved socket; an `error` response
/// becomes an error carrying the daemon's message.
pub fn request(req: &Request) -> Result<Response> {
    let mut client = Client::connect(&socket_path())?;
    let resp = client.request(req).context("talking to the daemon")?;
    if let Response::Error { message } = resp {
        bail!("the daemon refused: {message}");
    }
    Ok(resp)
}

/// Shorten a hash for display.
pub fn short(hash: &str) -> &str {
    &hash[..hash.len().min(16)]
}

/// Human-readable duration, e.g. `3h 4m`, `12s`.
pub fn human_secs(secs: u64) -> String {
    match secs {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m {}s", s / 60, s % 60),
        s if s < 86_400 => format!("{}h {}m", s / 3600, (s % 3600) / 60),
        s => format!("{}d {}h", s / 86_400, (s % 86_400) / 3600),
    }
}
