//! The `Effect` type: what one program would do, with paths already resolved
//! to absolute form. Class, rule id and sentence are derived in `rules.rs`.

use crate::{Class, Context};
use serde::Serialize;

/// One effect of one program. Filesystem paths are absolute and normalised;
/// a path that is only known at run time keeps its `$VAR`/`$(…)` text.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Effect {
    /// Removes a path (`rm`, `find -delete`, `rsync --delete`, `shred -u`).
    Delete { path: String, recursive: bool },
    /// Replaces or truncates a file's content (`>`, `tee`, `cp` onto, `sed -i`).
    Overwrite { path: String, append: bool },
    /// Moves or renames a path.
    Move { from: String, to: String },
    /// Changes mode or owner.
    Chmod { path: String, recursive: bool },
    /// Updates a ref on a remote (`git push`), run in `repo` (`-C` honoured).
    GitRefRewrite {
        repo: String,
        remote: String,
        refspec: String,
        force: bool,
        delete: bool,
    },
    /// Throws away uncommitted or untracked work.
    GitDiscard { repo: String, what: String },
    /// Rewrites or prunes local history.
    GitHistoryRewrite { repo: String, what: String },
    /// A local git change a human may want to glance at (rebase, config, …).
    GitChange { what: String },
    /// Drops or empties database objects, or an unbounded DELETE/UPDATE.
    DbDestroy { engine: String, what: String },
    /// Writes to a database (bounded statements, imports, migrations).
    DbWrite { engine: String, what: String },
    /// Writes, formats or wipes a block device.
    DiskWrite { device: String, what: String },
    /// Deletes cloud or cluster resources.
    CloudDestroy { tool: String, what: String },
    /// Changes cloud or cluster resources.
    CloudChange { tool: String, what: String },
    /// Reads credential material.
    SecretRead { path: String },
    /// Sends data over the network. `payload` says what is sent.
    NetworkEgress {
        host: String,
        payload: String,
        sensitive: bool,
    },
    /// Fetches from the network into a file (not executed).
    Download { host: String, to: String },
    /// Runs commands on another machine, or opens a reverse shell.
    RemoteExec { host: String, reverse_shell: bool },
    /// Downloaded content is executed.
    DownloadExec { source: String, interpreter: String },
    /// Installs persistence: shell rc, cron, systemd, authorized_keys, launchd.
    Persistence { what: String, path: String },
    /// Disables a security control or the operator's audit trail.
    SecurityDisable { what: String, control: String },
    /// Shuts down, reboots, or kills every process.
    Power { what: String },
    /// A self-replicating function (fork bomb).
    ForkBomb { name: String },
    /// Installs or removes packages.
    PackageChange { manager: String, what: String },
    /// A state change not covered by a dedicated kind.
    Change { program: String, what: String },
    /// Something Kintsugi does not model: a program, a subcommand or a script
    /// it could not read (`form`), or a destructive verb of an unmodelled CLI
    /// aimed at a wholesale target (`form = "destroy"`).
    Unknown {
        program: String,
        form: String,
        what: String,
    },
    /// Code whose content cannot be known statically. `exec` when it reaches
    /// an execution sink (a shell, `eval`, an interpreter).
    Opaque { what: String, exec: bool },
    /// The parser could not read the whole line.
    ParseError { what: String },
    /// A resource cap was hit (line size, nesting, parse time, node count).
    Limit { what: String },
}

impl Effect {
    /// The class this effect alone implies.
    pub fn class(&self, ctx: &Context) -> Class {
        crate::rules::judge(self, ctx).0
    }

    /// The stable rule id this effect alone implies (e.g. `rm:recursive-home`).
    pub fn rule(&self, ctx: &Context) -> String {
        crate::rules::judge(self, ctx).1
    }

    /// One plain English sentence describing the effect.
    pub fn describe(&self, ctx: &Context) -> String {
        crate::rules::judge(self, ctx).2
    }

    /// Filesystem paths this effect touches (for the snapshot planner).
    pub fn touched_paths(&self) -> Vec<&str> {
        match self {
            Effect::Delete { path, .. }
            | Effect::Overwrite { path, .. }
            | Effect::Chmod { path, .. } => {
                vec![path.as_str()]
            }
            Effect::Move { from, to } => vec![from.as_str(), to.as_str()],
            Effect::Persistence { path, .. } if path.starts_with('/') => vec![path.as_str()],
            _ => Vec::new(),
        }
    }
}
