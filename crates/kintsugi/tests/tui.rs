//! `kintsugi tui` end to end, in a real terminal (tmux) against a real
//! daemon: a `kintsugi exec -- 'rm -rf build'` is held, appears live in the
//! control room, is approved there with the typed confirmation code, and
//! the waiting exec proceeds; undo from the Snapshots view brings the tree
//! back. Quitting, SIGTERM and a panic all give the terminal back (the
//! shell prints after it, and it is no longer in raw mode); a terminal that
//! goes away ends the TUI.

mod common;
use common::*;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// The shell line that runs the TUI in the sandbox's environment, writing
/// its pid to `pidfile`, then reports the exit code and the tty mode.
fn tui_line(sb: &Sandbox, pidfile: &std::path::Path) -> String {
    tui_line_with(sb, pidfile, "")
}

fn tui_line_with(sb: &Sandbox, pidfile: &std::path::Path, env: &str) -> String {
    format!(
        "sh -c 'echo $$ > {pid}; {env} KINTSUGI_DATA_DIR={data} KINTSUGI_CONFIG={config} HOME={home} exec {bin} tui'; \
         echo TUI_EXIT=$?; stty -a | tr -s ' ;' '\\n\\n' | grep -x -e icanon -e -icanon; echo TTY_DONE; sleep 60",
        pid = pidfile.display(),
        data = sb.data().display(),
        config = sb.config().display(),
        home = sb.root().join("home").display(),
        bin = BIN,
    )
}

/// The TUI started in a tmux server of its own and showing the live feed;
/// the server and the TUI's pid.
fn live_tui(sb: &Sandbox) -> (Tmux, u32) {
    let tmux = Tmux::new();
    let pidfile = sb.root().join("tui.pid");
    tmux.run(&tui_line(sb, &pidfile));
    tmux.wait_for("● live");
    let pid = std::fs::read_to_string(&pidfile).unwrap();
    (tmux, pid.trim().parse().unwrap())
}

fn code_on(screen: &str) -> String {
    screen
        .split("confirmation code: ")
        .nth(1)
        .unwrap()
        .chars()
        .take(6)
        .collect()
}

#[test]
fn a_held_exec_is_approved_in_the_tui_and_proceeds() {
    require_tmux();
    let mut sb = Sandbox::new();
    sb.start();
    let proj = sb.root().join("home/proj");
    std::fs::create_dir_all(proj.join(".git")).unwrap();
    std::fs::create_dir_all(proj.join("build/out")).unwrap();
    std::fs::write(proj.join("build/out/app.js"), "x\n").unwrap();

    let tmux = Tmux::new();
    let pidfile = sb.root().join("tui.pid");
    tmux.run(&tui_line(&sb, &pidfile));
    tmux.wait_for("● live");
    // A capture can land mid-frame (header drawn, footer not yet): wait for
    // the footer too before reading the frame.
    let screen = tmux.wait_for("q quit");
    assert!(screen.contains("[1 Timeline]"), "{screen}");

    // The agent stand-in runs in a terminal of its own, opened after the
    // TUI's: with no PIN set, only a terminal older than the agent approves.
    let exec = sb
        .cmd_on_own_terminal(&["exec", "--", "rm -rf build && echo cleaned"])
        .current_dir(&proj)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The hold shows up live: in the tab count and on the timeline.
    tmux.wait_for("2 Held (1)");
    tmux.wait_for("rm -rf build && echo cleaned");
    assert!(proj.join("build").exists(), "ran before approval");

    tmux.keys(&["2"]);
    tmux.wait_for("[2 Held (1)]");
    // The selected hold's blast radius, from the daemon's preview.
    tmux.wait_for("deletes 1 file");
    // A wrong code approves nothing.
    tmux.keys(&["a"]);
    tmux.wait_for("confirmation code: ");
    tmux.keys(&["WRONG1", "Enter"]);
    tmux.wait_for("the code did not match; nothing was approved");
    assert!(proj.join("build").exists());

    tmux.keys(&["a"]);
    let code = code_on(&tmux.wait_for("confirmation code: "));
    tmux.keys(&[&code]);
    tmux.wait_for(&format!("type the code to approve: {code}"));
    tmux.keys(&["Enter"]);
    tmux.wait_for("approved ");

    let out = exec.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The terminal shows the hold card, then the command's own output.
    let shown = String::from_utf8_lossy(&out.stdout).replace("\r\n", "\n");
    assert!(shown.ends_with("\ncleaned\n"), "{shown}");
    assert!(!proj.join("build").exists());
    // The queue empties live and the approval lands on the timeline.
    tmux.keys(&["1"]);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let s = tmux.screen();
        if !s.contains("Held (1)") && s.contains(" approve ") {
            break;
        }
        assert!(Instant::now() < deadline, "queue never emptied:\n{s}");
        std::thread::sleep(Duration::from_millis(50));
    }

    // Undo from the Snapshots view brings the tree back (after a y/n).
    tmux.keys(&["3"]);
    tmux.wait_for("complete rm -rf build && echo cleaned");
    tmux.keys(&["u"]);
    tmux.wait_for("Restore snapshot");
    tmux.keys(&["n"]);
    tmux.wait_for("undo cancelled; nothing was restored");
    assert!(!proj.join("build").exists());
    tmux.keys(&["u"]);
    tmux.wait_for("Restore snapshot");
    tmux.keys(&["y"]);
    tmux.wait_for("undo of snapshot");
    assert_eq!(
        std::fs::read_to_string(proj.join("build/out/app.js")).unwrap(),
        "x\n"
    );

    tmux.keys(&["q"]);
    let screen = tmux.wait_for("TTY_DONE");
    assert!(screen.contains("TUI_EXIT=0"), "{screen}");
    assert!(
        screen.lines().any(|l| l.trim() == "icanon"),
        "raw mode left on:\n{screen}"
    );
    assert!(
        !screen.contains("[1 Timeline]"),
        "alternate screen left on:\n{screen}"
    );
}

#[test]
fn sigterm_restores_the_terminal() {
    require_tmux();
    let mut sb = Sandbox::new();
    sb.start();
    let (tmux, pid) = live_tui(&sb);
    // It reflows on resize, and says so when the window is too small.
    tmux.resize(50, 12);
    tmux.wait_for("terminal too small");
    tmux.resize(90, 30);
    tmux.wait_for("[1 Timeline]");
    let ok = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok);
    let screen = tmux.wait_for("TTY_DONE");
    assert!(screen.contains("TUI_EXIT=0"), "{screen}");
    assert!(
        screen.lines().any(|l| l.trim() == "icanon"),
        "raw mode left on:\n{screen}"
    );
}

#[test]
fn a_panic_restores_the_terminal_and_reports() {
    require_tmux();
    let mut sb = Sandbox::new();
    sb.start();
    let tmux = Tmux::new();
    let pidfile = sb.root().join("tui.pid");
    tmux.run(&tui_line_with(&sb, &pidfile, "KINTSUGI_TUI_TEST_PANIC=1"));
    let screen = tmux.wait_for("TTY_DONE");
    assert!(screen.contains("TUI_EXIT=101"), "{screen}");
    assert!(screen.contains("panicking on purpose"), "{screen}");
    assert!(
        screen.lines().any(|l| l.trim() == "icanon"),
        "raw mode left on:\n{screen}"
    );
}

/// The terminal goes away under the control room (its tmux server killed,
/// as when a test fails half-way or a window closes): the TUI must leave,
/// not outlive its pane spinning on a hung-up terminal.
#[test]
fn the_tui_exits_when_its_terminal_goes_away() {
    require_tmux();
    let mut sb = Sandbox::new();
    sb.start();
    let (tmux, pid) = live_tui(&sb);
    let tui = Process::of(pid);
    assert!(tui.running(), "the TUI is not running before the test");
    let killed = std::process::Command::new("tmux")
        .args(["-L", &tmux.name, "kill-server"])
        .status()
        .unwrap()
        .success();
    assert!(killed, "tmux kill-server failed");
    // Generous: only a process that never leaves fails this.
    let limit = Instant::now() + Duration::from_secs(60);
    while tui.running() && Instant::now() < limit {
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(
        !tui.running(),
        "`kintsugi tui` (pid {}) still runs 60 s after its terminal went away",
        tui.pid
    );
}

/// A process known by pid and start time, so a reused pid is not mistaken
/// for it; killed when dropped if it still runs (a failed test leaves no
/// spinning TUI behind).
struct Process {
    pid: u32,
    start: Option<String>,
}

impl Process {
    fn of(pid: u32) -> Process {
        let start = Process::stat(pid).map(|(_, start)| start);
        Process { pid, start }
    }

    /// (state, start time) from /proc/PID/stat; fields after the command
    /// name, which may hold spaces and parentheses.
    fn stat(pid: u32) -> Option<(String, String)> {
        let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        let rest = &text[text.rfind(')')? + 2..];
        let fields: Vec<&str> = rest.split_whitespace().collect();
        Some((fields.first()?.to_string(), fields.get(19)?.to_string()))
    }

    /// Still the same process, and not a zombie waiting to be reaped.
    fn running(&self) -> bool {
        match Process::stat(self.pid) {
            Some((state, start)) => Some(start) == self.start && state != "Z" && state != "X",
            None => false,
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        if self.running() {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", &self.pid.to_string()])
                .status();
        }
    }
}

trait Resize {
    fn resize(&self, w: u16, h: u16);
}

impl Resize for Tmux {
    fn resize(&self, w: u16, h: u16) {
        let ok = std::process::Command::new("tmux")
            .args([
                "-L",
                &self.name,
                "resize-window",
                "-x",
                &w.to_string(),
                "-y",
                &h.to_string(),
            ])
            .status()
            .unwrap()
            .success();
        assert!(ok, "tmux resize-window failed");
    }
}
