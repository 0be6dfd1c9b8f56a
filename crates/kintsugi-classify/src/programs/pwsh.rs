//! PowerShell statements that delete: `Remove-Item` and its aliases (`rm`,
//! `del`, `erase`, `rd`, `ri`, `rmdir`), with `-Recurse` spelled any way
//! PowerShell accepts (`-r`, `-rec`, `-Recurse`), the path positional or
//! given by `-Path`/`-LiteralPath`, and `~`, `$HOME`, `$env:HOME`,
//! `$env:USERPROFILE` read as the home directory.

use crate::effects::Effect;
use crate::engine::Walker;

/// Cmdlet names and aliases that remove items (compared lowercased).
const REMOVE: &[&str] = &["remove-item", "rm", "del", "erase", "rd", "ri", "rmdir"];

/// Add a `Delete` for every removing statement in PowerShell `code`.
pub(crate) fn scan(e: &mut Walker, code: &str) {
    for stmt in code.split([';', '\n', '|', '{', '}']).take(256) {
        let words: Vec<String> = stmt
            .split_whitespace()
            .map(|w| w.trim_matches(['"', '\'']).to_string())
            .collect();
        let Some(first) = words.first() else {
            continue;
        };
        if !REMOVE.contains(&first.to_ascii_lowercase().as_str()) {
            continue;
        }
        let mut recursive = false;
        let mut paths = Vec::new();
        let mut k = 1;
        while k < words.len() {
            let w = &words[k];
            let lw = w.to_ascii_lowercase();
            if let Some(flag) = lw.strip_prefix('-') {
                if !flag.is_empty() && "recurse".starts_with(flag) {
                    recursive = true;
                } else if matches!(flag, "path" | "literalpath" | "lp") {
                    if let Some(v) = words.get(k + 1) {
                        paths.push(v.clone());
                    }
                    k += 1;
                }
            } else {
                paths.push(w.clone());
            }
            k += 1;
        }
        for p in paths {
            for one in p.split(',') {
                let home = home_path(one, &e.home);
                let path = e.path(&home);
                e.add(Effect::Delete { path, recursive });
            }
        }
    }
}

/// `~`, `$HOME`, `$env:HOME`, `$env:USERPROFILE` (any case) at the start
/// of a path, as the home directory; other paths unchanged.
fn home_path(p: &str, home: &str) -> String {
    let lower = p.to_ascii_lowercase();
    for pre in ["$env:userprofile", "$env:home", "$home", "~"] {
        if lower.starts_with(pre) {
            return format!("{home}{}", &p[pre.len()..]);
        }
    }
    p.to_string()
}

#[cfg(test)]
mod tests {
    use crate::testutil::expect;

    #[test]
    fn removing_aliases_and_recurse_spellings_are_deletes() {
        expect(&[
            ("powershell -c 'rm -r -fo ~/work'", "catastrophic"),
            ("pwsh -Command 'del -Recurse $HOME'", "catastrophic"),
            (
                "pwsh -c 'ri -rec -Path $env:USERPROFILE\\Documents'",
                "catastrophic",
            ),
            ("pwsh -c 'Get-ChildItem | rm -r -Path /etc'", "catastrophic"),
            ("pwsh -c 'del -LiteralPath ./build/out.txt'", "ambiguous"),
            ("pwsh -c 'Get-ChildItem; Write-Output rm'", "safe"),
            ("pwsh -c 'Get-Content README.md'", "safe"),
        ]);
    }
}
