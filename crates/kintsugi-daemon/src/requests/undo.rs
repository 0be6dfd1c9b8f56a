//! `undo` (restore a command's or a session's snapshots, or one snapshot
//! into another directory) and `gc` (drop snapshots past their budget).
//! Every restore is recorded, refused ones too.

use crate::events::{commit, peer_event};
use crate::peer::Peer;
use crate::state::State;
use kintsugi_protocol::Response;
use std::path::PathBuf;

/// What an `undo` request names.
pub(crate) struct UndoTarget {
    pub id: Option<String>,
    pub session: Option<String>,
    pub force: bool,
    pub to: Option<String>,
}

/// Answer `undo`.
pub(crate) async fn undo(state: &State, peer: Peer, target: UndoTarget) -> Response {
    let UndoTarget {
        id,
        session,
        force,
        to,
    } = target;
    if to.is_some() && session.is_some() {
        return Response::error(
            "undo `to` restores one snapshot; name it by id instead of a session",
        );
    }
    let to = to.map(PathBuf::from);
    let targets = match state.snapshots.targets(id.as_deref(), session.as_deref()) {
        Ok(t) => t,
        Err(e) => return Response::error(e),
    };
    let mut text = String::new();
    for snap in targets {
        // What undo writes is no change behind Kintsugi's back.
        let written = match &to {
            Some(dir) => vec![kintsugi_snapshot::PlannedPath {
                path: dir.clone(),
                recursive: true,
                action: "restores",
            }],
            None => state.snapshots.roots(&snap),
        };
        state
            .recent
            .note(&format!("kintsugi undo {snap}"), &written);
        let result = state.snapshots.undo(&snap, force, to.clone()).await;
        let (reason, failed) = match &result {
            Ok(report) => (format!("undo of snapshot {snap}: {report}"), false),
            Err(e) => (format!("undo of snapshot {snap} refused: {e}"), true),
        };
        let mut e = peer_event("undo", peer, &snap, reason.clone());
        e.snapshot = Some(snap.clone());
        let _ = commit(state, e).await;
        if failed {
            return Response::error(format!("{text}{reason}"));
        }
        text.push_str(&reason);
        text.push('\n');
    }
    Response::Report { text }
}

/// Answer `gc`.
pub(crate) async fn gc(state: &State, peer: Peer) -> Response {
    match state.snapshots.gc(&state.config).await {
        Ok(text) => {
            let _ = commit(state, peer_event("gc", peer, "gc", text.clone())).await;
            Response::Report { text }
        }
        Err(e) => Response::error(format!("snapshot GC failed: {e}")),
    }
}
