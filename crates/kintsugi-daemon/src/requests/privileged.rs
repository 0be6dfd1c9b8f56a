//! The privileged requests: the ones that let a held command through or
//! keep it out (`approve`, `deny`, `resolve`), take back what ran
//! (`undo`), release the kill switch (`resume`), stop the daemon
//! (`shutdown`), loosen or replace what guards it (`setmode`,
//! `vaultupdate`, `authorize`) or choose who may approve (`setpin`).
//! Every one of them is answered through [`serve`]: a check that applies
//! to all privileged requests belongs at its top, in one place.
//!
//! Each kind keeps its own proof on top of that: the admin vault's gate
//! (`vault.rs`), the human proof of an approval (`approve.rs`), the PIN
//! rules (`pin.rs`).

use crate::peer::Peer;
use crate::requests::{After, admin, approve, pin, relay, undo, vault};
use crate::state::State;
use kintsugi_protocol::{Request, Response};

/// Answer a privileged request from `peer` (`requests::handle` names the
/// kinds it sends here).
pub(crate) async fn serve(state: &State, peer: Peer, req: Request) -> (Response, After) {
    let response = match req {
        Request::Approve {
            id,
            remember,
            nonce,
            proof,
            relayed_for,
            pin,
            ..
        } => {
            if let Err(resp) = relay::check(state, peer, &id, relayed_for.as_deref()).await {
                return (resp, After::Continue);
            }
            match vault::approve_gate(state, peer, &id, nonce, proof).await {
                Ok(proven) => {
                    let keep = remember.unwrap_or(false);
                    approve::answer_held(state, peer, &id, true, keep, proven, pin).await
                }
                Err(resp) => resp,
            }
        }
        Request::Deny { id, remember } => {
            let keep = remember.unwrap_or(false);
            approve::answer_held(state, peer, &id, false, keep, false, None).await
        }
        Request::Resolve {
            command,
            decision,
            remember,
            pin,
        } => approve::resolve(state, peer, command, decision, remember, pin).await,
        Request::Undo {
            id,
            session,
            force,
            to,
        } => {
            let target = undo::UndoTarget {
                id,
                session,
                force,
                to,
            };
            undo::undo(state, peer, target).await
        }
        Request::Resume { nonce, proof } => admin::resume(state, peer, nonce, proof).await,
        Request::Shutdown { op, nonce, proof } => {
            match admin::shutdown(state, peer, &op, nonce, proof).await {
                Ok(()) => return (Response::Ack, After::Close),
                Err(resp) => resp,
            }
        }
        Request::SetMode { mode, nonce, proof } => {
            vault::set_mode(state, peer, &mode, nonce, proof).await
        }
        Request::VaultUpdate {
            op,
            vault: text,
            nonce,
            proof,
        } => vault::update(state, peer, &op, &text, nonce, proof).await,
        Request::Authorize { op, nonce, proof } => {
            vault::authorize(state, peer, &op, nonce, proof).await
        }
        Request::SetPin { pin, current } => pin::set_pin(state, peer, pin, current).await,
        // `requests::handle` sends only the kinds above here.
        _ => Response::error("a request that is not privileged reached the privileged gate"),
    };
    (response, After::Continue)
}
