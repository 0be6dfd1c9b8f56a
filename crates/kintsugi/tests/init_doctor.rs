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
    // The pre-tool hook and the post-tool hook that reports completions.
    assert_eq!(claude.matches("hook --agent claude").count(), 2);
    assert_eq!(claude.matches("hook --agent claude --after").count(), 1);
    let v: serde_json::Value = serde_json::from_str(&claude).unwrap();
    let post = v["hooks"]["PostToolUse"][0]["hooks"][0]["command"]
        .as_str()
        .unwrap();
    assert!(post.ends_with("hook --agent claude --after"), "{claude}");
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
    let table: toml::Table = toml::from_str(&codex).unwrap();
    let post = table["hooks"]["PostToolUse"][0]["hooks"][0]["command"].as_str();
    assert!(
        post.unwrap().ends_with("hook --agent codex --after"),
        "{codex}"
    );
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

    assert!(!report.contains("no post-tool hook"), "{report}");

    // Without its post-tool hook an agent is still protected, and doctor
    // says what is missing.
    let gemini_path = h.join(".gemini/settings.json");
    let mut gemini: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&gemini_path).unwrap()).unwrap();
    gemini["hooks"].as_object_mut().unwrap().remove("AfterTool");
    std::fs::write(&gemini_path, gemini.to_string()).unwrap();
    let report = text(&run(&["doctor"]));
    let lines: Vec<&str> = report.lines().collect();
    let at = lines.iter().position(|l| l.starts_with("gemini")).unwrap();
    assert!(lines[at].contains("ok: blocks"), "{report}");
    assert!(lines[at + 1].contains("no post-tool hook"), "{report}");

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

/// The real Codex CLI (`KINTSUGI_TEST_CODEX`, installed by `scripts/test`
/// with the pinned real-agent CLIs); `None` skips, unless
/// `KINTSUGI_REQUIRE_REAL_AGENTS=1` makes its absence a failure.
fn real_codex() -> Option<std::path::PathBuf> {
    let found = std::env::var_os("KINTSUGI_TEST_CODEX")
        .map(std::path::PathBuf::from)
        .filter(|p| p.is_file());
    if found.is_none() {
        assert!(
            std::env::var("KINTSUGI_REQUIRE_REAL_AGENTS").as_deref() != Ok("1"),
            "KINTSUGI_REQUIRE_REAL_AGENTS=1 but KINTSUGI_TEST_CODEX names no codex binary"
        );
        eprintln!("SKIP: set KINTSUGI_TEST_CODEX to a real codex binary");
    }
    found
}

#[test]
fn doctor_asks_codex_whether_it_trusts_the_hook() {
    let Some(codex) = real_codex() else { return };
    let sb = Sandbox::new();
    let h = home(&sb);
    std::fs::create_dir_all(h.join(".codex")).unwrap();
    let with_codex = format!("{}:/usr/bin:/bin", codex.parent().unwrap().display());
    let run = |path: &str, args: &[&str]| {
        let out = sb
            .cmd()
            .env("KINTSUGI_SHIM_DIR", sb.root().join("shims"))
            .env("PATH", path)
            .args(args)
            .output()
            .unwrap();
        (out.status.code(), text(&out))
    };
    let codex_line = |report: &str| {
        let lines: Vec<&str> = report.lines().collect();
        let at = lines.iter().position(|l| l.starts_with("codex")).unwrap();
        lines[at + 1].to_string()
    };

    // Wired while codex was not on PATH: trust could not be recorded, and
    // Codex itself says it will skip the hook.
    let (code, out) = run("/usr/bin:/bin", &["init", "--no-start"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("codex is not on PATH"), "{out}");
    let (code, report) = run(&with_codex, &["doctor"]);
    assert_eq!(code, Some(1), "{report}");
    assert!(
        codex_line(&report).contains("NOT PROTECTED: Codex lists the hook as `untrusted`"),
        "{report}"
    );

    // `init` with codex on PATH records the trust; doctor confirms it.
    let (code, out) = run(&with_codex, &["init", "--no-start"]);
    assert!(out.contains("codex: hook trusted"), "{code:?} {out}");
    let (_, report) = run(&with_codex, &["doctor"]);
    assert!(
        codex_line(&report).contains("Codex lists the hook as trusted"),
        "{report}"
    );

    // A hook edited after it was trusted is skipped by Codex: flagged.
    let config = h.join(".codex/config.toml");
    let toml = std::fs::read_to_string(&config).unwrap();
    // (Even its timeout: Codex hashes the whole entry.)
    assert!(toml.contains("timeout = 600"), "{toml}");
    std::fs::write(&config, toml.replace("timeout = 600", "timeout = 601")).unwrap();
    let (code, report) = run(&with_codex, &["doctor"]);
    assert_eq!(code, Some(1), "{report}");
    assert!(codex_line(&report).contains("`modified`"), "{report}");

    // Without codex on PATH doctor says it could not check, not "trusted".
    let (_, report) = run("/usr/bin:/bin", &["doctor"]);
    assert!(
        codex_line(&report).contains("trust not checked"),
        "{report}"
    );
}

#[test]
fn qwen_and_opencode_are_wired_checked_live_and_unwired() {
    let mut sb = Sandbox::new();
    let h = home(&sb);
    std::fs::create_dir_all(h.join(".qwen")).unwrap();
    std::fs::create_dir_all(h.join(".config/opencode")).unwrap();
    std::fs::write(h.join(".qwen/settings.json"), "{\"theme\": \"dark\"}\n").unwrap();
    sb.start();
    let run = |args: &[&str]| {
        let out = sb
            .cmd()
            .env("KINTSUGI_SHIM_DIR", sb.root().join("shims"))
            .env("PATH", "/usr/bin:/bin")
            .args(args)
            .output()
            .unwrap();
        (out.status.code(), text(&out))
    };
    let line = |report: &str, agent: &str| {
        report
            .lines()
            .find(|l| l.starts_with(agent))
            .unwrap_or_default()
            .to_string()
    };

    let (code, out) = run(&["init", "--no-start"]);
    assert_eq!(code, Some(0), "{out}");
    let qwen = std::fs::read_to_string(h.join(".qwen/settings.json")).unwrap();
    assert!(
        qwen.contains("hook --agent qwen") && qwen.contains("\"theme\""),
        "{qwen}"
    );
    let plugin_path = h.join(".config/opencode/plugins/kintsugi.js");
    let plugin = std::fs::read_to_string(&plugin_path).unwrap();
    assert!(plugin.contains("--agent\", \"opencode\""), "{plugin}");

    let (_, report) = run(&["doctor"]);
    for agent in ["qwen", "opencode"] {
        assert!(
            line(&report, agent).contains("ok: blocks"),
            "{agent}:\n{report}"
        );
    }

    // The plugin runs the binary named inside it: point it somewhere that
    // does not exist and the live check must fail, whatever runs doctor.
    let bin = serde_json::to_string(BIN).unwrap();
    std::fs::write(
        &plugin_path,
        plugin.replace(&bin, "\"/nonexistent/kintsugi\""),
    )
    .unwrap();
    let (code, report) = run(&["doctor"]);
    assert_eq!(code, Some(1), "{report}");
    assert!(
        line(&report, "opencode").contains("NOT PROTECTED"),
        "{report}"
    );

    let (code, out) = run(&["init", "--undo"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(!plugin_path.exists());
    let qwen = std::fs::read_to_string(h.join(".qwen/settings.json")).unwrap();
    assert!(
        !qwen.contains("hook --agent qwen") && qwen.contains("\"theme\""),
        "{qwen}"
    );
}
