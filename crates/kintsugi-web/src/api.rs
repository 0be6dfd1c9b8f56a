//! Routing: the login link, the built-in page, the JSON API and the live
//! stream. Every request must name this server in Host; everything but the
//! login link needs the session cookie (401); every write needs the CSRF
//! token (403). Approvals name the browser process to the daemon.

use crate::auth::Auth;
use crate::data::{self, EventQuery, Places};
use crate::http::{Request, Response};
use crate::{page, procnet};
use kintsugi_protocol::{Request as Ask, Response as Answer};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::broadcast;

/// Longest pending or snapshot id accepted in a path.
pub const MAX_ID_CHARS: usize = 128;

/// Shared by every connection.
pub struct Ctx {
    pub auth: Auth,
    pub places: Places,
    pub live: broadcast::Sender<Arc<str>>,
}

/// What to do with a request.
pub enum Routed {
    Answer(Response),
    /// Switch the connection to the live event stream.
    Live,
}

fn valid_id(id: &str) -> Result<&str, Response> {
    let ok = !id.is_empty()
        && id.chars().count() <= MAX_ID_CHARS
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'));
    if ok {
        Ok(id)
    } else {
        Err(Response::error(
            400,
            format!(
                "`{id}` is not an id: use letters, digits, `-`, `_`, `.`, `:` (at most {MAX_ID_CHARS})"
            ),
        ))
    }
}

/// A daemon error as an HTTP answer: refusals 403, unreachable 502, the
/// rest (unknown or already decided ids, …) 409.
fn daemon_error(message: String) -> Response {
    let status = if message.starts_with("cannot reach the daemon") {
        502
    } else if message.contains("refused") {
        403
    } else {
        409
    };
    Response::error(status, message)
}

fn answer(r: Result<Value, String>) -> Response {
    match r {
        Ok(v) => Response::json(200, &v),
        Err(e) => daemon_error(e),
    }
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, String> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| format!("internal task failed: {e}"))
}

/// Answer `req`, which arrived from `peer` on `local`.
pub async fn route(ctx: &Ctx, req: &Request, peer: SocketAddr, local: SocketAddr) -> Routed {
    Routed::Answer(match route_inner(ctx, req, peer, local).await {
        Ok(Some(r)) | Err(r) => r,
        Ok(None) => return Routed::Live,
    })
}

async fn route_inner(
    ctx: &Ctx,
    req: &Request,
    peer: SocketAddr,
    local: SocketAddr,
) -> Result<Option<Response>, Response> {
    ctx.auth.check_host(req)?;
    let path = req.path.as_str();
    if let Some(token) = path.strip_prefix("/login/") {
        return Ok(Some(ctx.auth.login(token)));
    }
    if let Err(mut unauthorized) = ctx.auth.check_session(req) {
        if !path.starts_with("/api/") {
            unauthorized = Response::new(401, "text/html; charset=utf-8", page::LOGIN_NEEDED);
        }
        return Err(unauthorized);
    }
    let write = req.method == "POST";
    if !write && req.method != "GET" {
        return Err(Response::error(
            405,
            format!("method {} is not served", req.method),
        ));
    }
    if write {
        ctx.auth.check_write(req)?;
        return writes(ctx, req, peer, local).await.map(Some);
    }
    if let Some(asset) = page::asset(path) {
        return Ok(Some(asset));
    }
    let places = ctx.places.clone();
    let r = match path {
        "/api/session" => Response::json(200, &json!({ "csrf": ctx.auth.csrf() })),
        "/api/live" => return Ok(None),
        "/api/status" => answer(
            match data::ask_async(places.socket.clone(), Ask::Status).await {
                Ok(Answer::Status(s)) => Ok(json!({
                    "daemon": s,
                    "web": { "data_dir": places.data_dir, "socket": places.socket },
                })),
                Ok(other) => Err(format!("unexpected answer to status: {other:?}")),
                Err(e) => Err(e),
            },
        ),
        "/api/pending" => answer(
            match data::ask_async(places.socket.clone(), Ask::ListPending).await {
                Ok(Answer::PendingList { items }) => Ok(json!({ "items": items })),
                Ok(other) => Err(format!("unexpected answer to listpending: {other:?}")),
                Err(e) => Err(e),
            },
        ),
        "/api/events" => {
            let q = EventQuery::parse(|n| req.param(n).map(str::to_string))
                .map_err(|e| Response::error(400, e))?;
            answer(
                blocking(move || data::events(&places.data_dir, &q))
                    .await
                    .and_then(|r| r),
            )
        }
        "/api/agents" => answer(
            blocking(move || data::agents(&places))
                .await
                .and_then(|r| r),
        ),
        "/api/snapshots" => answer(
            blocking(move || data::snapshots(&places.data_dir))
                .await
                .and_then(|r| r),
        ),
        "/api/pending/" | "/api/events/" => Response::error(404, "no such page"),
        _ if path.starts_with("/api/") => Response::error(
            404,
            format!(
                "no API at `{path}` (GET: session, status, pending, events, agents, snapshots, live; POST: approve/ID, deny/ID, undo/SNAPSHOT, verify)"
            ),
        ),
        _ => Response::error(404, format!("no page at `{path}`")),
    };
    Ok(Some(r))
}

/// The body of an approval: `{"pin": "…"}` (optional) and `remember`.
#[derive(serde::Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ApproveBody {
    #[serde(default)]
    pin: Option<String>,
    #[serde(default)]
    remember: Option<bool>,
}

/// The daemon request for approving `id` for the browser processes `pids`,
/// with the approval PIN the human typed on the page (the daemon checks it;
/// an empty field is no PIN).
fn approval_request(id: &str, pids: Vec<u32>, body: ApproveBody) -> Result<Ask, Response> {
    Ok(Ask::Approve {
        id: id.to_string(),
        remember: body.remember,
        nonce: None,
        proof: None,
        progress: None,
        relayed_for: Some(pids),
        pin: body.pin.filter(|p| !p.is_empty()),
    })
}

async fn writes(
    ctx: &Ctx,
    req: &Request,
    peer: SocketAddr,
    local: SocketAddr,
) -> Result<Response, Response> {
    let socket = ctx.places.socket.clone();
    let path = req.path.as_str();
    if let Some(id) = path.strip_prefix("/api/approve/") {
        let id = valid_id(id)?;
        let body: ApproveBody = if req.body.iter().all(u8::is_ascii_whitespace) {
            ApproveBody::default()
        } else {
            serde_json::from_slice(&req.body).map_err(|e| {
                Response::error(
                    400,
                    format!("the approval body must be JSON like {{\"pin\": \"…\"}}: {e}"),
                )
            })?
        };
        // The browser that owns this connection; none found is sent as an
        // empty list, which the daemon refuses and records.
        let pids = blocking(move || procnet::tcp_peer_pids(peer, local))
            .await
            .map_err(|e| Response::error(500, e))?;
        let ask = approval_request(id, pids, body)?;
        return Ok(match data::ask_async(socket, ask).await {
            Ok(_) => Response::json(200, &json!({ "approved": id })),
            Err(e) => daemon_error(e),
        });
    }
    if let Some(id) = path.strip_prefix("/api/deny/") {
        let id = valid_id(id)?;
        let ask = Ask::Deny {
            id: id.to_string(),
            remember: None,
        };
        return Ok(match data::ask_async(socket, ask).await {
            Ok(_) => Response::json(200, &json!({ "denied": id })),
            Err(e) => daemon_error(e),
        });
    }
    if let Some(id) = path.strip_prefix("/api/undo/") {
        let id = valid_id(id)?;
        let ask = Ask::Undo {
            id: Some(id.to_string()),
            session: None,
            force: false,
            to: None,
        };
        return Ok(match data::ask_async(socket, ask).await {
            Ok(Answer::Report { text }) => {
                Response::json(200, &json!({ "undone": id, "text": text }))
            }
            Ok(other) => {
                Response::json(200, &json!({ "undone": id, "text": format!("{other:?}") }))
            }
            Err(e) => daemon_error(e),
        });
    }
    if path == "/api/verify" {
        let dir = ctx.places.data_dir.clone();
        return blocking(move || data::verify_now(&dir))
            .await
            .map(|v| Response::json(200, &v))
            .map_err(|e| Response::error(500, e));
    }
    Err(Response::error(404, format!("no write at `{path}`")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_checked() {
        assert!(valid_id("ab12-cd").is_ok());
        assert_eq!(valid_id("../x").unwrap_err().status, 400);
        assert_eq!(valid_id("").unwrap_err().status, 400);
        assert!(valid_id(&"a".repeat(MAX_ID_CHARS + 1)).is_err());
    }

    #[test]
    fn the_pin_and_the_browser_pids_are_relayed() {
        let body = ApproveBody {
            pin: Some("1234".into()),
            remember: None,
        };
        let Ask::Approve { pin, .. } = approval_request("a", vec![1], body).unwrap() else {
            panic!("not an approve")
        };
        assert_eq!(pin.as_deref(), Some("1234"));
        let empty = ApproveBody {
            pin: Some(String::new()),
            remember: None,
        };
        let Ask::Approve { pin, .. } = approval_request("a", vec![1], empty).unwrap() else {
            panic!("not an approve")
        };
        assert_eq!(pin, None);
        let Ask::Approve { relayed_for, .. } =
            approval_request("a", vec![7, 8], ApproveBody::default()).unwrap()
        else {
            panic!("not an approve")
        };
        assert_eq!(relayed_for, Some(vec![7, 8]));
    }

    #[test]
    fn daemon_errors_map_to_statuses() {
        assert_eq!(daemon_error("approval refused: x".into()).status, 403);
        let down = "cannot reach the daemon at /s: Connection refused";
        assert_eq!(daemon_error(down.into()).status, 502);
        assert_eq!(daemon_error("`x` is not pending".into()).status, 409);
    }
}
