//! Peeling wrappers (sudo, env, timeout, nice, …), shells and `eval`/`source`
//! with payload re-analysis, dynamic command names, and dispatch of the peeled
//! argv to the program families.

use crate::effects::Effect;
use crate::engine::{Engine, Redir, RedirOp, Stdin, check_env_hook};
use crate::programs::{self, Cmd};
use crate::words::{Word, basename};
use crate::{MAX_NESTING, Program};

const SHELLS: &[&str] = &[
    "bash", "sh", "zsh", "dash", "ksh", "fish", "ash", "mksh", "tcsh", "csh", "yash", "rbash",
    "pdksh", "oksh",
];

pub(crate) fn is_shell(n: &str) -> bool {
    SHELLS.contains(&n)
}

fn is_assignment(t: &str) -> Option<(&str, &str)> {
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

impl Engine<'_> {
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
        loop {
            while let Some(w) = argv.first() {
                let Some((n, v)) = is_assignment(&w.text) else {
                    break;
                };
                let (n, v) = (n.to_string(), v.to_string());
                check_env_hook(self, &n, &v, depth);
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
                if let Some(content) = self.files.get(&p).cloned() {
                    via.push(first.text.clone());
                    self.stdin_code("sh", &content, &via, depth);
                    self.redirect_effects("", &redirs);
                    return;
                }
            }
            let name = basename(&first.text).to_string();
            if let Some(body) = self.funcs.get(&name).cloned()
                && depth < MAX_NESTING
            {
                let args: Vec<String> = argv[1..].iter().map(|w| w.text.clone()).collect();
                let saved = self.set_positional(None, &args);
                via.push(format!("function {name}"));
                self.run_script(&body, &via, depth + 1, &stdin);
                self.restore(saved);
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
        if matches!(
            name.as_str(),
            "export" | "declare" | "typeset" | "local" | "readonly"
        ) {
            for w in &cmd.args {
                if let Some((n, v)) = is_assignment(&w.text) {
                    let (n, v) = (n.to_string(), v.to_string());
                    check_env_hook(self, &n, &v, depth);
                    if !w.dynamic {
                        self.vars.insert(n, v);
                    }
                }
            }
        }
        if name == "cd" || name == "pushd" {
            if let Some(d) = cmd.args.iter().find(|w| !w.text.starts_with('-')) {
                if !d.dynamic {
                    self.cwd = std::path::PathBuf::from(self.path(&d.text));
                }
            } else {
                self.cwd = std::path::PathBuf::from(self.home.clone());
            }
        }
        let help = cmd.args.iter().any(|w| {
            matches!(
                w.text.as_str(),
                "--help" | "-help" | "--usage" | "--version" | "help"
            )
        }) && !matches!(name.as_str(), "echo" | "printf")
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
                programs::dispatch(self, &cmd);
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
        self.redirect_effects(&name, &redirs);
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
                    if crate::paths::is_secret_path(&p, self.ctx) {
                        self.add(Effect::SecretRead { path: p });
                    }
                }
                RedirOp::Write | RedirOp::Append => {
                    if r.target.dynamic && !p.starts_with('/') {
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
                    crate::programs::inline_code::scan(self, interp, text, via, depth);
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

/// What a pipeline stage produces, judged from its words.
pub(crate) fn stage_kind(e: &Engine, words: &[Word], text: &str) -> Stdin {
    let mut i = 0;
    while i < words.len() {
        let t = &words[i].text;
        let b = basename(t);
        if is_assignment(t).is_some()
            || matches!(
                b,
                "sudo" | "doas" | "env" | "nohup" | "command" | "time" | "exec" | "stdbuf" | "nice"
            )
            || (i > 0 && t.starts_with('-'))
        {
            i += 1;
        } else {
            break;
        }
    }
    let rest = &words[i.min(words.len())..];
    let Some(first) = rest.first() else {
        return Stdin::Other(text.chars().take(40).collect());
    };
    let name = basename(&first.text);
    let args: Vec<&str> = rest[1..].iter().map(|w| w.text.as_str()).collect();
    let has = |f: &[&str]| {
        args.iter().any(|a| {
            f.contains(a)
                || (a.starts_with('-')
                    && !a.starts_with("--")
                    && f.iter().any(|x| x.len() == 2 && a.contains(&x[1..])))
        })
    };
    match name {
        "curl" | "wget" | "fetch" | "http" | "https" | "xh" | "aria2c" | "lynx" | "links"
        | "w3m" | "nc" | "ncat" | "netcat" | "socat" | "iwr" | "Invoke-WebRequest" => {
            let url = args
                .iter()
                .find(|a| a.contains("://") || a.contains('.'))
                .copied()
                .unwrap_or("the network");
            Stdin::Download(url.to_string())
        }
        "base64" | "base32" | "basenc" | "b64" if has(&["-d", "--decode", "-D"]) => {
            Stdin::Decoded(name.into())
        }
        "xxd" if has(&["-r"]) => Stdin::Decoded(name.into()),
        "openssl"
            if args
                .iter()
                .any(|a| *a == "-d" || a.contains("base64") || *a == "enc") =>
        {
            Stdin::Decoded(name.into())
        }
        "gzip" | "bzip2" | "xz" | "zstd" | "lz4" | "brotli"
            if has(&["-d", "--decode", "--decompress"]) =>
        {
            Stdin::Decoded(name.into())
        }
        "gunzip" | "zcat" | "bzcat" | "xzcat" | "unxz" | "bunzip2" | "uudecode" | "rev"
        | "unzstd" | "zstdcat" => Stdin::Decoded(name.into()),
        "tr" if args.iter().any(|a| {
            a.contains("A-Za-z")
                || a.contains("a-zA-Z")
                || a.contains("N-ZA-M")
                || a.contains("n-za-m")
        }) =>
        {
            Stdin::Decoded(name.into())
        }
        "echo" | "printf" if !rest.iter().any(|w| w.dynamic) => {
            let a: Vec<&str> = args
                .iter()
                .copied()
                .filter(|a| !matches!(*a, "-e" | "-n" | "-E" | "-ne" | "-en"))
                .collect();
            let s = if name == "printf" && a.len() > 1 && a[0].contains("%s") {
                a[0].replace("%s", a[1])
            } else {
                a.join(" ")
            };
            let s = if name == "printf" || args.contains(&"-e") {
                s.replace("\\n", "\n")
            } else {
                s
            };
            Stdin::Literal(s)
        }
        "cat" if !args.is_empty() && !rest.iter().any(|w| w.dynamic) => {
            Stdin::File(e.path(args[args.len() - 1]))
        }
        "ls" | "find" | "fd" | "git" if !rest.iter().any(|w| w.dynamic) => {
            listing(e, name, &args).unwrap_or_else(|| Stdin::Other(name.to_string()))
        }
        _ => {
            let l = text.to_ascii_lowercase();
            if l.contains("curl ") || l.contains("wget ") {
                Stdin::Download("a URL".into())
            } else if l.contains("base64 -d")
                || l.contains("base64 --decode")
                || l.contains("xxd -r")
            {
                Stdin::Decoded("a decoder".into())
            } else {
                Stdin::Other(name.to_string())
            }
        }
    }
}

/// `yes`, `cat /dev/zero`, or `head -c 100G`: output large enough to fill storage.
pub(crate) fn fills_storage(name: &str, argv: &[Word]) -> bool {
    let args: Vec<&str> = argv.iter().skip(1).map(|w| w.text.as_str()).collect();
    let infinite = |a: &&str| matches!(*a, "/dev/zero" | "/dev/urandom" | "/dev/random");
    match name {
        "yes" => true,
        "cat" | "pv" => args.iter().any(infinite),
        "head" => args.windows(2).any(|w| {
            (w[0] == "-c" || w[0] == "--bytes") && {
                let v = w[1].trim_end_matches(['B', 'b', 'i']);
                let (num, unit) =
                    v.split_at(v.find(|c: char| !c.is_ascii_digit()).unwrap_or(v.len()));
                let n: u64 = num.parse().unwrap_or(0);
                match unit {
                    "G" | "g" => n >= 10,
                    "T" | "t" | "P" | "p" => n >= 1,
                    _ => false,
                }
            }
        }),
        _ => false,
    }
}

/// Paths a listing command prints, as resolved (glob) paths.
fn listing(e: &Engine, name: &str, args: &[&str]) -> Option<Stdin> {
    let pos: Vec<&str> = args
        .iter()
        .copied()
        .filter(|a| !a.starts_with('-'))
        .collect();
    match name {
        "ls" => {
            let dir_only = args
                .iter()
                .any(|a| a.starts_with('-') && !a.starts_with("--") && a.contains('d'));
            let targets: Vec<String> = if pos.is_empty() {
                vec![".".into()]
            } else {
                pos.iter().map(|p| p.to_string()).collect()
            };
            Some(Stdin::Listing(
                targets
                    .iter()
                    .map(|t| {
                        let p = e.path(t);
                        if dir_only || t.contains('*') {
                            p
                        } else {
                            format!("{}/*", p.trim_end_matches('/'))
                        }
                    })
                    .collect(),
            ))
        }
        "find" | "fd" => {
            let mut roots = Vec::new();
            for a in args {
                if a.starts_with('-') || *a == "(" || *a == "!" {
                    break;
                }
                roots.push(e.path(a));
            }
            if roots.is_empty() {
                roots.push(e.path("."));
            }
            let filt = args
                .windows(2)
                .find(|w| {
                    matches!(w[0], "-name" | "-iname" | "-path" | "-regex")
                        && !matches!(w[1], "*" | ".*" | "*.*")
                })
                .map(|w| w[1].to_string());
            Some(Stdin::Listing(
                roots
                    .into_iter()
                    .map(|r| match &filt {
                        Some(f) => format!("{}/**/{f}", r.trim_end_matches('/')),
                        None => r,
                    })
                    .collect(),
            ))
        }
        "git" if args.first() == Some(&"ls-files") => {
            let root = e.project.clone().unwrap_or_else(|| e.path("."));
            let others = args.iter().any(|a| *a == "--others" || *a == "-o");
            let specs: Vec<&str> = pos.iter().skip(1).copied().collect();
            if others || specs.is_empty() {
                Some(Stdin::Listing(vec![format!("{root}/*")]))
            } else {
                Some(Stdin::Listing(
                    specs.iter().map(|s| format!("{root}/**/{s}")).collect(),
                ))
            }
        }
        _ => None,
    }
}

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
    let mut i = 1;
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
    i + positional
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
        "setsid" | "caffeinate" | "coproc" | "ssh-agent" | "faketime" | "dbus-launch"
        | "dbus-run-session" | "xvfb-run" | "setpriv" | "cgexec" | "sem" | "tsp" | "nocache"
        | "eatmydata" | "trickle" | "sandbox-exec" | "rlwrap" | "entr" | "daemonize" => {
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
        "unshare" | "nsenter" | "firejail" | "bwrap" => s(skip_opts(
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
            if let Some(k) = argv
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
                return Peel::Stop;
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
