//! Secrets never reach disk: every command the daemon is handed is judged
//! as it is, then scrubbed (`kintsugi_protocol::redact`) before anything is
//! stored, hashed, queued, snapshotted or logged. Sentences derived from the
//! command (reason, summary, preview) are scrubbed too, since they may quote
//! a URL or an argument.

use kintsugi_protocol::{ProposedCommand, redact, redact_command};

/// `cmd` with secret values in `raw` and `argv` replaced by the marker.
pub fn command(mut cmd: ProposedCommand) -> ProposedCommand {
    redact_command(&mut cmd);
    cmd
}

/// `text` with secret values replaced by the marker.
pub fn text(text: String) -> String {
    match redact(&text) {
        std::borrow::Cow::Borrowed(_) => text,
        std::borrow::Cow::Owned(t) => t,
    }
}
