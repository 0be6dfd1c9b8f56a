//! Correlating what the filesystem watcher saw with what Kintsugi let run.
//! Every allowed or recorded command leaves the paths its effects touch
//! here for [`WINDOW`]; a watched change under one of them is "explained",
//! any other change is "unexplained" (it bypassed interception, or came
//! from a tool Kintsugi does not see, such as an editor or an agent's own
//! file-writing tool).

use crate::peer::Peer;
use crate::state::State;
use kintsugi_ledger::NewEvent;
use kintsugi_protocol::{Change, Observation};
use kintsugi_snapshot::PlannedPath;
use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long an allowed command explains changes under its paths.
pub const WINDOW: Duration = Duration::from_secs(120);
/// Most remembered commands.
const MAX_RECENT: usize = 1024;

struct Touch {
    at: Instant,
    line: String,
    path: PathBuf,
    recursive: bool,
}

/// Paths recently allowed commands touch.
#[derive(Default)]
pub struct Recent(Mutex<VecDeque<Touch>>);

impl Recent {
    /// Remember that `line` (already redacted) may touch `paths`.
    pub fn note(&self, line: &str, paths: &[PlannedPath]) {
        let Ok(mut q) = self.0.lock() else { return };
        let now = Instant::now();
        for p in paths {
            q.push_back(Touch {
                at: now,
                line: line.to_string(),
                path: p.path.clone(),
                recursive: p.recursive,
            });
        }
        while q.len() > MAX_RECENT || q.front().is_some_and(|t| now - t.at > WINDOW) {
            q.pop_front();
        }
    }

    /// The command line that explains a change at `path`, if any.
    pub fn explains(&self, path: &Path) -> Option<String> {
        let q = self.0.lock().ok()?;
        let now = Instant::now();
        q.iter()
            .rev()
            .filter(|t| now - t.at <= WINDOW)
            .find(|t| {
                path == t.path
                    || (t.recursive && path.starts_with(&t.path))
                    || t.path.starts_with(path)
            })
            .map(|t| t.line.clone())
    }
}

/// Most degraded-watch notes `status` keeps (newest kept).
pub const MAX_DEGRADED_NOTES: usize = 8;

/// The ledger event for a watched change. A degraded watch is also kept
/// for `status` (as a warning) until the daemon restarts.
pub fn event(state: &State, peer: Peer, obs: Observation) -> NewEvent {
    let mut reason = match &obs.degraded {
        Some(why) => {
            let note = format!("watcher degraded under {}: {why}", obs.path);
            state.note_degraded(note.clone());
            format!("{note}; changes in that window may be missing from the record")
        }
        None => reason(
            state,
            obs.change,
            &obs.path,
            obs.count,
            obs.summary.as_deref(),
        ),
    };
    if let Some(at) = &obs.seen_at {
        reason = format!("{reason} (seen at {at} while the daemon was down; recorded late)");
    }
    let mut e = crate::events::peer_event("observe", peer, &obs.path, reason);
    e.agent = "watcher".into();
    e.detail = Some(
        serde_json::json!({
            "change": obs.change.as_str(),
            "count": obs.count,
            "degraded": obs.degraded,
            "seen_at": obs.seen_at,
        })
        .to_string(),
    );
    e
}

/// The ledger reason for a watched change.
pub fn reason(
    state: &State,
    change: Change,
    path: &str,
    count: Option<u64>,
    summary: Option<&str>,
) -> String {
    let what = match count {
        Some(n) if n > 1 => format!("{n} paths {} under {path}", change.as_str()),
        _ => format!("{path} {}", change.as_str()),
    };
    let extra = summary.map(|s| format!(" ({s})")).unwrap_or_default();
    match state.recent.explains(Path::new(path)) {
        Some(line) => {
            format!("explained filesystem change: {what}{extra}; by the allowed command `{line}`")
        }
        None => format!(
            "unexplained filesystem change: {what}{extra}; no allowed or recorded command touched it"
        ),
    }
}
