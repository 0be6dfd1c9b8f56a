//! Scripts the line runs: `./x.sh`, `bash x.sh`, `python3 x.py`, `source x`.
//! The classifier does no I/O: the caller may hand it a reader
//! ([`crate::analyze_with_files`]) that returns a file's text. A script whose
//! text is known is analysed as its payload (shell scripts as lines, other
//! languages by the code scanner), so `./wipe.sh` is judged by what it
//! deletes. One that cannot be read is `unknown:script`; a binary one is an
//! unknown program. Well-known entry points (`manage.py`, `artisan`,
//! `rails`) keep their tables in `forms`.

use super::Cmd;
use super::unknown::unknown;
use crate::engine::{Stdin, Walker};

/// Scripts larger than this are not analysed (`unknown:script`).
pub const MAX_SCRIPT_BYTES: usize = 256 * 1024;

/// Entry points with a table of known forms, routed by name.
pub(crate) fn handle(e: &mut Walker, c: &Cmd) -> bool {
    let Some(f) = entry_point(c) else {
        return false;
    };
    match f {
        super::forms::Form::Safe => {}
        super::forms::Form::Change(what) => e.add(crate::effects::Effect::Change {
            program: c.name.clone(),
            what,
        }),
        super::forms::Form::Unknown => unknown(e, c, "subcommand"),
    }
    true
}

fn entry_point(c: &Cmd) -> Option<super::forms::Form> {
    use super::forms::Form::{Change, Safe, Unknown};
    // Called for every command: skip the argument scan for other programs.
    if !matches!(
        c.name.as_str(),
        "manage.py" | "django-admin" | "artisan" | "rails"
    ) {
        return None;
    }
    let pos: Vec<String> = c.positional().iter().map(|w| w.text.clone()).collect();
    let s0 = pos.first().map(String::as_str).unwrap_or("");
    Some(match c.name.as_str() {
        "manage.py" | "django-admin" => match s0 {
            "test" | "check" | "showmigrations" | "sqlmigrate" | "runserver" | "shell"
            | "diffsettings" | "inspectdb" | "help" | "version" | "findstatic" | "show_urls"
            | "validate_templates" | "sqlsequencereset" | "" => Safe,
            "makemigrations" | "migrate" | "collectstatic" | "createsuperuser" | "loaddata"
            | "compilemessages" | "makemessages" | "startapp" | "startproject"
            | "changepassword" | "clearsessions" | "createcachetable" | "squashmigrations" => {
                Change(format!(
                    "runs `manage.py {s0}`, which changes the project or its database"
                ))
            }
            _ => return None,
        },
        "artisan" => match s0 {
            "test" | "list" | "route:list" | "about" | "tinker" | "serve" | "help"
            | "migrate:status" | "schedule:list" | "env" | "" => Safe,
            _ if s0.starts_with("make:") || s0.starts_with("migrate") || s0.contains(':') => {
                Change(format!("runs `artisan {s0}`"))
            }
            _ => return None,
        },
        "rails" => match s0 {
            "test" | "t" | "console" | "c" | "server" | "s" | "routes" | "about" | "stats"
            | "notes" | "" => Safe,
            "generate" | "g" | "destroy" | "d" | "new" | "credentials:edit" => {
                Change(format!("runs `rails {s0}`"))
            }
            _ if s0.starts_with("db:") => return None,
            _ => Unknown,
        },
        _ => return None,
    })
}

/// A script run by `interp` (`None`: executed by path, the shebang
/// decides). Analyses its text when the caller's reader has it; records an
/// unknown script otherwise.
pub(crate) fn run_file(e: &mut Walker, c: &Cmd, interp: Option<&str>, text: &str) {
    let path = e.path(text);
    let label = crate::words::basename(text).to_string();
    let as_cmd = Cmd {
        name: text.to_string(),
        ..c.clone()
    };
    let content = e.reader.and_then(|read| read(&path));
    let Some(content) = content else {
        if !shell_integration(&path, &e.home) {
            unknown(e, &as_cmd, "script");
        }
        return;
    };
    if content.len() > MAX_SCRIPT_BYTES {
        unknown(e, &as_cmd, "script");
        return;
    }
    if content.contains('\0') {
        unknown(e, &as_cmd, "program");
        return;
    }
    let kind = match interp {
        Some(i) => i.to_string(),
        None => shebang_kind(&content),
    };
    let mut via = c.via.clone();
    via.push(format!("script {label}"));
    let start = e.effects.len();
    if kind == "sh" {
        e.run_script(&content, &via, c.depth + 1, &Stdin::Terminal);
    } else {
        super::code_scan::scan(e, &kind, &content, &via, c.depth + 1);
    }
    e.scripts.push(crate::engine::ScriptSpan {
        name: label,
        content,
        first_effect: start,
    });
}

/// A tool's own shell integration or the user's startup files, sourced to
/// set up the environment (`source .venv/bin/activate`, `. ~/.cargo/env`).
fn shell_integration(path: &str, home: &str) -> bool {
    let base = crate::words::basename(path);
    let in_home = |rel: &str| path == format!("{home}/{rel}");
    path.ends_with("/bin/activate")
        || base.starts_with("activate.")
        || [
            ".bashrc",
            ".bash_profile",
            ".profile",
            ".zshrc",
            ".zprofile",
            ".zshenv",
            ".cargo/env",
            ".nvm/nvm.sh",
            ".sdkman/bin/sdkman-init.sh",
            ".ghcup/env",
            ".config/fish/config.fish",
            ".asdf/asdf.sh",
        ]
        .iter()
        .any(|r| in_home(r))
        || matches!(path, "/etc/profile" | "/etc/bashrc" | "/etc/bash.bashrc")
}

/// The interpreter family a shebang names (`sh` when there is none: the
/// kernel would refuse it, and a shell runs it in practice).
fn shebang_kind(content: &str) -> String {
    let first = content.lines().next().unwrap_or("");
    let Some(rest) = first.strip_prefix("#!") else {
        return "sh".into();
    };
    let mut words = rest.split_whitespace();
    let mut prog = words.next().map(crate::words::basename).unwrap_or("sh");
    if prog == "env" {
        prog = words
            .find(|w| !w.starts_with('-'))
            .map(crate::words::basename)
            .unwrap_or("sh");
    }
    match super::inline_code::interp_kind(prog) {
        Some(k @ ("python" | "node" | "perl" | "ruby" | "php" | "lua" | "r")) => k.into(),
        _ => "sh".into(),
    }
}

#[cfg(test)]
mod tests {
    use crate::analyze_with_files;
    use crate::testutil::{expect, project_ctx as ctx};

    #[test]
    fn unread_scripts_are_unknown() {
        expect(&[
            ("./wipe.sh", "ambiguous"),
            ("bash wipe.sh", "ambiguous"),
            ("sh ./configure --prefix=/usr/local", "ambiguous"),
            ("python3 train.py", "ambiguous"),
            ("node server.js", "ambiguous"),
            ("source ./env.sh", "ambiguous"),
            ("python manage.py check", "safe"),
            ("python manage.py migrate", "ambiguous"),
        ]);
    }

    #[test]
    fn read_scripts_are_judged_by_their_content() {
        let files = |p: &str| -> Option<String> {
            match p {
                "/home/dev/proj/wipe.sh" => Some("#!/bin/sh\necho bye\nrm -rf ~\n".into()),
                "/home/dev/proj/list.sh" => Some("#!/bin/bash\nls -la\ngit status\n".into()),
                "/home/dev/proj/clean.py" => {
                    Some("import shutil\nshutil.rmtree('/home/dev')\n".into())
                }
                "/home/dev/proj/tool" => Some("\x7fELF\0\0\0".into()),
                _ => None,
            }
        };
        let c = ctx();
        for (line, want) in [
            ("./wipe.sh", "catastrophic"),
            ("bash wipe.sh", "catastrophic"),
            ("sh -x ./wipe.sh", "catastrophic"),
            ("./list.sh", "safe"),
            ("python3 clean.py", "catastrophic"),
            ("./clean.py", "ambiguous"),
            ("./tool", "ambiguous"),
        ] {
            let a = analyze_with_files(line, &c, &files);
            assert_eq!(a.class.as_str(), want, "{line}: {} {}", a.rule, a.reason);
        }
        let a = analyze_with_files("./wipe.sh", &c, &files);
        assert!(
            a.reason.contains("wipe.sh") && a.reason.contains("line 3"),
            "{}",
            a.reason
        );
    }
}
