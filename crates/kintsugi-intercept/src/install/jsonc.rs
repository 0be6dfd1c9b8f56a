//! Edits of JSON config files that leave everything they do not touch byte
//! for byte: comments (`//` and `/* */`, which Gemini CLI and Qwen Code
//! accept in `settings.json`), trailing commas, key order and indentation.
//! `kintsugi init` uses it to add and remove its hook entries.
//!
//! The document is parsed into a tree of byte spans; every edit splices the
//! text and parses again, so spans never go stale. Inserted values are
//! pretty-printed and indented like their new neighbours.

use parse::{Parser, skip_ws};
use serde_json::{Map, Value};

/// One step of a path into the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

#[derive(Debug)]
pub(crate) enum Kind {
    /// Members as (key, where the key's quote starts, value).
    Object(Vec<(String, usize, Node)>),
    Array(Vec<Node>),
    Scalar,
}

/// A value and the byte range `[start, end)` of its text.
#[derive(Debug)]
pub(crate) struct Node {
    start: usize,
    end: usize,
    kind: Kind,
}

/// A JSON (with comments) document being edited.
#[derive(Debug)]
pub struct Doc {
    text: String,
    root: Node,
}

impl Doc {
    /// Parse `text`; an empty (or blank) file is an empty object.
    pub fn parse(text: &str) -> Result<Doc, String> {
        let text = if text.trim().is_empty() {
            "{}\n".to_string()
        } else {
            text.to_string()
        };
        let root = Parser::new(&text).document()?;
        if !matches!(root.kind, Kind::Object(_)) {
            return Err("the top level is not a JSON object".into());
        }
        Ok(Doc { text, root })
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// The value at `path`, comments dropped.
    pub fn get(&self, path: &[Step]) -> Option<Value> {
        self.node(path).map(|n| self.value(n))
    }

    /// Append `value` to the array at `path` (a key path), creating the
    /// objects and the array on the way when they are missing.
    pub fn push(&mut self, path: &[&str], value: &Value) -> Result<(), String> {
        let (last, parents) = path.split_last().ok_or("an empty path")?;
        self.ensure_objects(parents)?;
        let steps = keys(parents);
        if self.member(&steps, last).is_none() {
            return self.insert_member(&steps, last, &Value::Array(vec![value.clone()]));
        }
        let mut full = steps.clone();
        full.push(Step::Key(last));
        let node = self.node(&full).expect("the member exists");
        let Kind::Array(items) = &node.kind else {
            return Err(format!("`{}` is not an array", path.join(".")));
        };
        let at = match items.last() {
            Some(item) => self.after_last(item.end),
            None => Insert::Empty { open: node.start },
        };
        let indent = node_indent(&self.text, node, items.first().map(|n| n.start));
        self.splice_in(at, &indent, None, value)
    }

    /// Set the member at `path` (a key path) to `value`, creating the
    /// objects on the way; `only_if_missing` leaves an existing one alone.
    pub fn set(
        &mut self,
        path: &[&str],
        value: &Value,
        only_if_missing: bool,
    ) -> Result<(), String> {
        let (last, parents) = path.split_last().ok_or("an empty path")?;
        self.ensure_objects(parents)?;
        let steps = keys(parents);
        match self.member(&steps, last) {
            None => self.insert_member(&steps, last, value),
            Some(_) if only_if_missing => Ok(()),
            Some((start, end)) => {
                let indent = line_indent(&self.text, start);
                let pretty = pretty(value, &indent);
                self.replace(start, end, &pretty)
            }
        }
    }

    /// Remove the array item or object member at `path`, with its comma.
    pub fn remove(&mut self, path: &[Step]) -> Result<(), String> {
        let (last, parent) = path.split_last().ok_or("an empty path")?;
        let node = self.node(parent).ok_or("no such array or object")?;
        // Each element's span: an item, or a member from its key on.
        let items: Vec<Span> = match (&node.kind, last) {
            (Kind::Array(items), Step::Index(_)) => items
                .iter()
                .map(|n| Span {
                    start: n.start,
                    end: n.end,
                })
                .collect(),
            (Kind::Object(members), Step::Key(_)) => members
                .iter()
                .map(|(_, key_start, n)| Span {
                    start: *key_start,
                    end: n.end,
                })
                .collect(),
            _ => return Err("the path's last step does not fit its container".into()),
        };
        let i = match last {
            Step::Index(i) => *i,
            Step::Key(k) => match &node.kind {
                Kind::Object(members) => members
                    .iter()
                    .position(|(key, _, _)| key == k)
                    .ok_or("no such member")?,
                _ => unreachable!("matched above"),
            },
        };
        let i = &i;
        let item = items.get(*i).ok_or("no such item")?;
        let b = self.text.as_bytes();
        let (start, end) = if let Some(next) = items.get(i + 1) {
            // The item, its comma, and its line when nothing else is on it.
            let comma = skip_blank(b, item.end);
            let line_start = self.text[..item.start].rfind('\n').map_or(0, |n| n + 1);
            let alone = self.text[line_start..item.start].trim().is_empty();
            let mut end = comma + 1;
            if alone {
                // A comment on the item's own line goes with it.
                end = end_of_line_comment(b, end);
                while end < next.start && matches!(b[end], b' ' | b'\t' | b'\r') {
                    end += 1;
                }
                if b.get(end) == Some(&b'\n') {
                    end += 1;
                }
            }
            (if alone { line_start } else { item.start }, end)
        } else if let Some(prev) = i.checked_sub(1).map(|p| &items[p]) {
            // The last one. On a line of its own: take the line (with its
            // own trailing comma and comment), and the previous item's
            // comma unless the list keeps trailing commas. Else from the
            // previous item's comma to the item's end.
            let prev_comma = skip_blank(b, prev.end);
            let line_start = self.text[..item.start].rfind('\n').map_or(0, |n| n + 1);
            if line_start <= prev_comma || !self.text[line_start..item.start].trim().is_empty() {
                return self.replace(prev_comma, item.end, "");
            }
            let after = skip_blank(b, item.end);
            let own_comma = b.get(after) == Some(&b',');
            let mut end = end_of_line_comment(b, if own_comma { after + 1 } else { item.end });
            while matches!(b.get(end), Some(b' ' | b'\t' | b'\r')) {
                end += 1;
            }
            let mut start = line_start;
            if b.get(end) == Some(&b'\n') {
                end += 1;
            } else {
                // Something (a closing bracket) follows on the line: take
                // the line break before the item instead.
                start = self.text[..line_start].trim_end().len();
                end = if own_comma { after + 1 } else { item.end };
            }
            let mut text = self.text.clone();
            text.replace_range(start..end, "");
            if !own_comma {
                text.remove(prev_comma);
            }
            return self.reparse(text);
        } else {
            // The only one: empty the brackets unless a comment is inside.
            let inside = &self.text[node.start + 1..node.end - 1];
            if inside.contains("//") || inside.contains("/*") {
                (item.start, item.end)
            } else {
                (node.start + 1, node.end - 1)
            }
        };
        self.replace(start, end, "")
    }

    fn node(&self, path: &[Step]) -> Option<&Node> {
        let mut node = &self.root;
        for step in path {
            node = match (&node.kind, step) {
                (Kind::Object(members), Step::Key(k)) => {
                    &members.iter().find(|(key, _, _)| key == k)?.2
                }
                (Kind::Array(items), Step::Index(i)) => items.get(*i)?,
                _ => return None,
            };
        }
        Some(node)
    }

    /// The span of member `key` of the object at `path`, if present.
    fn member(&self, path: &[Step], key: &str) -> Option<(usize, usize)> {
        let Kind::Object(members) = &self.node(path)?.kind else {
            return None;
        };
        members
            .iter()
            .find(|(k, _, _)| k == key)
            .map(|(_, _, n)| (n.start, n.end))
    }

    fn value(&self, node: &Node) -> Value {
        match &node.kind {
            Kind::Object(members) => Value::Object(
                members
                    .iter()
                    .map(|(k, _, n)| (k.clone(), self.value(n)))
                    .collect::<Map<_, _>>(),
            ),
            Kind::Array(items) => Value::Array(items.iter().map(|n| self.value(n)).collect()),
            Kind::Scalar => {
                serde_json::from_str(&self.text[node.start..node.end]).unwrap_or(Value::Null)
            }
        }
    }

    fn ensure_objects(&mut self, path: &[&str]) -> Result<(), String> {
        for depth in 0..path.len() {
            let steps = keys(&path[..depth]);
            let key = path[depth];
            if self.member(&steps, key).is_none() {
                self.insert_member(&steps, key, &Value::Object(Map::new()))?;
            }
            let mut full = steps;
            full.push(Step::Key(key));
            if !matches!(self.node(&full).map(|n| &n.kind), Some(Kind::Object(_))) {
                return Err(format!("`{}` is not an object", path[..=depth].join(".")));
            }
        }
        Ok(())
    }

    fn insert_member(&mut self, path: &[Step], key: &str, value: &Value) -> Result<(), String> {
        let node = self.node(path).ok_or("no such object")?;
        let Kind::Object(members) = &node.kind else {
            return Err("not an object".into());
        };
        let at = match members.last() {
            Some((_, _, last)) => self.after_last(last.end),
            None => Insert::Empty { open: node.start },
        };
        let first = members.first().map(|(_, key_start, _)| *key_start);
        let indent = node_indent(&self.text, node, first);
        self.splice_in(at, &indent, Some(key), value)
    }

    /// Where a new last element goes after the element ending at `end`.
    fn after_last(&self, end: usize) -> Insert {
        let b = self.text.as_bytes();
        let next = skip_blank(b, end);
        if b.get(next) == Some(&b',') {
            // A trailing comma already: the new element goes after it.
            return Insert::AfterComma {
                at: end_of_line_comment(b, next + 1),
            };
        }
        Insert::AfterValue {
            comma_at: end,
            at: end_of_line_comment(b, end),
        }
    }

    fn splice_in(
        &mut self,
        at: Insert,
        indent: &str,
        key: Option<&str>,
        value: &Value,
    ) -> Result<(), String> {
        let body = match key {
            Some(k) => format!("{}: {}", Value::String(k.into()), pretty(value, indent)),
            None => pretty(value, indent),
        };
        let mut text = self.text.clone();
        match at {
            Insert::AfterValue { comma_at, at } => {
                text.insert_str(at, &format!("\n{indent}{body}"));
                text.insert(comma_at, ',');
            }
            Insert::AfterComma { at } => text.insert_str(at, &format!("\n{indent}{body},")),
            Insert::Empty { open } => {
                let close = line_indent(&text, open);
                // `{}` or `{ }`: put the member between the brackets.
                let inner_end = skip_ws(text.as_bytes(), open + 1);
                text.replace_range(open + 1..inner_end, &format!("\n{indent}{body}\n{close}"));
            }
        }
        self.reparse(text)
    }

    fn replace(&mut self, start: usize, end: usize, with: &str) -> Result<(), String> {
        let mut text = self.text.clone();
        text.replace_range(start..end, with);
        self.reparse(text)
    }

    fn reparse(&mut self, text: String) -> Result<(), String> {
        self.root = Parser::new(&text).document()?;
        self.text = text;
        Ok(())
    }
}

/// The text of one element of an array or object.
struct Span {
    start: usize,
    end: usize,
}

enum Insert {
    /// Add a comma at `comma_at`, then the element on a new line at `at`.
    AfterValue { comma_at: usize, at: usize },
    /// The previous element has a trailing comma; the element goes at `at`.
    AfterComma { at: usize },
    /// The container opened at `open` has no elements.
    Empty { open: usize },
}

fn keys<'a>(path: &[&'a str]) -> Vec<Step<'a>> {
    path.iter().map(|k| Step::Key(k)).collect()
}

fn pretty(value: &Value, indent: &str) -> String {
    let text = serde_json::to_string_pretty(value).unwrap_or_else(|_| "null".into());
    text.replace('\n', &format!("\n{indent}"))
}

/// The whitespace that starts the line holding byte `at`.
fn line_indent(text: &str, at: usize) -> String {
    let start = text[..at].rfind('\n').map_or(0, |n| n + 1);
    text[start..]
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect()
}

/// The indentation for elements of `node`: that of its first element
/// (starting at byte `first`) when it is on a line of its own, else the container's line plus two spaces.
fn node_indent(text: &str, node: &Node, first: Option<usize>) -> String {
    if let Some(first) = first {
        let line_start = text[..first].rfind('\n').map_or(0, |n| n + 1);
        let before = &text[line_start..first];
        if line_start > node.start && before.trim().is_empty() {
            return before.to_string();
        }
    }
    format!("{}  ", line_indent(text, node.start))
}

/// Past whitespace and comments from `i` in a document that parsed (so
/// every comment is closed).
fn skip_blank(b: &[u8], i: usize) -> usize {
    parse::skip_blank(b, i).unwrap_or(b.len())
}

/// Past spaces and a comment that end the line holding `i`, so that a new
/// element does not land between a value and its comment.
fn end_of_line_comment(b: &[u8], mut i: usize) -> usize {
    let mut j = i;
    while j < b.len() && (b[j] == b' ' || b[j] == b'\t') {
        j += 1;
    }
    if b[j..].starts_with(b"//") {
        while j < b.len() && b[j] != b'\n' {
            j += 1;
        }
        i = j;
    } else if b[j..].starts_with(b"/*") {
        let close = b[j + 2..].windows(2).position(|w| w == b"*/");
        if let Some(p) = close {
            let end = j + 2 + p + 2;
            if !b[j..end].contains(&b'\n') {
                i = end;
            }
        }
    }
    i
}

mod parse;

#[cfg(test)]
mod tests;
