//! Scanning inline interpreter code: string literals, call arguments, spawn /
//! delete / network patterns, secret environment variables, fork loops.

use crate::effects::Effect;
use crate::engine::{Stdin, Walker};

/// String literals in code (single, double and backtick quotes).
pub(crate) fn literals(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let ch: Vec<char> = code.chars().collect();
    let mut k = 0;
    while k < ch.len() && out.len() < 256 {
        let q = ch[k];
        if q == '"' || q == '\'' || q == '`' {
            let mut s = String::new();
            k += 1;
            while k < ch.len() && ch[k] != q {
                if ch[k] == '\\' && k + 1 < ch.len() {
                    k += 1;
                    s.push(match ch[k] {
                        'n' => '\n',
                        't' => '\t',
                        c => c,
                    });
                } else {
                    s.push(ch[k]);
                }
                k += 1;
            }
            out.push(s);
        }
        k += 1;
    }
    out
}

/// The argument region of a call starting at `at`: the balanced `( … )`
/// after the name, or (perl/ruby style, no parentheses) up to `;`.
pub(crate) fn call_region(code: &str, at: usize) -> &str {
    let rest = &code[at..];
    let name_end = rest.find(['(', ' ', '"', '\'']).unwrap_or(rest.len());
    let after = &rest[name_end..];
    let trimmed = after.trim_start();
    if trimmed.starts_with('(') {
        let base = rest.len() - trimmed.len();
        let ch: Vec<(usize, char)> = trimmed.char_indices().collect();
        let mut depth = 0i32;
        let mut q: Option<char> = None;
        for (k, c) in ch {
            match q {
                Some(x) if c == x => q = None,
                Some(_) => {}
                None => match c {
                    '"' | '\'' | '`' => q = Some(c),
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            return &rest[base + 1..base + k];
                        }
                    }
                    _ => {}
                },
            }
        }
        return &rest[base + 1..];
    }
    let end = after.find([';', '\n', '}']).unwrap_or(after.len());
    &after[..end]
}

/// The literal command of a spawn call: all string literals joined
/// (`exec "rm", "-rf", "/"`, `run(['rm', '-rf', '/'])`), plus `~` when the
/// call computes the home directory.
pub(crate) fn call_arg(code: &str, at: usize) -> Option<String> {
    let region = call_region(code, at);
    let mut lits = literals(region);
    if refers_home(region) {
        lits.push("~".into());
    }
    if lits.is_empty() {
        return None;
    }
    // `spawnSync('sh', ['-c', 'rm -rf ~'])`: a shell's `-c` script is one
    // word, not more words of the command.
    if lits.len() >= 3
        && matches!(
            crate::words::basename(&lits[0]),
            "sh" | "bash" | "zsh" | "dash" | "ksh"
        )
        && lits[1].starts_with('-')
        && lits[1].ends_with('c')
    {
        return Some(lits[2].clone());
    }
    let concat = region.contains("''.join")
        || region.contains("\"\".join")
        || region.contains("' + '")
        || region.contains("'+'")
        || region.contains("\" + \"")
        || region.contains("\"+\"");
    if concat {
        return Some(lits.concat());
    }
    let first_is_lit = region.trim_start().starts_with(['"', '\'', '`', '['])
        || region.trim_start().starts_with("''.join")
        || region.trim_start().starts_with("\"\".join");
    if !first_is_lit && !refers_home(region) {
        return None;
    }
    Some(lits.join(" "))
}

pub(crate) fn refers_home(s: &str) -> bool {
    [
        "homedir",
        "expanduser",
        "Path.home",
        "Dir.home",
        "ENV['HOME']",
        "ENV[\"HOME\"]",
        "$ENV{HOME}",
        "env.HOME",
        "os.environ['HOME']",
        "getenv('HOME')",
        "getenv(\"HOME\")",
        "env(HOME)",
        "Deno.env.get('HOME')",
        "process.env.HOME",
        "$HOME",
        "user.home",
    ]
    .iter()
    .any(|k| s.contains(k))
}

const SPAWN: &[&str] = &[
    "os.system",
    "subprocess.",
    "os.popen",
    "os.exec",
    "os.spawn",
    "commands.getoutput",
    "pty.spawn",
    "system(",
    "exec(",
    "execSync",
    "spawnSync",
    "spawn(",
    "execFile",
    "Popen(",
    "check_output(",
    "check_call(",
    "getoutput(",
    "child_process",
    "shell_exec",
    "passthru",
    "proc_open",
    "popen(",
    "Kernel.exec",
    "IO.popen",
    "%x",
    "qx",
    "`",
    "Runtime.getRuntime",
    "ProcessBuilder",
    ".execute()",
    "do shell script",
    "Start-Process",
    "Invoke-Expression",
    "iex ",
    "os.execute",
    "io.popen",
    "sh.",
    "Bun.spawn",
    "Deno.run",
    "Deno.Command",
    "$.spawn",
    "$`",
    "execvp",
    "execlp",
    "execv(",
    "execl(",
    "exec ",
    "spawn ",
    "system ",
    "os:cmd(",
    "System.cmd(",
    "System.shell(",
];

const DELETE: &[&str] = &[
    "shutil.rmtree",
    "os.remove",
    "os.unlink",
    "os.rmdir",
    "os.removedirs",
    ".unlink(",
    ".rmdir(",
    "rm_rf",
    "rm_r",
    "FileUtils.rm",
    "rmSync",
    "rmdirSync",
    "unlinkSync",
    "fs.rm(",
    "fs.rmdir",
    "fs.unlink",
    "fsPromises.rm",
    "File.delete",
    "unlink(",
    "rmtree",
    "remove_tree",
    "Remove-Item",
    "file.remove",
    "Dir.rmdir",
    "Deno.remove",
    "rimraf",
    "removeSync",
    "delete-directory",
    "delete-tree",
    "delete-file",
    "file delete",
    "rm(",
    "unlink glob",
    "remove_dir_all",
    "remove_file",
    "deleteDir",
    "deleteRecursively",
    "Files.delete",
    "FileUtils.deleteDirectory",
    "FileUtils.forceDelete",
    ".delete()",
];

const NET_SEND: &[&str] = &[
    "requests.post",
    "requests.put",
    "requests.patch",
    "httpx.post",
    "socket.",
    "net.connect",
    "net.Socket",
    "Net::HTTP.post",
    "XMLHttpRequest",
    "axios.post",
    "method: 'POST'",
    "method:\"POST\"",
    "method: \"POST\"",
    "IO::Socket",
    "TCPSocket",
    "fsockopen",
    "curl_exec",
    "smtplib",
    "Invoke-RestMethod",
    "urllib.request.Request",
    "http.request(",
    "https.request(",
];

pub(crate) const NET_GET: &[&str] = &[
    "requests.get",
    "urllib",
    "urlopen",
    "http.client",
    "fetch(",
    "axios",
    "Net::HTTP",
    "open-uri",
    "URI.open",
    "LWP::",
    "file_get_contents(\"http",
    "file_get_contents('http",
    "httpx.",
    "Invoke-WebRequest",
    "https.get",
    "http.get",
    "curl",
];

/// Scan inline code for effects; spawned string literals are re-analysed.
pub(crate) fn scan(e: &mut Walker, kind: &str, code: &str, via: &[String], depth: usize) {
    if depth > crate::MAX_NESTING {
        e.add(Effect::Limit {
            what: "nesting".into(),
        });
        return;
    }
    if kind == "pwsh" {
        super::pwsh::scan(e, code, via, depth);
    }
    // `#{ENV["HOME"]}` nests quotes inside a string: read it as `$HOME`.
    let homed;
    let code = if matches!(kind, "ruby" | "perl" | "tcl") {
        homed = super::code_reach::shell_home(code);
        homed.as_str()
    } else {
        code
    };
    let lower = code.to_ascii_lowercase();
    let mut spawned = false;
    for pat in SPAWN {
        if *pat == "`" && !matches!(kind, "perl" | "ruby" | "php" | "julia") {
            continue;
        }
        if *pat == "$`" && kind != "node" {
            continue;
        }
        if (*pat == "exec " || *pat == "spawn " || *pat == "system ")
            && !matches!(kind, "perl" | "ruby" | "tcl" | "lisp")
        {
            continue;
        }
        if matches!(*pat, "%x" | "qx") && !matches!(kind, "perl" | "ruby") {
            continue;
        }
        if *pat == "exec(" && kind == "python" && !code.contains("os.exec") {
            // Python's exec() runs Python, not a shell: treat as opaque code.
            if let Some(k) = code.find("exec(") {
                let arg = &code[k..];
                if NET_GET.iter().chain(NET_SEND).any(|n| arg.contains(n)) {
                    e.add(Effect::DownloadExec {
                        source: "a URL".into(),
                        interpreter: "python exec()".into(),
                    });
                } else if arg.contains("b64decode")
                    || arg.contains("decode(")
                    || arg.contains("decompress")
                    || arg.contains("codecs")
                {
                    e.add(Effect::Opaque {
                        what: "python exec() of decoded data".into(),
                        exec: true,
                    });
                } else if call_arg(code, k).is_none() {
                    e.add(Effect::Opaque {
                        what: "python exec() of computed code".into(),
                        exec: true,
                    });
                }
            }
            continue;
        }
        let mut from = 0;
        while let Some(k) = code[from..].find(pat) {
            let at = from + k;
            // `require('child_process')` names the module; its calls
            // (`.spawn(`, `.execSync(`) are matched on their own.
            if *pat == "child_process" && code[at + pat.len()..].starts_with(['\'', '"', '`']) {
                from = at + pat.len();
                continue;
            }
            // `system "cmd"`, `system $cmd`: a call, not the word in a regex
            // or a sentence (`print if /system /`).
            if *pat == "system " {
                let before_ok = code[..at]
                    .chars()
                    .next_back()
                    .is_none_or(|ch| matches!(ch, ' ' | ';' | '{' | '(' | '\n' | '\t'));
                // `system scalar reverse("~ fr- mr")`, `system join(…)`:
                // a command string built when the code runs.
                let after = &code[at + pat.len()..];
                let after_ok = after.starts_with(['"', '\'', '$', '@', '('])
                    || super::code_reach::STRING_BUILDERS
                        .iter()
                        .any(|b| after.starts_with(b));
                if !(before_ok && after_ok) {
                    from = at + pat.len();
                    if from >= code.len() {
                        break;
                    }
                    continue;
                }
            }
            spawned = true;
            let arg = if *pat == "`" || *pat == "$`" {
                backtick_body(code, at, pat)
            } else if kind == "tcl" && *pat == "exec " {
                // Tcl's `exec rm -rf $env(HOME)`: bare words up to the end
                // of the command.
                let rest = &code[at + pat.len()..];
                let end = rest.find(['\n', ';', ']']).unwrap_or(rest.len());
                Some(rest[..end].trim().to_string())
            } else if matches!(*pat, "qx" | "%x") {
                super::code_reach::quote_like(code, at + pat.len())
            } else {
                call_arg(code, at)
            };
            match arg {
                Some(cmd) if !cmd.is_empty() => {
                    let mut v = via.to_vec();
                    v.push(format!("{kind} {}", pat.trim_end_matches('(')));
                    e.run_script(
                        &super::code_reach::shell_home(&cmd),
                        &v,
                        depth + 1,
                        &Stdin::Terminal,
                    );
                }
                _ => {
                    let tail = &code[at..];
                    if NET_GET.iter().any(|n| tail.contains(n)) {
                        e.add(Effect::DownloadExec {
                            source: "a URL".into(),
                            interpreter: kind.into(),
                        });
                    } else {
                        e.add(Effect::Opaque {
                            what: format!("{kind} spawns a command built at run time"),
                            exec: true,
                        });
                    }
                }
            }
            from = if *pat == "`" || *pat == "$`" {
                code[at + pat.len()..]
                    .find('`')
                    .map(|x| at + pat.len() + x + 1)
                    .unwrap_or(code.len())
            } else {
                at + pat.len()
            };
            if from >= code.len() {
                break;
            }
        }
    }
    let _ = spawned;
    for pat in DELETE {
        let mut from = 0;
        while let Some(k) = code[from..].find(pat) {
            let at = from + k;
            let region = call_region(code, at);
            let target = if refers_home(region) {
                Some("~".to_string())
            } else {
                literals(region).into_iter().find(|l| {
                    !l.is_empty() && !l.chars().all(|c| c.is_ascii_uppercase() || c == '_')
                })
            };
            let target = target.or_else(|| {
                literals(code)
                    .into_iter()
                    .find(|l| l.starts_with('/') || l.starts_with('~'))
            });
            let recursive = region.contains("recursive")
                || region.contains("force")
                || pat.contains("rmtree")
                || pat.contains("rm_r")
                || pat.contains("rmSync")
                || pat.contains("remove_tree")
                || pat.contains("rimraf")
                || pat.contains("fs.rm(")
                || pat.contains("Remove-Item")
                || pat.contains("deleteDir")
                || pat.contains("Recursively")
                || pat.contains("deleteDirectory")
                || pat.contains("forceDelete")
                || pat.contains("removedirs");
            match target {
                Some(t) => {
                    let p = e.path(&expand_user(&t, &e.home));
                    e.add(Effect::Delete { path: p, recursive });
                }
                None => {
                    let home_ref = code[at..].contains("expanduser")
                        || code[at..].contains("Path.home")
                        || code[at..].contains("homedir")
                        || code[at..].contains("ENV['HOME']")
                        || code[at..].contains("$ENV{HOME}");
                    let path = if home_ref {
                        e.home.clone()
                    } else {
                        "$(computed path)".to_string()
                    };
                    e.add(Effect::Delete { path, recursive });
                }
            }
            from = at + pat.len();
        }
    }
    if NET_SEND.iter().any(|p| code.contains(p)) {
        e.add(Effect::NetworkEgress {
            host: literal_host(code),
            payload: format!("data from {kind} code"),
            sensitive: true,
        });
    } else if NET_GET.iter().any(|p| code.contains(p))
        && (lower.contains("eval(")
            || lower.contains("(eval)")
            || lower.contains("new function(")
            || lower.contains("exec(")
            || lower.contains("| sh")
            || lower.contains("|sh"))
    {
        e.add(Effect::DownloadExec {
            source: literal_host(code),
            interpreter: kind.into(),
        });
    }
    // PowerShell's key paths are judged per cmdlet (`pwsh_cmdlets`).
    let metadata_only = metadata_only(code) || kind == "pwsh";
    for lit in literals(code).into_iter().filter(|_| !metadata_only) {
        let cand = expand_user(&lit, &e.home);
        if cand.starts_with('/') || cand.starts_with('.') {
            let p = e.path(&cand);
            if crate::secret_paths::is_secret_path(&p, e.ctx) {
                e.add(Effect::SecretRead { path: p });
            }
        }
    }
    let db_call = [
        "execute",
        "query",
        "sqlite",
        "psycopg",
        "cursor",
        "exec(",
        ".run(",
        "prepare",
        "knex",
        "sequelize",
        "mysql",
        "pg.",
        "Client(",
        "connect(",
    ]
    .iter()
    .any(|k| code.contains(k));
    for lit in literals(code).into_iter().filter(|_| db_call) {
        if let (2, w) = super::db::sql_severity(&lit) {
            e.add(Effect::DbDestroy {
                engine: format!("{kind} code"),
                what: w,
            });
        }
    }
    if let Some(v) = secret_env_ref(code) {
        e.add(Effect::SecretRead {
            path: format!("${v}"),
        });
    }
    if code.contains("/inet/tcp/") || code.contains("/dev/tcp/") {
        e.add(Effect::RemoteExec {
            host: "a raw TCP socket".into(),
            reverse_shell: true,
        });
    }
    if refers_home(code) && !metadata_only {
        for lit in literals(code) {
            let rel = lit.trim_start_matches('/');
            if !rel.is_empty() {
                let p = format!("{}/{rel}", e.home);
                if crate::secret_paths::is_secret_path(&p, e.ctx) {
                    e.add(Effect::SecretRead { path: p });
                }
            }
        }
    }
    // Evaluating decoded or computed text hides what runs.
    let evals = [
        "eval(",
        "exec(",
        "Function(",
        "eval ",
        "instance_eval",
        "class_eval",
    ]
    .iter()
    .any(|k| code.contains(k));
    let decodes = [
        "base64",
        "b64decode",
        "decode(",
        "fromCharCode",
        "atob(",
        "unpack(",
        "decode_base64",
        "pack(",
        "from_hex",
        "codecs",
        "zlib",
    ]
    .iter()
    .any(|k| code.contains(k));
    if evals && decodes {
        e.add(Effect::Opaque {
            what: format!("{kind} evaluates decoded text"),
            exec: true,
        });
    }
    let looped = ["while", "loop", "for ", "for(", "iter(", "until", "repeat"]
        .iter()
        .any(|k| code.contains(k));
    let async_spawn = [
        "spawn(",
        "Popen(",
        "Process.spawn",
        "spawn ",
        "fork",
        "Process(",
    ]
    .iter()
    .any(|k| code.contains(k));
    if (fork_call(code) && looped || unbounded_loop(code) && async_spawn)
        && !code.contains("waitpid")
    {
        e.add(Effect::ForkBomb {
            name: format!("{kind} fork loop"),
        });
    }
    if kind == "perl" && (code.contains("fork while fork") || code.contains("fork while 1"))
        || kind == "python" && code.contains("while True: os.fork()")
    {
        e.add(Effect::ForkBomb {
            name: format!("{kind} fork loop"),
        });
    }
    if kind == "python" || kind == "node" || kind == "ruby" {
        for pat in ["open(", "writeFileSync(", "File.write(", "writeFile("] {
            if let Some(k) = code.find(pat)
                && let Some(t) = call_arg(code, k)
            {
                let mode_w = code[k..].split(')').next().is_some_and(|s| {
                    s.contains("'w") || s.contains("\"w") || s.contains("'a") || pat != "open("
                });
                if mode_w {
                    let p = e.path(&expand_user(&t, &e.home));
                    e.add(Effect::Overwrite {
                        path: p,
                        append: false,
                    });
                }
            }
        }
    }
    super::code_reach::scan(e, kind, code);
}

/// A call of `fork` as a word (`fork()`, `fork}`, `os.fork`, `fork while 1`),
/// not a longer name (`forked`, `forkJoin`).
fn fork_call(code: &str) -> bool {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    code.match_indices("fork").any(|(at, _)| {
        let before = code[..at].chars().next_back();
        let after = code[at + 4..].chars().next();
        !before.is_some_and(ident) && !after.is_some_and(ident)
    })
}

/// A loop with no exit condition, in any language.
fn unbounded_loop(code: &str) -> bool {
    let squeezed: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    [
        "for(;;)",
        "while(1)",
        "while(true)",
        "whileTrue:",
        "while1",
        "whiletrue",
        "loop{",
        "loopdo",
        "iter(int",
        "untilfalse",
        "until(false)",
        "repeat{",
        "setInterval(",
    ]
    .iter()
    .any(|k| squeezed.contains(k))
}

/// A secret-looking environment variable read by code.
pub(crate) fn secret_env_ref(code: &str) -> Option<String> {
    for pre in [
        "environ['",
        "environ[\"",
        "environ.get('",
        "environ.get(\"",
        "getenv('",
        "getenv(\"",
        "process.env.",
        "ENV['",
        "ENV[\"",
        "$ENV{",
        "Deno.env.get('",
        "env::var(\"",
    ] {
        let mut rest = code;
        while let Some(k) = rest.find(pre) {
            let after = &rest[k + pre.len()..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if crate::programs::secrets::secret_var(&name) {
                return Some(name);
            }
            rest = after;
        }
    }
    None
}

pub(crate) fn backtick_body(code: &str, at: usize, pat: &str) -> Option<String> {
    if pat != "`" && pat != "$`" {
        return None;
    }
    let rest = &code[at + pat.len()..];
    rest.find('`').map(|end| rest[..end].to_string())
}

pub(crate) fn expand_user(s: &str, home: &str) -> String {
    // Home spelled inside a string literal of the code: `~`, Perl's
    // `$ENV{HOME}`, an interpolated `$HOME` / `${HOME}`.
    for pre in ["~", "$ENV{HOME}", "${HOME}", "$HOME", "#{ENV['HOME']}"] {
        if s == pre {
            return home.to_string();
        }
        if let Some(r) = s.strip_prefix(pre).and_then(|r| r.strip_prefix('/')) {
            return format!("{home}/{r}");
        }
    }
    s.to_string()
}

pub(crate) fn literal_host(code: &str) -> String {
    literals(code)
        .into_iter()
        .find(|l| l.starts_with("http://") || l.starts_with("https://"))
        .map(|u| super::net::host_of(&u))
        .unwrap_or_else(|| "a network host".into())
}

/// Code that only asks whether a path exists or what its metadata is
/// (`os.path.exists`, `fs.existsSync`, `File.exist?`, `stat`) and never
/// reads, copies or sends a file's content.
fn metadata_only(code: &str) -> bool {
    const META: &[&str] = &[
        "exists(",
        "isfile(",
        "isdir(",
        "islink(",
        "getsize(",
        "getmtime(",
        "stat(",
        "access(",
        "existsSync(",
        "exist?(",
        "exists?(",
        "file?(",
        "Test-Path",
        "is_file(",
        "is_dir(",
        "lstat(",
        "-e ",
        "-f ",
        "is_file()",
        "exists()",
        "file_exists(",
        "filemtime(",
        "fileperms(",
    ];
    const READ: &[&str] = &[
        "open(",
        "read",
        "cat ",
        "copy",
        "slurp",
        "load",
        "send",
        "post",
        "upload",
        "print(open",
        "Get-Content",
        "File.new",
        "IO.",
        "fopen",
        "file_get_contents",
        "load_pem",
        "createReadStream",
        "shutil",
        "system(",
        "popen",
        "subprocess",
        "exec",
        "spawn",
        "request",
        "urlopen",
        "socket",
        "fetch(",
        "http",
    ];
    META.iter().any(|m| code.contains(m)) && !READ.iter().any(|r| code.contains(r))
}
