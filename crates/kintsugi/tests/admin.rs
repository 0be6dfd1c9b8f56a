//! The admin vault end to end, through the real socket and the real CLI:
//! locked stop/resume need the password, replays and wrong proofs are
//! refused and recorded, lockout survives a restart, the daemon keeps the
//! vault it loaded, tampering is detected rather than obeyed, and the
//! password never lands in a file, a log or an argument list.

mod common;
use common::{Conn, Sandbox};
use kintsugi_protocol::KdfParams;
use std::path::PathBuf;

const PW: &str = "correct horse battery staple 7f3q";

fn write(sb: &Sandbox, name: &str, text: &str) -> PathBuf {
    let p = sb.root().join(name);
    std::fs::write(&p, format!("{text}\n")).unwrap();
    p
}

fn text(o: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Provision with a small argon2 cost; returns the recovery key.
fn provision(sb: &Sandbox, extra: &[&str]) -> String {
    let f = write(sb, "pw", PW);
    let mut args = vec![
        "admin",
        "provision",
        "--password-file",
        f.to_str().unwrap(),
        "--kdf-m-cost",
        "1024",
        "--kdf-t-cost",
        "1",
    ];
    args.extend_from_slice(extra);
    let out = sb.run(&args);
    assert!(out.status.success(), "{}", text(&out));
    let s = String::from_utf8_lossy(&out.stdout).into_owned();
    let line = s
        .lines()
        .skip_while(|l| !l.starts_with("recovery key"))
        .nth(1)
        .unwrap();
    line.trim().to_string()
}

fn pw_file(sb: &Sandbox) -> String {
    sb.root().join("pw").display().to_string()
}

fn log(sb: &Sandbox) -> String {
    text(&sb.run(&["log", "--json", "-n", "1000"]))
}

/// (nonce, proof) for `op` made with `secret` against the live daemon.
fn prove(c: &mut Conn, op: &str, secret: &str) -> (String, String) {
    let ch = c
        .ask(&format!(r#"{{"kind":"authbegin","op":"{op}"}}"#))
        .unwrap();
    assert_eq!(ch["kind"], "challenge", "{ch}");
    assert_eq!(ch["locked"], true);
    let params: KdfParams = serde_json::from_value(ch["params"].clone()).unwrap();
    let salt = hex::decode(ch["salt"].as_str().unwrap()).unwrap();
    let nonce = ch["nonce"].as_str().unwrap().to_string();
    assert_eq!(nonce.len(), 64);
    let key = kintsugi_vault::crypto::derive_key(secret.as_bytes(), &salt, &params).unwrap();
    let proof = kintsugi_vault::crypto::proof(&key, &nonce, op);
    (nonce, proof)
}

fn frame(kind: &str, op: &str, nonce: &str, proof: &str) -> String {
    serde_json::json!({"kind": kind, "op": op, "nonce": nonce, "proof": proof}).to_string()
}

fn status(sb: &Sandbox) -> serde_json::Value {
    Conn::open(&sb.socket())
        .ask(r#"{"kind":"status"}"#)
        .unwrap()
}

#[test]
fn unlocked_stop_still_needs_no_password() {
    let mut sb = Sandbox::new();
    sb.start();
    assert_eq!(status(&sb)["admin"], "unlocked");
    let out = sb.run(&["stop"]);
    assert!(out.status.success(), "{}", text(&out));
}

#[test]
fn locked_stop_refuses_missing_and_wrong_proofs_and_accepts_the_password() {
    let mut sb = Sandbox::new();
    provision(&sb, &[]);
    sb.start();
    assert_eq!(status(&sb)["admin"], "locked");
    let mut c = Conn::open(&sb.socket());
    let r = c.ask(&frame("shutdown", "shutdown", "", "")).unwrap();
    assert_eq!(r["kind"], "error", "{r}");
    assert!(
        r["message"].as_str().unwrap().contains("needs a proof"),
        "{r}"
    );
    let wrong = write(&sb, "wrong", "not the password");
    let out = sb.run(&["stop", "--password-file", wrong.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(text(&out).contains("wrong password"), "{}", text(&out));
    assert_eq!(status(&sb)["kind"], "status", "the daemon must still run");
    // A proof for another op does not stop it either.
    let (n, p) = prove(&mut c, "resume", PW);
    let r = c.ask(&frame("shutdown", "shutdown", &n, &p)).unwrap();
    assert_eq!(r["kind"], "error", "{r}");

    // The password crosses no argument list while the daemon runs.
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        if let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) {
            assert!(!String::from_utf8_lossy(&cmdline).contains(PW));
        }
    }
    let out = sb.run(&["stop", "--password-file", &pw_file(&sb)]);
    assert!(out.status.success(), "{}", text(&out));
    let (_, stderr) = sb.wait_exit();
    let events = log(&sb);
    assert!(events.contains("`shutdown` refused"), "{events}");
    assert!(
        events.contains("`shutdown` authorised by the admin password"),
        "{events}"
    );
    // Never in a file under the data dir, nor the daemon's log.
    assert!(!stderr.contains(PW));
    let mut stack = vec![sb.data()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(bytes) = std::fs::read(&p) {
                let hay = String::from_utf8_lossy(&bytes);
                assert!(!hay.contains(PW), "password found in {}", p.display());
            }
        }
    }
    let mode = std::fs::metadata(sb.data().join("vault.json")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(mode.permissions().mode() & 0o777, 0o600);
}

#[test]
fn replayed_nonce_is_refused_and_resume_needs_the_password() {
    let mut sb = Sandbox::new();
    provision(&sb, &[]);
    sb.start();
    assert!(sb.run(&["panic"]).status.success());
    let mut c = Conn::open(&sb.socket());
    let r = c.ask(r#"{"kind":"resume"}"#).unwrap();
    assert_eq!(r["kind"], "error", "resume without proof: {r}");
    assert_eq!(status(&sb)["panic"], true);
    let (n, p) = prove(&mut c, "resume", PW);
    let resume = serde_json::json!({"kind":"resume","nonce":n,"proof":p}).to_string();
    assert_eq!(c.ask(&resume).unwrap()["kind"], "ack");
    assert_eq!(status(&sb)["panic"], false);
    assert!(sb.run(&["panic"]).status.success());
    let r = c.ask(&resume).unwrap();
    assert_eq!(r["kind"], "error", "replay: {r}");
    assert!(
        r["message"].as_str().unwrap().contains("already used"),
        "{r}"
    );
    assert_eq!(status(&sb)["panic"], true);
    let out = sb.run(&["resume", "--password-file", &pw_file(&sb)]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(status(&sb)["panic"], false);
    assert!(log(&sb).contains("`resume` refused"));
}

#[test]
fn lockout_after_five_failures_survives_a_restart() {
    let mut sb = Sandbox::new();
    provision(&sb, &[]);
    sb.start();
    let mut c = Conn::open(&sb.socket());
    for _ in 0..5 {
        let (n, _) = prove(&mut c, "shutdown", "guess");
        let r = c
            .ask(&frame("shutdown", "shutdown", &n, &"00".repeat(32)))
            .unwrap();
        assert_eq!(r["kind"], "error");
    }
    let r = c.ask(r#"{"kind":"authbegin","op":"shutdown"}"#).unwrap();
    assert!(r["message"].as_str().unwrap().contains("locked out"), "{r}");
    // The right password does not help while locked out.
    let out = sb.run(&["stop", "--password-file", &pw_file(&sb)]);
    assert!(text(&out).contains("locked out"), "{}", text(&out));
    sb.signal("TERM");
    sb.wait_exit();
    sb.start();
    let r = Conn::open(&sb.socket())
        .ask(r#"{"kind":"authbegin","op":"shutdown"}"#)
        .unwrap();
    assert!(
        r["message"].as_str().unwrap().contains("locked out"),
        "after restart: {r}"
    );
}

#[test]
fn deleting_the_vault_while_running_changes_nothing_and_at_start_degrades() {
    let mut sb = Sandbox::new();
    provision(&sb, &[]);
    sb.start();
    let vault = sb.data().join("vault.json");
    std::fs::remove_file(&vault).unwrap();
    assert_eq!(status(&sb)["admin"], "locked");
    let r = Conn::open(&sb.socket())
        .ask(&frame("shutdown", "shutdown", "", ""))
        .unwrap();
    assert_eq!(r["kind"], "error", "still locked: {r}");
    let out = sb.run(&["stop", "--password-file", &pw_file(&sb)]);
    assert!(out.status.success(), "{}", text(&out));
    sb.wait_exit();
    assert!(vault.exists(), "the daemon wrote its copy back");
    assert!(log(&sb).contains("deleted while the daemon ran"));
    // Gone at start-up: degraded, not unprovisioned.
    std::fs::remove_file(&vault).unwrap();
    sb.start();
    assert!(
        status(&sb)["admin"]
            .as_str()
            .unwrap()
            .starts_with("degraded")
    );
    let out = sb.run(&["stop", "--password-file", &pw_file(&sb)]);
    assert!(!out.status.success());
    assert!(text(&out).contains("degraded"), "{}", text(&out));
    assert!(log(&sb).contains("DEGRADED"));
}

#[test]
fn corrupted_settings_are_detected_not_obeyed() {
    let mut sb = Sandbox::new();
    sb.write_config("mode = \"notify\"\n");
    provision(&sb, &["--mode-floor", "attended"]);
    let vault = sb.data().join("vault.json");
    let edited = std::fs::read_to_string(&vault)
        .unwrap()
        .replace("\"mode_floor\": \"attended\"", "\"mode_floor\": \"notify\"");
    assert!(edited.contains("\"notify\""));
    std::fs::write(&vault, edited).unwrap();
    sb.start();
    let s = status(&sb);
    assert!(s["admin"].as_str().unwrap().starts_with("degraded"), "{s}");
    assert!(s["admin"].as_str().unwrap().contains("MAC"), "{s}");
    assert_eq!(
        s["mode"], "attended",
        "the edited floor must not be obeyed: {s}"
    );
    assert!(
        !sb.run(&["stop", "--password-file", &pw_file(&sb)])
            .status
            .success()
    );
}

#[test]
fn mode_floor_change_password_and_recover() {
    let mut sb = Sandbox::new();
    sb.write_config("mode = \"notify\"\n");
    let recovery = provision(&sb, &["--mode-floor", "attended"]);
    sb.start();
    assert_eq!(status(&sb)["mode"], "attended", "the vault's floor applies");
    // Tightening is free; loosening needs a proof.
    let r = Conn::open(&sb.socket())
        .ask(r#"{"kind":"setmode","mode":"unattended"}"#)
        .unwrap();
    assert_eq!(r["kind"], "report", "{r}");
    let r = Conn::open(&sb.socket())
        .ask(r#"{"kind":"setmode","mode":"attended"}"#)
        .unwrap();
    assert_eq!(r["kind"], "error", "{r}");
    let pw = pw_file(&sb);
    let out = sb.run(&[
        "admin",
        "set",
        "mode-floor",
        "notify",
        "--password-file",
        &pw,
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let out = sb.run(&["admin", "set", "mode", "notify", "--password-file", &pw]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(status(&sb)["mode"], "notify");
    // change-password through the running daemon.
    let new = write(&sb, "new", "a brand new password 42");
    let args = [
        "admin",
        "change-password",
        "--password-file",
        &pw,
        "--new-password-file",
    ];
    let out = sb.run(&[&args[..], &[new.to_str().unwrap()]].concat());
    assert!(out.status.success(), "{}", text(&out));
    let out = sb.run(&[
        "admin",
        "status",
        "--verify",
        "--password-file",
        new.to_str().unwrap(),
    ]);
    assert!(text(&out).contains("settings verified"), "{}", text(&out));
    // recover with the key shown at provisioning.
    let key = write(&sb, "key", &recovery);
    let third = write(&sb, "third", "recovered password 99");
    let out = sb.run(&[
        "admin",
        "recover",
        "--recovery-key-file",
        key.to_str().unwrap(),
        "--new-password-file",
        third.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        !sb.run(&["stop", "--password-file", new.to_str().unwrap()])
            .status
            .success()
    );
    let out = sb.run(&["stop", "--password-file", third.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
}

#[test]
fn service_unit_is_valid_and_uninstall_needs_the_password() {
    let sb = Sandbox::new();
    let xdg = sb.root().join("xdg");
    let run = |args: &[&str]| {
        sb.cmd()
            .env("XDG_CONFIG_HOME", &xdg)
            .args(args)
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap()
    };
    let out = run(&["service", "install", "--no-enable"]);
    assert!(out.status.success(), "{}", text(&out));
    let unit = xdg.join("systemd/user/kintsugi.service");
    let body = std::fs::read_to_string(&unit).unwrap();
    assert!(body.contains("Restart=always"), "{body}");
    assert!(
        body.contains(&format!("ExecStart={} daemon", common::BIN)),
        "{body}"
    );
    if let Ok(v) = std::process::Command::new("systemd-analyze")
        .arg("verify")
        .arg(&unit)
        .output()
    {
        assert!(v.status.success(), "systemd-analyze: {}", text(&v));
    }
    assert!(run(&["service", "status"]).status.success());
    provision(&sb, &[]);
    let wrong = write(&sb, "wrong", "nope nope nope");
    let out = run(&[
        "service",
        "uninstall",
        "--password-file",
        wrong.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(unit.exists());
    let out = run(&["service", "uninstall", "--password-file", &pw_file(&sb)]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(!unit.exists());
}

#[test]
fn approvals_can_require_the_password() {
    let mut sb = Sandbox::new();
    provision(&sb, &["--approvals-need-password"]);
    sb.start();
    let proj = sb.root().join("proj");
    std::fs::create_dir_all(proj.join("build")).unwrap();
    let mut c = Conn::open(&sb.socket());
    let v = c
        .ask(&common::propose("rm -rf build", proj.to_str().unwrap()))
        .unwrap();
    assert_eq!(v["decision"], "hold", "{v}");
    let id = v["pending"].as_str().unwrap().to_string();
    let r = c
        .ask(&serde_json::json!({"kind":"approve","id":id}).to_string())
        .unwrap();
    assert_eq!(r["kind"], "error", "approval without the password: {r}");
    let out = sb.run(&["approve", &id, "--password-file", &pw_file(&sb)]);
    assert!(out.status.success(), "{}", text(&out));
    let s = c
        .ask(&serde_json::json!({"kind":"pendingstatus","id":id}).to_string())
        .unwrap();
    assert_eq!(s["status"], "approved", "{s}");
    assert!(log(&sb).contains(&format!("`approve:{id}` authorised")));
}

#[test]
fn erasing_both_vault_files_still_starts_locked_from_the_ledger() {
    let mut sb = Sandbox::new();
    sb.start();
    // Provisioned while the daemon runs: it adopts the vault and records
    // the provisioning on the ledger.
    provision(&sb, &[]);
    assert_eq!(status(&sb)["admin"], "locked");
    assert!(log(&sb).contains("\"kind\":\"vault-provisioned\""));
    let vault = sb.data().join("vault.json");
    let backup = std::fs::read(&vault).unwrap();
    let out = sb.run(&["stop", "--password-file", &pw_file(&sb)]);
    assert!(out.status.success(), "{}", text(&out));
    sb.wait_exit();
    // The agent erases both files and asks for notify mode.
    std::fs::remove_file(&vault).unwrap();
    std::fs::remove_file(sb.data().join("vault.provisioned")).unwrap();
    sb.write_config("mode = \"notify\"\n");
    sb.start();
    let st = status(&sb);
    assert!(
        st["admin"].as_str().unwrap().starts_with("degraded"),
        "{st}"
    );
    let warned = st["warnings"].to_string();
    assert!(
        warned.contains("vault.json and vault.provisioned are missing"),
        "{st}"
    );
    assert_eq!(st["mode"], "attended", "config notify took effect: {st}");
    let out = sb.run(&["stop", "--password-file", &pw_file(&sb)]);
    assert!(!out.status.success(), "stop was allowed");
    assert!(text(&out).contains("degraded"), "{}", text(&out));
    let mut c = Conn::open(&sb.socket());
    for refused in [
        frame("shutdown", "shutdown", "", ""),
        r#"{"kind":"resume"}"#.to_string(),
        r#"{"kind":"setmode","mode":"notify"}"#.to_string(),
    ] {
        let r = c.ask(&refused).unwrap();
        assert_eq!(r["kind"], "error", "{refused}: {r}");
    }
    let proj = sb.project().display().to_string();
    let v = c.ask(&common::propose("rm -rf build", &proj)).unwrap();
    assert_eq!(v["decision"], "hold", "{v}");
    // Recovery: stop by signal, put the backup back, start: locked, quiet.
    sb.signal("TERM");
    sb.wait_exit();
    std::fs::write(&vault, &backup).unwrap();
    sb.start();
    let st = status(&sb);
    assert_eq!(st["admin"], "locked", "{st}");
    assert!(st["warnings"].is_null(), "{st}");
    let out = sb.run(&["stop", "--password-file", &pw_file(&sb)]);
    assert!(out.status.success(), "{}", text(&out));
    sb.wait_exit();
    // Re-provisioning anew after an erasure is allowed, but never silent.
    std::fs::remove_file(&vault).unwrap();
    std::fs::remove_file(sb.data().join("vault.provisioned")).unwrap();
    provision(&sb, &[]);
    sb.start();
    let st = status(&sb);
    assert_eq!(st["admin"], "locked", "{st}");
    assert!(
        st["warnings"]
            .to_string()
            .contains("not the one the ledger last recorded"),
        "{st}"
    );
    let (ok, report) = common::verify(&sb);
    assert!(ok, "{report}");
}
