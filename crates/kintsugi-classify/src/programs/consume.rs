//! Options that destroy what they read (`tar --remove-files`, `zip -m`,
//! `7z -sdel`, `rsync --remove-source-files`), outputs named as positionals
//! (`uniq IN OUT`), cleaners pointed elsewhere (`cargo clean --target-dir`),
//! and runners that start a payload detached (`screen -dm`, `dtach -n`,
//! `daemonize`): the payload is analysed as if it ran now.

use super::Cmd;
use crate::effects::Effect;
use crate::engine::Walker;
use crate::words::Word;

/// Effects added on top of whatever family handles the program.
pub(crate) fn extra(e: &mut Walker, c: &Cmd) {
    let pos: Vec<String> = c.positional().iter().map(|w| w.text.clone()).collect();
    let delete_all = |e: &mut Walker, list: &[String]| {
        for p in list {
            let path = e.path(p);
            e.add(Effect::Delete {
                path,
                recursive: true,
            });
        }
    };
    match c.name.as_str() {
        "tar" | "gtar" | "bsdtar" if c.long("--remove-files") => {
            let archive = c
                .opt(&["-f", "--file"])
                .map(|w| w.text.clone())
                .or_else(|| c.opt_eq("--file"));
            let first = c.args.first().map(|w| w.text.as_str()).unwrap_or("");
            let bundle_file = (!first.starts_with('-') && first.contains('f'))
                .then(|| pos.get(1).cloned())
                .flatten();
            let sources: Vec<String> = pos
                .iter()
                .filter(|p| Some(*p) != archive.as_ref() && Some(*p) != bundle_file.as_ref())
                .filter(|p| **p != first || first.starts_with('-'))
                .cloned()
                .collect();
            delete_all(e, &sources);
        }
        "zip" if c.short('m') || c.long("--move") => {
            delete_all(e, pos.get(1..).unwrap_or(&[]));
        }
        "7z" | "7za" | "7zz" | "7zr" if c.has(&["-sdel"]) => {
            delete_all(e, pos.get(2..).unwrap_or(&[]));
        }
        "rsync" if c.long("--remove-source-files") && pos.len() >= 2 => {
            let local: Vec<String> = pos[..pos.len() - 1]
                .iter()
                .filter(|p| !p.contains(':'))
                .cloned()
                .collect();
            delete_all(e, &local);
        }
        "uniq" if pos.len() >= 2 => {
            let path = e.path(&pos[1]);
            e.add(Effect::Overwrite {
                path,
                append: false,
            });
        }
        "cargo" if pos.first().is_some_and(|s| s == "clean") => {
            if let Some(d) = c
                .opt(&["--target-dir"])
                .map(|w| w.text.clone())
                .or_else(|| c.opt_eq("--target-dir"))
            {
                let path = e.path(&d);
                e.add(Effect::Delete {
                    path,
                    recursive: true,
                });
            }
        }
        _ => {}
    }
}

/// tmux: the shell command a session, window, pane, popup or `run-shell`
/// starts is analysed as a line; `send-keys` and pasting type into another
/// terminal, which runs whatever is typed as if its human typed it (an
/// agent typing `kintsugi approve` into your pane), so they are a change.
/// Other subcommands (`ls`, `capture-pane`, …) are left to the safe list.
fn tmux(e: &mut Walker, c: &Cmd) -> bool {
    let mut i = 0;
    while i < c.args.len() {
        let a = c.args[i].text.as_str();
        if a == "-c" {
            // `tmux -c CMD`: runs CMD with the default shell.
            if let Some(cmd) = c.args.get(i + 1) {
                run_shell_words(e, c, std::slice::from_ref(cmd));
            }
            return true;
        }
        if matches!(a, "-L" | "-S" | "-f" | "-T") {
            i += 2;
        } else if a.starts_with('-') {
            i += 1;
        } else {
            break;
        }
    }
    let Some(sub) = c.args.get(i).map(|w| w.text.as_str()) else {
        return false;
    };
    if sub.starts_with("kill-") {
        e.add(Effect::Change {
            program: "tmux".into(),
            what: format!("ends what runs in it (`tmux {sub}`)"),
        });
        return true;
    }
    let with_value: &[&str] = match sub {
        "new-session" | "new" => &["-c", "-e", "-F", "-n", "-s", "-t", "-x", "-y", "-f"],
        "new-window" | "neww" => &["-c", "-e", "-F", "-n", "-t"],
        "split-window" | "splitw" => &["-c", "-e", "-F", "-l", "-t"],
        "respawn-pane" | "respawnp" | "respawn-window" | "respawnw" => &["-c", "-e", "-t"],
        "run-shell" | "run" => &["-c", "-d", "-t"],
        "display-popup" | "popup" => &[
            "-b", "-c", "-d", "-e", "-h", "-s", "-S", "-t", "-T", "-w", "-x", "-y",
        ],
        "pipe-pane" | "pipep" => &["-t"],
        "if-shell" | "if" => &["-t"],
        "send-keys" | "send" | "paste-buffer" | "pasteb" => {
            e.add(Effect::Change {
                program: c.name.clone(),
                what: format!(
                    "types into another terminal (`tmux {sub}`): what it types runs there as if a human typed it"
                ),
            });
            return true;
        }
        _ => return false,
    };
    let mut j = i + 1;
    let mut payload = Vec::new();
    while j < c.args.len() {
        let a = c.args[j].text.as_str();
        if payload.is_empty() && with_value.contains(&a) {
            j += 2;
            continue;
        }
        if payload.is_empty() && a.starts_with('-') && a.len() > 1 {
            j += 1;
            continue;
        }
        payload.push(c.args[j].clone());
        if matches!(sub, "if-shell" | "if") {
            break;
        }
        j += 1;
    }
    if !payload.is_empty() {
        run_shell_words(e, c, &payload);
    }
    true
}

/// One word runs as a shell line (`sh -c WORD`); several run as argv.
fn run_shell_words(e: &mut Walker, c: &Cmd, words: &[Word]) {
    let argv = if words.len() == 1 {
        vec![Word::lit("sh"), Word::lit("-c"), words[0].clone()]
    } else {
        words.to_vec()
    };
    let mut via = c.via.clone();
    via.push(format!("{} (detached)", c.name));
    e.run_argv(argv, Vec::new(), c.stdin.clone(), via, c.depth + 1);
}

/// Detached runners: analyse the payload they start.
pub(crate) fn handle(e: &mut Walker, c: &Cmd) -> bool {
    if c.name == "tmux" {
        return tmux(e, c);
    }
    if c.name == "screen" && c.has(&["-X"]) && c.args.iter().any(|w| w.text == "stuff") {
        e.add(Effect::Change {
            program: c.name.clone(),
            what: "types into another terminal (`screen -X stuff`): what it types runs there as if a human typed it".into(),
        });
        // What it types is a line the other shell runs: `stuff 'rm -rf ~\n'`.
        if let Some(k) = c.args.iter().position(|w| w.text == "stuff")
            && let Some(typed) = c.args.get(k + 1)
        {
            let mut via = c.via.clone();
            via.push("screen -X stuff".into());
            let typed = typed
                .text
                .replace("\\n", "\n")
                .replace("\\r", "\n")
                .replace("^M", "\n");
            for line in typed.lines() {
                if !line.trim().is_empty() {
                    e.run_script(line, &via, c.depth + 1, &crate::engine::Stdin::Terminal);
                }
            }
        }
        return true;
    }
    let (with_value, start): (&[&str], usize) = match c.name.as_str() {
        "screen" => (
            &["-S", "-c", "-p", "-t", "-T", "-e", "-h", "-Logfile", "-s"],
            0,
        ),
        "dtach" => (&["-e", "-r"], 1),
        "daemonize" => (&["-a", "-c", "-e", "-o", "-p", "-l", "-u", "-E"], 0),
        "abduco" => (&["-e"], 1),
        _ => return false,
    };
    if c.name == "screen" && c.has(&["-ls", "-list", "-r", "-x", "-R", "-X", "-Q"]) {
        return true;
    }
    let mut i = 0;
    let mut skipped = 0;
    while i < c.args.len() {
        let a = c.args[i].text.as_str();
        if with_value.contains(&a) {
            i += 2;
            continue;
        }
        if a.starts_with('-') {
            i += 1;
            continue;
        }
        if skipped < start {
            skipped += 1;
            i += 1;
            continue;
        }
        break;
    }
    let inner: Vec<Word> = c.args.get(i..).map(|s| s.to_vec()).unwrap_or_default();
    if !inner.is_empty() {
        let mut via = c.via.clone();
        via.push(format!("{} (detached)", c.name));
        e.run_argv(inner, Vec::new(), c.stdin.clone(), via, c.depth + 1);
    }
    true
}

#[cfg(test)]
mod tests {
    use crate::testutil::expect;

    #[test]
    fn options_that_destroy_what_they_read() {
        expect(&[
            ("tar --remove-files -cf a.tar ~/Documents", "catastrophic"),
            ("tar -czf a.tgz src", "safe"),
            ("zip -m -r a.zip ~/Documents", "catastrophic"),
            ("7z a -sdel a.7z ~/Documents", "catastrophic"),
            (
                "rsync --remove-source-files -a ~/Documents/ /backup/",
                "catastrophic",
            ),
            ("uniq notes.txt notes.txt", "ambiguous"),
            ("uniq notes.txt", "safe"),
            ("cargo clean --target-dir ~", "catastrophic"),
        ]);
    }

    #[test]
    fn detached_payloads_are_analysed() {
        expect(&[
            ("screen -dm rm -rf ~", "catastrophic"),
            ("screen -dmS job bash -c 'rm -rf ~'", "catastrophic"),
            ("screen -ls", "safe"),
            ("dtach -n /tmp/s rm -rf ~", "catastrophic"),
            ("daemonize /bin/rm -rf /home/dev", "catastrophic"),
        ]);
    }

    #[test]
    fn what_screen_types_is_analysed() {
        expect(&[
            ("screen -X stuff 'rm -rf ~\\n'", "catastrophic"),
            (
                "screen -S dev -X stuff 'git push -f origin main^M'",
                "catastrophic",
            ),
            ("screen -X stuff 'cargo test\\n'", "ambiguous"),
        ]);
    }
}
