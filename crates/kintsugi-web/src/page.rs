//! The page set built into the binary: one HTML page, its script and its
//! style (vanilla JS, no CDN, no build step), and the 401 page that tells
//! a visitor without a session how to log in.

use crate::http::Response;

pub const INDEX_HTML: &str = include_str!("page/index.html");
pub const APP_JS: &str = include_str!("page/app.js");
pub const STYLE_CSS: &str = include_str!("page/style.css");

/// Shown (401) to a browser without a session.
pub const LOGIN_NEEDED: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Kintsugi: log in</title></head><body><h1>Log in first</h1><p>Open the one-time login URL that <code>kintsugi web</code> printed in its terminal. Each link works once; restart <code>kintsugi web</code> for a new one.</p></body></html>";

/// The built-in file at `path`, if there is one.
pub fn asset(path: &str) -> Option<Response> {
    let (ty, body) = match path {
        "/" | "/index.html" => ("text/html; charset=utf-8", INDEX_HTML),
        "/app.js" => ("text/javascript; charset=utf-8", APP_JS),
        "/style.css" => ("text/css; charset=utf-8", STYLE_CSS),
        _ => return None,
    };
    Some(Response::new(200, ty, body))
}
