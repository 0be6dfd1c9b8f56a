//! Programs that run other programs over files: find (-exec, -delete),
//! xargs, and the sed script checks.

use super::Cmd;
use crate::effects::Effect;
use crate::engine::{Stdin, Walker};
use crate::words::Word;

/// The word standing for what `xargs` reads when Kintsugi cannot read it:
/// a substitution, so a recursive delete of it is a computed path.
pub(crate) const XARGS_INPUT: &str = "$(what xargs reads)";

/// Programs that print or send the whole contents of the files `find
/// -exec` hands them (a `grep` prints only matching lines, as `grep -r`
/// does).
const EXEC_READERS: &[&str] = &[
    "cat", "head", "tail", "less", "more", "strings", "xxd", "od", "hexdump", "base64", "nl",
    "tac", "curl", "scp",
];

pub(crate) fn find(e: &mut Walker, c: &Cmd) {
    let mut roots = Vec::new();
    let mut i = 0;
    while i < c.args.len() {
        let t = &c.args[i].text;
        if t.starts_with('-') || t == "(" || t == "!" {
            break;
        }
        roots.push(e.path(t));
        i += 1;
    }
    if roots.is_empty() {
        roots.push(e.path("."));
    }
    let tests = [
        "-name",
        "-iname",
        "-path",
        "-ipath",
        "-regex",
        "-iregex",
        "-mtime",
        "-mmin",
        "-newer",
        "-size",
        "-empty",
        "-user",
        "-perm",
        "-atime",
        "-ctime",
        "-wholename",
        "-links",
        "-inum",
        "-samefile",
        "-lname",
    ];
    let filtered = c.args[i..].windows(2).any(|w| {
        tests.contains(&w[0].text.as_str())
            && !(matches!(w[0].text.as_str(), "-name" | "-iname" | "-path")
                && matches!(w[1].text.as_str(), "*" | "*.*" | ".*" | "?*"))
    }) || c.args[i..].iter().any(|w| w.text == "-empty");
    let name = c
        .opt(&["-name", "-iname"])
        .map(|w| w.text.clone())
        .unwrap_or_else(|| "?*".into());
    let target = |r: &str| {
        if filtered {
            format!("{}/**/{}", r.trim_end_matches('/'), name)
        } else {
            r.to_string()
        }
    };
    // The name of a repository or key store (`-name .git`) also matches the
    // root's own child, which is judged as itself (`./.git` is the
    // repository).
    let targets = |r: &str| {
        let mut v = vec![target(r)];
        if filtered
            && matches!(
                name.as_str(),
                ".git" | ".ssh" | ".gnupg" | ".aws" | ".kube" | ".password-store"
            )
        {
            v.push(format!("{}/{}", r.trim_end_matches('/'), name));
        }
        v
    };
    let mut k = i;
    while k < c.args.len() {
        let t = c.args[k].text.as_str();
        match t {
            "-delete" => {
                for path in roots.iter().flat_map(|r| targets(r)) {
                    e.add(Effect::Delete {
                        path,
                        recursive: true,
                    });
                }
            }
            "-exec" | "-execdir" | "-ok" | "-okdir" => {
                let end = c.args[k + 1..]
                    .iter()
                    .position(|w| w.text == ";" || w.text == "+")
                    .map(|p| k + 1 + p)
                    .unwrap_or(c.args.len());
                // A reader handed every file under an unfiltered root reads
                // them all, hidden ones included (`find ~ -exec cat {} +`
                // prints the keys): the root's files stand for `{}`.
                let reads = c
                    .args
                    .get(k + 1)
                    .is_some_and(|w| EXEC_READERS.contains(&crate::words::basename(&w.text)));
                let tgts: Vec<String> = roots
                    .iter()
                    .flat_map(|r| match !filtered && reads {
                        true => vec![format!("{}/**/?*", r.trim_end_matches('/'))],
                        false => targets(r),
                    })
                    .collect();
                for tgt in tgts {
                    let inner: Vec<Word> = c.args[k + 1..end]
                        .iter()
                        .map(|w| {
                            if w.text.contains("{}") {
                                Word {
                                    text: w.text.replace("{}", &tgt),
                                    ..w.clone()
                                }
                            } else {
                                w.clone()
                            }
                        })
                        .collect();
                    if !inner.is_empty() {
                        let mut via = c.via.clone();
                        via.push(format!("find {t}"));
                        e.run_argv(inner, Vec::new(), Stdin::Terminal, via, c.depth + 1);
                    }
                }
                k = end;
            }
            "-fprint" | "-fprint0" | "-fprintf" | "-fls" => {
                if let Some(f) = c.args.get(k + 1) {
                    let p = e.path(&f.text);
                    e.add(Effect::Overwrite {
                        path: p,
                        append: false,
                    });
                }
            }
            _ => {}
        }
        k += 1;
    }
}

/// `rename EXPR FILES…` (Perl's) or `rename FROM TO FILES…` (util-linux's):
/// each file is moved to a name computed from its own, so each is a move
/// (`rename 's/.*/x/' ~/*` moves every file of home onto one name).
pub(crate) fn rename(e: &mut Walker, c: &Cmd) -> bool {
    let pos = c.positional();
    let expr = pos.first().map(|w| w.text.as_str()).unwrap_or("");
    let perl = expr.starts_with("s") || expr.starts_with("y") || expr.starts_with("tr");
    for w in pos.iter().skip(if perl { 1 } else { 2 }) {
        let from = e.path(&w.text);
        e.add(Effect::Move {
            to: from.clone(),
            from,
        });
    }
    true
}

pub(crate) fn xargs(e: &mut Walker, c: &Cmd) {
    let mut i = 0;
    let with_arg = [
        "-a",
        "-d",
        "-E",
        "-I",
        "-L",
        "-n",
        "-P",
        "-s",
        "--arg-file",
        "--delimiter",
        "--max-args",
        "--max-procs",
        "--max-chars",
        "--max-lines",
        "--process-slot-var",
        "--eof",
        "--replace",
    ];
    let mut repl: Option<String> = None;
    while i < c.args.len() {
        let a = c.args[i].text.as_str();
        if a == "--" {
            i += 1;
            break;
        }
        if !a.starts_with('-') {
            break;
        }
        if a == "-I" {
            repl = c.args.get(i + 1).map(|w| w.text.clone());
        } else if let Some(r) = a.strip_prefix("-I") {
            repl = Some(r.to_string());
        } else if a == "-i" || a.starts_with("--replace") {
            repl = Some("{}".into());
        }
        i += if with_arg.contains(&a) { 2 } else { 1 };
    }
    // `xargs -a <(printf '%s\0' ~) rm -rf`: the arguments come from the
    // file, here a process substitution whose output is judged like a pipe.
    let arg_file = c
        .opt(&["-a", "--arg-file"])
        .map(|w| w.text.clone())
        .or_else(|| c.opt_eq("--arg-file"));
    let from_file = arg_file.as_deref().and_then(|f| {
        let inner = f.strip_prefix("<(")?.strip_suffix(')')?;
        let words = e.split(inner);
        Some(crate::pipes::stage_kind(e, &words, inner))
    });
    let stdin = from_file.as_ref().unwrap_or(&c.stdin);
    let reads_stdin = matches!(arg_file.as_deref(), Some("-" | "/dev/stdin"));
    let stdin = if arg_file.is_some() && from_file.is_none() && !reads_stdin {
        &Stdin::Terminal
    } else {
        stdin
    };
    let input: Vec<Word> = match stdin {
        Stdin::Literal(t) => e.split(&t.replace("\\0", " ").replace('\0', " ")),
        Stdin::Listing(v) => v
            .iter()
            .map(|p| Word {
                text: p.clone(),
                dynamic: false,
                glob: p.contains(['*', '?']),
            })
            .collect(),
        _ => vec![Word {
            text: XARGS_INPUT.into(),
            dynamic: true,
            glob: false,
        }],
    };
    let mut inner: Vec<Word> = c.args[i.min(c.args.len())..].to_vec();
    if inner.is_empty() {
        inner.push(Word::lit("echo"));
    }
    if let Some(r) = repl {
        // With a replace string each whole input line is one argument
        // (`xargs -I{} sh -c '{}' <<< 'rm -rf ~'`).
        let line = match stdin {
            Stdin::Literal(t) => t
                .replace("\\n", "\n")
                .lines()
                .map(str::trim)
                .find(|l| !l.is_empty())
                .map(str::to_string),
            _ => None,
        };
        let v = line.unwrap_or_else(|| input.first().map(|w| w.text.clone()).unwrap_or_default());
        for w in &mut inner {
            if w.text.contains(&r) {
                w.text = w.text.replace(&r, &v);
                w.dynamic |= input.iter().any(|x| x.dynamic);
            }
        }
    } else {
        inner.extend(input);
    }
    let mut via = c.via.clone();
    via.push("xargs".into());
    e.run_argv(inner, Vec::new(), Stdin::Terminal, via, c.depth + 1);
}

pub(crate) fn sed(e: &mut Walker, c: &Cmd) {
    let inplace = c.args.iter().any(|a| {
        a.text.starts_with("-i")
            || a.text.starts_with("--in-place")
            || (a.text.starts_with('-')
                && !a.text.starts_with("--")
                && a.text.contains('i')
                && a.text.len() <= 4)
    });
    let mut script_given =
        c.opt(&["-e", "--expression"]).is_some() || c.opt(&["-f", "--file"]).is_some();
    let mut scripts: Vec<String> = c
        .args
        .windows(2)
        .filter(|p| p[0].text == "-e" || p[0].text == "--expression")
        .map(|p| p[1].text.clone())
        .collect();
    let mut files = Vec::new();
    let mut skip_next = false;
    for a in &c.args {
        if skip_next {
            skip_next = false;
            continue;
        }
        if matches!(
            a.text.as_str(),
            "-e" | "--expression" | "-f" | "--file" | "-l" | "--line-length"
        ) {
            skip_next = true;
            continue;
        }
        if a.text.starts_with('-') && a.text != "-" {
            continue;
        }
        if !script_given {
            script_given = true;
            scripts.push(a.text.clone());
            continue;
        }
        files.push(a.text.clone());
    }
    for s in &scripts {
        if sed_executes(s) {
            e.add(Effect::Opaque {
                what: "sed runs pattern space as a shell command (`e`)".into(),
                exec: true,
            });
        }
        if let Some(p) = sed_write_target(s) {
            let p = e.path(&p);
            e.add(Effect::Overwrite {
                path: p,
                append: false,
            });
        }
    }
    if inplace {
        for f in files {
            let p = e.path(&f);
            e.add(Effect::Overwrite {
                path: p,
                append: false,
            });
        }
    }
}

/// `s/x/y/e` or an `e cmd` command (after an optional address).
fn sed_executes(s: &str) -> bool {
    let t = s.trim();
    let t =
        t.trim_start_matches(|c: char| c.is_ascii_digit() || matches!(c, '$' | ',' | '~' | '!'));
    if t.starts_with("e ") || t == "e" || t.contains(";e ") || t.contains("\ne ") {
        return true;
    }
    if let Some(rest) = t.strip_prefix('s')
        && let Some(d) = rest.chars().next()
    {
        let parts: Vec<&str> = rest[d.len_utf8()..].split(d).collect();
        if parts.len() >= 3 {
            let flags = parts[2];
            return flags
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .any(|c| c == 'e');
        }
    }
    false
}

fn sed_write_target(s: &str) -> Option<String> {
    let t = s.trim();
    if let Some(rest) = t.strip_prefix("w ") {
        return Some(rest.trim().to_string());
    }
    None
}
