//! A small HTTP/1.1 reader and writer for the control room: one request per
//! connection (every answer says `Connection: close`), with limits on the
//! header block, the body and the time a client may take to send them.
//! Anything outside those limits or malformed gets a clear 4xx.

use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// Largest request line plus headers accepted (bytes); more answers 431.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;
/// Largest request body accepted (bytes); more answers 413.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Time a client has to send its whole request; slower answers 408.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Most headers in one request; more answers 431.
pub const MAX_HEADERS: usize = 64;

/// A parsed request.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// The path without the query, percent-decoded.
    pub path: String,
    /// Query parameters, percent-decoded, in order.
    pub query: Vec<(String, String)>,
    /// Header names lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    /// The first header named `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first query parameter named `name`, when not empty.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, v)| n == name && !v.is_empty())
            .map(|(_, v)| v.as_str())
    }
}

/// An answer; `body` is sent with a `Content-Length`.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Response {
        Response {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.into(),
        }
    }

    pub fn json(status: u16, value: &serde_json::Value) -> Response {
        Response::new(status, "application/json", value.to_string())
    }

    /// A JSON error `{"error": message}`.
    pub fn error(status: u16, message: impl Into<String>) -> Response {
        Response::json(status, &serde_json::json!({ "error": message.into() }))
    }

    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Response {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The status line, headers (with the security headers every answer
    /// carries) and body, as bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut head = format!("HTTP/1.1 {} {}\r\n", self.status, reason(self.status));
        for (n, v) in &self.headers {
            head.push_str(&format!("{n}: {v}\r\n"));
        }
        head.push_str(SECURITY_HEADERS);
        head.push_str(&format!(
            "Content-Length: {}\r\nConnection: close\r\n\r\n",
            self.body.len()
        ));
        let mut out = head.into_bytes();
        out.extend_from_slice(&self.body);
        out
    }
}

/// Sent with every answer: no framing, no sniffing, no referrer, no cache,
/// and only this origin's own scripts and styles.
pub const SECURITY_HEADERS: &str = "Content-Security-Policy: default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'\r\n\
X-Content-Type-Options: nosniff\r\n\
X-Frame-Options: DENY\r\n\
Referrer-Policy: no-referrer\r\n\
Cache-Control: no-store\r\n";

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        303 => "See Other",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        411 => "Length Required",
        413 => "Content Too Large",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

/// Write `resp` and shut the write side.
pub async fn write<W: AsyncWrite + Unpin>(w: &mut W, resp: &Response) -> std::io::Result<()> {
    w.write_all(&resp.to_bytes()).await?;
    w.flush().await?;
    w.shutdown().await
}

/// Read one request within [`REQUEST_TIMEOUT`]; `Err` is the answer to send.
pub async fn read<R: AsyncRead + Unpin>(r: &mut R) -> Result<Request, Response> {
    match tokio::time::timeout(REQUEST_TIMEOUT, read_inner(r)).await {
        Ok(result) => result,
        Err(_) => Err(Response::error(
            408,
            format!(
                "the request was not complete within {} s",
                REQUEST_TIMEOUT.as_secs()
            ),
        )),
    }
}

async fn read_inner<R: AsyncRead + Unpin>(r: &mut R) -> Result<Request, Response> {
    let mut buf: Vec<u8> = Vec::with_capacity(2048);
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = find(&buf, b"\r\n\r\n") {
            break i;
        }
        if buf.len() > MAX_HEADER_BYTES {
            return Err(too_large_header());
        }
        let n = r
            .read(&mut chunk)
            .await
            .map_err(|e| Response::error(400, format!("could not read the request: {e}")))?;
        if n == 0 {
            return Err(Response::error(
                400,
                "the connection closed before the request headers ended",
            ));
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    if head_end > MAX_HEADER_BYTES {
        return Err(too_large_header());
    }
    let head = std::str::from_utf8(&buf[..head_end])
        .map_err(|_| Response::error(400, "the request headers are not UTF-8"))?;
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or_default();
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Response::error(
            400,
            format!("malformed request line `{request_line}`: expected `METHOD /path HTTP/1.1`"),
        ));
    };
    if !version.starts_with("HTTP/1.") {
        return Err(Response::error(
            400,
            format!("unsupported protocol `{version}`: only HTTP/1.x is served"),
        ));
    }
    let mut headers = Vec::new();
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            return Err(Response::error(
                400,
                format!("malformed header line `{line}`"),
            ));
        };
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
        if headers.len() > MAX_HEADERS {
            return Err(Response::error(
                431,
                format!("more than {MAX_HEADERS} request headers"),
            ));
        }
    }
    let (raw_path, raw_query) = target.split_once('?').unwrap_or((target, ""));
    let path = percent_decode(raw_path)
        .ok_or_else(|| Response::error(400, "the path has invalid percent-encoding"))?;
    let mut query = Vec::new();
    for pair in raw_query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let (Some(k), Some(v)) = (percent_decode(k), percent_decode(v)) else {
            return Err(Response::error(
                400,
                "the query has invalid percent-encoding",
            ));
        };
        query.push((k, v));
    }
    let mut req = Request {
        method: method.to_string(),
        path,
        query,
        headers,
        body: Vec::new(),
    };
    if req.header("transfer-encoding").is_some() {
        return Err(Response::error(
            411,
            "chunked bodies are not accepted; send a Content-Length",
        ));
    }
    let len: usize = match req.header("content-length") {
        None => 0,
        Some(v) => v
            .parse()
            .map_err(|_| Response::error(400, format!("bad Content-Length `{v}`")))?,
    };
    if len > MAX_BODY_BYTES {
        return Err(Response::error(
            413,
            format!("the body is {len} bytes; at most {MAX_BODY_BYTES} are accepted"),
        ));
    }
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < len {
        let n = r
            .read(&mut chunk)
            .await
            .map_err(|e| Response::error(400, format!("could not read the body: {e}")))?;
        if n == 0 {
            return Err(Response::error(
                400,
                "the connection closed before the body ended",
            ));
        }
        body.extend_from_slice(&chunk[..n]);
    }
    body.truncate(len);
    req.body = body;
    Ok(req)
}

fn too_large_header() -> Response {
    Response::error(
        431,
        format!("the request headers exceed {MAX_HEADER_BYTES} bytes"),
    )
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Decode `%XX` escapes and `+` (as a space); `None` for a bad escape or
/// text that is not UTF-8.
pub fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = s.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn parse(raw: &[u8]) -> Result<Request, Response> {
        let mut r = raw;
        read(&mut r).await
    }

    #[tokio::test]
    async fn parses_a_request_with_query_and_body() {
        let req = parse(b"POST /api/x%20y?text=rm+-rf&agent=&n=%2F HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nbody")
            .await
            .unwrap();
        assert_eq!(req.method, "POST");
        assert_eq!(req.path, "/api/x y");
        assert_eq!(req.param("text"), Some("rm -rf"));
        assert_eq!(req.param("agent"), None);
        assert_eq!(req.param("n"), Some("/"));
        assert_eq!(req.header("host"), Some("a"));
        assert_eq!(req.body, b"body");
    }

    #[tokio::test]
    async fn limits_and_malformed_input_answer_4xx() {
        let big = format!(
            "GET / HTTP/1.1\r\nX: {}\r\n\r\n",
            "a".repeat(MAX_HEADER_BYTES)
        );
        assert_eq!(parse(big.as_bytes()).await.unwrap_err().status, 431);
        let body = format!(
            "POST / HTTP/1.1\r\nContent-Length: {}\r\n\r\n",
            MAX_BODY_BYTES + 1
        );
        assert_eq!(parse(body.as_bytes()).await.unwrap_err().status, 413);
        assert_eq!(parse(b"GARBAGE\r\n\r\n").await.unwrap_err().status, 400);
        assert_eq!(
            parse(b"GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n")
                .await
                .unwrap_err()
                .status,
            411
        );
        assert_eq!(
            parse(b"GET /%zz HTTP/1.1\r\n\r\n")
                .await
                .unwrap_err()
                .status,
            400
        );
        assert_eq!(parse(b"GET / HTTP/1.1\r\n").await.unwrap_err().status, 400);
    }

    #[test]
    fn answers_carry_the_security_headers() {
        let text = String::from_utf8(Response::error(401, "no").to_bytes()).unwrap();
        assert!(text.starts_with("HTTP/1.1 401 Unauthorized\r\n"));
        assert!(text.contains("frame-ancestors 'none'"));
        assert!(text.contains("Connection: close"));
        assert!(text.ends_with("{\"error\":\"no\"}"));
    }
}
