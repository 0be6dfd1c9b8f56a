//! Where a resolved path lives (root, system, home, project, `.git`, /tmp, a
//! block device, …) and whether it holds credentials. Rules read these zones.

use crate::Context;
use crate::secret_paths::glob_match;
use std::path::Path;

/// The zone of an absolute path, from most to least dangerous in spirit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Zone {
    Root,
    System,
    Logs,
    Device,
    Home,
    HomeSensitive,
    HomeTop,
    /// Deep inside home, not a cache: documents, configs, keys.
    HomeData,
    /// Caches under home, or some files matched by a pattern.
    HomeDeep,
    ProjectAncestor,
    ProjectRoot,
    GitDir,
    GitInternal,
    Project,
    TmpRoot,
    Tmp,
    Null,
    Outside,
    Unknown,
}

const SYSTEM_TOP: &[&str] = &[
    "etc",
    "usr",
    "bin",
    "sbin",
    "lib",
    "lib32",
    "lib64",
    "libx32",
    "boot",
    "var",
    "opt",
    "root",
    "srv",
    "sys",
    "proc",
    "dev",
    "home",
    "snap",
    "System",
    "Library",
    "Applications",
    "private",
    "Users",
    "nix",
    "run",
    "mnt",
    "media",
    "Volumes",
    "data",
    "backup",
    "backups",
    "var",
    "export",
    "vol",
];
const HOME_SENSITIVE: &[&str] = &[
    ".ssh",
    ".gnupg",
    ".aws",
    ".kube",
    ".config",
    ".docker",
    ".azure",
    ".password-store",
    ".local",
    ".bashrc",
    ".zshrc",
    ".profile",
    ".bash_profile",
    ".gitconfig",
];
const HOME_CACHE: &[&str] = &[
    ".cache",
    ".npm",
    ".yarn",
    ".pnpm-store",
    ".bun",
    ".gradle",
    ".m2",
    ".ivy2",
    ".nuget",
    "tmp",
    ".tmp",
    "Downloads",
    ".node-gyp",
    ".pyenv",
    ".nvm",
    ".rustup",
    ".cargo",
    ".go",
    "go",
    ".vscode-server",
    ".ccache",
    ".sbt",
    ".stack",
    ".cabal",
    ".deno",
    ".expo",
    ".android",
    ".venv",
    ".virtualenvs",
    ".conda",
    "Library/Caches",
];

pub(crate) fn under<'a>(p: &'a str, base: &str) -> Option<&'a str> {
    if base == "/" {
        return p.strip_prefix('/');
    }
    p.strip_prefix(base).and_then(|r| {
        if r.is_empty() {
            Some("")
        } else {
            r.strip_prefix('/')
        }
    })
}

fn is_globby(s: &str) -> bool {
    s.contains(['*', '?', '[', '$', '`'])
}

/// A glob component that matches nearly every name in its directory: a `*`
/// with nothing literal beside it but character classes (`[a-z]*`,
/// `[!.]*`, `[[:alpha:]]*`, `*[0-9]`, `?*`).
fn sweeping_glob(comp: &str) -> bool {
    if !comp.contains('*') {
        return false;
    }
    let mut literal = String::new();
    let mut chars = comp.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '*' | '?' => {}
            '[' => {
                // Read the class, `[[:alpha:]]` and `[]x]` included. Only a
                // broad one sweeps: negated, a letter range or a POSIX
                // class of letters (`[0-9]*` picks a few names).
                let mut depth = 1;
                let mut first = true;
                let mut class = String::new();
                while let Some(x) = chars.next() {
                    if x == '[' && chars.peek() == Some(&':') {
                        depth += 1;
                    } else if x == ']' && !first {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    class.push(x);
                    first = false;
                }
                let broad = class.starts_with(['!', '^'])
                    || class.contains("a-z")
                    || class.contains("A-Z")
                    || ["alpha", "alnum", "lower", "upper", "print", "graph", "word"]
                        .iter()
                        .any(|k| class.contains(&format!(":{k}:")));
                if !broad {
                    return false;
                }
            }
            _ => literal.push(ch),
        }
    }
    literal.is_empty() || literal == "." && comp.starts_with('.')
}

/// The effective project root: the given one, or the working directory when
/// that is neither home, `/`, nor a system directory.
pub(crate) fn project_root(ctx: &Context, cwd: &Path) -> Option<String> {
    if let Some(p) = &ctx.project_root {
        return Some(crate::words::normalize(p));
    }
    let c = crate::words::normalize(cwd);
    let h = crate::words::normalize(&ctx.home);
    if c == "/" || c == h || h.starts_with(&format!("{c}/")) {
        return None;
    }
    let top = c.trim_start_matches('/').split('/').next().unwrap_or("");
    if SYSTEM_TOP.contains(&top) && under(&c, &h).is_none() && top != "home" && top != "Users" {
        return None;
    }
    Some(c)
}

/// Zone of `path` (absolute, may contain globs or unresolved expansions).
/// The scratch zone of `path` when it lies under a temp dir.
fn tmp_zone(path: &str) -> Option<Zone> {
    ["/tmp", "/var/tmp", "/dev/shm", "/private/tmp"]
        .iter()
        .find_map(|t| {
            under(path, t).map(|r| {
                if r.is_empty() {
                    Zone::TmpRoot
                } else {
                    Zone::Tmp
                }
            })
        })
}

pub(crate) fn zone(path: &str, ctx: &Context, project: Option<&str>) -> Zone {
    if !path.starts_with('/') {
        return Zone::Unknown;
    }
    // Globs and unresolved expansions: judge the fixed prefix.
    if is_globby(path) {
        let comps: Vec<&str> = path.split('/').collect();
        let k = comps
            .iter()
            .position(|c| is_globby(c))
            .unwrap_or(comps.len());
        let base = if k <= 1 {
            "/".to_string()
        } else {
            comps[..k].join("/")
        };
        let rest = &comps[k..];
        // `.git/**/*.pack` (what `find .git -name '*.pack'` reaches): a
        // pattern that reaches down into a repository database's packs or
        // refs is that database (`.git/**/*.lock`, stale locks, is not).
        let last = rest.last().copied().unwrap_or("");
        let objects = ["pack-0.pack", "pack-0.idx", "HEAD", "main"]
            .iter()
            .any(|o| glob_match(last, o));
        if rest.contains(&"**") && objects && zone(&base, ctx, project) == Zone::GitDir {
            return Zone::GitDir;
        }
        let everything = rest.len() == 1
            && matches!(
                rest[0],
                "*" | ".*" | "**" | "{*,.*}" | ".[!.]*" | "*.*" | "?*"
            );
        if rest
            .first()
            .is_some_and(|c| c.starts_with('$') || c.starts_with('`'))
        {
            // `$DIR` may be empty: `/x/$DIR` can mean `/x` itself.
            return zone(&base, ctx, project);
        }
        if everything || (rest.len() == 1 && sweeping_glob(rest[0])) {
            let z = zone(&base, ctx, project);
            // `~/.cache/*`: everything in a cache is still regenerable.
            if z == Zone::HomeTop && zone(&format!("{base}/x"), ctx, project) == Zone::HomeDeep {
                return Zone::HomeDeep;
            }
            return z;
        }
        // `~/*/.git`, `./*/.git`: the repository database of every
        // directory the pattern reaches (one of them stands for all).
        if glob_match(last, ".git") && !glob_match(last, "src") {
            let mut g = if base == "/" {
                String::new()
            } else {
                base.clone()
            };
            for _ in 1..rest.len() {
                g.push_str("/x");
            }
            g.push_str("/.git");
            let z = zone(&g, ctx, project);
            if z == Zone::GitDir {
                return z;
            }
        }
        // `~/.*rc`, `~/.bash*` (or `~/**/.*rc`, what `find ~ -name '.*rc'`
        // reaches): a pattern at the top of home that matches a login's own
        // files (shell start-up, keys, settings).
        if rest[..rest.len().saturating_sub(1)]
            .iter()
            .all(|c| *c == "**")
            && base == crate::words::normalize(&ctx.home)
            && HOME_SENSITIVE.iter().any(|name| glob_match(last, name))
        {
            return Zone::HomeSensitive;
        }
        let child = if base == "/" {
            "/x".to_string()
        } else {
            format!("{base}/x")
        };
        return match zone(&child, ctx, project) {
            // `~/.ssh/id_*`, `~/.gnupg/*.key`: any entry of a key store is keys.
            Zone::HomeSensitive if is_key_store(&base) => Zone::HomeSensitive,
            Zone::HomeTop | Zone::HomeSensitive | Zone::HomeData => Zone::HomeDeep,
            z => z,
        };
    }
    if path == "/" {
        return Zone::Root;
    }
    if matches!(
        path,
        "/dev/null"
            | "/dev/stdout"
            | "/dev/stderr"
            | "/dev/tty"
            | "/dev/zero"
            | "/dev/random"
            | "/dev/urandom"
    ) || path.starts_with("/dev/fd/")
    {
        return Zone::Null;
    }
    if is_block_device(path) {
        return Zone::Device;
    }
    let home = crate::words::normalize(&ctx.home);
    if home != "/" && under(&home, path).is_some_and(|r| !r.is_empty()) {
        return Zone::System;
    }
    // Home itself is home even when it lies inside a project tree.
    if path == home {
        return Zone::Home;
    }
    // With no known project root (the cwd stands in for one), a cwd under
    // /tmp is scratch space.
    if ctx.project_root.is_none()
        && under(path, &home).is_none()
        && let Some(z) = tmp_zone(path)
    {
        return z;
    }
    if let Some(proj) = project {
        if path == proj {
            return Zone::ProjectRoot;
        }
        if let Some(r) = under(proj, path)
            && !r.is_empty()
        {
            return if path == home {
                Zone::Home
            } else {
                Zone::ProjectAncestor
            };
        }
        if let Some(r) = under(path, proj) {
            let comps: Vec<&str> = r.split('/').collect();
            if let Some(g) = comps.iter().position(|c| *c == ".git") {
                let after = &comps[g + 1..];
                return if after.is_empty()
                    || matches!(after[0], "objects" | "refs" | "logs" | "HEAD")
                {
                    Zone::GitDir
                } else {
                    Zone::GitInternal
                };
            }
            return Zone::Project;
        }
    }
    if path == home {
        return Zone::Home;
    }
    if let Some(r) = under(path, &home) {
        let first = r.split('/').next().unwrap_or("");
        if r.ends_with("/.git") || r == ".git" {
            return Zone::GitDir;
        }
        if HOME_CACHE
            .iter()
            .any(|c| under(r, c).is_some_and(|x| !x.is_empty()))
        {
            return Zone::HomeDeep;
        }
        if HOME_SENSITIVE.contains(&first) {
            return Zone::HomeSensitive;
        }
        return if !r.contains('/') {
            Zone::HomeTop
        } else {
            Zone::HomeData
        };
    }
    // Scratch space counts only outside home and a known project: a HOME or
    // a git project that happens to live under /tmp keeps its protection.
    if let Some(z) = tmp_zone(path) {
        return z;
    }
    if path.starts_with("/var/log") {
        return Zone::Logs;
    }
    let top = path.trim_start_matches('/').split('/').next().unwrap_or("");
    if SYSTEM_TOP.contains(&top) {
        return Zone::System;
    }
    if path.ends_with("/.git") {
        return Zone::GitDir;
    }
    if path.matches('/').count() == 1 {
        // A top-level directory we do not know (`/data`, `/work`).
        return Zone::System;
    }
    Zone::Outside
}

/// Raw block devices and memory.
pub(crate) fn is_block_device(p: &str) -> bool {
    let Some(d) = p.strip_prefix("/dev/") else {
        return false;
    };
    [
        "sd", "hd", "vd", "xvd", "nvme", "mmcblk", "disk", "mapper/", "md", "loop", "dm-", "sr",
    ]
    .iter()
    .any(|x| d.starts_with(x))
        || matches!(d, "mem" | "kmem" | "port")
}

/// A human label for a zone, used in sentences.
pub(crate) fn zone_label(z: Zone) -> &'static str {
    match z {
        Zone::Root => " (the whole filesystem)",
        Zone::System => " (a system path)",
        Zone::Logs => " (system logs)",
        Zone::Device => " (a block device)",
        Zone::Home => " (your home directory)",
        Zone::HomeSensitive => " (configuration or keys in your home directory)",
        Zone::HomeTop => " (a top-level folder of your home directory)",
        Zone::HomeData => " (your files outside the project)",
        Zone::ProjectAncestor => " (a folder containing the project)",
        Zone::ProjectRoot => " (the project root)",
        Zone::GitDir => " (the git repository database)",
        Zone::Unknown => " (a path that is only known at run time)",
        _ => "",
    }
}

/// A directory whose entries are keys or credentials, whatever their names.
fn is_key_store(dir: &str) -> bool {
    [
        "/.ssh",
        "/.gnupg",
        "/.aws",
        "/.kube",
        "/.password-store",
        "/.gnupg/private-keys-v1.d",
    ]
    .iter()
    .any(|d| dir.ends_with(d))
}

/// Shell startup files whose modification persists across sessions.
pub(crate) fn is_shell_rc(p: &str) -> bool {
    let b = crate::words::basename(p);
    matches!(
        b,
        ".bashrc"
            | ".bash_profile"
            | ".bash_login"
            | ".bash_logout"
            | ".profile"
            | ".zshrc"
            | ".zprofile"
            | ".zshenv"
            | ".zlogin"
            | ".kshrc"
            | ".cshrc"
            | ".tcshrc"
            | "config.fish"
            | "bash.bashrc"
            | "environment"
    ) || p.starts_with("/etc/profile")
}

/// Paths whose modification installs persistence (cron, systemd, keys, …).
pub(crate) fn persistence_kind(p: &str) -> Option<&'static str> {
    let owned = format!("{p}/");
    let p = owned.as_str();
    let p = if p.ends_with("//") {
        &p[..p.len() - 1]
    } else {
        p
    };
    if p.contains("/.git/hooks/") || p.ends_with("/.githooks/") {
        return Some("git-hook");
    }
    let p = p.trim_end_matches('/');
    if p.is_empty() {
        return None;
    }
    if is_shell_rc(p) || p.ends_with("/.inputrc") {
        return Some("shell-rc");
    }
    if p.ends_with("/authorized_keys") || p.ends_with("/authorized_keys2") {
        return Some("authorized-keys");
    }
    if p.starts_with("/etc/cron") || p.starts_with("/var/spool/cron") || p.contains("/crontabs/") {
        return Some("cron");
    }
    let d = format!("{p}/");
    if d.contains("/systemd/system/")
        || d.contains("/systemd/user/")
        || p.ends_with(".service")
        || p.ends_with(".timer")
    {
        return Some("systemd");
    }
    if d.contains("/LaunchAgents/") || d.contains("/LaunchDaemons/") {
        return Some("launchd");
    }
    if matches!(p, "/etc/rc.local" | "/etc/ld.so.preload" | "/etc/sudoers")
        || p.starts_with("/etc/init.d/")
        || p.starts_with("/etc/sudoers.d/")
        || d.starts_with("/etc/xdg/autostart/")
        || d.contains("/.config/autostart/")
        || p.starts_with("/etc/profile.d")
        || p.starts_with("/etc/update-motd.d")
        || p.starts_with("/etc/systemd/")
    {
        return Some("system-startup");
    }
    None
}

/// Files that are the shell's history.
pub(crate) fn is_history_file(p: &str) -> bool {
    matches!(
        crate::words::basename(p),
        ".bash_history"
            | ".zsh_history"
            | ".history"
            | ".sh_history"
            | "fish_history"
            | ".python_history"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret_paths::is_secret_path;
    use std::path::PathBuf;

    fn ctx() -> Context {
        Context {
            cwd: PathBuf::from("/home/dev/proj"),
            home: PathBuf::from("/home/dev"),
            project_root: None,
        }
    }

    /// Any entry of a key store is keys, whatever glob names it; a glob
    /// elsewhere in home is a file deep in home.
    #[test]
    fn globs_inside_key_stores_are_keys() {
        let c = ctx();
        let p = Some("/home/dev/proj");
        assert_eq!(zone("/home/dev/.ssh/id_*", &c, p), Zone::HomeSensitive);
        assert_eq!(zone("/home/dev/.gnupg/*.key", &c, p), Zone::HomeSensitive);
        assert_eq!(zone("/home/dev/.aws/cred*", &c, p), Zone::HomeSensitive);
        assert_eq!(zone("/home/dev/Downloads/*.log", &c, p), Zone::HomeDeep);
    }

    #[test]
    fn zones() {
        let c = ctx();
        let p = Some("/home/dev/proj");
        assert_eq!(zone("/", &c, p), Zone::Root);
        assert_eq!(zone("/*", &c, p), Zone::Root);
        assert_eq!(zone("/home/dev", &c, p), Zone::Home);
        assert_eq!(zone("/home/dev/*", &c, p), Zone::Home);
        assert_eq!(zone("/home/dev/proj", &c, p), Zone::ProjectRoot);
        assert_eq!(zone("/home/dev/proj/*", &c, p), Zone::ProjectRoot);
        assert_eq!(zone("/home/dev/proj/*.o", &c, p), Zone::Project);
        assert_eq!(zone("/home/dev/proj/.git", &c, p), Zone::GitDir);
        assert_eq!(zone("/home/dev/proj/target", &c, p), Zone::Project);
        assert_eq!(zone("/tmp/x", &c, p), Zone::Tmp);
        assert_eq!(zone("/etc", &c, p), Zone::System);
        assert_eq!(zone("/dev/sda", &c, p), Zone::Device);
        assert_eq!(zone("/home/dev/.cache/pip", &c, p), Zone::HomeDeep);
        assert_eq!(zone("/home/dev/.cache/*", &c, p), Zone::HomeDeep);
        assert_eq!(zone("/home/dev/Documents/*", &c, p), Zone::HomeTop);
        assert_eq!(zone("/home/dev/.ssh", &c, p), Zone::HomeSensitive);
    }

    #[test]
    fn globs_that_match_nearly_everything_reach_their_directory() {
        let c = ctx();
        let p = Some("/home/dev/proj");
        for g in [
            "[a-z]*",
            "[!.]*",
            "[[:alpha:]]*",
            "*[a-z]",
            "[A-Za-z0-9]*",
            "?*",
        ] {
            assert_eq!(zone(&format!("/home/dev/{g}"), &c, p), Zone::Home, "{g}");
        }
        assert_eq!(zone("/[a-z]*", &c, p), Zone::Root);
        assert_eq!(zone("/home/dev/proj/[a-z]*", &c, p), Zone::ProjectRoot);
        for g in [
            "*.log",
            "core.[0-9]*",
            "build*",
            "*~",
            "[a-z]*.bak",
            "*.[0-9]",
            "[0-9]*",
            "*[0-9]",
        ] {
            assert_ne!(zone(&format!("/home/dev/{g}"), &c, p), Zone::Home, "{g}");
        }
        // A pattern at the top of home that matches a login's own files.
        for g in [".*rc", ".bash*", ".ss?", ".[bz]shrc", ".gitc*", "**/.*rc"] {
            let z = zone(&format!("/home/dev/{g}"), &c, p);
            assert_eq!(z, Zone::HomeSensitive, "{g}");
        }
        assert_eq!(zone("/home/dev/*.log", &c, p), Zone::HomeDeep);
        assert_eq!(
            zone("/home/dev/proj/.*rc", &c, p),
            zone("/home/dev/proj/x", &c, p)
        );
    }

    #[test]
    fn secrets() {
        let c = ctx();
        assert!(is_secret_path("/home/dev/.ssh/id_rsa", &c));
        assert!(!is_secret_path("/home/dev/.ssh/id_rsa.pub", &c));
        assert!(is_secret_path("/home/dev/proj/.env", &c));
        assert!(is_secret_path("/home/dev/proj/.env.production", &c));
        assert!(!is_secret_path("/home/dev/proj/.env.example", &c));
        assert!(is_secret_path("/home/dev/.aws/credentials", &c));
        assert!(!is_secret_path("/home/dev/.aws/config", &c));
        assert!(is_secret_path("/etc/shadow", &c));
        assert!(!is_secret_path("/home/dev/proj/certs/server-cert.pem", &c));
    }
}
