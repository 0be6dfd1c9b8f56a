//! Peeling wrappers (sudo, env, timeout, nice, …), shells and `eval`/`source`
//! with payload re-analysis, dynamic command names, and dispatch of the peeled
//! argv to the program families.

use crate::effects::Effect;
use crate::engine::{Redir, RedirOp, Stdin, Walker};
use crate::env_hooks::check_env_hook;
use crate::pipes::{fills_storage, stage_kind};
use crate::programs::{self, Cmd};
use crate::words::{Word, basename};
use crate::wrappers::{Peel, peel};
use crate::{MAX_NESTING, Program};

const SHELLS: &[&str] = &[
    "bash", "sh", "zsh", "dash", "ksh", "fish", "ash", "mksh", "tcsh", "csh", "yash", "rbash",
    "pdksh", "oksh",
];

pub(crate) fn is_shell(n: &str) -> bool {
    SHELLS.contains(&n)
}

pub(crate) fn is_assignment(t: &str) -> Option<(&str, &str)> {
    let (n, v) = t.split_once('=')?;
    let ok = !n.is_empty()
        && n.chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    ok.then_some((n, v))
}

/// Programs that set up a shell environment; `eval "$(tool …)"` is routine.
const ENV_SETUP: &[&str] = &[
    "ssh-agent",
    "pyenv",
    "rbenv",
    "nodenv",
    "goenv",
    "direnv",
    "starship",
    "zoxide",
    "brew",
    "conda",
    "fnm",
    "mise",
    "rtx",
    "opam",
    "dircolors",
    "thefuck",
    "jenv",
    "plenv",
    "luarocks",
    "keychain",
    "gpg-agent",
    "register-python-argcomplete",
    "kubectl",
    "gh",
    "npm",
    "rustup",
    "poetry",
    "pip",
    "uv",
    "atuin",
    "fzf",
];

impl Walker<'_> {
    /// Analyse one simple command: peel wrappers, then run the family rules.
    pub(crate) fn run_argv(
        &mut self,
        mut argv: Vec<Word>,
        redirs: Vec<Redir>,
        stdin: Stdin,
        mut via: Vec<String>,
        depth: usize,
    ) {
        if self.stopped {
            return;
        }
        if depth > MAX_NESTING {
            self.add(Effect::Limit {
                what: "nesting".into(),
            });
            return;
        }
        let mut peels = 0;
        let mut alias_seen: Vec<String> = Vec::new();
        loop {
            while let Some(w) = argv.first() {
                let Some((n, v)) = is_assignment(&w.text) else {
                    break;
                };
                let (n, v) = (n.to_string(), v.to_string());
                check_env_hook(self, &n, &v, depth);
                // `X=$(cat t) sh -c 'rm -rf "$X"'`: the payload sees it
                // (`IFS=: read …` does not change how the rest splits).
                let kept = if !w.dynamic {
                    Some(v)
                } else if crate::words::computed_text(&v) {
                    Some(format!("{}{v}", crate::words::COMPUTED))
                } else {
                    None
                };
                if let Some(kept) = kept.filter(|_| n != "IFS") {
                    self.vars.insert(n.clone(), kept);
                    crate::namerefs::follow(self, &n);
                }
                argv.remove(0);
            }
            let Some(first) = argv.first() else {
                self.redirect_effects("", &redirs);
                return;
            };
            if first.dynamic {
                self.dynamic_command(&argv, &stdin, &via, depth);
                self.redirect_effects("", &redirs);
                return;
            }
            if first.text.is_empty() {
                argv.remove(0);
                continue;
            }
            // A program named by a glob (`/bin/r? -rf ~`) is every program it
            // can match: the most dangerous match is analysed.
            if first.glob
                && let Some(real) =
                    crate::programs::glob_program(crate::words::basename(&first.text))
            {
                argv[0] = Word::lit(real);
                continue;
            }
            peels += 1;
            if peels > MAX_NESTING * 2 {
                self.add(Effect::Limit {
                    what: "nesting".into(),
                });
                return;
            }
            // A path that is really another program (`cp /bin/rm ./x; ./x`).
            if first.text.contains('/') {
                let p = self.path(&first.text);
                if let Some(real) = self.aliases.get(&p).cloned() {
                    argv[0] = Word::lit(&real);
                    continue;
                }
                let unpacked = || {
                    self.files.iter().find_map(|(k, v)| {
                        (k.ends_with('/') && p.starts_with(k.as_str())).then(|| v.clone())
                    })
                };
                if let Some(content) = self.files.get(&p).cloned().or_else(unpacked) {
                    via.push(first.text.clone());
                    self.stdin_code("sh", &content, &via, depth);
                    self.redirect_effects("", &redirs);
                    return;
                }
            }
            // `alias g=git; g push -f`: a shell alias defined earlier on the
            // line stands for its words (each alias expands once).
            if first.text == "alias" {
                for a in argv.iter().skip(1) {
                    if let Some((n, v)) = a.text.split_once('=')
                        && !n.is_empty()
                        && !n.contains('/')
                    {
                        self.aliases.insert(n.to_string(), v.to_string());
                    }
                }
            } else if !first.text.contains('/')
                && !alias_seen.contains(&first.text)
                && let Some(real) = self.aliases.get(&first.text).cloned()
            {
                alias_seen.push(first.text.clone());
                let mut words = self.split(&real);
                if !words.is_empty() {
                    words.extend(argv.drain(1..));
                    argv = words;
                    continue;
                }
            }
            // `time ( … )`: the parser reads the subshell as commands of its
            // own; the words `time` saw are not a program.
            if first.text.starts_with('(') && via.last().is_some_and(|v| v == "time") {
                return;
            }
            // `time { ls; }`: the parser hands `time` the words `{ ls` and
            // leaves the closing `}` as a command of its own.
            if first.text == "{" && via.last().is_some_and(|v| v == "time") {
                argv.remove(0);
                if argv.is_empty() {
                    return;
                }
                continue;
            }
            if first.text == "}" && argv.len() == 1 && !first.dynamic {
                return;
            }
            let name = basename(&first.text).to_string();
            if let Some(body) = self.funcs.get(&name).cloned()
                && depth < MAX_NESTING
            {
                self.call_function(&name, &body, &argv, &via, depth, &stdin);
                self.redirect_effects("", &redirs);
                return;
            }
            if name == "env"
                && let Some(k) = argv
                    .iter()
                    .position(|w| w.text == "-C" || w.text == "--chdir")
                && let Some(d) = argv.get(k + 1)
            {
                self.cwd = std::path::PathBuf::from(self.path(&d.text));
            }
            if name == "env"
                && let Some(k) = argv.iter().position(|w| {
                    w.text == "-S"
                        || w.text == "--split-string"
                        || w.text.starts_with("-S")
                        || w.text.starts_with("--split-string=")
                })
            {
                let a = argv[k].text.clone();
                let payload = if let Some(v) = a.strip_prefix("--split-string=") {
                    v.to_string()
                } else if a.len() > 2 && !a.starts_with("--") {
                    a[2..].to_string()
                } else {
                    argv.get(k + 1).map(|w| w.text.clone()).unwrap_or_default()
                };
                via.push("env -S".into());
                self.run_script(&payload, &via, depth + 1, &stdin);
                return;
            }
            let interactive_root = matches!(name.as_str(), "sudo" | "doas" | "su" | "run0")
                && argv
                    .iter()
                    .skip(1)
                    .any(|w| matches!(w.text.as_str(), "-i" | "-s" | "--login" | "--shell" | "-"))
                && !argv.iter().skip(1).any(|w| !w.text.starts_with('-'));
            if interactive_root || (name == "su" && argv.len() == 1) {
                via.push(name.clone());
                if stdin == Stdin::Terminal {
                    self.add(Effect::Change {
                        program: name,
                        what: "opens a root shell".into(),
                    });
                } else {
                    self.stdin_code("sh", &stdin, &via, depth);
                }
                return;
            }
            match peel(&name, &argv) {
                Peel::Skip(n, label) => {
                    via.push(label);
                    argv.drain(..n.min(argv.len()));
                    if argv.is_empty() {
                        return;
                    }
                }
                Peel::Replace(new, label) => {
                    via.push(label);
                    argv = new;
                }
                Peel::Stop => return,
                Peel::No => break,
            }
        }
        let name = basename(&argv[0].text).to_string();
        if self.commands.len() < 256 {
            self.commands.push(Program {
                argv: argv.iter().map(|w| w.text.clone()).collect(),
                via: via.clone(),
            });
        }
        let cmd = Cmd {
            name: name.clone(),
            args: argv[1..].to_vec(),
            stdin,
            via,
            depth,
        };
        if crate::namerefs::is_nameref_decl(&name, &cmd.args) {
            crate::namerefs::declare(self, &cmd.args);
        } else if matches!(
            name.as_str(),
            "export" | "declare" | "typeset" | "local" | "readonly"
        ) {
            for w in &cmd.args {
                if let Some((n, v)) = is_assignment(&w.text) {
                    let (n, v) = (n.to_string(), v.to_string());
                    check_env_hook(self, &n, &v, depth);
                    if !w.dynamic {
                        self.vars.insert(n.clone(), v);
                    } else if crate::words::computed_text(&v) {
                        self.vars
                            .insert(n.clone(), format!("{}{v}", crate::words::COMPUTED));
                    }
                    crate::namerefs::follow(self, &n);
                }
            }
        }
        for (n, v) in crate::words::builtin_assignments(&name, &cmd.args, &cmd.stdin) {
            self.vars.insert(n, v);
        }
        // A `cd` nothing guards may fail; the pass that takes it as failed
        // leaves the directory as it was (`cd_fail.rs`).
        let failed_cd = !self.cd.guarded && (name == "cd" || name == "pushd");
        self.cd.unsure |= failed_cd;
        if (name == "cd" || name == "pushd") && !(failed_cd && self.cd.fails) {
            let old = self.cwd.to_string_lossy().into_owned();
            self.vars.insert("OLDPWD".into(), old);
            if let Some(d) = cmd.args.iter().find(|w| !w.text.starts_with('-')) {
                if !d.dynamic {
                    self.cwd = std::path::PathBuf::from(self.path(&d.text));
                }
            } else {
                self.cwd = std::path::PathBuf::from(self.home.clone());
            }
        }
        // `--version` followed by a value is an option (`cargo yank
        // --version 0.3.1`), not a version query.
        let help = cmd.args.iter().enumerate().any(|(k, w)| {
            matches!(w.text.as_str(), "--help" | "-help" | "--usage" | "help")
                || w.text == "--version"
                    && cmd.args.get(k + 1).is_none_or(|n| n.text.starts_with('-'))
        }) && !matches!(name.as_str(), "echo" | "printf")
            // A package runner's `--help` is the fetched tool's (`npx -y
            // pkg@1 --help` still downloads and runs it).
            && !crate::programs::packages::RUNNERS.contains(&name.as_str())
            || cmd.args.len() == 1
                && matches!(cmd.args[0].text.as_str(), "-h" | "-V" | "-v" | "version")
            || cmd.args.iter().any(|w| {
                w.text == "--dry-run"
                    || w.text.starts_with("--dry-run=")
                    || w.text == "--dryrun"
                    || w.text == "--what-if"
            }) && !matches!(name.as_str(), "kubectl" | "oc");
        if !help {
            if !self.interpreters(&cmd) {
                let by_path = argv[0].text.contains('/').then(|| argv[0].text.clone());
                programs::dispatch_named(self, &cmd, by_path.as_deref());
            }
            programs::secrets::scan_args(self, &cmd);
        }
        // Unbounded writes fill a disk or memory (`yes > f`, `cat /dev/zero > f`).
        if redirs.iter().any(|r| r.op != RedirOp::Read) && fills_storage(&name, &argv) {
            let t = redirs
                .iter()
                .find(|r| r.op != RedirOp::Read)
                .map(|r| self.path(&r.target.text))
                .unwrap_or_default();
            if !t.starts_with("/dev/null") {
                self.add(Effect::DiskWrite {
                    device: t,
                    what: "an unbounded or huge write that fills the disk or memory".into(),
                });
            }
        }
        // Remember what a write put into a file, for a later `sh file`.
        let produced = stage_kind(self, &argv, "");
        for r in &redirs {
            if r.op != RedirOp::Read && !r.target.dynamic {
                let p = self.path(&r.target.text);
                if self.files.len() < 64 {
                    let content = match &produced {
                        Stdin::Other(_) | Stdin::Listing(_) => Stdin::File(p.clone()),
                        other => other.clone(),
                    };
                    self.files.insert(p, content);
                }
            }
        }
        let before = self.effects.len();
        self.redirect_effects(&name, &redirs);
        // `cut -d= -f1 < .env`, `jq -r .client_email < sa.json`: no values.
        if self.effects[before.min(self.effects.len())..]
            .iter()
            .any(|x| matches!(x, Effect::SecretRead { .. }))
        {
            for d in crate::downstream::hidden_kinds(self, &cmd) {
                crate::downstream::drop_reads(self, before, d);
            }
        }
    }

    /// Effects of `>`/`>>`/`<` redirections on a command named `name`.
    pub(crate) fn redirect_effects(&mut self, name: &str, redirs: &[Redir]) {
        for r in redirs {
            let t = &r.target.text;
            if let Some(rest) = t
                .strip_prefix("/dev/tcp/")
                .or_else(|| t.strip_prefix("/dev/udp/"))
            {
                let host = rest.split('/').next().unwrap_or(rest).to_string();
                if is_shell(name) || matches!(name, "exec" | "") {
                    self.add(Effect::RemoteExec {
                        host,
                        reverse_shell: true,
                    });
                } else {
                    self.add(Effect::NetworkEgress {
                        host,
                        payload: "command output".into(),
                        sensitive: true,
                    });
                }
                continue;
            }
            let p = self.path(t);
            match r.op {
                RedirOp::Read => {
                    if crate::secret_paths::is_secret_path(&p, self.ctx) {
                        self.add(Effect::SecretRead { path: p });
                    }
                }
                RedirOp::Write | RedirOp::Append => {
                    if r.target.dynamic
                        && !p.starts_with('/')
                        && crate::listed::listed(self, t).is_none()
                    {
                        self.add(Effect::Opaque {
                            what: format!("writes to `{t}`"),
                            exec: false,
                        });
                        continue;
                    }
                    self.add(Effect::Overwrite {
                        path: p,
                        append: r.op == RedirOp::Append,
                    });
                }
            }
        }
    }

    fn dynamic_command(&mut self, argv: &[Word], stdin: &Stdin, via: &[String], depth: usize) {
        let t = &argv[0].text;
        // Re-analyse the substitution itself (its commands are real).
        if let Some(inner) = t.strip_prefix("$(").and_then(|x| x.strip_suffix(')')) {
            let inner_words = self.split(inner);
            if let Some(first) = inner_words.first()
                && ENV_SETUP.contains(&basename(&first.text))
                && argv.len() == 1
            {
                return;
            }
        }
        let lower = t.to_ascii_lowercase();
        if ["curl", "wget", "fetch ", "http"]
            .iter()
            .any(|k| lower.contains(k))
        {
            self.add(Effect::DownloadExec {
                source: "a URL".into(),
                interpreter: "the shell".into(),
            });
            return;
        }
        if t.starts_with("$(") || t.starts_with('`') {
            self.add(Effect::Opaque {
                what: format!("the command is produced at run time by `{t}`"),
                exec: true,
            });
            return;
        }
        let var = t.trim_start_matches('$').trim_start_matches('{');
        // `"$SHELL" -c 'rm -rf ~'`, `${SHELL:-bash} -c …`: the user's shell
        // runs the rest like `bash` would.
        if ["SHELL", "BASH"].iter().any(|v| {
            var.strip_prefix(v)
                .is_some_and(|r| r.is_empty() || r.starts_with(['}', ':', '-']))
        }) && argv.len() > 1
        {
            let mut shell = argv.to_vec();
            shell[0] = Word::lit("bash");
            let mut v = via.to_vec();
            v.push(format!("{t} (a shell)"));
            self.run_argv(shell, Vec::new(), stdin.clone(), v, depth + 1);
            return;
        }
        let tame = [
            "EDITOR", "VISUAL", "PAGER", "SHELL", "CC", "CXX", "PYTHON", "MAKE", "CARGO", "NPM",
            "GO", "JAVA", "NODE", "DOCKER", "BROWSER", "GIT",
        ];
        let tame = tame.iter().any(|v| var.starts_with(v));
        self.add(Effect::Opaque {
            what: format!("the program name comes from `{t}`"),
            exec: !tame,
        });
        // Still look at the arguments as data for paths and secrets.
        let _ = (stdin, via, depth);
    }

    /// Shells, `eval`, `source`: re-analyse their payloads. Returns true when
    /// the command was one of them.
    fn interpreters(&mut self, c: &Cmd) -> bool {
        let n = c.name.as_str();
        let mut via = c.via.clone();
        if is_shell(n) {
            let mut has_c = false;
            let mut payload: Option<&Word> = None;
            let mut script: Option<&Word> = None;
            let mut noexec = false;
            let mut from_stdin = false;
            let mut i = 0;
            while i < c.args.len() {
                let a = &c.args[i].text;
                if a == "--" {
                    i += 1;
                    if from_stdin {
                    } else if !has_c {
                        script = c.args.get(i);
                    } else {
                        payload = c.args.get(i);
                    }
                    break;
                }
                if matches!(
                    a.as_str(),
                    "-o" | "+o" | "--rcfile" | "--init-file" | "-O" | "+O"
                ) {
                    i += 2;
                    continue;
                }
                if a.starts_with("--") {
                    i += 1;
                    continue;
                }
                if (a.starts_with('-') || a.starts_with('+')) && a.len() > 1 {
                    let flags = &a[1..];
                    if flags.contains('c') && a.starts_with('-') {
                        has_c = true;
                    }
                    if flags.contains('s') && a.starts_with('-') && !has_c {
                        from_stdin = true;
                    }
                    if flags.contains('n') && a.starts_with('-') {
                        noexec = true;
                    }
                    i += 1;
                    continue;
                }
                if has_c {
                    payload = Some(&c.args[i]);
                } else if !from_stdin {
                    script = Some(&c.args[i]);
                }
                break;
            }
            let pos_args: Vec<String> = c
                .args
                .get(i + 1..)
                .unwrap_or(&[])
                .iter()
                .map(|w| w.text.clone())
                .collect();
            if noexec {
                return true;
            }
            via.push(format!("{n} -c"));
            if let Some(p) = payload {
                let text = p.text.clone();
                let zero = pos_args.first().cloned();
                let saved = self.set_positional(zero.as_deref(), pos_args.get(1..).unwrap_or(&[]));
                self.run_script(&text, &via, c.depth + 1, &c.stdin);
                self.restore(saved);
            } else if let Some(s) = script {
                if matches!(c.stdin, Stdin::Download(_) | Stdin::Decoded(_)) {
                    self.stdin_code(n, &c.stdin, &via, c.depth);
                }
                self.script_source(n, &s.text, c);
            } else if !has_c {
                self.stdin_code(n, &c.stdin, &via, c.depth);
            }
            return true;
        }
        match n {
            "iex" | "Invoke-Expression" | "invoke-expression"
                if !matches!(c.stdin, Stdin::Terminal) =>
            {
                self.stdin_code(n, &c.stdin, &c.via, c.depth);
                true
            }
            "eval" => {
                let text: Vec<&str> = c.args.iter().map(|w| w.text.as_str()).collect();
                via.push("eval".into());
                self.run_script(&text.join(" "), &via, c.depth + 1, &c.stdin);
                true
            }
            "source" | "." => {
                if let Some(s) = c.args.first() {
                    self.script_source(n, &s.text, c);
                }
                true
            }
            _ => false,
        }
    }

    /// A script file argument to a shell or `source`.
    fn script_source(&mut self, interp: &str, s: &str, c: &Cmd) {
        let p = self.path(s);
        if let Some(content) = self.files.get(&p).cloned() {
            let mut via = c.via.clone();
            via.push(format!("{interp} {s}"));
            self.stdin_code("sh", &content, &via, c.depth);
            return;
        }
        if s == "-" || s == "/dev/stdin" || s == "/proc/self/fd/0" || s == "/dev/fd/0" {
            self.stdin_code(interp, &c.stdin, &c.via, c.depth);
        } else if s.starts_with("<(") || s.starts_with("$(") || s.starts_with('`') {
            // `source <(kubectl completion bash)`: a tool's own shell
            // integration, like `eval "$(direnv hook bash)"`.
            if let Some(inner) = s
                .strip_prefix("<(")
                .or_else(|| s.strip_prefix("$("))
                .and_then(|x| x.strip_suffix(')'))
            {
                let words = self.split(inner);
                if let Some((first, rest)) = words.split_first() {
                    let tool = crate::programs::Cmd {
                        name: basename(&first.text).to_string(),
                        args: rest.to_vec(),
                        stdin: Stdin::Terminal,
                        via: c.via.clone(),
                        depth: c.depth + 1,
                    };
                    if !first.dynamic && crate::programs::forms::shell_integration(&tool) {
                        return;
                    }
                }
            }
            let l = s.to_ascii_lowercase();
            if ["curl", "wget", "fetch", "http"]
                .iter()
                .any(|k| l.contains(k))
            {
                self.add(Effect::DownloadExec {
                    source: "a URL".into(),
                    interpreter: interp.into(),
                });
            } else {
                self.add(Effect::Opaque {
                    what: format!("{interp} runs the output of `{s}`"),
                    exec: true,
                });
            }
        } else if s.starts_with("http://") || s.starts_with("https://") {
            self.add(Effect::DownloadExec {
                source: s.into(),
                interpreter: interp.into(),
            });
        } else if !matches!(c.stdin, Stdin::Download(_) | Stdin::Decoded(_)) {
            crate::programs::scripts::run_file(self, c, Some("sh"), s);
        }
    }

    /// An interpreter reading its program from standard input.
    pub(crate) fn stdin_code(&mut self, interp: &str, stdin: &Stdin, via: &[String], depth: usize) {
        match stdin {
            Stdin::Download(src) => self.add(Effect::DownloadExec {
                source: src.clone(),
                interpreter: interp.into(),
            }),
            Stdin::Decoded(how) => self.add(Effect::Opaque {
                what: format!("{interp} runs data decoded by `{how}`"),
                exec: true,
            }),
            Stdin::Literal(text) => {
                if is_shell(interp) || interp == "source" || interp == "." {
                    let mut v = via.to_vec();
                    v.push(format!("{interp} <<<"));
                    let t = text.clone();
                    self.run_script(&t, &v, depth + 1, &Stdin::Terminal);
                } else {
                    crate::programs::code_scan::scan(self, interp, text, via, depth);
                }
            }
            Stdin::File(p) => self.add(Effect::Opaque {
                what: format!("{interp} runs commands from {p}"),
                exec: false,
            }),
            Stdin::Other(prog) => self.add(Effect::Opaque {
                what: format!("{interp} runs the output of `{prog}`"),
                exec: true,
            }),
            Stdin::Listing(_) => self.add(Effect::Opaque {
                what: format!("{interp} runs a list of file names as commands"),
                exec: true,
            }),
            Stdin::Terminal => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testutil::expect;

    #[test]
    fn the_users_shell_named_by_a_variable_runs_like_bash() {
        expect(&[
            ("\"$SHELL\" -c 'rm -rf ~'", "catastrophic"),
            ("${SHELL:-bash} -c 'rm -rf ~'", "catastrophic"),
            ("$SHELL -c 'cargo test'", "safe"),
            ("\"$EDITOR\" notes.txt", "ambiguous"),
        ]);
    }
}
