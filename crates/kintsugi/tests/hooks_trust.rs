//! What the hook may never do, through the real binary against a real
//! sandbox daemon, for every dialect: let a payload it cannot read through
//! (whatever the fail mode, daemon up or down), read an argv list as
//! anything but the words it runs, or answer an explicit allow (which skips
//! the agent's own permission prompt) for a command that is not known-safe.

mod common;
use common::hooking::*;
use common::*;
use serde_json::Value;

/// Payloads a shell hook cannot read, as bytes, with a word its block
/// reason must contain.
fn garbage() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let utf16 = |bom: bool| {
        let mut v = if bom { vec![0xff, 0xfe] } else { Vec::new() };
        for u in fixture("claude", "deny").encode_utf16() {
            v.extend(u.to_le_bytes());
        }
        v
    };
    let oversized = format!(
        r#"{{"tool_name":"Bash","tool_input":{{"command":"rm -rf ~","pad":"{}"}}}}"#,
        "x".repeat(MAX_PAYLOAD + 1024)
    );
    vec![
        ("empty", Vec::new(), "empty"),
        ("binary", vec![0x89, b'P', b'N', b'G', 0, 0xff, 0x80], "NUL"),
        ("not json", b"this is not json".to_vec(), "not JSON"),
        ("utf-16 with a bom", utf16(true), "byte order mark"),
        ("utf-16 without a bom", utf16(false), "NUL"),
        ("oversized", oversized.into_bytes(), "larger than 4 MiB"),
        (
            "truncated",
            br#"{"tool_name":"Bash","tool_input":{"command":"rm -rf ~","#.to_vec(),
            "not JSON",
        ),
    ]
}

/// The hook payload limit (`kintsugi_intercept::hook::MAX_PAYLOAD_BYTES`).
const MAX_PAYLOAD: usize = 4 * 1024 * 1024;

/// Each agent's shell payload with `tool_input` (or its equivalent) replaced
/// by the string `rm -rf ~`, or its command by something that is not a
/// string; `None` where the dialect has no such place.
fn misshapen(agent: &str) -> Vec<String> {
    let mut v: Value = serde_json::from_str(&fixture(agent, "deny")).unwrap();
    let mut out = Vec::new();
    let mut set = |path: &str, value: Value| {
        let mut w = v.clone();
        *w.pointer_mut(path).unwrap() = value;
        out.push(w.to_string());
    };
    match agent {
        "cursor" | "opencode" => {
            set("/command", Value::from(42));
            set("/command", Value::Null);
            set("/command", serde_json::json!({"argv": ["rm", "-rf", "~"]}));
        }
        "copilot" => {
            set("/toolArgs", Value::from(r#"{"command": 42}"#));
            set("/toolArgs", Value::from("rm -rf ~"));
            set("/toolArgs", Value::from(r#"{"cmd":"rm -rf ~"}"#));
        }
        "antigravity" | "windsurf" | "cline" => {
            let at = command_pointer(agent);
            let parent = &at[..at.rfind('/').unwrap()];
            set(parent, Value::from("rm -rf ~"));
            set(at, Value::from(42));
            set(parent, serde_json::json!({"description": "x"}));
            // The shell command removed altogether.
            let mut w = v.clone();
            let key = &at[at.rfind('/').unwrap() + 1..];
            w.pointer_mut(parent)
                .and_then(Value::as_object_mut)
                .unwrap()
                .remove(key);
            out.push(w.to_string());
            return out;
        }
        _ => {
            set("/tool_input", Value::from("rm -rf ~"));
            set("/tool_input/command", Value::from(42));
            set("/tool_input", serde_json::json!({"description": "x"}));
        }
    }
    if let Some(o) = v.as_object_mut() {
        // The shell command removed altogether.
        o.remove("command");
        if let Some(i) = o.get_mut("tool_input").and_then(Value::as_object_mut) {
            i.remove("command");
        }
    }
    if agent != "copilot" {
        out.push(v.to_string());
    }
    out
}

#[test]
fn unreadable_payloads_are_blocked_whatever_the_fail_mode_daemon_up_or_down() {
    let mut sb = Sandbox::new();
    for up in [false, true] {
        if up {
            sb.start();
        }
        for agent in AGENTS {
            for mode in ["open", "closed"] {
                let env = [("KINTSUGI_FAIL_MODE", mode)];
                for (name, bytes, word) in garbage() {
                    let r = hook(&sb, agent, &bytes, &[], &env);
                    assert_blocked(agent, &r);
                    let reason = r.reason();
                    assert!(
                        reason.contains(&format!("cannot read the {agent} hook payload")),
                        "{agent} {name} {mode} up={up}: {r:?}"
                    );
                    assert!(reason.contains(word), "{agent} {name}: {r:?}");
                }
                for payload in misshapen(agent) {
                    let r = hook(&sb, agent, &payload, &[], &env);
                    assert_blocked(agent, &r);
                    assert!(
                        r.reason().contains("whatever the fail mode"),
                        "{agent} {payload} {mode} up={up}: {r:?}"
                    );
                }
            }
        }
    }
}

#[test]
fn a_utf8_bom_is_read_and_other_tools_still_pass() {
    let mut sb = Sandbox::new();
    sb.start();
    for agent in AGENTS {
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend(fixture(agent, "allow").into_bytes());
        assert_allowed(agent, &hook(&sb, agent, &bom, &[], &[]));
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend(fixture(agent, "other_tool").into_bytes());
        let r = hook(&sb, agent, &bom, &[], &[]);
        assert_no_opinion(agent, &r);
        assert!(r.stderr.is_empty(), "{agent}: {r:?}");
    }
}

#[test]
fn an_argv_list_is_judged_as_the_words_it_runs() {
    let mut sb = Sandbox::new();
    // Unattended: what would be held is denied at once.
    sb.write_config("mode = \"unattended\"\n");
    sb.start();
    let argv = serde_json::json!(["bash", "-lc", "rm -rf ~"]);
    for agent in AGENTS {
        let mut v: Value = serde_json::from_str(&fixture(agent, "allow")).unwrap();
        if agent == "copilot" {
            v["toolArgs"] = Value::from(serde_json::json!({ "command": argv }).to_string());
        } else {
            *v.pointer_mut(command_pointer(agent)).unwrap() = argv.clone();
        }
        let r = hook(&sb, agent, &v.to_string(), &[], &[]);
        assert_blocked(agent, &r);
        assert!(r.reason().contains("denied"), "{agent}: {r:?}");
    }
    let log = sb.log_text(200);
    assert!(
        log.contains(r#""raw":"bash -lc 'rm -rf ~'""#),
        "the daemon judged the quoted line: {log}"
    );
    assert!(!log.contains(r#""raw":"bash -lc rm -rf ~""#), "{log}");
}

/// Run the safe fixture and `cmd` through every dialect against a daemon
/// with `config`: the safe one gets the explicit allow, `cmd` (which the
/// daemon lets through although it is not safe) gets "no opinion", and the
/// ledger shows the daemon did allow it.
fn safe_allowed_and_other_allows_pass_to_the_agent(config: &str, cmd: &str) {
    let mut sb = Sandbox::new();
    sb.write_config(config);
    sb.start();
    assert_eq!(local_class(&sb, cmd), "ambiguous");
    for agent in AGENTS {
        let safe = hook(&sb, agent, &fixture(agent, "allow"), &[], &[]);
        assert_allowed(agent, &safe);
        if !NO_EXPLICIT_ALLOW.contains(&agent) {
            // Codex has no bare allow: silence is both its allow and its
            // no opinion; every other dialect must tell them apart.
            assert!(!safe.stdout.trim().is_empty(), "{agent}: {safe:?}");
        }
        let payload = fixture(agent, "allow").replace("ls -la", cmd);
        let r = hook(&sb, agent, &payload, &[], &[]);
        assert_no_opinion(agent, &r);
        assert!(
            r.stderr.contains("not known to be safe"),
            "{agent} {cmd}: {r:?}"
        );
        assert!(!r.stdout.contains("allow"), "{agent} {cmd}: {r:?}");
    }
    // The daemon did let it through, as ambiguous, and recorded it.
    let log = sb.log_text(400);
    for agent in AGENTS {
        let allowed: Vec<Value> = log
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter(|e| e["agent"] == format!("hook:{agent}").as_str() && e["raw"] == cmd)
            .collect();
        assert_eq!(allowed.len(), 1, "{agent}: {log}");
        assert_eq!(allowed[0]["decision"], "allow", "{agent}: {log}");
        assert_eq!(allowed[0]["class"], "ambiguous", "{agent}: {log}");
    }
}

#[test]
fn notify_mode_allows_reach_the_agent_as_no_opinion() {
    // Notify mode lets an ambiguous command through; the hook must not turn
    // that into an allow that skips the agent's own prompt.
    safe_allowed_and_other_allows_pass_to_the_agent("mode = \"notify\"\n", "kill -9 1234");
}

#[test]
fn allow_rules_reach_the_agent_as_no_opinion() {
    // Attended, but the user's allow rule lets the command through.
    safe_allowed_and_other_allows_pass_to_the_agent(
        "[rules]\nallow = [\"docker rm *\"]\n",
        "docker rm web",
    );
}
