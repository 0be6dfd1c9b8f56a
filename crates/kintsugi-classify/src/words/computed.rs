//! Variables whose value is computed when the line runs: what an
//! assignment, `read`, `mapfile`, `printf -v` or `set --` gives a variable
//! (`Walker::vars`), how a use of a computed one is spelled, and where an
//! unresolved expansion operator rewrites a value.

use super::Word;

/// Marks a tracked variable whose value was computed when the line runs
/// (`h=$(getent passwd dev | cut -d: -f6)`, `read -r d`): the rest of the
/// value is the text that computes it. Every use of the variable is a
/// dynamic word spelling that text with each `$` of it followed by this
/// marker (`$\u{1}(getent …)`, see `computed_use`): the path rules read it
/// as the substitution (`rm -rf "$h"` is `rm -rf "$(getent …)"`), while
/// the rules that look for command output sent somewhere (`curl
/// ".../$(whoami)"`) do not take a variable for an inline substitution.
/// `rules::judge` removes the marker from sentences.
pub(crate) const COMPUTED: char = '\u{1}';

/// `text` without `COMPUTED` markers (code run again, sentences); no copy
/// when it has none.
pub(crate) fn without_marker(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains(COMPUTED) {
        std::borrow::Cow::Owned(text.replace(COMPUTED, ""))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// How a use of a computed variable is spelled (see `COMPUTED`):
/// backquotes become `$(…)` and every `$` is followed by the marker.
pub(crate) fn computed_use(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 4);
    let mut open = false;
    for ch in text.chars() {
        match ch {
            '`' if !open => {
                out.push('$');
                out.push(COMPUTED);
                out.push('(');
                open = true;
            }
            '`' => {
                out.push(')');
                open = false;
            }
            '$' => {
                out.push('$');
                out.push(COMPUTED);
            }
            c => out.push(c),
        }
    }
    out
}

/// The value an assignment gives a variable, as `Walker::vars` keeps it:
/// the text of one static word, empty for no word, the `COMPUTED` marker
/// and its text for one word computed when the line runs (a command
/// substitution, or an expansion operator Kintsugi could not resolve).
/// `None` when the value is not tracked (the variable is forgotten).
pub(crate) fn assigned_value(words: &[Word]) -> Option<String> {
    match words {
        [] => Some(String::new()),
        [w] if !w.dynamic => Some(w.text.clone()),
        [w] if computed_text(&w.text) => Some(format!("{COMPUTED}{}", w.text)),
        _ => None,
    }
}

/// Text holding a command substitution, a process substitution or a
/// variable whose value is computed: what it stands for is whatever a
/// program prints when the line runs.
pub(crate) fn computed_text(t: &str) -> bool {
    t.contains("$(")
        || t.contains('`')
        || t.contains("<(")
        || t.contains(COMPUTED)
        || transform_at(t).is_some()
}

/// Where the first `${…}` with an operator that rewrites its value stands
/// in `t` (`${X::5}`, `${X%/*}`, `${X/a/b}`, `${X^^}`, `${!X}`, `${X@P}`),
/// left unresolved by the lexer. Removing a trailing slash (`${X%/}`), a
/// default (`${X:-d}`) and a length (`${#X}`) do not count.
pub(crate) fn transform_at(t: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(k) = t[from..].find("${").map(|k| k + from) {
        let body = &t[k + 2..];
        from = k + 2;
        if body.starts_with('!') {
            return Some(k);
        }
        let name_len = body
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(body.len());
        if name_len == 0 {
            continue;
        }
        let rest = &body[name_len..];
        let end = rest.find('}').unwrap_or(rest.len());
        let op = &rest[..end];
        let rewrites = match op.chars().next() {
            Some(':') => !op[1..].starts_with(['-', '=', '?', '+']),
            Some('%') => !matches!(op, "%/" | "%%/"),
            Some('#' | '/' | '^' | ',' | '~' | '@') => true,
            _ => false,
        };
        if rewrites {
            return Some(k);
        }
    }
    None
}

/// What a builtin assigns (`read`, `mapfile`/`readarray`, `printf -v`,
/// `set --`), as `Walker::vars` keeps values: name → value.
pub(crate) fn builtin_assignments(
    name: &str,
    args: &[Word],
    stdin: &crate::engine::Stdin,
) -> Vec<(String, String)> {
    let kept = |w: &Word| {
        if w.dynamic {
            format!("{COMPUTED}{}", w.text)
        } else {
            w.text.clone()
        }
    };
    match name {
        "read" => {
            let names = read_targets(args);
            let value = read_value(stdin, names.len());
            names.into_iter().map(|n| (n, value.clone())).collect()
        }
        "mapfile" | "readarray" => {
            let mut it = args.iter();
            let mut array = "MAPFILE".to_string();
            while let Some(w) = it.next() {
                match w.text.as_str() {
                    "-d" | "-n" | "-O" | "-s" | "-u" | "-C" | "-c" => {
                        it.next();
                    }
                    t if t.starts_with('-') => {}
                    t => array = t.to_string(),
                }
            }
            vec![(array, read_value(stdin, 2))]
        }
        "printf" if args.first().is_some_and(|w| w.text == "-v") => {
            let Some(var) = args.get(1) else {
                return Vec::new();
            };
            let value = match &args[2.min(args.len())..] {
                [f] if !f.dynamic && !f.text.contains(['%', '\\']) => f.text.clone(),
                [f, a] if f.text == "%s" => kept(a),
                rest => {
                    let all: Vec<&str> = rest.iter().map(|w| w.text.as_str()).collect();
                    format!("{COMPUTED}$(printf {})", all.join(" "))
                }
            };
            vec![(var.text.clone(), value)]
        }
        "set" if args.first().is_some_and(|w| w.text == "--") => {
            let values: Vec<String> = args[1..].iter().map(kept).collect();
            let mut out: Vec<(String, String)> = values
                .iter()
                .take(9)
                .enumerate()
                .map(|(i, v)| ((i + 1).to_string(), v.clone()))
                .collect();
            out.push(("#".into(), values.len().to_string()));
            // `"$@"`: every parameter, one word each, when all are static.
            if values.iter().all(|v| !v.starts_with(COMPUTED)) {
                out.push(("@".into(), values.join(" ")));
            }
            out
        }
        _ => Vec::new(),
    }
}

/// The variables `read` (or `read -a`) fills: its words that are not
/// options or option values (`read -r -p 'dir? ' d` fills `d`).
pub(crate) fn read_targets(args: &[Word]) -> Vec<String> {
    let mut out = Vec::new();
    let mut it = args.iter();
    while let Some(w) = it.next() {
        let t = w.text.as_str();
        if let Some(flags) = t.strip_prefix('-') {
            // `-p`, `-d`, `-n`, `-N`, `-t`, `-u`, `-i` take a value (glued or
            // the next word); `-a NAME` names the array it fills.
            if let Some(k) = flags.find(['p', 'd', 'n', 'N', 't', 'u', 'i', 'a']) {
                let glued = &flags[k + 1..];
                let value = if glued.is_empty() {
                    it.next().map(|w| w.text.clone())
                } else {
                    Some(glued.to_string())
                };
                if flags.as_bytes()[k] == b'a' {
                    out.extend(value);
                }
            }
            continue;
        }
        if !t.is_empty() && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            out.push(t.to_string());
        }
    }
    out
}

/// The value `read` gives its one variable (`names` is how many it fills):
/// the path a listing upstream prints when there is one (`find ~
/// -maxdepth 0 | while read d`), the first line of known text (`read d <<<
/// /tmp/x`), and otherwise what it reads, computed when the line runs.
pub(crate) fn read_value(stdin: &crate::engine::Stdin, names: usize) -> String {
    use crate::engine::Stdin;
    let computed = |from: &str| format!("{COMPUTED}{from}");
    match stdin {
        Stdin::Listing(paths) if names == 1 && paths.len() == 1 => paths[0].clone(),
        Stdin::Literal(t) if names == 1 => {
            let line = t.lines().next().unwrap_or("").trim();
            if line.contains(['$', '`']) {
                computed(line)
            } else {
                line.to_string()
            }
        }
        Stdin::File(p) => computed(&format!("$(cat {p})")),
        _ => computed("$(read)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assignments_remember_what_computes_them() {
        let dynamic = |t: &str| Word {
            text: t.into(),
            dynamic: true,
            glob: false,
        };
        assert_eq!(assigned_value(&[Word::lit("/x")]).unwrap(), "/x");
        assert_eq!(assigned_value(&[]).unwrap(), "");
        let c = assigned_value(&[dynamic("$(ls ~)")]).unwrap();
        assert!(c.starts_with(COMPUTED) && c.ends_with("$(ls ~)"));
        assert!(assigned_value(&[dynamic("`cat f`")]).is_some());
        assert!(assigned_value(&[dynamic("${X%/*}")]).is_some());
        assert!(
            assigned_value(&[dynamic("$X")]).is_none(),
            "a plain unknown"
        );
        assert!(assigned_value(&[dynamic("${X%/}")]).is_none());
    }

    #[test]
    fn rewriting_operators_are_found() {
        for t in [
            "${X::5}",
            "${X%/*}",
            "a/${X/a/b}",
            "${X^^}",
            "${!X}",
            "${X@P}",
            "${X#*/}",
        ] {
            assert!(transform_at(t).is_some(), "{t}");
        }
        for t in [
            "$X", "${X}", "${X:-d}", "${X%/}", "${#X}", "${X:+a}", "plain",
        ] {
            assert!(transform_at(t).is_none(), "{t}");
        }
    }

    #[test]
    fn builtins_assign_what_they_read_or_format() {
        use crate::engine::Stdin;
        let w = |s: &str| -> Vec<Word> { s.split(' ').map(Word::lit).collect() };
        let file = Stdin::File("/home/dev/proj/list".into());
        let got = builtin_assignments("mapfile", &w("-t dirs"), &file);
        assert_eq!(got[0].0, "dirs");
        assert!(got[0].1.starts_with(COMPUTED) && got[0].1.contains("list"));
        let got = builtin_assignments("printf", &w("-v d %s /home/dev"), &Stdin::Terminal);
        assert_eq!(got, [("d".to_string(), "/home/dev".to_string())]);
        let got = builtin_assignments("printf", &w("-v d %s-%s a b"), &Stdin::Terminal);
        assert!(got[0].1.starts_with(COMPUTED));
        let got = builtin_assignments("set", &w("-- /home/dev x"), &Stdin::Terminal);
        assert!(got.contains(&("1".to_string(), "/home/dev".to_string())));
        assert!(got.contains(&("#".to_string(), "2".to_string())));
        assert!(got.contains(&("@".to_string(), "/home/dev x".to_string())));
        crate::testutil::expect(&[
            ("set -- -rf ~; rm \"$@\"", "catastrophic"),
            ("set -- src tests; ls \"$@\"", "safe"),
        ]);
        assert!(builtin_assignments("set", &w("-e"), &Stdin::Terminal).is_empty());
    }

    #[test]
    fn read_fills_its_named_variables() {
        let w = |s: &str| -> Vec<Word> { s.split(' ').map(Word::lit).collect() };
        assert_eq!(read_targets(&w("-r d")), ["d"]);
        assert_eq!(read_targets(&w("-r -p dir? a b")), ["a", "b"]);
        assert_eq!(read_targets(&w("-rp x d")), ["d"]);
        assert_eq!(read_targets(&w("-t 5 -n 1 key")), ["key"]);
        assert_eq!(read_targets(&w("-ra dirs")), ["dirs"]);
        assert_eq!(read_targets(&w("-d , x")), ["x"]);
    }
}
