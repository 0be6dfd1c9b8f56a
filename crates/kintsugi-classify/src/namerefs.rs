//! Assignments outside a command (`X=v`, `declare X=v`), and name
//! references: `declare -n r=HOME` (also `typeset -n`, `local -n`,
//! `declare -gn`, `readonly -n` is not one) makes every use of `$r` the
//! value of the variable it names, so `rm -rf "$r"` deletes home. The
//! reference is followed when it is made and again whenever the named
//! variable is assigned later in the line (`declare -n r=T; T=~`). A name
//! whose value is not known leaves the reference unknown, like a plain
//! unknown variable.

use crate::engine::Walker;
use crate::words::Word;

/// Whether a `declare`-like builtin's options ask for a name reference
/// (`-n`, `-gn`, `-rn`, …; options end at `--` or the first operand).
pub(crate) fn is_nameref_decl(name: &str, args: &[Word]) -> bool {
    if !matches!(name, "declare" | "typeset" | "local") {
        return false;
    }
    for w in args {
        let t = w.text.as_str();
        if t == "--" || !t.starts_with('-') {
            break;
        }
        if !t.starts_with("--") && t[1..].contains('n') {
            return true;
        }
    }
    false
}

/// An assignment outside a command (`X=v`, `declare X=v`, `local -n r=T`):
/// `decl` is the text of the declaration it belongs to, if any.
pub(crate) fn assign(e: &mut Walker, text: &str, decl: Option<&str>, depth: usize) {
    if decl.is_some_and(is_nameref_text) {
        let words = e.split(text);
        declare(e, &words);
        return;
    }
    let Some((name, value)) = text.split_once('=') else {
        return;
    };
    let append = name.ends_with('+');
    let name = name.trim_end_matches('+');
    if crate::arrays::assign(e, name, value, append) {
        return;
    }
    let words = e.split(value);
    crate::env_hooks::check_env_hook(
        e,
        name,
        &words.first().map(|w| w.text.clone()).unwrap_or_default(),
        depth,
    );
    match crate::words::assigned_value(&words) {
        Some(v) => e.vars.insert(name.to_string(), v),
        None => e.vars.remove(name),
    };
    follow(e, name);
}

/// Whether the text of a declaration (`declare -n r=HOME`) makes references.
fn is_nameref_text(text: &str) -> bool {
    let mut it = text.split_whitespace();
    let name = it.next().unwrap_or("");
    let args: Vec<Word> = it.map(Word::lit).collect();
    is_nameref_decl(name, &args)
}

/// Record each `ref=TARGET` of a name-reference declaration and give the
/// reference the target's current value.
pub(crate) fn declare(e: &mut Walker, args: &[Word]) {
    for w in args {
        let Some((r, t)) = crate::unwrap::is_assignment(&w.text) else {
            continue;
        };
        let t = t.trim_matches(['"', '\'']);
        if w.dynamic || !is_name(t) {
            e.vars.remove(r);
            continue;
        }
        let (r, t) = (r.to_string(), t.to_string());
        if e.namerefs.len() < 64 {
            e.namerefs.insert(r.clone(), t.clone());
        }
        set_from(e, &r, &t);
    }
}

/// `name` was just assigned: every reference to it now reads that value.
pub(crate) fn follow(e: &mut Walker, name: &str) {
    if e.namerefs.is_empty() {
        return;
    }
    let refs: Vec<String> = e
        .namerefs
        .iter()
        .filter(|(_, t)| *t == name)
        .map(|(r, _)| r.clone())
        .collect();
    for r in refs {
        if r != name {
            set_from(e, &r, name);
        }
    }
}

/// Give `r` the value `$t` expands to (known text, a computed value, or
/// nothing when it is unknown).
fn set_from(e: &mut Walker, r: &str, t: &str) {
    let words = e.split(&format!("\"${{{t}}}\""));
    match crate::words::assigned_value(&words) {
        Some(v) => e.vars.insert(r.to_string(), v),
        None => e.vars.remove(r),
    };
}

fn is_name(t: &str) -> bool {
    t.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use crate::testutil::expect;

    #[test]
    fn a_reference_reads_the_variable_it_names() {
        expect(&[
            ("declare -n r=HOME; rm -rf \"$r\"", "catastrophic"),
            ("typeset -n r=HOME; rm -rf \"$r\"", "catastrophic"),
            ("f(){ local -n r=HOME; rm -rf \"$r\"; }; f", "catastrophic"),
            (
                "f(){ local -n t=$1; rm -rf \"$t\"; }; f HOME",
                "catastrophic",
            ),
            ("declare -rn h=HOME; find \"$h\" -delete", "catastrophic"),
            ("declare -n r='HOME'; rm -rf \"$r\"", "catastrophic"),
            (
                "declare -n a=HOME; declare -n b=a; rm -rf \"$b\"",
                "catastrophic",
            ),
            ("D=/; declare -n r=D; rm -rf \"$r\"/*", "catastrophic"),
            ("declare -n r=HOME; ls -la \"$r\"", "safe"),
            ("declare -n d=TMPDIR; rm -rf \"$d/scratch/old\"", "safe"),
            ("declare -n r=BUILD_DIR; rm -rf \"$r\"", "ambiguous"),
        ]);
    }

    #[test]
    fn a_later_assignment_of_the_target_is_seen() {
        expect(&[
            ("declare -n r=T; T=~; rm -rf \"$r\"", "catastrophic"),
            (
                "declare -n r=T; T=$HOME/.ssh; rm -rf \"$r\"",
                "catastrophic",
            ),
            ("declare -n r=OUT; OUT=target; rm -rf \"$r\"", "ambiguous"),
        ]);
    }

    #[test]
    fn only_the_n_option_makes_a_reference() {
        expect(&[
            ("declare r=HOME; rm -rf \"$r\"", "ambiguous"),
            ("declare -r r=HOME; rm -rf \"$r\"", "ambiguous"),
        ]);
    }
}
