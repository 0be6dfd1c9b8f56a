//! `kintsugi guard`'s exec supervisor (Linux).
//!
//! The guarded agent is started with a seccomp filter (installed in the
//! child after `no_new_privs`, before the agent's own exec) that turns every
//! `execve`/`execveat` of its whole process tree into a user notification.
//! The listener fd is handed to the supervisor, which runs in the guard
//! process, outside the filtered tree. For each exec it reads the program,
//! argv, cwd and the environment that changes what programs do from `/proc`
//! (bounded: what it cannot read whole is denied, never guessed), asks a
//! [`Judge`] and lets the exec continue or fails it with `EPERM`.
//!
//! `sys.rs` is the one module with `unsafe` (the seccomp, prctl, ioctl and
//! fd-passing calls); everything else is safe Rust.
//!
//! What it cannot see or prevent: the argv is read from another process's
//! memory, so a multi-threaded process could change it between the check and
//! the kernel's own read (time of check / time of use); file operations that
//! need no exec (`shutil.rmtree`) are the snapshot and watcher backstops'
//! job; root can remove the filter's parent. `no_new_privs` means setuid
//! programs (`sudo`, `su`) do not gain privileges inside the guarded tree.
//!
//! Beside the exec filter: the guard adopts its tree's orphans
//! (`subreaper.rs`: a double fork cannot leave the tree, so the daemon can
//! refuse privileged requests from inside it) and restricts the tree with
//! Landlock (`landlock.rs`: no writing Kintsugi's files, no reading its
//! secrets).

#![deny(unsafe_code)]

pub mod landlock;
mod launch;
mod mem;
pub mod subreaper;
mod supervisor;
#[allow(unsafe_code)]
mod sys;
mod tree;

pub use mem::{
    ExecRead, MAX_ARG_BYTES, MAX_ARGS, MAX_ENV_ENTRIES, MAX_EXEC_BYTES, RELEVANT_ENV, ReadError,
    relevant_env,
};
pub use supervisor::{
    Allowance, ExecRequest, Judge, MAX_IN_FLIGHT, Supervisor, SupervisorStats, Verdict,
};
pub use sys::{Listener, NotifUnavailable, Ready, SpawnError, spawn_filtered};
pub use tree::MAX_TREE_DEPTH;
