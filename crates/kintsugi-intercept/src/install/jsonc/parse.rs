//! The parser behind `jsonc`: JSON with `//` and `/* */` comments and
//! trailing commas, into a tree of byte spans. Errors name the line.

use super::{Kind, Node};
use serde_json::Value;

pub(super) struct Parser<'a> {
    b: &'a [u8],
    text: &'a str,
    i: usize,
}

impl<'a> Parser<'a> {
    pub(super) fn new(text: &'a str) -> Parser<'a> {
        Parser {
            b: text.as_bytes(),
            text,
            i: 0,
        }
    }

    pub(super) fn document(mut self) -> Result<Node, String> {
        self.blank()?;
        let node = self.value()?;
        self.blank()?;
        if self.i != self.b.len() {
            return Err(self.error("text after the end of the JSON value"));
        }
        Ok(node)
    }

    fn error(&self, what: &str) -> String {
        let upto = &self.b[..self.i.min(self.b.len())];
        let line = upto.iter().filter(|c| **c == b'\n').count() + 1;
        format!("{what} (line {line})")
    }

    /// Past whitespace and comments; an unclosed `/*` is an error.
    fn blank(&mut self) -> Result<(), String> {
        match skip_blank(self.b, self.i) {
            Ok(i) => {
                self.i = i;
                Ok(())
            }
            Err(at) => {
                self.i = at;
                Err(self.error("an unclosed /* comment"))
            }
        }
    }

    fn value(&mut self) -> Result<Node, String> {
        match self.b.get(self.i) {
            Some(b'{') => self.object(),
            Some(b'[') => self.array(),
            Some(b'"') => {
                let start = self.i;
                self.string()?;
                Ok(Node {
                    start,
                    end: self.i,
                    kind: Kind::Scalar,
                })
            }
            Some(_) => self.scalar(),
            None => Err(self.error("the text ends where a value should be")),
        }
    }

    fn string(&mut self) -> Result<String, String> {
        let start = self.i;
        self.i += 1;
        while let Some(&c) = self.b.get(self.i) {
            match c {
                b'\\' => self.i += 2,
                b'"' => {
                    self.i += 1;
                    return serde_json::from_str(&self.text[start..self.i])
                        .map_err(|e| self.error(&format!("a bad string ({e})")));
                }
                _ => self.i += 1,
            }
        }
        Err(self.error("an unterminated string"))
    }

    fn scalar(&mut self) -> Result<Node, String> {
        let start = self.i;
        while let Some(&c) = self.b.get(self.i) {
            if c.is_ascii_whitespace() || matches!(c, b',' | b']' | b'}' | b'/') {
                break;
            }
            self.i += 1;
        }
        let token = &self.text[start..self.i];
        match serde_json::from_str::<Value>(token) {
            Ok(v) if !v.is_object() && !v.is_array() => Ok(Node {
                start,
                end: self.i,
                kind: Kind::Scalar,
            }),
            _ => {
                self.i = start;
                Err(self.error(&format!(
                    "`{}` is not a JSON value",
                    token.chars().take(20).collect::<String>()
                )))
            }
        }
    }

    fn object(&mut self) -> Result<Node, String> {
        let start = self.i;
        self.i += 1;
        let mut members = Vec::new();
        loop {
            self.blank()?;
            match self.b.get(self.i) {
                Some(b'}') => break,
                Some(b'"') => {}
                _ => return Err(self.error("expected a \"key\" or `}`")),
            }
            let key_start = self.i;
            let key = self.string()?;
            self.blank()?;
            if self.b.get(self.i) != Some(&b':') {
                return Err(self.error(&format!("expected `:` after \"{key}\"")));
            }
            self.i += 1;
            self.blank()?;
            members.push((key, key_start, self.value()?));
            self.blank()?;
            match self.b.get(self.i) {
                Some(b',') => self.i += 1,
                Some(b'}') => break,
                _ => return Err(self.error("expected `,` or `}`")),
            }
        }
        self.i += 1;
        Ok(Node {
            start,
            end: self.i,
            kind: Kind::Object(members),
        })
    }

    fn array(&mut self) -> Result<Node, String> {
        let start = self.i;
        self.i += 1;
        let mut items = Vec::new();
        loop {
            self.blank()?;
            if self.b.get(self.i) == Some(&b']') {
                break;
            }
            items.push(self.value()?);
            self.blank()?;
            match self.b.get(self.i) {
                Some(b',') => self.i += 1,
                Some(b']') => break,
                _ => return Err(self.error("expected `,` or `]`")),
            }
        }
        self.i += 1;
        Ok(Node {
            start,
            end: self.i,
            kind: Kind::Array(items),
        })
    }
}

pub(super) fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && b[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

/// Past whitespace and `//` and `/* */` comments from `i`; `Err` with the
/// position of a `/*` that is never closed.
pub(super) fn skip_blank(b: &[u8], mut i: usize) -> Result<usize, usize> {
    loop {
        i = skip_ws(b, i);
        let rest = &b[i..];
        if rest.starts_with(b"//") {
            i += rest.iter().position(|c| *c == b'\n').unwrap_or(rest.len());
        } else if rest.starts_with(b"/*") {
            match rest[2..].windows(2).position(|w| w == b"*/") {
                Some(p) => i += 2 + p + 2,
                None => return Err(i),
            }
        } else {
            return Ok(i);
        }
    }
}
