//! The Kintsugi wire contract (`shared/PROTOCOL.md`, v1): request and response
//! types, NDJSON framing with its 16 MiB limit, socket and data-dir path
//! resolution, and a small blocking client for short-lived processes (hooks,
//! shim, CLI).
//!
//! Architecture invariant: this crate knows nothing about classification,
//! storage or async runtimes. Everything that talks to the daemon depends on
//! it; it depends on nothing of ours.
#![forbid(unsafe_code)]

mod client;
mod frame;
pub mod genuine;
pub mod guards;
mod paths;
pub mod redact;
pub mod spool;
mod types;

pub use client::{BUSY_FIELD, Client, ClientError, busy_line};
pub use frame::{DecodeError, MAX_FRAME_BYTES, decode_request, encode_line};
pub use genuine::DAEMON_PID_FILE;
pub use paths::{config_path, data_dir, home_dir, socket_path};
pub use redact::{REDACTED, command_secrets, redact, redact_argv, redact_command, secret_values};
pub use types::*;
