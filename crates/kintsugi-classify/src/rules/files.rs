//! Verdicts for effects on files: deletes, writes, moves and permission
//! changes, judged by the zone of the path they reach (home, project, system,
//! temporary, …).

use super::{A, C, S, Verdict, verdict};
use crate::Context;
use crate::paths::{Zone, is_history_file, persistence_kind, zone, zone_label};

/// The project root the zones are measured against.
fn project(ctx: &Context) -> Option<String> {
    crate::paths::project_root(ctx, &ctx.cwd)
}

/// A delete (`rm`, `find -delete`, a move into `/dev/null`, …).
pub(super) fn delete(path: &str, recursive: bool, ctx: &Context) -> Verdict {
    let proj = project(ctx);
    let z = zone(path, ctx, proj.as_deref());
    let verb = if recursive {
        "Recursively deletes"
    } else {
        "Deletes"
    };
    let s = format!("{verb} {path}{}.", zone_label(z));
    if recursive && computed_path(path, ctx) {
        return verdict(
            C,
            "rm:computed-path",
            format!(
                "Recursively deletes a path computed when it runs ({path}); it may be any path, your home or `/` included."
            ),
        );
    }
    if is_history_file(path) {
        return verdict(
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
        Zone::Unknown if recursive && dynamic_root(path) => (C, "rm:dynamic-root"),
        Zone::Tmp | Zone::Null => (S, "safe:tmp"),
        _ => (A, if recursive { "rm:recursive" } else { "rm:file" }),
    };
    verdict(c, r, s)
}

/// A write that replaces or appends to a file (redirections, `tee`, `cp`
/// onto it, …).
pub(super) fn overwrite(path: &str, append: bool, ctx: &Context) -> Verdict {
    let proj = project(ctx);
    let z = zone(path, ctx, proj.as_deref());
    if let Some(k) = persistence_kind(path) {
        return verdict(
            C,
            &format!("persist:{k}"),
            format!("Writes to {path}, which runs automatically later."),
        );
    }
    if is_history_file(path) && !append {
        return verdict(
            C,
            "sec:history-off",
            format!("Erases the shell history file {path}."),
        );
    }
    if let Some(v) = pattern_overwrite(path, append, ctx, proj.as_deref()) {
        return v;
    }
    let verb = if append { "Appends to" } else { "Overwrites" };
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
        Zone::Home | Zone::HomeSensitive | Zone::HomeTop | Zone::HomeData => (C, "write:home"),
        Zone::GitDir => (C, "write:git-dir"),
        Zone::GitInternal if path.ends_with("/.git/config") || path.contains("/.git/refs") => {
            (C, "write:git-dir")
        }
        _ => (A, "write:file"),
    };
    verdict(c, r, s)
}

/// Overwriting every file a pattern matches (`truncate -s0 ~/**/*.db`,
/// what `$(find ~ -name '*.db')` lists, `: >` each tracked file): under
/// home outside its caches, or from `/`, that is data with no undo; every
/// file of the project is the project root's contents.
fn pattern_overwrite(
    path: &str,
    append: bool,
    ctx: &Context,
    proj: Option<&str>,
) -> Option<Verdict> {
    if append || !path.starts_with('/') || !path.contains(['*', '?', '[']) {
        return None;
    }
    let comps: Vec<&str> = path.split('/').collect();
    let k = comps.iter().position(|c| c.contains(['*', '?', '[']))?;
    let base = if k <= 1 {
        "/".to_string()
    } else {
        comps[..k].join("/")
    };
    let rest = comps[k..].join("/");
    // What the files inside the base are: `~/.cache/*.log` are caches
    // even though `~/.cache` itself is a top-level entry of home.
    let inside = zone(&format!("{}/x", base.trim_end_matches('/')), ctx, proj);
    let (c, r, where_) = match zone(&base, ctx, proj) {
        Zone::Root | Zone::System if base == "/" => (C, "write:system", "anywhere on the machine"),
        Zone::Home | Zone::HomeTop | Zone::HomeData | Zone::HomeSensitive
            if inside != Zone::HomeDeep =>
        {
            (C, "write:home", "under your home directory")
        }
        Zone::ProjectRoot if matches!(rest.as_str(), "*" | "**" | "**/*") => {
            (C, "write:project-root", "in the whole project")
        }
        _ => return None,
    };
    Some(verdict(
        c,
        r,
        format!("Overwrites every file matching {path} {where_}; nothing brings them back."),
    ))
}

/// A move or rename; a move into `/dev/null` is a delete.
pub(super) fn move_path(from: &str, to: &str, ctx: &Context) -> Verdict {
    let proj = project(ctx);
    let zf = zone(from, ctx, proj.as_deref());
    let zt = zone(to, ctx, proj.as_deref());
    let s = format!("Moves {from}{} to {to}{}.", zone_label(zf), zone_label(zt));
    if let Some(k) = persistence_kind(to) {
        return verdict(C, &format!("persist:{k}"), s);
    }
    if zt == Zone::Null {
        return delete(from, true, ctx);
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
        // `mv x ~/.ssh/id_ed25519`: the key it lands on is gone.
        _ if zt == Zone::HomeSensitive
            && !to.ends_with('/')
            && crate::secret_paths::is_secret_path(to, ctx) =>
        {
            (C, "write:keys")
        }
        _ if zt == Zone::System && critical_system_file(to) => (C, "write:system"),
        _ => (A, "mv:file"),
    };
    verdict(c, r, s)
}

/// A change of permissions or ownership (`chmod`, `chown`, `setfacl`, …).
pub(super) fn chmod(path: &str, recursive: bool, ctx: &Context) -> Verdict {
    let proj = project(ctx);
    let z = zone(path, ctx, proj.as_deref());
    let s = format!(
        "{} permissions or ownership of {path}{}.",
        if recursive {
            "Recursively changes"
        } else {
            "Changes"
        },
        zone_label(z)
    );
    if recursive && computed_path(path, ctx) {
        return verdict(
            C,
            "chmod:recursive-critical",
            format!(
                "Recursively changes permissions of a path computed when it runs ({path}); it may be your home or `/`."
            ),
        );
    }
    let (c, r) = match z {
        Zone::Root => (C, "chmod:recursive-critical"),
        Zone::Home | Zone::ProjectAncestor | Zone::HomeSensitive if recursive => {
            (C, "chmod:recursive-critical")
        }
        Zone::System | Zone::Device | Zone::Logs if recursive || critical_system_file(path) => {
            (C, "chmod:recursive-critical")
        }
        Zone::Project | Zone::Tmp | Zone::Null if !recursive => (S, "safe:chmod-local"),
        Zone::Tmp => (S, "safe:tmp"),
        _ => (A, "chmod:change"),
    };
    verdict(c, r, s)
}

/// A path printed by a command substitution that Kintsugi could not resolve
/// (`$(find ~ …)`, `$(echo … | base64 -d)`, `$(printf %s …)`), or a value
/// rewritten by an expansion operator it could not resolve (`${X::5}`,
/// `${X%/*}`, `${HOME^^}`): it can be any path when the computed part is
/// the whole path or a decoder produced it. With a literal directory
/// before it, the path is that directory (an empty output) or an entry of
/// it: any path only when deleting that directory or an entry of it would
/// be catastrophic (`~/$(ls)`, `./$(cat f)`, `/$(x)`), not inside the
/// project (`backups/$(date +%F)`, `build-$(uname -m)`).
fn computed_path(p: &str, ctx: &Context) -> bool {
    // A computed variable's use reads as the substitution it stands for.
    let normal;
    let p = if p.contains(crate::words::COMPUTED) {
        normal = p.replace(crate::words::COMPUTED, "");
        normal.as_str()
    } else {
        p
    };
    let subst = p.find("$(").or_else(|| p.find('`'));
    let k = match (subst, crate::words::transform_at(p)) {
        (Some(a), Some(b)) => a.min(b),
        (Some(a), None) | (None, Some(a)) => a,
        (None, None) => return false,
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
    let decoded = [
        "base64", "base32", "xxd", "rev", "tr ", "printf", "openssl", "gzip", "zcat",
    ]
    .iter()
    .any(|d| inner.contains(d));
    if decoded {
        return true;
    }
    let close = if p[k..].starts_with("${") {
        // The `}` closing this `${`, over nested ones (`${HOME:0:${#HOME}}`).
        let mut depth = 0usize;
        inner.char_indices().find_map(|(i, ch)| {
            match ch {
                '{' => depth += 1,
                '}' => depth = depth.saturating_sub(1),
                _ => return None,
            }
            (depth == 0).then_some(i)
        })
    } else {
        inner.rfind([')', '`'])
    };
    let tail = close.and_then(|c| inner.get(c + 1..)).unwrap_or("");
    // `$(npm root -g)/..`: above a computed path is any path too.
    if tail.split('/').any(|c| c == "..") {
        return true;
    }
    if !(tail.is_empty() || tail == "/" || tail == "/*") {
        return false;
    }
    let prefix = &p[..k];
    if prefix.is_empty() || prefix.contains('$') {
        return true;
    }
    // The directory itself when the output is empty, or an entry of it.
    let probe = match prefix.strip_suffix('/') {
        Some("") => "/".to_string(),
        Some(dir) => dir.to_string(),
        None => format!("{prefix}x"),
    };
    delete(&probe, true, ctx).0 == C
}

/// `$DIR/`, `$DIR/*`, `${X}/…` at the start: an empty variable makes it `/`.
fn dynamic_root(p: &str) -> bool {
    let rest = p.trim_start_matches(|c: char| c != '/');
    // `${X:?}/`: the shell stops the line when X is unset or empty.
    let guarded = p.starts_with("${") && p.find('}').is_some_and(|k| p[..k].contains('?'));
    p.starts_with('$') && !guarded && (rest == "/" || rest == "/*" || rest == "/.*")
}

/// A system file or directory whose change breaks or opens the machine.
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

#[cfg(test)]
mod tests {
    use crate::testutil::expect;

    /// Paths computed when the line runs: the whole path, after a literal
    /// directory whose loss is catastrophic, or rewritten by an operator
    /// Kintsugi cannot resolve, reach any path; inside the project they
    /// stay a project delete.
    #[test]
    fn computed_paths_are_judged_by_what_precedes_them() {
        expect(&[
            ("rm -rf \"$(cat target.txt)\"", "catastrophic"),
            ("rm -rf ~/$(cat name)", "catastrophic"),
            ("rm -rf ./$(cat name)", "catastrophic"),
            ("rm -rf /$(cat name)", "catastrophic"),
            ("rm -rf \"${X%/*}\"", "catastrophic"),
            ("rm -rf ${X::3}", "catastrophic"),
            ("rm -rf \"${HOME:0:${#HOME}}\"", "catastrophic"),
            ("rm -rf \"${HOME^^}\"", "catastrophic"),
            ("rm -rf backups/$(date +%F)", "ambiguous"),
            ("rm -rf \"build-$(uname -m)\"", "ambiguous"),
            ("rm -rf \"${OUT%/}\"", "ambiguous"),
            ("rm -rf \"$X\"", "ambiguous"),
            ("rm -rf $(mktemp -d)", "safe"),
            ("rm -rf \"$(npm root -g)\"/..", "catastrophic"),
            ("rm -rf \"$(git rev-parse --git-dir)\"", "catastrophic"),
            ("cd ~ && rm -rf \"$OLDPWD\"/..", "catastrophic"),
            ("shred -u \"$(ls ~/.ssh/id_*)\"", "catastrophic"),
            ("cd src && rm -rf \"$OLDPWD/target\"", "ambiguous"),
            ("chmod -R 777 \"$(cat target.txt)\"", "catastrophic"),
            ("chmod -R u+w \"out/$(date +%F)\"", "ambiguous"),
        ]);
    }

    #[test]
    fn moving_onto_a_key_replaces_it() {
        expect(&[
            ("mv /tmp/scratch/empty ~/.ssh/id_ed25519", "catastrophic"),
            ("mv ./new-creds ~/.aws/credentials", "catastrophic"),
            ("mv /tmp/scratch/a /tmp/scratch/b", "safe"),
            ("mv src/a.rs src/b.rs", "ambiguous"),
        ]);
    }

    /// A variable assigned what a program prints is that program's output
    /// wherever it is used.
    #[test]
    fn variables_computed_at_run_time_are_unknown_paths() {
        expect(&[
            (
                "h=$(getent passwd dev | cut -d: -f6); rm -rf \"$h\"",
                "catastrophic",
            ),
            ("export T=`cat t`; rm -rf $T", "catastrophic"),
            ("local d=$(cat t); rm -rf \"$d\"", "catastrophic"),
            ("read -r d < t.txt; rm -rf \"$d\"", "catastrophic"),
            (
                "for d in $(cat dirs); do rm -rf \"$d\"; done",
                "catastrophic",
            ),
            ("h=HOME; rm -rf \"${!h}\"", "catastrophic"),
            ("X=$(cat t) sh -c 'rm -rf \"$X\"'", "catastrophic"),
            ("env D=\"$(cat t)\" bash -c 'rm -rf \"$D\"'", "catastrophic"),
            ("X=/tmp/scratch/b sh -c 'rm -rf \"$X\"'", "safe"),
            ("h=$(cat t); a=$h; b=\"$a\"; rm -rf \"$b\"", "catastrophic"),
            ("d=$(date +%F); rm -rf \"backups/$d\"", "ambiguous"),
            ("d=$(mktemp -d); rm -rf \"$d\"", "safe"),
            ("v=$(cat VERSION); echo \"$v\"", "safe"),
            ("read -r -p 'go? ' a; echo \"$a\"", "safe"),
            (
                "find ~ -maxdepth 0 | while read -r d; do rm -rf \"$d\"; done",
                "catastrophic",
            ),
            (
                "ls -d ~ | while read d; do rm -rf \"$d\"; done",
                "catastrophic",
            ),
            (
                "some-tool | while read d; do rm -rf \"$d\"; done",
                "catastrophic",
            ),
            ("read -r d <<< ~; rm -rf \"$d\"", "catastrophic"),
            (
                "find . -name node_modules -type d | while read -r d; do rm -rf \"$d\"; done",
                "ambiguous",
            ),
            ("read -r d <<< build; rm -rf \"$d\"", "ambiguous"),
            ("cat dirs.txt | xargs rm -rf", "catastrophic"),
            ("xargs --arg-file=dirs.txt rm -rf", "catastrophic"),
            (
                "find . -name node_modules -prune | xargs rm -rf",
                "ambiguous",
            ),
            ("cat stale.txt | xargs rm -f", "ambiguous"),
        ]);
    }

    #[test]
    fn a_guarded_expansion_is_never_empty() {
        expect(&[
            ("rm -rf \"${PROJECT_DIR:?}/\"", "ambiguous"),
            ("rm -rf \"${BUILD:?unset}\"/*", "ambiguous"),
            ("rm -rf \"$BUILD\"/*", "catastrophic"),
            ("rm -rf \"${HOME:?}/\"", "catastrophic"),
        ]);
    }
}
