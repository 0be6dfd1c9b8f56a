//! Shell arrays assigned in the line (`a=(rm -rf ~)`, `a+=(x)`): their
//! static elements are remembered, and `"${a[@]}"`, `${a[*]}`, `${a[N]}`
//! later in the line expand to them, so executing an array as a command
//! (`"${a[@]}"`) is judged as the command it holds.

use crate::engine::Walker;
use std::collections::HashMap;

/// Most elements remembered per array; a longer one is not tracked.
pub const MAX_ARRAY_ELEMENTS: usize = 256;

/// Record `name=(…)` (or `name+=(…)`); false when `value` is not an array
/// literal. An array with a dynamic element is forgotten: its uses stay
/// computed at run time.
pub(crate) fn assign(e: &mut Walker, name: &str, value: &str, append: bool) -> bool {
    let Some(inner) = value.strip_prefix('(').and_then(|v| v.strip_suffix(')')) else {
        return false;
    };
    let words = e.split(inner);
    let mut elems = if append {
        e.arrays.get(name).cloned().unwrap_or_default()
    } else {
        Vec::new()
    };
    if words.iter().any(|w| w.dynamic) || elems.len() + words.len() > MAX_ARRAY_ELEMENTS {
        e.arrays.remove(name);
        e.vars.remove(name);
        return true;
    }
    elems.extend(words.into_iter().map(|w| w.text));
    match elems.first() {
        Some(first) => e.vars.insert(name.to_string(), first.clone()),
        None => e.vars.insert(name.to_string(), String::new()),
    };
    e.arrays.insert(name.to_string(), elems);
    true
}

/// `text` with every use of a known array replaced by its elements, each
/// single-quoted so it stays one word.
pub(crate) fn substitute(text: &str, arrays: &HashMap<String, Vec<String>>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(k) = rest.find("${") {
        let (before, from) = rest.split_at(k);
        let quoted = before.ends_with('"');
        let Some(end) = from.find('}') else {
            break;
        };
        let inner = &from[2..end];
        let elems = inner.split_once('[').and_then(|(n, idx)| {
            let idx = idx.strip_suffix(']')?;
            let all = arrays.get(n)?;
            match idx {
                "@" | "*" => Some(all.clone()),
                i => i
                    .parse::<usize>()
                    .ok()
                    .map(|i| all.get(i).cloned().into_iter().collect()),
            }
        });
        let Some(elems) = elems else {
            out.push_str(before);
            out.push_str(&from[..end + 1]);
            rest = &from[end + 1..];
            continue;
        };
        let after = &from[end + 1..];
        // `"${a[@]}"`: drop the surrounding quotes, the elements carry their own.
        let (before, after) = if quoted && after.starts_with('"') {
            (&before[..before.len() - 1], &after[1..])
        } else {
            (before, after)
        };
        out.push_str(before);
        let quoted: Vec<String> = elems
            .iter()
            .map(|x| format!("'{}'", x.replace('\'', r"'\''")))
            .collect();
        out.push_str(&quoted.join(" "));
        rest = after;
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::expect;

    #[test]
    fn substitution_keeps_each_element_one_word() {
        let mut m = HashMap::new();
        m.insert(
            "a".to_string(),
            vec!["rm".into(), "-rf".into(), "it's here".into()],
        );
        assert_eq!(
            substitute(r#"x "${a[@]}" y"#, &m),
            r#"x 'rm' '-rf' 'it'\''s here' y"#
        );
        assert_eq!(substitute("${a[1]} ${b[@]}", &m), "'-rf' ${b[@]}");
    }

    #[test]
    fn arrays_executed_as_commands_are_the_commands_they_hold() {
        expect(&[
            (r#"a=(rm -rf ~); "${a[@]}""#, "catastrophic"),
            ("cmd=(rm -rf /); ${cmd[@]}", "catastrophic"),
            (r#"args=(-rf ~); rm "${args[@]}""#, "catastrophic"),
            (
                r#"a=(git); a+=(push --force origin main); "${a[@]}""#,
                "catastrophic",
            ),
            (r#"a=(ls -la); "${a[@]}""#, "safe"),
            (r#"files=(src/a.rs src/b.rs); wc -l "${files[@]}""#, "safe"),
            (r#"a=(echo hi); "${a[0]}" done"#, "safe"),
            // A dynamic element keeps the use computed at run time.
            (r#"a=($(cat list)); "${a[@]}""#, "catastrophic"),
        ]);
    }
}
