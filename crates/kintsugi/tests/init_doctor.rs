//! `kintsugi init` wires every installed agent idempotently (backups, no
//! duplicates, Codex TOML comments kept), `--dry-run` changes nothing,
//! `--undo` takes exactly our entries out; `kintsugi doctor` proves each
//! configured hook really blocks a must-deny command and fails when one is
//! missing. HOME is the sandbox's.

mod common;
use common::*;

fn home(sb: &Sandbox) -> std::path::PathBuf {
    sb.root().join("home")
}

#[test]
fn init_wires_agents_doctor_checks_them_and_undo_unwires() {
    let mut sb = Sandbox::new();
    let h = home(&sb);
    for d in [".claude", ".codex", ".gemini", ".cursor"] {
        std::fs::create_dir_all(h.join(d)).unwrap();
    }
    std::fs::write(h.join(".claude/settings.json"), "{\"model\": \"opus\"}\n").unwrap();
    std::fs::write(
        h.join(".codex/config.toml"),
        "# my codex settings\nmodel = \"gpt-5\"\n",
    )
    .unwrap();
    sb.start();
    let shims = sb.root().join("shims");
    let run = |args: &[&str]| {
        sb.cmd()
            .env("KINTSUGI_SHIM_DIR", &shims)
            .env("PATH", "/usr/bin:/bin")
            .args(args)
            .output()
            .unwrap()
    };

    let dry = run(&["init", "--dry-run", "--no-start"]);
    assert!(dry.status.success(), "{}", text(&dry));
    assert!(text(&dry).contains("would add the hook"));
    assert_eq!(
        std::fs::read_to_string(h.join(".claude/settings.json")).unwrap(),
        "{\"model\": \"opus\"}\n"
    );

    let first = run(&["init", "--no-start"]);
    assert!(first.status.success(), "{}", text(&first));
    let again = run(&["init", "--no-start"]);
    assert!(
        text(&again).contains("claude: already hooked"),
        "{}",
        text(&again)
    );
    let claude = std::fs::read_to_string(h.join(".claude/settings.json")).unwrap();
    assert_eq!(claude.matches("hook --agent claude").count(), 1);
    assert!(claude.contains("\"model\": \"opus\""));
    let backups = std::fs::read_dir(h.join(".claude")).unwrap().filter(|e| {
        e.as_ref()
            .unwrap()
            .file_name()
            .to_string_lossy()
            .contains("kintsugi-backup")
    });
    assert_eq!(backups.count(), 1);
    let codex = std::fs::read_to_string(h.join(".codex/config.toml")).unwrap();
    assert!(codex.contains("# my codex settings") && codex.contains("hook --agent codex"));
    assert!(
        text(&first).contains("codex: codex is not on PATH"),
        "{}",
        text(&first)
    );
    assert!(
        std::fs::read_to_string(h.join(".gemini/settings.json"))
            .unwrap()
            .contains("BeforeTool")
    );
    assert!(
        std::fs::read_to_string(h.join(".cursor/hooks.json"))
            .unwrap()
            .contains("beforeShellExecution")
    );

    let doctor = run(&["doctor"]);
    let report = text(&doctor);
    assert!(doctor.status.success(), "{report}");
    for agent in ["claude", "codex", "gemini", "cursor"] {
        assert!(
            report
                .lines()
                .any(|l| l.starts_with(agent) && l.contains("ok: blocks")),
            "{agent}: {report}"
        );
    }
    // The doctor's probes leave nothing waiting in the queue.
    let mut c = Conn::open(&sb.socket());
    assert_eq!(
        c.ask(r#"{"kind":"listpending"}"#).unwrap()["items"],
        serde_json::json!([])
    );

    // A hook removed by hand is caught.
    std::fs::write(h.join(".claude/settings.json"), "{}\n").unwrap();
    let broken = run(&["doctor"]);
    assert_eq!(broken.status.code(), Some(1));
    assert!(text(&broken).contains("claude") && text(&broken).contains("NOT PROTECTED"));

    let undo = run(&["init", "--undo"]);
    assert!(undo.status.success(), "{}", text(&undo));
    let codex = std::fs::read_to_string(h.join(".codex/config.toml")).unwrap();
    assert!(
        !codex.contains("hook --agent codex") && codex.contains("# my codex settings"),
        "{codex}"
    );
    assert!(
        !std::fs::read_to_string(h.join(".gemini/settings.json"))
            .unwrap()
            .contains("hook --agent")
    );
    assert!(!shims.exists());
}

#[test]
fn doctor_says_so_when_no_agent_is_installed() {
    let sb = Sandbox::new();
    let out = sb.run(&["doctor"]);
    let report = text(&out);
    assert!(report.contains("no agent config dir found"), "{report}");
    assert!(report.contains("NOT RUNNING"), "{report}");
    assert_eq!(out.status.code(), Some(1));
}
