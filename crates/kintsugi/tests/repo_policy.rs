//! Repository policy through a real daemon: every `.kintsugi.toml` from the
//! cwd up through the repository root applies (an empty or loosening file
//! nearer the cwd hides nothing), and text rules match each program the line
//! runs as well as the raw line.

mod common;
use common::*;

fn decide(c: &mut Conn, raw: &str, cwd: &std::path::Path) -> serde_json::Value {
    let v = c.ask(&propose(raw, cwd.to_str().unwrap())).unwrap();
    assert_eq!(v["kind"], "verdict", "{v}");
    v
}

#[test]
fn a_nearer_policy_file_cannot_shadow_the_repository_root_and_rules_see_each_program() {
    let mut sb = Sandbox::new();
    sb.start();
    let root = sb.project();
    let root_file = root.join(".kintsugi.toml");
    std::fs::write(
        &root_file,
        "[rules]\ndeny = [\"echo forbidden*\"]\nhold = [\"cargo publish*\"]\n",
    )
    .unwrap();
    let pkg = root.join("pkg");
    let deep = pkg.join("deep");
    std::fs::create_dir_all(&deep).unwrap();
    // Nearer the cwd: an empty file, and one that tries to loosen.
    std::fs::write(pkg.join(".kintsugi.toml"), "").unwrap();
    std::fs::write(
        deep.join(".kintsugi.toml"),
        "[rules]\nallow = [\"*\"]\ndeny = [\"npm publish*\"]\n",
    )
    .unwrap();
    let mut c = Conn::open(&sb.socket());
    for cwd in [&root, &pkg, &deep] {
        for raw in [
            "echo forbidden",
            "true && echo forbidden",
            "ls; echo forbidden now",
            "bash -c 'echo forbidden'",
        ] {
            let v = decide(&mut c, raw, cwd);
            assert_eq!(v["decision"], "deny", "{raw} in {}: {v}", cwd.display());
            let reason = v["reason"].as_str().unwrap();
            assert!(
                reason.contains("\"echo forbidden*\"")
                    && reason.contains(root_file.to_str().unwrap()),
                "{reason}"
            );
        }
        let v = decide(&mut c, "cargo build && cargo publish", cwd);
        assert_eq!(v["decision"], "hold", "{}: {v}", cwd.display());
        let v = decide(&mut c, "echo allowed", cwd);
        assert_eq!(v["decision"], "allow", "{}: {v}", cwd.display());
    }
    // The deepest file's own deny applies there only; its allow never does.
    assert_eq!(decide(&mut c, "npm publish", &deep)["decision"], "deny");
    assert_ne!(decide(&mut c, "npm publish", &pkg)["decision"], "deny");
    assert_eq!(decide(&mut c, "rm -rf src", &deep)["decision"], "hold");
    // A command sent as argv only (no raw line) meets the rules too.
    let argv_only = serde_json::json!({
        "kind": "propose", "id": uuid_like(), "ts": "2026-11-24T00:00:00Z",
        "agent": "shim", "cwd": pkg.to_str().unwrap(),
        "argv": ["echo", "forbidden"], "raw": "",
    });
    let v = c.ask(&argv_only.to_string()).unwrap();
    assert_eq!(v["decision"], "deny", "{v}");
    // The loosening attempt is reported.
    let st = c.ask(r#"{"kind":"status"}"#).unwrap();
    assert!(
        st["warnings"].to_string().contains("tries to allow"),
        "{st}"
    );
}
