//! From effects to class, stable rule id and one plain sentence. The worst
//! effect wins; with no effects the line is safe (`safe:read-only`, …).

use crate::effects::Effect;
use crate::paths::{Zone, is_history_file, persistence_kind, zone, zone_label};
use crate::{Class, Context, Program};

use Class::{Ambiguous as A, Catastrophic as C, Safe as S};

fn j(c: Class, rule: &str, s: String) -> (Class, String, String) {
    (c, rule.to_string(), s)
}

/// Judge one effect: (class, rule id, sentence).
pub(crate) fn judge(e: &Effect, ctx: &Context, _p: Option<&str>) -> (Class, String, String) {
    let proj = crate::paths::project_root(ctx, &ctx.cwd);
    let project = proj.as_deref();
    match e {
        Effect::Delete { path, recursive } => {
            let z = zone(path, ctx, project);
            let verb = if *recursive {
                "Recursively deletes"
            } else {
                "Deletes"
            };
            let s = format!("{verb} {path}{}.", zone_label(z));
            if *recursive && computed_path(path) {
                return j(
                    C,
                    "rm:computed-path",
                    format!(
                        "Recursively deletes a path computed when it runs ({path}); it may be any path, your home or `/` included."
                    ),
                );
            }
            if is_history_file(path) {
                return j(
                    C,
                    "sec:history-off",
                    format!("Deletes the shell history file {path}."),
                );
            }
            let (c, r) = match z {
                Zone::Root => (C, "rm:root"),
                Zone::System | Zone::Device => (C, "rm:system"),
                Zone::Logs => (C, "sec:log-wipe"),
                Zone::Home => (C, "rm:recursive-home"),
                Zone::HomeSensitive | Zone::HomeTop | Zone::HomeData => (C, "rm:home"),
                Zone::ProjectAncestor => (C, "rm:project-ancestor"),
                Zone::ProjectRoot => (C, "rm:project-root"),
                Zone::GitDir => (C, "rm:git-dir"),
                Zone::Unknown if *recursive && dynamic_root(path) => (C, "rm:dynamic-root"),
                Zone::Tmp | Zone::Null => (S, "safe:tmp"),
                _ => (
                    A,
                    if *recursive {
                        "rm:recursive"
                    } else {
                        "rm:file"
                    },
                ),
            };
            j(c, r, s)
        }
        Effect::Overwrite { path, append } => {
            let z = zone(path, ctx, project);
            if let Some(k) = persistence_kind(path) {
                return j(
                    C,
                    &format!("persist:{k}"),
                    format!("Writes to {path}, which runs automatically later."),
                );
            }
            if is_history_file(path) && !append {
                return j(
                    C,
                    "sec:history-off",
                    format!("Erases the shell history file {path}."),
                );
            }
            let verb = if *append { "Appends to" } else { "Overwrites" };
            let s = format!("{verb} {path}{}.", zone_label(z));
            let (c, r) = match z {
                Zone::Device => (C, "disk:write"),
                Zone::Logs => (C, "sec:log-wipe"),
                Zone::Null | Zone::Tmp => (S, "safe:tmp"),
                Zone::Root => (C, "write:system"),
                Zone::ProjectRoot if path.ends_with("/*") || path.ends_with("/**") => {
                    (C, "write:project-root")
                }
                Zone::System if critical_system_file(path) => (C, "write:system"),
                Zone::HomeSensitive if path.contains("/.ssh/") || path.contains("/.gnupg/") => {
                    (C, "write:keys")
                }
                Zone::Home | Zone::HomeSensitive | Zone::HomeTop | Zone::HomeData => {
                    (C, "write:home")
                }
                Zone::GitDir => (C, "write:git-dir"),
                Zone::GitInternal
                    if path.ends_with("/.git/config") || path.contains("/.git/refs") =>
                {
                    (C, "write:git-dir")
                }
                _ => (A, "write:file"),
            };
            j(c, r, s)
        }
        Effect::Move { from, to } => {
            let zf = zone(from, ctx, project);
            let zt = zone(to, ctx, project);
            let s = format!("Moves {from}{} to {to}{}.", zone_label(zf), zone_label(zt));
            if let Some(k) = persistence_kind(to) {
                return j(C, &format!("persist:{k}"), s);
            }
            if zt == Zone::Null {
                return judge(
                    &Effect::Delete {
                        path: from.clone(),
                        recursive: true,
                    },
                    ctx,
                    None,
                );
            }
            let (c, r) = match zf {
                Zone::Root
                | Zone::System
                | Zone::Home
                | Zone::HomeSensitive
                | Zone::HomeTop
                | Zone::HomeData
                | Zone::ProjectAncestor
                | Zone::ProjectRoot
                | Zone::GitDir
                | Zone::Device
                | Zone::Logs => (C, "mv:critical"),
                Zone::Tmp if matches!(zt, Zone::Tmp) => (S, "safe:tmp"),
                _ if zt == Zone::Device || zt == Zone::Root => (C, "mv:critical"),
                _ if zt == Zone::System && critical_system_file(to) => (C, "write:system"),
                _ => (A, "mv:file"),
            };
            j(c, r, s)
        }
        Effect::Chmod { path, recursive } => {
            let z = zone(path, ctx, project);
            let s = format!(
                "{} permissions or ownership of {path}{}.",
                if *recursive {
                    "Recursively changes"
                } else {
                    "Changes"
                },
                zone_label(z)
            );
            let (c, r) = match z {
                Zone::Root => (C, "chmod:recursive-critical"),
                Zone::Home | Zone::ProjectAncestor | Zone::HomeSensitive if *recursive => {
                    (C, "chmod:recursive-critical")
                }
                Zone::System | Zone::Device | Zone::Logs
                    if *recursive || critical_system_file(path) =>
                {
                    (C, "chmod:recursive-critical")
                }
                Zone::Project | Zone::Tmp | Zone::Null if !*recursive => (S, "safe:chmod-local"),
                Zone::Tmp => (S, "safe:tmp"),
                _ => (A, "chmod:change"),
            };
            j(c, r, s)
        }
        Effect::GitRefRewrite {
            remote,
            refspec,
            force,
            delete,
            ..
        } => {
            let target = if refspec.is_empty() {
                "the current branch".to_string()
            } else {
                format!("`{refspec}`")
            };
            if *delete {
                j(
                    C,
                    "git:delete-remote-ref",
                    format!("Deletes {target} on remote {remote}."),
                )
            } else if *force {
                j(
                    C,
                    "git:force-push",
                    format!("Force-pushes {target} to {remote}, which can discard commits there."),
                )
            } else {
                j(A, "git:push", format!("Pushes {target} to {remote}."))
            }
        }
        Effect::GitDiscard { repo, what } => j(
            C,
            "git:discard-work",
            format!("Discards uncommitted or untracked work in {repo} ({what})."),
        ),
        Effect::GitHistoryRewrite { repo, what } => j(
            C,
            "git:history-rewrite",
            format!("Rewrites or prunes git history in {repo} ({what})."),
        ),
        Effect::GitChange { what } => j(A, "git:change", format!("Changes git state: {what}.")),
        Effect::DbDestroy { engine, what } => j(
            C,
            "db:drop",
            format!("Destroys database data with {engine}: {what}."),
        ),
        Effect::DbWrite { engine, what } => j(
            A,
            "db:write",
            format!("Writes to a database with {engine}: {what}."),
        ),
        Effect::DiskWrite { device, what } => j(
            C,
            "disk:write",
            format!("Writes directly to {device}: {what}."),
        ),
        Effect::CloudDestroy { tool, what } => j(
            C,
            "cloud:destroy",
            format!("Destroys cloud or cluster resources with {tool}: {what}."),
        ),
        Effect::CloudChange { tool, what } => j(
            A,
            "cloud:change",
            format!("Changes cloud or cluster resources with {tool}: {what}."),
        ),
        Effect::SecretRead { path } => j(
            C,
            "secret:read",
            format!("Reads credential material: {path}."),
        ),
        Effect::NetworkEgress {
            host,
            payload,
            sensitive,
        } => {
            let s = format!("Sends {payload} to {host}.");
            if is_local_host(host) && !sensitive {
                j(S, "safe:local-network", s)
            } else if *sensitive {
                j(C, "net:exfiltrate", s)
            } else {
                j(A, "net:send", s)
            }
        }
        Effect::Download { host, to } => j(
            A,
            "net:download",
            format!("Downloads from {host} into {to}."),
        ),
        Effect::RemoteExec {
            host,
            reverse_shell,
        } => {
            if *reverse_shell {
                j(
                    C,
                    "net:reverse-shell",
                    format!("Opens a shell controlled from {host}."),
                )
            } else {
                j(A, "net:remote-exec", format!("Runs commands on {host}."))
            }
        }
        Effect::DownloadExec {
            source,
            interpreter,
        } => j(
            C,
            "net:pipe-to-shell",
            format!("Runs code downloaded from {source} with {interpreter}, unseen."),
        ),
        Effect::Persistence { what, path } => {
            let k = persistence_kind(path).unwrap_or("install");
            j(
                C,
                &format!("persist:{k}"),
                format!("Installs something that runs automatically later: {what}."),
            )
        }
        Effect::SecurityDisable { what, control } => {
            j(C, &format!("sec:{control}"), format!("Turns off {what}."))
        }
        Effect::Power { what } => j(
            C,
            "power:shutdown",
            format!("Stops the machine or its processes: {what}."),
        ),
        Effect::ForkBomb { name } => j(
            C,
            "proc:fork-bomb",
            format!("Defines `{name}` to copy itself endlessly (a fork bomb)."),
        ),
        Effect::PackageChange { manager, what } => j(
            A,
            "pkg:change",
            format!("Changes installed packages with {manager}: {what}."),
        ),
        Effect::Change { program, what } => j(
            A,
            "change:other",
            format!("Runs `{program}`, which {what}."),
        ),
        Effect::Unknown { form, what, .. } if form == "destroy" => {
            j(C, "unknown:destroy", format!("{}.", capital(what)))
        }
        Effect::Unknown { form, what, .. } => {
            j(A, &format!("unknown:{form}"), format!("{}.", capital(what)))
        }
        Effect::Opaque { what, exec } => {
            if *exec {
                j(
                    C,
                    "opaque:dynamic-command",
                    format!("Runs code that cannot be read before it runs: {what}."),
                )
            } else {
                j(
                    A,
                    "opaque:dynamic",
                    format!("Depends on a value only known at run time: {what}."),
                )
            }
        }
        Effect::ParseError { what } => j(
            A,
            "parse:error",
            format!("The line could not be fully parsed ({what}), so it is held for review."),
        ),
        Effect::Limit { what } => j(
            A,
            &format!("limit:{what}"),
            format!("The line exceeds an analysis limit ({what}), so it is held for review."),
        ),
    }
}

/// A path printed by a command substitution that Kintsugi could not resolve
/// (`$(find ~ …)`, `$(echo … | base64 -d)`, `$(printf %s …)`): it can be any
/// path when the substitution is the whole path or a decoder produced it.
fn computed_path(p: &str) -> bool {
    let Some(k) = p.find("$(").or_else(|| p.find('`')) else {
        return false;
    };
    let inner = p[k..].trim_start_matches("$(").trim_start_matches('`');
    let prog = inner
        .split_whitespace()
        .next()
        .map(crate::words::basename)
        .unwrap_or("");
    if matches!(prog, "mktemp" | "pwd" | "git") {
        return false;
    }
    let close = inner.rfind([')', '`']).unwrap_or(inner.len());
    let tail = inner.get(close + 1..).unwrap_or("");
    let decoded = [
        "base64", "base32", "xxd", "rev", "tr ", "printf", "openssl", "gzip", "zcat",
    ]
    .iter()
    .any(|d| inner.contains(d));
    tail.is_empty() || tail == "/" || tail == "/*" || decoded
}

fn dynamic_root(p: &str) -> bool {
    // `$DIR/`, `$DIR/*`, `${X}/…` at the start: an empty variable makes it `/`.
    let rest = p.trim_start_matches(|c: char| c != '/');
    p.starts_with('$') && (rest == "/" || rest == "/*" || rest == "/.*")
}

fn critical_system_file(p: &str) -> bool {
    p.starts_with("/proc/sys")
        || p.starts_with("/sys/")
        || p.starts_with("/etc/selinux")
        || p.starts_with("/etc/apparmor")
        || p.starts_with("/etc/audit")
        || matches!(
            p,
            "/etc/passwd"
                | "/etc/shadow"
                | "/etc/group"
                | "/etc/sudoers"
                | "/etc/fstab"
                | "/etc/hosts"
                | "/etc/resolv.conf"
                | "/etc/ld.so.preload"
                | "/etc/pam.conf"
        )
        || [
            "/boot",
            "/bin",
            "/sbin",
            "/usr/bin",
            "/usr/sbin",
            "/lib",
            "/usr/lib",
            "/lib64",
            "/etc/pam.d",
            "/etc/ssh",
            "/etc/sudoers.d",
            "/etc/security",
        ]
        .iter()
        .any(|d| p == *d || p.starts_with(&format!("{d}/")))
}

pub(crate) fn is_local_host(h: &str) -> bool {
    let h = h.trim_start_matches('[').trim_end_matches(']');
    matches!(
        h,
        "localhost" | "127.0.0.1" | "::1" | "0.0.0.0" | "host.docker.internal"
    ) || h.starts_with("127.")
        || h.ends_with(".localhost")
}

/// Worst effect wins; ties go to the first. Returns (class, rule, reason).
pub(crate) fn decide(
    effects: &[Effect],
    commands: &[Program],
    ctx: &Context,
) -> (Class, String, String) {
    let mut best: Option<(Class, String, String)> = None;
    for e in effects {
        let v = judge(e, ctx, None);
        if best.as_ref().is_none_or(|b| v.0 > b.0) {
            best = Some(v);
        }
    }
    if let Some(b) = best
        && (b.0 > S || b.1 != "safe:read-only")
    {
        return b;
    }
    let build = commands.iter().any(|p| {
        p.argv
            .first()
            .is_some_and(|n| crate::safe_list::is_build(n, &p.argv))
    });
    if build {
        (
            S,
            "safe:build".into(),
            "Runs confined build, test or lint work.".into(),
        )
    } else if commands
        .iter()
        .any(|p| p.argv.first().is_some_and(|n| n == "git"))
    {
        (
            S,
            "safe:git-local".into(),
            "Reads or makes local, reversible git changes.".into(),
        )
    } else if commands.is_empty() {
        (S, "safe:empty".into(), "Runs nothing.".into())
    } else {
        (
            S,
            "safe:read-only".into(),
            "Reads or prints information without changing anything important.".into(),
        )
    }
}

/// The sentence with its first letter in upper case.
fn capital(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
