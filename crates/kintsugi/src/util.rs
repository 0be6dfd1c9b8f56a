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

/// Like [`request`], for requests that take a snapshot (`approve` with
/// `progress`): on a terminal, a spinner on stderr follows the capture, and
/// a large capture ends with one line saying what it took.
pub fn request_showing_capture(req: &Request) -> Result<Response> {
    use std::io::IsTerminal;
    let mut client = Client::connect(&socket_path())?;
    let shown = std::io::stderr().is_terminal();
    let mut bar: Option<indicatif::ProgressBar> = None;
    let mut last = None;
    let resp = client
        .request_with_progress(req, |p| {
            last = Some(p.clone());
            if !shown || p.done {
                return;
            }
            let b = bar.get_or_insert_with(|| {
                let b = indicatif::ProgressBar::new_spinner();
                b.set_style(
                    indicatif::ProgressStyle::with_template(
                        "{spinner} snapshotting {msg} ({elapsed})",
                    )
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
                );
                b.enable_steady_tick(std::time::Duration::from_millis(120));
                b
            });
            b.set_message(format!(
                "{} entries, {}: {}",
                p.entries,
                human_bytes(p.bytes),
                p.path
            ));
        })
        .context("talking to the daemon")?;
    if let Some(b) = bar {
        b.finish_and_clear();
        if let Some(p) = last {
            eprintln!(
                "snapshot: {} entries, {} captured",
                p.entries,
                human_bytes(p.bytes)
            );
        }
    }
    if let Response::Error { message } = resp {
        bail!("the daemon refused: {message}");
    }
    Ok(resp)
}

/// Bytes in B/KB/MB/GB (powers of 1024, one decimal).
pub fn human_bytes(n: u64) -> String {
    let mut v = n as f64;
    for unit in ["B", "KB", "MB", "GB"] {
        if v < 1024.0 || unit == "GB" {
            return if unit == "B" {
                format!("{n} B")
            } else {
                format!("{v:.1} {unit}")
            };
        }
        v /= 1024.0;
    }
    unreachable!("the loop returns at GB")
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
