//! A small glob matcher for planned paths: `*`, `?` and `[…]` (with `!`/`^`
//! negation and ranges) within one path component, expanded against the
//! real filesystem. Like bash, a leading `.` must be matched explicitly.

use std::path::{Path, PathBuf};

/// Whether `s` contains glob metacharacters.
pub fn has_glob(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

/// Whether one path component `name` matches `pattern`.
pub fn matches(pattern: &str, name: &str) -> bool {
    if name.starts_with('.') && !pattern.starts_with('.') {
        return false;
    }
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    match_from(&p, &n)
}

fn match_from(p: &[char], n: &[char]) -> bool {
    // Iterative matcher with single-star backtracking.
    let (mut pi, mut ni) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        if pi < p.len() {
            match p[pi] {
                '*' => {
                    star = Some((pi, ni));
                    pi += 1;
                    continue;
                }
                '?' => {
                    pi += 1;
                    ni += 1;
                    continue;
                }
                '[' => {
                    if let Some((ok, next)) = class(p, pi, n[ni]) {
                        if ok {
                            pi = next;
                            ni += 1;
                            continue;
                        }
                    } else if n[ni] == '[' {
                        pi += 1;
                        ni += 1;
                        continue;
                    }
                }
                '\\' if pi + 1 < p.len() && p[pi + 1] == n[ni] => {
                    pi += 2;
                    ni += 1;
                    continue;
                }
                c if c == n[ni] => {
                    pi += 1;
                    ni += 1;
                    continue;
                }
                _ => {}
            }
        }
        match star {
            Some((sp, sn)) => {
                pi = sp + 1;
                ni = sn + 1;
                star = Some((sp, sn + 1));
            }
            None => return false,
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// Evaluates the bracket expression starting at `p[start] == '['` against
/// `c`. Returns (matched, index after `]`), or `None` when unterminated.
fn class(p: &[char], start: usize, c: char) -> Option<(bool, usize)> {
    let mut i = start + 1;
    let negate = i < p.len() && (p[i] == '!' || p[i] == '^');
    if negate {
        i += 1;
    }
    let mut hit = false;
    let mut first = true;
    while i < p.len() {
        if p[i] == ']' && !first {
            return Some((hit != negate, i + 1));
        }
        first = false;
        if i + 2 < p.len() && p[i + 1] == '-' && p[i + 2] != ']' {
            if p[i] <= c && c <= p[i + 2] {
                hit = true;
            }
            i += 3;
        } else {
            if p[i] == c {
                hit = true;
            }
            i += 1;
        }
    }
    None
}

/// Expands an absolute pattern against the filesystem, component by
/// component. Returns matches sorted; a pattern without metacharacters is
/// returned as is (whether or not it exists). At most `limit` matches.
pub fn expand(pattern: &Path, limit: usize) -> Vec<PathBuf> {
    let text = pattern.to_string_lossy();
    if !has_glob(&text) {
        return vec![pattern.to_path_buf()];
    }
    let mut current = vec![PathBuf::from("/")];
    for comp in pattern
        .components()
        .skip_while(|c| matches!(c, std::path::Component::RootDir))
    {
        let comp = comp.as_os_str().to_string_lossy();
        let mut next = Vec::new();
        for base in &current {
            if has_glob(&comp) {
                let Ok(rd) = std::fs::read_dir(base) else {
                    continue;
                };
                let mut names: Vec<String> = rd
                    .flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| matches(&comp, n))
                    .collect();
                names.sort();
                next.extend(names.into_iter().map(|n| base.join(n)));
            } else {
                let p = base.join(comp.as_ref());
                if p.symlink_metadata().is_ok() {
                    next.push(p);
                }
            }
            if next.len() >= limit {
                next.truncate(limit);
                break;
            }
        }
        current = next;
        if current.is_empty() {
            break;
        }
    }
    current
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components() {
        assert!(matches("*.rs", "lib.rs"));
        assert!(!matches("*.rs", ".hidden.rs"));
        assert!(matches(".*", ".env"));
        assert!(matches("a?c", "abc"));
        assert!(!matches("a?c", "ac"));
        assert!(matches("[a-c]x", "bx"));
        assert!(!matches("[!a-c]x", "bx"));
        assert!(matches("[]]", "]"));
        assert!(matches("*a*b*", "xxaYYbzz"));
        assert!(!matches("*a*b", "xxaYYbzz"));
        assert!(matches("[", "["));
        assert!(matches("*", "anything"));
        assert!(!matches("*.pem", "key.pem.bak"));
    }

    #[test]
    fn expands_on_disk() {
        let d = tempfile::tempdir().unwrap();
        for n in ["a.log", "b.log", "c.txt"] {
            std::fs::write(d.path().join(n), "x").unwrap();
        }
        std::fs::create_dir(d.path().join("sub")).unwrap();
        std::fs::write(d.path().join("sub/d.log"), "x").unwrap();
        let got = expand(&d.path().join("*.log"), 100);
        assert_eq!(got, vec![d.path().join("a.log"), d.path().join("b.log")]);
        let got = expand(&d.path().join("s*/*.log"), 100);
        assert_eq!(got, vec![d.path().join("sub/d.log")]);
        assert!(expand(&d.path().join("*.none"), 100).is_empty());
    }
}
