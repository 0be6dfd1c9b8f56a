//! Verdicts for effects on data stores outside the file tree: databases and
//! cloud or cluster resources.

use super::{A, C, Verdict, verdict};

/// Database data destroyed (`DROP`, `TRUNCATE`, `dropdb`, `FLUSHALL`, …).
pub(super) fn db_destroy(engine: &str, what: &str) -> Verdict {
    verdict(
        C,
        "db:drop",
        format!("Destroys database data with {engine}: {what}."),
    )
}

/// Database data written.
pub(super) fn db_write(engine: &str, what: &str) -> Verdict {
    verdict(
        A,
        "db:write",
        format!("Writes to a database with {engine}: {what}."),
    )
}

/// Cloud or cluster resources destroyed.
pub(super) fn cloud_destroy(tool: &str, what: &str) -> Verdict {
    verdict(
        C,
        "cloud:destroy",
        format!("Destroys cloud or cluster resources with {tool}: {what}."),
    )
}

/// Cloud or cluster resources changed.
pub(super) fn cloud_change(tool: &str, what: &str) -> Verdict {
    verdict(
        A,
        "cloud:change",
        format!("Changes cloud or cluster resources with {tool}: {what}."),
    )
}
