//! Interception of commands before they run: the one gate every interceptor
//! decides through ([`gate`]: propose, hold, fail mode, completion, running
//! the child), the native pre-tool hook of each agent CLI ([`hook`]), one
//! dialect per agent over the gate, wiring those hooks into each agent's own
//! config for `init` and `doctor` ([`install`]), the PATH shim ([`shim`]),
//! and the passive recorder of human shells ([`recorder`]). The MCP server
//! (`kintsugi-mcp`) is another interceptor over the same gate.
//!
//! Architecture invariant: this crate talks to the daemon only through
//! `kintsugi-protocol`'s blocking [`kintsugi_protocol::Client`]; it knows
//! nothing of the daemon's internals, the ledger or any async runtime, so a
//! hook stays a short-lived process that pays for one connect and a few
//! syscalls. When the daemon cannot be reached it classifies locally with
//! `kintsugi-classify` and never lets a catastrophic command through.
#![forbid(unsafe_code)]

pub mod gate;
pub mod hook;
pub mod install;
pub mod recorder;
pub mod shim;
