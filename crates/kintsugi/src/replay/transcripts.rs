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

use super::formats::Parser;
use super::{Call, MAX_DEPTH, MAX_FILES, MAX_LINE_BYTES, MAX_TRANSCRIPT_BYTES};
use serde_json::Value;
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
                let by_path = agent_of_path(&path);
                if agent.is_some() && by_path.is_some() && agent != by_path {
                    // Another agent's directory: not what --agent asked for.
                    continue;
                }
                let who = agent.or(by_path);
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

/// Records read before a file of unknown origin must have shown its format.
const SNIFF_RECORDS: usize = 20;

/// Feeds records to the parser once the format is known; until then keeps
/// the first few to tell the format from.
struct Feeder<'a> {
    path: &'a Path,
    parser: Option<Parser>,
    pending: Vec<(Value, usize)>,
    calls: Vec<Call>,
}

impl Feeder<'_> {
    fn start(&mut self, agent: &'static str) {
        let mut parser = Parser::new(agent, self.path);
        for (v, n) in self.pending.drain(..) {
            parser.feed(&v, n, &mut self.calls);
        }
        self.parser = Some(parser);
    }

    fn feed(&mut self, v: Value, n: usize) -> Result<(), String> {
        if let Some(p) = &mut self.parser {
            p.feed(&v, n, &mut self.calls);
            return Ok(());
        }
        self.pending.push((v, n));
        let values: Vec<Value> = self.pending.iter().map(|(v, _)| v.clone()).collect();
        if let Some(agent) = sniff(&values) {
            self.start(agent);
        } else if self.pending.len() >= SNIFF_RECORDS {
            return Err(UNKNOWN_FORMAT.into());
        }
        Ok(())
    }
}

const UNKNOWN_FORMAT: &str =
    "is JSON but of no known agent's transcript format; pass --agent claude|codex|gemini";

/// The shell calls in one transcript file and the number of lines that
/// were not JSON. `Err` says why the whole file is skipped. The file is
/// read one line at a time.
pub fn read_file(path: &Path, agent: Option<&'static str>) -> Result<(Vec<Call>, usize), String> {
    let file = std::fs::File::open(path).map_err(|e| format!("cannot open ({e})"))?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    if len > MAX_TRANSCRIPT_BYTES {
        return Err(format!(
            "is {len} bytes, over the {MAX_TRANSCRIPT_BYTES}-byte limit for one transcript; pass a smaller file"
        ));
    }
    let mut feeder = Feeder {
        path,
        parser: None,
        pending: Vec::new(),
        calls: Vec::new(),
    };
    if let Some(a) = agent.or_else(|| agent_of_path(path)) {
        feeder.start(a);
    }
    let mut reader = BufReader::new(file.take(MAX_TRANSCRIPT_BYTES));
    if path.extension().is_some_and(|e| e == "json") {
        // The older Gemini CLI form: one object with `messages`.
        let v: Value = serde_json::from_reader(reader)
            .map_err(|e| format!("is not a JSON transcript ({e}); skipped"))?;
        if feeder.parser.is_none() {
            feeder.start("gemini");
        }
        feeder.feed(serde_json::json!({"sessionId": v.get("sessionId")}), 1)?;
        if let Some(Value::Array(msgs)) = v.get("messages") {
            for (i, m) in msgs.iter().enumerate() {
                feeder.feed(m.clone(), i + 2)?;
            }
        }
        return Ok((feeder.calls, 0));
    }
    let (mut bad, mut total, mut good) = (0usize, 0usize, 0usize);
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
            total += 1;
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
            Ok(v) => {
                good += 1;
                feeder.feed(v, total)?;
            }
            Err(_) => bad += 1,
        }
    }
    if good == 0 && total > 0 {
        return Err(format!(
            "has {total} line(s) and none is JSON: not a transcript (garbled?); skipped"
        ));
    }
    if feeder.parser.is_none() && good > 0 {
        return Err(UNKNOWN_FORMAT.into());
    }
    Ok((feeder.calls, bad))
}

#[cfg(test)]
mod tests {
    use super::super::formats::codex_line;
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
