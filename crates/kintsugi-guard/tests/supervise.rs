//! The supervisor against the real kernel: a filtered tree's execs reach the
//! judge with their real argv, denied ones fail with EPERM, and a paused
//! exec in a multi-threaded program that keeps receiving signals does not
//! spin and continues once allowed.

use kintsugi_guard::{
    Allowance, ExecRequest, Judge, SpawnError, Supervisor, Verdict, spawn_filtered,
};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Clone, Default)]
struct Recorder {
    seen: Arc<Mutex<Vec<ExecRequest>>>,
    unreadable: Arc<Mutex<Vec<String>>>,
    /// Execs whose argv contains this word are denied.
    deny_word: &'static str,
    /// Execs whose argv contains this word are held this long, then allowed.
    hold_word: &'static str,
    hold: Duration,
}

impl Judge for Recorder {
    fn judge(&self, req: &ExecRequest) -> Verdict {
        self.seen.lock().unwrap().push(req.clone());
        if req.argv.iter().any(|a| a.contains(self.deny_word)) {
            return Verdict::Deny("test says no".into());
        }
        if !self.hold_word.is_empty() && req.argv.iter().any(|a| a.contains(self.hold_word)) {
            std::thread::sleep(self.hold);
        }
        Verdict::Allow(Allowance {
            id: format!("id-{}", req.argv.join(" ")),
            approved: None,
            confirmed: true,
            report: None,
        })
    }
    fn unreadable(&self, _pid: u32, why: &str) {
        self.unreadable.lock().unwrap().push(why.to_string());
    }
}

fn run(judge: Recorder, cmd: &mut Command) -> std::process::Output {
    let baseline: Vec<(String, String)> = std::env::vars().collect();
    let child = match spawn_filtered(cmd, move |l| Supervisor::new(judge, baseline).run(l)) {
        Ok(c) => c,
        Err(SpawnError::Unavailable(why)) => panic!("seccomp unavailable here: {why}"),
        Err(SpawnError::Spawn(e)) => panic!("spawn: {e}"),
    };
    child.wait_with_output().unwrap()
}

#[test]
fn every_exec_is_judged_with_its_real_argv_and_denied_ones_fail_with_eperm() {
    let dir = tempfile::tempdir().unwrap();
    let victim = dir.path().join("victim");
    std::fs::create_dir(&victim).unwrap();
    std::fs::write(victim.join("f"), "keep").unwrap();
    let judge = Recorder {
        deny_word: "victim",
        ..Default::default()
    };
    let script = format!(
        "/bin/echo hello; /bin/rm -rf {v} ; echo rm=$?; LD_PRELOAD= GIT_DIR=/x /usr/bin/env true; cd {d} && ./nope 2>/dev/null; true",
        v = victim.display(),
        d = dir.path().display()
    );
    let out = run(
        judge.clone(),
        Command::new("/bin/sh")
            .args(["-c", &script])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped()),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stdout.contains("hello"), "{stdout} {stderr}");
    // sh reports a refused exec as 126 (EPERM: not executable).
    assert!(stdout.contains("rm=126"), "{stdout} {stderr}");
    assert!(victim.join("f").exists(), "the denied rm must not have run");
    let seen = judge.seen.lock().unwrap();
    let rm = seen
        .iter()
        .find(|r| r.program == "/bin/rm")
        .expect("the rm exec was judged");
    assert_eq!(
        rm.argv,
        vec!["/bin/rm", "-rf", &victim.display().to_string()]
    );
    assert!(rm.parent.is_none(), "a top-level command has no parent");
    let env = seen
        .iter()
        .find(|r| r.program == "/usr/bin/env")
        .expect("env judged");
    assert!(
        env.env.contains(&("GIT_DIR".into(), "/x".into())),
        "{env:?}"
    );
    // A relative program is made absolute against the caller's cwd.
    assert!(
        seen.iter()
            .any(|r| r.program == dir.path().join("nope").display().to_string()),
        "{seen:?}"
    );
}

#[test]
fn descendants_of_an_allowed_exec_name_it_and_the_agent_itself_is_not_judged() {
    let judge = Recorder {
        deny_word: "never-matches",
        ..Default::default()
    };
    let out = run(
        judge.clone(),
        Command::new("/bin/sh")
            .args(["-c", "/bin/sh -c '/bin/true; /bin/true x' ; /bin/true top"])
            .stdout(Stdio::piped()),
    );
    assert!(out.status.success());
    let seen = judge.seen.lock().unwrap();
    assert!(
        !seen
            .iter()
            .any(|r| r.argv.first().map(String::as_str) == Some("/bin/sh")
                && r.argv.get(2).is_some_and(|a| a.contains("top"))),
        "the agent's own start is not judged: {seen:?}"
    );
    let inner = seen.iter().find(|r| r.argv == ["/bin/true", "x"]).unwrap();
    assert_eq!(
        inner.parent.as_ref().map(|a| a.id.as_str()),
        Some("id-/bin/sh -c /bin/true; /bin/true x")
    );
    let top = seen
        .iter()
        .find(|r| r.argv == ["/bin/true", "top"])
        .unwrap();
    assert!(top.parent.is_none(), "{top:?}");
}

/// CPU ticks (user + system) a process has used, from /proc/PID/stat.
fn cpu_ticks(pid: u32) -> u64 {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let f: Vec<&str> = s[s.rfind(')').unwrap() + 1..].split_whitespace().collect();
    f[11].parse::<u64>().unwrap() + f[12].parse::<u64>().unwrap()
}

#[test]
fn a_threaded_program_signalled_while_paused_does_not_spin_and_continues() {
    // Python: three sleeping threads, a SIGURG handler (SIGURG is what Go
    // runtimes send every ~10 ms; its default after exec is "ignore", so
    // the exec'd program is not killed by a late one), then an exec the
    // judge holds for two seconds while this test signals the process
    // every 5 ms.
    let py = r#"
import os, signal, threading, time
signal.signal(signal.SIGURG, lambda s, f: None)
for _ in range(3):
    threading.Thread(target=time.sleep, args=(30,), daemon=True).start()
print("ready", flush=True)
os.execv("/bin/echo", ["/bin/echo", "HOLDME-ran"])
"#;
    let judge = Recorder {
        deny_word: "never-matches",
        hold_word: "HOLDME",
        hold: Duration::from_secs(2),
        ..Default::default()
    };
    let started = Instant::now();
    let child = {
        let baseline: Vec<(String, String)> = std::env::vars().collect();
        let j = judge.clone();
        spawn_filtered(
            Command::new("/usr/bin/python3")
                .args(["-c", py])
                .stdout(Stdio::piped()),
            move |l| Supervisor::new(j, baseline).run(l),
        )
        .map_err(|e| format!("{e:?}"))
        .unwrap()
    };
    let pid = child.id();
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let pester = {
        let done = done.clone();
        std::thread::spawn(move || {
            let p = rustix::process::Pid::from_raw(pid as i32).unwrap();
            let mut sent = 0u32;
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                if rustix::process::kill_process(p, rustix::process::Signal::URG).is_ok() {
                    sent += 1;
                }
                std::thread::sleep(Duration::from_millis(5));
            }
            sent
        })
    };
    std::thread::sleep(Duration::from_millis(1500));
    // While paused, the whole program (all its threads) used little CPU.
    let ticks = cpu_ticks(pid);
    let out = child.wait_with_output().unwrap();
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    let sent = pester.join().unwrap();
    assert!(sent > 100, "the test sent only {sent} signals");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("HOLDME-ran"),
        "continued after the hold: {stdout}"
    );
    assert!(started.elapsed() >= Duration::from_secs(2));
    // 1.5 s of spinning would be ~150 ticks; a few are start-up and the
    // signal handler.
    assert!(ticks < 60, "the paused tree burned {ticks} ticks of CPU");
    assert_eq!(
        judge
            .seen
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.argv.iter().any(|a| a.contains("HOLDME")))
            .count(),
        1,
        "the paused exec was notified once, not retried"
    );
}

/// The kernel's release as (major, minor), from `/proc/sys/kernel/osrelease`.
fn kernel_release() -> (u32, u32) {
    let text = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap();
    let mut parts = text
        .trim()
        .split(['.', '-'])
        .map(|p| p.parse().unwrap_or(0));
    (parts.next().unwrap_or(0), parts.next().unwrap_or(0))
}

#[test]
fn the_listener_takes_same_cpu_wake_ups_where_the_kernel_has_them() {
    let (tx, rx) = std::sync::mpsc::channel();
    let baseline: Vec<(String, String)> = std::env::vars().collect();
    let child = match spawn_filtered(Command::new("/bin/true").stdout(Stdio::null()), move |l| {
        tx.send(l.sync_wake_up()).unwrap();
        Supervisor::new(Recorder::default(), baseline).run(l)
    }) {
        Ok(c) => c,
        Err(e) => panic!("seccomp unavailable here: {e:?}"),
    };
    assert!(child.wait_with_output().unwrap().status.success());
    let accepted = rx.recv().unwrap();
    // SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP came with Linux 6.6.
    assert_eq!(
        accepted,
        kernel_release() >= (6, 6),
        "{:?}",
        kernel_release()
    );
}
