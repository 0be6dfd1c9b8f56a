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

    /// Read one response line (for streaming extensions).
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
        serde_json::from_slice(&line).map_err(|e| ClientError::BadResponse(e.to_string()))
    }
}

use std::io::Read as _;
