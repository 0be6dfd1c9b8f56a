//! The queue as clients read it: `listpending`, `pendingstatus`, and
//! `wait` (block until a held command is decided, expires or the wait
//! ends).

use crate::state::State;
use kintsugi_protocol::{DEFAULT_WAIT_MS, MAX_WAIT_MS, PendingState, Response};

/// Answer `listpending`.
pub(crate) fn list(state: &State) -> Response {
    Response::PendingList {
        items: state.queue.pending(),
    }
}

/// Answer `pendingstatus`.
pub(crate) fn status(state: &State, id: &str) -> Response {
    Response::Pending {
        status: state.queue.status(id),
    }
}

/// Answer `wait`: at most `timeout_ms` (default [`DEFAULT_WAIT_MS`], capped
/// at [`MAX_WAIT_MS`]).
pub(crate) async fn wait(state: &State, id: &str, timeout_ms: Option<u64>) -> Response {
    let ms = timeout_ms.unwrap_or(DEFAULT_WAIT_MS).min(MAX_WAIT_MS);
    let Some(mut rx) = state.queue.watch(id) else {
        return Response::Pending {
            status: PendingState::Gone,
        };
    };
    let decided = async {
        loop {
            if *rx.borrow_and_update() != PendingState::Pending {
                return;
            }
            if rx.changed().await.is_err() {
                return;
            }
        }
    };
    let _ = tokio::time::timeout(std::time::Duration::from_millis(ms), decided).await;
    Response::Pending {
        status: state.queue.status(id),
    }
}
