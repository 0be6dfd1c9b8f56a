//! `setpin`: set, change or clear the approval PIN. Changing or clearing
//! needs the current PIN (with its lockout). Setting the first one, or a
//! new one after it was lost, needs what an approval without a PIN needs:
//! a human at a terminal (`human_proof.rs`, with no held command), so a
//! process without a terminal, or one forked away from its terminal's
//! shell, cannot choose the PIN for the human. Every outcome is recorded.

use crate::approval_pin::{PinCheck, PinState, check_new_pin};
use crate::events::{ack, commit, peer_event};
use crate::human_proof::terminal_test;
use crate::peer::Peer;
use crate::state::State;
use kintsugi_protocol::Response;

async fn refuse(state: &State, peer: Peer, why: String, detail: Option<String>) -> Response {
    let mut e = peer_event(
        crate::approval_pin::PIN_KIND,
        peer,
        "setpin",
        format!("approval PIN change refused: {why}"),
    );
    e.decision = Some("deny".into());
    e.detail = detail;
    let _ = commit(state, e).await;
    Response::error(format!("approval PIN change refused: {why}"))
}

/// Answer `setpin`.
pub(crate) async fn set_pin(
    state: &State,
    peer: Peer,
    pin: Option<String>,
    current: Option<String>,
) -> Response {
    if let Some(p) = &pin
        && let Err(why) = check_new_pin(p)
    {
        return Response::error(why);
    }
    let mut detail = None;
    match state.pin.state() {
        PinState::Set(_) => {
            let Some(cur) = current else {
                return refuse(
                    state,
                    peer,
                    "an approval PIN is set: changing or clearing it needs the current PIN".into(),
                    None,
                )
                .await;
            };
            match state.pin.check(&cur).await {
                PinCheck::Right => {}
                PinCheck::Wrong(why) | PinCheck::Refused(why) => {
                    return refuse(state, peer, why, None).await;
                }
            }
        }
        PinState::Unset | PinState::Lost(_) => {
            if pin.is_none() {
                return Response::error("no approval PIN is set; there is nothing to clear");
            }
            let v = terminal_test(peer.pid);
            let d = v.to_json().to_string();
            if let Err(why) = &v.proof {
                return refuse(
                    state,
                    peer,
                    format!("{why}; set the first approval PIN at your own terminal (`kintsugi admin set-pin`)"),
                    Some(serde_json::json!({ "approver": v.to_json() }).to_string()),
                )
                .await;
            }
            detail = Some(d);
        }
    }
    match state.pin.replace(pin.as_deref()).await {
        Ok(mut e) => {
            e.agent = "cli".into();
            e.peer_pid = peer.pid;
            e.peer_uid = Some(peer.uid);
            if let Some(d) = detail {
                let mut v: serde_json::Value =
                    serde_json::from_str(e.detail.as_deref().unwrap_or("{}")).unwrap_or_default();
                v["approver"] = serde_json::from_str(&d).unwrap_or_default();
                e.detail = Some(v.to_string());
            }
            ack(commit(state, e).await)
        }
        Err(why) => Response::error(why),
    }
}
