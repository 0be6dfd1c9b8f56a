//! Reading the hook payload: a size cap on stdin, and a loose search for
//! `"command": "…"` in text that is not the JSON we expected, so a malformed
//! payload can still have its command classified (and a catastrophic one
//! blocked) instead of being waved through.

use std::io::Read;

/// Largest payload read from stdin. Real payloads are a few KB; past this the
/// hook refuses to parse rather than buffer without bound.
pub const MAX_PAYLOAD_BYTES: usize = 4 * 1024 * 1024;

/// Most bytes discarded after an oversized payload.
const DRAIN_LIMIT: u64 = 64 * 1024 * 1024;

/// Most candidate commands the loose search returns.
const MAX_CANDIDATES: usize = 16;

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
