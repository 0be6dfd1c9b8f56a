//! Labelled corpus test for the command classifier.
//!
//! Every `tests/corpus/*.tsv` file holds lines of the form
//! `expected<TAB>family<TAB>cwd<TAB>command` (parsed by
//! `kintsugi_classify::corpus`). Each command is classified with home
//! `/home/dev` and, when the cwd lies under it, project root
//! `/home/dev/proj`. The test prints the accuracy report (the same one
//! `kintsugi test --corpus` prints) and fails when:
//! - a line is malformed (reported as `file:line: what is wrong`), or a
//!   `(cwd, command)` pair appears twice,
//! - any catastrophic line is classed safe (a leak), or any safe line is
//!   classed catastrophic (a false block),
//! - more ambiguous lines pass as safe than `MAX_AMBIGUOUS_AS_SAFE`,
//! - the corpus is smaller than `MIN_LINES` or has fewer than `MIN_SAFE_LINES`,
//! - a quality goal below is missed.

use kintsugi_classify::corpus::{Case, Report, parse};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Catastrophic lines classed catastrophic, over all catastrophic lines.
const MIN_CATASTROPHIC_RECALL: f64 = 0.95;
/// Catastrophic lines classed safe (leaks): none.
const MAX_LEAKS: usize = 0;
/// Safe lines classed catastrophic (false blocks): none.
const MAX_FALSE_BLOCKS: usize = 0;
/// Ambiguous lines classed safe: the regression gate at this release.
const MAX_AMBIGUOUS_AS_SAFE: usize = 6;
/// Safe lines held for a human (classed ambiguous or worse), over all safe lines.
const MAX_SAFE_HELD: f64 = 0.10;
const MIN_LINES: usize = 3_000;
const MIN_SAFE_LINES: usize = 400;
const HOME: &str = "/home/dev";
const PROJECT_ROOT: &str = "/home/dev/proj";

fn load() -> Vec<Case> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("corpus");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|ext| ext == "tsv"))
        .collect();
    files.sort();
    let (mut cases, mut errors) = (Vec::new(), Vec::new());
    let mut seen: HashMap<(PathBuf, String), String> = HashMap::new();
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text =
            std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {name}: {e}"));
        match parse(&name, &text) {
            Ok(found) => {
                for case in found {
                    match seen.insert((case.cwd.clone(), case.command.clone()), case.at.clone()) {
                        Some(first) => errors.push(format!("{}: duplicate of {first}", case.at)),
                        None => cases.push(case),
                    }
                }
            }
            Err(e) => errors.extend(e),
        }
    }
    assert!(
        errors.is_empty(),
        "malformed corpus lines:\n{}",
        errors.join("\n")
    );
    cases
}

#[test]
fn corpus_labels_hold() {
    let cases = load();
    let r = Report::evaluate(&cases, Path::new(HOME), Some(Path::new(PROJECT_ROOT)));
    println!("{r}");
    let safe_n = cases
        .iter()
        .filter(|c| c.expected == kintsugi_classify::Class::Safe)
        .count();
    let mut failures = Vec::new();
    if r.leaks() > MAX_LEAKS {
        failures.push(format!("{} catastrophic line(s) classed safe", r.leaks()));
    }
    if r.false_blocks() > MAX_FALSE_BLOCKS {
        failures.push(format!(
            "{} safe line(s) classed catastrophic",
            r.false_blocks()
        ));
    }
    if r.ambiguous_as_safe() > MAX_AMBIGUOUS_AS_SAFE {
        failures.push(format!(
            "{} ambiguous lines classed safe, the gate is {MAX_AMBIGUOUS_AS_SAFE}",
            r.ambiguous_as_safe()
        ));
    }
    if r.total() < MIN_LINES {
        failures.push(format!(
            "corpus has {} lines, needs at least {MIN_LINES}",
            r.total()
        ));
    }
    if safe_n < MIN_SAFE_LINES {
        failures.push(format!(
            "corpus has {safe_n} safe lines, needs at least {MIN_SAFE_LINES}"
        ));
    }
    if r.catastrophic_recall() < MIN_CATASTROPHIC_RECALL {
        failures.push(format!(
            "catastrophic recall {:.3} is below the goal {MIN_CATASTROPHIC_RECALL}",
            r.catastrophic_recall()
        ));
    }
    if r.safe_held() > MAX_SAFE_HELD {
        failures.push(format!(
            "{:.3} of safe lines held as ambiguous or worse, goal is at most {MAX_SAFE_HELD}",
            r.safe_held()
        ));
    }
    assert!(
        failures.is_empty(),
        "corpus goals missed:\n{}",
        failures.join("\n")
    );
}
