//! Request, response and shared types exactly as PROTOCOL.md names them.
//! Extensions are only ever added as new kinds or new optional fields.

use serde::{Deserialize, Serialize};

mod lease;
mod status;
pub use lease::*;
pub use status::*;

/// A command some interceptor is about to run (or a human already ran).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProposedCommand {
    /// UUID string chosen by the client.
    pub id: String,
    /// RFC 3339 UTC time at the client.
    pub ts: String,
    /// Origin: `shim`, `hook:claude`, `mcp`, `recorder`, …
    pub agent: String,
    /// Absolute working directory.
    pub cwd: String,
    /// Argument vector; may be empty when only a raw line is known.
    #[serde(default)]
    pub argv: Vec<String>,
    /// The verbatim command line, never rewritten.
    pub raw: String,
    /// Optional session identifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
    /// Extension: the queue id of a held command a human approved, when this
    /// command is run as part of it (e.g. `rm` inside an approved `bash -c`).
    /// Only a hint of WHICH approval: the daemon allows it only if that hold
    /// was approved, this command's simple commands are unused ones of the
    /// approved line's, from the same cwd, and not catastrophic unless the
    /// approved line was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_parent: Option<String>,
    /// Extension: which kind of interceptor caught the command. Old clients
    /// omit it; the daemon then falls back to what it did before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
    /// Extension: the exec form of a command caught at `execve` by
    /// `kintsugi guard` (origin `exec`): the program the kernel was asked to
    /// run, the environment that changes what it does, and the allowed exec
    /// it descends from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exec: Option<ExecForm>,
}

/// Which kind of interceptor proposed a command (extension field `origin`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    /// An agent's pre-tool hook.
    Hook,
    /// A PATH shim.
    Shim,
    /// An `execve`/`execveat` caught by `kintsugi guard`'s seccomp supervisor.
    Exec,
    /// `kintsugi exec` or `kintsugi run`.
    Run,
    /// The MCP server.
    Mcp,
    /// The filesystem watcher.
    Watch,
    /// A recorded human shell.
    Recorder,
    /// A kind this build does not know (sent by a newer client).
    #[serde(other)]
    Other,
}

impl Origin {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Hook => "hook",
            Origin::Shim => "shim",
            Origin::Exec => "exec",
            Origin::Run => "run",
            Origin::Mcp => "mcp",
            Origin::Watch => "watch",
            Origin::Recorder => "recorder",
            Origin::Other => "other",
        }
    }
}

/// The exec form of a proposal from the guard's supervisor (extension).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExecForm {
    /// The program the kernel was asked to run, absolute when it could be
    /// resolved (argv\[0\] may say something else).
    pub program: String,
    /// Environment variables that change what a program does (`LD_PRELOAD`,
    /// `BASH_ENV`, `GIT_*`, `PAGER`, …) that the guarded tree set or changed
    /// compared with the environment the guard started with. They are also
    /// written in front of `raw` as assignments, so the classifier sees them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub env: Vec<(String, String)>,
    /// The proposal id of the nearest allowed exec this process descends
    /// from (the daemon checks it; see docs/GUARD.md for the inheritance
    /// rule). `None` for the agent's own top-level commands.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// The process id that called `execve`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pid: Option<u32>,
}

impl ProposedCommand {
    /// A command with a fresh UUID and the current time.
    pub fn new(agent: &str, cwd: &str, argv: Vec<String>, raw: &str) -> Self {
        Self::with_id(uuid::Uuid::new_v4().to_string(), agent, cwd, argv, raw)
    }

    /// A command with the given id (e.g. one derived from the agent's tool
    /// call) and the current time.
    pub fn with_id(id: String, agent: &str, cwd: &str, argv: Vec<String>, raw: &str) -> Self {
        ProposedCommand {
            id,
            ts: now_rfc3339(),
            agent: agent.to_string(),
            cwd: cwd.to_string(),
            argv,
            raw: raw.to_string(),
            session: None,
            approved_parent: None,
            origin: None,
            exec: None,
        }
    }

    /// The same, with its interceptor named.
    pub fn from_origin(mut self, origin: Origin) -> Self {
        self.origin = Some(origin);
        self
    }

    /// Which kind of interceptor proposed it: the typed `origin`, or for a
    /// client that predates the field, what its agent name says (`hook:…`
    /// for hooks, `shim`, `mcp`, `recorder`).
    pub fn origin(&self) -> Option<Origin> {
        self.origin.or_else(|| match self.agent.as_str() {
            a if a.starts_with("hook:") => Some(Origin::Hook),
            "shim" => Some(Origin::Shim),
            "mcp" => Some(Origin::Mcp),
            "recorder" => Some(Origin::Recorder),
            _ => None,
        })
    }
}

/// Quote one argument for a POSIX shell, leaving plain words as they are.
pub fn shell_quote(arg: &str) -> String {
    if !arg.is_empty()
        && arg
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./=:@%+,".contains(&b))
    {
        arg.to_string()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}

/// The command line an argument vector stands for (each argument quoted).
pub fn argv_to_line(argv: &[String]) -> String {
    argv.iter()
        .map(|a| shell_quote(a))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The current UTC time as RFC 3339 (second precision is not enough for a
/// ledger, so this keeps the fractional part).
pub fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_string())
}

/// What the daemon decided about a proposed command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    Allow,
    Deny,
    Hold,
}

impl Decision {
    /// The lowercase wire word.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Allow => "allow",
            Decision::Deny => "deny",
            Decision::Hold => "hold",
        }
    }
}

/// A human's decision on a held command (`resolve`); never `hold`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HumanDecision {
    Allow,
    Deny,
}

/// The class of a command on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Class {
    Safe,
    Ambiguous,
    Catastrophic,
}

impl Class {
    /// The lowercase wire word.
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Safe => "safe",
            Class::Ambiguous => "ambiguous",
            Class::Catastrophic => "catastrophic",
        }
    }
}

/// A filesystem change seen by the watcher.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    Created,
    Modified,
    Removed,
}

impl Change {
    /// The lowercase wire word.
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Created => "created",
            Change::Modified => "modified",
            Change::Removed => "removed",
        }
    }
}

/// The verdict on a proposed command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    pub decision: Decision,
    pub class: Class,
    /// Stable rule id, e.g. `rm:recursive`.
    pub rule: String,
    /// One plain sentence.
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk: Option<u8>,
    /// Ledger sequence number of the recorded event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<u64>,
    /// Queue id when held.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<String>,
    /// Snapshot id when one was taken.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<String>,
}

/// State of a queue item as `pendingstatus` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PendingState {
    Pending,
    Approved,
    Denied,
    Gone,
}

/// One held command in the approval queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingItem {
    pub id: String,
    pub command: ProposedCommand,
    pub class: Class,
    pub rule: String,
    pub reason: String,
    /// RFC 3339.
    pub created: String,
    pub status: PendingState,
    /// Extension: the blast radius (files and bytes under each path, home
    /// or project reached, credentials in scope, commits a remote would
    /// lose, whether undo can cover it), in plain lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preview: Option<String>,
}

/// A filesystem change the watcher saw (the `observe` request's fields).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Observation {
    pub change: Change,
    pub path: String,
    /// Extension: a coalesced burst; how many paths changed under `path`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    /// Extension: a plain-words summary of the burst.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Extension: the watch itself is degraded (event-queue overflow, a
    /// watch error, a lost watch); why, in plain words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub degraded: Option<String>,
    /// Extension: when the watcher saw it (RFC 3339), set when the change
    /// was spooled while the daemon was down and is recorded late.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seen_at: Option<String>,
}

impl Observation {
    /// A plain change of one path.
    pub fn new(change: Change, path: impl Into<String>) -> Observation {
        Observation {
            change,
            path: path.into(),
            count: None,
            summary: None,
            degraded: None,
            seen_at: None,
        }
    }
}

/// Every request kind of v1 (serialized with a lowercase `kind` tag).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Request {
    Propose(ProposedCommand),
    Resolve {
        command: ProposedCommand,
        decision: HumanDecision,
        remember: bool,
        /// Extension: the approval PIN the human typed (needed for an
        /// allow once a PIN is set).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pin: Option<String>,
    },
    Observe(Observation),
    Record(ProposedCommand),
    ListPending,
    PendingStatus {
        id: String,
    },
    Approve {
        id: String,
        /// Extension: also remember this approval for the exact command in its repo.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        remember: Option<bool>,
        /// Extension: an admin proof for op `approve:<id>` (needed when the
        /// vault says `approvals_need_password`; stands in for the terminal).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        nonce: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        proof: Option<String>,
        /// Extension: stream `progress` lines while the snapshot of the
        /// approved command is taken, before the final answer.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        progress: Option<bool>,
        /// Extension: the approval is relayed for these processes (the
        /// browser behind `kintsugi web` that owns the loopback connection).
        /// The daemon refuses, and records, an approval when any of them is
        /// in the proposing agent's process tree.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        relayed_for: Option<Vec<u32>>,
        /// Extension: the approval PIN the human typed (needed once a PIN
        /// is set, and from a terminal opened after the hold).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pin: Option<String>,
    },
    Deny {
        id: String,
        /// Extension: also remember this denial for the exact command in its repo.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        remember: Option<bool>,
    },
    Status,
    AuthBegin {
        op: String,
    },
    Shutdown {
        op: String,
        nonce: String,
        proof: String,
    },
    /// Extension: a runner (shim, `exec`, `run`, MCP) reports that the
    /// command with client id `id` finished; answered with `ack`.
    Complete {
        id: String,
        /// Exit code when it exited normally.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        exit_code: Option<i32>,
        /// Signal number when a signal ended it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        signal: Option<i32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        duration_ms: Option<u64>,
        /// Origin of the report, e.g. `shim`.
        #[serde(default)]
        agent: String,
        /// The command line, for the record.
        #[serde(default)]
        raw: String,
        #[serde(default)]
        cwd: String,
    },
    /// Extension: restore snapshot `id` (default: the newest; with
    /// `session`, every snapshot of that session, newest first). Answered
    /// with `report`, or `error` listing conflicts (retry with `force`).
    /// With `to` (an absolute path to a new or empty directory; not with
    /// `session`), the snapshot's files are restored under it instead of in
    /// place, keeping their layout below the roots' common parent.
    Undo {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        session: Option<String>,
        #[serde(default)]
        force: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        to: Option<String>,
    },
    /// Extension: apply snapshot retention now; answered with `report`.
    Gc,
    /// Extension: the kill switch; every verdict is `deny` until `resume`.
    Panic,
    /// Extension: turn the kill switch off. When an admin vault is
    /// provisioned it needs a proof for op `resume`.
    Resume {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        nonce: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        proof: Option<String>,
    },
    /// Extension: set the daemon's mode for this run. Tightening is free;
    /// loosening needs a proof for op `config` when a vault is provisioned.
    SetMode {
        mode: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        nonce: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        proof: Option<String>,
    },
    /// Extension: replace the admin vault (`vault`: the new file's JSON)
    /// with a proof for `op` (`config`, `passwd`, or `recover`, whose proof
    /// is made with the recovery key); answered with `ack`.
    VaultUpdate {
        op: String,
        vault: String,
        nonce: String,
        proof: String,
    },
    /// Extension: have the daemon check and record a proof for `op`
    /// (e.g. `uninstall`) before the caller does something privileged.
    Authorize {
        op: String,
        #[serde(default)]
        nonce: String,
        #[serde(default)]
        proof: String,
    },
    /// Extension: set (`pin`), change, or clear (no `pin`) the approval
    /// PIN. Changing or clearing needs the `current` PIN; setting the first
    /// one needs a human at a terminal (the terminal test). Answered `ack`.
    #[serde(rename = "setpin")]
    SetPin {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pin: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        current: Option<String>,
    },
    /// Extension: block until held command `id` is decided or `timeout_ms`
    /// passes (default 30 s, at most 10 min); answered with `pending`.
    Wait {
        id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timeout_ms: Option<u64>,
    },
    /// Extension: answered with `ack`, after which the daemon streams on
    /// this connection, one line each, every committed ledger event
    /// (`event`), every queue change (`queue`), and `lagged` when this
    /// subscriber fell behind and lines were dropped. No read timeout
    /// applies while it streams; the client ends it by closing.
    Subscribe,
    /// Extension (`kintsugi guard`): answered with `lease`, after which the
    /// daemon streams a new `lease` line whenever a term changes. No read
    /// timeout applies while it streams; the client ends it by closing.
    #[serde(rename = "execlease")]
    ExecLease,
    /// Extension (`kintsugi guard`): execs the guard answered itself under
    /// its lease, to be judged and recorded; answered with `ack`.
    #[serde(rename = "execsran")]
    ExecsRan(RanExecs),
}

/// Longest in-band `wait` the daemon honours.
pub const MAX_WAIT_MS: u64 = 600_000;
/// `wait` timeout when none is given.
pub const DEFAULT_WAIT_MS: u64 = 30_000;

/// The `kind` words of every request, for error messages.
pub const REQUEST_KINDS: &[&str] = &[
    "propose",
    "resolve",
    "observe",
    "record",
    "listpending",
    "pendingstatus",
    "approve",
    "deny",
    "status",
    "authbegin",
    "shutdown",
    "wait",
    "panic",
    "resume",
    "complete",
    "undo",
    "gc",
    "setmode",
    "vaultupdate",
    "authorize",
    "subscribe",
    "execlease",
    "execsran",
];

/// Every response kind of v1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Response {
    Verdict(Verdict),
    Ack,
    PendingList {
        items: Vec<PendingItem>,
    },
    Pending {
        status: PendingState,
    },
    /// Boxed: the status grows by extensions and is rare on the wire.
    Status(Box<StatusInfo>),
    Challenge {
        locked: bool,
        nonce: String,
        salt: String,
        params: KdfParams,
    },
    Error {
        message: String,
    },
    /// Extension: a human-readable report (undo, gc).
    Report {
        text: String,
    },
    /// Extension (subscription stream): one ledger event, just committed.
    Event {
        event: EventRecord,
    },
    /// Extension (subscription stream): a held command was created,
    /// decided or expired; `item` is its state after the change.
    Queue {
        change: QueueChange,
        item: PendingItem,
    },
    /// Extension (subscription stream): this subscriber fell behind and
    /// `missed` lines were dropped; the stream continues after it.
    Lagged {
        missed: u64,
    },
    /// Extension: how far a snapshot capture has got (only to a client that
    /// asked for progress; the request's own answer follows).
    Progress(CaptureProgress),
    /// Extension (`execlease` stream): the daemon's lease terms for a guard.
    Lease(LeaseTerms),
}

/// Extension: snapshot capture progress.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaptureProgress {
    /// Entries (files, directories, links) captured so far.
    pub entries: u64,
    /// Bytes of file content captured so far.
    pub bytes: u64,
    /// The path being captured (empty when done).
    pub path: String,
    /// The capture has finished.
    pub done: bool,
}

/// Extension: one committed ledger event as a subscription streams it (the
/// ledger's own fields; the event's `kind` sits inside, beside nothing that
/// could collide with the response tag).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRecord {
    /// Ledger sequence number.
    pub seq: u64,
    /// Daemon-assigned RFC 3339 UTC time.
    pub ts: String,
    /// What happened: `propose`, `record`, `approve`, `deny`, `daemon`, …
    pub kind: String,
    pub agent: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
    pub cwd: String,
    /// The verbatim command line (or path, for `observe`).
    pub raw: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<String>,
}

/// Extension: what happened to a held command (`queue` stream lines).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QueueChange {
    Created,
    Decided,
    Expired,
}

impl Response {
    /// An `error` response with the given message.
    pub fn error(message: impl Into<String>) -> Self {
        Response::Error {
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests;
