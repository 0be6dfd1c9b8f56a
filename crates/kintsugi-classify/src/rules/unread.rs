//! Verdicts for what Kintsugi could not read or does not model: unknown
//! programs and forms, values only known at run time, parse errors and
//! analysis limits. None of them is ever safe.

use super::{A, C, Verdict, verdict};

/// A program, subcommand or script Kintsugi does not model; `destroy` when a
/// destructive verb meets a wholesale target.
pub(super) fn unknown(form: &str, what: &str) -> Verdict {
    if form == "destroy" {
        verdict(C, "unknown:destroy", format!("{}.", capital(what)))
    } else {
        verdict(A, &format!("unknown:{form}"), format!("{}.", capital(what)))
    }
}

/// A value or command only known when the line runs.
pub(super) fn opaque(what: &str, exec: bool) -> Verdict {
    if exec {
        verdict(
            C,
            "opaque:dynamic-command",
            format!("Runs code that cannot be read before it runs: {what}."),
        )
    } else {
        verdict(
            A,
            "opaque:dynamic",
            format!("Depends on a value only known at run time: {what}."),
        )
    }
}

/// Part of the line the parser could not read.
pub(super) fn parse_error(what: &str) -> Verdict {
    verdict(
        A,
        "parse:error",
        format!("The line could not be fully parsed ({what}), so it is held for review."),
    )
}

/// An analysis cap was hit.
pub(super) fn limit(what: &str) -> Verdict {
    verdict(
        A,
        &format!("limit:{what}"),
        format!("The line exceeds an analysis limit ({what}), so it is held for review."),
    )
}

/// The sentence with its first letter in upper case.
fn capital(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
