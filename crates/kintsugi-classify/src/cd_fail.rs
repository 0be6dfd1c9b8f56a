//! A `cd` that can fail. In `cd /tmp/build; rm -rf *` nothing stops the
//! delete when the directory is missing: it then runs where the line
//! started. A line with such a `cd` (not the left side of `&&` or `||`) is
//! judged twice, once with each unguarded `cd` taken and once with each
//! failed, and the worse verdict stands.

use tree_sitter::Node;

/// How the walker treats `cd` in one pass.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct CdState {
    /// The command being run is the left side of `&&` or `||`.
    pub guarded: bool,
    /// This pass takes every unguarded `cd` as failed.
    pub fails: bool,
    /// An unguarded `cd` ran in this pass.
    pub unsure: bool,
}

/// Whether the command `node` (or the redirected statement around it,
/// `cd x 2>/dev/null && …`) is followed by `&&` or `||`.
pub(crate) fn guarded(node: Node, parent: Option<Node>) -> bool {
    let next = |n: Node| {
        n.next_sibling()
            .is_some_and(|s| matches!(s.kind(), "&&" | "||"))
    };
    next(node) || parent.is_some_and(|p| p.kind() == "redirected_statement" && next(p))
}

#[cfg(test)]
mod tests {
    use crate::testutil::expect;

    #[test]
    fn what_follows_a_cd_that_can_fail_is_judged_where_the_line_started_too() {
        expect(&[
            // From home: a failed cd deletes home's files.
            ("cd /tmp/scratch/build; rm -rf *", "catastrophic"),
            ("cd /tmp/scratch/build && rm -rf *", "safe"),
            ("cd /tmp/scratch/build || exit 1; rm -rf *", "safe"),
            ("cd /tmp/scratch/build 2>/dev/null && rm -rf *", "safe"),
            ("cd /tmp/scratch/build; ls", "safe"),
            ("cd ~; rm -rf *", "catastrophic"),
        ]);
    }
}
