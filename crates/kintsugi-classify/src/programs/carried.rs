//! Commands carried as data by programs that are not shells: a search
//! tool's preprocessor (`rg --pre CMD`), a database client's shell escape
//! (`psql -c '\! CMD'`, `sqlite3 db '.shell CMD'`, `.system`, `mysql -e
//! 'system CMD'`), an editor's or debugger's embedded Python (`vim -c 'py3
//! …'`, `gdb -ex 'python …'`) and `ed`'s `!CMD`. Each is analysed as the
//! line or code it runs.

use super::Cmd;
use crate::engine::{Stdin, Walker};

/// Analyse what `c` carries, if it is one of the programs above.
pub(crate) fn extra(e: &mut Walker, c: &Cmd) {
    let mut via = c.via.clone();
    via.push(format!("{} (carried command)", c.name));
    match c.name.as_str() {
        "rg" => {
            if let Some(cmd) = c.opt(&["--pre"]).map(|w| w.text.clone()) {
                e.run_script(&cmd, &via, c.depth + 1, &Stdin::Terminal);
            }
            for a in &c.args {
                if let Some(cmd) = a.text.strip_prefix("--pre=") {
                    e.run_script(cmd, &via, c.depth + 1, &Stdin::Terminal);
                }
            }
        }
        "psql" | "pgcli" | "mysql" | "mariadb" | "sqlite3" | "sqlite" | "duckdb" => {
            let mut texts: Vec<String> = c.args.iter().map(|w| w.text.clone()).collect();
            if let Stdin::Literal(t) = &c.stdin {
                texts.push(t.clone());
            }
            for t in &texts {
                for line in t.split([';', '\n']) {
                    if let Some(cmd) = shell_escape(&c.name, line.trim()) {
                        e.run_script(cmd, &via, c.depth + 1, &Stdin::Terminal);
                    }
                }
            }
        }
        "vim" | "vi" | "nvim" | "gvim" | "view" | "gdb" => {
            for a in &c.args {
                let t = a.text.trim_start_matches([':', '+']);
                for pre in ["python3 ", "python ", "py3 ", "py ", "pyx "] {
                    if let Some(code) = t.strip_prefix(pre) {
                        super::code_scan::scan(e, "python", code, &via, c.depth + 1);
                    }
                }
            }
        }
        "ed" | "red" | "ex" => {
            if let Stdin::Literal(t) = &c.stdin {
                for line in t.lines() {
                    if let Some(cmd) = line.trim().strip_prefix('!') {
                        e.run_script(cmd, &via, c.depth + 1, &Stdin::Terminal);
                    }
                }
            }
        }
        _ => {}
    }
}

/// The shell command of a client's escape (`\! cmd`, `.shell cmd`,
/// `.system cmd`, `system cmd`), if `line` is one.
fn shell_escape<'a>(client: &str, line: &'a str) -> Option<&'a str> {
    let cmd = match client {
        "sqlite3" | "sqlite" | "duckdb" => line
            .strip_prefix(".shell")
            .or_else(|| line.strip_prefix(".system")),
        "mysql" | "mariadb" => line
            .strip_prefix("\\!")
            .or_else(|| line.strip_prefix("system ")),
        _ => line.strip_prefix("\\!"),
    }?;
    let cmd = cmd.trim();
    (!cmd.is_empty()).then_some(cmd)
}

#[cfg(test)]
mod tests {
    use crate::testutil::expect;

    #[test]
    fn commands_carried_by_readers_clients_and_editors() {
        expect(&[
            ("rg --pre 'sh -c \"rm -rf ~\"' x", "catastrophic"),
            ("rg --pre=./scripts/pdftotext.sh needle docs", "ambiguous"),
            ("psql -c '\\! rm -rf ~'", "catastrophic"),
            ("psql -c '\\! ls'", "safe"),
            ("sqlite3 app.db '.shell rm -rf ~'", "catastrophic"),
            ("sqlite3 app.db '.system rm -rf ~'", "catastrophic"),
            ("mysql -e 'system rm -rf ~'", "catastrophic"),
            ("mysql -e 'SELECT system_user()'", "safe"),
            (
                "gdb -batch -ex 'python import shutil; shutil.rmtree(\"/home/dev\")'",
                "catastrophic",
            ),
            (
                "vim -c 'py3 import shutil; shutil.rmtree(\"/home/dev\")' -c q",
                "catastrophic",
            ),
            ("ed -s notes.txt <<< '!rm -rf ~'", "catastrophic"),
        ]);
    }

    #[test]
    fn aliases_config_pairs_and_programs_read_from_stdin() {
        expect(&[
            ("alias g=git; g push -f origin main", "catastrophic"),
            ("alias ll='ls -la'; ll", "safe"),
            ("alias ls='ls -G'; ls src", "safe"),
            (
                "git -c alias.p='push --force' p origin main",
                "catastrophic",
            ),
            ("git -c alias.st=status st", "safe"),
            (
                "GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=core.pager GIT_CONFIG_VALUE_0='rm -rf ~' git log",
                "catastrophic",
            ),
            (
                "GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=color.ui GIT_CONFIG_VALUE_0=always git log",
                "safe",
            ),
            ("echo 'rm -rf ~' | parallel", "catastrophic"),
            ("cat cmds.txt | parallel", "ambiguous"),
            ("echo 'system(\"rm -rf ~\")' | awk -f -", "catastrophic"),
            ("awk -f /dev/stdin <<< '{print $1}' data.txt", "safe"),
            (
                "echo 'Remove-Item -Recurse -Force ~' | pwsh -Command -",
                "catastrophic",
            ),
            ("bazel clean --expunge", "ambiguous"),
            ("find . -name .git -prune -exec rm -rf {} +", "catastrophic"),
            ("find ~ -name .DS_Store -delete", "ambiguous"),
            (
                "find . -name node_modules -prune -exec rm -rf {} +",
                "ambiguous",
            ),
        ]);
    }
}
