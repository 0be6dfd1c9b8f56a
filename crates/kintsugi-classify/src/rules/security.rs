//! Verdicts for effects on the machine's safety: credential reads,
//! persistence (something that runs later by itself) and security controls
//! turned off.

use super::{C, Verdict, verdict};
use crate::paths::persistence_kind;

/// Credential material read.
pub(super) fn secret_read(path: &str) -> Verdict {
    verdict(
        C,
        "secret:read",
        format!("Reads credential material: {path}."),
    )
}

/// Something installed to run automatically later (cron, unit, shell rc, …).
pub(super) fn persistence(what: &str, path: &str) -> Verdict {
    let k = persistence_kind(path).unwrap_or("install");
    verdict(
        C,
        &format!("persist:{k}"),
        format!("Installs something that runs automatically later: {what}."),
    )
}

/// A security control turned off (firewall, audit, history, TLS checks, …).
pub(super) fn security_disable(what: &str, control: &str) -> Verdict {
    verdict(C, &format!("sec:{control}"), format!("Turns off {what}."))
}
