//! The one program table: every program name the classifier models is
//! owned by exactly one family (`table.tsv`, read once), optionally with a
//! second family consulted when the owner declines a form, and with the
//! forms (subcommands) known to be safe, which `forms::form` reads. `dispatch` looks
//! the owner up here instead of asking every family in turn; the PATH shims
//! (`SHIMS`) are checked against the same table.

use super::{Cmd, cloud, consume, db, disk, fs, git, inline_code, net, packages, scripts};
use super::{secrets, system};
use crate::engine::Walker;
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
    pub(crate) fn handle(self, e: &mut Walker, c: &Cmd) -> bool {
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
    /// The known-safe forms: subcommands that only read or do confined
    /// build, test or lint work (`build,test,mod graph,(none)`), as written
    /// in the fourth column; empty when the row lists none.
    pub safe: &'static str,
}

/// The word that stands for "no word here" in a safe form: `(none)` is the
/// bare program, `stash (none)` is `stash` with nothing after it.
const NO_WORD: &str = "(none)";

impl Entry {
    /// The row's known-safe forms, each a list of words (read by the tests).
    #[cfg(test)]
    pub(crate) fn safe_forms(&self) -> impl Iterator<Item = Vec<&'static str>> {
        self.safe
            .split(',')
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .map(|f| f.split(' ').filter(|w| !w.is_empty()).collect())
    }

    /// Whether `subs` (the command's subcommand words, in order) is one of
    /// the row's known-safe forms: each word of the form equals the word at
    /// its place, `(none)` matches where there is no word, and words after
    /// the form's last one are free (`mod graph` matches `go mod graph -x`).
    /// Called for every command of a program with a row: it reads the
    /// column in place, allocating nothing.
    pub(crate) fn lists_safe(&self, subs: &[&str]) -> bool {
        let forms = self
            .safe
            .split(',')
            .map(str::trim)
            .filter(|f| !f.is_empty());
        forms.into_iter().any(|form| {
            let words = form.split(' ').filter(|w| !w.is_empty());
            words.enumerate().all(|(k, w)| match subs.get(k) {
                Some(s) => *s == w,
                None => w == NO_WORD,
            })
        })
    }
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
        let then = |s: &str| if s == "-" { Ok(None) } else { fam(s).map(Some) };
        let (name, owner, then, safe) = match cols.as_slice() {
            [n, o] => (*n, fam(o)?, None, ""),
            [n, o, t] => (*n, fam(o)?, then(t)?, ""),
            [n, o, t, s] => (*n, fam(o)?, then(t)?, *s),
            _ => {
                return Err(format!(
                    "table.tsv line {}: expected `name<TAB>owner[<TAB>then[<TAB>safe forms]]`, got {line:?}",
                    k + 1
                ));
            }
        };
        out.push(Entry {
            name,
            owner,
            then,
            safe,
        });
    }
    // `=npm` in the safe column: the same forms as the row named `npm`.
    let rows = out.clone();
    for e in &mut out {
        if let Some(other) = e.safe.strip_prefix('=') {
            let Some(src) = rows
                .iter()
                .find(|r| r.name == other && !r.safe.starts_with('='))
            else {
                return Err(format!(
                    "table.tsv: `{}` takes its safe forms from `{other}`, which lists none",
                    e.name
                ));
            };
            e.safe = src.safe;
        }
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
            safe: "",
        });
    }
    None
}

/// Whether the table lists `subs` as a known-safe form of the program
/// `name`; `None` when its row lists no safe forms (or it has no row).
pub(crate) fn safe_form(name: &str, subs: &[&str]) -> Option<bool> {
    let row = table().get(name)?;
    (!row.safe.is_empty()).then(|| row.lists_safe(subs))
}

/// Run the owning family (and its fallback) on `c`: true when one models it.
pub(crate) fn run(e: &mut Walker, c: &Cmd) -> bool {
    let Some(row) = owner(&c.name) else {
        return false;
    };
    row.owner.handle(e, c) || row.then.is_some_and(|f| f.handle(e, c))
}

#[cfg(test)]
#[path = "table_tests.rs"]
mod tests;
