//! Under `kintsugi guard` the agent is not the human. A Python agent run by
//! a real guard (exec supervisor, subreaper, Landlock) against a real
//! sandbox daemon asks, over a raw socket of its own, to approve, deny,
//! resolve, undo, resume, set a PIN, collect snapshots and begin an admin
//! challenge: every one is refused as coming from a guarded agent's tree,
//! also from a process that double-forked and called `setsid` (the guard
//! adopts it: its parent is the guard, not init), while `status` still
//! answers. The human's `kintsugi approve` from a terminal outside the
//! guard then approves the same hold. Landlock: the guarded agent cannot
//! read the approval PIN's hash or the checkpoint key, cannot delete them
//! or the data dir, cannot write the config, but writes its project.

mod common;
use common::*;
use serde_json::{Value, json};
use std::process::Stdio;

/// The agent (after [`PY_ASK`]): asks the frames of argv[3] over its own
/// socket, directly and from a double-forked, `setsid` orphan; writes both
/// answers (and the orphan's parent pid) to argv[4].
const ASKING_AGENT: &str = r#"
import json, os, sys, time
sock, frames, out = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
result = {"direct": ask(sock, frames)}
r, w = os.pipe()
if os.fork() == 0:
    os.close(r)
    os.setsid()
    if os.fork() != 0:
        os._exit(0)
    time.sleep(0.3)
    msg = {"ppid": os.getppid(), "answers": ask(sock, frames[:1])}
    os.write(w, json.dumps(msg).encode())
    os._exit(0)
os.close(w)
os.wait()
data = b""
while True:
    chunk = os.read(r, 65536)
    if not chunk:
        break
    data += chunk
result["detached"] = json.loads(data)
open(out + ".tmp", "w").write(json.dumps(result))
os.rename(out + ".tmp", out)
"#;

/// The agent that tries Kintsugi's files: each attempt's outcome by name.
const FILE_AGENT: &str = r#"
import json, os, shutil, sys
data, config, out = sys.argv[1], sys.argv[2], sys.argv[3]
res = {}
def attempt(name, f):
    try:
        f()
        res[name] = "done"
    except OSError as e:
        res[name] = "refused: %s" % e.strerror
attempt("read-pin-hash", lambda: open(os.path.join(data, "approval-pin.json")).read())
attempt("read-checkpoint-key", lambda: open(os.path.join(data, "checkpoint.key"), "rb").read())
attempt("read-daemon-pid", lambda: open(os.path.join(data, "kintsugi.pid")).read())
attempt("delete-pin-hash", lambda: os.remove(os.path.join(data, "approval-pin.json")))
attempt("rename-data-dir", lambda: os.rename(data, data + ".gone"))
attempt("rmtree-data-dir", lambda: shutil.rmtree(data))
attempt("write-config", lambda: open(config, "a").write("\nmode = \"off\"\n"))
attempt("create-in-data-dir", lambda: open(os.path.join(data, "vault.json"), "w").write("{}"))
attempt("write-project", lambda: open(os.path.join(os.getcwd(), "notes.txt"), "w").write("ok"))
json.dump(res, open(os.path.join(os.getcwd(), out), "w"))
"#;

fn guard_python(sb: &Sandbox, code: &str, args: &[&str]) -> (u32, std::process::Output) {
    let child = sb
        .cmd()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .current_dir(sb.project())
        .args(["guard", "--", "python3", "-c", code])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    (pid, child.wait_with_output().unwrap())
}

fn still_pending(sb: &Sandbox, id: &str) -> bool {
    let out = sb.run(&["queue", "--json"]);
    String::from_utf8_lossy(&out.stdout).contains(&format!("\"id\":\"{id}\""))
}

fn assert_guarded_refusal(answer: &Value, what: &str) {
    assert_eq!(answer["kind"], "error", "{what}: {answer}");
    let msg = answer["message"].as_str().unwrap_or("");
    assert!(
        msg.contains("guarded by `kintsugi guard`") && msg.contains(what),
        "{what}: {msg}"
    );
}

#[test]
fn under_guard_the_agent_cannot_approve_even_detached_but_the_human_can() {
    require_tmux();
    let mut sb = Sandbox::new();
    sb.start();
    let proj = sb.project().display().to_string();
    let mut c = Conn::open(&sb.socket());
    let v = c.ask(&propose("rm -rf build", &proj)).unwrap();
    assert_eq!(v["decision"], "hold", "{v}");
    let id = v["pending"].as_str().unwrap().to_string();
    let mut command: Value = serde_json::from_str(&propose("rm -rf build", &proj)).unwrap();
    command.as_object_mut().unwrap().remove("kind");
    let frames = json!([
        {"kind": "approve", "id": id},
        {"kind": "deny", "id": id},
        {"kind": "resolve", "command": command, "decision": "allow", "remember": true},
        {"kind": "undo", "force": true},
        {"kind": "resume"},
        {"kind": "setpin", "pin": "135792"},
        {"kind": "gc"},
        {"kind": "authbegin", "op": "shutdown"},
        {"kind": "status"},
    ]);
    let out = sb.root().join("home/proj/answers.json");
    let sock = sb.socket();
    let (guard_pid, run) = guard_python(
        &sb,
        &format!("{PY_ASK}{ASKING_AGENT}"),
        &[
            sock.to_str().unwrap(),
            &frames.to_string(),
            out.to_str().unwrap(),
        ],
    );
    assert!(run.status.success(), "{}", text(&run));
    let answers: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let direct = answers["direct"].as_array().unwrap();
    for (i, what) in [
        "approve",
        "deny",
        "resolve",
        "undo",
        "resume",
        "set-pin",
        "gc",
        "authbegin",
    ]
    .iter()
    .enumerate()
    {
        assert_guarded_refusal(&direct[i], what);
    }
    assert_eq!(
        direct[8]["kind"], "status",
        "status still answers: {}",
        direct[8]
    );
    // The orphan was adopted by the guard, so it is still known as the
    // agent's.
    let detached = &answers["detached"];
    assert_eq!(detached["ppid"], guard_pid, "{detached}");
    assert_guarded_refusal(&detached["answers"][0], "approve");
    assert!(still_pending(&sb, &id), "the agent decided its own hold");
    // Every refusal is on the ledger.
    let refused = sb
        .log_text(200)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|e| {
            e["kind"] == "refused"
                && e["detail"]
                    .as_str()
                    .is_some_and(|d| d.contains("\"guarded_tree\":true"))
        })
        .count();
    assert!(refused >= 9, "{refused} refusals recorded");
    // The human, at a terminal outside the guard, approves it.
    let screen = approve_in_terminal(&sb, &id, "");
    assert!(screen.contains("EXIT=0"), "{screen}");
    assert!(!still_pending(&sb, &id));
}

#[test]
fn landlock_keeps_the_guarded_agent_from_kintsugi_s_files() {
    let mut sb = Sandbox::new();
    sb.write_config("hold_timeout_secs = 1\n");
    // A PIN hash (set before the daemon runs) and the checkpoint key exist
    // in the data dir.
    let f = sb.root().join("pin.txt");
    std::fs::write(&f, "246810\n").unwrap();
    let set = sb.run(&["admin", "set-pin", "--pin-file", f.to_str().unwrap()]);
    assert!(set.status.success(), "{}", text(&set));
    sb.start();
    let pin_hash = sb.data().join("approval-pin.json");
    let key = sb.data().join("checkpoint.key");
    assert!(pin_hash.exists() && key.exists());
    let before = std::fs::read(&pin_hash).unwrap();
    let config_before = std::fs::read_to_string(sb.config()).unwrap();
    let data = sb.data();
    let config = sb.config();
    let (_, run) = guard_python(
        &sb,
        FILE_AGENT,
        &[
            data.to_str().unwrap(),
            config.to_str().unwrap(),
            "outcome.json",
        ],
    );
    assert!(run.status.success(), "{}", text(&run));
    let res: Value =
        serde_json::from_str(&std::fs::read_to_string(sb.project().join("outcome.json")).unwrap())
            .unwrap();
    for refused in [
        "read-pin-hash",
        "read-checkpoint-key",
        "delete-pin-hash",
        "rename-data-dir",
        "rmtree-data-dir",
        "write-config",
        "create-in-data-dir",
    ] {
        assert!(
            res[refused]
                .as_str()
                .is_some_and(|s| s.starts_with("refused")),
            "{refused}: {res}"
        );
    }
    assert_eq!(res["read-daemon-pid"], "done", "{res}");
    assert_eq!(res["write-project"], "done", "{res}");
    assert_eq!(std::fs::read(&pin_hash).unwrap(), before);
    assert!(key.exists());
    assert!(!sb.data().join("vault.json").exists());
    assert_eq!(std::fs::read_to_string(sb.config()).unwrap(), config_before);
    // The guard's note said what Landlock did while it ran; status shows
    // it only while the guard lives, so the note is checked via the
    // guard's own stderr staying quiet about Landlock being unavailable.
    assert!(
        !text(&run).contains("Landlock is unavailable"),
        "{}",
        text(&run)
    );
}
