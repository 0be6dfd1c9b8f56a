//! The decision engine and the approval queue through the real socket: kill
//! switch, tighten-only repo policy, the user's rules, memory and its
//! catastrophic floor, each mode, expiry, and approval integrity (refused
//! from the agent's tree and without a terminal, accepted from a real one).

mod common;
use common::*;
use std::time::Duration;

fn project(sb: &Sandbox) -> String {
    sb.project().display().to_string()
}

fn decision(c: &mut Conn, raw: &str, cwd: &str) -> serde_json::Value {
    let v = c.ask(&propose(raw, cwd)).unwrap();
    assert_eq!(v["kind"], "verdict", "{v}");
    v
}

fn log_text(sb: &Sandbox) -> String {
    sb.log_text(1000)
}

#[test]
fn kill_switch_denies_everything_and_survives_restart() {
    let mut sb = Sandbox::new();
    sb.start();
    let mut c = Conn::open(&sb.socket());
    assert_eq!(decision(&mut c, "ls", "/tmp")["decision"], "allow");
    assert!(sb.run(&["panic"]).status.success());
    let v = decision(&mut c, "ls", "/tmp");
    assert_eq!(v["decision"], "deny");
    assert!(v["reason"].as_str().unwrap().contains("kill switch"));
    drop(c);
    sb.signal("TERM");
    sb.wait_exit();
    sb.start();
    let mut c = Conn::open(&sb.socket());
    assert_eq!(decision(&mut c, "ls", "/tmp")["decision"], "deny");
    let st = c.ask(r#"{"kind":"status"}"#).unwrap();
    assert_eq!(st["panic"], true);
    assert!(sb.run(&["resume"]).status.success());
    assert_eq!(decision(&mut c, "ls", "/tmp")["decision"], "allow");
    let log = log_text(&sb);
    assert!(log.contains("kill switch ON") && log.contains("kill switch OFF"));
}

#[test]
fn repo_policy_may_only_tighten() {
    let mut sb = Sandbox::new();
    sb.start();
    let proj = project(&sb);
    std::fs::write(
        format!("{proj}/.kintsugi.toml"),
        "mode = \"notify\"\n[rules]\nallow = [\"*\"]\ndeny = [\"make deploy*\"]\nhold = [\"cargo publish*\"]\n",
    )
    .unwrap();
    let sub = format!("{proj}/src");
    std::fs::create_dir_all(&sub).unwrap();
    let mut c = Conn::open(&sb.socket());
    // `allow = ["*"]` and `mode = "notify"` change nothing.
    assert_eq!(decision(&mut c, "rm -rf build", &sub)["decision"], "hold");
    assert_eq!(decision(&mut c, "rm -rf ~", &sub)["decision"], "hold");
    // Its deny and hold rules apply.
    assert_eq!(
        decision(&mut c, "make deploy-prod", &sub)["decision"],
        "deny"
    );
    assert_eq!(
        decision(&mut c, "cargo publish --dry-run", &sub)["decision"],
        "hold"
    );
    assert_eq!(decision(&mut c, "cargo build", &sub)["decision"], "allow");
    let st = c.ask(r#"{"kind":"status"}"#).unwrap();
    let warnings = st["warnings"].to_string();
    assert!(
        warnings.contains("mode") && warnings.contains("allow"),
        "{st}"
    );
    assert!(log_text(&sb).contains("\"kind\":\"policy\""));
}

#[test]
fn user_rules_and_modes() {
    let mut sb = Sandbox::new();
    sb.write_config(
        "mode = \"unattended\"\n[rules]\nallow = [\"rm -rf build\", \"rm -rf ~\"]\ndeny = [\"terraform *\"]\nhold = [\"rule:safe:*\"]\n",
    );
    sb.start();
    let proj = project(&sb);
    let mut c = Conn::open(&sb.socket());
    assert_eq!(decision(&mut c, "rm -rf build", &proj)["decision"], "allow");
    // No policy turns a catastrophic class into allow.
    let v = decision(&mut c, "rm -rf ~", &proj);
    assert_eq!(
        (v["class"].as_str(), v["decision"].as_str()),
        (Some("catastrophic"), Some("deny"))
    );
    assert_eq!(
        decision(&mut c, "terraform plan", &proj)["decision"],
        "deny"
    );
    // Unattended: a hold rule on a safe command becomes deny; ambiguous is denied.
    assert_eq!(decision(&mut c, "ls", &proj)["decision"], "deny");
    assert_eq!(decision(&mut c, "rm -rf target", &proj)["decision"], "deny");
}

#[test]
fn notify_mode_allows_ambiguous_but_holds_catastrophic() {
    let mut sb = Sandbox::new();
    sb.write_config("mode = \"notify\"\n");
    sb.start();
    let proj = project(&sb);
    let mut c = Conn::open(&sb.socket());
    assert_eq!(
        decision(&mut c, "rm -rf target", &proj)["decision"],
        "allow"
    );
    assert_eq!(decision(&mut c, "rm -rf ~", &proj)["decision"], "hold");
    assert_eq!(decision(&mut c, "git status", &proj)["decision"], "allow");
}

#[test]
fn held_items_expire_and_are_recorded() {
    let mut sb = Sandbox::new();
    sb.write_config("pending_ttl_secs = 1\n");
    sb.start();
    let mut c = Conn::open(&sb.socket());
    let id = decision(&mut c, "rm -rf ~", "/tmp")["pending"]
        .as_str()
        .unwrap()
        .to_string();
    let w = c
        .ask(&format!(
            r#"{{"kind":"wait","id":"{id}","timeout_ms":5000}}"#
        ))
        .unwrap();
    assert_eq!(w["status"], "gone");
    std::thread::sleep(Duration::from_millis(300));
    assert!(log_text(&sb).contains("expired without a human decision"));
}

#[test]
fn approvals_are_refused_without_a_terminal_and_from_the_agents_tree() {
    let mut sb = Sandbox::new();
    sb.start();
    let mut c = Conn::open(&sb.socket());
    let id = decision(&mut c, "rm -rf ~", "/tmp")["pending"]
        .as_str()
        .unwrap()
        .to_string();
    // The proposer itself.
    let v = c
        .ask(&format!(r#"{{"kind":"approve","id":"{id}"}}"#))
        .unwrap();
    assert_eq!(v["kind"], "error");
    assert!(
        v["message"].as_str().unwrap().contains("approval refused"),
        "{v}"
    );
    // A child of the proposer's parent with no terminal (the CLI, run from here).
    let out = sb.run(&["approve", &id]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("terminal"), "{err}");
    // A resolve with allow is held to the same rule.
    let cmd = serde_json::json!({"id": uuid_like(), "ts": "2026-11-24T00:00:00Z", "agent": "test", "cwd": "/tmp", "argv": [], "raw": "rm -rf ~"});
    let r = serde_json::json!({"kind": "resolve", "command": cmd, "decision": "allow", "remember": true});
    assert_eq!(c.ask(&r.to_string()).unwrap()["kind"], "error");
    assert_eq!(
        c.ask(&format!(r#"{{"kind":"pendingstatus","id":"{id}"}}"#))
            .unwrap()["status"],
        "pending"
    );
    assert!(log_text(&sb).contains("\"kind\":\"refused\""));
}

#[test]
fn a_human_at_a_terminal_approves_and_memory_applies() {
    require_tmux();
    let mut sb = Sandbox::new();
    sb.start();
    let proj = project(&sb);
    let mut c = Conn::open(&sb.socket());
    let id = decision(&mut c, "rm -rf build", &proj)["pending"]
        .as_str()
        .unwrap()
        .to_string();
    let screen = approve_in_terminal(&sb, &id, "--remember");
    assert!(screen.contains("EXIT=0"), "{screen}");
    assert_eq!(
        c.ask(&format!(r#"{{"kind":"pendingstatus","id":"{id}"}}"#))
            .unwrap()["status"],
        "approved"
    );
    // Remembered: the same command in the same repo is now allowed.
    let v = decision(&mut c, "rm -rf build", &proj);
    assert_eq!(v["decision"], "allow", "{v}");
    // A remembered allow never covers a catastrophic command.
    let id = decision(&mut c, "rm -rf ~", &proj)["pending"]
        .as_str()
        .unwrap()
        .to_string();
    let screen = approve_in_terminal(&sb, &id, "--remember");
    assert!(screen.contains("EXIT=0"), "{screen}");
    assert_eq!(decision(&mut c, "rm -rf ~", &proj)["decision"], "hold");
    // A remembered deny always applies.
    let id = decision(&mut c, "rm -rf dist", &proj)["pending"]
        .as_str()
        .unwrap()
        .to_string();
    let cmd_out = sb.run(&["deny", &id, "--remember"]);
    assert!(cmd_out.status.success());
    assert_eq!(decision(&mut c, "rm -rf dist", &proj)["decision"], "deny");
    let (ok, text) = verify(&sb);
    assert!(ok, "{text}");
}

#[test]
fn a_wrong_code_approves_nothing() {
    let mut sb = Sandbox::new();
    sb.start();
    let mut c = Conn::open(&sb.socket());
    let id = decision(&mut c, "rm -rf ~", "/tmp")["pending"]
        .as_str()
        .unwrap()
        .to_string();
    let tmux = Tmux::new();
    tmux.run(&format!(
        "KINTSUGI_DATA_DIR='{}' '{}' approve {id}; echo EXIT=$?; sleep 30",
        sb.data().display(),
        BIN
    ));
    tmux.wait_for("confirmation code: ");
    tmux.keys(&["WRONG1", "Enter"]);
    let screen = tmux.wait_for("EXIT=");
    assert!(
        screen.contains("EXIT=1") && screen.contains("did not match"),
        "{screen}"
    );
    assert_eq!(
        c.ask(&format!(r#"{{"kind":"pendingstatus","id":"{id}"}}"#))
            .unwrap()["status"],
        "pending"
    );
}
