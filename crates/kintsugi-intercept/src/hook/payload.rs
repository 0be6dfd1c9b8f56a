//! Reading the hook payload: a size cap on stdin, the check that the bytes
//! are UTF-8 JSON text (not empty, UTF-16 or binary), and a loose search for
//! `"command": "…"` in text that is not the JSON we expected, so the block
//! of a malformed payload can name the command it seems to carry.

use std::io::Read;

/// Largest payload read from stdin. Real payloads are a few KB; past this the
/// hook refuses to parse rather than buffer without bound.
pub const MAX_PAYLOAD_BYTES: usize = 4 * 1024 * 1024;

/// Most bytes discarded after an oversized payload.
const DRAIN_LIMIT: u64 = 64 * 1024 * 1024;

/// Most candidate commands the loose search returns.
const MAX_CANDIDATES: usize = 16;

/// Most commands found in an unreadable payload that its block reason names.
pub const MAX_QUOTED_COMMANDS: usize = 3;

/// Longest command (in characters) a block reason quotes; the rest is cut
/// with `…` (the reason goes to the model and the user, not a 4 MiB line).
pub const MAX_QUOTED_CHARS: usize = 200;

/// Read all of `input`, at most [`MAX_PAYLOAD_BYTES`]. On error the bytes
/// read so far come back with the message.
pub(crate) fn read_capped(input: &mut dyn Read) -> Result<Vec<u8>, (Vec<u8>, String)> {
    let mut buf = Vec::new();
    let limit = MAX_PAYLOAD_BYTES as u64 + 1;
    match input.take(limit).read_to_end(&mut buf) {
        Err(e) => Err((buf, format!("reading stdin failed: {e}"))),
        Ok(_) if buf.len() > MAX_PAYLOAD_BYTES => {
            buf.truncate(MAX_PAYLOAD_BYTES);
            // Drain (a bounded amount of) the rest so the agent's write does
            // not fail with a broken pipe before it reads our answer.
            let _ = std::io::copy(&mut input.take(DRAIN_LIMIT), &mut std::io::sink());
            Err((
                buf,
                format!(
                    "the payload is larger than {} MiB; a hook payload is one small JSON object",
                    MAX_PAYLOAD_BYTES / (1024 * 1024)
                ),
            ))
        }
        Ok(_) => Ok(buf),
    }
}

/// The UTF-8 byte order mark, which Cursor sends before its JSON.
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// The payload's bytes as JSON text, or why they are not: empty, UTF-16 or
/// UTF-32 (with or without a byte order mark), NUL bytes, or not UTF-8. A
/// UTF-8 byte order mark is dropped. Whether the text is JSON is left to
/// the parser.
pub(crate) fn json_text(bytes: &[u8]) -> Result<&str, String> {
    const ASK: &str = "a hook payload must be one JSON object in UTF-8";
    let body = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(format!("the payload is empty; {ASK}"));
    }
    if body.starts_with(b"\xFF\xFE") || body.starts_with(b"\xFE\xFF") {
        return Err(format!(
            "the payload is UTF-16 or UTF-32 (it starts with a byte order mark); {ASK}"
        ));
    }
    if body.contains(&0) {
        return Err(format!(
            "the payload contains NUL bytes (UTF-16 text or binary data); {ASK}"
        ));
    }
    std::str::from_utf8(body).map_err(|e| {
        format!(
            "the payload is not UTF-8 text (invalid byte at offset {}); {ASK}",
            e.valid_up_to() + (bytes.len() - body.len())
        )
    })
}

/// `text` cut to [`MAX_QUOTED_CHARS`] characters, with `…` when cut.
pub(crate) fn clip(text: &str) -> String {
    match text.char_indices().nth(MAX_QUOTED_CHARS) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

/// Every string value of a `"command"` or `"cmd"` key found in `text`, also
/// inside JSON-encoded strings (`\"command\":\"…\"`), decoded. Nothing here
/// needs the text to be valid JSON as a whole.
pub(crate) fn loose_commands(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    scan(text, &mut found);
    if found.is_empty() && text.contains("\\\"") {
        // A JSON document carried inside a JSON string (Copilot's `toolArgs`):
        // undo one level of escaping and look again.
        let unescaped = text.replace("\\\\", "\u{1}").replace("\\\"", "\"");
        let unescaped = unescaped.replace('\u{1}', "\\");
        scan(&unescaped, &mut found);
    }
    found
}

fn scan(text: &str, found: &mut Vec<String>) {
    for key in ["\"command\"", "\"cmd\""] {
        let mut from = 0;
        while let Some(at) = text[from..].find(key) {
            let after = from + at + key.len();
            from = after;
            if let Some(value) = string_after_colon(&text[after..])
                && !value.trim().is_empty()
                && !found.contains(&value)
            {
                found.push(value);
                if found.len() >= MAX_CANDIDATES {
                    return;
                }
            }
        }
    }
}

/// `  :  "…"` at the start of `rest` → the decoded string.
fn string_after_colon(rest: &str) -> Option<String> {
    let rest = rest.trim_start().strip_prefix(':')?.trim_start();
    if !rest.starts_with('"') {
        return None;
    }
    let bytes = rest.as_bytes();
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return serde_json::from_str::<String>(&rest[..=i]).ok(),
            _ => i += 1,
        }
    }
    // Unterminated (e.g. a truncated payload): take what is there, raw.
    let tail = &rest[1..];
    (!tail.is_empty()).then(|| tail.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_the_payload() {
        let big = vec![b'x'; MAX_PAYLOAD_BYTES + 10];
        let (kept, err) = read_capped(&mut big.as_slice()).unwrap_err();
        assert_eq!(kept.len(), MAX_PAYLOAD_BYTES);
        assert!(err.contains("larger than 4 MiB"), "{err}");
        assert_eq!(read_capped(&mut &b"{}"[..]).unwrap(), b"{}");
    }

    #[test]
    fn json_text_accepts_utf8_with_or_without_a_bom() {
        assert_eq!(json_text(b"{\"a\":1}").unwrap(), "{\"a\":1}");
        assert_eq!(json_text(b"\xEF\xBB\xBF{}").unwrap(), "{}");
        assert_eq!(
            json_text("{\"c\":\"caf\u{e9}\"}".as_bytes()).unwrap(),
            "{\"c\":\"caf\u{e9}\"}"
        );
    }

    #[test]
    fn json_text_refuses_what_is_not_utf8_json_text() {
        let utf16 = |bom: &[u8], le: bool| {
            let mut v = bom.to_vec();
            for u in "{\"command\":\"ls\"}".encode_utf16() {
                v.extend(if le { u.to_le_bytes() } else { u.to_be_bytes() });
            }
            v
        };
        for (bytes, word) in [
            (Vec::new(), "empty"),
            (b" \n\t".to_vec(), "empty"),
            (b"\xEF\xBB\xBF".to_vec(), "empty"),
            (utf16(b"\xFF\xFE", true), "byte order mark"),
            (utf16(b"\xFE\xFF", false), "byte order mark"),
            (utf16(b"", true), "NUL"),
            (utf16(b"", false), "NUL"),
            (vec![0x7b, 0xff, 0xfe, 0x80, 0x7d], "not UTF-8"),
        ] {
            let e = json_text(&bytes).unwrap_err();
            assert!(e.contains(word), "{bytes:?}: {e}");
            assert!(e.contains("one JSON object in UTF-8"), "{e}");
        }
    }

    #[test]
    fn clip_cuts_long_commands_on_a_character_boundary() {
        assert_eq!(clip("ls"), "ls");
        let long = "é".repeat(MAX_QUOTED_CHARS + 5);
        let cut = clip(&long);
        assert_eq!(cut.chars().count(), MAX_QUOTED_CHARS + 1);
        assert!(cut.ends_with('…'));
    }

    #[test]
    fn finds_commands_in_broken_json() {
        let text = r#"{"tool_name":"Bash","tool_input":{"command":"rm -rf ~", "x": }"#;
        assert_eq!(loose_commands(text), vec!["rm -rf ~".to_string()]);
        let esc = r#"{"command" : "echo \"hi\" && rm -rf /"#;
        assert_eq!(loose_commands(esc), vec![r#"echo \"hi\" && rm -rf /"#]);
        let done = r#"{"command" : "echo \"hi\"", oops"#;
        assert_eq!(loose_commands(done), vec![r#"echo "hi""#]);
    }

    #[test]
    fn finds_commands_inside_encoded_strings() {
        let text = r#"{"toolName":"bash","toolArgs":"{\"command\":\"rm -rf ~\",}"#;
        assert_eq!(loose_commands(text), vec!["rm -rf ~".to_string()]);
    }

    #[test]
    fn ignores_non_string_values() {
        assert!(loose_commands(r#"{"command": 3, "cmd": null}"#).is_empty());
        assert!(loose_commands("not json at all").is_empty());
    }
}
