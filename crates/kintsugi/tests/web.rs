//! `kintsugi web` against a real daemon, without a browser: the login URL
//! first on stdout (not a terminal), 401 without the cookie, 403 without the
//! CSRF token, a real hold listed by `/api/pending`, denied and approved
//! over the API, and an approval from the proposing agent's own process
//! tree refused by the daemon and recorded in the ledger.

mod common;
use common::web::{Session, Web};
use common::*;
use serde_json::Value;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// `rm -rf DIR` through the shim (a child of this test), held.
fn held_rm(sb: &Sandbox, dir: &str) -> (Child, Value) {
    let child = sb
        .via_shim("rm")
        .args(["-rf", dir])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let item = first_pending(&mut Conn::open(&sb.socket()));
    (child, item)
}

fn sandbox_with_build() -> Sandbox {
    let mut sb = Sandbox::new();
    sb.init_shims();
    sb.start();
    let build = sb.project().join("build");
    std::fs::create_dir_all(&build).unwrap();
    std::fs::write(build.join("app.js"), "console.log(1)\n").unwrap();
    sb
}

fn wait_exit(mut child: Child) -> std::process::ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(st) = child.try_wait().unwrap() {
            return st;
        }
        assert!(Instant::now() < deadline, "the held command never finished");
        std::thread::sleep(Duration::from_millis(25));
    }
}

#[test]
fn the_api_needs_a_session_and_csrf_and_lists_and_denies_a_real_hold() {
    let sb = sandbox_with_build();
    let web = Web::start(&sb);
    // No cookie: 401 on reads and writes, and on the page itself.
    assert_eq!(web.request("GET", "/api/pending", &[], "").status, 401);
    assert_eq!(web.request("POST", "/api/deny/x", &[], "").status, 401);
    assert_eq!(web.request("GET", "/", &[], "").status, 401);
    let s: Session = web.login();
    // The link works once.
    assert_eq!(web.request("GET", &web.login_path(), &[], "").status, 403);

    let (child, item) = held_rm(&sb, "build");
    let id = item["id"].as_str().unwrap().to_string();
    let pending = web.get(&s, "/api/pending").json();
    let listed = &pending["items"][0];
    assert_eq!(listed["id"], id.as_str(), "{pending}");
    assert_eq!(listed["command"]["raw"], "rm -rf build");
    assert_eq!(listed["status"], "pending");

    // Writes without the right CSRF token: 403, and nothing is decided.
    let none = web.request(
        "POST",
        &format!("/api/deny/{id}"),
        &[("Cookie", &s.cookie)],
        "",
    );
    assert_eq!(none.status, 403, "{none:?}");
    let wrong = web.request(
        "POST",
        &format!("/api/deny/{id}"),
        &[("Cookie", &s.cookie), ("X-Kintsugi-CSRF", "0000")],
        "",
    );
    assert_eq!(wrong.status, 403, "{wrong:?}");
    assert!(wrong.body.contains("CSRF"), "{}", wrong.body);
    assert_eq!(
        web.get(&s, "/api/pending").json()["items"][0]["id"],
        id.as_str()
    );

    let denied = web.post(&s, &format!("/api/deny/{id}"), "");
    assert_eq!(denied.status, 200, "{denied:?}");
    assert!(!wait_exit(child).success(), "a denied rm ran");
    assert!(sb.project().join("build/app.js").exists());
    assert_eq!(
        web.get(&s, "/api/pending").json()["items"],
        Value::Array(vec![])
    );
    let events = web.get(&s, "/api/events?kind=deny&decision=deny").json();
    assert!(
        events["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "deny" && e["pending"] == id.as_str()),
        "{events}"
    );
    // Deciding twice is a conflict, not a success.
    assert_eq!(web.post(&s, &format!("/api/deny/{id}"), "").status, 409);
}

#[test]
fn an_approval_from_the_agents_tree_is_refused_and_recorded_one_from_outside_runs_and_undoes() {
    // An approval PIN is set (offline, before the daemon starts): the agent
    // stand-in below has no terminal of its own, so without a PIN no
    // approval could be proven (docs/ADMIN.md); the human's carries the PIN.
    let mut sb = Sandbox::new();
    sb.init_shims();
    let pin_file = sb.root().join("pin.txt");
    std::fs::write(&pin_file, "246810\n").unwrap();
    let set = sb.run(&["admin", "set-pin", "--pin-file", pin_file.to_str().unwrap()]);
    assert!(set.status.success(), "{}", common::text(&set));
    sb.start();
    let build = sb.project().join("build");
    std::fs::create_dir_all(&build).unwrap();
    std::fs::write(build.join("app.js"), "console.log(1)\n").unwrap();
    let web = Web::start(&sb);
    let s = web.login();
    let (child, item) = held_rm(&sb, "build");
    let id = item["id"].as_str().unwrap().to_string();

    // This test process is the shim's parent: the agent's tree.
    let refused = web.post(&s, &format!("/api/approve/{id}"), "");
    assert_eq!(refused.status, 403, "{refused:?}");
    assert!(refused.body.contains("process tree"), "{}", refused.body);
    assert_eq!(
        web.get(&s, "/api/pending").json()["items"][0]["id"],
        id.as_str()
    );
    let log = sb.log_text(50);
    assert!(
        log.lines().any(|l| l.contains("\"kind\":\"refused\"")
            && l.contains("kintsugi web")
            && l.contains(&std::process::id().to_string())),
        "the refusal was not recorded:\n{log}"
    );
    // The right PIN typed on the page does not help a browser in the
    // agent's tree.
    let pin = web.post(&s, &format!("/api/approve/{id}"), r#"{"pin":"246810"}"#);
    assert_eq!(pin.status, 403, "{pin:?}");
    assert!(pin.body.contains("process tree"), "{}", pin.body);

    // From a process outside the tree (started in its own terminal).
    let out = sb.root().join("approver.out");
    let tmux = Tmux::new();
    tmux.run(&format!(
        "python3 -c 'import sys,urllib.request as u; r=u.Request(sys.argv[1], data=b\"{{\\\"pin\\\":\\\"246810\\\"}}\", method=\"POST\", headers={{\"Cookie\": sys.argv[2], \"X-Kintsugi-CSRF\": sys.argv[3]}});\ntry:\n  print(u.urlopen(r).status)\nexcept Exception as e:\n  print(e, e.read())' 'http://127.0.0.1:{}/api/approve/{id}' '{}' '{}' > '{}' 2>&1; sleep 30",
        web.port,
        s.cookie,
        s.csrf,
        out.display()
    ));
    let deadline = Instant::now() + Duration::from_secs(30);
    let answer = loop {
        let t = std::fs::read_to_string(&out).unwrap_or_default();
        if t.ends_with('\n') {
            break t;
        }
        assert!(Instant::now() < deadline, "the approver never answered");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(answer.trim(), "200", "{answer}");
    assert!(wait_exit(child).success());
    assert!(
        !sb.project().join("build").exists(),
        "the approved rm did not run"
    );

    let snaps = web.get(&s, "/api/snapshots").json();
    let snap = snaps["snapshots"][0]["id"]
        .as_str()
        .expect("a snapshot")
        .to_string();
    assert_eq!(snaps["snapshots"][0]["command"], "rm -rf build");
    let undone = web.post(&s, &format!("/api/undo/{snap}"), "");
    assert_eq!(undone.status, 200, "{undone:?}");
    assert_eq!(
        std::fs::read_to_string(sb.project().join("build/app.js")).unwrap(),
        "console.log(1)\n"
    );
    let verified = web.post(&s, "/api/verify", "").json();
    assert_eq!(verified["intact"], true, "{verified}");
    let (ok, v) = verify(&sb);
    assert!(ok, "{v}");
}

#[test]
fn the_status_names_the_layer_that_protects_each_running_guard() {
    let mut sb = Sandbox::new();
    sb.start();
    let web = Web::start(&sb);
    let s = web.login();
    let status = web.get(&s, "/api/status").json();
    assert_eq!(status["daemon"]["guards"], Value::Array(vec![]), "{status}");

    let mut guard = sb
        .cmd()
        .args(["guard", "--", "sleep", "60"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let guards = loop {
        let status = web.get(&s, "/api/status").json();
        let g = status["daemon"]["guards"].clone();
        if g.as_array().is_some_and(|a| !a.is_empty()) || Instant::now() > deadline {
            break g;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let _ = guard.kill();
    let _ = guard.wait();
    assert_eq!(guards[0]["agent"], "sleep", "{guards}");
    assert_eq!(guards[0]["layer"], "exec", "{guards}");
    assert_eq!(guards[0]["guard_pid"], guard.id(), "{guards}");
    // Gone with its guard (the note of a killed guard is stale).
    let status = web.get(&s, "/api/status").json();
    assert_eq!(status["daemon"]["guards"], Value::Array(vec![]), "{status}");
}

#[test]
fn the_agents_view_says_which_installed_agents_are_wired() {
    let mut sb = Sandbox::new();
    sb.start();
    let home = sb.root().join("home");
    std::fs::create_dir_all(home.join(".claude")).unwrap();
    let web = Web::start(&sb);
    let s = web.login();
    let entry = |name: &str| -> Value {
        let r = web.get(&s, "/api/agents").json();
        r["wiring"]
            .as_array()
            .unwrap_or_else(|| panic!("no wiring: {r}"))
            .iter()
            .find(|a| a["agent"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("{name} not listed: {r}"))
    };
    let claude = entry("claude");
    assert_eq!(
        (&claude["installed"], &claude["wired"]),
        (&Value::Bool(true), &Value::Bool(false))
    );
    assert_eq!(entry("codex")["installed"], false);

    // `init` while the page is open: the next look shows it wired.
    let out = sb.run(&["init", "--no-start"]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(entry("claude")["wired"], true);
}
