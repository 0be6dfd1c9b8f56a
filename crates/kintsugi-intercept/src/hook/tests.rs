//! Unit tests of the dialects (payload → request, outcome → answer) and of
//! the fallback rules. The daemon round trips are covered by the CLI's
//! integration tests against a real daemon.

use super::verdict::fallback;
use super::*;
use kintsugi_classify::Class;
use serde_json::json;

fn req(agent: Agent, v: Value) -> HookRequest {
    agent.parse(&v).unwrap()
}

#[test]
fn claude_codex_gemini_qwen_read_observed_payloads() {
    let claude = json!({"session_id":"s","cwd":"/w","hook_event_name":"PreToolUse",
        "tool_name":"Bash","tool_input":{"command":"rm -rf /w/v","description":"test"}});
    let r = req(Agent::Claude, claude);
    assert_eq!(r.command.as_deref(), Some("rm -rf /w/v"));
    assert_eq!(r.cwd.as_deref(), Some("/w"));
    assert_eq!(r.session.as_deref(), Some("s"));

    let codex = json!({"session_id":"c","transcript_path":null,"cwd":"/w","tool_name":"Bash",
        "tool_input":{"command":"ls"}});
    assert_eq!(req(Agent::Codex, codex).command.as_deref(), Some("ls"));
    let argv = json!({"tool_name":"shell","tool_input":{"command":["bash","-lc","ls"]}});
    assert_eq!(
        req(Agent::Codex, argv).command.as_deref(),
        Some("bash -lc ls")
    );

    let gemini = json!({"session_id":"g","cwd":"/w","hook_event_name":"BeforeTool",
        "tool_name":"run_shell_command","tool_input":{"command":"ls","description":"d"}});
    assert_eq!(
        req(Agent::Gemini, gemini.clone()).command.as_deref(),
        Some("ls")
    );
    assert_eq!(req(Agent::Qwen, gemini).command.as_deref(), Some("ls"));
}

#[test]
fn other_tools_have_no_command() {
    let edit = json!({"cwd":"/w","tool_name":"Edit","tool_input":{"file_path":"/w/x"}});
    assert_eq!(req(Agent::Claude, edit).command, None);
    let read = json!({"tool_name":"read_file","tool_input":{"path":"/x"}});
    assert_eq!(req(Agent::Gemini, read).command, None);
    let cur = json!({"hook_event_name":"beforeReadFile","file_path":"/x"});
    assert_eq!(req(Agent::Cursor, cur).command, None);
    let cop = json!({"toolName":"view","toolArgs":"{\"path\":\"/x\"}"});
    assert_eq!(req(Agent::Copilot, cop).command, None);
    let oc = json!({"tool":"read","cwd":"/w"});
    assert_eq!(req(Agent::OpenCode, oc).command, None);
}

#[test]
fn shell_tool_without_command_is_an_error() {
    let e = Agent::Claude
        .parse(&json!({"tool_name":"Bash","tool_input":{}}))
        .unwrap_err();
    assert!(e.contains("tool_input.command"), "{e}");
    assert!(Agent::Gemini.parse(&json!([1, 2])).is_err());
    assert!(Agent::Claude.parse(&json!({"tool_input":{}})).is_err());
}

#[test]
fn cursor_and_copilot_shapes() {
    let cur = json!({"hook_event_name":"beforeShellExecution","conversation_id":"k",
        "workspace_roots":["/p"],"command":"ls -la","cwd":"/p/sub"});
    let r = req(Agent::Cursor, cur);
    assert_eq!(r.command.as_deref(), Some("ls -la"));
    assert_eq!(r.cwd.as_deref(), Some("/p/sub"));
    assert_eq!(r.session.as_deref(), Some("k"));

    let as_string = json!({"timestamp":1,"cwd":"/p","toolName":"bash",
        "toolArgs":"{\"command\":\"ls -la\",\"description\":\"x\"}"});
    assert_eq!(
        req(Agent::Copilot, as_string).command.as_deref(),
        Some("ls -la")
    );
    let as_object = json!({"cwd":"/p","toolName":"bash","toolArgs":{"command":"ls"}});
    assert_eq!(
        req(Agent::Copilot, as_object).command.as_deref(),
        Some("ls")
    );
    let bad = json!({"toolName":"bash","toolArgs":"{not json"});
    assert!(Agent::Copilot.parse(&bad).unwrap_err().contains("toolArgs"));
}

fn block() -> Outcome {
    Outcome::Block {
        reason: "stop it".into(),
    }
}

#[test]
fn blocks_use_answers_the_agents_honour() {
    for agent in [
        Agent::Claude,
        Agent::Codex,
        Agent::Gemini,
        Agent::Cursor,
        Agent::Qwen,
        Agent::OpenCode,
    ] {
        let a = agent.answer(&block());
        assert_eq!(a.exit, 2, "{agent:?}");
        assert_eq!(a.stderr, "stop it\n", "{agent:?}");
        let v: Value = serde_json::from_str(&a.stdout).unwrap();
        let text = v.to_string();
        assert!(
            text.contains("deny") || text.contains("block"),
            "{agent:?}: {text}"
        );
    }
    // Gemini ignores hookSpecificOutput: its JSON must be the top-level decision.
    let g: Value = serde_json::from_str(&Agent::Gemini.answer(&block()).stdout).unwrap();
    assert_eq!(g["decision"], "deny");
    // Copilot documents only the JSON contract at exit 0.
    let c = Agent::Copilot.answer(&block());
    assert_eq!(c.exit, 0);
    let v: Value = serde_json::from_str(&c.stdout).unwrap();
    assert_eq!(v["permissionDecision"], "deny");
    assert_eq!(v["permissionDecisionReason"], "stop it");
}

#[test]
fn allows_and_no_opinion_per_dialect() {
    let allow = Outcome::Allow {
        reason: "ok".into(),
    };
    assert_eq!(Agent::Codex.answer(&allow), Answer::silent());
    assert_eq!(Agent::Codex.answer(&Outcome::NoOpinion), Answer::silent());
    let c: Value = serde_json::from_str(&Agent::Claude.answer(&allow).stdout).unwrap();
    assert_eq!(c["hookSpecificOutput"]["permissionDecision"], "allow");
    let g: Value = serde_json::from_str(&Agent::Gemini.answer(&allow).stdout).unwrap();
    assert_eq!(g["decision"], "allow");
    let k: Value = serde_json::from_str(&Agent::Cursor.answer(&allow).stdout).unwrap();
    assert_eq!(k["permission"], "allow");
    assert_eq!(Agent::Cursor.answer(&Outcome::NoOpinion).stdout, "{}\n");
    for agent in Agent::ALL {
        assert_eq!(agent.answer(&allow).exit, 0);
        assert_eq!(agent.answer(&Outcome::NoOpinion).exit, 0);
    }
}

#[test]
fn fallback_blocks_catastrophic_in_both_modes() {
    use FailModeSource::Fixed;
    for mode in [FailMode::Open, FailMode::Closed] {
        let (o, _) = fallback(
            Fixed(mode),
            Class::Catastrophic,
            "catastrophic",
            "daemon down",
        );
        assert!(matches!(o, Outcome::Block { .. }), "{mode:?}");
    }
    let (o, notes) = fallback(Fixed(FailMode::Open), Class::Ambiguous, "ambiguous", "down");
    assert_eq!(o, Outcome::NoOpinion);
    assert!(notes[0].contains("KINTSUGI_FAIL_MODE=open"), "{notes:?}");
    let (o, _) = fallback(
        Fixed(FailMode::Closed),
        Class::Ambiguous,
        "ambiguous",
        "down",
    );
    assert!(matches!(o, Outcome::Block { reason } if reason.contains("closed")));
    let (o, _) = fallback(Fixed(FailMode::Closed), Class::Safe, "safe", "daemon down");
    assert!(matches!(o, Outcome::Block { .. }));
}

#[test]
fn the_config_fail_mode_is_read_only_when_needed_and_named() {
    fn closed_with_a_warning() -> (FailMode, Option<String>) {
        (FailMode::Closed, Some("the config is broken".into()))
    }
    let source = FailModeSource::Config(closed_with_a_warning);
    let (o, _) = fallback(source, Class::Ambiguous, "ambiguous", "daemon down");
    let Outcome::Block { reason } = o else {
        panic!("a closed config must block: {o:?}")
    };
    assert!(
        reason.contains("fail_mode = \"closed\" in the config"),
        "{reason}"
    );
    assert!(reason.contains("the config is broken"), "{reason}");
    fn open() -> (FailMode, Option<String>) {
        (FailMode::Open, None)
    }
    let (o, notes) = fallback(FailModeSource::Config(open), Class::Ambiguous, "a", "down");
    assert_eq!(o, Outcome::NoOpinion);
    assert!(notes[0].contains("fail_mode = \"open\""), "{notes:?}");
}

fn opts(agent: Agent) -> Options {
    Options {
        agent,
        wait: Duration::from_secs(1),
        fail_mode: FailModeSource::Fixed(FailMode::Open),
        socket: PathBuf::from("/nonexistent/kintsugi-test.sock"),
        home: PathBuf::from("/home/nobody"),
        warnings: vec!["a warning".into()],
    }
}

#[test]
fn unreadable_payload_is_blocked_whatever_the_fail_mode() {
    for mode in [FailMode::Open, FailMode::Closed] {
        let mut o = opts(Agent::Claude);
        o.fail_mode = FailModeSource::Fixed(mode);
        let a = run(&o, &mut &b"{garbage"[..]);
        assert_eq!(a.exit, 2, "{mode:?}: {a:?}");
        assert!(
            a.stderr.contains("cannot read the claude hook payload"),
            "{}",
            a.stderr
        );
        assert!(a.stderr.contains("whatever the fail mode"), "{}", a.stderr);
    }
    // A command the loose search still finds is named in the reason.
    let a = run(
        &opts(Agent::Gemini),
        &mut &br#"{"tool_input":{"command":"rm -rf ~""#[..],
    );
    assert_eq!(a.exit, 2);
    assert!(a.stderr.contains("`rm -rf ~`"), "{}", a.stderr);
}

/// Every way a payload can fail to say which shell command it runs, in one
/// dialect's shape or as raw bytes: each must block, open fail mode or not.
#[test]
fn garbage_payloads_block_in_every_dialect() {
    let raw: Vec<Vec<u8>> = vec![
        Vec::new(),
        b"   \n".to_vec(),
        vec![0xde, 0xad, 0xbe, 0xef, 0x00, 0xff],
        b"not json at all".to_vec(),
        b"[1,2,3]".to_vec(),
        b"\"rm -rf ~\"".to_vec(),
        {
            let mut v = vec![0xff, 0xfe];
            for u in r#"{"tool_name":"Bash","tool_input":{"command":"ls"}}"#.encode_utf16() {
                v.extend(u.to_le_bytes());
            }
            v
        },
    ];
    for agent in Agent::ALL {
        for bytes in &raw {
            let a = run(&opts(agent), &mut bytes.as_slice());
            assert!(
                matches!(
                    answer_payload(&opts(agent), &mut bytes.as_slice()).0,
                    Outcome::Block { .. }
                ),
                "{agent:?} {bytes:?}: {a:?}"
            );
        }
    }
    // Shell tools whose command is missing, the wrong type, or inside a
    // `tool_input` that is not an object.
    let shaped: [(Agent, Vec<Value>); 7] = [
        (
            Agent::Claude,
            tool_shapes("tool_name", "Bash", "tool_input"),
        ),
        (Agent::Codex, tool_shapes("tool_name", "Bash", "tool_input")),
        (
            Agent::Gemini,
            tool_shapes("tool_name", "run_shell_command", "tool_input"),
        ),
        (
            Agent::Qwen,
            tool_shapes("tool_name", "run_shell_command", "tool_input"),
        ),
        (Agent::Copilot, tool_shapes("toolName", "bash", "toolArgs")),
        (
            Agent::Cursor,
            vec![
                json!({"hook_event_name":"beforeShellExecution"}),
                json!({"hook_event_name":"beforeShellExecution","command":7}),
                json!({"hook_event_name":"beforeShellExecution","command":""}),
                json!({"hook_event_name":"beforeShellExecution","command":[1]}),
                json!({"hook_event_name":"preToolUse","tool_input":{"command":"rm -rf ~"}}),
                json!({"hook_event_name":"preToolUse","tool_name":"Shell","tool_input":"rm -rf ~"}),
                json!({"hook_event_name":"preToolUse","tool_name":"Shell","tool_input":{}}),
                json!({"hook_event_name":7,"command":"rm -rf ~"}),
            ],
        ),
        (
            Agent::OpenCode,
            vec![
                json!({"command":"rm -rf ~"}),
                json!({"tool":"bash"}),
                json!({"tool":"bash","command":null}),
                json!({"tool":"bash","command":"  "}),
                json!({"tool":3,"command":"rm -rf ~"}),
            ],
        ),
    ];
    for (agent, cases) in shaped {
        for case in cases {
            let bytes = case.to_string().into_bytes();
            let (o, _) = answer_payload(&opts(agent), &mut bytes.as_slice());
            let Outcome::Block { reason } = o else {
                panic!("{agent:?} {case}: {o:?}")
            };
            assert!(
                reason.contains("cannot read") || reason.contains("empty command"),
                "{agent:?} {case}: {reason}"
            );
        }
    }
}

/// Claude-style garbage for a shell tool: no name, no input, input as a
/// string, no command, a command of the wrong type, an empty command.
fn tool_shapes(name_key: &str, shell: &str, input_key: &str) -> Vec<Value> {
    let with = |input: Value| {
        let mut v = json!({});
        v[name_key] = json!(shell);
        v[input_key] = input;
        v
    };
    let mut nameless = json!({});
    nameless[input_key] = json!({"command":"rm -rf ~"});
    let mut named_by_number = nameless.clone();
    named_by_number[name_key] = json!(1);
    let mut no_input = json!({});
    no_input[name_key] = json!(shell);
    vec![
        nameless,
        named_by_number,
        no_input,
        with(json!("rm -rf ~")),
        with(json!(["rm", "-rf", "~"])),
        with(json!({})),
        with(json!({"command": 42})),
        with(json!({"command": null})),
        with(json!({"command": {"argv": ["rm"]}})),
        with(json!({"command": ["rm", 1]})),
        with(json!({"command": ""})),
        with(json!({"command": []})),
    ]
}

#[test]
fn a_utf8_bom_is_accepted_and_other_tools_still_pass() {
    // Cursor sends a UTF-8 byte order mark before its JSON.
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend(br#"{"hook_event_name":"beforeReadFile","file_path":"/x"}"#);
    let (o, _) = answer_payload(&opts(Agent::Cursor), &mut bom.as_slice());
    assert_eq!(o, Outcome::NoOpinion);
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend(br#"{"tool_name":"Bash","tool_input":{"command":"ls"}}"#);
    let r = read_payload(Agent::Claude, &mut bom.as_slice()).unwrap();
    assert_eq!(r.command.as_deref(), Some("ls"));
    // Valid JSON for a tool that runs no shell stays "no opinion", even with
    // an odd `tool_input`.
    for (agent, v) in [
        (
            Agent::Claude,
            json!({"tool_name":"Read","tool_input":"rm -rf ~"}),
        ),
        (Agent::Gemini, json!({"tool_name":"read_file"})),
        (Agent::Copilot, json!({"toolName":"view","toolArgs":7})),
        (
            Agent::Cursor,
            json!({"hook_event_name":"preToolUse","tool_name":"Write"}),
        ),
        (Agent::OpenCode, json!({"tool":"read","command":7})),
    ] {
        let bytes = v.to_string().into_bytes();
        let (o, _) = answer_payload(&opts(agent), &mut bytes.as_slice());
        assert_eq!(o, Outcome::NoOpinion, "{agent:?} {v}");
    }
}

#[test]
fn argv_lists_are_quoted_into_the_line_that_runs() {
    let v = json!({"tool_name":"Bash","tool_input":{"command":["bash","-lc","rm -rf ~"]}});
    assert_eq!(
        req(Agent::Claude, v).command.as_deref(),
        Some("bash -lc 'rm -rf ~'")
    );
    let v = json!({"tool_name":"shell","tool_input":{"command":["sh","-c","echo 'a b'; rm x",""]}});
    assert_eq!(
        req(Agent::Codex, v).command.as_deref(),
        Some(r#"sh -c 'echo '\''a b'\''; rm x' ''"#)
    );
    let v = json!({"toolName":"bash","toolArgs":{"command":["rm","-rf","$HOME"]}});
    assert_eq!(
        req(Agent::Copilot, v).command.as_deref(),
        Some("rm -rf '$HOME'")
    );
}

#[test]
fn the_local_fallback_never_allows_explicitly() {
    use FailModeSource::Fixed;
    for mode in [FailMode::Open, FailMode::Closed] {
        for class in [Class::Safe, Class::Ambiguous, Class::Catastrophic] {
            let (o, _) = fallback(Fixed(mode), class, "x", "daemon down");
            assert!(
                !matches!(o, Outcome::Allow { .. }),
                "{mode:?} {class:?}: {o:?}"
            );
        }
    }
    // And through the whole flow with no daemon: a safe command in open
    // mode is "no opinion", never the dialect's allow.
    let payload = br#"{"tool_name":"Bash","tool_input":{"command":"ls"}}"#;
    let (o, _) = answer_payload(&opts(Agent::Claude), &mut &payload[..]);
    assert_eq!(o, Outcome::NoOpinion);
}

#[test]
fn other_tool_passes_without_asking_the_daemon() {
    let payload = br#"{"tool_name":"Read","tool_input":{"file_path":"/x"}}"#;
    let a = run(&opts(Agent::Claude), &mut &payload[..]);
    assert_eq!(a.exit, 0);
    assert_eq!(a.stdout, "");
}

#[test]
fn agent_names_round_trip() {
    for a in Agent::ALL {
        assert_eq!(a.name().parse::<Agent>().unwrap(), a);
        assert!(a.default_wait() < Duration::from_secs(600));
    }
    assert!("vim".parse::<Agent>().unwrap_err().contains("claude"));
}

#[test]
fn plugin_embeds_binary_and_budget() {
    let js = opencode::plugin_source("/opt/k\"s/kintsugi", Duration::from_secs(7));
    assert!(js.contains(r#""/opt/k\"s/kintsugi""#));
    assert!(js.contains("const WAIT_SECS = 7;"));
    assert!(js.contains("tool.execute.before"));
}

fn fixture(agent: &str, case: &str) -> Value {
    let path = format!(
        "{}/../kintsugi/tests/fixtures/hooks/{agent}/{case}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

#[test]
fn the_pre_and_post_tool_payloads_of_one_call_share_a_command_id() {
    use super::after::command_id;
    for (agent, name) in [
        (Agent::Claude, "claude"),
        (Agent::Codex, "codex"),
        (Agent::Gemini, "gemini"),
        (Agent::Qwen, "qwen"),
    ] {
        let id = |case: &str| {
            let r = req(agent, fixture(name, case));
            let cwd = r.cwd.clone().unwrap();
            command_id(name, &r, r.command.as_deref().unwrap(), &cwd)
        };
        let pre = id("allow");
        assert_eq!(pre, id("post"), "{name}");
        if req(agent, fixture(name, "allow")).tool_use_id.is_none() {
            // Paired by command text: another command, another id.
            assert_ne!(pre, id("hold"), "{name}");
        }
        let parsed = uuid::Uuid::parse_str(&pre).unwrap();
        assert_eq!(parsed.get_version_num(), 8, "{name}: {pre}");
    }
    // Claude's tool call id decides, not the command text.
    let mut other_call = fixture("claude", "post");
    other_call["tool_use_id"] = json!("toolu_other");
    let r = req(Agent::Claude, other_call);
    let pre = req(Agent::Claude, fixture("claude", "allow"));
    assert_ne!(
        command_id("claude", &r, "ls -la", "/tmp/kintsugi-fixture/project"),
        command_id("claude", &pre, "ls -la", "/tmp/kintsugi-fixture/project")
    );
}

#[test]
fn a_stated_exit_code_in_the_tool_response_is_read() {
    let mut v = fixture("claude", "post");
    assert_eq!(req(Agent::Claude, v.clone()).exit_code, None);
    v["tool_response"]["exit_code"] = json!(3);
    assert_eq!(req(Agent::Claude, v).exit_code, Some(3));
}

#[test]
fn the_environment_only_tightens_the_fail_mode() {
    use FailMode::{Closed, Open};
    assert_eq!(FailMode::tightened_by(Closed, Some(Open)), Closed);
    assert_eq!(FailMode::tightened_by(Closed, None), Closed);
    assert_eq!(FailMode::tightened_by(Open, Some(Closed)), Closed);
    assert_eq!(FailMode::tightened_by(Open, Some(Open)), Open);
    assert_eq!(FailMode::tightened_by(Open, None), Open);
}
