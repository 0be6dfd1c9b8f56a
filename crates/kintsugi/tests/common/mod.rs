//! Shared fixture for integration tests: a real `kintsugi daemon` process in
//! a temp dir (data dir, socket, config and HOME all inside it), raw socket
//! helpers, and CLI invocation with the same sandboxed environment.
#![allow(dead_code)]

pub mod browser;
pub mod hooking;
pub mod model;
pub mod shells;
pub mod watching;
pub mod web;

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_kintsugi");

pub struct Sandbox {
    pub dir: tempfile::TempDir,
    pub child: Option<Child>,
}

impl Default for Sandbox {
    fn default() -> Self {
        Sandbox::new()
    }
}

impl Sandbox {
    pub fn new() -> Sandbox {
        // Under the target dir rather than /tmp, as a real HOME and project would be.
        let base = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
        std::fs::create_dir_all(base).unwrap();
        let dir = tempfile::tempdir_in(base).unwrap();
        std::fs::create_dir_all(dir.path().join("home")).unwrap();
        Sandbox { dir, child: None }
    }
    pub fn root(&self) -> &Path {
        self.dir.path()
    }
    pub fn data(&self) -> PathBuf {
        self.root().join("data")
    }
    pub fn socket(&self) -> PathBuf {
        self.data().join("kintsugi.sock")
    }
    pub fn config(&self) -> PathBuf {
        self.root().join("config.toml")
    }
    pub fn write_config(&self, text: &str) {
        std::fs::write(self.config(), text).unwrap();
    }
    /// A `kintsugi` command with the sandbox environment.
    pub fn cmd(&self) -> Command {
        let mut c = Command::new(BIN);
        c.env("KINTSUGI_DATA_DIR", self.data())
            .env("KINTSUGI_CONFIG", self.config())
            .env("HOME", self.root().join("home"))
            .env_remove("KINTSUGI_SOCKET")
            .env_remove("XDG_RUNTIME_DIR");
        c
    }
    /// `kintsugi ARGS` on a pseudo-terminal of its own (`script`), as an
    /// agent started in a terminal runs: its session begins now, so a
    /// terminal opened before this call is older than "the agent" and may
    /// approve without a PIN (docs/ADMIN.md). Its output arrives through
    /// the terminal (`\r\n` line ends).
    pub fn cmd_on_own_terminal(&self, args: &[&str]) -> Command {
        let quote = |a: &str| format!("'{}'", a.replace('\'', "'\\''"));
        let line: Vec<String> = std::iter::once(BIN)
            .chain(args.iter().copied())
            .map(quote)
            .collect();
        let mut c = Command::new("script");
        c.args(["-qec", &line.join(" "), "/dev/null"])
            .env("KINTSUGI_DATA_DIR", self.data())
            .env("KINTSUGI_CONFIG", self.config())
            .env("HOME", self.root().join("home"))
            .env_remove("KINTSUGI_SOCKET")
            .env_remove("XDG_RUNTIME_DIR");
        c
    }
    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).stdin(Stdio::null()).output().unwrap()
    }
    /// The sandbox project `home/proj` (a git work tree), created on demand.
    pub fn project(&self) -> PathBuf {
        let p = self.root().join("home/proj");
        std::fs::create_dir_all(p.join(".git")).unwrap();
        p
    }
    /// The sandbox's shim dir.
    pub fn shims(&self) -> PathBuf {
        self.root().join("shims")
    }
    /// Create the shim links (`kintsugi init --no-start` with HOME inside).
    pub fn init_shims(&self) {
        let out = self
            .cmd()
            .env("KINTSUGI_SHIM_DIR", self.shims())
            .args(["init", "--no-start"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    /// `program` run in the project with the shim dir first on PATH.
    pub fn via_shim(&self, program: &str) -> Command {
        let mut c = Command::new(program);
        c.env(
            "PATH",
            format!("{}:/usr/local/bin:/usr/bin:/bin", self.shims().display()),
        )
        .env("KINTSUGI_SHIM_DIR", self.shims())
        .env("KINTSUGI_DATA_DIR", self.data())
        .env("KINTSUGI_CONFIG", self.config())
        .env("HOME", self.root().join("home"))
        .env_remove("KINTSUGI_SOCKET")
        .current_dir(self.project());
        c
    }
    /// The newest `n` ledger events as JSON lines.
    pub fn log_text(&self, n: usize) -> String {
        let out = self.run(&["log", "--json", "-n", &n.to_string()]);
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
    /// Start the daemon and wait until it answers.
    pub fn start(&mut self) {
        let child = self
            .cmd()
            .args(["daemon", "--log", "warn"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        self.child = Some(child);
        wait_for(&self.socket());
    }
    pub fn pid(&self) -> u32 {
        self.child.as_ref().unwrap().id()
    }
    pub fn signal(&self, sig: &str) {
        let ok = Command::new("kill")
            .args([&format!("-{sig}"), &self.pid().to_string()])
            .status()
            .unwrap()
            .success();
        assert!(ok);
    }
    /// Wait for the daemon process to exit; returns its stderr.
    pub fn wait_exit(&mut self) -> (std::process::ExitStatus, String) {
        let child = self.child.take().unwrap();
        let out = child.wait_with_output().unwrap();
        (
            out.status,
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Wait until a daemon answers `status` on `socket`.
pub fn wait_for(socket: &Path) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while Instant::now() < deadline {
        if let Ok(s) = UnixStream::connect(socket) {
            let mut c = Conn::from(s);
            if c.ask(r#"{"kind":"status"}"#)
                .map(|v| v["kind"] == "status")
                .unwrap_or(false)
            {
                return;
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("daemon did not answer on {}", socket.display());
}

/// Python for test agents written in Python (processes that must leave
/// the test's tree or run under `kintsugi guard`): `ask(sock, frames)`
/// sends each frame (a JSON value) over one raw connection to the daemon's
/// socket `sock` and returns the answers in order. A connection closed
/// before a whole answer raises. Put it before the script that calls it.
pub const PY_ASK: &str = r#"
import json, socket
def ask(sock, frames):
    s = socket.socket(socket.AF_UNIX)
    s.connect(sock)
    answers = []
    for f in frames:
        s.sendall(json.dumps(f).encode() + b"\n")
        data = b""
        while not data.endswith(b"\n"):
            chunk = s.recv(65536)
            if not chunk:
                raise ConnectionError("the daemon closed the connection before answering")
            data += chunk
        answers.append(json.loads(data))
    s.close()
    return answers
"#;

/// A raw NDJSON connection.
pub struct Conn {
    reader: BufReader<UnixStream>,
}

impl From<UnixStream> for Conn {
    fn from(s: UnixStream) -> Conn {
        s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        Conn {
            reader: BufReader::new(s),
        }
    }
}

impl Conn {
    pub fn open(socket: &Path) -> Conn {
        Conn::from(UnixStream::connect(socket).unwrap())
    }
    /// A connection whose reads wait up to `patience` (for answers whose
    /// time depends on machine load, such as a local model's).
    pub fn open_patient(socket: &Path, patience: Duration) -> Conn {
        let c = Conn::open(socket);
        c.reader.get_ref().set_read_timeout(Some(patience)).unwrap();
        c
    }
    pub fn send_raw(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.reader.get_mut().write_all(bytes)
    }
    /// Read one response line; `None` when the daemon closed the connection.
    pub fn read(&mut self) -> Option<serde_json::Value> {
        let mut line = String::new();
        match self.reader.read_line(&mut line) {
            Ok(0) | Err(_) => None,
            Ok(_) => Some(serde_json::from_str(&line).expect("daemon sent invalid JSON")),
        }
    }
    pub fn ask(&mut self, line: &str) -> Option<serde_json::Value> {
        self.send_raw(format!("{line}\n").as_bytes()).ok()?;
        self.read()
    }
}

/// Wait (up to 10 s) for the first held command in the queue.
pub fn first_pending(c: &mut Conn) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let list = c.ask(r#"{"kind":"listpending"}"#).unwrap();
        if list["items"][0]["id"].is_string() {
            return list["items"][0].clone();
        }
        assert!(Instant::now() < deadline, "nothing was held");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A propose frame for `raw` in `cwd`.
pub fn propose(raw: &str, cwd: &str) -> String {
    serde_json::json!({
        "kind": "propose",
        "id": uuid_like(),
        "ts": "2026-11-24T00:00:00Z",
        "agent": "test",
        "cwd": cwd,
        "argv": [],
        "raw": raw,
    })
    .to_string()
}

pub fn uuid_like() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    format!(
        "00000000-0000-4000-8000-{:012x}",
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// Run `kintsugi verify` on the sandbox; returns (success, stdout+stderr).
pub fn verify(sb: &Sandbox) -> (bool, String) {
    let out = sb.run(&["verify"]);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// A tmux server of its own (private socket name) for driving real terminals.
pub struct Tmux {
    pub name: String,
}

/// Tests that need a real terminal use tmux, which `scripts/test` installs:
/// its absence is a failure that says so, never a silent pass.
pub fn require_tmux() {
    assert!(
        Tmux::available(),
        "tmux is required for this test (a real terminal); scripts/test installs it"
    );
}

impl Tmux {
    pub fn available() -> bool {
        Command::new("tmux")
            .arg("-V")
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false)
    }
    pub fn new() -> Tmux {
        Tmux {
            name: format!("kintsugi-test-{}-{}", std::process::id(), uuid_like()),
        }
    }
    /// Start a detached session running `shell_command` (through `sh -c`).
    pub fn run(&self, shell_command: &str) {
        let ok = Command::new("tmux")
            .args([
                "-L",
                &self.name,
                "new-session",
                "-d",
                "-x",
                "200",
                "-y",
                "50",
                shell_command,
            ])
            .status()
            .unwrap()
            .success();
        assert!(ok, "tmux new-session failed");
    }
    pub fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.name, "capture-pane", "-p"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["-L", self.name.as_str(), "send-keys"];
        args.extend_from_slice(keys);
        assert!(Command::new("tmux").args(&args).status().unwrap().success());
    }
    /// Wait until the screen contains `needle`; returns the screen.
    pub fn wait_for(&self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let s = self.screen();
            if s.contains(needle) {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "tmux screen never showed {needle:?}:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.name, "kill-server"])
            .output();
    }
}

/// Approve `id` the way a human does: `kintsugi approve` in a real terminal
/// (tmux), reading the code off the screen and typing it.
pub fn approve_in_terminal(sb: &Sandbox, id: &str, extra: &str) -> String {
    confirm_in_terminal(sb, &format!("approve {id} {extra}"))
}

/// The approval PIN the terminal helpers set and type.
pub const TEST_PIN: &str = "482915";

/// Run `kintsugi ARGS` (a subcommand that asks for the confirmation code) in
/// a real terminal with the sandbox's environment, as a human does: a
/// terminal opened after the command was held needs the approval PIN, so
/// the first time the helper sets [`TEST_PIN`] there (`admin set-pin`),
/// then types the PIN at its prompt and the code shown. Returns the screen
/// once it printed `EXIT=<status>`.
pub fn confirm_in_terminal(sb: &Sandbox, args: &str) -> String {
    let tmux = Tmux::new();
    let env = format!(
        "HOME='{}' KINTSUGI_DATA_DIR='{}' KINTSUGI_CONFIG='{}'",
        sb.root().join("home").display(),
        sb.data().display(),
        sb.config().display(),
    );
    let first = !sb.data().join("approval-pin.json").exists();
    let set = if first {
        format!("{env} '{BIN}' admin set-pin && ")
    } else {
        String::new()
    };
    tmux.run(&format!(
        "{set}{env} '{BIN}' {args}; echo EXIT=$?; sleep 30"
    ));
    if first {
        tmux.wait_for("choose an approval PIN:");
        tmux.keys(&[TEST_PIN, "Enter"]);
        tmux.wait_for("repeat the approval PIN:");
        tmux.keys(&[TEST_PIN, "Enter"]);
    }
    type_pin_then_code(&tmux, TEST_PIN)
}

/// At a `kintsugi approve`/`run` in `tmux`: type `pin` at the PIN prompt,
/// then the confirmation code shown; the screen once it printed `EXIT=`.
pub fn type_pin_then_code(tmux: &Tmux, pin: &str) -> String {
    tmux.wait_for("Kintsugi approval PIN:");
    tmux.keys(&[pin, "Enter"]);
    let screen = tmux.wait_for("confirmation code: ");
    let code: String = screen
        .split("confirmation code: ")
        .nth(1)
        .unwrap()
        .chars()
        .take(6)
        .collect();
    tmux.keys(&[&code, "Enter"]);
    tmux.wait_for("EXIT=")
}

/// A command's stdout then stderr, as text.
pub fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}
