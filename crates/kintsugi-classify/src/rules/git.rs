//! Verdicts for git effects: pushes and remote ref deletions, discarded
//! work, rewritten history and other local changes.

use super::{A, C, Verdict, verdict};

/// A push: a deletion of a remote ref or a force-push is catastrophic.
pub(super) fn ref_rewrite(remote: &str, refspec: &str, force: bool, delete: bool) -> Verdict {
    let target = if refspec.is_empty() {
        "the current branch".to_string()
    } else {
        format!("`{refspec}`")
    };
    if delete {
        verdict(
            C,
            "git:delete-remote-ref",
            format!("Deletes {target} on remote {remote}."),
        )
    } else if force {
        verdict(
            C,
            "git:force-push",
            format!("Force-pushes {target} to {remote}, which can discard commits there."),
        )
    } else {
        verdict(A, "git:push", format!("Pushes {target} to {remote}."))
    }
}

/// Uncommitted or untracked work thrown away (`reset --hard`, `clean -f`);
/// the edits of a few named files (`restore src/lib.rs`) are a change to
/// hold, since the snapshot keeps them.
pub(super) fn discard(repo: &str, what: &str) -> Verdict {
    if let Some(files) = what.strip_prefix(crate::programs::git::DISCARD_FILES) {
        return verdict(
            A,
            "git:discard-files",
            format!("Throws away the uncommitted edits of named files in {repo} ({files})."),
        );
    }
    verdict(
        C,
        "git:discard-work",
        format!("Discards uncommitted or untracked work in {repo} ({what})."),
    )
}

/// History rewritten or pruned (`filter-branch`, `reflog expire`, …).
pub(super) fn history_rewrite(repo: &str, what: &str) -> Verdict {
    verdict(
        C,
        "git:history-rewrite",
        format!("Rewrites or prunes git history in {repo} ({what})."),
    )
}

/// Any other change of git state.
pub(super) fn change(what: &str) -> Verdict {
    verdict(A, "git:change", format!("Changes git state: {what}."))
}
