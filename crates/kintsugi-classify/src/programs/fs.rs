//! Filesystem programs: rm, mv, cp, ln, tee, truncate, chmod/chown, sed -i,
//! sort -o, tar/unzip extraction, and the argv wrappers find, xargs, watch and
//! parallel (whose inner commands are analysed in turn).

use super::Cmd;
use super::walkers::{find, sed, xargs};
use crate::effects::Effect;
use crate::engine::{Stdin, Walker};
use crate::words::Word;

/// `fd`'s options that take a value (its positional pattern and roots
/// come after them); `pipes.rs` reads the same list.
pub(crate) const FD_VALUE_OPTIONS: &[&str] = &[
    "-e",
    "--extension",
    "-t",
    "--type",
    "-d",
    "--max-depth",
    "-E",
    "--exclude",
    "-S",
    "--size",
    "-j",
    "--threads",
    "-o",
    "--owner",
    "--changed-within",
    "--changed-before",
];

pub(crate) fn handle(e: &mut Walker, c: &Cmd) -> bool {
    match c.name.as_str() {
        "rm" | "unlink" | "rmdir" | "srm" => {
            let recursive =
                c.name == "rm" && (c.short('r') || c.short('R') || c.long("--recursive"));
            let recursive = recursive || c.name == "srm";
            for w in c.positional() {
                let p = e.path(&w.text);
                e.add(Effect::Delete { path: p, recursive });
            }
            if c.positional().is_empty()
                && matches!(
                    c.stdin,
                    Stdin::Other(_) | Stdin::Download(_) | Stdin::Listing(_)
                )
            {
                e.add(Effect::Opaque {
                    what: "deletes paths read from a pipe".into(),
                    exec: false,
                });
            }
            true
        }
        "shred" | "wipe" => {
            let del = c.short('u') || c.long("--remove") || c.name == "wipe";
            for w in c.positional() {
                let p = e.path(&w.text);
                if crate::paths::is_block_device(&p) {
                    e.add(Effect::DiskWrite {
                        device: p,
                        what: "shred".into(),
                    });
                } else if del {
                    // Overwritten first, then unlinked.
                    e.add(Effect::Overwrite {
                        path: p.clone(),
                        append: false,
                    });
                    e.add(Effect::Delete {
                        path: p,
                        recursive: c.short('r'),
                    });
                } else {
                    e.add(Effect::Overwrite {
                        path: p,
                        append: false,
                    });
                }
            }
            true
        }
        "gio"
            if matches!(
                c.sub(0),
                "list" | "info" | "cat" | "tree" | "mime" | "help" | ""
            ) =>
        {
            true
        }
        "gio" if c.sub(0) == "remove" => {
            let recursive = c.short('r') || c.long("--recursive");
            for w in c.positional().iter().skip(1) {
                let p = e.path(&w.text);
                e.add(Effect::Delete { path: p, recursive });
            }
            true
        }
        "trash" | "trash-put" | "gio" | "kioclient5" => {
            if c.name == "gio" && c.sub(0) != "trash" {
                return false;
            }
            for w in c.positional().iter().skip(usize::from(c.name == "gio")) {
                let p = e.path(&w.text);
                e.add(Effect::Change {
                    program: c.name.clone(),
                    what: format!("moves {p} to the trash"),
                });
            }
            true
        }
        "mv" => {
            let pos = c.positional();
            let target = c
                .opt(&["-t", "--target-directory"])
                .map(|w| w.text.clone())
                .or_else(|| c.opt_eq("--target-directory"));
            let (srcs, dst): (Vec<&Word>, Option<String>) = match target {
                Some(t) => (
                    pos.iter().copied().filter(|w| w.text != t).collect(),
                    Some(t),
                ),
                None if pos.len() >= 2 => (
                    pos[..pos.len() - 1].to_vec(),
                    Some(pos[pos.len() - 1].text.clone()),
                ),
                None => (pos.clone(), None),
            };
            if let Some(d) = dst {
                let to = e.path(&d);
                for s in srcs {
                    let from = e.path(&s.text);
                    e.add(Effect::Move {
                        from,
                        to: to.clone(),
                    });
                }
            }
            true
        }
        "cp" | "install" | "rsync" if c.name != "rsync" => {
            let pos = c.positional();
            if c.name == "install" {
                // `install -m 4755 /bin/bash …`: a set-user-ID copy.
                let mode = (c.opt(&["-m", "--mode"]).map(|w| w.text.clone()))
                    .or_else(|| c.opt_eq("--mode"))
                    .or_else(|| {
                        c.args
                            .iter()
                            .find_map(|a| Some(a.text.strip_prefix("-m")?.into()))
                    });
                super::exposure_more::setuid_mode(e, mode.as_deref().unwrap_or(""));
                if c.short('d') {
                    return true;
                }
            }
            let target = c.opt(&["-t", "--target-directory"]).map(|w| w.text.clone());
            let dst = target.or_else(|| (pos.len() >= 2).then(|| pos[pos.len() - 1].text.clone()));
            if let Some(d) = dst {
                let to = e.path(&d);
                if let Some(src) = pos.first().map(|w| w.text.as_str())
                    && (src.starts_with("/bin/")
                        || src.starts_with("/usr/bin/")
                        || src.starts_with("/sbin/")
                        || src.starts_with("/usr/sbin/"))
                {
                    e.aliases
                        .insert(to.clone(), crate::words::basename(src).to_string());
                }
                e.add(Effect::Overwrite {
                    path: to,
                    append: false,
                });
            }
            let rec = c.short('r')
                || c.short('R')
                || c.short('a')
                || c.long("--recursive")
                || c.long("--archive");
            for s in pos.iter().take(pos.len().saturating_sub(1)) {
                let p = e.path(&s.text);
                if crate::secret_paths::is_secret_path(&p, e.ctx)
                    || rec && crate::secret_paths::is_secret_dir(&p, e.ctx)
                {
                    e.add(Effect::SecretRead { path: p });
                }
            }
            true
        }
        "ln" => {
            let pos = c.positional();
            if pos.len() >= 2 {
                let src = pos[0].text.as_str();
                if src.starts_with("/bin/")
                    || src.starts_with("/usr/bin/")
                    || src.starts_with("/sbin/")
                    || src.starts_with("/usr/sbin/")
                {
                    let to = e.path(&pos[pos.len() - 1].text);
                    e.aliases
                        .insert(to, crate::words::basename(src).to_string());
                }
            }
            if (c.short('f') || c.long("--force")) && pos.len() >= 2 {
                let to = e.path(&pos[pos.len() - 1].text);
                let from = pos[0].text.as_str();
                if from == "/dev/null" && crate::paths::is_history_file(&to) {
                    e.add(crate::env_hooks::history_off(
                        "history file linked to /dev/null",
                    ));
                }
                e.add(Effect::Overwrite {
                    path: to,
                    append: false,
                });
            } else if pos.len() >= 2 {
                let to = e.path(&pos[pos.len() - 1].text);
                if crate::paths::persistence_kind(&to).is_some()
                    || crate::paths::is_history_file(&to)
                {
                    e.add(Effect::Overwrite {
                        path: to,
                        append: false,
                    });
                } else {
                    system_create(e, c, &[to]);
                }
            }
            true
        }
        "tee" => {
            let append = c.short('a') || c.long("--append");
            for w in c.positional() {
                if w.text == "-" {
                    continue;
                }
                let p = e.path(&w.text);
                e.add(Effect::Overwrite { path: p, append });
            }
            true
        }
        "truncate" | "fallocate" => {
            // `fallocate -l 100G f`: really allocates the space (truncate
            // only makes a sparse file), so a huge length fills the disk.
            if c.name == "fallocate"
                && let Some(len) = c.opt(&["-l", "--length"]).map(|w| w.text.clone())
                && crate::programs::exposure_more::huge_size(&len)
            {
                let target = c.positional().last().map(|w| e.path(&w.text));
                e.add(Effect::DiskWrite {
                    device: target.unwrap_or_default(),
                    what: format!("fills the disk (fallocate -l {len})"),
                });
            }
            let mut i = 0;
            let zero = c
                .args
                .windows(2)
                .any(|w| w[0].text == "-s" && w[1].text == "0")
                || c.args
                    .iter()
                    .any(|a| a.text == "-s0" || a.text == "--size=0");
            while i < c.args.len() {
                let a = c.args[i].text.as_str();
                if matches!(
                    a,
                    "-s" | "--size" | "-r" | "--reference" | "-l" | "--length" | "-o" | "--offset"
                ) {
                    i += 2;
                    continue;
                }
                if !a.starts_with('-') {
                    let p = e.path(a);
                    let z = crate::paths::zone(&p, e.ctx, e.project.as_deref());
                    if zero
                        && matches!(
                            z,
                            crate::paths::Zone::ProjectRoot
                                | crate::paths::Zone::Home
                                | crate::paths::Zone::Root
                        )
                    {
                        e.add(Effect::Delete {
                            path: p,
                            recursive: true,
                        });
                    } else {
                        e.add(Effect::Overwrite {
                            path: p,
                            append: false,
                        });
                    }
                }
                i += 1;
            }
            true
        }
        // `chattr +i` / `+a`: the file can no longer be changed or
        // removed, by anyone, until the flag is taken off again.
        "chattr"
            if c.args.iter().any(|a| {
                a.text.starts_with(['+', '-', '='])
                    && a.text.len() > 1
                    && a.text[1..].contains(['i', 'a'])
            }) && !c.short('R') =>
        {
            for w in c.positional() {
                let p = e.path(&w.text);
                e.add(Effect::Change {
                    program: "chattr".into(),
                    what: format!("changes whether {p} can be modified or removed"),
                });
            }
            true
        }
        "chmod" | "chown" | "chgrp" | "chattr" | "setfacl" => {
            let recursive = c.short('R') || c.long("--recursive");
            let real_opt = |t: &str| {
                t.starts_with("--")
                    || matches!(
                        t,
                        "-R" | "-v"
                            | "-f"
                            | "-c"
                            | "-h"
                            | "-H"
                            | "-L"
                            | "-P"
                            | "-Rf"
                            | "-fR"
                            | "-Rv"
                            | "-vR"
                    )
            };
            let args: Vec<&Word> = c.args.iter().filter(|w| !real_opt(&w.text)).collect();
            let mut it = args.into_iter();
            let mode = if c.name == "setfacl" { None } else { it.next() };
            if c.name == "chmod"
                && let Some(m) = mode
            {
                super::exposure_more::setuid_mode(e, &m.text);
            }
            for w in it {
                let p = e.path(&w.text);
                e.add(Effect::Chmod { path: p, recursive });
            }
            true
        }
        "setcap" => {
            if c.args.iter().any(|a| {
                a.text.contains("cap_setuid")
                    || a.text.contains("cap_sys_admin")
                    || a.text.contains("cap_dac_override")
                    || a.text.contains("=ep") && a.text.contains("all")
            }) {
                e.add(Effect::SecurityDisable {
                    what: "a capability that grants root (setcap)".into(),
                    control: "setuid".into(),
                });
            } else if !c.short('v') {
                e.add(Effect::Change {
                    program: "setcap".into(),
                    what: "changes file capabilities".into(),
                });
            }
            true
        }
        "touch" | "mkdir" => {
            let paths: Vec<String> = c.positional().iter().map(|w| e.path(&w.text)).collect();
            system_create(e, c, &paths);
            true
        }
        "mktemp" => true,
        "sed" | "gsed" => {
            sed(e, c);
            true
        }
        "sort" => {
            if let Some(o) = c
                .opt(&["-o", "--output"])
                .map(|w| w.text.clone())
                .or_else(|| c.opt_eq("--output"))
            {
                let p = e.path(&o);
                e.add(Effect::Overwrite {
                    path: p,
                    append: false,
                });
            }
            true
        }
        "cpio" => {
            super::archive::cpio(e, c);
            true
        }
        "tar" | "bsdtar" | "gtar" => {
            tar(e, c);
            true
        }
        "unzip" | "7z" | "unrar" => {
            let list = c.short('l') || c.sub(0) == "l" || c.short('t');
            if !list {
                let dest = c
                    .opt(&["-d", "-o"])
                    .map(|w| w.text.clone())
                    .unwrap_or_else(|| ".".into());
                let p = e.path(&dest);
                e.add(Effect::Overwrite {
                    path: p,
                    append: false,
                });
            }
            true
        }
        "gzip" | "gunzip" | "pigz" | "unpigz" | "bzip2" | "bunzip2" | "pbzip2" | "xz" | "unxz"
        | "lzma" | "unlzma" | "lzip" | "compress" | "uncompress" | "zstd" | "unzstd" | "lz4"
        | "brotli" | "lzop" => {
            compress_in_place(e, c);
            true
        }
        "find" => {
            find(e, c);
            true
        }
        "rename" | "prename" | "file-rename" => super::walkers::rename(e, c),
        "fd" | "fdfind" => {
            fd_exec(e, c);
            true
        }
        "xargs" => {
            xargs(e, c);
            true
        }
        "watch" => {
            let mut i = 0;
            while i < c.args.len() && c.args[i].text.starts_with('-') {
                let a = c.args[i].text.as_str();
                i += if matches!(a, "-n" | "--interval" | "-d" | "-q") && a != "-d" {
                    2
                } else {
                    1
                };
            }
            let text: Vec<&str> = c.args[i.min(c.args.len())..]
                .iter()
                .map(|w| w.text.as_str())
                .collect();
            let mut via = c.via.clone();
            via.push("watch".into());
            e.run_script(&text.join(" "), &via, c.depth + 1, &Stdin::Terminal);
            true
        }
        "parallel" => {
            let k = c
                .args
                .iter()
                .position(|w| w.text.starts_with(":::"))
                .unwrap_or(c.args.len());
            let mut i = 0;
            while i < k && c.args[i].text.starts_with('-') {
                i += if matches!(c.args[i].text.as_str(), "-j" | "-S" | "--jobs" | "-a") {
                    2
                } else {
                    1
                };
            }
            let inputs: Vec<String> = c
                .args
                .get(k + 1..)
                .unwrap_or(&[])
                .iter()
                .filter(|w| !w.text.starts_with(":::"))
                .map(|w| w.text.clone())
                .take(8)
                .collect();
            let tmpl: Vec<String> = c.args[i.min(k)..k].iter().map(|w| w.text.clone()).collect();
            let tmpl = tmpl.join(" ");
            let mut via = c.via.clone();
            via.push("parallel".into());
            // No command: every input line is a command of its own.
            if tmpl.trim().is_empty() && inputs.is_empty() {
                match &c.stdin {
                    Stdin::Literal(t) => {
                        for line in t.lines().filter(|l| !l.trim().is_empty()).take(16) {
                            e.run_script(line, &via, c.depth + 1, &Stdin::Terminal);
                        }
                    }
                    Stdin::Terminal => {}
                    other => e.stdin_code("sh", other, &via, c.depth),
                }
                return true;
            }
            // Without `:::`, parallel reads its inputs from stdin, one a line.
            let inputs = if inputs.is_empty() {
                match &c.stdin {
                    Stdin::Literal(t) => t
                        .split(['\n', ' '])
                        .filter(|x| !x.is_empty())
                        .map(str::to_string)
                        .take(8)
                        .collect(),
                    Stdin::Listing(paths) => paths.iter().take(8).cloned().collect(),
                    _ => Vec::new(),
                }
            } else {
                inputs
            };
            if inputs.is_empty() {
                e.run_script(&tmpl, &via, c.depth + 1, &c.stdin);
            }
            for inp in inputs {
                let line = if tmpl.contains("{}") {
                    tmpl.replace("{}", &inp)
                } else {
                    format!("{tmpl} {inp}")
                };
                e.run_script(&line, &via, c.depth + 1, &Stdin::Terminal);
            }
            true
        }
        _ => false,
    }
}

/// `sudo mkdir -p /opt/app`, `sudo ln -s … /usr/local/bin/app`: a new entry
/// in a system directory is a change (in the project, home or scratch it
/// is not).
fn system_create(e: &mut Walker, c: &Cmd, paths: &[String]) {
    if let Some(p) = paths.iter().find(|p| {
        matches!(
            crate::paths::zone(p, e.ctx, e.project.as_deref()),
            crate::paths::Zone::System | crate::paths::Zone::Root
        )
    }) {
        e.add(Effect::Change {
            program: c.name.clone(),
            what: format!("creates {p} in a system directory"),
        });
    }
}

/// Compressors and decompressors that replace each file they are given
/// (`gzip -r ~` turns every file in home into a `.gz`): a rewrite of every
/// path named, unless the originals are kept or the output goes to stdout.
/// `zstd`, `lz4`, `brotli` and `lzop` keep their input unless told to
/// remove it.
fn compress_in_place(e: &mut Walker, c: &Cmd) {
    let n = c.name.as_str();
    let reads_only = c.short('l')
        || c.short('t')
        || c.short('c')
        || c.short('h')
        || c.short('V')
        || c.has(&[
            "--list",
            "--test",
            "--stdout",
            "--to-stdout",
            "--help",
            "--version",
        ]);
    let keeps_by_default = matches!(n, "zstd" | "unzstd" | "lz4" | "brotli" | "lzop");
    let removes = if keeps_by_default {
        c.long("--rm") || (n == "brotli" && c.short('j')) || (n == "lzop" && c.short('U'))
    } else {
        !(c.short('k') || c.long("--keep"))
    };
    // Options whose value is the next word (`-S .z`, `-T 4`, `-o out`).
    let with_value = [
        "-S",
        "--suffix",
        "-T",
        "--threads",
        "-o",
        "--output",
        "-D",
        "-M",
    ];
    let mut skip = false;
    let mut dd = false;
    let mut paths = Vec::new();
    for a in &c.args {
        let t = a.text.as_str();
        if skip {
            skip = false;
            continue;
        }
        if !dd && t == "--" {
            dd = true;
            continue;
        }
        if !dd && t.starts_with('-') && t != "-" {
            skip = with_value.contains(&t);
            continue;
        }
        if t != "-" {
            paths.push(a.text.clone());
        }
    }
    if let Some(o) = c.opt(&["-o", "--output"]).map(|w| w.text.clone()) {
        let p = e.path(&o);
        e.add(Effect::Overwrite {
            path: p,
            append: false,
        });
    }
    if reads_only || !removes {
        return;
    }
    // Recursively, every original under the directory is removed once its
    // compressed copy is written: judged as a recursive delete.
    let recursive = c.short('r') || c.long("--recursive");
    for t in paths {
        let p = e.path(&t);
        if recursive {
            e.add(Effect::Delete { path: p, recursive });
        } else {
            e.add(Effect::Overwrite {
                path: p,
                append: false,
            });
        }
    }
}

/// `fd PATTERN ROOT -x CMD` / `-X CMD`: CMD runs on every path found, as
/// with `find -exec`. A pattern of `.` (or none) finds everything under the
/// root.
fn fd_exec(e: &mut Walker, c: &Cmd) {
    let Some(k) = c
        .args
        .iter()
        .position(|w| matches!(w.text.as_str(), "-x" | "--exec" | "-X" | "--exec-batch"))
    else {
        return;
    };
    let with_value = FD_VALUE_OPTIONS;
    let mut pos = Vec::new();
    let mut i = 0;
    while i < k {
        let a = c.args[i].text.as_str();
        if a.starts_with('-') && a.len() > 1 {
            i += if with_value.contains(&a) { 2 } else { 1 };
            continue;
        }
        pos.push(a.to_string());
        i += 1;
    }
    let pattern = pos.first().cloned().unwrap_or_default();
    let ext = c
        .opt(&["-e", "--extension"])
        .map(|w| w.text.trim_start_matches('.').to_string());
    let roots: Vec<String> = if pos.len() > 1 {
        pos[1..].to_vec()
    } else {
        vec![".".into()]
    };
    let inner: Vec<Word> = c.args[k + 1..]
        .iter()
        .take_while(|w| w.text != ";" && w.text != "\\;")
        .cloned()
        .collect();
    if inner.is_empty() {
        return;
    }
    let mut via = c.via.clone();
    via.push(format!("{} -x", c.name));
    for r in roots.iter().take(4) {
        let root = e.path(r);
        let base = root.trim_end_matches('/');
        let every = pattern.is_empty() || pattern == "." || pattern == "^";
        let found = match (&ext, every) {
            (Some(x), true) => format!("{base}/**/*.{x}"),
            (Some(x), false) => format!("{base}/**/*{pattern}*.{x}"),
            (None, true) => format!("{base}/*"),
            (None, false) => format!("{base}/**/*{pattern}*"),
        };
        let mut argv = inner.clone();
        let mut placed = false;
        for w in &mut argv {
            if w.text.contains("{}") {
                w.text = w.text.replace("{}", &found);
                w.glob = true;
                placed = true;
            }
        }
        if !placed {
            argv.push(Word {
                text: found,
                dynamic: false,
                glob: true,
            });
        }
        e.run_argv(argv, Vec::new(), Stdin::Terminal, via.clone(), c.depth + 1);
    }
}

fn tar(e: &mut Walker, c: &Cmd) {
    let first = c.args.first().map(|w| w.text.clone()).unwrap_or_default();
    let bundle = if first.starts_with('-') {
        String::new()
    } else {
        first.clone()
    };
    let has = |ch: char| c.short(ch) || bundle.contains(ch);
    let file = c
        .opt(&["-f", "--file"])
        .map(|w| w.text.clone())
        .or_else(|| c.opt_eq("--file"))
        .or_else(|| {
            // `tar czf out.tgz dir`: the first positional after the bundle.
            if bundle.contains('f') {
                c.args.get(1).map(|w| w.text.clone())
            } else {
                None
            }
        });
    if has('x') || c.long("--extract") {
        let dest = c
            .opt(&["-C", "--directory"])
            .map(|w| w.text.clone())
            .unwrap_or_else(|| ".".into());
        let p = e.path(&dest);
        // A download unpacked here: what later runs from it is downloaded
        // code (`curl … | tar xz -C d && d/install`).
        if let crate::engine::Stdin::Download(url) = &c.stdin {
            let dir = format!("{}/", p.trim_end_matches('/'));
            e.files
                .insert(dir, crate::engine::Stdin::Download(url.clone()));
        }
        e.add(Effect::Overwrite {
            path: p,
            append: false,
        });
    } else if has('c') || c.long("--create") || has('r') || has('u') {
        if let Some(f) = file
            && f != "-"
        {
            let p = e.path(&f);
            e.add(Effect::Overwrite {
                path: p,
                append: false,
            });
        }
        super::archive::tar_members(e, c);
    }
}

#[cfg(test)]
mod family_tests {
    use crate::testutil::expect;

    #[test]
    fn classifies() {
        expect(&[
            ("rm -rf ~", "catastrophic"),
            ("rm -rf /", "catastrophic"),
            ("rm -rf .", "catastrophic"),
            ("rm -rf .git", "catastrophic"),
            ("rm -rf target", "ambiguous"),
            ("rm -rf /tmp/x", "safe"),
            ("\\rm -rf ~", "catastrophic"),
            ("r\"\"m -rf ~/Documents", "catastrophic"),
            ("find / -exec rm -rf {} +", "catastrophic"),
            ("find . -name \"*.pyc\" -delete", "ambiguous"),
            ("echo ~ | xargs rm -rf", "catastrophic"),
            ("sed -i s/a/b/ src/main.rs", "ambiguous"),
            ("sed -n 1e\\ rm\\ -rf\\ ~ README.md", "catastrophic"),
            ("chmod -R 777 /", "catastrophic"),
            ("chmod 4755 /tmp/sh", "catastrophic"),
            ("mv ~/.ssh /tmp/x", "catastrophic"),
            ("tee ~/.bashrc < x", "catastrophic"),
            ("ls -la", "safe"),
            ("parallel rm -rf ::: ~", "catastrophic"),
            ("gzip -r ~", "catastrophic"),
            ("xz -T0 ~/Documents/report.odt", "catastrophic"),
            ("sudo pigz -r /etc", "catastrophic"),
            ("bzip2 notes.txt", "ambiguous"),
            ("gunzip -r src", "ambiguous"),
            ("zstd --rm -r ~/work", "catastrophic"),
            ("zstd -r ~/work", "safe"),
            ("gzip -k notes.txt", "safe"),
            ("gzip -c notes.txt > /tmp/n.gz", "safe"),
            ("gzip -l build.tar.gz", "safe"),
            ("gzip -r /tmp/scratch/logs", "safe"),
            ("tar cf - src | gzip > /tmp/src.tgz", "safe"),
            ("fd . ~ -X rm -rf", "catastrophic"),
            ("fdfind -H . /home/dev -x rm -rf {}", "catastrophic"),
            ("fd -e pyc -x rm {}", "ambiguous"),
            ("fd -e rs -x wc -l", "safe"),
            ("fd -e rs", "safe"),
            ("chattr +i Cargo.lock", "ambiguous"),
            ("sudo chattr -i /etc/resolv.conf", "ambiguous"),
        ]);
    }
}
