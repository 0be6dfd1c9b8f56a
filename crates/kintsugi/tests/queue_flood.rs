//! A queue flood against a real daemon: one runaway session proposes 1,000
//! destructive commands; only `max_pending_per_session` of them are held
//! (the rest denied with a reason that says why), a real hold from another
//! session is still queued, and it is listed first, in its own group, by
//! `listpending` and `kintsugi queue`.

mod common;
use common::*;

fn propose_in(raw: &str, cwd: &str, session: &str) -> String {
    let mut v: serde_json::Value = serde_json::from_str(&propose(raw, cwd)).unwrap();
    v["agent"] = "hook:claude".into();
    v["session"] = session.into();
    v.to_string()
}

#[test]
fn a_thousand_decoys_from_one_session_neither_fill_the_queue_nor_bury_a_real_hold() {
    let mut sb = Sandbox::new();
    sb.write_config("");
    sb.start();
    let proj = sb.project();
    let cwd = proj.display().to_string();
    let mut c = Conn::open(&sb.socket());
    let (mut held, mut denied) = (0, 0);
    for n in 0..1000 {
        let v = c
            .ask(&propose_in(&format!("rm -rf decoy{n}"), &cwd, "runaway"))
            .unwrap();
        match v["decision"].as_str() {
            Some("hold") => held += 1,
            Some("deny") => {
                let reason = v["reason"].as_str().unwrap();
                assert!(
                    reason.contains(
                        "session runaway of agent hook:claude already has 20 pending holds"
                    ) && reason.contains("max_pending_per_session"),
                    "{v}"
                );
                denied += 1;
            }
            _ => panic!("{v}"),
        }
    }
    assert_eq!((held, denied), (20, 980));

    let real = c
        .ask(&propose_in("rm -rf build", &cwd, "real-work"))
        .unwrap();
    assert_eq!(real["decision"], "hold", "{real}");
    let id = real["pending"].as_str().unwrap();

    let list = c.ask(r#"{"kind":"listpending"}"#).unwrap();
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 21);
    assert_eq!(items[0]["id"], id, "the real hold is listed first");
    assert!(
        items[1..]
            .iter()
            .all(|i| i["command"]["session"] == "runaway")
    );

    let out = sb.run(&["queue"]);
    let page = String::from_utf8_lossy(&out.stdout);
    let mut lines = page.lines();
    assert_eq!(
        lines.next(),
        Some("== session real-work of agent hook:claude: 1 held"),
        "{page}"
    );
    assert!(lines.next().unwrap().starts_with(id), "{page}");
    assert!(
        page.contains("== session runaway of agent hook:claude: 20 held"),
        "{page}"
    );
}
