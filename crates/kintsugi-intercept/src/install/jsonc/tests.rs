//! Unit tests of the comment-preserving JSON editor.

use super::*;
use serde_json::json;

const GEMINI: &str = r#"{
  // my theme, keep it
  "theme": "dark", /* inline */
  "hooks": {
    "BeforeTool": [
      {"matcher": "other", "hooks": []}, // someone else's
    ],
  },
}
"#;

#[test]
fn push_keeps_comments_and_trailing_commas() {
    let mut doc = Doc::parse(GEMINI).unwrap();
    doc.push(
        &["hooks", "BeforeTool"],
        &json!({"matcher": "run_shell_command"}),
    )
    .unwrap();
    doc.set(&["hooksConfig", "enabled"], &json!(true), false)
        .unwrap();
    let text = doc.text();
    for kept in ["// my theme, keep it", "/* inline */", "// someone else's"] {
        assert!(text.contains(kept), "{kept} lost:\n{text}");
    }
    let again = Doc::parse(text).unwrap();
    let tools = again
        .get(&[Step::Key("hooks"), Step::Key("BeforeTool")])
        .unwrap();
    assert_eq!(tools[0]["matcher"], "other");
    assert_eq!(tools[1]["matcher"], "run_shell_command");
    assert_eq!(
        again.get(&[Step::Key("hooksConfig"), Step::Key("enabled")]),
        Some(json!(true))
    );
    assert_eq!(again.get(&[Step::Key("theme")]), Some(json!("dark")));
}

#[test]
fn plain_json_stays_plain_json_with_its_layout() {
    let original = "{\n    \"model\": \"opus\"\n}\n";
    let mut doc = Doc::parse(original).unwrap();
    doc.push(&["hooks", "PreToolUse"], &json!({"matcher": "Bash"}))
        .unwrap();
    let v: Value = serde_json::from_str(doc.text()).expect("still strict JSON");
    assert_eq!(v["hooks"]["PreToolUse"][0]["matcher"], "Bash");
    assert!(
        doc.text()
            .starts_with("{\n    \"model\": \"opus\",\n    \"hooks\""),
        "{}",
        doc.text()
    );
    let mut doc = Doc::parse("").unwrap();
    doc.set(&["version"], &json!(1), true).unwrap();
    doc.set(&["version"], &json!(2), true).unwrap();
    let v: Value = serde_json::from_str(doc.text()).unwrap();
    assert_eq!(v, json!({"version": 1}));
}

#[test]
fn remove_item_takes_out_exactly_the_item() {
    let text = "{\"a\": [\n  1, // one\n  // about two\n  2,\n  3\n]}";
    let mut doc = Doc::parse(text).unwrap();
    doc.remove(&[Step::Key("a"), Step::Index(0)]).unwrap();
    assert_eq!(
        doc.text(),
        "{\"a\": [\n  // about two\n  2,\n  3\n]}",
        "first"
    );
    doc.remove(&[Step::Key("a"), Step::Index(1)]).unwrap();
    assert_eq!(doc.text(), "{\"a\": [\n  // about two\n  2\n]}", "last");
    doc.remove(&[Step::Key("a"), Step::Index(0)]).unwrap();
    assert_eq!(doc.get(&[Step::Key("a")]), Some(json!([])));
    assert!(doc.text().contains("// about two"), "{}", doc.text());
    let mut doc = Doc::parse("{\"a\": [7]}").unwrap();
    doc.remove(&[Step::Key("a"), Step::Index(0)]).unwrap();
    assert_eq!(doc.text(), "{\"a\": []}");
}

#[test]
fn bad_input_is_a_clear_error_with_a_line() {
    for (text, says) in [
        ("{\"a\": 1,,}", "expected a \"key\""),
        ("{\"a\": /* never closed", "unclosed /* comment"),
        ("{\"a\": tru}", "`tru` is not a JSON value"),
        ("[1, 2]", "top level is not a JSON object"),
        ("{\"a\": 1} extra", "text after the end"),
        ("{\n\"a\" 1}", "expected `:` after \"a\" (line 2)"),
    ] {
        let e = Doc::parse(text).unwrap_err();
        assert!(e.contains(says), "{text}: {e}");
    }
    let mut doc = Doc::parse("{\"hooks\": 3}").unwrap();
    let e = doc.push(&["hooks", "X"], &json!(1)).unwrap_err();
    assert!(e.contains("`hooks` is not an object"), "{e}");
}

#[test]
fn removing_a_last_item_keeps_the_list_valid_in_every_layout() {
    for (text, want) in [
        ("{\"a\": [\n  1,\n  2\n]}", "{\"a\": [\n  1\n]}"),
        ("{\"a\": [\n  1,\n  2,\n]}", "{\"a\": [\n  1,\n]}"),
        ("{\"a\": [\n  1,\n  2]}", "{\"a\": [\n  1]}"),
        ("{\"a\": [\n  1,\n  2, ]}", "{\"a\": [\n  1, ]}"),
        ("{\"a\": [1, 2]}", "{\"a\": [1]}"),
    ] {
        let mut doc = Doc::parse(text).unwrap();
        doc.remove(&[Step::Key("a"), Step::Index(1)]).unwrap();
        assert_eq!(doc.text(), want, "from {text:?}");
        assert_eq!(doc.get(&[Step::Key("a")]), Some(json!([1])));
    }
}

#[test]
fn mangled_input_is_an_error_never_a_panic() {
    // Every truncation and a spread of byte edits of a config with comments,
    // strings with escapes and multi-byte characters.
    let base = "{\n  // é \"quoted\" ü\n  \"k\\\"é\": [1, 2.5e3, true, null, {\"x\": \"ü\\\\\"}], /* c */\n}\n";
    assert!(Doc::parse(base).is_ok(), "the base parses");
    for cut in 0..=base.len() {
        if base.is_char_boundary(cut) {
            let _ = Doc::parse(&base[..cut]);
        }
    }
    let mut seed = 0x2545_f491_u64;
    let bytes = base.as_bytes();
    for _ in 0..2000 {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let at = (seed >> 33) as usize % bytes.len();
        let with = [b'"', b'\\', b'/', b'*', b',', b'{', b']', b'\n'][(seed >> 20) as usize % 8];
        let mut edited = bytes.to_vec();
        edited[at] = with;
        if let Ok(text) = String::from_utf8(edited)
            && let Ok(mut doc) = Doc::parse(&text)
        {
            let _ = doc.push(&["hooks", "X"], &json!({"a": 1}));
        }
    }
}
