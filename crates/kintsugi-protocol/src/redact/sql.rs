//! Passwords written as SQL, wherever they sit in a line (a `-c`/`-e`
//! argument, a here-string, a here-document body fed to `psql` or
//! `mysql`): `PASSWORD 'PW'`, `PASSWORD = 'PW'`, `PASSWORD('PW')`, `WITH
//! PASSWORD = N'PW'`, `IDENTIFIED BY 'PW'`, `IDENTIFIED WITH plugin BY
//! 'PW'` and Oracle's unquoted `IDENTIFIED BY PW`. The text is scanned as
//! it is (quotes are SQL's here, not the shell's).

use std::ops::Range;

fn word_at(lower: &str, i: usize, word: &str) -> bool {
    let b = lower.as_bytes();
    lower[i..].starts_with(word)
        && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_'))
        && b.get(i + word.len())
            .is_none_or(|c| !(c.is_ascii_alphanumeric() || *c == b'_'))
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && b[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

/// A quoted literal starting at `i` (optionally `N'…'`): its content range.
fn literal(text: &str, i: usize) -> Option<Range<usize>> {
    let b = text.as_bytes();
    let mut i = i;
    if i < b.len() && (b[i] == b'N' || b[i] == b'n') && matches!(b.get(i + 1), Some(b'\'')) {
        i += 1;
    }
    let q = *b.get(i)?;
    if q != b'\'' && q != b'"' {
        return None;
    }
    let end = text[i + 1..]
        .find(q as char)
        .map_or(text.len(), |e| i + 1 + e);
    (end > i + 1).then_some(i + 1..end)
}

/// Secret ranges of SQL password literals in `text`.
pub(super) fn sql_passwords(text: &str) -> Vec<Range<usize>> {
    let lower = text.to_ascii_lowercase();
    let b = text.as_bytes();
    let mut out = Vec::new();
    for (i, _) in lower.match_indices("password") {
        // A JSON key (`"password":`) is not SQL; the scan handles it.
        if !word_at(&lower, i, "password") || (i > 0 && matches!(b[i - 1], b'"' | b'\'')) {
            continue;
        }
        let mut j = skip_ws(b, i + 8);
        // `SET PASSWORD FOR 'u'@'h' = …`: the account comes first.
        if word_at(&lower, j, "for") {
            let stop = text[j..].find([';', '\n']).map_or(text.len(), |e| j + e);
            match text[j..stop].find('=') {
                Some(eq) => j += eq,
                None => continue,
            }
        }
        if j < b.len() && b[j] == b'=' {
            j = skip_ws(b, j + 1);
        }
        if j < b.len() && b[j] == b'(' {
            j = skip_ws(b, j + 1);
        }
        if j > i + 8
            && let Some(r) = literal(text, j)
        {
            out.push(r);
        }
    }
    for (i, _) in lower.match_indices("identified") {
        if !word_at(&lower, i, "identified") {
            continue;
        }
        let mut j = skip_ws(b, i + 10);
        if word_at(&lower, j, "with") {
            // `WITH plugin [BY|AS] …`
            j = skip_ws(b, j + 4);
            while j < b.len() && !b[j].is_ascii_whitespace() && b[j] != b';' {
                j += 1;
            }
            j = skip_ws(b, j);
        }
        if !(word_at(&lower, j, "by") || word_at(&lower, j, "as")) {
            continue;
        }
        j = skip_ws(b, j + 2);
        if word_at(&lower, j, "password") || word_at(&lower, j, "values") {
            continue;
        }
        if let Some(r) = literal(text, j) {
            out.push(r);
        } else {
            let end = text[j..]
                .find(|c: char| c.is_whitespace() || c == ';' || c == '\'' || c == '"')
                .map_or(text.len(), |e| j + e);
            if end > j {
                out.push(j..end);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blank(text: &str) -> Vec<&str> {
        sql_passwords(text).into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn sql_literals_are_found() {
        assert_eq!(blank("ALTER USER x PASSWORD 'p1';"), ["p1"]);
        assert_eq!(blank("create role r login encrypted password 'p2'"), ["p2"]);
        assert_eq!(blank("SET PASSWORD FOR u = PASSWORD('p3')"), ["p3"]);
        assert_eq!(blank("SET PASSWORD = 'p4'"), ["p4"]);
        assert_eq!(blank("SET PASSWORD FOR 'u'@'h' = 'p4b';"), ["p4b"]);
        assert_eq!(blank("CREATE LOGIN l WITH PASSWORD = N'p5'"), ["p5"]);
        assert_eq!(blank("CREATE USER u IDENTIFIED BY 'p6'"), ["p6"]);
        assert_eq!(
            blank("CREATE USER u IDENTIFIED WITH caching_sha2_password BY 'p7'"),
            ["p7"]
        );
        assert_eq!(blank("alter user scott identified by tiger8;"), ["tiger8"]);
        assert!(blank("SELECT password_hash FROM users; -- password reset").is_empty());
        assert!(blank("ALTER USER u PASSWORD NULL").is_empty());
    }
}
