//! Git accepts any unique prefix of a long option (`git push --del`,
//! `--mirr`, `--force-w`, `--force-wi=main`, `git clean --forc`, `git
//! reset --ha`). The options of the subcommands whose long options can
//! destroy work are listed here, and an abbreviation that is the prefix of
//! exactly one of them is written out in full before the rules read the
//! line. The lists need not be complete: a prefix that real git would find
//! ambiguous makes git stop with an error, so expanding it only errs on
//! the careful side.

use crate::words::Word;

/// Long options of `git SUB`, for the subcommands that have dangerous ones.
fn options(sub: &str) -> &'static [&'static str] {
    match sub {
        "push" => &[
            "--all",
            "--branches",
            "--mirror",
            "--delete",
            "--tags",
            "--dry-run",
            "--porcelain",
            "--force",
            "--force-with-lease",
            "--force-if-includes",
            "--prune",
            "--follow-tags",
            "--atomic",
            "--no-verify",
            "--verify",
            "--set-upstream",
            "--signed",
            "--push-option",
            "--repo",
            "--receive-pack",
            "--exec",
            "--quiet",
            "--verbose",
            "--progress",
            "--recurse-submodules",
            "--thin",
            "--no-thin",
            "--ipv4",
            "--ipv6",
        ],
        "clean" => &[
            "--force",
            "--dry-run",
            "--quiet",
            "--exclude",
            "--interactive",
        ],
        "reset" => &[
            "--hard",
            "--soft",
            "--mixed",
            "--merge",
            "--keep",
            "--quiet",
            "--patch",
            "--pathspec-from-file",
            "--recurse-submodules",
        ],
        "checkout" => &[
            "--force",
            "--detach",
            "--orphan",
            "--ours",
            "--theirs",
            "--track",
            "--no-track",
            "--quiet",
            "--merge",
            "--patch",
            "--guess",
            "--progress",
            "--conflict",
            "--overwrite-ignore",
            "--ignore-other-worktrees",
            "--recurse-submodules",
            "--pathspec-from-file",
        ],
        "switch" => &[
            "--force",
            "--discard-changes",
            "--detach",
            "--orphan",
            "--ours",
            "--theirs",
            "--track",
            "--no-track",
            "--quiet",
            "--merge",
            "--patch",
            "--create",
            "--force-create",
            "--guess",
            "--progress",
            "--conflict",
            "--overwrite-ignore",
            "--ignore-other-worktrees",
            "--recurse-submodules",
        ],
        "branch" => &[
            "--delete",
            "--force",
            "--move",
            "--copy",
            "--list",
            "--all",
            "--remotes",
            "--verbose",
            "--quiet",
            "--track",
            "--no-track",
            "--set-upstream-to",
            "--unset-upstream",
            "--contains",
            "--no-contains",
            "--merged",
            "--no-merged",
            "--sort",
            "--format",
            "--show-current",
            "--edit-description",
            "--points-at",
            "--column",
            "--color",
            "--ignore-case",
        ],
        "stash" => &[
            "--include-untracked",
            "--all",
            "--keep-index",
            "--quiet",
            "--patch",
            "--message",
            "--staged",
        ],
        "restore" => &[
            "--source",
            "--staged",
            "--worktree",
            "--overlay",
            "--no-overlay",
            "--ours",
            "--theirs",
            "--patch",
            "--quiet",
            "--merge",
            "--conflict",
            "--progress",
            "--ignore-unmerged",
        ],
        _ => &[],
    }
}

/// `args` with every unique abbreviation of a long option of `git sub`
/// written out in full (a `=value` tail is kept).
pub(crate) fn expand(sub: &str, args: &mut [Word]) {
    let known = options(sub);
    if known.is_empty() {
        return;
    }
    for w in args.iter_mut() {
        if w.text == "--" {
            break;
        }
        if !w.text.starts_with("--") || w.text.len() < 4 {
            continue;
        }
        let (name, tail) = match w.text.split_once('=') {
            Some((n, v)) => (n.to_string(), format!("={v}")),
            None => (w.text.clone(), String::new()),
        };
        if known.contains(&name.as_str()) {
            continue;
        }
        let mut hits = known.iter().filter(|k| k.starts_with(name.as_str()));
        if let (Some(full), None) = (hits.next(), hits.next()) {
            w.text = format!("{full}{tail}");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testutil::expect;

    #[test]
    fn abbreviated_long_options_are_read_in_full() {
        expect(&[
            ("git push --del origin feature/a", "catastrophic"),
            ("git push --mirr origin", "catastrophic"),
            ("git push --delet origin release/1.0", "catastrophic"),
            ("git push --force-w origin main", "catastrophic"),
            ("git push --force-wi=main origin main", "catastrophic"),
            ("git clean --forc -d", "catastrophic"),
            ("git reset --ha HEAD~1", "catastrophic"),
            ("git checkout --forc main", "catastrophic"),
            ("git push --dry origin main", "safe"),
            ("git push --set-up origin feature/a", "ambiguous"),
            ("git push --mirro", "catastrophic"),
            ("git branch -d feature/merged", "safe"),
            ("git branch --del feature/merged", "safe"),
            ("git branch -D feature/x", "ambiguous"),
            ("git branch -d main", "catastrophic"),
            ("git reflog -n 10", "safe"),
            ("git reflog --date=iso -20", "safe"),
        ]);
    }
}
