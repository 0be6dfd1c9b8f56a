//! Helpers for watcher tests: start `kintsugi watch`, read what the ledger
//! recorded from it, deterministic file content.

use super::Sandbox;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

pub struct Watch(pub Child);

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Start `kintsugi watch root` and wait until it says it is ready; returns
/// the ready line too.
pub fn watch(sb: &Sandbox, root: &Path) -> (Watch, String) {
    let mut child = sb
        .cmd()
        .args(["watch", root.to_str().unwrap()])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    err.read_line(&mut line).unwrap();
    assert!(line.contains("(ready)"), "watch said {line:?}");
    // Keep draining stderr so the watcher never blocks on a full pipe.
    std::thread::spawn(move || for _ in err.lines() {});
    (Watch(child), line)
}

pub fn observed(sb: &Sandbox) -> Vec<Value> {
    let out = sb.run(&["log", "--json", "--agent", "watcher", "-n", "100000"]);
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

pub fn wait_observed(sb: &Sandbox, pred: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let v = observed(sb);
        if pred(&v) {
            return v;
        }
        assert!(Instant::now() < deadline, "never observed: {v:#?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

pub fn bytes(seed: u8, n: usize) -> Vec<u8> {
    (0..n)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}
