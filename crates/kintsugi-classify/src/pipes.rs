//! What a pipeline stage produces for the next one (downloads, decoded data,
//! literal text, file listings), and writes large enough to fill storage.

use crate::engine::{Stdin, Walker};
use crate::programs::fs::FD_VALUE_OPTIONS;
use crate::unwrap::is_assignment;
use crate::words::{Word, basename};

/// What a pipeline stage produces, judged from its words.
pub(crate) fn stage_kind(e: &Walker, words: &[Word], text: &str) -> Stdin {
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
    // `pg_dump db | sed 's/^/DROP TABLE t;/' | psql`: the SQL a rewrite adds.
    if let Some(sql) = crate::programs::sql_rewrite::inserted_sql(name, &args) {
        return Stdin::Literal(sql);
    }
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
                crate::words::unescape(&s)
            } else {
                s
            };
            Stdin::Literal(s)
        }
        "cat" if !args.is_empty() && !rest.iter().any(|w| w.dynamic) => {
            Stdin::File(e.path(args[args.len() - 1]))
        }
        "ls" | "find" | "fd" | "fdfind" | "git" | "ag" | "rg" | "locate" | "plocate"
            if !rest.iter().any(|w| w.dynamic) =>
        {
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

/// A `while`/`until` loop that is a pipeline stage: its condition (`read`)
/// reads what the stages before it produce.
pub(crate) fn loop_reads_pipe(node: tree_sitter::Node) -> bool {
    matches!(node.kind(), "while_statement" | "until_statement")
        && node.parent().is_some_and(|g| g.kind() == "pipeline")
}

/// Paths a listing command prints, as resolved (glob) paths.
fn listing(e: &Walker, name: &str, args: &[&str]) -> Option<Stdin> {
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
            // `-a`/`-A` list hidden names too, which a `*` does not reach.
            let hidden = args
                .iter()
                .any(|a| a.starts_with('-') && !a.starts_with("--") && a.contains(['a', 'A']))
                || args.contains(&"--all")
                || args.contains(&"--almost-all");
            Some(Stdin::Listing(
                targets
                    .iter()
                    .flat_map(|t| {
                        let p = e.path(t);
                        if dir_only || t.contains('*') {
                            vec![p]
                        } else {
                            let dir = p.trim_end_matches('/');
                            let mut v = vec![format!("{dir}/*")];
                            if hidden {
                                v.push(format!("{dir}/.*"));
                            }
                            v
                        }
                    })
                    .collect(),
            ))
        }
        "fd" | "fdfind" | "ag" | "rg" | "locate" | "plocate" => name_search(e, name, args),
        "find" => {
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
            // Untracked files (`-o`, `--others`, `-k`, also in a cluster
            // like `-co`) are everything git does not keep: the whole
            // tree. Tracked files alone are every file git can restore
            // (`**/*`, which no rule reads as the project root itself).
            let others = args.iter().any(|a| {
                matches!(*a, "--others" | "--killed")
                    || (a.starts_with('-') && !a.starts_with("--") && a.contains(['o', 'k']))
            });
            let specs: Vec<&str> = pos.iter().skip(1).copied().collect();
            if others {
                Some(Stdin::Listing(vec![format!("{root}/*")]))
            } else if specs.is_empty() {
                Some(Stdin::Listing(vec![format!("{root}/**/*")]))
            } else {
                Some(Stdin::Listing(
                    specs.iter().map(|s| format!("{root}/**/{s}")).collect(),
                ))
            }
        }
        _ => None,
    }
}

/// Paths printed by a search by file name (`fd -e pem . ~`, `ag -g
/// '\.pem$' ~`, `rg --files -g '*.pem' ~`, `locate id_rsa`): each root with
/// the name pattern as a glob below it. `None` when the program is not
/// listing names (`rg PATTERN` prints matching lines).
fn name_search(e: &Walker, name: &str, args: &[&str]) -> Option<Stdin> {
    let more = [
        "-g",
        "--glob",
        "--iglob",
        "-G",
        "--file-search-regex",
        "-m",
        "--max-count",
        "-A",
        "-B",
        "-C",
        "--color",
        "--depth",
        "-T",
        "--type-not",
        "--ignore-file",
        "-l",
        "--limit",
    ];
    let with_value = |a: &str| FD_VALUE_OPTIONS.contains(&a) || more.contains(&a);
    let mut pos = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = args[i];
        if a.starts_with('-') && a.len() > 1 {
            i += if with_value(a) { 2 } else { 1 };
            continue;
        }
        pos.push(a);
        i += 1;
    }
    let value = |names: &[&str]| {
        args.windows(2)
            .find(|w| names.contains(&w[0]))
            .map(|w| w[1].to_string())
    };
    let has = |f: &str| args.contains(&f);
    let (patterns, roots): (Vec<String>, Vec<&str>) = match name {
        "fd" | "fdfind" => {
            let ext = value(&["-e", "--extension"]);
            let glob_mode = has("-g") || has("--glob");
            let pat = pos.first().copied().filter(|p| *p != ".");
            let mut v = Vec::new();
            match (pat, &ext) {
                (Some(p), _) if glob_mode => v.push(p.to_string()),
                (Some(p), _) => v.extend(regex_globs(p)),
                (None, Some(x)) => v.push(format!("*.{x}")),
                (None, None) => {}
            }
            (v, pos.iter().skip(1).copied().collect())
        }
        "ag" => {
            let p = value(&["-g", "-G", "--file-search-regex"])?;
            (regex_globs(&p), pos)
        }
        "rg" => {
            if !has("--files") {
                return None;
            }
            let g: Vec<String> = args
                .windows(2)
                .filter(|w| matches!(w[0], "-g" | "--glob" | "--iglob"))
                .map(|w| w[1].to_string())
                .filter(|g| !g.starts_with('!'))
                .collect();
            (g, pos)
        }
        _ => (
            pos.first().map(|p| regex_globs(p)).unwrap_or_default(),
            vec!["/"],
        ),
    };
    let roots: Vec<String> = if roots.is_empty() {
        vec![e.path(".")]
    } else {
        roots.iter().map(|r| e.path(r)).collect()
    };
    let mut out = Vec::new();
    for r in &roots {
        let r = r.trim_end_matches('/');
        if patterns.is_empty() {
            out.push(r.to_string());
        }
        for p in &patterns {
            out.push(format!("{r}/**/{p}"));
        }
    }
    Some(Stdin::Listing(out))
}

/// A file-name regular expression as globs (`\.pem$` → `*.pem`,
/// `(key|pem)$` → `*key`, `*pem`; `id_rsa` → `*id_rsa*`).
fn regex_globs(re: &str) -> Vec<String> {
    let start = re.starts_with('^');
    let end = re.ends_with('$') && !re.ends_with("\\$");
    let body = re.trim_start_matches('^');
    let body = if end { &body[..body.len() - 1] } else { body };
    let body = body.trim_start_matches('(').trim_end_matches(')');
    body.split('|')
        .take(8)
        .map(|alt| {
            let mut g = String::new();
            let mut chars = alt.chars().peekable();
            while let Some(ch) = chars.next() {
                match ch {
                    '\\' => g.extend(chars.next()),
                    '.' if chars.peek() == Some(&'*') => {
                        chars.next();
                        g.push('*');
                    }
                    '.' => g.push('?'),
                    '+' | '*' | '?' | '(' | ')' => g.push('*'),
                    c => g.push(c),
                }
            }
            format!(
                "{}{g}{}",
                if start { "" } else { "*" },
                if end { "" } else { "*" }
            )
        })
        .collect()
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

#[cfg(test)]
mod tests {
    use crate::testutil::expect;

    /// Tracked files come back with git; untracked ones do not.
    #[test]
    fn git_ls_files_lists_tracked_or_every_file() {
        expect(&[
            ("git ls-files | xargs rm -f", "ambiguous"),
            ("git ls-files -z | xargs -0 rm", "ambiguous"),
            ("for f in $(git ls-files); do rm \"$f\"; done", "ambiguous"),
            ("rm -rf $(git ls-files)", "ambiguous"),
            ("git ls-files -o | xargs rm", "catastrophic"),
            ("git ls-files -co | xargs rm -f", "catastrophic"),
            (
                "git ls-files --others --exclude-standard -z | xargs -0 rm",
                "catastrophic",
            ),
            ("rm -f $(git ls-files -o)", "catastrophic"),
            (
                "git ls-files -o | while read -r f; do rm \"$f\"; done",
                "catastrophic",
            ),
            ("git ls-files | xargs -I{} sh -c ': > {}'", "catastrophic"),
            ("git ls-files | xargs wc -l", "safe"),
        ]);
    }
}
