//! The one program table: every program name the classifier models is
//! owned by exactly one family (`table.tsv`, read once), optionally with a
//! second family consulted when the owner declines a form. `dispatch` looks
//! the owner up here instead of asking every family in turn; the PATH shims
//! (`SHIMS`) are checked against the same table.

use super::{Cmd, cloud, consume, db, disk, fs, git, inline_code, net, packages, scripts};
use super::{secrets, system};
use crate::engine::Engine;
use std::collections::HashMap;
use std::sync::OnceLock;

/// The programs `kintsugi init` links into the shim dir (PATH shims): the
/// most dangerous of the table's programs; a test checks each is owned.
pub const SHIMS: &[&str] = &[
    "rm",
    "rmdir",
    "unlink",
    "mv",
    "cp",
    "dd",
    "ln",
    "git",
    "find",
    "xargs",
    "sh",
    "bash",
    "zsh",
    "dash",
    "ksh",
    "python",
    "python3",
    "perl",
    "node",
    "ruby",
    "php",
    "psql",
    "mysql",
    "sqlite3",
    "redis-cli",
    "mongosh",
    "mongo",
    "terraform",
    "kubectl",
    "helm",
    "docker",
    "podman",
    "aws",
    "gcloud",
    "az",
    "chmod",
    "chown",
    "truncate",
    "shred",
    "mkfs",
    "mkfs.ext4",
    "mkfs.xfs",
    "mkfs.btrfs",
    "mkfs.vfat",
    "wipefs",
    "fdisk",
    "parted",
    "sgdisk",
    "rsync",
    "scp",
    "curl",
    "wget",
    "nc",
    "ssh",
    "crontab",
    "systemctl",
    "iptables",
    "ufw",
    "shutdown",
    "reboot",
    "kill",
    "pkill",
    "killall",
    "sed",
    "tee",
    "sudo",
    "env",
    "eval",
    "dropdb",
];

/// A family of programs: one module of rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Family {
    Fs,
    Git,
    Db,
    Disk,
    Cloud,
    Net,
    Secrets,
    System,
    InlineCode,
    Scripts,
    Consume,
    Packages,
    /// Shells and wrappers the engine unwraps before dispatch.
    Shell,
}

/// Every family, in the table's order.
pub(crate) const FAMILIES: &[Family] = &[
    Family::Fs,
    Family::Git,
    Family::Db,
    Family::Disk,
    Family::Cloud,
    Family::Net,
    Family::Secrets,
    Family::System,
    Family::InlineCode,
    Family::Scripts,
    Family::Consume,
    Family::Packages,
    Family::Shell,
];

impl Family {
    /// The name used in `table.tsv`.
    pub(crate) fn key(self) -> &'static str {
        match self {
            Family::Fs => "fs",
            Family::Git => "git",
            Family::Db => "db",
            Family::Disk => "disk",
            Family::Cloud => "cloud",
            Family::Net => "net",
            Family::Secrets => "secrets",
            Family::System => "system",
            Family::InlineCode => "inline_code",
            Family::Scripts => "scripts",
            Family::Consume => "consume",
            Family::Packages => "packages",
            Family::Shell => "shell",
        }
    }

    fn from_key(k: &str) -> Option<Family> {
        FAMILIES.iter().copied().find(|f| f.key() == k)
    }

    /// Run the family's rules on `c`; false when it does not model this
    /// form (the effects it found, if any, stay).
    pub(crate) fn handle(self, e: &mut Engine, c: &Cmd) -> bool {
        match self {
            Family::Fs => fs::handle(e, c),
            Family::Git => git::handle(e, c),
            Family::Db => db::handle(e, c),
            Family::Disk => disk::handle(e, c),
            Family::Cloud => cloud::handle(e, c),
            Family::Net => net::handle(e, c),
            Family::Secrets => secrets::handle(e, c),
            Family::System => system::handle(e, c),
            Family::InlineCode => inline_code::handle(e, c),
            Family::Scripts => scripts::handle(e, c),
            Family::Consume => consume::handle(e, c),
            Family::Packages => packages::handle(e, c),
            Family::Shell => false,
        }
    }
}

/// One program's row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Entry {
    pub name: &'static str,
    pub owner: Family,
    /// Consulted when the owner declines (`deno test` is not a script run,
    /// so the package-manager rules judge it).
    pub then: Option<Family>,
}

const DATA: &str = include_str!("table.tsv");

/// The rows of `table.tsv`, or what is wrong with a line.
pub(crate) fn parse(data: &'static str) -> Result<Vec<Entry>, String> {
    let mut out = Vec::new();
    for (k, line) in data.lines().enumerate() {
        let line = line.trim_end();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        let fam = |s: &str| {
            Family::from_key(s).ok_or_else(|| {
                format!(
                    "table.tsv line {}: `{s}` is not a family; use one of {:?}",
                    k + 1,
                    FAMILIES.iter().map(|f| f.key()).collect::<Vec<_>>()
                )
            })
        };
        let (name, owner, then) = match cols.as_slice() {
            [n, o] => (*n, fam(o)?, None),
            [n, o, t] => (*n, fam(o)?, Some(fam(t)?)),
            _ => {
                return Err(format!(
                    "table.tsv line {}: expected `name<TAB>owner[<TAB>then]`, got {line:?}",
                    k + 1
                ));
            }
        };
        out.push(Entry { name, owner, then });
    }
    Ok(out)
}

fn table() -> &'static HashMap<&'static str, Entry> {
    static T: OnceLock<HashMap<&'static str, Entry>> = OnceLock::new();
    T.get_or_init(|| {
        // The data is compiled in and checked by the tests below.
        let rows = parse(DATA).unwrap_or_default();
        rows.into_iter().map(|r| (r.name, r)).collect()
    })
}

/// Every row of the table.
#[cfg(test)]
pub(crate) fn entries() -> Vec<Entry> {
    let mut v: Vec<Entry> = table().values().copied().collect();
    v.sort_by_key(|e| e.name);
    v
}

/// The row that owns `name`: the name itself, a versioned interpreter
/// (`python3.12` → `python3`, `python`) or a filesystem maker (`mkfs.ext4`).
pub(crate) fn owner(name: &str) -> Option<Entry> {
    let t = table();
    if let Some(e) = t.get(name) {
        return Some(*e);
    }
    if name.starts_with("mkfs") {
        return t.get("mkfs").copied();
    }
    let base = name.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
    if base != name && inline_code::interp_kind(name).is_some() {
        return Some(Entry {
            name: "",
            owner: Family::InlineCode,
            then: None,
        });
    }
    None
}

/// Run the owning family (and its fallback) on `c`: true when one models it.
pub(crate) fn run(e: &mut Engine, c: &Cmd) -> bool {
    let Some(row) = owner(&c.name) else {
        return false;
    };
    row.owner.handle(e, c) || row.then.is_some_and(|f| f.handle(e, c))
}

#[cfg(test)]
#[path = "table_tests.rs"]
mod tests;
