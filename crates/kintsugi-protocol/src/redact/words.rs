//! A forgiving shell word splitter for redaction. It never fails: it keeps
//! the unquoted text of each word together with the byte offset, in the
//! source line, of every byte of that text, so a secret found in the
//! unquoted text can be blanked in the verbatim line while quotes, spacing
//! and everything around it stay as they were.
//!
//! It also notes what the redaction rules need about the shape of the line:
//! which words start a command after a pipe, which word is a here-string
//! (`<<< WORD`), and where each here-document body lies (bodies are not
//! split into words here; the caller searches them as lines of their own).

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
    /// The separator before this word was a pipe (`|` or `|&`): its command
    /// reads what the previous command writes.
    pub after_pipe: bool,
    /// This word follows `<<<`: it is fed to its command's standard input.
    pub herestring: bool,
}

/// A here-document: the body's byte range in the source and the index of
/// its delimiter word (a word of the command that reads the body).
#[derive(Debug, Clone)]
pub(super) struct HereDoc {
    pub delimiter_word: usize,
    pub body: std::ops::Range<usize>,
}

impl Word {
    /// A word whose text is the whole source string (an argv element).
    pub fn verbatim(src: usize, text: &str, starts_command: bool) -> Word {
        Word {
            src,
            text: text.to_string(),
            pos: (0..text.len()).collect(),
            starts_command,
            after_pipe: false,
            herestring: false,
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
    pipe: bool,
    herestring: bool,
    /// Here-documents whose bodies start after the next newline: (index of
    /// the delimiter word, strip leading tabs).
    pending: Vec<(usize, bool)>,
    heredocs: Vec<HereDoc>,
}

impl Splitter {
    fn push(&mut self, c: char, at: usize) {
        let (boundary, pipe, herestring) = (self.boundary, self.pipe, self.herestring);
        let w = self.cur.get_or_insert_with(|| Word {
            src: 0,
            text: String::new(),
            pos: Vec::new(),
            starts_command: boundary,
            after_pipe: pipe,
            herestring,
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
            self.pipe = false;
            self.herestring = false;
        }
    }
    fn separator(&mut self, pipe: bool) {
        self.finish();
        self.boundary = true;
        self.pipe = pipe;
        self.herestring = false;
    }
    /// At an unquoted newline: the bodies of the pending here-documents
    /// follow, one after the other. Returns where splitting resumes.
    fn heredoc_bodies(&mut self, line: &str, mut at: usize) -> usize {
        for (word, strip) in std::mem::take(&mut self.pending) {
            let Some(delim) = self.words.get(word).map(|w| w.text.clone()) else {
                continue;
            };
            let start = at;
            let mut end = line.len();
            let mut resume = line.len();
            let mut l = at;
            while l < line.len() {
                let e = line[l..].find('\n').map_or(line.len(), |i| l + i);
                let text = &line[l..e];
                let text = if strip {
                    text.trim_start_matches('\t')
                } else {
                    text
                };
                if text == delim {
                    end = l;
                    resume = (e + 1).min(line.len());
                    break;
                }
                l = e + 1;
            }
            self.heredocs.push(HereDoc {
                delimiter_word: word,
                body: start..end.max(start),
            });
            at = resume;
        }
        at
    }
}

/// The words of a line and its here-document bodies.
pub(super) struct Split {
    pub words: Vec<Word>,
    pub heredocs: Vec<HereDoc>,
}

/// Split `line` into words. Unbalanced quotes simply run to the end.
#[cfg(test)]
pub(super) fn split(line: &str) -> Vec<Word> {
    split_line(line).words
}

/// Split `line` into words and here-document bodies.
pub(super) fn split_line(line: &str) -> Split {
    let mut s = Splitter {
        words: Vec::new(),
        cur: None,
        boundary: true,
        pipe: false,
        herestring: false,
        pending: Vec::new(),
        heredocs: Vec::new(),
    };
    let mut quote = Quote::None;
    let mut chars = line.char_indices().peekable();
    let mut skip_to = 0;
    while let Some((i, c)) = chars.next() {
        if i < skip_to {
            continue;
        }
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
                '\n' => {
                    s.separator(false);
                    if !s.pending.is_empty() {
                        skip_to = s.heredoc_bodies(line, i + 1);
                    }
                }
                '|' => {
                    let pipe = match chars.peek() {
                        Some(&(_, '|')) => {
                            chars.next();
                            false
                        }
                        Some(&(_, '&')) => {
                            chars.next();
                            true
                        }
                        _ => true,
                    };
                    s.separator(pipe);
                }
                ';' | '&' | '(' | ')' | '`' => s.separator(false),
                '<' if chars.peek().map(|&(_, n)| n) == Some('<') => {
                    chars.next();
                    s.finish();
                    if chars.peek().map(|&(_, n)| n) == Some('<') {
                        chars.next();
                        s.herestring = true;
                    } else {
                        let strip = chars.peek().map(|&(_, n)| n) == Some('-');
                        if strip {
                            chars.next();
                        }
                        s.pending.push((s.words.len(), strip));
                    }
                }
                '<' | '>' => s.finish(),
                c if c.is_whitespace() => s.finish(),
                _ => s.push(c, i),
            },
        }
    }
    s.finish();
    Split {
        words: s.words,
        heredocs: s.heredocs,
    }
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
    fn pipes_herestrings_and_heredocs_are_noted() {
        let w = split("echo a | sudo -S x || y |& z");
        let pipes: Vec<bool> = w.iter().map(|w| w.after_pipe).collect();
        assert_eq!(pipes, [false, false, true, false, false, false, true]);
        let w = split("gh auth login --with-token <<< 'tok en'");
        assert_eq!(
            w.last().map(|w| (w.text.as_str(), w.herestring)),
            Some(("tok en", true))
        );
        assert!(!w[0].herestring);
        let line = "psql db <<'EOF' && echo done\nALTER USER x PASSWORD 'p';\nEOF\nls -l";
        let s = split_line(line);
        assert_eq!(s.heredocs.len(), 1);
        assert_eq!(
            &line[s.heredocs[0].body.clone()],
            "ALTER USER x PASSWORD 'p';\n"
        );
        assert_eq!(s.words[s.heredocs[0].delimiter_word].text, "EOF");
        let texts: Vec<&str> = s.words.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(texts, ["psql", "db", "EOF", "echo", "done", "ls", "-l"]);
        // <<- strips leading tabs from the delimiter line; no end runs to the end.
        let line = "cat <<-X\nbody\n\tX\nnext";
        let s = split_line(line);
        assert_eq!(&line[s.heredocs[0].body.clone()], "body\n");
        let s = split_line("cat <<X\nnever ends");
        assert_eq!(s.heredocs[0].body.end, "cat <<X\nnever ends".len());
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
