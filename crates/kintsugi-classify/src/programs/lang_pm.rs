//! Language package managers (pip, uv, poetry, gem, go, cargo, dotnet, …):
//! named installs are ambiguous, project installs and builds are safe.

use super::Cmd;
use super::packages::{fmt, pkg};
use crate::effects::Effect;
use crate::engine::Walker;

pub(crate) fn lang_pm(e: &mut Walker, c: &Cmd, pos: &[String]) -> bool {
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
            // Re-resolving every dependency rewrites the lock file.
            "lock" if matches!(n, "poetry" | "pipenv") && !c.has(&["--check"]) => {
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
            // `go run example.com/tool@v1.2`: a module fetched and run.
            "run" if pos.iter().skip(1).any(|x| remote_module(x)) => e.add(Effect::Change {
                program: n.into(),
                what: format!(
                    "runs a module fetched from its proxy (`go {}`)",
                    pos.join(" ")
                ),
            }),
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
                matches!(t.as_str(), "deploy" | "publish" | "release:perform")
                    || t.contains("publish")
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
            // `--scan` uploads a build scan (environment, dependencies,
            // test output) to Gradle's service.
            if n.contains("gradle") && c.long("--scan") {
                e.add(Effect::NetworkEgress {
                    host: "scans.gradle.com".into(),
                    payload: "a build scan of this build".into(),
                    sensitive: false,
                });
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
                    super::code_scan::scan(e, "node", code, &via, c.depth);
                }
            }
            _ => {}
        },
        _ => return false,
    }
    true
}

/// A module path with a version (`example.com/x/cmd@v1.2`), not a local
/// package.
fn remote_module(x: &str) -> bool {
    x.split_once('@').is_some_and(|(path, _)| {
        !path.starts_with('.') && path.split('/').next().is_some_and(|h| h.contains('.'))
    })
}
