//! Who may use the control room: a one-time login token (in the URL that
//! `kintsugi web` prints) is traded for a session secret kept in an
//! HttpOnly SameSite=Strict cookie; every write also carries a CSRF token
//! the page reads from `/api/session`. The Host and Origin headers must
//! name this loopback server (no DNS rebinding, no cross-site posts).

use crate::http::{Request, Response};
use std::sync::Mutex;
use subtle::ConstantTimeEq;

/// Name of the session cookie.
pub const COOKIE: &str = "kintsugi_session";
/// Header that carries the CSRF token on writes.
pub const CSRF_HEADER: &str = "x-kintsugi-csrf";
/// Random bytes in each secret (shown as twice as many hex digits).
pub const SECRET_BYTES: usize = 32;

/// The secrets of one server run.
pub struct Auth {
    port: u16,
    login: Mutex<Option<String>>,
    session: String,
    csrf: String,
}

fn random_hex() -> std::io::Result<String> {
    let mut b = [0u8; SECRET_BYTES];
    getrandom::fill(&mut b).map_err(|e| std::io::Error::other(e.to_string()))?;
    Ok(hex::encode(b))
}

fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

impl Auth {
    pub fn new(port: u16) -> std::io::Result<Auth> {
        Ok(Auth {
            port,
            login: Mutex::new(Some(random_hex()?)),
            session: random_hex()?,
            csrf: random_hex()?,
        })
    }

    /// The path of the one-time login link (`/login/TOKEN`), while unused.
    pub fn login_path(&self) -> Option<String> {
        let t = self.login.lock().unwrap_or_else(|e| e.into_inner());
        t.as_ref().map(|t| format!("/login/{t}"))
    }

    pub fn csrf(&self) -> &str {
        &self.csrf
    }

    /// `GET /login/TOKEN`: spend the token, set the cookie, go to the page.
    pub fn login(&self, token: &str) -> Response {
        let mut slot = self.login.lock().unwrap_or_else(|e| e.into_inner());
        match slot.as_deref() {
            Some(t) if same(t, token) => {
                *slot = None;
                Response::new(303, "text/plain", "logged in; go to /\n")
                    .with_header("Location", "/")
                    .with_header(
                        "Set-Cookie",
                        format!(
                            "{COOKIE}={}; HttpOnly; SameSite=Strict; Path=/",
                            self.session
                        ),
                    )
            }
            Some(_) => Response::new(
                403,
                "text/plain",
                "this login link is not valid; open the login URL that `kintsugi web` printed\n",
            ),
            None => Response::new(
                403,
                "text/plain",
                "this login link was already used (each one works once); restart `kintsugi web` for a new one\n",
            ),
        }
    }

    /// `Err` (421-style 403) unless the Host header names this server.
    pub fn check_host(&self, req: &Request) -> Result<(), Response> {
        let ok = req.header("host").is_some_and(|h| self.is_this_server(h));
        if ok {
            Ok(())
        } else {
            Err(Response::error(
                403,
                format!(
                    "the Host header must be 127.0.0.1:{0} or localhost:{0}; open the URL `kintsugi web` printed",
                    self.port
                ),
            ))
        }
    }

    fn is_this_server(&self, host: &str) -> bool {
        host == format!("127.0.0.1:{}", self.port) || host == format!("localhost:{}", self.port)
    }

    /// `Err(401)` unless the request carries the session cookie.
    pub fn check_session(&self, req: &Request) -> Result<(), Response> {
        let found = req
            .headers
            .iter()
            .filter(|(n, _)| n == "cookie")
            .flat_map(|(_, v)| v.split(';'))
            .filter_map(|c| c.trim().split_once('='))
            .any(|(n, v)| n == COOKIE && same(v, &self.session));
        if found {
            Ok(())
        } else {
            Err(Response::error(
                401,
                "no valid session: open the one-time login URL that `kintsugi web` printed",
            ))
        }
    }

    /// `Err(403)` unless a write carries the CSRF token and, when the
    /// browser names an Origin, it is this server.
    pub fn check_write(&self, req: &Request) -> Result<(), Response> {
        if let Some(origin) = req.header("origin") {
            let host = origin.strip_prefix("http://").unwrap_or("");
            if !self.is_this_server(host) {
                return Err(Response::error(
                    403,
                    format!("writes from origin `{origin}` are refused"),
                ));
            }
        }
        match req.header(CSRF_HEADER) {
            Some(t) if same(t, &self.csrf) => Ok(()),
            Some(_) => Err(Response::error(403, "wrong CSRF token")),
            None => Err(Response::error(
                403,
                format!("a write needs the `{CSRF_HEADER}` header (from GET /api/session)"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(headers: &[(&str, &str)]) -> Request {
        Request {
            method: "POST".into(),
            path: "/".into(),
            query: vec![],
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            body: vec![],
        }
    }

    #[test]
    fn the_login_link_works_once_and_sets_a_strict_http_only_cookie() {
        let a = Auth::new(4000).unwrap();
        let path = a.login_path().unwrap();
        let token = path.strip_prefix("/login/").unwrap();
        assert_eq!(a.login("nope").status, 403);
        let ok = a.login(token);
        assert_eq!(ok.status, 303);
        let cookie = &ok
            .headers
            .iter()
            .find(|(n, _)| n == "Set-Cookie")
            .unwrap()
            .1;
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
        let again = a.login(token);
        assert_eq!(again.status, 403);
        assert!(
            String::from_utf8(again.body)
                .unwrap()
                .contains("already used")
        );
        assert!(a.login_path().is_none());
        let value = cookie.split(';').next().unwrap().to_string();
        assert!(a.check_session(&req(&[("cookie", &value)])).is_ok());
        assert_eq!(
            a.check_session(&req(&[("cookie", "kintsugi_session=x")]))
                .unwrap_err()
                .status,
            401
        );
    }

    #[test]
    fn writes_need_the_csrf_token_and_this_origin() {
        let a = Auth::new(4000).unwrap();
        let t = a.csrf().to_string();
        assert!(a.check_write(&req(&[(CSRF_HEADER, &t)])).is_ok());
        assert!(
            a.check_write(&req(&[
                (CSRF_HEADER, &t),
                ("origin", "http://127.0.0.1:4000")
            ]))
            .is_ok()
        );
        assert_eq!(a.check_write(&req(&[])).unwrap_err().status, 403);
        assert_eq!(
            a.check_write(&req(&[(CSRF_HEADER, "bad")]))
                .unwrap_err()
                .status,
            403
        );
        assert_eq!(
            a.check_write(&req(&[
                (CSRF_HEADER, &t),
                ("origin", "http://evil.example")
            ]))
            .unwrap_err()
            .status,
            403
        );
        assert!(a.check_host(&req(&[("host", "localhost:4000")])).is_ok());
        assert!(
            a.check_host(&req(&[("host", "evil.example:4000")]))
                .is_err()
        );
        assert!(a.check_host(&req(&[])).is_err());
    }
}
