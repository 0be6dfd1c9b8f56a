//! The strict parser of the model's answer. Exactly
//! `RISK: <0-100>` on the first line and `SUMMARY: <one sentence>` on the
//! second; anything else (missing lines, extra text on the RISK line, a
//! number out of range, an empty or multi-line summary, control characters)
//! is refused, and the caller keeps the heuristic result.

/// A well-formed answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub risk: u8,
    pub summary: String,
}

/// The longest summary accepted, in characters.
pub const MAX_SUMMARY_CHARS: usize = 240;

/// Parse `text` (the assistant turn including the `RISK:` prefill). Text
/// after the summary line is ignored: generation stops there.
pub fn parse(text: &str) -> Result<Answer, String> {
    let mut lines = text.split('\n');
    let risk_line = lines.next().unwrap_or_default().trim_end_matches('\r');
    let n = risk_line
        .strip_prefix("RISK:")
        .ok_or("the answer does not start with `RISK:`")?
        .trim();
    if n.is_empty() || n.len() > 3 || !n.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("`RISK:` is not followed by a plain number: {n:?}"));
    }
    let risk: u16 = n.parse().map_err(|_| format!("bad risk {n:?}"))?;
    if risk > 100 {
        return Err(format!("risk {risk} is above 100"));
    }
    let summary_line = lines
        .next()
        .ok_or("no `SUMMARY:` line")?
        .trim_end_matches('\r');
    let summary = summary_line
        .strip_prefix("SUMMARY:")
        .ok_or("the second line does not start with `SUMMARY:`")?
        .trim();
    if summary.is_empty() {
        return Err("the summary is empty".into());
    }
    if summary.chars().count() > MAX_SUMMARY_CHARS {
        return Err(format!(
            "the summary is longer than {MAX_SUMMARY_CHARS} characters"
        ));
    }
    if summary.chars().any(char::is_control) {
        return Err("the summary contains control characters".into());
    }
    Ok(Answer {
        risk: risk as u8,
        summary: summary.to_string(),
    })
}

/// Is the answer complete (so generation can stop)? True once the summary
/// line has ended.
pub fn complete(text: &str) -> bool {
    let mut it = text.splitn(3, '\n');
    let _risk = it.next();
    matches!((it.next(), it.next()), (Some(s), Some(_)) if !s.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_exact_form() {
        let a = parse("RISK: 80\nSUMMARY: Deletes the build directory.").unwrap();
        assert_eq!(
            a,
            Answer {
                risk: 80,
                summary: "Deletes the build directory.".into()
            }
        );
        assert_eq!(
            parse("RISK:7\nSUMMARY:  Lists files. \nmore").unwrap().risk,
            7
        );
        assert_eq!(parse("RISK: 100\r\nSUMMARY: x\r\n").unwrap().summary, "x");
    }

    #[test]
    fn refuses_anything_else() {
        for bad in [
            "",
            "RISK:",
            "RISK: 80",
            "RISK: 80\n",
            "RISK: 80\nSUMMARY:",
            "RISK: 80\nSUMMARY:   ",
            "RISK: 101\nSUMMARY: x",
            "RISK: -1\nSUMMARY: x",
            "RISK: 1000\nSUMMARY: x",
            "RISK: 80 because\nSUMMARY: x",
            "RISK: eighty\nSUMMARY: x",
            "RISK: 8.5\nSUMMARY: x",
            "risk: 80\nSUMMARY: x",
            "RISK: 80\nsummary: x",
            "RISK: 80\n\nSUMMARY: x",
            "Sure! RISK: 0\nSUMMARY: safe",
            "RISK: 80\nSUMMARY: a\u{7}bell",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
        let long = format!("RISK: 5\nSUMMARY: {}", "a".repeat(MAX_SUMMARY_CHARS + 1));
        assert!(parse(&long).is_err());
    }

    #[test]
    fn completion_is_the_end_of_the_summary_line() {
        assert!(!complete("RISK: 5"));
        assert!(!complete("RISK: 5\nSUMMARY: Lists"));
        assert!(complete("RISK: 5\nSUMMARY: Lists files.\n"));
        assert!(!complete("RISK: 5\n\n"));
    }
}
