//! Fork-bomb detection over raw text: self-calling functions run in the
//! background, endless loops of background jobs, unbounded parallel xargs.

use crate::effects::Effect;
use crate::engine::Walker;

/// A loop body (after `do`) that starts a job in the background: a lone `&`
/// that is not `&&`, `>&`, `&>` or `<&`.
fn backgrounds_in_body(flat: &str) -> bool {
    let Some(k) = flat.find(" do ").or_else(|| flat.find(";do ")) else {
        return false;
    };
    let b = &flat.as_bytes()[k..];
    (0..b.len()).any(|i| {
        b[i] == b'&'
            && b.get(i + 1).is_none_or(|n| *n != b'&' && *n != b'>')
            && (i == 0 || !matches!(b[i - 1], b'&' | b'>' | b'<'))
    })
}

/// A function that calls itself twice in a pipeline, in the background:
/// `:(){ :|:& };:` whatever the name.
pub(crate) fn scan_fork_bomb(e: &mut Walker, src: &str) {
    if !src.contains('&') && !src.contains("-P") && !src.contains("max-procs") {
        return;
    }
    // Endless loops that keep spawning background jobs.
    let flat: String = src.split_whitespace().collect::<Vec<_>>().join(" ");
    let endless = [
        "while true",
        "while :",
        "while [ 1 ]",
        "while 1",
        "for ((;;))",
        "until false",
        "while sleep 0",
    ]
    .iter()
    .any(|k| flat.contains(k));
    if endless
        && (flat.contains("& done")
            || flat.contains("&done")
            || flat.contains("& ;")
            || flat.contains("&;")
            || backgrounds_in_body(&flat))
    {
        e.add(Effect::ForkBomb {
            name: "an endless loop of background jobs".into(),
        });
        return;
    }
    // An endless producer (`yes`, `seq inf`, `seq 1 inf`) into xargs with
    // no limit on parallel children.
    let endless_input =
        flat.starts_with("yes") || flat.contains("seq inf") || flat.contains(" inf |");
    if endless_input
        && flat.contains("xargs")
        && (flat.contains("-P0") || flat.contains("-P 0") || flat.contains("--max-procs=0"))
    {
        e.add(Effect::ForkBomb {
            name: "unbounded parallel xargs".into(),
        });
        return;
    }
    // `function name { … }` form.
    for part in flat.split("function ").skip(1) {
        let name: String = part
            .chars()
            .take_while(|c| !matches!(c, ' ' | '(' | '{'))
            .collect();
        if let Some(k) = part.find('{') {
            let body = part[k + 1..].split('}').next().unwrap_or("");
            if !name.is_empty() && body.matches(name.as_str()).count() >= 2 && body.contains('&') {
                e.add(Effect::ForkBomb { name });
                return;
            }
        }
    }
    if !src.contains("()") {
        return;
    }
    let compact: String = src.chars().filter(|c| !c.is_whitespace()).collect();
    let mut rest = compact.as_str();
    let mut guard = 0;
    while let Some(k) = rest.find("(){") {
        guard += 1;
        if guard > 64 {
            break;
        }
        let before = &rest[..k];
        let name: String = before
            .chars()
            .rev()
            .take_while(|c| !matches!(c, ';' | '&' | '|' | '{' | '}' | '(' | ')' | '\n'))
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let name = name.trim_start_matches("function");
        let body = &rest[k + 3..];
        let body = body.split('}').next().unwrap_or(body);
        let calls = body
            .split(['|', '&', ';', ' '])
            .filter(|w| *w == name)
            .count();
        if !name.is_empty()
            && (body.contains(&format!("{name}|{name}")) || calls >= 2)
            && body.contains('&')
        {
            e.add(Effect::ForkBomb {
                name: name.to_string(),
            });
            return;
        }
        rest = &rest[k + 3..];
    }
}

#[cfg(test)]
mod tests {
    use crate::testutil::expect;

    #[test]
    fn endless_input_into_unbounded_xargs() {
        expect(&[
            ("yes | xargs -P0 -n1 sleep", "catastrophic"),
            ("seq inf | xargs -P0 -n1 sleep", "catastrophic"),
            ("seq 1 inf | xargs --max-procs=0 -I{} true", "catastrophic"),
            ("seq 1 10 | xargs -P0 -n1 echo", "safe"),
        ]);
    }
}
