//! Wrapper programs (sudo, env, timeout, nice, flock, …): how many leading
//! words to peel to reach the command they run.

use crate::words::Word;

pub(crate) enum Peel {
    /// Drop this many leading words; the rest is the real command.
    Skip(usize, String),
    /// Replace argv entirely.
    Replace(Vec<Word>, String),
    /// The wrapper runs nothing (e.g. `command -v x`).
    Stop,
    No,
}

/// Skip options of a wrapper; `with_arg` lists options that take a value.
fn skip_opts(argv: &[Word], with_arg: &[&str], positional: usize) -> usize {
    options_end(argv, with_arg, 1) + positional
}

/// The index of the first operand at or after `start` (past a `--`);
/// `with_arg` lists options that take a value.
pub(crate) fn options_end(argv: &[Word], with_arg: &[&str], start: usize) -> usize {
    let mut i = start;
    while i < argv.len() {
        let a = argv[i].text.as_str();
        if a == "--" {
            i += 1;
            break;
        }
        if a.starts_with('-') && a.len() > 1 {
            let takes = with_arg.contains(&a)
                || (a.starts_with("--") && with_arg.contains(&a) && !a.contains('='));
            i += if takes { 2 } else { 1 };
            continue;
        }
        break;
    }
    i
}

/// `sh -c TEXT`, as a wrapper's replacement.
fn sh_c(text: Word, label: String) -> Peel {
    Peel::Replace(vec![Word::lit("sh"), Word::lit("-c"), text], label)
}

/// The value of the first of `names` (`-x V`, `--exec V`, `--exec=V`).
fn option_value(argv: &[Word], names: &[&str]) -> Option<Word> {
    argv.iter().enumerate().skip(1).find_map(|(i, w)| {
        if names.contains(&w.text.as_str()) {
            return argv.get(i + 1).cloned();
        }
        names.iter().filter(|n| n.starts_with("--")).find_map(|n| {
            let v = w.text.strip_prefix(*n)?.strip_prefix('=')?;
            Some(Word {
                text: v.to_string(),
                ..w.clone()
            })
        })
    })
}

/// The command from word `k` on: one word holding shell syntax is run by
/// a shell (unless `direct`), several words are the argv.
fn shell_string(argv: &[Word], k: usize, direct: bool, label: String) -> Peel {
    match argv.get(k..) {
        Some([one]) if !direct && one.text.contains([' ', ';', '|', '&', '<', '>', '$']) => {
            sh_c(one.clone(), label)
        }
        _ => Peel::Skip(k, label),
    }
}

/// Recognise a wrapper and say how to peel it.
pub(crate) fn peel(name: &str, argv: &[Word]) -> Peel {
    let label = name.to_string();
    let s = |n: usize| Peel::Skip(n, label.clone());
    match name {
        "sudo" | "doas" | "run0" | "pkexec" => {
            let n = skip_opts(
                argv,
                &[
                    "-u",
                    "-g",
                    "-C",
                    "-D",
                    "-h",
                    "-p",
                    "-r",
                    "-t",
                    "-U",
                    "-T",
                    "-R",
                    "--user",
                    "--group",
                    "--chdir",
                    "--prompt",
                    "--host",
                    "--close-from",
                ],
                0,
            );
            if argv
                .iter()
                .skip(1)
                .take(n.saturating_sub(1))
                .any(|w| w.text == "-e" || w.text == "--edit")
            {
                return Peel::Replace(
                    std::iter::once(Word::lit("sudoedit"))
                        .chain(argv[n..].iter().cloned())
                        .collect(),
                    label,
                );
            }
            s(n)
        }
        "nohup" | "builtin" | "chronic" | "unbuffer" | "fakeroot" | "torsocks" | "tsocks"
        | "catchsegv" => s(1),
        "command" => {
            if argv
                .get(1)
                .is_some_and(|w| w.text == "-v" || w.text == "-V")
            {
                return Peel::Stop;
            }
            s(skip_opts(argv, &[], 0))
        }
        "exec" => s(skip_opts(argv, &["-a"], 0)),
        // `bwrap --bind / / CMD`: binds take two values, most options one.
        "bwrap" => {
            let mut i = 1;
            while let Some(a) = argv.get(i).map(|w| w.text.as_str()) {
                i += match a {
                    "--bind" | "--ro-bind" | "--dev-bind" | "--bind-try" | "--ro-bind-try"
                    | "--dev-bind-try" | "--symlink" | "--setenv" => 3,
                    "--" => {
                        i += 1;
                        break;
                    }
                    _ if a.starts_with("--unshare") || a.starts_with("--share") => 1,
                    "--die-with-parent" | "--new-session" | "--clearenv" | "--as-pid-1" => 1,
                    _ if a.starts_with("--") => 2,
                    _ => break,
                };
            }
            s(i)
        }
        // `watchexec -e rs cargo test`: runs the command on every change;
        // one word with spaces (`watchexec 'cargo test'`) is a shell string.
        "watchexec" => {
            let k = skip_opts(
                argv,
                &[
                    "-e",
                    "--exts",
                    "-w",
                    "--watch",
                    "-W",
                    "--watch-non-recursive",
                    "-i",
                    "--ignore",
                    "-f",
                    "--filter",
                    "-d",
                    "--debounce",
                    "--delay-run",
                    "-s",
                    "--signal",
                    "--stop-signal",
                    "--stop-timeout",
                    "--shell",
                    "-E",
                    "--env",
                    "--workdir",
                    "-o",
                    "--on-busy-update",
                    "--poll",
                    "--project-origin",
                    "--emit-events-to",
                ],
                0,
            );
            let direct = argv
                .iter()
                .any(|w| matches!(w.text.as_str(), "-n" | "--no-shell" | "--shell=none"));
            shell_string(argv, k, direct, label)
        }
        // `nodemon --exec 'cmd'` / `-x 'cmd'`; without it, `node SCRIPT`.
        "nodemon" => {
            if let Some(v) = option_value(argv, &["-x", "--exec"]) {
                return sh_c(v, label);
            }
            let k = skip_opts(
                argv,
                &[
                    "-w", "--watch", "-e", "--ext", "-i", "--ignore", "-d", "--delay", "--signal",
                    "--config",
                ],
                0,
            );
            if k >= argv.len() {
                return Peel::No;
            }
            Peel::Replace(
                std::iter::once(Word::lit("node"))
                    .chain(argv[k..].iter().cloned())
                    .collect(),
                label,
            )
        }
        // `chokidar 'src/**' -c 'cmd'`: the command is a shell string.
        "chokidar" => match option_value(argv, &["-c", "--command"]) {
            Some(v) => sh_c(v, label),
            None => Peel::Stop,
        },
        // `onchange 'src/**' -- cmd`, `reflex -r RE -- cmd`.
        "onchange" | "reflex" => match argv.iter().position(|w| w.text == "--") {
            Some(k) => s(k + 1),
            None => Peel::No,
        },
        // `entr -s 'cmd'`: the first argument is a shell string.
        "entr"
            if argv.iter().skip(1).any(|w| {
                w.text.starts_with('-') && !w.text.starts_with("--") && w.text.contains('s')
            }) =>
        {
            let k = skip_opts(argv, &[], 0);
            Peel::Replace(
                vec![Word::lit("sh"), Word::lit("-c")]
                    .into_iter()
                    .chain(argv.get(k).cloned())
                    .collect(),
                label,
            )
        }
        // Version managers running a command with a chosen toolchain.
        "asdf" | "rbenv" | "pyenv" | "nodenv" | "goenv" | "jenv" | "plenv"
            if argv.get(1).is_some_and(|w| w.text == "exec") =>
        {
            s(2)
        }
        "mise" | "rtx" | "fnm"
            if argv
                .get(1)
                .is_some_and(|w| w.text == "exec" || w.text == "x") =>
        {
            match argv.iter().position(|w| w.text == "--") {
                Some(k) => s(k + 1),
                None if name == "fnm" => s(skip_opts(argv, &["--using"], 1)),
                None => Peel::No,
            }
        }
        "volta" if argv.get(1).is_some_and(|w| w.text == "run") => s(options_end(
            argv,
            &["--node", "--npm", "--pnpm", "--yarn", "--env"],
            2,
        )),
        "nvm" if argv.get(1).is_some_and(|w| w.text == "exec") => s(3),
        // `entr [-acdnprz] CMD …`: no option takes a value.
        "entr" => s(skip_opts(argv, &[], 0)),
        "setsid" | "caffeinate" | "coproc" | "ssh-agent" | "faketime" | "dbus-launch"
        | "dbus-run-session" | "xvfb-run" | "setpriv" | "cgexec" | "sem" | "tsp" | "nocache"
        | "eatmydata" | "trickle" | "sandbox-exec" | "rlwrap" | "daemonize" => {
            let with = [
                "-t", "-w", "-g", "-s", "-a", "-p", "-n", "-d", "-u", "-f", "-P", "-c",
            ];
            let with: &[&str] = if matches!(
                name,
                "setsid"
                    | "ssh-agent"
                    | "coproc"
                    | "dbus-launch"
                    | "eatmydata"
                    | "nocache"
                    | "faketime"
            ) {
                &[]
            } else {
                &with
            };
            let n = skip_opts(argv, with, usize::from(name == "faketime"));
            s(n)
        }
        "proxychains" | "proxychains4" => s(skip_opts(argv, &["-f"], 0)),
        "script" => {
            if let Some(k) = argv.iter().position(|w| {
                w.text == "-c"
                    || w.text == "--command"
                    || (w.text.starts_with('-')
                        && !w.text.starts_with("--")
                        && w.text.ends_with('c'))
            }) {
                return Peel::Replace(
                    vec![Word::lit("sh"), Word::lit("-c")]
                        .into_iter()
                        .chain(argv.get(k + 1).cloned())
                        .collect(),
                    label,
                );
            }
            Peel::No
        }
        "time" => s(skip_opts(argv, &["-o", "-f", "--output", "--format"], 0)),
        "stdbuf" => s(skip_opts(argv, &["-i", "-o", "-e"], 0)),
        "timeout" => s(skip_opts(
            argv,
            &["-s", "-k", "--signal", "--kill-after"],
            1,
        )),
        "nice" => s(skip_opts(argv, &["-n", "--adjustment"], 0)),
        "ionice" => s(skip_opts(argv, &["-c", "-n", "--class", "--classdata"], 0)),
        "chrt" => s(skip_opts(argv, &[], 1)),
        "taskset" => {
            let n = skip_opts(argv, &[], 0);
            s(
                if argv
                    .get(1)
                    .is_some_and(|w| w.text.starts_with("-c") || w.text == "--cpu-list")
                {
                    n.max(3)
                } else {
                    n + 1
                },
            )
        }
        "chroot" => s(skip_opts(argv, &["--userspec", "--groups"], 1)),
        "unshare" | "nsenter" | "firejail" => s(skip_opts(
            argv,
            &[
                "-t",
                "--target",
                "-S",
                "-G",
                "--setuid",
                "--setgid",
                "--bind",
                "--ro-bind",
            ],
            0,
        )),
        "flock" => {
            let mut i = 1;
            while i < argv.len() && argv[i].text.starts_with('-') {
                let a = argv[i].text.as_str();
                if a == "-c" || a == "--command" {
                    return Peel::Replace(
                        vec![Word::lit("sh"), Word::lit("-c")]
                            .into_iter()
                            .chain(argv[i + 1..].iter().cloned())
                            .collect(),
                        label,
                    );
                }
                i += if matches!(a, "-w" | "--timeout" | "-E" | "--conflict-exit-code") {
                    2
                } else {
                    1
                };
            }
            if argv.get(i + 1).is_some_and(|w| w.text == "-c") {
                return Peel::Replace(
                    vec![Word::lit("sh"), Word::lit("-c")]
                        .into_iter()
                        .chain(argv[i + 2..].iter().cloned())
                        .collect(),
                    label,
                );
            }
            s(i + 1)
        }
        "busybox" | "toybox" => s(1),
        "strace" | "ltrace" => s(skip_opts(
            argv,
            &[
                "-o", "-p", "-e", "-s", "-u", "-E", "-P", "-a", "-b", "-I", "-O", "-S", "-X",
            ],
            0,
        )),
        "valgrind" | "perf" | "gdb" | "lldb" => {
            let i = argv
                .iter()
                .position(|w| w.text == "--args" || w.text == "--")
                .map(|k| k + 1);
            match i {
                Some(i) => s(i),
                None if name == "valgrind" => s(skip_opts(argv, &[], 0)),
                None => Peel::No,
            }
        }
        "runuser" | "su" | "sg" => {
            // `-c` is theirs only before `--`: after it, the words are the
            // command's own (`runuser -u pg -- psql -c 'DROP …'`).
            let own = argv
                .iter()
                .position(|w| w.text == "--")
                .unwrap_or(argv.len());
            if let Some(k) = argv[..own]
                .iter()
                .position(|w| w.text == "-c" || w.text == "--command")
            {
                return Peel::Replace(
                    vec![Word::lit("sh"), Word::lit("-c")]
                        .into_iter()
                        .chain(argv[k + 1..].iter().cloned())
                        .collect(),
                    label,
                );
            }
            if name == "runuser"
                && let Some(k) = argv.iter().position(|w| w.text == "--")
            {
                return s(k + 1);
            }
            Peel::Stop
        }
        "env" => {
            let mut i = 1;
            while i < argv.len() {
                let a = argv[i].text.as_str();
                if a == "--" {
                    i += 1;
                    break;
                }
                if a == "-S"
                    || a == "--split-string"
                    || a.starts_with("--split-string=")
                    || (a.starts_with("-S") && a.len() > 2)
                {
                    let payload = if let Some(v) = a.strip_prefix("--split-string=") {
                        v.to_string()
                    } else if a.len() > 2 && !a.starts_with("--") {
                        a[2..].to_string()
                    } else {
                        argv.get(i + 1).map(|w| w.text.clone()).unwrap_or_default()
                    };
                    let skip = if a == "-S" || a == "--split-string" {
                        i + 2
                    } else {
                        i + 1
                    };
                    let mut v: Vec<Word> = payload.split_whitespace().map(Word::lit).collect();
                    v.extend(argv[skip.min(argv.len())..].iter().cloned());
                    return Peel::Replace(v, label);
                }
                if matches!(a, "-u" | "-C" | "--unset" | "--chdir") {
                    i += 2;
                } else if a.starts_with('-') && a.len() > 1 {
                    i += 1;
                } else {
                    break;
                }
            }
            if i >= argv.len() {
                // `env` alone prints the environment: analyse it as a program.
                return Peel::No;
            }
            s(i)
        }
        "doppler" | "op" | "aws-vault" | "dotenv" | "dotenvx" | "infisical" | "with-contenv"
        | "direnv" => match argv.iter().position(|w| w.text == "--") {
            Some(k) => s(k + 1),
            None if name == "direnv" && argv.get(1).is_some_and(|w| w.text == "exec") => s(3),
            None => Peel::No,
        },
        _ => Peel::No,
    }
}

#[cfg(test)]
mod tests {
    use crate::testutil::expect;

    #[test]
    fn user_switchers_peel_to_their_command_and_leave_its_options_alone() {
        expect(&[
            (
                "runuser -u postgres -- psql -c 'DROP DATABASE app'",
                "catastrophic",
            ),
            ("runuser -l postgres -c 'dropdb app'", "catastrophic"),
            ("su - deploy -c 'rm -rf ~'", "catastrophic"),
            ("runuser -u postgres -- psql -c 'SELECT 1'", "safe"),
        ]);
    }
}
