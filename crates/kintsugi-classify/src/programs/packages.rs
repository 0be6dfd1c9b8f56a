//! Package managers and build tools: installing or removing named packages is
//! ambiguous; installing a project's own locked dependencies, building,
//! testing and linting are safe; formatters that rewrite files are ambiguous;
//! `npx`/`uvx`-style runners are peeled to the tool they run.

use super::Cmd;
use crate::effects::Effect;
use crate::engine::Engine;

fn pkg(e: &mut Engine, manager: &str, what: String) {
    e.add(Effect::PackageChange {
        manager: manager.into(),
        what,
    });
}

fn fmt(e: &mut Engine, c: &Cmd, what: &str) {
    e.add(Effect::Change {
        program: c.name.clone(),
        what: format!("rewrites files in place ({what})"),
    });
}

pub(crate) fn handle(e: &mut Engine, c: &Cmd) -> bool {
    let n = c.name.as_str();
    let pos: Vec<String> = c.positional().iter().map(|w| w.text.clone()).collect();
    let p = |k: usize| pos.get(k).map(String::as_str).unwrap_or("");
    let global = c.short('g') || c.long("--global") || c.long("--location=global");
    match n {
        "npm" | "pnpm" | "yarn" | "bun" | "cnpm" => {
            let sub = p(0);
            match sub {
                "install" | "i" | "add" | "ci" | "isntall" => {
                    if pos.len() > 1 || global || sub == "add" && n != "bun" && pos.len() > 1 {
                        pkg(e, n, format!("installs {}", pos[1..].join(" ")));
                    } else if sub == "add" && pos.len() > 1 {
                        pkg(e, n, format!("adds {}", pos[1..].join(" ")));
                    }
                }
                "uninstall" | "remove" | "rm" | "un" | "unlink" | "link" | "update" | "upgrade"
                | "up" | "dedupe" | "prune" => {
                    if !(sub == "update" || sub == "up" || sub == "upgrade")
                        || global
                        || pos.len() > 1
                    {
                        pkg(e, n, format!("{sub} {}", pos[1..].join(" ")));
                    }
                }
                "publish" | "unpublish" | "deprecate" | "owner" | "dist-tag" | "access"
                | "adduser" | "login" | "logout" => {
                    if !c.dry_run() {
                        if sub == "unpublish" {
                            e.add(Effect::CloudDestroy {
                                tool: n.into(),
                                what: format!("{n} unpublish"),
                            });
                        } else {
                            e.add(Effect::Change {
                                program: n.into(),
                                what: format!("runs `{n} {sub}`"),
                            });
                        }
                    }
                }
                "run" | "run-script" | "test" | "t" | "start" | "build" | "lint" | "exec" | "x"
                | "dlx" | "create" | "init" | "audit" | "outdated" | "ls" | "list" | "view"
                | "info" | "why" | "pack" | "version" | "config" | "cache" => {
                    let script = if matches!(sub, "run" | "run-script") {
                        p(1)
                    } else {
                        sub
                    };
                    let s = script.to_ascii_lowercase();
                    if matches!(sub, "exec" | "x" | "dlx" | "create") {
                        runner(e, c, 1);
                    } else if [
                        "deploy", "publish", "release", "destroy", "drop", "reset", "nuke",
                    ]
                    .iter()
                    .any(|k| s.contains(k))
                    {
                        e.add(Effect::Change {
                            program: n.into(),
                            what: format!("runs the `{script}` script"),
                        });
                    } else if ["format", "fmt", "prettier", "fix"]
                        .iter()
                        .any(|k| s.contains(k))
                        && !s.contains("check")
                    {
                        fmt(e, c, script);
                    } else if sub == "config"
                        && p(1) == "set"
                        && pos.iter().any(|x| {
                            x.starts_with("script-shell")
                                || x.starts_with("node-options")
                                || x.starts_with("ignore-scripts=false")
                                || x == "prefix"
                        })
                    {
                        e.add(Effect::Persistence {
                            what: format!("{n} config {} runs a program for every script", p(2)),
                            path: "~/.npmrc".into(),
                        });
                    } else if sub == "audit" && p(1) == "fix"
                        || sub == "cache" && matches!(p(1), "clean" | "clear")
                    {
                        pkg(e, n, format!("{sub} {}", p(1)));
                    }
                }
                _ => {
                    if n == "yarn"
                        && !sub.is_empty()
                        && ["deploy", "publish", "release", "destroy"]
                            .iter()
                            .any(|k| sub.contains(k))
                    {
                        e.add(Effect::Change {
                            program: n.into(),
                            what: format!("runs the `{sub}` script"),
                        });
                    }
                }
            }
            true
        }
        "npx" | "pnpx" | "bunx" | "uvx" => {
            runner(e, c, 0);
            true
        }
        "pipx" if p(0) == "run" => {
            runner(e, c, 1);
            true
        }
        "pip" | "pip3" | "pipx" | "uv" | "poetry" | "pipenv" | "conda" | "mamba" | "micromamba"
        | "gem" | "bundle" | "composer" | "cpan" | "cpanm" | "go" | "cargo" | "rustup"
        | "dotnet" | "nuget" | "mvn" | "gradle" | "./gradlew" | "gradlew" | "sbt" | "stack"
        | "cabal" | "opam" | "nix-env" | "nix" | "hex" | "luarocks" | "deno" => lang_pm(e, c, &pos),
        "apt" | "apt-get" | "aptitude" | "yum" | "dnf" | "zypper" | "pacman" | "yay" | "paru"
        | "apk" | "brew" | "port" | "snap" | "flatpak" | "choco" | "winget" | "scoop" | "dpkg"
        | "rpm" | "emerge" | "xbps-install" | "pkg" => {
            let sub = p(0);
            let read = matches!(
                sub,
                "list"
                    | "search"
                    | "show"
                    | "info"
                    | "policy"
                    | "depends"
                    | "rdepends"
                    | "query"
                    | "list-installed"
                    | "outdated"
                    | "doctor"
                    | "config"
                    | "--version"
                    | "madison"
                    | "desc"
                    | "home"
                    | "deps"
                    | "uses"
                    | "leaves"
            ) || (n == "pacman"
                && (c.args.iter().any(|a| {
                    a.text.starts_with("-Q")
                        || a.text.starts_with("-Ss")
                        || a.text.starts_with("-Si")
                })))
                || (n == "dpkg"
                    && (c.short('l')
                        || c.short('L')
                        || c.short('s')
                        || c.long("--list")
                        || c.long("--get-selections")
                        || c.long("--print-architecture")))
                || (n == "rpm" && c.args.iter().any(|a| a.text.starts_with("-q")));
            if !read
                && !c.dry_run()
                && !c.args.is_empty()
                && !(n == "brew"
                    && matches!(sub, "--prefix" | "shellenv" | "--cellar" | "--repository"))
            {
                pkg(e, n, pos.join(" "));
            }
            true
        }
        "cmake" if c.sub(0) == "-E" || c.has(&["-E"]) => {
            let k = c.args.iter().position(|w| w.text == "-E").unwrap_or(0);
            let sub = c.args.get(k + 1).map(|w| w.text.as_str()).unwrap_or("");
            let targets: Vec<String> = c
                .args
                .get(k + 2..)
                .unwrap_or(&[])
                .iter()
                .filter(|w| !w.text.starts_with('-'))
                .map(|w| w.text.clone())
                .collect();
            let recursive = matches!(sub, "remove_directory" | "rm")
                && (sub == "remove_directory"
                    || c.args
                        .iter()
                        .any(|w| w.text.contains('r') && w.text.starts_with('-')));
            if matches!(sub, "rm" | "remove" | "remove_directory") {
                for t in targets {
                    let p = e.path(&t);
                    e.add(Effect::Delete { path: p, recursive });
                }
            }
            true
        }
        "cargo-fmt" | "rustfmt" | "black" | "isort" | "autopep8" | "yapf" | "gofmt"
        | "goimports" | "clang-format" | "shfmt" | "stylua" | "dprint" | "biome" | "prettier"
        | "ruff" | "eslint" | "rubocop" | "standardrb" | "swiftformat" | "ktlint"
        | "php-cs-fixer" | "terraform-fmt" | "mix-format" => {
            let check = c.long("--check")
                || c.has(&["-l", "--list-different", "-d", "--diff"])
                || c.long("--dry-run");
            let writes = match n {
                "prettier" | "biome" | "dprint" => {
                    c.short('w')
                        || c.long("--write")
                        || p(0) == "format" && c.long("--write")
                        || p(0) == "fmt"
                        || (n == "biome" && (c.long("--apply") || c.long("--fix")))
                }
                "eslint" | "rubocop" | "standardrb" | "ktlint" | "stylua" => {
                    c.long("--fix")
                        || c.short('a') && n == "rubocop"
                        || c.short('A')
                        || c.short('F') && n == "ktlint"
                        || n == "stylua"
                }
                "gofmt" | "goimports" | "shfmt" => c.short('w'),
                "clang-format" => c.short('i'),
                "autopep8" | "yapf" => c.short('i') || c.long("--in-place"),
                "ruff" => p(0) == "format" || c.long("--fix"),
                "php-cs-fixer" => p(0) == "fix",
                _ => true,
            };
            if writes && !check {
                fmt(e, c, n);
            }
            true
        }
        "make" | "gmake" | "just" | "task" | "mage" | "invoke" | "nox" | "tox" => {
            if c.short('n') && n == "make" || c.long("--just-print") || c.long("--recon") {
                return true;
            }
            if let Some(f) = c.opt(&["-f", "--file", "--makefile"])
                && (f.text == "-" || f.text == "/dev/stdin")
                && let crate::engine::Stdin::Literal(t) = &c.stdin
            {
                let recipes: Vec<String> = t
                    .lines()
                    .filter_map(|l| l.strip_prefix('\t'))
                    .map(|l| l.trim_start_matches(['@', '-']).to_string())
                    .collect();
                let mut via = c.via.clone();
                via.push("make recipe".into());
                for r in recipes.iter().take(16) {
                    e.run_script(r, &via, c.depth + 1, &crate::engine::Stdin::Terminal);
                }
            }
            for t in &pos {
                let l = t.to_ascii_lowercase();
                if [
                    "deploy",
                    "publish",
                    "release",
                    "install",
                    "destroy",
                    "push",
                    "upload",
                    "uninstall",
                    "drop",
                    "nuke",
                    "reset-db",
                    "db-reset",
                    "prod",
                ]
                .iter()
                .any(|k| l.contains(k))
                {
                    e.add(Effect::Change {
                        program: n.into(),
                        what: format!("runs the `{t}` target"),
                    });
                } else if l == "fmt" || l == "format" {
                    fmt(e, c, t);
                }
            }
            true
        }
        _ => false,
    }
}

/// `npx tool args`: analyse `tool args`; unknown tools fetched from a
/// registry are ambiguous.
fn runner(e: &mut Engine, c: &Cmd, skip: usize) {
    let mut i = 0;
    let mut seen = 0;
    while i < c.args.len() {
        let a = c.args[i].text.as_str();
        if a == "--" {
            i += 1;
            break;
        }
        if a.starts_with('-') {
            i += if matches!(
                a,
                "-p" | "--package" | "--from" | "--with" | "-c" | "--call"
            ) {
                2
            } else {
                1
            };
            continue;
        }
        if seen < skip {
            seen += 1;
            i += 1;
            continue;
        }
        break;
    }
    let inner = c.args[i.min(c.args.len())..].to_vec();
    let Some(first) = inner.first() else { return };
    let tool = first
        .text
        .split('@')
        .next()
        .unwrap_or(&first.text)
        .rsplit('/')
        .next()
        .unwrap_or("")
        .to_string();
    let tool = if tool.is_empty() {
        first
            .text
            .trim_start_matches('@')
            .split('/')
            .next_back()
            .unwrap_or("")
            .to_string()
    } else {
        tool
    };
    let mut argv = inner.clone();
    argv[0].text = tool.clone();
    let known = crate::safe_list::is_known_safe(&tool)
        || crate::safe_list::is_build(&tool, &[])
        || matches!(
            tool.as_str(),
            "prisma"
                | "sequelize"
                | "knex"
                | "typeorm"
                | "drizzle-kit"
                | "supabase"
                | "vercel"
                | "netlify"
                | "firebase"
                | "wrangler"
                | "cdk"
                | "serverless"
                | "sls"
                | "rimraf"
                | "prettier"
                | "eslint"
                | "biome"
                | "dotenv"
                | "dotenvx"
                | "kill-port"
                | "del-cli"
                | "trash-cli"
        );
    let mut via = c.via.clone();
    via.push(c.name.clone());
    if tool == "rimraf" || tool == "del-cli" {
        for w in &inner[1..] {
            if !w.text.starts_with('-') {
                let p = e.path(&w.text);
                e.add(Effect::Delete {
                    path: p,
                    recursive: true,
                });
            }
        }
        return;
    }
    if !known
        && (first.text.contains("://")
            || first.text.starts_with("git+")
            || first.text.starts_with("github:"))
    {
        e.add(Effect::DownloadExec {
            source: first.text.clone(),
            interpreter: c.name.clone(),
        });
    }
    e.run_argv(argv, Vec::new(), c.stdin.clone(), via, c.depth + 1);
}

fn lang_pm(e: &mut Engine, c: &Cmd, pos: &[String]) -> bool {
    let n = c.name.as_str();
    let p = |k: usize| pos.get(k).map(String::as_str).unwrap_or("");
    let sub = p(0);
    let from_project = c.has(&["-r", "--requirement", "-e", "--editable"]) && pos.len() <= 2
        || pos.get(1).is_some_and(|x| x == "." || x.starts_with("-r"));
    match n {
        "pip" | "pip3" | "pipx" => {
            if let Some(u) = pos
                .iter()
                .find(|x| x.contains("://") || x.starts_with("git+"))
            {
                e.add(Effect::DownloadExec {
                    source: u.clone(),
                    interpreter: format!("{n} install (runs its build scripts)"),
                });
                return true;
            }
            if matches!(sub, "install" | "uninstall" | "download")
                && !from_project
                && !c.dry_run()
                && !(sub == "install" && pos.len() <= 1)
            {
                pkg(e, n, pos.join(" "));
            }
        }
        "uv" => match sub {
            "pip"
                if matches!(p(1), "install" | "uninstall")
                    && !(c.has(&["-r", "-e"]) && pos.len() <= 3) =>
            {
                pkg(e, n, pos.join(" "))
            }
            "add" | "remove" | "tool" if sub != "tool" || p(1) == "install" => {
                pkg(e, n, pos.join(" "))
            }
            "run" => {
                let k = c.args.iter().position(|w| w.text == "run").unwrap_or(0);
                let mut j = k + 1;
                while j < c.args.len() && c.args[j].text.starts_with('-') {
                    j += if matches!(
                        c.args[j].text.as_str(),
                        "--with" | "--python" | "-p" | "--package" | "--directory" | "--project"
                    ) {
                        2
                    } else {
                        1
                    };
                }
                let inner = c.args[j.min(c.args.len())..].to_vec();
                if !inner.is_empty() {
                    let mut via = c.via.clone();
                    via.push("uv run".into());
                    e.run_argv(inner, Vec::new(), c.stdin.clone(), via, c.depth + 1);
                }
            }
            _ => {}
        },
        "poetry" | "pipenv" | "bundle" | "composer" | "conda" | "mamba" | "micromamba" => match sub
        {
            "add" | "remove" | "require" | "uninstall" | "update" | "upgrade" | "self" => {
                pkg(e, n, pos.join(" "))
            }
            "install"
                if pos.len() > 1 && !matches!(n, "poetry" | "bundle" | "composer")
                    || matches!(n, "conda" | "mamba" | "micromamba") && pos.len() > 1 =>
            {
                pkg(e, n, pos.join(" "))
            }
            "run" | "exec" => {
                let k = c.args.iter().position(|w| w.text == sub).unwrap_or(0);
                let mut j = k + 1;
                while j < c.args.len() && c.args[j].text.starts_with('-') {
                    j += if matches!(c.args[j].text.as_str(), "-n" | "--name" | "-p" | "--prefix") {
                        2
                    } else {
                        1
                    };
                }
                let inner = c.args[j.min(c.args.len())..].to_vec();
                if !inner.is_empty() {
                    let mut via = c.via.clone();
                    via.push(format!("{n} {sub}"));
                    e.run_argv(inner, Vec::new(), c.stdin.clone(), via, c.depth + 1);
                }
            }
            "publish" | "remove-" if !c.dry_run() => e.add(Effect::Change {
                program: n.into(),
                what: format!("runs `{n} {sub}`"),
            }),
            "env" if matches!(p(1), "remove" | "delete") => pkg(e, n, pos.join(" ")),
            _ => {}
        },
        "gem" | "cpan" | "cpanm" | "luarocks" | "opam" | "nix-env" | "hex" | "rustup" | "nuget" => {
            if (matches!(
                sub,
                "install"
                    | "uninstall"
                    | "update"
                    | "remove"
                    | "i"
                    | "push"
                    | "yank"
                    | "toolchain"
                    | "target"
                    | "component"
                    | "default"
                    | "self"
            ) || (matches!(n, "cpan" | "cpanm") && !pos.is_empty())
                || (n == "nix-env" && (c.short('i') || c.short('e') || c.short('u'))))
                && !(n == "rustup"
                    && matches!(sub, "toolchain" | "target" | "component")
                    && matches!(p(1), "list" | ""))
            {
                pkg(e, n, pos.join(" "));
            }
        }
        "go" => match sub {
            "install" | "get"
                if (!pos
                    .iter()
                    .skip(1)
                    .all(|x| x == "./..." || x == "." || x.starts_with("./"))
                    || pos.len() == 1 && sub == "get") =>
            {
                pkg(e, n, pos.join(" "));
            }
            "fmt" => fmt(e, c, "go fmt"),
            "clean"
                if c.short('m')
                    || c.long("-modcache")
                    || c.args
                        .iter()
                        .any(|a| a.text == "-cache" || a.text == "-modcache") => {}
            "mod" if p(1) == "tidy" || p(1) == "download" || p(1) == "vendor" => {}
            "generate" => {}
            _ => {}
        },
        "cargo" => match sub {
            "install" | "uninstall" => pkg(e, n, pos.join(" ")),
            "add" | "remove" | "rm" => pkg(e, n, pos.join(" ")),
            "publish" | "yank" | "owner" | "login" | "logout" if !c.dry_run() => {
                e.add(Effect::Change {
                    program: n.into(),
                    what: format!("runs `cargo {sub}`"),
                })
            }
            "fmt" if !c.has(&["--check"]) => fmt(e, c, "cargo fmt"),
            "clippy" | "fix" if c.long("--fix") || sub == "fix" => fmt(e, c, "cargo fix"),
            _ => {}
        },
        "dotnet" => match sub {
            "add" | "remove" | "tool"
                if sub != "tool" || matches!(p(1), "install" | "uninstall" | "update") =>
            {
                pkg(e, n, pos.join(" "))
            }
            "format" if !c.long("--verify-no-changes") => fmt(e, c, "dotnet format"),
            "nuget" if p(1) == "push" || p(1) == "delete" => e.add(Effect::Change {
                program: n.into(),
                what: "publishes a package".into(),
            }),
            "ef" => return super::db::handle(e, c),
            _ => {}
        },
        "mvn" | "gradle" | "./gradlew" | "gradlew" | "sbt" | "stack" | "cabal" => {
            if pos.iter().any(|t| {
                matches!(
                    t.as_str(),
                    "deploy" | "publish" | "release:perform"
                ) || t.contains("publish")
                    || t.contains("deploy")
            }) {
                e.add(Effect::Change {
                    program: n.into(),
                    what: "publishes or installs artifacts".into(),
                });
            } else if pos.iter().any(|t| {
                t.contains("spotlessApply")
                    || t == "ktlintFormat"
                    || t == "scalafmt"
                    || t.contains("spotless:apply")
            }) {
                fmt(e, c, "formatter");
            }
        }
        "nix" => {
            if matches!(sub, "profile" | "registry")
                && matches!(p(1), "install" | "remove" | "upgrade" | "add")
                || sub == "store" && matches!(p(1), "gc" | "delete")
            {
                pkg(e, n, pos.join(" "));
            }
        }
        "deno" => match sub {
            "install" | "uninstall" | "add" | "remove" if pos.len() > 1 || c.short('g') => {
                pkg(e, n, pos.join(" "))
            }
            "fmt" if !c.long("--check") => fmt(e, c, "deno fmt"),
            "eval" => {
                if let Some(code) = pos.get(1) {
                    let mut via = c.via.clone();
                    via.push("deno eval".into());
                    super::inline_code::scan(e, "node", code, &via, c.depth);
                }
            }
            _ => {}
        },
        _ => return false,
    }
    true
}

#[cfg(test)]
mod family_tests {
    use crate::testutil::expect;

    #[test]
    fn classifies() {
        expect(&[
            ("npm install", "safe"),
            ("npm ci", "safe"),
            ("npm install lodash", "ambiguous"),
            ("pip install requests", "ambiguous"),
            ("pip install -r requirements.txt", "safe"),
            ("cargo install ripgrep", "ambiguous"),
            ("sudo apt-get install -y jq", "ambiguous"),
            ("cargo build --release", "safe"),
            ("cargo fmt", "ambiguous"),
            ("cargo fmt --check", "safe"),
            ("npx eslint .", "safe"),
            ("make test", "safe"),
            ("pip install https://x/p.tgz", "catastrophic"),
        ]);
    }
}
