//! Paths a command substitution lists: `truncate -s0 $(find ~ -name
//! '*.db')`, `cp /dev/null "$(ls ~/.bashrc)"`, `: > $(find ~ …)`,
//! `shred $(fd -e db . ~)`. When a write or delete target is one
//! substitution whose command is a listing (`find`, `ls`, `fd`, `git
//! ls-files`, …, optionally narrowed by `head`, `sort`, `grep`, …), the
//! effect reaches the paths the listing can print (`/home/dev/**/*.db`),
//! not an unknown file: overwriting every database under home is judged
//! as that. Other substitutions (`$(cat list)`) stay unknown.

use crate::effects::Effect;
use crate::engine::{Stdin, Walker};

/// Filters that only narrow or reorder a listing's lines.
const FILTERS: &[&str] = &[
    "head", "tail", "sort", "uniq", "grep", "egrep", "fgrep", "shuf", "tac",
];

/// The paths the single command substitution `text` lists, as resolved
/// globs; `None` when `text` is not exactly one listing substitution.
pub(crate) fn listed(e: &Walker, text: &str) -> Option<Vec<String>> {
    // A computed variable's use (`f=$(find …); : > "$f"`) is its substitution.
    let text = crate::words::without_marker(text);
    let inner = text
        .strip_prefix("$(")
        .and_then(|x| x.strip_suffix(')'))
        .or_else(|| text.strip_prefix('`').and_then(|x| x.strip_suffix('`')))?;
    if inner.contains("$(") || inner.contains('`') || inner.len() > 512 {
        return None;
    }
    // `mapfile -t a < <(find …)` keeps `$(cat <(find …))`.
    let inner = inner
        .trim()
        .strip_prefix("cat <(")
        .and_then(|x| x.strip_suffix(')'))
        .unwrap_or(inner);
    let mut stages = inner.split('|');
    let first = stages.next()?;
    if !stages.all(|s| {
        s.split_whitespace()
            .next()
            .is_some_and(|p| FILTERS.contains(&p))
    }) {
        return None;
    }
    let words: Vec<_> = e
        .split(first)
        .into_iter()
        .filter(|w| !is_redirect(&w.text))
        .collect();
    match crate::pipes::stage_kind(e, &words, first) {
        Stdin::Listing(paths) => {
            let from_find = words
                .first()
                .is_some_and(|w| matches!(crate::words::basename(&w.text), "find" | "fd"));
            Some(
                paths
                    .into_iter()
                    .map(|p| {
                        // A search root with no name filter prints every
                        // file below it.
                        if from_find && !p.contains(['*', '?', '[']) {
                            format!("{}/**/*", p.trim_end_matches('/'))
                        } else {
                            p
                        }
                    })
                    .collect(),
            )
        }
        _ => None,
    }
}

/// `2>/dev/null`, `>out`, `<in`: a redirection, not an argument.
fn is_redirect(t: &str) -> bool {
    let t = t.trim_start_matches(|c: char| c.is_ascii_digit() || c == '&');
    t.starts_with('>') || t.starts_with('<')
}

/// The effects `effect` stands for once a listing substitution in its path
/// is replaced by the paths it lists. A recursive delete keeps the
/// original too (a computed path to delete recursively is judged on its
/// own).
pub(crate) fn expand(e: &Walker, effect: Effect) -> Vec<Effect> {
    let (path, rebuild): (&str, Box<dyn Fn(String) -> Effect>) = match &effect {
        Effect::Overwrite { path, append } => {
            let append = *append;
            (
                path,
                Box::new(move |p| Effect::Overwrite { path: p, append }),
            )
        }
        Effect::Delete { path, recursive } => {
            let recursive = *recursive;
            (
                path,
                Box::new(move |p| Effect::Delete { path: p, recursive }),
            )
        }
        _ => return vec![effect],
    };
    let clean = crate::words::without_marker(path);
    if !clean.starts_with("$(") && !clean.starts_with('`') {
        return vec![effect];
    }
    let Some(paths) = listed(e, path) else {
        return vec![effect];
    };
    let mut out: Vec<Effect> = paths.into_iter().take(8).map(rebuild).collect();
    if matches!(
        effect,
        Effect::Delete {
            recursive: true,
            ..
        }
    ) || out.is_empty()
    {
        out.push(effect);
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::testutil::expect;

    #[test]
    fn overwriting_what_a_listing_prints_under_home() {
        expect(&[
            ("truncate -s0 $(find ~ -name '*.db')", "catastrophic"),
            ("cp /dev/null \"$(ls ~/.bashrc)\"", "catastrophic"),
            (": > $(find ~ -name '*.db')", "catastrophic"),
            ("shred $(find ~ -type f)", "catastrophic"),
            ("shred -u $(find ~ -name '*.db')", "catastrophic"),
            (
                "truncate -s 0 \"$(find ~ -name notes.md | head -1)\"",
                "catastrophic",
            ),
            (
                "truncate -s0 $(find / -name '*.db' 2>/dev/null)",
                "catastrophic",
            ),
            ("truncate -s0 `find ~ -name '*.db'`", "catastrophic"),
            ("truncate -s0 $(find . -type f)", "catastrophic"),
            (
                "f=$(find ~ -name n.md | head -1); : > \"$f\"",
                "catastrophic",
            ),
            (
                "mapfile -t a < <(find ~ -name '*.db'); truncate -s0 \"${a[@]}\"",
                "catastrophic",
            ),
        ]);
    }

    #[test]
    fn listings_elsewhere_keep_their_zone() {
        expect(&[
            ("truncate -s0 $(find logs -name '*.log')", "ambiguous"),
            ("truncate -s0 $(find . -name '*.log')", "ambiguous"),
            (
                "truncate -s0 $(find ~/.cache/pip -name '*.log')",
                "ambiguous",
            ),
            ("truncate -s0 $(cat files.txt)", "ambiguous"),
            ("truncate -s0 ~/.cache/*.log", "ambiguous"),
            ("truncate -s0 ~/Downloads/*.part", "ambiguous"),
            ("truncate -s0 $(find ~/.cache -name '*.log')", "ambiguous"),
            ("truncate -s0 $(find /tmp/scratch -name '*.log')", "safe"),
            ("wc -c $(find ~ -name '*.db')", "safe"),
            ("rm -rf $(find ~ -name '*.db')", "catastrophic"),
        ]);
    }
}
