//! Unit tests of the dialects added for issue #22 (Antigravity, Droid,
//! Crush, Kiro, Windsurf, Cline, Cursor 3.11): payload → request, outcome →
//! answer, and the malformed payloads each must refuse with a clear error.

use super::*;
use serde_json::json;

fn req(agent: Agent, v: Value) -> HookRequest {
    agent.parse(&v).unwrap()
}

fn block() -> Outcome {
    Outcome::Block {
        reason: "stop it; run `kintsugi run 7`".into(),
    }
}

#[test]
fn antigravity_reads_both_spellings_and_answers_in_both() {
    let p = json!({"conversationId":"c1","toolCall":{"name":"run_command",
        "args":{"CommandLine":"rm -rf /w/v","Cwd":"/w"}}});
    let r = req(Agent::Antigravity, p);
    assert_eq!(r.command.as_deref(), Some("rm -rf /w/v"));
    assert_eq!(
        (r.cwd.as_deref(), r.session.as_deref()),
        (Some("/w"), Some("c1"))
    );
    let lower = json!({"sessionId":"s","workspaceRoots":["file:///p/my%20app"],
        "toolCall":{"name":"run_command","args":{"commandLine":"ls"}}});
    let r = req(Agent::Antigravity, lower);
    assert_eq!(r.command.as_deref(), Some("ls"));
    assert_eq!(r.cwd.as_deref(), Some("/p/my app"));
    let read = json!({"toolCall":{"name":"view_file","args":{"AbsolutePath":"/x"}}});
    assert_eq!(req(Agent::Antigravity, read).command, None);
    for bad in [
        json!({"tool_name":"run_command"}),
        json!({"toolCall":{"args":{}}}),
        json!({"toolCall":{"name":"run_command"}}),
        json!({"toolCall":{"name":"run_command","args":{"Cwd":"/w"}}}),
    ] {
        let e = Agent::Antigravity.parse(&bad).unwrap_err();
        assert!(e.contains("toolCall"), "{bad}: {e}");
    }
    // Every answer is well-formed JSON at exit 0 (a missing one fails closed).
    let a = Agent::Antigravity.answer(&block());
    assert_eq!(a.exit, 0);
    let v: Value = serde_json::from_str(&a.stdout).unwrap();
    assert_eq!(
        (v["decision"].as_str(), v["allowTool"].as_bool()),
        (Some("deny"), Some(false))
    );
    assert!(v["reason"] == v["denyReason"] && a.stderr.contains("kintsugi run 7"));
    let none: Value =
        serde_json::from_str(&Agent::Antigravity.answer(&Outcome::NoOpinion).stdout).unwrap();
    assert_eq!(none["decision"], "ask");
    let allow = Outcome::Allow {
        reason: "ok".into(),
    };
    let v: Value = serde_json::from_str(&Agent::Antigravity.answer(&allow).stdout).unwrap();
    assert_eq!(
        (v["decision"].as_str(), v["allowTool"].as_bool()),
        (Some("allow"), Some(true))
    );
    assert_eq!("agy".parse::<Agent>().unwrap(), Agent::Antigravity);
}

#[test]
fn droid_and_crush_and_kiro_read_the_claude_shape_with_their_shell_tool() {
    for (agent, tool) in [
        (Agent::Droid, "Execute"),
        (Agent::Crush, "bash"),
        (Agent::Kiro, "execute_bash"),
    ] {
        let p = json!({"session_id":"s","cwd":"/w","tool_name":tool,
            "tool_input":{"command":"rm -rf /w/v"}});
        assert_eq!(
            req(agent, p).command.as_deref(),
            Some("rm -rf /w/v"),
            "{agent:?}"
        );
        let other = json!({"tool_name":"Read","tool_input":{"file_path":"/x"}});
        assert_eq!(req(agent, other).command, None, "{agent:?}");
        let e = agent
            .parse(&json!({"tool_name":tool,"tool_input":{"command":7}}))
            .unwrap_err();
        assert!(e.contains("tool_input.command"), "{agent:?}: {e}");
    }
    // Claude's shell tool is not Droid's.
    let bash = json!({"tool_name":"Bash","tool_input":{"command":"ls"}});
    assert_eq!(req(Agent::Droid, bash).command, None);
    let d: Value = serde_json::from_str(&Agent::Droid.answer(&block()).stdout).unwrap();
    assert_eq!(d["hookSpecificOutput"]["permissionDecision"], "deny");
    let c = Agent::Crush.answer(&block());
    let v: Value = serde_json::from_str(&c.stdout).unwrap();
    assert_eq!((c.exit, v["decision"].as_str()), (2, Some("deny")));
    let allow = Outcome::Allow {
        reason: "ok".into(),
    };
    let v: Value = serde_json::from_str(&Agent::Crush.answer(&allow).stdout).unwrap();
    assert_eq!(v["decision"], "allow");
    // Kiro reads exit codes only.
    assert_eq!(Agent::Kiro.answer(&allow), Answer::silent());
    assert_eq!(Agent::Kiro.answer(&block()).exit, 2);
}

#[test]
fn windsurf_reads_tool_info_and_blocks_by_exit_code() {
    let p = json!({"agent_action_name":"pre_run_command","trajectory_id":"t","execution_id":"e",
        "tool_info":{"command_line":"rm -rf /w/v","cwd":"/w"}});
    let r = req(Agent::Windsurf, p);
    assert_eq!(r.command.as_deref(), Some("rm -rf /w/v"));
    assert_eq!(
        (r.cwd.as_deref(), r.session.as_deref()),
        (Some("/w"), Some("t"))
    );
    let read = json!({"agent_action_name":"pre_read_code","tool_info":{"file_path":"/x"}});
    assert_eq!(req(Agent::Windsurf, read).command, None);
    for bad in [
        json!({"tool_info":{"command_line":"ls"}}),
        json!({"agent_action_name":"pre_run_command"}),
        json!({"agent_action_name":"pre_run_command","tool_info":{"cwd":"/w"}}),
    ] {
        assert!(Agent::Windsurf.parse(&bad).is_err(), "{bad}");
    }
    let a = Agent::Windsurf.answer(&block());
    assert_eq!(a.exit, 2);
    assert!(a.stderr.contains("kintsugi run 7"));
    assert_eq!(
        Agent::Windsurf.answer(&Outcome::NoOpinion),
        Answer::silent()
    );
}

#[test]
fn cline_reads_pre_tool_use_and_cancels_in_json() {
    let p = json!({"hookName":"PreToolUse","taskId":"k","workspaceRoots":["/p"],
        "preToolUse":{"toolName":"execute_command","parameters":{"command":"rm -rf /p/v","requires_approval":"false"}}});
    let r = req(Agent::Cline, p);
    assert_eq!(r.command.as_deref(), Some("rm -rf /p/v"));
    assert_eq!(
        (r.cwd.as_deref(), r.session.as_deref()),
        (Some("/p"), Some("k"))
    );
    let read = json!({"preToolUse":{"toolName":"read_file","parameters":{"path":"x"}}});
    assert_eq!(req(Agent::Cline, read).command, None);
    let e = Agent::Cline
        .parse(&json!({"preToolUse":{"toolName":"execute_command"}}))
        .unwrap_err();
    assert!(e.contains("parameters"), "{e}");
    let a = Agent::Cline.answer(&block());
    let v: Value = serde_json::from_str(&a.stdout).unwrap();
    assert_eq!((a.exit, v["cancel"].as_bool()), (0, Some(true)));
    assert!(
        v["errorMessage"]
            .as_str()
            .unwrap()
            .contains("kintsugi run 7")
    );
    let v: Value = serde_json::from_str(&Agent::Cline.answer(&Outcome::NoOpinion).stdout).unwrap();
    assert_eq!(v["cancel"], false);
}

#[test]
fn cursor_311_shell_and_delete_with_uri_roots() {
    let shell = json!({"hook_event_name":"preToolUse","conversation_id":"k","tool_name":"Shell",
        "tool_input":{"command":"ls"},"workspace_roots":["file:///home/u/my%20proj"]});
    let r = req(Agent::Cursor, shell);
    assert_eq!(r.command.as_deref(), Some("ls"));
    assert_eq!(r.cwd.as_deref(), Some("/home/u/my proj"));
    let delete = json!({"hook_event_name":"preToolUse","tool_name":"Delete",
        "tool_input":{"path":"/home/u/.ssh/id_ed25519"},"workspace_roots":["file:///home/u/p"]});
    assert_eq!(
        req(Agent::Cursor, delete).command.as_deref(),
        Some("rm -- /home/u/.ssh/id_ed25519")
    );
    let odd =
        json!({"hook_event_name":"preToolUse","tool_name":"Delete","tool_input":{"path":"/a b"}});
    assert_eq!(
        req(Agent::Cursor, odd).command.as_deref(),
        Some("rm -- '/a b'")
    );
    let e = Agent::Cursor
        .parse(&json!({"hook_event_name":"preToolUse","tool_name":"Delete","tool_input":{}}))
        .unwrap_err();
    assert!(e.contains("tool_input.path"), "{e}");
    // Roots that are no local directory give no cwd.
    for roots in [
        json!(["vscode-remote://x/p"]),
        json!(["file://%zz"]),
        json!([3]),
        json!("/p"),
    ] {
        assert_eq!(cursor::first_root(Some(&roots)), None, "{roots}");
    }
    assert_eq!(
        cursor::first_root(Some(&json!(["file://localhost/srv/p"]))).as_deref(),
        Some("/srv/p")
    );
}

#[test]
fn claude_file_tools_outside_the_project_or_on_sensitive_files_are_judged() {
    let write = |path: &str| {
        json!({"session_id":"s","cwd":"/w/proj","hook_event_name":"PreToolUse","tool_name":"Write",
            "tool_input":{"file_path":path,"content":"x"}})
    };
    assert_eq!(req(Agent::Claude, write("/w/proj/notes.txt")).command, None);
    assert_eq!(
        req(Agent::Claude, write("/home/u/.zshrc"))
            .command
            .as_deref(),
        Some("tee -- /home/u/.zshrc")
    );
    let edit = json!({"cwd":"/w/proj","tool_name":"Edit",
        "tool_input":{"file_path":"/w/proj/.kintsugi.toml","old_string":"a","new_string":"b"}});
    assert_eq!(
        req(Agent::Claude, edit).command.as_deref(),
        Some("tee -- /w/proj/.kintsugi.toml")
    );
    let nb = json!({"cwd":"/w/proj","tool_name":"NotebookEdit",
        "tool_input":{"notebook_path":"/srv/n.ipynb","new_source":""}});
    assert_eq!(
        req(Agent::Claude, nb).command.as_deref(),
        Some("tee -- /srv/n.ipynb")
    );
    let e = Agent::Claude
        .parse(&json!({"cwd":"/w","tool_name":"Write","tool_input":{"content":"x"}}))
        .unwrap_err();
    assert!(e.contains("tool_input.file_path"), "{e}");
}
