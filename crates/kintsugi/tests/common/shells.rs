//! Shared by the recorder tests: interactive bash/zsh started on a sandbox
//! with the recorder installed (or not), readers of recorded events, and
//! the scripted prompt-gap measurement.

use super::{Sandbox, Tmux};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The tests here measure latency and drive terminals: run them one at a time.
pub fn serial() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// Client time of a recorded event (when the line was typed).
pub fn typed_at(r: &Value) -> String {
    let detail: Value = serde_json::from_str(r["detail"].as_str().unwrap()).unwrap();
    detail["client_ts"].as_str().unwrap().to_string()
}

pub fn have(prog: &str) -> bool {
    Command::new(prog)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[derive(Clone, Copy)]
pub enum Sh {
    Bash,
    Zsh,
}

impl Sh {
    pub fn name(self) -> &'static str {
        match self {
            Sh::Bash => "bash",
            Sh::Zsh => "zsh",
        }
    }
    /// Write an rc file with a known prompt plus the recorder block; the
    /// command line that starts an interactive shell on it.
    pub fn setup(self, sb: &Sandbox, hook: bool) -> String {
        let dir = sb.root().join(format!("rc-{}-{hook}", self.name()));
        std::fs::create_dir_all(&dir).unwrap();
        let (rc, prompt) = match self {
            Sh::Bash => (dir.join(".bashrc"), "PS1='READY$ '\n"),
            Sh::Zsh => (dir.join(".zshrc"), "PROMPT='READY%# '\n"),
        };
        std::fs::write(&rc, prompt).unwrap();
        if hook {
            let out = sb.run(&[
                "record",
                "install",
                "--shell",
                self.name(),
                "--write",
                rc.to_str().unwrap(),
            ]);
            assert!(out.status.success(), "{out:?}");
        }
        let env = format!(
            "env -i HOME='{}' TERM=xterm PATH=/usr/bin:/bin KINTSUGI_DATA_DIR='{}' KINTSUGI_CONFIG='{}'",
            sb.root().join("home").display(),
            sb.data().display(),
            sb.config().display()
        );
        match self {
            Sh::Bash => format!("{env} bash --rcfile '{}' -i", rc.display()),
            Sh::Zsh => format!("{env} ZDOTDIR='{}' zsh -i", dir.display()),
        }
    }
}

pub fn records(sb: &Sandbox) -> Vec<Value> {
    let out = sb.run(&["log", "--json", "--agent", "recorder", "-n", "10000"]);
    let mut v: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    v.reverse(); // oldest first
    v
}

pub fn wait_records(sb: &Sandbox, n: usize) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let r = records(sb);
        if r.len() >= n || Instant::now() > deadline {
            return r;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

pub fn typed(tmux: &Tmux, line: &str, expect: &str) {
    tmux.keys(&["-l", line]);
    tmux.keys(&["Enter"]);
    tmux.wait_for(expect);
}

pub fn project(sb: &Sandbox) -> PathBuf {
    let p = sb.root().join("home/proj");
    std::fs::create_dir_all(p.join("build")).unwrap();
    p
}

pub fn kintsugi_lines(p: &Path) -> usize {
    std::fs::read_to_string(p).map_or(0, |t| t.lines().count())
}

/// Per-prompt gaps (µs) of N scripted prompts in an interactive shell fed
/// on stdin: each line stamps the clock before and after a short sleep, so
/// the gap from one line's end to the next line's start is the prompt path
/// (PROMPT_COMMAND / hooks / reading), with the sender's own work done in
/// the background during the sleep.
pub fn prompt_gaps(sb: &Sandbox, sh: Sh, hook: bool, n: usize) -> Vec<i64> {
    let line = "a+=($EPOCHREALTIME); sleep 0.05; b+=($EPOCHREALTIME)\n";
    let mut script = match sh {
        Sh::Bash => "a=(); b=()\n".to_string(),
        Sh::Zsh => "zmodload zsh/datetime; a=(); b=()\n".to_string(),
    };
    script.push_str(&line.repeat(n));
    script.push_str(match sh {
        Sh::Bash => "for ((i=1;i<${#a[@]};i++)); do echo \"GAP ${a[i]/./} ${b[i-1]/./}\"; done\nexit\n",
        Sh::Zsh => "for ((i=2;i<=${#a};i++)); do printf 'GAP %d 0\\n' $(( (a[i]-b[i-1])*1000000 )); done\nexit\n",
    });
    let cmd = sh.setup(sb, hook);
    let out = feed_shell(&cmd, script.as_bytes());
    let text = String::from_utf8_lossy(&out.stdout).replace('\r', "\n");
    let mut gaps: Vec<i64> = text
        .split("GAP ")
        .skip(1)
        .filter_map(|g| {
            let mut it = g.split_whitespace();
            let a: i64 = it.next()?.parse().ok()?;
            let b: i64 = it.next()?.parse().ok()?;
            Some(a - b)
        })
        .collect();
    gaps.sort_unstable();
    assert!(
        gaps.len() + 1 >= n,
        "{} gaps from {}:\n{text}",
        gaps.len(),
        sh.name()
    );
    gaps
}

/// Run the shell start line `cmd` with `script` on its stdin; its output.
pub fn feed_shell(cmd: &str, script: &[u8]) -> std::process::Output {
    use std::io::Write;
    let mut child = Command::new("sh")
        .args(["-c", cmd])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(script).unwrap();
    child.wait_with_output().unwrap()
}
