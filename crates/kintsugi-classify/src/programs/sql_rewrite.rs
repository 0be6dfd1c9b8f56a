//! SQL rewritten on its way from one client to another: a pipeline stage
//! between a dump and a database client (`pg_dump … | sed … | psql`) that
//! adds a destroying statement (`s/^/DROP TABLE t;/`, `1i TRUNCATE t;`,
//! awk's `print "DROP …"`), and a dump that drops what it restores
//! (`pg_dump --clean`). What such a stage adds is handed to the client as
//! the SQL it runs (`pipes::stage_kind`), so `psql` judges it like SQL given
//! with `-c`; a rewrite that adds nothing destroying leaves the stage an
//! ordinary pipe (the client's `db:write`, a change).

use super::db::sql_severity;

/// Programs that rewrite a stream with a script given on the command line.
const REWRITERS: &[&str] = &[
    "sed", "gsed", "perl", "awk", "gawk", "mawk", "nawk", "sd", "ruby", "python", "python3",
];

/// The destroying SQL a pipeline stage adds to what flows through it, or
/// `None` when it adds none (or is not a rewriting stage). `args` are the
/// stage's words after the program name.
pub(crate) fn inserted_sql(name: &str, args: &[&str]) -> Option<String> {
    if let Some(sql) = super::sql_text::generated_sql(name, args) {
        return Some(sql);
    }
    let added = match name {
        "pg_dump" | "pg_dumpall" if args.iter().any(|a| cleans(a)) => {
            return Some(format!(
                "DROP TABLE … ({name} --clean drops every object it restores)"
            ));
        }
        "mysqldump" | "mariadb-dump" if args.contains(&"--add-drop-database") => {
            return Some(format!("DROP DATABASE … ({name} --add-drop-database)"));
        }
        "sd" => args
            .iter()
            .filter(|a| !a.starts_with('-'))
            .nth(1)
            .map(|r| r.to_string())
            .into_iter()
            .collect(),
        n if REWRITERS.contains(&n) => args.iter().flat_map(|a| added_text(a)).collect(),
        // `{ echo 'DROP TABLE t;'; pg_dump db; } | psql`: what the group prints.
        n if n.starts_with('{') || n.starts_with('(') => args
            .iter()
            .chain(std::iter::once(&name))
            .map(|a| a.to_string())
            .collect::<Vec<_>>(),
        _ => return None,
    };
    // One statement per piece: `echo TRUNCATE t` starts a statement.
    let sql = added.join(";\n");
    (sql_severity(&sql).0 >= 2).then_some(sql)
}

/// `pg_dump -c`, `--clean`, or a cluster of its flag letters with `c`.
fn cleans(a: &str) -> bool {
    a == "--clean"
        || a.strip_prefix('-').is_some_and(|f| {
            !f.starts_with('-') && f.contains('c') && f.chars().all(|c| "acOsvxbCwW".contains(c))
        })
}

/// The text one script argument adds to its input: the replacement of each
/// `s/PAT/REP/` (never the pattern), the text of sed's `i`, `a` and `c`
/// commands, and the string literals of awk, perl, ruby or python code.
fn added_text(script: &str) -> Vec<String> {
    let mut out = Vec::new();
    let c: Vec<char> = script.chars().collect();
    let mut k = 0;
    while k + 1 < c.len() {
        let d = c[k + 1];
        let starts = k == 0 || !c[k - 1].is_ascii_alphanumeric();
        if c[k] == 's' && starts && "/|#,:@!%_".contains(d) {
            let (_, after_pat) = until(&c, k + 2, d);
            let (rep, after_rep) = until(&c, after_pat, d);
            out.push(rep);
            k = after_rep;
            continue;
        }
        k += 1;
    }
    for piece in script.split([';', '\n']) {
        let p = piece.trim_start();
        let p = p.trim_start_matches(|ch: char| ch.is_ascii_digit() || matches!(ch, '$' | ','));
        let p = match p.strip_prefix('/') {
            Some(re) => re.find('/').map_or("", |e| &re[e + 1..]),
            None => p,
        };
        let mut it = p.chars();
        if let Some('i' | 'a' | 'c') = it.next() {
            let rest = it.as_str();
            if rest.is_empty() || rest.starts_with(['\\', ' ']) {
                out.push(rest.trim_start_matches('\\').trim().to_string());
            }
        }
    }
    for q in ['"', '\''] {
        let parts: Vec<&str> = script.split(q).collect();
        out.extend(parts.iter().skip(1).step_by(2).map(|s| s.to_string()));
    }
    out
}

/// The text from `from` up to the next unescaped `d`, and the index after it.
fn until(c: &[char], from: usize, d: char) -> (String, usize) {
    let mut s = String::new();
    let mut k = from;
    while k < c.len() {
        match c[k] {
            '\\' if k + 1 < c.len() => {
                s.push(c[k + 1]);
                k += 2;
            }
            ch if ch == d => return (s, k + 1),
            ch => {
                s.push(ch);
                k += 1;
            }
        }
    }
    (s, k)
}

/// Decoders that hide the text they print.
const DECODERS: &[&str] = &[
    "base64 -d",
    "base64 --decode",
    "base64 -D",
    "base32 -d",
    "xxd -r",
    "openssl enc -d",
    "openssl base64 -d",
    "| rev",
    "gunzip",
    "zcat",
];

/// A substitution or pipeline that decodes what it prints.
pub(crate) fn hidden_by_decoder(text: &str) -> bool {
    DECODERS.iter().any(|d| text.contains(d))
}

/// What `echo TEXT | base64 -d` (or `printf`, or `base64 -d <<< TEXT`)
/// prints, when TEXT is literal base64; `None` for anything else.
pub(crate) fn decoded_text(body: &str) -> Option<String> {
    let b = body.trim();
    let (data, rest) = if let Some((head, tail)) = b.split_once('|') {
        let mut w = head.split_whitespace();
        if !matches!(w.next(), Some("echo" | "printf")) {
            return None;
        }
        let data: Vec<&str> = w.filter(|x| !x.starts_with('-')).collect();
        (data.join(""), tail.trim())
    } else {
        let (cmd, data) = b.split_once("<<<")?;
        (data.trim().to_string(), cmd.trim())
    };
    if !matches!(rest, "base64 -d" | "base64 --decode" | "base64 -D") {
        return None;
    }
    let data = data.trim_matches(['\'', '"']);
    String::from_utf8(base64_decode(data)?).ok()
}

/// Standard base64 (padding optional); `None` on any other character.
fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes().filter(|c| *c != b'=') {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::inserted_sql;

    fn adds(name: &str, args: &[&str]) -> bool {
        inserted_sql(name, args).is_some()
    }

    #[test]
    fn a_rewrite_that_adds_a_drop_is_found() {
        assert!(adds("sed", &["s/CREATE TABLE/DROP TABLE x; CREATE TABLE/"]));
        assert!(adds("sed", &["-e", "1i TRUNCATE users;"]));
        assert!(adds("sed", &["-E", "1i\\DROP SCHEMA public CASCADE;"]));
        assert!(adds("gsed", &["s|^|DELETE FROM orders;|"]));
        assert!(adds(
            "perl",
            &["-pe", "s/^/DROP DATABASE app;\\n/ if $.==1"]
        ));
        assert!(adds("awk", &["NR==1{print \"TRUNCATE t;\"} 1"]));
        assert!(adds("sd", &["CREATE", "DROP TABLE t; CREATE"]));
        assert!(adds("pg_dump", &["-c", "prod"]));
        assert!(adds("pg_dump", &["--clean", "--if-exists", "prod"]));
        assert!(adds("mysqldump", &["--add-drop-database", "-B", "app"]));
    }

    #[test]
    fn a_rewrite_that_adds_nothing_destroying_is_a_pipe() {
        assert!(!adds("sed", &["s/OWNER TO prod/OWNER TO staging/g"]));
        assert!(!adds("sed", &["/DROP TABLE/d"]), "removes drops");
        assert!(
            !adds("sed", &["s/DROP TABLE/-- DROP TABLE/"]),
            "comments them out"
        );
        assert!(!adds("grep", &["-v", "DROP TABLE"]));
        assert!(!adds("awk", &["!/TRUNCATE/"]));
        assert!(!adds("pg_dump", &["-Fc", "prod"]));
        assert!(!adds("pg_dump", &["prod"]));
        assert!(!adds("mysqldump", &["app"]));
    }
}

#[cfg(test)]
mod pipeline_tests {
    use crate::testutil::expect;

    #[test]
    fn dumps_rewritten_into_another_client() {
        expect(&[
            (
                "pg_dump app | sed 's/^SET/DROP SCHEMA public CASCADE; SET/' | psql app2",
                "catastrophic",
            ),
            ("pg_dump -c app | psql -h staging app", "catastrophic"),
            (
                "{ echo 'TRUNCATE t;'; pg_dump -a app; } | psql app2",
                "catastrophic",
            ),
            (
                "pg_dump app | sed 's/OWNER TO a/OWNER TO b/' | psql app2",
                "ambiguous",
            ),
            ("mysqldump shop | mysql shop_copy", "ambiguous"),
            ("pg_dump -s app | grep -c 'CREATE TABLE'", "safe"),
        ]);
    }

    /// SQL given as an argument however it is spelled: printed by a
    /// substitution (quoted separators are text), held in a variable,
    /// written to a file earlier in the line, or only known at run time.
    #[test]
    fn sql_arguments_however_they_arrive() {
        expect(&[
            (
                "sqlite3 app.db \"$(printf 'DROP TABLE %s' users)\"",
                "catastrophic",
            ),
            ("psql -f <(echo 'DROP TABLE users;')", "catastrophic"),
            ("psql -f /dev/stdin <<< 'TRUNCATE users'", "catastrophic"),
            (
                "echo 'DROP TABLE t' > /tmp/q.sql && psql -f /tmp/q.sql",
                "catastrophic",
            ),
            (
                "q=$(printf 'DROP TABLE %s' t); psql -c \"$q\"",
                "catastrophic",
            ),
            ("q=$(cat drop.sql); psql -c \"$q\"", "ambiguous"),
            ("psql -c \"$Q\"", "ambiguous"),
            ("sqlite3 \"$DB\" .tables", "safe"),
            ("echo 'SELECT 1' > /tmp/q.sql && psql -f /tmp/q.sql", "safe"),
        ]);
    }

    /// SQL hidden by an encoding: decoded when it is literal, otherwise
    /// judged as the worst it could be; never read as harmless text.
    #[test]
    fn decoded_sql_is_judged_by_what_it_decodes_to() {
        assert_eq!(
            super::decoded_text("echo VFJVTkNBVEUgb3JkZXJzOw== | base64 -d").unwrap(),
            "TRUNCATE orders;"
        );
        assert_eq!(
            super::decoded_text("base64 -d <<< 'U0VMRUNUIDE='").unwrap(),
            "SELECT 1"
        );
        expect(&[
            (
                "psql -c \"$(echo VFJVTkNBVEUgb3JkZXJzOw== | base64 -d)\"",
                "catastrophic",
            ),
            ("psql -c \"$(echo U0VMRUNUIDE= | base64 -d)\"", "safe"),
            ("psql -c \"$(curl -s x | base64 -d)\"", "catastrophic"),
            (
                "echo VFJVTkNBVEUgb3JkZXJzOw== | base64 -d | psql app",
                "catastrophic",
            ),
            ("psql -c \"$(cat q.sql | sed 1d)\"", "ambiguous"),
        ]);
    }
}
