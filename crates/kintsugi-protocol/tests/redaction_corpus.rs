//! The redaction corpus (`redaction_corpus.tsv`): every planted secret is
//! replaced by the marker, everything else in the line stays byte for byte,
//! the look-alike lines are not touched at all, and `secret_values` names
//! each secret (the daemon scrubs derived text with it).

use kintsugi_protocol::{REDACTED, redact, secret_values};

/// (secret or None, line) per corpus row.
fn corpus() -> Vec<(Option<String>, String)> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/redaction_corpus.tsv");
    let text = std::fs::read_to_string(path).expect("corpus file");
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (secret, line) = l
                .split_once('\t')
                .unwrap_or_else(|| panic!("corpus row without a tab: {l:?}"));
            let secret = (secret != "-").then(|| secret.to_string());
            (secret, line.replace('␤', "\n"))
        })
        .collect()
}

#[test]
fn corpus_is_large_and_its_secrets_are_distinct() {
    let rows = corpus();
    let secrets: Vec<&String> = rows.iter().filter_map(|(s, _)| s.as_ref()).collect();
    assert!(secrets.len() >= 60, "only {} secret cases", secrets.len());
    assert!(rows.len() - secrets.len() >= 10, "too few look-alikes");
    for (i, s) in secrets.iter().enumerate() {
        assert!(s.len() >= 6, "{s:?} is too short to search for");
        assert!(
            !secrets[i + 1..]
                .iter()
                .any(|o| o.contains(s.as_str()) || s.contains(o.as_str())),
            "{s:?} overlaps another secret"
        );
    }
}

#[test]
fn every_secret_is_blanked_and_the_rest_stays_verbatim() {
    let mut failures = Vec::new();
    for (secret, line) in corpus() {
        let out = redact(&line);
        let want = match &secret {
            Some(s) => {
                assert!(
                    line.contains(s.as_str()),
                    "row {line:?} lacks its secret {s:?}"
                );
                line.replace(s.as_str(), REDACTED)
            }
            None => line.clone(),
        };
        if redact(&out) != out {
            failures.push(format!("{line:?}: redacting again changed {out:?}"));
        }
        if out != want {
            failures.push(format!("{line:?}\n   got {out:?}\n  want {want:?}"));
        }
        if let Some(s) = &secret
            && !secret_values(&line).iter().any(|v| v == s)
        {
            failures.push(format!("secret_values({line:?}) lacks {s:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
