//! Program families: each module knows a group of programs and turns their
//! argv into effects. `dispatch` asks the one family that owns the program
//! in the table (`table.rs`, `table.tsv`); programs nobody owns fall back to
//! a verb check (`… destroy`, `… install`).

use crate::effects::Effect;
use crate::engine::{Stdin, Walker};
use crate::words::Word;

pub(crate) mod archive;
pub(crate) mod carried;
pub(crate) mod cloud;
pub(crate) mod code_reach;
pub(crate) mod code_scan;
pub(crate) mod consume;
pub(crate) mod containers;
pub(crate) mod db;
#[cfg(test)]
mod db_tests;
pub(crate) mod disk;
pub(crate) mod env_dumps;
pub(crate) mod exposure;
pub(crate) mod exposure_more;
pub(crate) mod fleet;
pub(crate) mod forkbomb;
pub(crate) mod forms;
pub(crate) mod fs;
pub(crate) mod git;
pub(crate) mod git_abbrev;
pub(crate) mod http;
pub(crate) mod inline_code;
pub(crate) mod js_pm;
pub(crate) mod json_fields;
pub(crate) mod jvm_build;
pub(crate) mod key_column;
pub(crate) mod kv_keys;
pub(crate) mod lang_pm;
pub(crate) mod net;
pub(crate) mod own_service;
pub(crate) mod packages;
pub(crate) mod publish;
pub(crate) mod pwsh;
pub(crate) mod pwsh_cmdlets;
pub(crate) mod rclone;
pub(crate) mod request;
pub(crate) mod scripts;
pub(crate) mod secret_manifests;
pub(crate) mod secrets;
pub(crate) mod sql_rewrite;
pub(crate) mod sql_text;
pub(crate) mod system;
pub(crate) mod table;
pub(crate) mod tool_fetch;
pub(crate) mod traffic;
pub(crate) mod unknown;
#[cfg(test)]
mod unknown_tests;
pub(crate) mod verb_cli;
pub(crate) mod walkers;
pub(crate) mod watchers;

/// A peeled simple command.
#[derive(Debug, Clone)]
pub(crate) struct Cmd {
    pub name: String,
    pub args: Vec<Word>,
    pub stdin: Stdin,
    pub via: Vec<String>,
    pub depth: usize,
}

impl Cmd {
    /// Any argument equal to one of `flags`.
    pub fn has(&self, flags: &[&str]) -> bool {
        self.args.iter().any(|a| flags.contains(&a.text.as_str()))
    }
    /// A short flag letter present, alone or combined (`-rf` has `r`).
    pub fn short(&self, ch: char) -> bool {
        self.args.iter().take_while(|a| a.text != "--").any(|a| {
            a.text.starts_with('-')
                && !a.text.starts_with("--")
                && a.text.len() > 1
                && a.text[1..].contains(ch)
        })
    }
    /// A long option present (`--force`, or `--force=…`).
    pub fn long(&self, name: &str) -> bool {
        self.args.iter().take_while(|a| a.text != "--").any(|a| {
            a.text == name
                || a.text
                    .strip_prefix(name)
                    .is_some_and(|r| r.starts_with('='))
        })
    }
    /// The value of an option (`-o X`, `-oX`, `--out X`, `--out=X`).
    pub fn opt(&self, names: &[&str]) -> Option<&Word> {
        let it = self.args.iter().enumerate();
        for (i, a) in it {
            for n in names {
                if a.text == *n {
                    return self.args.get(i + 1);
                }
            }
        }
        None
    }
    /// The value of an option given as `--name=value`.
    pub fn opt_eq(&self, name: &str) -> Option<String> {
        self.args.iter().find_map(|a| {
            a.text
                .strip_prefix(name)
                .and_then(|r| r.strip_prefix('='))
                .map(str::to_string)
        })
    }
    /// Non-option arguments (after `--`, everything counts).
    pub fn positional(&self) -> Vec<&Word> {
        let mut out = Vec::new();
        let mut dd = false;
        for a in &self.args {
            if !dd && a.text == "--" {
                dd = true;
                continue;
            }
            if dd || !a.text.starts_with('-') || a.text == "-" {
                out.push(a);
            }
        }
        out
    }
    /// The first positional argument (the subcommand for most CLIs).
    pub fn sub(&self, k: usize) -> &str {
        self.positional()
            .get(k)
            .map(|w| w.text.as_str())
            .unwrap_or("")
    }
    /// Dry-run / help / no-act forms that change nothing.
    pub fn dry_run(&self) -> bool {
        self.has(&[
            "--dry-run",
            "--dryrun",
            "--help",
            "--what-if",
            "--noop",
            "--no-act",
            "--simulate",
            "--check",
            "--plan",
            "--preview-only",
        ]) || self.args.iter().enumerate().any(|(k, a)| {
            a.text == "--version" && self.args.get(k + 1).is_none_or(|n| n.text.starts_with('-'))
        }) || self.args.iter().any(|a| {
            a.text.strip_prefix("--dry-run=").is_some_and(|v| {
                !matches!(
                    v.to_ascii_lowercase().as_str(),
                    "none" | "false" | "0" | "off" | "no"
                )
            })
        })
    }
    pub fn label(&self) -> String {
        let mut s = self.name.clone();
        for a in self.args.iter().take(6) {
            s.push(' ');
            s.push_str(&a.text);
        }
        s
    }
}

/// Run the family rules for one command.
pub(crate) fn dispatch(e: &mut Walker, c: &Cmd) {
    dispatch_named(e, c, None)
}

/// Run the family rules for one command whose program was named by `path`
/// (`./deploy.sh`, `/opt/x/bin/tool`) when it was. What no family models
/// and no known-safe table lists is recorded as unknown, never as safe.
pub(crate) fn dispatch_named(e: &mut Walker, c: &Cmd, path: Option<&str>) {
    let before = e.effects.len();
    consume::extra(e, c);
    exposure::extra(e, c);
    carried::extra(e, c);
    tool_fetch::extra(e, c);
    kv_keys::extra(e, c);
    watchers::extra(e, c);
    secret_manifests::extra(e, c);
    publish::extra(e, c);
    secrets::observe(e, c);
    let handled = table::run(e, c);
    static DATA_SET: std::sync::OnceLock<std::collections::HashSet<&'static str>> =
        std::sync::OnceLock::new();
    if !crate::safe_list::set_of(&DATA_SET, DATA).contains(c.name.as_str())
        && c.args.iter().any(|a| a.text.contains(' '))
    {
        code_like_args(e, c);
    }
    let quiet = e.effects.len() == before;
    if quiet && forms::shell_integration(c) {
        return;
    }
    if !handled && !crate::safe_list::is_known_safe(&c.name) {
        if let Some(p) = path {
            scripts::run_file(e, c, None, p);
        } else if quiet && forms::table_lists(c) {
            // A safe form the program's row lists (`table.tsv`).
        } else if quiet {
            // An unknown wrapper's inner command is judged on its own
            // (`faketime x rm -rf ~`); the wrapper itself stays unknown.
            wrapper_lookahead(e, c);
            if e.effects.len() == before {
                unknown::judge(e, c);
            } else {
                // `nats stream rm ORDERS -f` is not a wrapper around `rm`:
                // the destructive verb of the CLI itself still counts.
                unknown::destroy_backstop(e, c);
            }
        }
        return;
    }
    if quiet {
        match forms::form(c) {
            // `env | grep PATH`: what reaches the reader is the filter's
            // business (`secrets::observe` judges the next stage).
            Some(forms::Form::Change(_)) if e.piped_out && secrets::dumps_whole_env(c) => {}
            Some(forms::Form::Change(what)) => e.add(Effect::Change {
                program: c.name.clone(),
                what,
            }),
            Some(forms::Form::Unknown) => unknown::unknown(e, c, "subcommand"),
            Some(forms::Form::Safe) => {}
            // A family that models the program said nothing about this
            // form: a destructive verb is still looked at.
            None if !crate::safe_list::is_known_safe(&c.name)
                && !crate::safe_list::set_of(&DATA_SET, DATA).contains(c.name.as_str()) =>
            {
                unknown::destroy_backstop(e, c);
            }
            None => {}
        }
    }
}

/// Programs whose string arguments are data, not code.
const DATA: &[&str] = &[
    "echo",
    "printf",
    "print",
    "grep",
    "egrep",
    "fgrep",
    "rg",
    "ag",
    "ack",
    "git",
    "gh",
    "glab",
    "hub",
    "jq",
    "yq",
    "sed",
    "gsed",
    "awk",
    "gawk",
    "mawk",
    "nawk",
    "psql",
    "mysql",
    "sqlite3",
    "mongosh",
    "mongo",
    "redis-cli",
    "curl",
    "wget",
    "http",
    "xh",
    "logger",
    "notify-send",
    "say",
    "cowsay",
    "figlet",
    "wall",
    "write",
    "mail",
    "mailx",
    "sendmail",
    "tee",
    "cat",
    "test",
    "[",
    "[[",
    "expr",
    ":",
    "true",
    "false",
    "printenv",
    "column",
    "sort",
    "uniq",
    "cut",
    "tr",
    "wc",
    "head",
    "tail",
    "comm",
    "diff",
    "jira",
    "linear",
    "export",
    "local",
    "declare",
    "readonly",
    "typeset",
    "set",
    "read",
    "docker",
    "podman",
    "kubectl",
    "find",
    "xargs",
    "watch",
    "parallel",
    "ssh",
    "python",
    "python3",
    "perl",
    "ruby",
    "node",
    "php",
    "deno",
    "bun",
    "git-commit",
    "npm",
    "yarn",
    "pnpm",
    "cargo",
    "make",
    "go",
    "pytest",
    "jest",
    "tsc",
    "eslint",
    "prettier",
    "gcloud",
    "aws",
    "az",
    "terraform",
    "helm",
    "sops",
    "pass",
    "op",
    "vault",
    "dig",
    "nslookup",
    "host",
    "ping",
    "openssl",
    "gpg",
    "base64",
    "xxd",
    "tr",
    "rev",
    "sh",
    "bash",
    "zsh",
    "dash",
    "ksh",
    "fish",
    "eval",
    "source",
    ".",
    "env",
    "sudo",
    "doas",
    "timeout",
    "nice",
    "nohup",
    "time",
    "command",
    "exec",
    "builtin",
    "script",
    "su",
    "runuser",
    "flock",
    "osascript",
    "pwsh",
    "powershell",
    "lua",
    "Rscript",
    "crontab",
    "at",
    "batch",
    "systemd-run",
    "expect-data",
    "sqlite",
    "duckdb",
    "mysql",
    "mariadb",
    "clickhouse-client",
    "cqlsh",
    "psql",
    "pgcli",
    "mycli",
    "kill",
    "pkill",
    "killall",
    "sftp",
    "scp",
    "rsync",
    "nc",
    "ncat",
    "socat",
    "yes",
    "kintsugi",
    "kintsugid",
    "banner",
    "toilet",
    "lolcat",
    "fortune",
    "xmessage",
    "zenity",
    "kdialog",
    "dialog",
    "whiptail",
    "gum",
    "fzf",
    "git-cliff",
    "commitizen",
    "cz",
    "npx",
    "pnpx",
    "bunx",
    "uvx",
    "heroku",
    "fly",
    "vercel",
    "ipython",
    "julia",
    "emacs",
    "tclsh",
    "expect",
    "awk",
    "cmake",
    "paste",
    "join",
];

/// Arguments of other programs that read as a dangerous command line
/// (`vim -c ':!rm -rf ~'`, `trap 'rm -rf ~' EXIT`, `tar --checkpoint-action=exec=…`):
/// analyse them and keep only catastrophic findings.
fn code_like_args(e: &mut Walker, c: &Cmd) {
    if c.depth >= crate::MAX_NESTING {
        return;
    }
    let mut cands: Vec<String> = Vec::new();
    for a in c.args.iter().take(16) {
        if a.dynamic {
            continue;
        }
        let t = a.text.trim();
        if !t.contains(' ') || t.len() > 4096 {
            continue;
        }
        let mut v = vec![t.to_string()];
        if let Some((_, r)) = t.split_once('=') {
            v.push(
                r.trim_start_matches("exec=")
                    .trim_start_matches("exec:")
                    .to_string(),
            );
        }
        for pre in [
            ":!",
            "!",
            "+!",
            "+:!",
            "shell ",
            "spawn ",
            "system ",
            ":silent !",
            "-c ",
        ] {
            if let Some(r) = t.strip_prefix(pre) {
                v.push(r.to_string());
            }
        }
        for x in v {
            if !cands.contains(&x) && cands.len() < 8 {
                cands.push(x);
            }
        }
    }
    if cands.is_empty() {
        return;
    }
    let before = e.effects.len();
    let cmds_before = e.commands.len();
    // The arguments are only guessed to be code: one that does not parse
    // as shell leaves the line itself fully read.
    let complete = e.complete;
    let mut via = c.via.clone();
    via.push(format!("{} argument", c.name));
    for cand in &cands {
        e.run_script(cand, &via, c.depth + 1, &Stdin::Terminal);
    }
    // SQL handed to any client as an option value (`wrangler d1 execute
    // db --command "DROP TABLE users"`).
    for cand in &cands {
        if let (2, what) = db::sql_severity(cand) {
            e.add(Effect::DbDestroy {
                engine: c.name.clone(),
                what,
            });
        }
    }
    // Keep only catastrophic findings: prose must not make lines noisy.
    let ctx = e.ctx;
    let mut k = before;
    while k < e.effects.len() {
        if e.effects[k].class(ctx) == crate::Class::Catastrophic
            && !matches!(
                e.effects[k],
                Effect::ParseError { .. } | Effect::Limit { .. }
            )
        {
            k += 1;
        } else {
            e.effects.remove(k);
        }
    }
    if e.effects.len() == before {
        e.commands.truncate(cmds_before);
    }
    e.complete = complete;
}

/// Programs whose arguments, from the first one that names one of these,
/// are probably a command run by an unknown wrapper (`faketime x rm -rf ~`).
const WRAPPABLE: &[&str] = &[
    "rm",
    "dd",
    "shred",
    "chmod",
    "chown",
    "mv",
    "cp",
    "truncate",
    "git",
    "curl",
    "wget",
    "sh",
    "bash",
    "zsh",
    "dash",
    "python",
    "python3",
    "perl",
    "ruby",
    "node",
    "kubectl",
    "terraform",
    "docker",
    "psql",
    "mysql",
    "redis-cli",
    "find",
    "xargs",
    "kill",
    "pkill",
    "killall",
    "shutdown",
    "reboot",
    "poweroff",
    "halt",
    "iptables",
    "ufw",
    "systemctl",
    "crontab",
    "ssh",
    "scp",
    "rsync",
    "nc",
    "ncat",
    "aws",
    "gcloud",
    "az",
    "helm",
    "eval",
    "sudo",
    "env",
    "mkfs",
    "wipefs",
    "fdisk",
    "parted",
    "setenforce",
    "history",
    "unset",
    "tee",
    "cat",
    "dropdb",
    "rmdir",
    "unlink",
];

/// The most dangerous known program a glob pattern in program position can
/// name (`r?` → `rm`, `mkfs.*` → `mkfs.ext4`); `None` when it names none.
pub(crate) fn glob_program(pattern: &str) -> Option<&'static str> {
    if !pattern.contains(['*', '?', '[']) {
        return None;
    }
    const MORE: &[&str] = &["mkfs.ext4", "mkfs.xfs", "shred", "wipefs", "srm"];
    WRAPPABLE
        .iter()
        .chain(MORE)
        .copied()
        .find(|name| crate::secret_paths::glob_match(pattern, name))
}

fn wrapper_lookahead(e: &mut Walker, c: &Cmd) {
    let Some(k) = c.args.iter().position(|w| {
        let b = crate::words::basename(&w.text);
        WRAPPABLE.contains(&b) || b.starts_with("mkfs.")
    }) else {
        return;
    };
    // Judging the inner command judges its words again: charged like
    // expanded words, so chains of unknown wrappers stop at the work cap.
    let cost: usize = c.args[k..]
        .iter()
        .map(|w| w.text.len() + crate::WORD_WORK)
        .sum();
    let done = e.work.get().saturating_add(cost);
    e.work.set(done);
    if done > crate::MAX_WORK {
        e.stop_at_limit("work");
        return;
    }
    let inner = c.args[k..].to_vec();
    let mut via = c.via.clone();
    via.push(c.name.clone());
    e.run_argv(inner, Vec::new(), c.stdin.clone(), via, c.depth + 1);
}
#[cfg(test)]
mod interp_tests;
