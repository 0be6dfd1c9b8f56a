//! A forgiving shell word splitter for redaction. It never fails: it keeps
//! the unquoted text of each word together with the byte offset, in the
//! source line, of every byte of that text, so a secret found in the
//! unquoted text can be blanked in the verbatim line while quotes, spacing
//! and everything around it stay as they were.

/// One word: its unquoted text and where each of its bytes sits in the source.
#[derive(Debug, Clone)]
pub(super) struct Word {
    /// Which source string this word came from (0 for a line; the argument
    /// index for an argv).
    pub src: usize,
    /// The word with quotes and escapes removed.
    pub text: String,
    /// `pos[i]` is the source byte offset of `text`'s byte `i`.
    pub pos: Vec<usize>,
    /// A command separator (`;`, `&`, `|`, `(`, `)`, newline, backtick)
    /// precedes this word.
    pub starts_command: bool,
}

impl Word {
    /// A word whose text is the whole source string (an argv element).
    pub fn verbatim(src: usize, text: &str, starts_command: bool) -> Word {
        Word {
            src,
            text: text.to_string(),
            pos: (0..text.len()).collect(),
            starts_command,
        }
    }

    /// The source byte range of the unquoted byte range `start..end`.
    pub fn source_range(&self, start: usize, end: usize) -> Option<(usize, usize)> {
        if start >= end || end > self.pos.len() {
            return None;
        }
        // `pos` has one entry per byte, so the last entry is the last byte.
        Some((self.pos[start], self.pos[end - 1] + 1))
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Quote {
    None,
    Single,
    Double,
}

struct Splitter {
    words: Vec<Word>,
    cur: Option<Word>,
    boundary: bool,
}

impl Splitter {
    fn push(&mut self, c: char, at: usize) {
        let boundary = self.boundary;
        let w = self.cur.get_or_insert_with(|| Word {
            src: 0,
            text: String::new(),
            pos: Vec::new(),
            starts_command: boundary,
        });
        w.text.push(c);
        w.pos.extend(at..at + c.len_utf8());
    }
    fn start(&mut self) {
        if self.cur.is_none() {
            self.push('\0', 0);
            let w = self.cur.as_mut().expect("just pushed");
            w.text.clear();
            w.pos.clear();
        }
    }
    fn finish(&mut self) {
        if let Some(w) = self.cur.take() {
            self.words.push(w);
            self.boundary = false;
        }
    }
    fn separator(&mut self) {
        self.finish();
        self.boundary = true;
    }
}

/// Split `line` into words. Unbalanced quotes simply run to the end.
pub(super) fn split(line: &str) -> Vec<Word> {
    let mut s = Splitter {
        words: Vec::new(),
        cur: None,
        boundary: true,
    };
    let mut quote = Quote::None;
    let mut chars = line.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match quote {
            Quote::Single => {
                if c == '\'' {
                    quote = Quote::None;
                } else {
                    s.push(c, i);
                }
            }
            Quote::Double => match c {
                '"' => quote = Quote::None,
                '\\' => match chars.peek() {
                    Some(&(j, n)) if matches!(n, '"' | '\\' | '$' | '`') => {
                        s.push(n, j);
                        chars.next();
                    }
                    _ => s.push(c, i),
                },
                _ => s.push(c, i),
            },
            Quote::None => match c {
                '\'' => {
                    s.start();
                    quote = Quote::Single;
                }
                '"' => {
                    s.start();
                    quote = Quote::Double;
                }
                '$' if chars.peek().map(|&(_, n)| n) == Some('\'') => {
                    chars.next();
                    s.start();
                    quote = Quote::Single;
                }
                '\\' => {
                    if let Some((j, n)) = chars.next()
                        && n != '\n'
                    {
                        s.push(n, j);
                    }
                }
                ';' | '&' | '|' | '(' | ')' | '\n' | '`' => s.separator(),
                '<' | '>' => s.finish(),
                c if c.is_whitespace() => s.finish(),
                _ => s.push(c, i),
            },
        }
    }
    s.finish();
    s.words
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(line: &str) -> Vec<String> {
        split(line).into_iter().map(|w| w.text).collect()
    }

    #[test]
    fn quotes_and_escapes_are_removed() {
        assert_eq!(
            texts(r#"curl -H "Authorization: Bearer x" 'a b' c\ d"#),
            ["curl", "-H", "Authorization: Bearer x", "a b", "c d"]
        );
        assert_eq!(texts("a=''"), ["a="]);
        assert_eq!(texts("''"), [""]);
    }

    #[test]
    fn separators_mark_command_starts() {
        let w = split("a b; c | d && e");
        let starts: Vec<bool> = w.iter().map(|w| w.starts_command).collect();
        assert_eq!(starts, [true, false, true, true, true]);
    }

    #[test]
    fn positions_point_into_the_source() {
        let line = r#"x --password="p ü" y"#;
        let w = &split(line)[1];
        assert_eq!(w.text, "--password=p ü");
        let (a, b) = w.source_range(11, w.text.len()).unwrap();
        assert_eq!(&line[a..b], "p ü");
    }
}
