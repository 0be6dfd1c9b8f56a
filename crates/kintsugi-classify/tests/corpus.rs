//! Labelled corpus test for the command classifier.
//!
//! Every `tests/corpus/*.tsv` file holds lines of the form
//! `expected<TAB>category<TAB>cwd<TAB>command`; `#` lines and blank lines are
//! skipped. Each command is classified with home `/home/dev` and, when the cwd
//! lies under it, project root `/home/dev/proj`. The test prints a confusion
//! matrix (expected rows, got columns), totals and per-file counts, lists other
//! mismatches without failing on them, and fails when:
//! - a line is malformed (reported as `file:line: what is wrong`),
//! - any catastrophic line is classed safe (a leak),
//! - the corpus is smaller than `MIN_LINES` or has fewer than `MIN_SAFE_LINES`,
//! - a quality goal below is missed.

use kintsugi_classify::{Class, Context, analyze};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// Catastrophic lines classed catastrophic, over all catastrophic lines.
const MIN_CATASTROPHIC_RECALL: f64 = 0.95;
/// Catastrophic lines classed safe, over all catastrophic lines.
const MAX_CATASTROPHIC_AS_SAFE: f64 = 0.01;
/// Safe lines held for a human (classed ambiguous or worse), over all safe lines.
const MAX_SAFE_HELD: f64 = 0.10;
const MIN_LINES: usize = 1_500;
const MIN_SAFE_LINES: usize = 400;
const MAX_MISMATCH_OUTPUT: usize = 200;
const HOME: &str = "/home/dev";
const PROJECT_ROOT: &str = "/home/dev/proj";
const CLASSES: [Class; 3] = [Class::Safe, Class::Ambiguous, Class::Catastrophic];

struct Case {
    file: String,
    line: usize,
    expected: Class,
    category: String,
    cwd: PathBuf,
    command: String,
}

fn idx(class: Class) -> usize {
    match class {
        Class::Safe => 0,
        Class::Ambiguous => 1,
        Class::Catastrophic => 2,
    }
}

/// Parses one line; `Ok(None)` for comments and blank lines.
fn parse_line(file: &str, line: usize, raw: &str) -> Result<Option<Case>, String> {
    let raw = raw.strip_suffix('\r').unwrap_or(raw);
    if raw.trim().is_empty() || raw.starts_with('#') {
        return Ok(None);
    }
    let at = format!("{file}:{line}");
    let cols: Vec<&str> = raw.split('\t').collect();
    if cols.len() != 4 {
        return Err(format!(
            "{at}: expected 4 tab-separated columns, found {}",
            cols.len()
        ));
    }
    let expected = cols[0].parse::<Class>().map_err(|e| format!("{at}: {e}"))?;
    let category = cols[1];
    if category.is_empty()
        || !category
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(format!(
            "{at}: category `{category}` must be a non-empty lowercase slug"
        ));
    }
    let cwd = PathBuf::from(cols[2]);
    if !cwd.is_absolute() {
        return Err(format!("{at}: cwd `{}` is not an absolute path", cols[2]));
    }
    let command = cols[3];
    if command.trim().is_empty() {
        return Err(format!("{at}: empty command"));
    }
    Ok(Some(Case {
        file: file.to_owned(),
        line,
        expected,
        category: category.to_owned(),
        cwd,
        command: command.to_owned(),
    }))
}

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
        for (i, raw) in text.lines().enumerate() {
            match parse_line(&name, i + 1, raw) {
                Ok(None) => {}
                Ok(Some(case)) => {
                    let here = format!("{}:{}", case.file, case.line);
                    match seen.insert((case.cwd.clone(), case.command.clone()), here.clone()) {
                        Some(first) => errors.push(format!("{here}: duplicate of {first}")),
                        None => cases.push(case),
                    }
                }
                Err(e) => errors.push(e),
            }
        }
    }
    assert!(
        errors.is_empty(),
        "malformed corpus lines:\n{}",
        errors.join("\n")
    );
    cases
}

fn context_for(cwd: &Path) -> Context {
    let root = PathBuf::from(PROJECT_ROOT);
    Context {
        cwd: cwd.to_path_buf(),
        home: PathBuf::from(HOME),
        project_root: cwd.starts_with(&root).then_some(root),
    }
}

fn ratio(num: usize, den: usize) -> f64 {
    if den == 0 {
        0.0
    } else {
        num as f64 / den as f64
    }
}

#[test]
fn corpus_labels_hold() {
    let cases = load();
    let mut matrix = [[0usize; 3]; 3];
    let mut per_file: BTreeMap<String, [usize; 3]> = BTreeMap::new();
    let (mut leaks, mut mismatches) = (Vec::new(), Vec::new());
    for case in &cases {
        let got = analyze(&case.command, &context_for(&case.cwd));
        matrix[idx(case.expected)][idx(got.class)] += 1;
        per_file.entry(case.file.clone()).or_default()[idx(case.expected)] += 1;
        if got.class == case.expected {
            continue;
        }
        let entry = format!(
            "{}:{} [{}] expected {} got {} (rule {}): {}",
            case.file,
            case.line,
            case.category,
            case.expected.as_str(),
            got.class.as_str(),
            got.rule,
            case.command
        );
        if case.expected == Class::Catastrophic && got.class == Class::Safe {
            leaks.push(entry);
        } else {
            mismatches.push((case.file.clone(), case.line, entry));
        }
    }

    println!("confusion matrix (rows expected, columns got):");
    println!(
        "{:>14} {:>8} {:>10} {:>13} {:>7}",
        "", "safe", "ambiguous", "catastrophic", "total"
    );
    for class in CLASSES {
        let row = matrix[idx(class)];
        println!(
            "{:>14} {:>8} {:>10} {:>13} {:>7}",
            class.as_str(),
            row[0],
            row[1],
            row[2],
            row.iter().sum::<usize>()
        );
    }
    let total = cases.len();
    let expected_total = |c: Class| matrix[idx(c)].iter().sum::<usize>();
    let (safe_n, cat_n) = (
        expected_total(Class::Safe),
        expected_total(Class::Catastrophic),
    );
    println!(
        "total {total}: safe {safe_n}, ambiguous {}, catastrophic {cat_n}",
        expected_total(Class::Ambiguous)
    );
    println!("per file (safe / ambiguous / catastrophic):");
    for (file, c) in &per_file {
        println!("  {file:<24} {:>4} {:>4} {:>4}", c[0], c[1], c[2]);
    }

    mismatches.sort(); // by file, then line number
    if !mismatches.is_empty() {
        println!("{} other mismatches (not failing):", mismatches.len());
        for (_, _, m) in mismatches.iter().take(MAX_MISMATCH_OUTPUT) {
            println!("  {m}");
        }
        if mismatches.len() > MAX_MISMATCH_OUTPUT {
            println!(
                "  ... {} more not shown",
                mismatches.len() - MAX_MISMATCH_OUTPUT
            );
        }
    }

    let recall = ratio(matrix[2][2], cat_n);
    let cat_as_safe = ratio(matrix[2][0], cat_n);
    let safe_held = ratio(matrix[0][1] + matrix[0][2], safe_n);
    println!(
        "catastrophic recall {recall:.3}, catastrophic-as-safe {cat_as_safe:.3}, safe held {safe_held:.3}"
    );

    let mut failures = Vec::new();
    if !leaks.is_empty() {
        failures.push(format!(
            "{} catastrophic line(s) classed safe:\n  {}",
            leaks.len(),
            leaks.join("\n  ")
        ));
    }
    if total < MIN_LINES {
        failures.push(format!(
            "corpus has {total} lines, needs at least {MIN_LINES}"
        ));
    }
    if safe_n < MIN_SAFE_LINES {
        failures.push(format!(
            "corpus has {safe_n} safe lines, needs at least {MIN_SAFE_LINES}"
        ));
    }
    if recall < MIN_CATASTROPHIC_RECALL {
        failures.push(format!(
            "catastrophic recall {recall:.3} is below the goal {MIN_CATASTROPHIC_RECALL}"
        ));
    }
    if cat_as_safe > MAX_CATASTROPHIC_AS_SAFE {
        failures.push(format!("{cat_as_safe:.3} of catastrophic lines classed safe, goal is at most {MAX_CATASTROPHIC_AS_SAFE}"));
    }
    if safe_held > MAX_SAFE_HELD {
        failures.push(format!("{safe_held:.3} of safe lines held as ambiguous or worse, goal is at most {MAX_SAFE_HELD}"));
    }
    assert!(
        failures.is_empty(),
        "corpus goals missed:\n{}",
        failures.join("\n")
    );
}
