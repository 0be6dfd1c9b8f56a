//! Framing over one accepted stream: read a request line (bounded by the
//! 16 MiB frame limit and the read timeout), write response lines.

use kintsugi_protocol::{MAX_FRAME_BYTES, Response, encode_line};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::UnixStream;
use tokio::net::unix::{OwnedReadHalf, OwnedWriteHalf};

/// What reading the next frame produced.
pub enum Incoming {
    /// One complete line, newline removed.
    Frame(Vec<u8>),
    /// The peer closed the connection between requests.
    Closed,
    /// The frame grew past 16 MiB without a newline.
    TooLarge,
    /// The peer closed mid-frame.
    Truncated,
}

/// A framed connection.
pub struct Connection {
    reader: BufReader<OwnedReadHalf>,
    writer: OwnedWriteHalf,
    buf: Vec<u8>,
}

impl Connection {
    pub fn new(stream: UnixStream) -> Connection {
        let (r, w) = stream.into_split();
        Connection {
            reader: BufReader::with_capacity(16 * 1024, r),
            writer: w,
            buf: Vec::with_capacity(1024),
        }
    }

    /// Read the next frame. Cancel-safe only between frames: the caller wraps
    /// it in a timeout and drops the connection when it fires.
    pub async fn read_frame(&mut self) -> std::io::Result<Incoming> {
        self.buf.clear();
        let limit = MAX_FRAME_BYTES as u64 + 1;
        let n = (&mut self.reader)
            .take(limit)
            .read_until(b'\n', &mut self.buf)
            .await?;
        if n == 0 {
            return Ok(Incoming::Closed);
        }
        if self.buf.last() == Some(&b'\n') {
            self.buf.pop();
            if self.buf.last() == Some(&b'\r') {
                self.buf.pop();
            }
            return Ok(Incoming::Frame(std::mem::take(&mut self.buf)));
        }
        if self.buf.len() > MAX_FRAME_BYTES {
            return Ok(Incoming::TooLarge);
        }
        Ok(Incoming::Truncated)
    }

    /// Write bytes that are already one framed line (a busy refusal).
    pub async fn write_raw(&mut self, line: &[u8]) -> std::io::Result<()> {
        self.writer.write_all(line).await
    }

    /// Write one response line.
    pub async fn write(&mut self, response: &Response) -> std::io::Result<()> {
        self.writer.write_all(&encode_line(response)).await
    }
}
