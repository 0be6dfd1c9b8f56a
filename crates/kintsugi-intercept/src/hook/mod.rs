//! `kintsugi hook --agent NAME`: the shared flow behind every agent's native
//! pre-tool hook.
//!
//! 1. Read the payload from stdin (capped at [`MAX_PAYLOAD_BYTES`]; UTF-8
//!    JSON, a UTF-8 byte order mark allowed).
//! 2. Parse it in the agent's dialect into a [`HookRequest`]; a tool that is
//!    not a shell passes through with the dialect's "no opinion" answer. A
//!    payload that cannot be read, or a shell call whose command cannot be
//!    found, is blocked whatever the fail mode.
//! 3. Ask the daemon (`propose`, agent `hook:NAME`, `raw` = the command
//!    verbatim, an argv list quoted into a line). Allow → the dialect's
//!    explicit allow only when the class is safe, else "no opinion" (an
//!    explicit allow skips the agent's own prompt); deny → a block that
//!    really blocks; hold → wait for the human (`wait`) within a budget below
//!    the agent's own hook timeout, then allow or block with the pending id.
//! 4. Daemon unreachable → classify locally: catastrophic is blocked, the
//!    rest follows the config's `fail_mode` (`open` by default), which
//!    `KINTSUGI_FAIL_MODE=closed` can tighten and nothing in the environment
//!    can loosen ([`FailMode::tightened_by`]), said on stderr.
//!
//! `after.rs` is the post-tool hook (`--after`), which reports that an
//! allowed command finished.
//!
//! Each dialect lives in its own file and only maps payload → request and
//! outcome → answer; nothing here prints or exits, so the flow is testable
//! with plain byte buffers.

pub mod after;
mod antigravity;
pub mod budget;
mod claude;
mod cline;
mod codex;
mod copilot;
mod crush;
mod cursor;
mod droid;
mod fields;
mod files;
mod gemini;
mod kiro;
pub mod opencode;
mod payload;
mod qwen;
mod verdict;
mod windsurf;

pub(crate) use fields::{command_in, parse_tool_payload, str_field};

use crate::install::InstallFacts;
use serde_json::Value;
use std::io::Read;
use std::path::PathBuf;
use std::time::Duration;

pub use crate::gate::PROPOSE_TIMEOUT;
pub use payload::{MAX_PAYLOAD_BYTES, MAX_QUOTED_CHARS, MAX_QUOTED_COMMANDS};

/// The agent CLIs whose hook dialects we speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Agent {
    /// Claude Code, `PreToolUse` on tool `Bash`.
    Claude,
    /// OpenAI Codex CLI, `PreToolUse` on tool `Bash`.
    Codex,
    /// Gemini CLI, `BeforeTool` on tool `run_shell_command`.
    Gemini,
    /// Cursor, `beforeShellExecution`.
    Cursor,
    /// GitHub Copilot CLI, `preToolUse` (camelCase payload).
    Copilot,
    /// Qwen Code, `PreToolUse` on tool `run_shell_command`.
    Qwen,
    /// OpenCode, through the plugin [`opencode::plugin_source`] generates.
    OpenCode,
    /// Antigravity CLI (`agy`), `PreToolUse` on tool `run_command`.
    Antigravity,
    /// Factory Droid, `PreToolUse` on tool `Execute` (Claude's shape).
    Droid,
    /// Crush, `PreToolUse` on tool `bash`.
    Crush,
    /// Kiro CLI, `preToolUse` on tool `execute_bash`.
    Kiro,
    /// Windsurf Cascade, `pre_run_command`.
    Windsurf,
    /// Cline, `PreToolUse` on tool `execute_command`.
    Cline,
}

impl Agent {
    /// Every agent, in the order the CLI lists them.
    pub const ALL: [Agent; 13] = [
        Agent::Claude,
        Agent::Codex,
        Agent::Gemini,
        Agent::Cursor,
        Agent::Copilot,
        Agent::Qwen,
        Agent::OpenCode,
        Agent::Antigravity,
        Agent::Droid,
        Agent::Crush,
        Agent::Kiro,
        Agent::Windsurf,
        Agent::Cline,
    ];

    /// The name used on the command line and in `hook:NAME`.
    pub fn name(self) -> &'static str {
        match self {
            Agent::Claude => "claude",
            Agent::Codex => "codex",
            Agent::Gemini => "gemini",
            Agent::Cursor => "cursor",
            Agent::Copilot => "copilot",
            Agent::Qwen => "qwen",
            Agent::OpenCode => "opencode",
            Agent::Antigravity => "antigravity",
            Agent::Droid => "droid",
            Agent::Crush => "crush",
            Agent::Kiro => "kiro",
            Agent::Windsurf => "windsurf",
            Agent::Cline => "cline",
        }
    }

    /// Other names the command line accepts for this agent.
    pub fn aliases(self) -> &'static [&'static str] {
        match self {
            Agent::Antigravity => &["agy"],
            _ => &[],
        }
    }

    /// How long a held command may wait for a human by default: safely
    /// below the agent's own hook timeout, because every agent lets the
    /// command run when its hook times out ([`budget::hold_budget`]).
    pub fn default_wait(self) -> Duration {
        budget::hold_budget(self).budget
    }

    /// Where this agent lives under HOME and where `kintsugi init` wires
    /// its hook; each dialect file states its own.
    pub const fn install_facts(self) -> InstallFacts {
        match self {
            Agent::Claude => claude::INSTALL,
            Agent::Codex => codex::INSTALL,
            Agent::Gemini => gemini::INSTALL,
            Agent::Cursor => cursor::INSTALL,
            Agent::Copilot => copilot::INSTALL,
            Agent::Qwen => qwen::INSTALL,
            Agent::OpenCode => opencode::INSTALL,
            Agent::Antigravity => antigravity::INSTALL,
            Agent::Droid => droid::INSTALL,
            Agent::Crush => crush::INSTALL,
            Agent::Kiro => kiro::INSTALL,
            Agent::Windsurf => windsurf::INSTALL,
            Agent::Cline => cline::INSTALL,
        }
    }

    fn parse(self, v: &Value) -> Result<HookRequest, String> {
        match self {
            Agent::Claude => claude::parse(v),
            Agent::Codex => codex::parse(v),
            Agent::Gemini => gemini::parse(v),
            Agent::Cursor => cursor::parse(v),
            Agent::Copilot => copilot::parse(v),
            Agent::Qwen => qwen::parse(v),
            Agent::OpenCode => opencode::parse(v),
            Agent::Antigravity => antigravity::parse(v),
            Agent::Droid => droid::parse(v),
            Agent::Crush => crush::parse(v),
            Agent::Kiro => kiro::parse(v),
            Agent::Windsurf => windsurf::parse(v),
            Agent::Cline => cline::parse(v),
        }
    }

    fn answer(self, outcome: &Outcome) -> Answer {
        match self {
            Agent::Claude => claude::answer(outcome),
            Agent::Codex => codex::answer(outcome),
            Agent::Gemini => gemini::answer(outcome),
            Agent::Cursor => cursor::answer(outcome),
            Agent::Copilot => copilot::answer(outcome),
            Agent::Qwen => qwen::answer(outcome),
            Agent::OpenCode => opencode::answer(outcome),
            Agent::Antigravity => antigravity::answer(outcome),
            Agent::Droid => droid::answer(outcome),
            Agent::Crush => crush::answer(outcome),
            Agent::Kiro => kiro::answer(outcome),
            Agent::Windsurf => windsurf::answer(outcome),
            Agent::Cline => cline::answer(outcome),
        }
    }
}

impl std::str::FromStr for Agent {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Agent::ALL
            .into_iter()
            .find(|a| a.name() == s || a.aliases().contains(&s))
            .ok_or_else(|| {
                let names: Vec<&str> = Agent::ALL.iter().map(|a| a.name()).collect();
                format!("unknown agent `{s}`: expected one of {}", names.join(", "))
            })
    }
}

/// What to do when the daemon cannot vouch for a command (the config's
/// type, shared with the daemon and the shims).
pub use kintsugi_config::FailMode;

pub use crate::gate::FailModeSource;

/// Everything the flow needs besides the payload.
#[derive(Debug, Clone)]
pub struct Options {
    pub agent: Agent,
    /// Longest time a held command waits for a human (at most 600 s).
    pub wait: Duration,
    pub fail_mode: FailModeSource,
    /// The daemon's socket.
    pub socket: PathBuf,
    /// The user's home (what `~` means to the local classifier).
    pub home: PathBuf,
    /// Said on stderr with the answer (e.g. a bad `KINTSUGI_FAIL_MODE`).
    pub warnings: Vec<String>,
}

impl Options {
    /// Options from the environment: socket as the protocol resolves it,
    /// `$HOME`, `KINTSUGI_FAIL_MODE` (else `config_fail_mode`, called only
    /// when needed); `wait` defaults per agent.
    pub fn from_env(
        agent: Agent,
        wait: Option<Duration>,
        config_fail_mode: fn() -> (FailMode, Option<String>),
    ) -> Options {
        // Only a tightening needs no config read: `closed` from the
        // environment is closed whatever the config says
        // (`FailMode::tightened_by`); `open` or nothing leaves it to the config.
        let (fail_mode, warning) = match FailMode::from_env() {
            Some((mode, warning))
                if FailMode::tightened_by(FailMode::Open, Some(mode)) == FailMode::Closed =>
            {
                (FailModeSource::Fixed(FailMode::Closed), warning)
            }
            _ => (FailModeSource::Config(config_fail_mode), None),
        };
        let max = Duration::from_millis(kintsugi_protocol::MAX_WAIT_MS);
        Options {
            agent,
            wait: wait.unwrap_or_else(|| agent.default_wait()).min(max),
            fail_mode,
            socket: kintsugi_protocol::socket_path(),
            home: kintsugi_protocol::home_dir(),
            warnings: warning.into_iter().collect(),
        }
    }
}

/// A payload reduced to what Kintsugi needs, whatever the dialect.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HookRequest {
    /// The shell command, verbatim; `None` for a tool that runs no shell.
    pub command: Option<String>,
    /// The directory the command runs in, when the payload says.
    pub cwd: Option<String>,
    /// The agent's session or conversation id, when the payload says.
    pub session: Option<String>,
    /// The tool's name as the agent spelled it.
    pub tool_name: String,
    /// The agent's id of this tool call, when the payload has one (Claude
    /// Code and Codex send the same one before and after the call).
    pub tool_use_id: Option<String>,
    /// The command's exit code, when a post-tool payload reports one.
    pub exit_code: Option<i32>,
    /// How long the call took, when a post-tool payload says (Claude Code).
    pub duration_ms: Option<u64>,
}

/// A shell call the hooks act on: the command verbatim, the directory it
/// runs in, and the proposal id both hooks derive for it.
pub(crate) struct ShellCall<'a> {
    pub command: &'a str,
    pub cwd: String,
    pub id: String,
}

impl HookRequest {
    /// The shell call in this request; `None` for a tool that runs no shell
    /// (or an empty command).
    pub(crate) fn shell_call(&self, agent: Agent) -> Option<ShellCall<'_>> {
        let command = self.command.as_deref().filter(|c| !c.trim().is_empty())?;
        let cwd = payload_cwd(self);
        let id = after::command_id(&format!("hook:{}", agent.name()), self, command, &cwd);
        Some(ShellCall { command, cwd, id })
    }
}

/// Read the payload (capped) and parse it in `agent`'s dialect; on failure,
/// the bytes read and why they could not be used.
pub(crate) fn read_payload(
    agent: Agent,
    input: &mut dyn Read,
) -> Result<HookRequest, (Vec<u8>, String)> {
    let bytes = payload::read_capped(input)?;
    let parsed = payload::json_text(&bytes).and_then(|text| {
        serde_json::from_str::<Value>(text)
            .map_err(|e| format!("the payload is not JSON ({e})"))
            .and_then(|v| agent.parse(&v))
    });
    parsed.map_err(|e| (bytes, e))
}

/// What the flow decided, before a dialect renders it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The daemon (or a human through it) allowed the command.
    Allow { reason: String },
    /// Kintsugi has no opinion: not a shell tool; the daemon could not be
    /// asked and the fail mode is open; or the daemon let through a command
    /// that is not known-safe (an explicit allow would skip the agent's own
    /// permission prompt, granting more than the agent would). The agent's
    /// own rules apply.
    NoOpinion,
    /// Stop the call; `reason` is shown to the model and the user.
    Block { reason: String },
}

/// What the hook process prints and how it exits.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Answer {
    pub stdout: String,
    pub stderr: String,
    pub exit: u8,
}

impl Answer {
    /// Exit 0 with nothing printed: "no opinion" in most dialects.
    pub(crate) fn silent() -> Answer {
        Answer::default()
    }

    /// Exit 0 with one JSON line on stdout.
    pub(crate) fn json(v: Value) -> Answer {
        Answer {
            stdout: format!("{v}\n"),
            ..Answer::default()
        }
    }

    /// The universal block: exit 2 with the reason on stderr, plus the
    /// dialect's own JSON block on stdout (ignored at exit 2 by the agents
    /// that document it, honoured by any that read it anyway).
    pub(crate) fn exit2(reason: &str, stdout_json: Value) -> Answer {
        Answer {
            stdout: format!("{stdout_json}\n"),
            stderr: format!("{reason}\n"),
            exit: 2,
        }
    }

    fn note(mut self, line: &str) -> Answer {
        self.stderr.push_str(line);
        if !line.ends_with('\n') {
            self.stderr.push('\n');
        }
        self
    }
}

/// Run the whole hook: payload from `input`, answer to print and exit with.
pub fn run(opts: &Options, input: &mut dyn Read) -> Answer {
    let (outcome, notes) = answer_payload(opts, input);
    let mut answer = opts.agent.answer(&outcome);
    // A block's stderr is its reason and may be fed to the model verbatim:
    // only add the notes when the call goes ahead.
    if !matches!(outcome, Outcome::Block { .. }) {
        for n in opts.warnings.iter().chain(&notes) {
            answer = answer.note(&format!("kintsugi hook ({}): {n}", opts.agent.name()));
        }
    }
    answer
}

/// The decision and any stderr notes that go with it.
fn answer_payload(opts: &Options, input: &mut dyn Read) -> (Outcome, Vec<String>) {
    let req = match read_payload(opts.agent, input) {
        Ok(r) => r,
        Err((bytes, e)) => {
            let text = String::from_utf8_lossy(&bytes);
            let why = format!("cannot read the {} hook payload: {e}", opts.agent.name());
            return (verdict::unreadable(&why, &text), Vec::new());
        }
    };
    if req.command.is_none() {
        // A tool that runs no shell command: not ours to judge.
        return (Outcome::NoOpinion, Vec::new());
    }
    let Some(call) = req.shell_call(opts.agent) else {
        let why = format!(
            "the {} hook payload for tool `{}` has an empty command",
            opts.agent.name(),
            req.tool_name
        );
        return (verdict::unreadable(&why, ""), Vec::new());
    };
    verdict::ask(opts, &call.id, call.command, &call.cwd, req.session.clone())
}

/// An exit code a post-tool payload's `tool_response` states as a number
/// (`exit_code` or `exitCode`); none of the observed agents send one for a
/// successful call, so this is usually `None`.
pub(crate) fn exit_code_of(response: Option<&Value>) -> Option<i32> {
    let r = response?;
    ["exit_code", "exitCode"]
        .iter()
        .find_map(|k| r.get(*k).and_then(Value::as_i64))
        .and_then(|c| i32::try_from(c).ok())
}

/// The directory a command runs in: the payload's (when absolute), else
/// the hook's own.
pub(crate) fn payload_cwd(req: &HookRequest) -> String {
    req.cwd
        .clone()
        .filter(|c| c.starts_with('/'))
        .or_else(|| {
            std::env::current_dir()
                .ok()
                .map(|d| d.display().to_string())
        })
        .unwrap_or_else(|| "/".to_string())
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod tests_hosts;
