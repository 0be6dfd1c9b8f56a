//! One streaming parser per transcript format: fed one JSON record at a
//! time (so a large transcript is never held whole), each keeps what later
//! records need (Codex's cwd, Gemini's session) and the ids of the calls
//! already seen (agents rewrite a message as it updates; a call counts once).
//! The formats are described in `transcripts.rs`.

use super::Call;
use serde_json::Value;
use std::collections::HashSet;
use std::path::Path;

fn s(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

/// The parser of one transcript file.
pub struct Parser {
    agent: &'static str,
    file: String,
    seen: HashSet<String>,
    cwd: Option<String>,
    session: Option<String>,
}

impl Parser {
    /// A parser for `agent`'s format reading `path`.
    pub fn new(agent: &'static str, path: &Path) -> Parser {
        // Gemini keeps the project directory in `.project_root` beside `chats/`.
        let cwd = (agent == "gemini")
            .then(|| {
                let dir = path.parent()?.parent()?;
                let text = std::fs::read_to_string(dir.join(".project_root")).ok()?;
                Some(text.trim().to_string()).filter(|t| t.starts_with('/'))
            })
            .flatten();
        Parser {
            agent,
            file: path.display().to_string(),
            seen: HashSet::new(),
            cwd,
            session: None,
        }
    }

    /// Is this the first time the call `id` is seen? (No id: always.)
    fn first(&mut self, id: Option<String>) -> bool {
        id.is_none_or(|id| self.seen.insert(id))
    }

    fn call(
        &self,
        line: usize,
        session: Option<String>,
        cwd: Option<String>,
        time: Option<String>,
        command: String,
    ) -> Call {
        Call {
            agent: self.agent,
            file: self.file.clone(),
            line,
            session,
            cwd,
            time,
            command,
        }
    }

    /// The shell calls in record number `line`.
    pub fn feed(&mut self, v: &Value, line: usize, out: &mut Vec<Call>) {
        match self.agent {
            "claude" => self.claude(v, line, out),
            "codex" => self.codex(v, line, out),
            _ => self.gemini(v, line, out),
        }
    }

    fn claude(&mut self, v: &Value, line: usize, out: &mut Vec<Call>) {
        if v.get("type").and_then(Value::as_str) != Some("assistant") {
            return;
        }
        let Some(blocks) = v.pointer("/message/content").and_then(Value::as_array) else {
            return;
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
            if self.first(s(b, "id")) {
                let c = self.call(
                    line,
                    s(v, "sessionId"),
                    s(v, "cwd"),
                    s(v, "timestamp"),
                    command.to_string(),
                );
                out.push(c);
            }
        }
    }

    fn codex(&mut self, v: &Value, line: usize, out: &mut Vec<Call>) {
        let Some(p) = v.get("payload") else { return };
        match v.get("type").and_then(Value::as_str) {
            Some("session_meta") => {
                self.session = s(p, "id").or_else(|| s(p, "session_id"));
                self.cwd = s(p, "cwd").or(self.cwd.take());
                return;
            }
            Some("turn_context") => {
                self.cwd = s(p, "cwd").or(self.cwd.take());
                return;
            }
            Some("response_item") => {}
            _ => return,
        }
        let (command, workdir) = match p.get("type").and_then(Value::as_str) {
            Some("function_call") => {
                let name = p.get("name").and_then(Value::as_str).unwrap_or("");
                if !matches!(
                    name,
                    "exec_command" | "shell" | "shell_command" | "container.exec"
                ) {
                    return;
                }
                let args = match p.get("arguments") {
                    Some(Value::String(text)) => serde_json::from_str(text).unwrap_or(Value::Null),
                    Some(other) => other.clone(),
                    None => Value::Null,
                };
                let command = args
                    .get("cmd")
                    .or_else(|| args.get("command"))
                    .and_then(codex_line);
                (command, s(&args, "workdir"))
            }
            Some("local_shell_call") => {
                let action = p.get("action").cloned().unwrap_or(Value::Null);
                (
                    action.get("command").and_then(codex_line),
                    s(&action, "working_directory"),
                )
            }
            _ => return,
        };
        let Some(command) = command else { return };
        if !self.first(s(p, "call_id").or_else(|| s(p, "id"))) {
            return;
        }
        let cwd = match (workdir, &self.cwd) {
            (Some(w), Some(c)) if !w.starts_with('/') => Some(format!("{c}/{w}")),
            (Some(w), _) => Some(w),
            (None, c) => c.clone(),
        };
        out.push(self.call(line, self.session.clone(), cwd, s(v, "timestamp"), command));
    }

    fn gemini(&mut self, v: &Value, line: usize, out: &mut Vec<Call>) {
        if self.session.is_none() {
            self.session = s(v, "sessionId");
        }
        // Tool calls sit in a message record or in a `$set` update's messages.
        let mut messages = vec![v];
        if let Some(more) = v.pointer("/$set/messages").and_then(Value::as_array) {
            messages.extend(more.iter());
        }
        for m in messages {
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
                if !self.first(s(tc, "id")) {
                    continue;
                }
                let dir = s(&tc["args"], "dir_path").or_else(|| s(&tc["args"], "directory"));
                let cwd = match (dir, &self.cwd) {
                    (Some(d), _) if d.starts_with('/') => Some(d),
                    (Some(d), Some(p)) => Some(format!("{p}/{d}")),
                    (_, p) => p.clone(),
                };
                let time = s(m, "timestamp").or_else(|| s(tc, "timestamp"));
                out.push(self.call(line, self.session.clone(), cwd, time, command.to_string()));
            }
        }
    }
}

/// The command line of a Codex shell call's `command`: a string, or an
/// argv whose `bash -lc LINE` form is unwrapped to LINE.
pub fn codex_line(command: &Value) -> Option<String> {
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
