//! A throwaway daemon for `bench` and `demo`: its data dir, socket, config
//! and HOME all live inside a temp dir, so it can never touch the user's
//! real daemon or ledger. Killed when dropped.

use anyhow::{Context as _, Result, bail};
use kintsugi_protocol::{Client, Request, Response};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct SandboxDaemon {
    child: Child,
    socket: PathBuf,
}

impl Drop for SandboxDaemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Start `kintsugi daemon` with its data dir, socket and config inside `dir`.
pub fn start_daemon(dir: &Path) -> Result<SandboxDaemonHandle> {
    let socket = dir.join("kintsugi.sock");
    let data = dir.join("data");
    std::fs::create_dir_all(dir.join("home"))?;
    let exe = std::env::current_exe()?;
    let child = Command::new(exe)
        .args(["daemon", "--log", "warn"])
        .env("KINTSUGI_DATA_DIR", &data)
        .env("KINTSUGI_SOCKET", &socket)
        .env("KINTSUGI_CONFIG", dir.join("config.toml"))
        .env("HOME", dir.join("home"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .context("cannot start a sandbox daemon")?;
    let daemon = SandboxDaemon { child, socket };
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Ok(mut c) = Client::connect(&daemon.socket)
            && matches!(c.request(&Request::Status), Ok(Response::Status(_)))
        {
            return Ok(SandboxDaemonHandle {
                inner: daemon,
                data,
            });
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    bail!("the sandbox daemon did not answer within 10 s")
}

/// A running sandbox daemon; killed when dropped.
pub struct SandboxDaemonHandle {
    inner: SandboxDaemon,
    pub data: PathBuf,
}

impl SandboxDaemonHandle {
    pub fn socket(&self) -> &Path {
        &self.inner.socket
    }
    pub fn pid(&self) -> u32 {
        self.inner.child.id()
    }
    /// Stop through the protocol and wait for the process to exit.
    pub fn stop(mut self) -> Result<()> {
        let mut c = Client::connect(&self.inner.socket)?;
        c.request(&Request::AuthBegin {
            op: "shutdown".into(),
        })?;
        c.request(&Request::Shutdown {
            op: "shutdown".into(),
            nonce: String::new(),
            proof: String::new(),
        })?;
        let status = self.inner.child.wait()?;
        if !status.success() {
            bail!("the sandbox daemon exited with {status}");
        }
        Ok(())
    }
}
