//! The words of an alert: the desktop notification's summary and body, and
//! each webhook format's request body. Pure functions of an [`Alert`].

use super::Alert;
use crate::config::WebhookFormat;

/// Characters of the command a desktop notification shows (a popup is
/// small; the webhook carries up to [`super::ALERT_COMMAND_CHARS`]).
pub const DESKTOP_COMMAND_CHARS: usize = 300;
/// Characters of the reason and of the preview a desktop notification shows.
pub const DESKTOP_TEXT_CHARS: usize = 300;

/// `text` cut to at most `max` characters, ending with `…` when cut.
pub fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
    s.push('…');
    s
}

/// `3540` → `59 min`; under two minutes in seconds, over two hours in hours.
pub fn time_left(secs: u64) -> String {
    match secs {
        0..120 => format!("{secs} s"),
        120..7200 => format!("{} min", secs / 60),
        _ => format!("{} h {} min", secs / 3600, secs % 3600 / 60),
    }
}

fn headline(a: &Alert) -> String {
    match a.kind {
        "hold" => format!("Kintsugi: {} command held for you", a.class),
        _ => format!("Kintsugi: {} command denied", a.class),
    }
}

/// The last line: how long the hold waits and how to answer it.
fn answer_line(a: &Alert) -> Option<String> {
    let (id, secs) = (a.id.as_deref()?, a.expires_in_secs?);
    Some(format!(
        "Expires in {}. Answer with `kintsugi approve {id}` or `kintsugi deny {id}`.",
        time_left(secs)
    ))
}

/// The desktop notification's summary and body. With `markup` (the server
/// lists `body-markup`) the body's `&`, `<` and `>` are escaped, so a
/// command like `a > b && c` shows as written.
pub fn desktop(a: &Alert, markup: bool) -> (String, String) {
    let mut lines = vec![
        cut(&a.command, DESKTOP_COMMAND_CHARS),
        format!("{} in {}", a.agent, a.cwd),
        cut(&a.reason, DESKTOP_TEXT_CHARS),
    ];
    if let Some(p) = &a.preview {
        lines.push(cut(p, DESKTOP_TEXT_CHARS));
    }
    lines.extend(answer_line(a));
    let body = lines.join("\n");
    let body = if markup { escape_markup(&body) } else { body };
    (headline(a), body)
}

fn escape_markup(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A webhook request: content type, extra headers, body.
pub struct Request {
    pub content_type: &'static str,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

/// The webhook request for `a` in `format`.
pub fn webhook(a: &Alert, format: WebhookFormat) -> Request {
    match format {
        WebhookFormat::Json => Request {
            content_type: "application/json",
            headers: vec![],
            body: serde_json::to_vec(a).unwrap_or_default(),
        },
        WebhookFormat::Slack => {
            let mut text = format!(
                "*{}* on {} ({} in {})\n```{}```\n{}",
                headline(a),
                a.host,
                a.agent,
                a.cwd,
                a.command,
                a.reason
            );
            if let Some(p) = &a.preview {
                text.push_str(&format!("\nPreview: {p}"));
            }
            if let Some(l) = answer_line(a) {
                text.push('\n');
                text.push_str(&l);
            }
            Request {
                content_type: "application/json",
                headers: vec![],
                body: serde_json::to_vec(&serde_json::json!({ "text": escape_markup(&text) }))
                    .unwrap_or_default(),
            }
        }
        WebhookFormat::Ntfy => {
            let mut text = format!("{}\n{} in {}\n{}", a.command, a.agent, a.cwd, a.reason);
            if let Some(p) = &a.preview {
                text.push_str(&format!("\n{p}"));
            }
            if let Some(l) = answer_line(a) {
                text.push('\n');
                text.push_str(&l);
            }
            let priority = if a.kind == "hold" { "high" } else { "default" };
            Request {
                content_type: "text/plain; charset=utf-8",
                headers: vec![
                    (
                        "Title",
                        header_safe(&format!("{} on {}", headline(a), a.host)),
                    ),
                    ("Priority", priority.into()),
                    ("Tags", "warning".into()),
                ],
                body: text.into_bytes(),
            }
        }
    }
}

/// A header value: printable ASCII only (anything else becomes `?`).
fn header_safe(s: &str) -> String {
    s.chars()
        .map(|c| if (' '..='~').contains(&c) { c } else { '?' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert(kind: &'static str) -> Alert {
        Alert {
            kind,
            id: (kind == "hold").then(|| "p-42".to_string()),
            command: "rm -rf build && echo done > log".into(),
            cwd: "/home/u/proj".into(),
            agent: "claude".into(),
            session: Some("s1".into()),
            class: "catastrophic".into(),
            rule: "fs:rm-recursive".into(),
            reason: "Deletes build recursively.".into(),
            preview: Some("undo restores 12 files".into()),
            time: "2026-12-03T10:00:00Z".into(),
            expires_in_secs: (kind == "hold").then_some(3600),
            host: "box".into(),
        }
    }

    #[test]
    fn cut_and_time_left() {
        assert_eq!(cut("abcdef", 4), "abc…");
        assert_eq!(cut("abc", 4), "abc");
        assert_eq!(cut("ééééé", 3).chars().count(), 3);
        assert_eq!(time_left(59), "59 s");
        assert_eq!(time_left(3600), "60 min");
        assert_eq!(time_left(9000), "2 h 30 min");
    }

    #[test]
    fn desktop_body_has_the_facts_and_escapes_markup() {
        let (summary, body) = desktop(&alert("hold"), false);
        assert_eq!(summary, "Kintsugi: catastrophic command held for you");
        assert!(body.starts_with("rm -rf build && echo done > log\nclaude in /home/u/proj\n"));
        assert!(body.contains("undo restores 12 files"), "{body}");
        assert!(body.contains("Expires in 60 min"), "{body}");
        assert!(body.contains("kintsugi approve p-42"), "{body}");
        let (_, body) = desktop(&alert("hold"), true);
        assert!(
            body.starts_with("rm -rf build &amp;&amp; echo done &gt; log"),
            "{body}"
        );
        let (summary, body) = desktop(&alert("deny"), false);
        assert_eq!(summary, "Kintsugi: catastrophic command denied");
        assert!(!body.contains("Expires"), "{body}");
    }

    #[test]
    fn webhook_bodies_per_format() {
        let a = alert("hold");
        let r = webhook(&a, WebhookFormat::Json);
        let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(v["kind"], "hold");
        assert_eq!(v["id"], "p-42");
        assert_eq!(v["command"], "rm -rf build && echo done > log");
        assert_eq!(v["expires_in_secs"], 3600);
        assert_eq!(v["host"], "box");
        let r = webhook(&a, WebhookFormat::Slack);
        let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        let text = v["text"].as_str().unwrap();
        assert!(
            text.contains("```rm -rf build &amp;&amp; echo done &gt; log```"),
            "{text}"
        );
        assert_eq!(v.as_object().unwrap().len(), 1);
        let r = webhook(&a, WebhookFormat::Ntfy);
        assert!(r.content_type.starts_with("text/plain"));
        let body = String::from_utf8(r.body).unwrap();
        assert!(
            body.starts_with("rm -rf build && echo done > log\n"),
            "{body}"
        );
        assert!(r.headers.contains(&("Priority", "high".into())));
        assert!(
            r.headers
                .iter()
                .any(|(k, v)| *k == "Title" && v.contains("on box"))
        );
    }

    #[test]
    fn header_values_stay_printable_ascii() {
        assert_eq!(header_safe("a\r\nb é"), "a??b ?");
    }
}
