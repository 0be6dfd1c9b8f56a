//! A blocking client for short-lived processes (hook, shim, CLI): connect,
//! send one request, read exactly one response line. No async runtime, so a
//! hook pays only for a connect and two syscalls.

use crate::frame::{MAX_FRAME_BYTES, encode_line};
use crate::types::{Request, Response};
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Why a round trip to the daemon failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("cannot reach the Kintsugi daemon at {path}: {source}; start it with `kintsugi start`")]
    Connect {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("lost the connection to the daemon: {0}")]
    Io(#[from] std::io::Error),
    #[error("the daemon closed the connection without answering")]
    Closed,
    #[error("the daemon sent a response this client cannot read: {0}")]
    BadResponse(String),
    /// The socket answers, but not as the genuine daemon (`genuine.rs`).
    #[error("the socket is not served by the genuine Kintsugi daemon: {0}")]
    NotGenuine(String),
    /// The daemon is up but refused this connection for load (an `error`
    /// frame with `"busy": true`). Not the same as down: interceptors hold
    /// or deny, never fall back to allowing unrecorded.
    #[error("the Kintsugi daemon is busy: {0}")]
    Busy(String),
}

/// The additive field that marks an `error` frame as a refusal for load.
pub const BUSY_FIELD: &str = "busy";

/// The line a daemon sends when it turns a connection away for load:
/// `{"kind":"error","message":"busy: …","busy":true}`. A client that does
/// not know the field still reads it as an ordinary `error`.
pub fn busy_line(message: &str) -> Vec<u8> {
    let mut line = serde_json::json!({
        "kind": "error",
        "message": format!("busy: {message}"),
        BUSY_FIELD: true,
    })
    .to_string()
    .into_bytes();
    line.push(b'\n');
    line
}

/// Whether an `error` line carries `"busy": true`.
fn is_busy(line: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Value>(line)
        .ok()
        .and_then(|v| v.get(BUSY_FIELD).and_then(serde_json::Value::as_bool))
        .unwrap_or(false)
}

/// One connection to the daemon; reusable for many requests.
pub struct Client {
    reader: BufReader<UnixStream>,
    writer: UnixStream,
}

impl Client {
    /// Connect to the socket at `path`.
    pub fn connect(path: &Path) -> Result<Client, ClientError> {
        let stream = UnixStream::connect(path).map_err(|source| ClientError::Connect {
            path: path.to_path_buf(),
            source,
        })?;
        let writer = stream.try_clone()?;
        Ok(Client {
            reader: BufReader::new(stream),
            writer,
        })
    }

    /// Connect to the socket at `path` and check that the genuine daemon of
    /// this user serves it, with its pid file in `data_dir` (see
    /// [`crate::genuine`]); for runners that act on an `allow`.
    pub fn connect_genuine(path: &Path, data_dir: &Path) -> Result<Client, ClientError> {
        let client = Client::connect(path)?;
        crate::genuine::check(&client.writer, path, data_dir).map_err(ClientError::NotGenuine)?;
        Ok(client)
    }

    /// Connect to the socket that [`crate::socket_path`] resolves.
    pub fn connect_default() -> Result<Client, ClientError> {
        Client::connect(&crate::socket_path())
    }

    /// Bound how long a single read may wait (`None` waits forever).
    pub fn set_read_timeout(&self, timeout: Option<Duration>) -> Result<(), ClientError> {
        self.writer.set_read_timeout(timeout)?;
        Ok(())
    }

    /// Send one request and read its one response line.
    pub fn request(&mut self, req: &Request) -> Result<Response, ClientError> {
        if let Err(e) = self.writer.write_all(&encode_line(req)) {
            // A daemon that turns us away answers before it closes: read why.
            return match self.read_response() {
                Ok(resp) => Ok(resp),
                Err(_) => Err(e.into()),
            };
        }
        self.read_response()
    }

    /// Send one request and read its answer, handing every `progress` line
    /// that comes first to `on_progress`.
    pub fn request_with_progress(
        &mut self,
        req: &Request,
        mut on_progress: impl FnMut(&crate::CaptureProgress),
    ) -> Result<Response, ClientError> {
        let mut resp = self.request(req)?;
        while let Response::Progress(p) = &resp {
            on_progress(p);
            resp = self.read_response()?;
        }
        Ok(resp)
    }

    /// Read one response line (for streaming extensions). A busy refusal
    /// comes back as [`ClientError::Busy`].
    pub fn read_response(&mut self) -> Result<Response, ClientError> {
        let mut line = Vec::new();
        let n = (&mut self.reader)
            .take(MAX_FRAME_BYTES as u64 + 1)
            .read_until(b'\n', &mut line)?;
        if n == 0 {
            return Err(ClientError::Closed);
        }
        if line.last() == Some(&b'\n') {
            line.pop();
        } else if line.len() > MAX_FRAME_BYTES {
            return Err(ClientError::BadResponse("response exceeds 16 MiB".into()));
        }
        let resp: Response =
            serde_json::from_slice(&line).map_err(|e| ClientError::BadResponse(e.to_string()))?;
        if let Response::Error { message } = &resp
            && is_busy(&line)
        {
            let why = message.strip_prefix("busy: ").unwrap_or(message);
            return Err(ClientError::Busy(why.to_string()));
        }
        Ok(resp)
    }
}

use std::io::Read as _;

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::net::UnixListener;

    /// A one-shot server on a real socket that answers every connection
    /// with `line`.
    fn answer_with(line: Vec<u8>) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sock");
        let listener = UnixListener::bind(&path).unwrap();
        std::thread::spawn(move || {
            if let Ok((mut s, _)) = listener.accept() {
                let _ = s.write_all(&line);
                let mut sink = [0u8; 256];
                let _ = std::io::Read::read(&mut s, &mut sink);
            }
        });
        (dir, path)
    }

    #[test]
    fn a_busy_frame_is_a_distinct_error_and_a_plain_error_is_not() {
        let (_d, path) = answer_with(busy_line("serving 64 subscribers"));
        let mut c = Client::connect(&path).unwrap();
        match c.request(&Request::Status) {
            Err(ClientError::Busy(m)) => assert!(m.contains("64 subscribers"), "{m}"),
            other => panic!("expected Busy, got {other:?}"),
        }
        let plain = encode_line(&Response::error("nope"));
        let (_d2, path) = answer_with(plain);
        let mut c = Client::connect(&path).unwrap();
        assert!(matches!(
            c.request(&Request::Status),
            Ok(Response::Error { .. })
        ));
    }

    #[test]
    fn a_busy_frame_reads_as_an_error_to_a_client_that_ignores_the_field() {
        let line = busy_line("full");
        let resp: Response = serde_json::from_slice(&line[..line.len() - 1]).unwrap();
        assert_eq!(resp, Response::error("busy: full"));
    }
}
