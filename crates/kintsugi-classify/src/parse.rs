//! Parsing: the fast path for lines without shell structure, and the
//! tree-sitter-bash parser (one per thread, bounded by `PARSE_BUDGET`).
//! Within one analysis ([`Memo`]) a text parsed before is not parsed again:
//! a function called a hundred times, or one loop body run for every value,
//! reuses the first tree.

use std::cell::RefCell;
use std::ops::ControlFlow;
use std::time::Instant;
use tree_sitter::{Node, ParseOptions, Parser, Tree};

thread_local! {
    static PARSER: RefCell<Option<Parser>> = const { RefCell::new(None) };
    static MEMO: RefCell<MemoState> = RefCell::new(MemoState::default());
}

/// Most distinct texts whose trees one analysis keeps.
pub(crate) const MAX_MEMO_TREES: usize = 256;

#[derive(Default)]
struct MemoState {
    /// Analyses under way on this thread (nested ones share the memo).
    depth: usize,
    /// Parses so far in this analysis: the first is the line itself, which
    /// is not parsed again, so it is not kept (most lines parse once).
    parses: usize,
    trees: std::collections::HashMap<String, Tree>,
}

/// Trees are remembered while a `Memo` lives; the outermost one's drop
/// forgets them.
pub(crate) struct Memo(());

impl Memo {
    pub fn start() -> Memo {
        MEMO.with(|m| m.borrow_mut().depth += 1);
        Memo(())
    }
}

impl Drop for Memo {
    fn drop(&mut self) {
        MEMO.with(|m| {
            let mut m = m.borrow_mut();
            m.depth = m.depth.saturating_sub(1);
            if m.depth == 0 {
                m.trees.clear();
                m.parses = 0;
            }
        });
    }
}

/// Parse `src` (see [`parse_uncached`]), reusing the tree of an earlier
/// parse of the same text in this analysis.
pub(crate) fn parse(src: &str, budget: std::time::Duration) -> Parsed {
    let known = MEMO.with(|m| {
        let m = m.borrow();
        if m.trees.is_empty() {
            None
        } else {
            m.trees.get(src).cloned()
        }
    });
    if let Some(t) = known {
        return Parsed::Tree(t);
    }
    let parsed = parse_uncached(src, budget);
    if let Parsed::Tree(t) = &parsed {
        MEMO.with(|m| {
            let mut m = m.borrow_mut();
            if m.depth == 0 {
                return;
            }
            m.parses += 1;
            if m.parses > 1 && m.trees.len() < MAX_MEMO_TREES {
                m.trees.insert(src.to_string(), t.clone());
            }
        });
    }
    parsed
}

/// Result of a bounded parse.
pub(crate) enum Parsed {
    Tree(Tree),
    TimedOut,
    Failed,
}

/// Parse `src` with the per-thread parser, giving up after `PARSE_BUDGET`.
fn parse_uncached(src: &str, budget: std::time::Duration) -> Parsed {
    PARSER.with(|cell| {
        let Ok(mut slot) = cell.try_borrow_mut() else {
            return Parsed::Failed;
        };
        if slot.is_none() {
            let mut p = Parser::new();
            if p.set_language(&tree_sitter_bash::LANGUAGE.into()).is_err() {
                return Parsed::Failed;
            }
            *slot = Some(p);
        }
        let Some(parser) = slot.as_mut() else {
            return Parsed::Failed;
        };
        let start = Instant::now();
        let mut timed_out = false;
        let mut cb = |_: &tree_sitter::ParseState| {
            if start.elapsed() > budget {
                timed_out = true;
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        };
        // tree-sitter-bash's external scanner calls `isdigit`/`iswspace` on
        // raw code points, which is undefined (and crashes) for some non-ASCII
        // input. Bash only treats ASCII bytes as syntax, so parse a copy with
        // every non-ASCII byte replaced by `x`: byte offsets are unchanged and
        // node texts are still read from the original line.
        let sanitized: Vec<u8> = src
            .bytes()
            .map(|b| if b >= 0x80 { b'x' } else { b })
            .collect();
        let bytes = sanitized.as_slice();
        let opts = ParseOptions::new().progress_callback(&mut cb);
        let tree = parser.parse_with_options(
            &mut |i, _| {
                if i < bytes.len() {
                    &bytes[i..]
                } else {
                    &[] as &[u8]
                }
            },
            None,
            Some(opts),
        );
        parser.reset();
        match tree {
            Some(t) => Parsed::Tree(t),
            None if timed_out => Parsed::TimedOut,
            None => Parsed::Failed,
        }
    })
}

/// True when the line has no shell structure outside single or plain double
/// quotes, so splitting on whitespace (with quote removal) is exact.
pub(crate) fn fast_path_ok(line: &str) -> bool {
    let mut q: u8 = 0; // 0 none, b'\'' or b'"'
    for &b in line.as_bytes() {
        match q {
            b'\'' => {
                if b == b'\'' {
                    q = 0;
                }
            }
            b'"' => match b {
                b'"' => q = 0,
                b'$' | b'`' | b'\\' | b'!' => return false,
                _ => {}
            },
            _ => match b {
                b'\'' | b'"' => q = b,
                // Globs, `~` and braces are expanded by `words::split` itself.
                b'$' | b'\\' | b'`' | b';' | b'&' | b'|' | b'<' | b'>' | b'(' | b')' | b'#'
                | b'\n' | b'\r' | b'!' => {
                    return false;
                }
                _ => {}
            },
        }
    }
    q == 0
}

/// The byte ranges of the words tree-sitter attaches to a file redirection
/// after its target (`2>/dev/null -rf ~`): in bash they are arguments of
/// the command.
pub(crate) fn redirect_extra_words(redirect: Node) -> Vec<(usize, usize)> {
    if redirect.kind() != "file_redirect" {
        return Vec::new();
    }
    let mut cur = redirect.walk();
    // Touching nodes are one shell word (`/tmp/$x`); the first word is the
    // target.
    let mut groups: Vec<(usize, usize)> = Vec::new();
    for k in redirect
        .named_children(&mut cur)
        .filter(|k| k.kind() != "file_descriptor" && k.kind() != "ERROR")
    {
        match groups.last_mut() {
            Some(g) if g.1 == k.start_byte() => g.1 = k.end_byte(),
            _ => groups.push((k.start_byte(), k.end_byte())),
        }
    }
    groups.into_iter().skip(1).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn remembered() -> usize {
        MEMO.with(|m| m.borrow().trees.len())
    }

    #[test]
    fn trees_are_remembered_within_one_analysis_only() {
        let budget = std::time::Duration::from_secs(5);
        let _ = parse("echo outside", budget);
        assert_eq!(remembered(), 0, "nothing is kept outside an analysis");
        {
            let _outer = Memo::start();
            {
                let _inner = Memo::start();
                let _ = parse("f", budget);
                assert_eq!(remembered(), 0, "the line itself is not kept");
                let _ = parse("f() { echo $1; }", budget);
                let _ = parse("f() { echo $1; }", budget);
            }
            assert_eq!(remembered(), 1, "a nested analysis shares the memo");
            let Parsed::Tree(t) = parse("f() { echo $1; }", budget) else {
                panic!("the remembered tree is given back");
            };
            assert_eq!(t.root_node().kind(), "program");
            for i in 0..MAX_MEMO_TREES + 10 {
                let _ = parse(&format!("echo {i}"), budget);
            }
            assert_eq!(remembered(), MAX_MEMO_TREES, "bounded");
        }
        assert_eq!(remembered(), 0, "forgotten when the analysis ends");
    }

    #[test]
    fn fast_path() {
        assert!(fast_path_ok("git status"));
        assert!(fast_path_ok("git commit -m 'fix: a; b | c'"));
        assert!(!fast_path_ok("ls | sh"));
        assert!(fast_path_ok("rm -rf ~/x *.o"));
        assert!(!fast_path_ok("echo \"$(x)\""));
        assert!(!fast_path_ok("echo 'open"));
    }

    #[test]
    fn parses() {
        match parse("echo $(rm -rf /)", crate::PARSE_BUDGET) {
            Parsed::Tree(t) => assert!(!t.root_node().has_error()),
            _ => panic!("no tree"),
        }
    }
}
