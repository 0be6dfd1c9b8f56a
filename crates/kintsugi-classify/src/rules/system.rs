//! Verdicts for effects on the machine and its devices: raw device writes,
//! power and process stops, fork bombs, package changes and other changes by
//! a known program.

use super::{A, C, Verdict, verdict};

/// A block device written directly (`dd of=/dev/sda`, `mkfs`, `wipefs`).
pub(super) fn disk_write(device: &str, what: &str) -> Verdict {
    verdict(
        C,
        "disk:write",
        format!("Writes directly to {device}: {what}."),
    )
}

/// The machine or its processes stopped.
pub(super) fn power(what: &str) -> Verdict {
    verdict(
        C,
        "power:shutdown",
        format!("Stops the machine or its processes: {what}."),
    )
}

/// A function that copies itself endlessly.
pub(super) fn fork_bomb(name: &str) -> Verdict {
    verdict(
        C,
        "proc:fork-bomb",
        format!("Defines `{name}` to copy itself endlessly (a fork bomb)."),
    )
}

/// Installed packages changed.
pub(super) fn package_change(manager: &str, what: &str) -> Verdict {
    verdict(
        A,
        "pkg:change",
        format!("Changes installed packages with {manager}: {what}."),
    )
}

/// Any other change a known program makes.
pub(super) fn change(program: &str, what: &str) -> Verdict {
    verdict(
        A,
        "change:other",
        format!("Runs `{program}`, which {what}."),
    )
}
