//! The privileged requests, answered against the vault the daemon holds
//! (`vault_guard`): `authbegin`, the proof gate every privileged request
//! passes, `approve` with a proof, `setmode`, `vaultupdate`, `authorize`.
//! Every proof attempt is recorded in the ledger.

use crate::auth;
use crate::peer::Peer;
use crate::state::State;
use crate::vault_guard::{Gate, Held, admin_event, degraded_message, parse_mode, rank};
use kintsugi_ledger::NewEvent;
use kintsugi_protocol::Response;
use kintsugi_vault::Vault;
use kintsugi_vault::lockout::unix_now;
use kintsugi_vault::store;

/// Ops a `vaultupdate` may carry.
const UPDATE_OPS: &[&str] = &["config", "passwd", "recover"];
/// Ops an `authorize` may carry.
const AUTHORIZE_OPS: &[&str] = &["uninstall"];

async fn record(state: &State, e: NewEvent) {
    let _ = state.writer.append(e).await;
}

/// `authbegin {op}`.
pub async fn challenge(state: &State, peer: Peer, op: &str) -> Response {
    let adopted = state.admin.adopt_if_unlocked();
    if !adopted.is_empty() {
        for e in adopted {
            record(state, e).await;
        }
        state.admin.apply_mode(&state.engine);
    }
    let refusal = {
        let mut inner = state.admin.lock();
        let inner = &mut *inner;
        match &inner.held {
            Held::Unlocked => return auth::unlocked_challenge(),
            Held::Degraded(why) => degraded_message(why),
            Held::Locked { vault, .. } => {
                let wait = inner.lockout.wait_secs(unix_now());
                if wait == 0 {
                    let salt = if op == "recover" {
                        &vault.recovery_salt
                    } else {
                        &vault.salt
                    };
                    return Response::Challenge {
                        locked: true,
                        nonce: inner.challenges.issue(op),
                        salt: salt.clone(),
                        params: vault.kdf.clone(),
                    };
                }
                format!(
                    "locked out after {} failed attempts; try again in {wait} s",
                    inner.lockout.failures
                )
            }
        }
    };
    record(
        state,
        admin_event(
            Some(peer),
            op,
            format!("challenge for `{op}` refused: {refusal}"),
            Some(false),
        ),
    )
    .await;
    Response::error(refusal)
}

/// Check (and record) a proof for `op`. `Err` is the response to send.
pub async fn gate(
    state: &State,
    peer: Peer,
    op: &str,
    nonce: Option<String>,
    proof: Option<String>,
) -> Result<Gate, Response> {
    let adopted = state.admin.adopt_if_unlocked();
    if !adopted.is_empty() {
        for e in adopted {
            record(state, e).await;
        }
        state.admin.apply_mode(&state.engine);
    }
    let nonce = nonce.unwrap_or_default();
    let proof = proof.unwrap_or_default();
    match state.admin.check(op, &nonce, &proof) {
        Ok((Gate::Open, _)) => Ok(Gate::Open),
        Ok((gate, notes)) => {
            for n in notes {
                record(state, admin_event(Some(peer), "vault", n, None)).await;
            }
            record(
                state,
                admin_event(
                    Some(peer),
                    op,
                    format!("`{op}` authorised by the admin password"),
                    Some(true),
                ),
            )
            .await;
            Ok(gate)
        }
        Err(why) => {
            record(
                state,
                admin_event(
                    Some(peer),
                    op,
                    format!("`{op}` refused: {why}"),
                    Some(false),
                ),
            )
            .await;
            Err(Response::error(format!("refused: {why}")))
        }
    }
}

/// `approve` with optional proof: Ok(true) when a proof stands in for the
/// terminal, Ok(false) when the usual checks apply.
pub async fn approve_gate(
    state: &State,
    peer: Peer,
    id: &str,
    nonce: Option<String>,
    proof: Option<String>,
) -> Result<bool, Response> {
    let op = format!("approve:{id}");
    if nonce.is_some() || proof.is_some() || state.admin.approvals_need_password() {
        return gate(state, peer, &op, nonce, proof)
            .await
            .map(|g| g == Gate::Proven);
    }
    Ok(false)
}

/// `setmode`: tightening is free, loosening needs a proof for `config`.
pub async fn set_mode(
    state: &State,
    peer: Peer,
    word: &str,
    nonce: Option<String>,
    proof: Option<String>,
) -> Response {
    let Some(mode) = parse_mode(word) else {
        return Response::error(format!(
            "unknown mode {word:?}; use attended, unattended or notify"
        ));
    };
    let current = state.engine.mode();
    if rank(mode) < rank(current)
        && let Err(resp) = gate(state, peer, "config", nonce, proof).await
    {
        return resp;
    }
    state.admin.lock().runtime_mode = Some(mode);
    state.admin.apply_mode(&state.engine);
    let now = state.engine.mode();
    let text = if now == mode {
        format!(
            "mode is now {} (was {}) for this daemon run",
            mode.as_str(),
            current.as_str()
        )
    } else {
        format!(
            "mode {} requested, but the admin vault's floor keeps it at {}; `kintsugi admin set mode-floor` changes the floor",
            mode.as_str(),
            now.as_str()
        )
    };
    record(
        state,
        admin_event(Some(peer), "setmode", text.clone(), Some(true)),
    )
    .await;
    Response::Report { text }
}

/// `vaultupdate`: install a new vault under a proof made with the old one.
pub async fn update(
    state: &State,
    peer: Peer,
    op: &str,
    text: &str,
    nonce: String,
    proof: String,
) -> Response {
    if !UPDATE_OPS.contains(&op) {
        return Response::error(format!(
            "`vaultupdate` op must be one of {UPDATE_OPS:?}, not {op:?}"
        ));
    }
    let new = match Vault::from_bytes(text.as_bytes()) {
        Ok(v) => v,
        Err(e) => return Response::error(format!("the new vault is not valid: {e}")),
    };
    match gate(state, peer, op, Some(nonce), Some(proof)).await {
        Ok(Gate::Proven) => {}
        Ok(Gate::Open) => {
            return Response::error(
                "no admin vault is provisioned; `kintsugi admin provision` creates one",
            );
        }
        Err(resp) => return resp,
    }
    let fp = match store::install(&state.admin.data_dir, &new) {
        Ok(fp) => fp,
        Err(e) => return Response::error(e.to_string()),
    };
    state.admin.lock().held = Held::Locked {
        vault: Box::new(new),
        fp: fp.clone(),
    };
    state.admin.apply_mode(&state.engine);
    record(
        state,
        admin_event(
            Some(peer),
            op,
            format!("admin vault replaced by `{op}` (fingerprint {fp})"),
            Some(true),
        ),
    )
    .await;
    record(state, crate::vault_guard::provisioned_event(&fp)).await;
    Response::Ack
}

/// `authorize`: check and record a proof before a client-side privileged act.
pub async fn authorize(
    state: &State,
    peer: Peer,
    op: &str,
    nonce: String,
    proof: String,
) -> Response {
    if !AUTHORIZE_OPS.contains(&op) {
        return Response::error(format!(
            "`authorize` op must be one of {AUTHORIZE_OPS:?}, not {op:?}"
        ));
    }
    match gate(state, peer, op, Some(nonce), Some(proof)).await {
        Ok(_) => {
            record(
                state,
                admin_event(Some(peer), op, format!("`{op}` allowed"), Some(true)),
            )
            .await;
            Response::Ack
        }
        Err(resp) => resp,
    }
}
