//! Every interceptor decides through the one gate, so with the daemon down
//! they all follow the same fail-mode rule: catastrophic is blocked in
//! either mode, `closed` blocks everything the daemon did not vouch for
//! (a safe `echo` included), `open` lets the rest through unrecorded, and
//! the environment can tighten the config's mode but never loosen it.
//! Checked for `kintsugi exec` (the runners' side: shims, `run` and MCP
//! share it) and `kintsugi hook` (every agent dialect's side).

mod common;
use common::hooking::*;
use common::*;

/// `kintsugi exec -- LINE` with the daemon never started; the exit code and
/// the combined output.
fn exec(sb: &Sandbox, line: &str, env: &[(&str, &str)]) -> (Option<i32>, String) {
    let out = sb
        .cmd()
        .env_remove("KINTSUGI_FAIL_MODE")
        .envs(env.iter().copied())
        .args(["exec", "--", line])
        .output()
        .unwrap();
    (out.status.code(), text(&out))
}

#[test]
fn runners_and_hooks_follow_one_fail_mode_rule_with_the_daemon_down() {
    let sb = Sandbox::new(); // never started
    let marker = sb.root().join("ran");
    let harmless = format!("echo hi > {}", marker.display());

    // open (the default): a harmless line runs, unrecorded, and says so.
    let (code, out) = exec(&sb, &harmless, &[]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("unreachable"), "{out}");
    assert!(marker.exists());
    std::fs::remove_file(&marker).unwrap();
    let r = hook(&sb, "claude", &fixture("claude", "allow"), &[], &[]);
    assert_no_opinion("claude", &r);

    // closed by the environment: nothing the daemon did not vouch for runs,
    // in either kind of interceptor.
    let closed = [("KINTSUGI_FAIL_MODE", "closed")];
    let (code, out) = exec(&sb, &harmless, &closed);
    assert_eq!(code, Some(126), "{out}");
    assert!(out.contains("fail mode is closed"), "{out}");
    assert!(!marker.exists(), "a line ran with fail mode closed");
    for agent in AGENTS {
        let r = hook(&sb, agent, &fixture(agent, "allow"), &[], &closed);
        assert_blocked(agent, &r);
    }

    // closed by the config: the environment cannot open it again.
    sb.write_config("fail_mode = \"closed\"\n");
    let open = [("KINTSUGI_FAIL_MODE", "open")];
    let (code, out) = exec(&sb, &harmless, &open);
    assert_eq!(code, Some(126), "{out}");
    assert!(!marker.exists(), "the environment loosened the config");
    for agent in AGENTS {
        let r = hook(&sb, agent, &fixture(agent, "allow"), &[], &open);
        assert_blocked(agent, &r);
        assert!(
            r.reason().contains("fail_mode = \"closed\" in the config"),
            "{agent}: {r:?}"
        );
    }

    // catastrophic: blocked even when open.
    sb.write_config("fail_mode = \"open\"\n");
    let home = sb.root().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let (code, out) = exec(&sb, &format!("rm -rf {}", home.display()), &[]);
    assert_eq!(code, Some(126), "{out}");
    assert!(home.exists());
}
