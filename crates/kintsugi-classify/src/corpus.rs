//! Labelled corpora and the accuracy report: parse `expected<TAB>family<TAB>
//! cwd<TAB>command` lines (the format of `tests/corpus/*.tsv`), classify each
//! line and count a 3×3 confusion matrix, leaks (catastrophic → safe), false
//! blocks (safe → catastrophic), false holds (safe → ambiguous) and recall
//! per family. Pure: the caller reads the files.

use crate::{Class, Context, analyze};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// One labelled line.
#[derive(Debug, Clone)]
pub struct Case {
    /// Where it came from (`file:line`).
    pub at: String,
    pub expected: Class,
    /// The family slug (`rm-home`, `force-push`, …).
    pub family: String,
    pub cwd: PathBuf,
    pub command: String,
}

/// Parse corpus text; `file` names it in errors. Comments (`#`) and blank
/// lines are skipped; every malformed line is an error naming where.
pub fn parse(file: &str, text: &str) -> Result<Vec<Case>, Vec<String>> {
    let (mut cases, mut errors) = (Vec::new(), Vec::new());
    for (i, raw) in text.lines().enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if raw.trim().is_empty() || raw.starts_with('#') {
            continue;
        }
        let at = format!("{file}:{}", i + 1);
        let cols: Vec<&str> = raw.split('\t').collect();
        if cols.len() != 4 {
            errors.push(format!(
                "{at}: expected 4 tab-separated columns (expected, family, cwd, command), found {}",
                cols.len()
            ));
            continue;
        }
        let expected = match cols[0].parse::<Class>() {
            Ok(c) => c,
            Err(e) => {
                errors.push(format!("{at}: {e}"));
                continue;
            }
        };
        let family = cols[1];
        if family.is_empty()
            || !family
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            errors.push(format!(
                "{at}: family `{family}` must be a non-empty lowercase slug"
            ));
            continue;
        }
        if !Path::new(cols[2]).is_absolute() {
            errors.push(format!("{at}: cwd `{}` is not an absolute path", cols[2]));
            continue;
        }
        if cols[3].trim().is_empty() {
            errors.push(format!("{at}: empty command"));
            continue;
        }
        cases.push(Case {
            at,
            expected,
            family: family.to_string(),
            cwd: PathBuf::from(cols[2]),
            command: cols[3].to_string(),
        });
    }
    if errors.is_empty() {
        Ok(cases)
    } else {
        Err(errors)
    }
}

/// One line the classifier got wrong.
#[derive(Debug, Clone)]
pub struct Miss {
    pub at: String,
    pub family: String,
    pub expected: Class,
    pub got: Class,
    pub rule: String,
    pub command: String,
}

/// The accuracy of the classifier on a corpus.
#[derive(Debug, Default)]
pub struct Report {
    /// `matrix[expected][got]`, classes in order safe, ambiguous, catastrophic.
    pub matrix: [[usize; 3]; 3],
    /// Per family: (lines, lines classed as labelled).
    pub families: BTreeMap<String, (usize, usize)>,
    /// Every mismatch, in corpus order.
    pub misses: Vec<Miss>,
}

fn idx(c: Class) -> usize {
    match c {
        Class::Safe => 0,
        Class::Ambiguous => 1,
        Class::Catastrophic => 2,
    }
}

impl Report {
    /// Classify every case with `home` as the home directory and `project`
    /// as the project root whenever the cwd lies under it.
    pub fn evaluate(cases: &[Case], home: &Path, project: Option<&Path>) -> Report {
        let mut r = Report::default();
        for case in cases {
            let ctx = Context {
                cwd: case.cwd.clone(),
                home: home.to_path_buf(),
                project_root: project
                    .filter(|p| case.cwd.starts_with(p))
                    .map(Path::to_path_buf),
            };
            let got = analyze(&case.command, &ctx);
            r.matrix[idx(case.expected)][idx(got.class)] += 1;
            let fam = r.families.entry(case.family.clone()).or_default();
            fam.0 += 1;
            if got.class == case.expected {
                fam.1 += 1;
            } else {
                r.misses.push(Miss {
                    at: case.at.clone(),
                    family: case.family.clone(),
                    expected: case.expected,
                    got: got.class,
                    rule: got.rule,
                    command: case.command.clone(),
                });
            }
        }
        r
    }

    fn cell(&self, e: Class, g: Class) -> usize {
        self.matrix[idx(e)][idx(g)]
    }

    fn row(&self, e: Class) -> usize {
        self.matrix[idx(e)].iter().sum()
    }

    /// Catastrophic lines classed safe.
    pub fn leaks(&self) -> usize {
        self.cell(Class::Catastrophic, Class::Safe)
    }
    /// Safe lines classed catastrophic.
    pub fn false_blocks(&self) -> usize {
        self.cell(Class::Safe, Class::Catastrophic)
    }
    /// Safe lines held as ambiguous.
    pub fn false_holds(&self) -> usize {
        self.cell(Class::Safe, Class::Ambiguous)
    }
    /// Ambiguous lines classed safe (allowed without a human).
    pub fn ambiguous_as_safe(&self) -> usize {
        self.cell(Class::Ambiguous, Class::Safe)
    }
    /// Catastrophic lines classed catastrophic, over all catastrophic lines.
    pub fn catastrophic_recall(&self) -> f64 {
        ratio(
            self.cell(Class::Catastrophic, Class::Catastrophic),
            self.row(Class::Catastrophic),
        )
    }
    /// Safe lines classed ambiguous or catastrophic, over all safe lines.
    pub fn safe_held(&self) -> f64 {
        ratio(
            self.false_holds() + self.false_blocks(),
            self.row(Class::Safe),
        )
    }
    /// All lines.
    pub fn total(&self) -> usize {
        self.matrix.iter().flatten().sum()
    }
}

fn ratio(n: usize, d: usize) -> f64 {
    if d == 0 { 0.0 } else { n as f64 / d as f64 }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let classes = [Class::Safe, Class::Ambiguous, Class::Catastrophic];
        writeln!(f, "confusion matrix (rows: labelled, columns: classified)")?;
        writeln!(
            f,
            "{:>14} {:>8} {:>10} {:>13} {:>7}",
            "", "safe", "ambiguous", "catastrophic", "total"
        )?;
        for e in classes {
            let r = self.matrix[idx(e)];
            writeln!(
                f,
                "{:>14} {:>8} {:>10} {:>13} {:>7}",
                e.as_str(),
                r[0],
                r[1],
                r[2],
                self.row(e)
            )?;
        }
        writeln!(f, "lines               {}", self.total())?;
        writeln!(
            f,
            "leaks               {} (catastrophic classed safe)",
            self.leaks()
        )?;
        writeln!(
            f,
            "false blocks        {} (safe classed catastrophic)",
            self.false_blocks()
        )?;
        writeln!(
            f,
            "false holds         {} (safe classed ambiguous)",
            self.false_holds()
        )?;
        writeln!(f, "ambiguous as safe   {}", self.ambiguous_as_safe())?;
        writeln!(
            f,
            "catastrophic recall {:.3}; safe held {:.3}",
            self.catastrophic_recall(),
            self.safe_held()
        )?;
        writeln!(f, "recall per family (lines classed as labelled / lines):")?;
        for (fam, (n, ok)) in &self.families {
            if ok < n {
                writeln!(f, "  {fam:<28} {ok:>4}/{n:<4} {:.2}", ratio(*ok, *n))?;
            }
        }
        let perfect = self.families.values().filter(|(n, ok)| ok == n).count();
        writeln!(f, "  ({perfect} other families all correct)")?;
        if !self.misses.is_empty() {
            writeln!(f, "misses:")?;
            for m in &self.misses {
                writeln!(
                    f,
                    "  {} [{}] labelled {} got {} ({}): {}",
                    m.at,
                    m.family,
                    m.expected.as_str(),
                    m.got.as_str(),
                    m.rule,
                    m.command
                )?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_counts() {
        let text = "# c\nsafe\tls\t/home/dev/proj\tls -la\ncatastrophic\trm-home\t/home/dev\trm -rf ~\nsafe\tbad\t/home/dev\trm -rf ~\n";
        let cases = parse("t.tsv", text).unwrap();
        assert_eq!(cases.len(), 3);
        let r = Report::evaluate(
            &cases,
            Path::new("/home/dev"),
            Some(Path::new("/home/dev/proj")),
        );
        assert_eq!(r.total(), 3);
        assert_eq!(r.leaks(), 0);
        assert_eq!(r.false_blocks(), 1);
        assert_eq!(r.misses.len(), 1);
        assert!(r.to_string().contains("false blocks        1"));
    }

    #[test]
    fn malformed_lines_are_named() {
        let errs = parse("t.tsv", "safe\tls\n").unwrap_err();
        assert!(errs[0].starts_with("t.tsv:1:"), "{errs:?}");
        let errs = parse("t.tsv", "maybe\tx\t/\tls\n").unwrap_err();
        assert!(errs[0].contains("unknown class"), "{errs:?}");
    }
}
