//! Reading the session transcripts agent CLIs keep, as each real CLI writes
//! them (checked against the files the pinned CLIs of the real-agent tests
//! leave in their HOMEs):
//!
//! - Claude Code: `~/.claude/projects/<dir>/<session>.jsonl`, one JSON
//!   object a line; an `assistant` line's `message.content` holds
//!   `tool_use` blocks, the shell tool is `Bash` with `input.command`, and
//!   `cwd`, `timestamp` and `sessionId` are on the line.
//! - Codex: `~/.codex/sessions/YYYY/MM/DD/rollout-*.jsonl`; `session_meta`
//!   and `turn_context` lines carry `payload.cwd`; a `response_item` whose
//!   payload is a `function_call` of `exec_command` (arguments: a JSON
//!   string with `cmd` and maybe `workdir`) or of the older `shell` tool
//!   (`command` as an argv), or a `local_shell_call`, is a shell call.
//! - Gemini CLI: `~/.gemini/tmp/<project>/chats/session-*.jsonl` (and the
//!   older whole-file `.json`); a `gemini` message's `toolCalls` with name
//!   `run_shell_command` and `args.command`; the same message may be written
//!   again as it updates, so calls are kept once per id; the project dir is
//!   in `.project_root` beside `chats/`.

use super::{Call, MAX_DEPTH, MAX_FILES, MAX_LINE_BYTES, MAX_TRANSCRIPT_BYTES};
use serde_json::Value;
use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// The agents whose transcripts are read.
pub const AGENTS: [&str; 3] = ["claude", "codex", "gemini"];

/// Where an agent keeps its transcripts under `home`.
pub fn default_root(agent: &str, home: &Path) -> PathBuf {
    match agent {
        "claude" => home.join(".claude/projects"),
        "codex" => home.join(".codex/sessions"),
        _ => home.join(".gemini/tmp"),
    }
}

/// Normalise an `--agent` word (`claude-code`, `gemini-cli` are accepted).
pub fn agent_name(word: &str) -> Option<&'static str> {
    match word.to_ascii_lowercase().as_str() {
        "claude" | "claude-code" | "claude_code" => Some("claude"),
        "codex" | "codex-cli" => Some("codex"),
        "gemini" | "gemini-cli" => Some("gemini"),
        _ => None,
    }
}

/// A file that could not be used, and why (reported, counted, skipped).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Skipped {
    pub file: String,
    pub why: String,
}

/// Everything read from the transcripts.
#[derive(Debug, Default)]
pub struct Transcripts {
    pub calls: Vec<Call>,
    pub files: usize,
    pub skipped: Vec<Skipped>,
    /// Lines that were not JSON (or too long), over all files read.
    pub bad_lines: usize,
}

/// Is `path` a transcript file of `agent` (by its name)?
fn looks_like(agent: &str, path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    match agent {
        "claude" => name.ends_with(".jsonl"),
        "codex" => name.starts_with("rollout-") && name.ends_with(".jsonl"),
        _ => {
            let in_chats = path
                .parent()
                .and_then(|p| p.file_name())
                .is_some_and(|n| n == "chats");
            in_chats && (name.ends_with(".jsonl") || name.ends_with(".json"))
        }
    }
}

/// Which agent wrote `path`, from a `.claude`/`.codex`/`.gemini` component.
fn agent_of_path(path: &Path) -> Option<&'static str> {
    path.components()
        .rev()
        .find_map(|c| match c.as_os_str().to_str()? {
            ".claude" => Some("claude"),
            ".codex" => Some("codex"),
            ".gemini" => Some("gemini"),
            _ => None,
        })
}

/// Which agent wrote a transcript, from its first JSON lines.
fn sniff(first: &[Value]) -> Option<&'static str> {
    for v in first {
        let ty = v.get("type").and_then(Value::as_str).unwrap_or("");
        if matches!(ty, "session_meta" | "response_item" | "turn_context") {
            return Some("codex");
        }
        if v.get("projectHash").is_some() || v.get("toolCalls").is_some() || v.get("$set").is_some()
        {
            return Some("gemini");
        }
        if v.get("sessionId").is_some() && matches!(ty, "user" | "assistant" | "summary") {
            return Some("claude");
        }
    }
    None
}

/// Collect the transcript files under `root` (a file or a directory),
/// never following symlinks, at most [`MAX_DEPTH`] levels deep.
fn walk(root: &Path, agent: Option<&str>, out: &mut Vec<PathBuf>, skipped: &mut Vec<Skipped>) {
    let mut stack = vec![(root.to_path_buf(), 0usize)];
    while let Some((dir, depth)) = stack.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) => {
                skipped.push(Skipped {
                    file: dir.display().to_string(),
                    why: format!("cannot list this directory ({e})"),
                });
                continue;
            }
        };
        let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let path = e.path();
            let Ok(ft) = e.file_type() else { continue };
            if ft.is_dir() {
                if depth + 1 < MAX_DEPTH {
                    stack.push((path, depth + 1));
                }
            } else if ft.is_file() {
                let who = agent.or_else(|| agent_of_path(&path));
                let wanted = match who {
                    Some(a) => looks_like(a, &path),
                    None => AGENTS.iter().any(|a| looks_like(a, &path)),
                };
                if wanted {
                    out.push(path);
                }
            }
            if out.len() >= MAX_FILES {
                skipped.push(Skipped {
                    file: root.display().to_string(),
                    why: format!("more than {MAX_FILES} transcript files; the rest were not read"),
                });
                return;
            }
        }
    }
}

/// Read every transcript under `roots`. A root named on the command line
/// that does not exist is an error; a default root that does not exist is
/// simply empty. `agent` restricts the reading to one agent's format.
pub fn read_all(
    roots: &[(PathBuf, bool)],
    agent: Option<&'static str>,
) -> anyhow::Result<Transcripts> {
    let mut files = Vec::new();
    let mut out = Transcripts::default();
    for (root, explicit) in roots {
        let meta = match std::fs::metadata(root) {
            Ok(m) => m,
            Err(e) if !explicit && e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => anyhow::bail!(
                "cannot read {} ({e}); pass a transcript file or a directory of them",
                root.display()
            ),
        };
        if meta.is_dir() {
            walk(root, agent, &mut files, &mut out.skipped);
        } else {
            files.push(root.clone());
        }
    }
    files.sort();
    files.dedup();
    for f in files {
        match read_file(&f, agent) {
            Ok((calls, bad)) => {
                out.files += 1;
                out.bad_lines += bad;
                out.calls.extend(calls);
            }
            Err(why) => out.skipped.push(Skipped {
                file: f.display().to_string(),
                why,
            }),
        }
    }
    Ok(out)
}

/// The shell calls in one transcript file and the number of lines that
/// were not JSON. `Err` says why the whole file is skipped.
pub fn read_file(path: &Path, agent: Option<&'static str>) -> Result<(Vec<Call>, usize), String> {
    let file = std::fs::File::open(path).map_err(|e| format!("cannot open ({e})"))?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    if len > MAX_TRANSCRIPT_BYTES {
        return Err(format!(
            "is {len} bytes, over the {MAX_TRANSCRIPT_BYTES}-byte limit for one transcript; pass a smaller file"
        ));
    }
    let mut values = Vec::new();
    let mut bad = 0usize;
    let mut total = 0usize;
    let is_whole_json = path.extension().is_some_and(|e| e == "json");
    let mut reader = BufReader::new(file.take(MAX_TRANSCRIPT_BYTES));
    if is_whole_json {
        let mut text = String::new();
        reader
            .read_to_string(&mut text)
            .map_err(|e| format!("is not UTF-8 text ({e})"))?;
        let v: Value = serde_json::from_str(&text)
            .map_err(|e| format!("is not a JSON transcript ({e}); skipped"))?;
        if let Some(msgs) = v.get("messages").and_then(Value::as_array) {
            values.push(serde_json::json!({"sessionId": v.get("sessionId")}));
            values.extend(msgs.iter().cloned());
        }
        total = 1;
    } else {
        let mut buf = Vec::new();
        loop {
            buf.clear();
            let n = (&mut reader)
                .take(MAX_LINE_BYTES as u64 + 1)
                .read_until(b'\n', &mut buf)
                .map_err(|e| format!("cannot be read ({e})"))?;
            if n == 0 {
                break;
            }
            if buf.len() > MAX_LINE_BYTES && !buf.ends_with(b"\n") {
                // Skip the rest of an over-long line.
                bad += 1;
                let mut sink = Vec::new();
                reader
                    .read_until(b'\n', &mut sink)
                    .map_err(|e| format!("cannot be read ({e})"))?;
                continue;
            }
            let line = String::from_utf8_lossy(&buf);
            if line.trim().is_empty() {
                continue;
            }
            total += 1;
            match serde_json::from_str::<Value>(line.trim()) {
                Ok(v) => values.push(v),
                Err(_) => bad += 1,
            }
        }
    }
    if values.is_empty() && total > 0 {
        return Err(format!(
            "has {total} line(s) and none is JSON: not a transcript (garbled?); skipped"
        ));
    }
    let who = agent
        .or_else(|| agent_of_path(path))
        .or_else(|| sniff(&values[..values.len().min(20)]));
    let Some(who) = who else {
        if values.is_empty() {
            return Ok((Vec::new(), bad));
        }
        return Err(
            "is JSON but of no known agent's transcript format; pass --agent claude|codex|gemini"
                .into(),
        );
    };
    let file = path.display().to_string();
    let calls = match who {
        "claude" => claude(&values, &file),
        "codex" => codex(&values, &file),
        _ => gemini(&values, &file, path),
    };
    Ok((calls, bad))
}

fn s(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

fn claude(values: &[Value], file: &str) -> Vec<Call> {
    let mut seen = HashSet::new();
    let mut calls = Vec::new();
    for (i, v) in values.iter().enumerate() {
        if v.get("type").and_then(Value::as_str) != Some("assistant") {
            continue;
        }
        let Some(blocks) = v.pointer("/message/content").and_then(Value::as_array) else {
            continue;
        };
        for b in blocks {
            if b.get("type").and_then(Value::as_str) != Some("tool_use")
                || b.get("name").and_then(Value::as_str) != Some("Bash")
            {
                continue;
            }
            let Some(command) = b.pointer("/input/command").and_then(Value::as_str) else {
                continue;
            };
            if let Some(id) = s(b, "id")
                && !seen.insert(id)
            {
                continue;
            }
            calls.push(Call {
                agent: "claude",
                file: file.to_string(),
                line: i + 1,
                session: s(v, "sessionId"),
                cwd: s(v, "cwd"),
                time: s(v, "timestamp"),
                command: command.to_string(),
            });
        }
    }
    calls
}

/// The command line of a Codex shell call's `command`: a string, or an
/// argv whose `bash -lc LINE` form is unwrapped to LINE.
fn codex_line(command: &Value) -> Option<String> {
    if let Some(line) = command.as_str() {
        return Some(line.to_string());
    }
    let argv: Vec<String> = command
        .as_array()?
        .iter()
        .map(|w| w.as_str().map(str::to_string))
        .collect::<Option<_>>()?;
    let shells = ["bash", "sh", "zsh", "/bin/bash", "/bin/sh", "/usr/bin/bash"];
    if argv.len() == 3
        && shells.contains(&argv[0].as_str())
        && ["-c", "-lc"].contains(&argv[1].as_str())
    {
        return Some(argv[2].clone());
    }
    (!argv.is_empty()).then(|| kintsugi_protocol::argv_to_line(&argv))
}

fn codex(values: &[Value], file: &str) -> Vec<Call> {
    let mut seen = HashSet::new();
    let mut calls = Vec::new();
    let mut cwd: Option<String> = None;
    let mut session: Option<String> = None;
    for (i, v) in values.iter().enumerate() {
        let Some(p) = v.get("payload") else { continue };
        match v.get("type").and_then(Value::as_str) {
            Some("session_meta") => {
                session = s(p, "id").or_else(|| s(p, "session_id"));
                cwd = s(p, "cwd").or(cwd);
                continue;
            }
            Some("turn_context") => {
                cwd = s(p, "cwd").or(cwd);
                continue;
            }
            Some("response_item") => {}
            _ => continue,
        }
        let (line, workdir) = match p.get("type").and_then(Value::as_str) {
            Some("function_call") => {
                let name = p.get("name").and_then(Value::as_str).unwrap_or("");
                if !matches!(
                    name,
                    "exec_command" | "shell" | "shell_command" | "container.exec"
                ) {
                    continue;
                }
                let args = match p.get("arguments") {
                    Some(Value::String(text)) => serde_json::from_str(text).unwrap_or(Value::Null),
                    Some(other) => other.clone(),
                    None => Value::Null,
                };
                let line = args
                    .get("cmd")
                    .or_else(|| args.get("command"))
                    .and_then(codex_line);
                (line, s(&args, "workdir"))
            }
            Some("local_shell_call") => {
                let action = p.get("action").cloned().unwrap_or(Value::Null);
                let line = action.get("command").and_then(codex_line);
                (line, s(&action, "working_directory"))
            }
            _ => continue,
        };
        let Some(line) = line else { continue };
        if let Some(id) = s(p, "call_id").or_else(|| s(p, "id"))
            && !seen.insert(id)
        {
            continue;
        }
        let here = match (workdir, &cwd) {
            (Some(w), Some(c)) if !w.starts_with('/') => Some(format!("{c}/{w}")),
            (Some(w), _) => Some(w),
            (None, c) => c.clone(),
        };
        calls.push(Call {
            agent: "codex",
            file: file.to_string(),
            line: i + 1,
            session: session.clone(),
            cwd: here,
            time: s(v, "timestamp"),
            command: line,
        });
    }
    calls
}

/// Gemini's tool calls may sit in a message line or in a `$set` update's
/// `messages`.
fn gemini_messages(v: &Value) -> Vec<&Value> {
    let mut out = vec![v];
    if let Some(msgs) = v.pointer("/$set/messages").and_then(Value::as_array) {
        out.extend(msgs.iter());
    }
    out
}

fn gemini(values: &[Value], file: &str, path: &Path) -> Vec<Call> {
    // `.project_root` beside `chats/` names the project directory.
    let project = path
        .parent()
        .and_then(Path::parent)
        .and_then(|d| std::fs::read_to_string(d.join(".project_root")).ok())
        .map(|t| t.trim().to_string())
        .filter(|t| t.starts_with('/'));
    let session = values.iter().find_map(|v| s(v, "sessionId"));
    let mut seen = HashSet::new();
    let mut calls = Vec::new();
    for (i, v) in values.iter().enumerate() {
        for m in gemini_messages(v) {
            let Some(tcs) = m.get("toolCalls").and_then(Value::as_array) else {
                continue;
            };
            for tc in tcs {
                if tc.get("name").and_then(Value::as_str) != Some("run_shell_command") {
                    continue;
                }
                let Some(command) = tc.pointer("/args/command").and_then(Value::as_str) else {
                    continue;
                };
                if let Some(id) = s(tc, "id")
                    && !seen.insert(id)
                {
                    continue;
                }
                let dir = s(&tc["args"], "dir_path").or_else(|| s(&tc["args"], "directory"));
                let cwd = match (dir, &project) {
                    (Some(d), _) if d.starts_with('/') => Some(d),
                    (Some(d), Some(p)) => Some(format!("{p}/{d}")),
                    (_, p) => p.clone(),
                };
                calls.push(Call {
                    agent: "gemini",
                    file: file.to_string(),
                    line: i + 1,
                    session: session.clone(),
                    cwd,
                    time: s(m, "timestamp").or_else(|| s(tc, "timestamp")),
                    command: command.to_string(),
                });
            }
        }
    }
    calls
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn codex_argv_is_unwrapped_from_a_shell_dash_c_and_quoted_otherwise() {
        assert_eq!(
            codex_line(&json!(["bash", "-lc", "ls | wc -l"])).unwrap(),
            "ls | wc -l"
        );
        assert_eq!(codex_line(&json!("git status")).unwrap(), "git status");
        assert_eq!(
            codex_line(&json!(["rm", "-rf", "a b"])).unwrap(),
            "rm -rf 'a b'"
        );
        assert!(codex_line(&json!([])).is_none());
        assert!(codex_line(&json!([1, 2])).is_none());
    }

    #[test]
    fn the_format_is_told_from_the_path_or_the_first_lines() {
        assert_eq!(
            agent_of_path(Path::new("/h/.codex/sessions/x.jsonl")),
            Some("codex")
        );
        assert_eq!(agent_of_path(Path::new("/tmp/x.jsonl")), None);
        assert_eq!(
            sniff(&[json!({"type": "session_meta", "payload": {}})]),
            Some("codex")
        );
        assert_eq!(
            sniff(&[json!({"sessionId": "s", "projectHash": "h"})]),
            Some("gemini")
        );
        assert_eq!(
            sniff(&[json!({"sessionId": "s", "type": "assistant"})]),
            Some("claude")
        );
        assert_eq!(sniff(&[json!({"hello": 1})]), None);
    }
}
