//! Inputs the fuzz campaign (`fuzz/`, see docs/CLASSIFIER.md) found, kept
//! as regression tests: each one broke an invariant of `analyze` before its
//! fix.

use kintsugi_classify::{Class, Context, analyze};
use std::path::PathBuf;

fn ctx() -> Context {
    Context {
        cwd: PathBuf::from("/home/dev/proj"),
        home: PathBuf::from("/home/dev"),
        project_root: None,
    }
}

/// The fuzz target's invariant: a line not fully read is never safe.
fn check(line: &str) -> kintsugi_classify::Analysis {
    let a = analyze(line, &ctx());
    if !a.parse_complete {
        assert!(
            a.class >= Class::Ambiguous,
            "incomplete parse classed safe: {line:?} -> {:?}",
            a.class
        );
    }
    a
}

/// A search pattern that looks like code but is not valid shell (`rm
/// -rf||||…`) was parsed speculatively; its parse error marked the whole
/// line incomplete while the line itself stayed safe.
#[test]
fn unparsable_code_like_argument_leaves_the_line_complete() {
    let a = check("zgrep 'rm -rf||||||||||||||||||||||||||||||||||||||||||||' logs/*.gz");
    assert!(a.parse_complete);
    assert_eq!(a.class, Class::Safe);
}

/// A self-calling function whose body the parser cannot read (vertical
/// tabs, stray `[`): each call re-parsed the body and recovered fragment by
/// fragment, fanning out for over a second. Function calls and the parser
/// time per line are capped now.
#[test]
fn a_malformed_fanning_function_is_judged_quickly() {
    let vt = "\u{b}";
    let line = format!(
        "f(){{ f|f& {v4}[{v19} f|f& {v4}[{v6}f|f& {v4}[{v19} f|f& {v4}[{v6}}};}};f",
        v4 = vt.repeat(4),
        v6 = vt.repeat(6),
        v19 = vt.repeat(19)
    );
    let t = std::time::Instant::now();
    let a = check(&line);
    let took = t.elapsed();
    assert_eq!(a.class, Class::Catastrophic, "{}: {}", a.rule, a.reason);
    assert!(
        took < std::time::Duration::from_millis(400),
        "took {took:?}"
    );
}
