//! The web control room in real headless Chromium (issue 21's proof): log
//! in with the printed URL, see a hold appear live (measured from propose to
//! the DOM), deny it, approve a held shim `rm` and see it run and the
//! timeline update, undo its snapshot, search the ledger; and a browser
//! started by the agent itself is refused and the refusal recorded.
//! Screenshots of each view go to target/web-screenshots/.

mod common;
use common::browser::{Driver, Launch, browser_available, screenshot_dir};
use common::web::Web;
use common::*;
use serde_json::{Value, json};
use std::process::{Child, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// One browser at a time on a small machine.
static ONE_BROWSER: Mutex<()> = Mutex::new(());

fn now_ms() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis()
}

fn sandbox() -> Sandbox {
    let mut sb = Sandbox::new();
    // A hold expiry other than the default, to see it reach the page.
    sb.write_config("pending_ttl_secs = 1200\n");
    sb.init_shims();
    sb.start();
    for d in ["build", "dist"] {
        let dir = sb.project().join(d);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("app.js"), format!("// {d}\n")).unwrap();
    }
    sb
}

/// Propose `raw` from this test process over the socket; the pending id
/// and the wall-clock ms just before the frame was sent.
fn propose_hold(sb: &Sandbox, raw: &str) -> (String, u128) {
    let mut c = Conn::open(&sb.socket());
    let frame = propose(raw, sb.project().to_str().unwrap());
    let t0 = now_ms();
    let v = c.ask(&frame).unwrap();
    assert_eq!(v["decision"], "hold", "{v}");
    (v["pending"].as_str().unwrap().to_string(), t0)
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

const HOLD_SEEN: &str = "return window.kintsugi && window.kintsugi.seen[arguments[0]] || null";

fn login(d: &Driver, web: &Web) {
    d.go(&web.login_url);
    d.wait_js(
        "the page ready",
        "return document.body.dataset.ready === 'yes'",
        json!([]),
    );
    // The session cookie is HttpOnly: the page's script cannot read it.
    assert_eq!(d.js("return document.cookie", json!([])), json!(""));
}

#[test]
fn a_browser_sees_holds_live_denies_approves_undoes_and_searches() {
    if !browser_available() {
        return;
    }
    let _one = ONE_BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let shots = screenshot_dir();
    let sb = sandbox();
    let web = Web::start(&sb);
    let d = Driver::start(Launch::Detached, &sb.root().join("chromedriver.log"));
    login(&d, &web);
    assert!(
        d.js("return location.pathname", json!([])) == json!("/"),
        "the login URL did not redirect to the page"
    );

    // 1. A hold appears live: from the propose to the DOM.
    let mut latencies = Vec::new();
    let (first, t0) = propose_hold(&sb, "rm -rf dist");
    let seen = d.wait_js("the first hold", HOLD_SEEN, json!([first]));
    latencies.push(seen.as_u64().unwrap() as i128 - t0 as i128);
    // 2. The held shim `rm -rf build` (its process waits for the decision).
    // It runs on a terminal of its own, opened after the browser's (the
    // browser was started in a terminal): with no PIN set, only a terminal
    // older than the agent may approve.
    let shim = sb
        .via_shim("script")
        .args(["-qec", "rm -rf build", "/dev/null"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let item = first_pending_matching(&sb, "rm -rf build");
    let held = item["id"].as_str().unwrap().to_string();
    d.wait_js("the shim's hold", HOLD_SEEN, json!([held]));
    let count = d.js(
        "return document.getElementById('held-count').textContent",
        json!([]),
    );
    assert_eq!(count, json!("(2)"));
    let preview = d.js(
        "return document.querySelector('[data-hold=\"' + arguments[0] + '\"] pre').textContent",
        json!([held]),
    );
    assert!(preview.as_str().unwrap().contains("undo"), "{preview}");
    // Its time left comes from the daemon's hold expiry (1200 s here).
    let left = d.js(
        "return document.querySelector('[data-hold=\"' + arguments[0] + '\"] .waiting').textContent",
        json!([held]),
    );
    assert!(
        left.as_str().unwrap().contains("expires in 20 min"),
        "{left}"
    );
    d.screenshot(&shots.join("held.png"));
    // Two more measured holds, denied right away by the API.
    for n in 0..2 {
        let (id, t0) = propose_hold(&sb, &format!("rm -rf dist/{n}"));
        let seen = d.wait_js("a measured hold", HOLD_SEEN, json!([id]));
        latencies.push(seen.as_u64().unwrap() as i128 - t0 as i128);
        d.click(&format!("[data-deny=\"{id}\"]"));
        d.wait_js(
            "the denied hold gone",
            "return !document.querySelector('[data-hold=\"' + arguments[0] + '\"]')",
            json!([id]),
        );
    }

    // 3. Deny the first one from the page.
    d.click(&format!("[data-deny=\"{first}\"]"));
    d.wait_js(
        "the denial noted",
        "return document.getElementById('note').textContent.startsWith('Denied ' + arguments[0])",
        json!([first]),
    );
    assert!(sb.project().join("dist/app.js").exists());

    // 4. Approve the shim's hold: the waiting command proceeds.
    d.click(&format!("[data-approve=\"{held}\"]"));
    d.wait_js(
        "the approval noted",
        "return document.getElementById('note').textContent.startsWith('Approved ' + arguments[0])",
        json!([held]),
    );
    let st = wait_exit(shim);
    assert!(st.success(), "the approved rm failed");
    assert!(
        !sb.project().join("build").exists(),
        "the approved rm did not run"
    );
    // The timeline updated live with the approval.
    d.js("location.hash = 'timeline'", json!([]));
    d.wait_js(
        "the approve event on the timeline",
        "return [...document.querySelectorAll('#event-rows tr')].some(r => r.children[2].textContent === 'approve' && r.textContent.includes('rm -rf build'))",
        json!([]),
    );
    d.screenshot(&shots.join("timeline.png"));

    // 5. Undo its snapshot from the snapshots view.
    d.js("location.hash = 'snapshots'", json!([]));
    let snap = d.wait_js(
        "a snapshot with an undo button",
        "const b = document.querySelector('[data-undo]'); return b && b.dataset.undo",
        json!([]),
    );
    d.screenshot(&shots.join("snapshots.png"));
    d.click(&format!("[data-undo=\"{}\"]", snap.as_str().unwrap()));
    d.wait_js(
        "the undo noted",
        "return document.getElementById('note').textContent.startsWith('Undone ')",
        json!([]),
    );
    assert_eq!(
        std::fs::read_to_string(sb.project().join("build/app.js")).unwrap(),
        "// build\n"
    );

    // 6. Search the whole ledger: text and decision filters.
    d.js("location.hash = 'timeline'", json!([]));
    d.type_into("#f-text", "dist/1");
    d.click("#search");
    let rows = d.wait_js(
        "search results",
        "const rows = [...document.querySelectorAll('#event-rows tr')].map(r => r.children[6].textContent); return rows.length > 0 && rows.every(t => t.includes('dist/1')) && rows",
        json!([]),
    );
    assert!(!rows.as_array().unwrap().is_empty());
    d.screenshot(&shots.join("search.png"));

    // 7. Status (verify on demand) and agents.
    d.js("location.hash = 'status'", json!([]));
    d.click("#verify");
    d.wait_js(
        "the ledger verified",
        "return document.getElementById('verify-result').textContent.startsWith('INTACT')",
        json!([]),
    );
    d.wait_js(
        "the guard layers row",
        "return document.getElementById('status-list').textContent.includes('Guard layers')",
        json!([]),
    );
    d.screenshot(&shots.join("status.png"));
    d.js("location.hash = 'agents'", json!([]));
    d.wait_js(
        "the agents table",
        "return document.querySelectorAll('#agent-rows tr').length > 0",
        json!([]),
    );
    d.wait_js(
        "the wiring table",
        "return document.querySelectorAll('#wiring-rows tr').length > 5",
        json!([]),
    );
    d.screenshot(&shots.join("agents.png"));

    // 8. Phone width, a hold waiting.
    let (last, _) = propose_hold(&sb, "rm -rf dist");
    d.resize(390, 844);
    d.js("location.hash = 'held'", json!([]));
    d.wait_js("the phone-width hold", HOLD_SEEN, json!([last]));
    let overflow = d.js(
        "return document.documentElement.scrollWidth <= window.innerWidth + 1",
        json!([]),
    );
    d.screenshot(&shots.join("phone.png"));
    let widest = d.js(
        "let w = null; for (const e of document.querySelectorAll('body *')) { if (e.getBoundingClientRect().right > window.innerWidth + 1 && (!w || e.getBoundingClientRect().right > w.r)) w = {r: e.getBoundingClientRect().right, tag: e.tagName, id: e.id, cls: e.className, text: (e.textContent || '').slice(0, 80)}; } return w;",
        json!([]),
    );
    assert_eq!(
        overflow,
        json!(true),
        "the page is wider than a phone; the widest element: {widest}"
    );

    eprintln!("hold propose-to-DOM latencies (ms): {latencies:?}");
    for l in &latencies {
        assert!(*l < 1000, "a hold took {l} ms to reach the page");
    }
}

/// The pending item whose command is `raw`.
fn first_pending_matching(sb: &Sandbox, raw: &str) -> Value {
    let mut c = Conn::open(&sb.socket());
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let list = c.ask(r#"{"kind":"listpending"}"#).unwrap();
        if let Some(i) = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["command"]["raw"] == raw)
        {
            return i.clone();
        }
        assert!(Instant::now() < deadline, "{raw} was not held");
        std::thread::sleep(Duration::from_millis(25));
    }
}

#[test]
fn a_browser_started_by_the_agent_cannot_approve_its_hold() {
    if !browser_available() {
        return;
    }
    let _one = ONE_BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let sb = sandbox();
    let web = Web::start(&sb);
    // This test process is the agent: it proposes, and it starts the browser.
    let (id, _) = propose_hold(&sb, "rm -rf build");
    let d = Driver::start(Launch::ChildOfTest, &sb.root().join("chromedriver.log"));
    login(&d, &web);
    d.wait_js("the hold", HOLD_SEEN, json!([id]));
    d.click(&format!("[data-approve=\"{id}\"]"));
    let note = d.wait_js(
        "the refusal",
        "const t = document.getElementById('note').textContent; return t.startsWith('Could not approve') && t",
        json!([]),
    );
    let note = note.as_str().unwrap();
    assert!(note.contains("process tree"), "{note}");
    d.screenshot(&screenshot_dir().join("refused.png"));
    // Still held, and the daemon recorded the refusal.
    let mut c = Conn::open(&sb.socket());
    let list = c.ask(r#"{"kind":"listpending"}"#).unwrap();
    assert_eq!(list["items"][0]["id"], id.as_str(), "{list}");
    let log = sb.log_text(50);
    assert!(
        log.lines()
            .any(|l| l.contains("\"kind\":\"refused\"") && l.contains("relayed by `kintsugi web`")),
        "the refusal was not recorded:\n{log}"
    );
    assert!(sb.project().join("build/app.js").exists());
}
