//! Verdicts for network effects: data sent out (exfiltration when it is
//! sensitive), downloads, remote and reverse shells, and downloaded code run
//! unseen.

use super::{A, C, S, Verdict, verdict};

/// Data sent to a host: safe to the local machine, catastrophic when it is
/// credential material.
pub(super) fn egress(host: &str, payload: &str, sensitive: bool) -> Verdict {
    let s = format!("Sends {payload} to {host}.");
    if is_local_host(host) && !sensitive {
        verdict(S, "safe:local-network", s)
    } else if sensitive {
        verdict(C, "net:exfiltrate", s)
    } else {
        verdict(A, "net:send", s)
    }
}

/// A file downloaded.
pub(super) fn download(host: &str, to: &str) -> Verdict {
    verdict(
        A,
        "net:download",
        format!("Downloads from {host} into {to}."),
    )
}

/// Commands run on another host, or a shell controlled from it.
pub(super) fn remote_exec(host: &str, reverse_shell: bool) -> Verdict {
    if reverse_shell {
        verdict(
            C,
            "net:reverse-shell",
            format!("Opens a shell controlled from {host}."),
        )
    } else {
        verdict(A, "net:remote-exec", format!("Runs commands on {host}."))
    }
}

/// Downloaded code piped into an interpreter (`curl … | sh`).
pub(super) fn download_exec(source: &str, interpreter: &str) -> Verdict {
    verdict(
        C,
        "net:pipe-to-shell",
        format!("Runs code downloaded from {source} with {interpreter}, unseen."),
    )
}

/// The local machine, by name or loopback address.
pub(crate) fn is_local_host(h: &str) -> bool {
    let h = h.trim_start_matches('[').trim_end_matches(']');
    matches!(
        h,
        "localhost" | "127.0.0.1" | "::1" | "0.0.0.0" | "host.docker.internal"
    ) || h.starts_with("127.")
        || h.ends_with(".localhost")
}
