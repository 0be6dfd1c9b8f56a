//! A human, not a pseudo-terminal: an agent that leaves its process tree
//! (fork, setsid, fork) and opens a terminal of its own (`pty.fork`,
//! `script`) runs the real `kintsugi approve ID`, reads the confirmation
//! code off the terminal it owns and types it back. With no approval PIN
//! that session was created after the hold and is refused; with a PIN the
//! agent cannot type it, and guessing locks out. A session the agent
//! prepared before any hold (`tmux new -d` from its own terminal) is
//! refused too: it is younger than the agent. A human at a terminal
//! (tmux driven as a person types: PIN, then code; or, with no PIN, a
//! terminal open before the agent started) approves, and the approve event
//! records the approver's tty, session and ancestry.

mod common;
use common::*;
use serde_json::{Value, json};
use std::path::Path;

/// Leave the test's process tree like the issue's attacker: fork, setsid,
/// fork (the middle one exits). `BODY` then runs in the orphan, which
/// writes its JSON result to `out`; the first process waits for it.
const DETACH: &str = r#"
import json, os, pty, subprocess, sys, time
out = sys.argv[1]
if os.fork() != 0:
    for _ in range(1200):
        if os.path.exists(out):
            sys.exit(0)
        time.sleep(0.025)
    sys.exit(1)
os.setsid()
if os.fork() != 0:
    os._exit(0)
time.sleep(0.2)
def done(v):
    open(out + ".tmp", "w").write(json.dumps(v))
    os.rename(out + ".tmp", out)
    os._exit(0)
"#;

/// Drive a program on a terminal the agent owns: answer the PIN prompt
/// with `pin` (if asked) and type back the code it shows.
const TYPE_BACK: &str = r#"
def type_back(read, write, pin):
    buf, typed_pin, typed_code = b"", False, False
    while True:
        try:
            chunk = read()
        except OSError:
            break
        if not chunk:
            break
        buf += chunk
        if b"PIN: " in buf and not typed_pin:
            write(pin.encode() + b"\n"); typed_pin = True
        if b"confirmation code: " in buf and not typed_code:
            tail = buf.split(b"confirmation code: ")[1]
            if len(tail) >= 6:
                write(tail[:6] + b"\n"); typed_code = True
    return buf.decode(errors="replace")
"#;

/// `kintsugi approve ID` under `pty.fork()` after leaving the tree.
const PTY_APPROVE: &str = r#"
bin, id, pin = sys.argv[2], sys.argv[3], sys.argv[4]
pid, fd = pty.fork()
if pid == 0:
    os.execv(bin, [bin, "approve", id])
screen = type_back(lambda: os.read(fd, 1024), lambda b: os.write(fd, b), pin)
_, status = os.waitpid(pid, 0)
done({"exit": os.waitstatus_to_exitcode(status), "screen": screen})
"#;

/// The same under `script`, which opens the pseudo-terminal itself.
const SCRIPT_APPROVE: &str = r#"
bin, id, pin = sys.argv[2], sys.argv[3], sys.argv[4]
p = subprocess.Popen(["script", "-qfec", f"'{bin}' approve {id}", "/dev/null"],
                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
def write(b):
    p.stdin.write(b); p.stdin.flush()
screen = type_back(lambda: os.read(p.stdout.fileno(), 1024), write, pin)
done({"exit": p.wait(), "screen": screen})
"#;

/// Send each frame of a JSON list over one connection; the answers.
const FRAMES: &str = r#"
sock, frames = sys.argv[2], json.loads(sys.argv[3])
done(ask(sock, frames))
"#;

/// Run `body` (after `DETACH`, `TYPE_BACK` and [`PY_ASK`]) with `args`, in
/// the sandbox's environment; its JSON result.
fn detached(sb: &Sandbox, body: &str, args: &[&str]) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("answer");
    let ok = std::process::Command::new("python3")
        .args(["-c", &format!("{DETACH}{TYPE_BACK}{PY_ASK}{body}")])
        .arg(&out)
        .args(args)
        .env("KINTSUGI_DATA_DIR", sb.data())
        .env("KINTSUGI_CONFIG", sb.config())
        .env("HOME", sb.root().join("home"))
        .env_remove("KINTSUGI_SOCKET")
        .stdin(std::process::Stdio::null())
        .status()
        .expect("python3 runs")
        .success();
    assert!(ok, "the detached process gave no answer");
    serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap()
}

/// Hold `rm -rf build` in the sandbox's project, proposed by this process.
fn hold(sb: &Sandbox, c: &mut Conn) -> String {
    let proj = sb.project().display().to_string();
    let v = c.ask(&propose("rm -rf build", &proj)).unwrap();
    assert_eq!(v["decision"], "hold", "{v}");
    v["pending"].as_str().unwrap().to_string()
}

fn still_pending(sb: &Sandbox, id: &str) -> bool {
    let out = sb.run(&["queue", "--json"]);
    String::from_utf8_lossy(&out.stdout).contains(&format!("\"id\":\"{id}\""))
}

/// The newest ledger events of `kind`, newest first.
fn events(sb: &Sandbox, kind: &str) -> Vec<Value> {
    sb.log_text(200)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|e| e["kind"] == kind)
        .collect()
}

fn detail(e: &Value) -> Value {
    serde_json::from_str(e["detail"].as_str().unwrap_or("{}")).unwrap()
}

/// Set the first PIN with no daemon running (written to the data dir).
fn set_pin_offline(sb: &Sandbox, pin: &str) {
    let f = sb.root().join("pin.txt");
    std::fs::write(&f, format!("{pin}\n")).unwrap();
    let out = sb.run(&["admin", "set-pin", "--pin-file", f.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
}

fn assert_refused_as_suspect(sb: &Sandbox, answer: &Value, id: &str) {
    assert_ne!(answer["exit"], 0, "{answer}");
    let screen = answer["screen"].as_str().unwrap();
    assert!(screen.contains("approval refused"), "{screen}");
    assert!(
        screen.contains("created after the command was held"),
        "{screen}"
    );
    assert!(still_pending(sb, id), "the hold was decided");
    let refused = events(sb, "refused");
    let d = detail(&refused[0]);
    assert!(
        d["approver"]["suspect"]
            .as_str()
            .is_some_and(|s| s.contains("created after")),
        "{d}"
    );
    assert!(
        d["approver"]["process"]["tty"]
            .as_str()
            .is_some_and(|t| t.starts_with("/dev/pts/")),
        "{d}"
    );
    assert!(events(sb, "approve").is_empty());
}

#[test]
fn a_pty_fork_after_setsid_cannot_approve_its_own_hold() {
    let mut sb = Sandbox::new();
    sb.start();
    let mut c = Conn::open(&sb.socket());
    let id = hold(&sb, &mut c);
    let v = detached(&sb, PTY_APPROVE, &[BIN, &id, "none"]);
    // It did read and type the code: only the daemon's check stopped it.
    assert!(
        v["screen"]
            .as_str()
            .unwrap()
            .contains("confirmation code: "),
        "{v}"
    );
    assert_refused_as_suspect(&sb, &v, &id);
}

#[test]
fn script_after_setsid_cannot_approve_its_own_hold() {
    let mut sb = Sandbox::new();
    sb.start();
    let mut c = Conn::open(&sb.socket());
    let id = hold(&sb, &mut c);
    let v = detached(&sb, SCRIPT_APPROVE, &[BIN, &id, "none"]);
    assert_refused_as_suspect(&sb, &v, &id);
}

#[test]
fn with_a_pin_a_pty_that_guesses_is_refused_and_guessing_locks_out() {
    let mut sb = Sandbox::new();
    set_pin_offline(&sb, "739164");
    sb.start();
    // The daemon recorded the PIN found at start.
    let set = events(&sb, "approval-pin");
    assert_eq!(detail(&set[0])["state"], "set", "{set:?}");
    let mut c = Conn::open(&sb.socket());
    let id = hold(&sb, &mut c);
    // The pty agent is asked for the PIN, answers a guess, and is refused.
    let v = detached(&sb, PTY_APPROVE, &[BIN, &id, "000000"]);
    let screen = v["screen"].as_str().unwrap();
    assert!(screen.contains("Kintsugi approval PIN: "), "{screen}");
    assert!(
        screen.contains("wrong approval PIN (1 in a row)"),
        "{screen}"
    );
    assert!(still_pending(&sb, &id));
    // Without a PIN at all, an approval is refused (none is checked).
    let frame = |pin: Option<&str>| {
        let mut f = json!({"kind": "approve", "id": id});
        if let Some(p) = pin {
            f["pin"] = json!(p);
        }
        f
    };
    // Four more wrong guesses reach the lockout; then even the right PIN
    // is refused.
    let frames = json!([
        frame(None),
        frame(Some("111111")),
        frame(Some("222222")),
        frame(Some("333333")),
        frame(Some("444444")),
        frame(Some("739164")),
    ]);
    let sock = sb.socket();
    let answers = detached(&sb, FRAMES, &[sock.to_str().unwrap(), &frames.to_string()]);
    let msg = |i: usize| answers[i]["message"].as_str().unwrap_or("").to_string();
    assert!(
        msg(0).contains("approvals need the approval PIN"),
        "{}",
        msg(0)
    );
    assert!(msg(1).contains("(2 in a row)"), "{}", msg(1));
    assert!(
        msg(4).contains("(5 in a row)") && msg(4).contains("locked out"),
        "{}",
        msg(4)
    );
    assert!(
        msg(5).contains("locked out after 5 wrong approval PINs"),
        "{}",
        msg(5)
    );
    assert!(still_pending(&sb, &id));
    assert!(sb.data().join("approval-pin.lockout").exists());
    assert_eq!(events(&sb, "refused").len(), 7, "every refusal is recorded");
}

#[test]
fn a_human_at_tmux_types_the_pin_then_the_code_and_the_event_says_who() {
    require_tmux();
    let mut sb = Sandbox::new();
    sb.start();
    let mut c = Conn::open(&sb.socket());
    let id = hold(&sb, &mut c);
    // The helper sets the PIN in the terminal (`admin set-pin`), then
    // approves: PIN prompt, then the confirmation code.
    let screen = approve_in_terminal(&sb, &id, "");
    assert!(screen.contains("EXIT=0"), "{screen}");
    let p = screen.find("Kintsugi approval PIN:").unwrap();
    let q = screen.find("confirmation code: ").unwrap();
    assert!(p < q, "the PIN is asked before the code:\n{screen}");
    assert!(!still_pending(&sb, &id));
    let approve = events(&sb, "approve");
    assert_eq!(approve.len(), 1);
    let d = detail(&approve[0]);
    let who = &d["approver"];
    assert_eq!(who["proof"], "pin", "{d}");
    let process = &who["process"];
    assert!(
        process["tty"]
            .as_str()
            .is_some_and(|t| t.starts_with("/dev/pts/")),
        "{d}"
    );
    assert!(process["session"].as_u64().unwrap() > 1, "{d}");
    let ancestry = process["ancestry"].as_array().unwrap();
    assert_eq!(ancestry[0]["exe"], "kintsugi", "{d}");
    assert_eq!(ancestry[0]["pid"], process["pid"], "{d}");
    assert!(
        ancestry.iter().any(|l| l["pid"] == process["session"]),
        "the chain reaches the session leader: {d}"
    );
    // The PIN set in the terminal was recorded too, with who set it.
    let set = events(&sb, "approval-pin");
    assert_eq!(detail(&set[0])["state"], "set");
    assert!(detail(&set[0])["approver"]["process"]["tty"].is_string());
}

/// The agent at a terminal of its own (after [`PY_ASK`]): proposes
/// `argv[2]` (a frame) on socket `argv[1]`. With `argv[4]` naming a tmux
/// server, it first prepares a detached session there (before any hold,
/// as `tmux new -d` by a prompt-injected agent would), then types
/// `kintsugi approve ID` into it, reads the code off its screen and types
/// it back. Writes the id (and the staged screen) to `argv[3]`.
const TERMINAL_AGENT: &str = r#"
import json, os, re, subprocess, sys, time
sock, frame, out, staged, bin_, env = sys.argv[1:7]
def tmux(*args):
    return subprocess.run(["tmux", "-L", staged] + list(args), capture_output=True, text=True).stdout
if staged:
    subprocess.run(["tmux", "-L", staged, "new-session", "-d", "-x", "200", "-y", "50",
                    env + " PS1='$ ' sh"], check=True)
    time.sleep(0.3)
pending = ask(sock, [json.loads(frame)])[0]["pending"]
def done(v):
    open(out + ".tmp", "w").write(json.dumps(v))
    os.rename(out + ".tmp", out)
if not staged:
    done({"id": pending})
    time.sleep(60)
    sys.exit(0)
tmux("send-keys", "'%s' approve %s; echo RESULT-$?" % (bin_, pending), "Enter")
typed, screen = False, ""
for _ in range(600):
    screen = tmux("capture-pane", "-p")
    if re.search(r"RESULT-[0-9]", screen):
        break
    if "confirmation code: " in screen and not typed:
        tail = screen.split("confirmation code: ")[1]
        if len(tail) >= 6:
            tmux("send-keys", tail[:6], "Enter")
            typed = True
    time.sleep(0.05)
tmux("kill-server")
done({"id": pending, "screen": screen})
"#;

/// Start the agent of [`TERMINAL_AGENT`] in a terminal (tmux) of its own;
/// its answer once written.
fn agent_in_terminal(sb: &Sandbox, agent: &Tmux, staged: &str) -> Value {
    let script = sb.root().join("agent.py");
    std::fs::write(&script, format!("{PY_ASK}{TERMINAL_AGENT}")).unwrap();
    let out = sb.root().join(format!("agent-{staged}.json"));
    let proj = sb.project().display().to_string();
    let env = format!(
        "HOME='{}' KINTSUGI_DATA_DIR='{}' KINTSUGI_CONFIG='{}'",
        sb.root().join("home").display(),
        sb.data().display(),
        sb.config().display(),
    );
    let q = |s: &str| format!("'{}'", s.replace('\'', r"'\''"));
    agent.run(&format!(
        "python3 {} {} {} {} {} {} {}; sleep 30",
        q(script.to_str().unwrap()),
        q(sb.socket().to_str().unwrap()),
        q(&propose("rm -rf build", &proj)),
        q(out.to_str().unwrap()),
        q(staged),
        q(BIN),
        q(&env),
    ));
    for _ in 0..1200 {
        if let Ok(t) = std::fs::read_to_string(&out) {
            return serde_json::from_str(&t).unwrap();
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("the agent never answered; its screen:\n{}", agent.screen());
}

#[test]
fn with_no_pin_a_terminal_open_before_the_agent_started_approves() {
    require_tmux();
    let mut sb = Sandbox::new();
    sb.start();
    // The human's shell is open before the agent starts in a terminal of
    // its own and its command is held.
    let tmux = Tmux::new();
    tmux.run(&format!(
        "HOME='{}' KINTSUGI_DATA_DIR='{}' KINTSUGI_CONFIG='{}' PS1='$ ' sh",
        sb.root().join("home").display(),
        sb.data().display(),
        sb.config().display(),
    ));
    tmux.wait_for("$");
    std::thread::sleep(std::time::Duration::from_millis(50));
    let agent = Tmux::new();
    let id = agent_in_terminal(&sb, &agent, "")["id"]
        .as_str()
        .unwrap()
        .to_string();
    tmux.keys(&[&format!("'{BIN}' approve {id}; echo RESULT-$?"), "Enter"]);
    let screen = tmux.wait_for("confirmation code: ");
    assert!(!screen.contains("PIN"), "no PIN is set: {screen}");
    let code: String = screen
        .split("confirmation code: ")
        .nth(1)
        .unwrap()
        .chars()
        .take(6)
        .collect();
    tmux.keys(&[&code, "Enter"]);
    tmux.wait_for("RESULT-0");
    let d = detail(&events(&sb, "approve")[0]);
    assert_eq!(d["approver"]["proof"], "terminal", "{d}");
    assert!(d["approver"]["suspect"].is_null(), "{d}");
}

#[test]
fn a_session_the_agent_prepared_before_the_hold_cannot_approve() {
    require_tmux();
    let mut sb = Sandbox::new();
    sb.start();
    let agent = Tmux::new();
    let staged = format!("{}-staged", agent.name);
    let answer = agent_in_terminal(&sb, &agent, &staged);
    let id = answer["id"].as_str().unwrap();
    let screen = answer["screen"].as_str().unwrap();
    assert!(screen.contains("approval refused"), "{screen}");
    assert!(
        screen.contains("opened after the agent started"),
        "{screen}"
    );
    assert!(
        screen.contains("RESULT-1") || !screen.contains("RESULT-0"),
        "{screen}"
    );
    assert!(still_pending(&sb, id), "the staged session approved");
    let d = detail(&events(&sb, "refused")[0]);
    assert!(
        d["approver"]["suspect"]
            .as_str()
            .is_some_and(|s| s.contains("opened after the agent started")),
        "{d}"
    );
    assert!(events(&sb, "approve").is_empty());
}

#[test]
fn the_first_pin_needs_a_terminal_and_a_change_needs_the_current_pin() {
    let mut sb = Sandbox::new();
    sb.start();
    let write = |name: &str, pin: &str| {
        let f = sb.root().join(name);
        std::fs::write(&f, format!("{pin}\n")).unwrap();
        f
    };
    let new = write("new.txt", "520731");
    // A process in a session of its own, without a terminal (as an agent
    // detached with setsid is), cannot choose the first PIN.
    let out = std::process::Command::new("setsid")
        .arg("-w")
        .arg(BIN)
        .args(["admin", "set-pin", "--pin-file", new.to_str().unwrap()])
        .env("KINTSUGI_DATA_DIR", sb.data())
        .env("KINTSUGI_CONFIG", sb.config())
        .env("HOME", sb.root().join("home"))
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("no controlling terminal"),
        "{}",
        text(&out)
    );
    assert!(!sb.data().join("approval-pin.json").exists());
    let refused = events(&sb, "approval-pin");
    assert_eq!(refused[0]["decision"], "deny", "{refused:?}");
    // Set in a terminal (the helper), then change it: the current PIN is needed.
    require_tmux();
    let tmux = Tmux::new();
    tmux.run(&format!(
        "HOME='{}' KINTSUGI_DATA_DIR='{}' KINTSUGI_CONFIG='{}' '{BIN}' admin set-pin --pin-file '{}'; echo EXIT=$?; sleep 30",
        sb.root().join("home").display(),
        sb.data().display(),
        sb.config().display(),
        new.display()
    ));
    assert!(tmux.wait_for("EXIT=").contains("EXIT=0"));
    let other = write("other.txt", "964210");
    let wrong = write("wrong.txt", "000000");
    let change = |current: &Path| {
        sb.run(&[
            "admin",
            "set-pin",
            "--pin-file",
            other.to_str().unwrap(),
            "--current-pin-file",
            current.to_str().unwrap(),
        ])
    };
    let out = change(&wrong);
    assert!(!out.status.success());
    assert!(text(&out).contains("wrong approval PIN"), "{}", text(&out));
    let out = change(&new);
    assert!(out.status.success(), "{}", text(&out));
    let states: Vec<String> = events(&sb, "approval-pin")
        .iter()
        .map(|e| detail(e)["state"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(states[0], "set");
    assert_eq!(
        states.iter().filter(|s| *s == "set").count(),
        2,
        "{states:?}"
    );
}

#[test]
fn an_erased_pin_file_is_lost_not_unset_after_a_restart() {
    let mut sb = Sandbox::new();
    set_pin_offline(&sb, "615243");
    sb.start();
    sb.signal("TERM");
    let _ = sb.wait_exit();
    std::fs::remove_file(sb.data().join("approval-pin.json")).unwrap();
    sb.start();
    let out = sb.run(&["status", "--json"]);
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(s.contains("\"approval_pin\":\"lost: "), "{s}");
    // An approval resting on the terminal test alone is refused.
    let mut c = Conn::open(&sb.socket());
    let id = hold(&sb, &mut c);
    let frames = json!([{"kind": "approve", "id": id}]);
    let sock = sb.socket();
    let answers = detached(&sb, FRAMES, &[sock.to_str().unwrap(), &frames.to_string()]);
    let msg = answers[0]["message"].as_str().unwrap_or("");
    assert!(msg.contains("the approval PIN is lost"), "{msg}");
    assert!(still_pending(&sb, &id));
    // A PIN written behind the daemon's back (the file was gone, so the
    // offline set-pin takes it) does not replace the recorded one.
    sb.signal("TERM");
    let _ = sb.wait_exit();
    set_pin_offline(&sb, "777111");
    sb.start();
    let out = sb.run(&["status", "--json"]);
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(s.contains("was replaced while no daemon ran"), "{s}");
}

#[test]
fn init_sets_the_pin_from_a_file_and_says_so_when_there_is_none() {
    let mut sb = Sandbox::new();
    let shims = sb.root().join("shims");
    let out = sb
        .cmd()
        .env("KINTSUGI_SHIM_DIR", &shims)
        .args(["init", "--no-start"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("approvals rest on the terminal test only"),
        "{}",
        text(&out)
    );
    assert!(!sb.data().join("approval-pin.json").exists());
    let f = sb.root().join("pin.txt");
    std::fs::write(&f, "863201\n").unwrap();
    let out = sb
        .cmd()
        .env("KINTSUGI_SHIM_DIR", &shims)
        .args([
            "init",
            "--no-start",
            "--approval-pin-file",
            f.to_str().unwrap(),
        ])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(sb.data().join("approval-pin.json").exists());
    sb.start();
    let out = sb.run(&["status"]);
    assert!(text(&out).contains("approval PIN    set"), "{}", text(&out));
    let out = sb.run(&["doctor"]);
    assert!(
        text(&out).contains("an approval PIN is set"),
        "{}",
        text(&out)
    );
}
