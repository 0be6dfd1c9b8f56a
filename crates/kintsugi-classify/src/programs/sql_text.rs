//! SQL text as the client really runs it, for `db::sql_severity` and the
//! SQL-through-substitution rules: MySQL's executable comments keep their
//! content (`/*!DROP*/ TABLE t`, `/*!50000 DROP */ TABLE t`), `EXPLAIN
//! ANALYZE` runs the statement it explains, statements that change the
//! schema or run stored code (`COMMENT ON`, `RENAME`, `CALL`) are writes,
//! `printf` escapes are decoded (`\x44\x52\x4f\x50`, `\104`), a substitution
//! that only passes literal text through (`$(cat <<< '…')`, `$(tr a-z A-Z
//! <<< '…')`) is judged by the SQL its literals spell, and a client whose
//! query prints SQL (`select 'drop table ' || tablename from pg_tables`)
//! hands the next client in a pipeline what its literals say.

use super::Cmd;
use super::db::sql_severity;
use crate::effects::Effect;
use crate::engine::{Stdin, Walker};

/// `sql` with MySQL's executable comments (`/*! … */`, `/*!50000 … */`)
/// opened, or `None` when it has none.
pub(crate) fn open_executable_comments(sql: &str) -> Option<String> {
    if !sql.contains("/*!") {
        return None;
    }
    let mut out = String::with_capacity(sql.len());
    let mut rest = sql;
    while let Some(k) = rest.find("/*!") {
        out.push_str(&rest[..k]);
        out.push(' ');
        let body = rest[k + 3..].trim_start_matches(|c: char| c.is_ascii_digit());
        match body.find("*/") {
            Some(end) => {
                out.push_str(&body[..end]);
                rest = &body[end + 2..];
            }
            None => {
                out.push_str(body);
                rest = "";
            }
        }
        out.push(' ');
    }
    out.push_str(rest);
    Some(out)
}

/// The statement an upper-cased `EXPLAIN ANALYZE …` (or `EXPLAIN (ANALYZE
/// …) …`) runs; any other statement unchanged.
pub(crate) fn explained(s: &str) -> &str {
    let Some(rest) = s.strip_prefix("EXPLAIN") else {
        return s;
    };
    let rest = rest.trim_start();
    if let Some(opts) = rest.strip_prefix('(') {
        let Some(end) = opts.find(')') else {
            return s;
        };
        let analyze = opts[..end]
            .split([',', ' '])
            .any(|o| o == "ANALYZE" || o == "ANALYSE");
        return if analyze {
            opts[end + 1..].trim_start()
        } else {
            s
        };
    }
    let Some(mut rest) = rest
        .strip_prefix("ANALYZE")
        .or_else(|| rest.strip_prefix("ANALYSE"))
    else {
        return s;
    };
    for opt in ["VERBOSE", "FORMAT=TREE", "FORMAT=JSON"] {
        rest = rest.trim_start().strip_prefix(opt).unwrap_or(rest);
    }
    rest.trim_start()
}

/// An upper-cased statement that changes the schema or runs stored code
/// without being one of the usual DML/DDL words.
pub(crate) fn writes(s: &str) -> bool {
    [
        "COMMENT ON",
        "RENAME",
        "CALL ",
        "EXEC ",
        "EXECUTE ",
        "DO ",
        "REFRESH MATERIALIZED",
        "CLUSTER",
        "IMPORT",
        "OPTIMIZE TABLE",
        "SECURITY LABEL",
        "ATTACH",
        "DETACH",
        "SET GLOBAL",
        "SET PERSIST",
    ]
    .iter()
    .any(|k| s.starts_with(k))
        // Server functions with side effects, called from a SELECT.
        || [
            "PG_TERMINATE_BACKEND(",
            "PG_CANCEL_BACKEND(",
            "PG_DROP_REPLICATION_SLOT(",
            "LO_UNLINK(",
            "DBLINK_EXEC(",
            "PG_WRITE_FILE(",
            "PG_RELOAD_CONF(",
            "SETVAL(",
            // MongoDB shell methods that change a collection or a user.
            ".CREATEINDEX",
            ".DROPINDEX",
            ".RENAMECOLLECTION(",
            ".FINDONEANDUPDATE(",
            ".FINDONEANDREPLACE(",
            ".CREATECOLLECTION(",
            "CREATEUSER(",
            "UPDATEUSER(",
            "GRANTROLESTOUSER(",
        ]
        .iter()
        .any(|k| s.contains(k))
}

/// Ruby code run by `rails runner`, judged by what it does to the
/// database: a whole table emptied or dropped (`User.delete_all`,
/// `TRUNCATE` through `connection.execute`) destroys, other writes change;
/// code that names none adds nothing here (the runner is still held as
/// code nobody read).
pub(crate) fn rails_runner(e: &mut crate::engine::Walker, engine: &str, code: &str) {
    use crate::effects::Effect;
    let mut worst = super::db::sql_severity(code);
    // SQL handed to `execute` sits in a Ruby string.
    for q in code.split(['\'', '"']).skip(1).step_by(2) {
        let s = super::db::sql_severity(q);
        if s.0 > worst.0 {
            worst = s;
        }
    }
    let scoped = [".where(", ".find(", ".find_by("]
        .iter()
        .any(|m| code.contains(m));
    for m in [".delete_all", ".destroy_all"] {
        if worst.0 == 0 && code.contains(m) {
            worst = (if scoped { 1 } else { 2 }, format!("{m} in `rails runner`"));
        }
    }
    if worst.0 == 0
        && let Some(m) = [
            ".update_all",
            ".destroy",
            ".delete",
            ".update",
            ".save",
            ".create",
        ]
        .iter()
        .find(|m| code.contains(**m))
    {
        worst = (1, format!("{m} in `rails runner`"));
    }
    let (engine, what) = (engine.to_string(), worst.1);
    match worst.0 {
        0 => {}
        1 => e.add(Effect::DbWrite { engine, what }),
        _ => e.add(Effect::DbDestroy { engine, what }),
    }
}

/// SQL a substitution hides from review: decoded (`$(… | base64 -d)`) or
/// downloaded (`$(curl -s URL)`, `<(wget -qO- URL)`).
pub(crate) fn unreadable(text: &str) -> bool {
    super::sql_rewrite::hidden_by_decoder(text) || fetched(text)
}

/// A substitution that downloads its text.
fn fetched(text: &str) -> bool {
    let Some(at) = text.find("$(").or_else(|| text.find("<(")) else {
        return false;
    };
    let body = &text[at + 2..];
    body.split(['|', ';'])
        .filter_map(|stage| stage.split_whitespace().next())
        .any(|p| {
            matches!(
                crate::words::basename(p),
                "curl" | "wget" | "fetch" | "http" | "xh"
            )
        })
}

/// Upper-cased mongo shell calls that drop every user, role or index, a
/// collection or database dropped through `runCommand`/`adminCommand`, a
/// `bulkWrite` deleting or updating with an empty filter, and ClickHouse
/// mutations over every row (`ALTER TABLE t DELETE WHERE 1`).
pub(crate) fn drops_everything(s: &str) -> bool {
    let sq: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    let command = ["RUNCOMMAND({", "ADMINCOMMAND({"].iter().any(|c| {
        sq.match_indices(c).any(|(k, _)| {
            let body = &sq[k + c.len()..];
            body.starts_with("DROP:")
                || body.starts_with("DROPDATABASE:")
                || body.starts_with("DELETE:") && body.contains("Q:{}")
        })
    });
    let bulk = sq.contains("DELETEMANY:{FILTER:{}}") || sq.contains("UPDATEMANY:{FILTER:{},");
    let mutation = s.starts_with("ALTER TABLE")
        && s.find(" DELETE WHERE ")
            .or_else(|| s.find(" UPDATE "))
            .is_some_and(|k| !super::db::bounded_where(&s[k..]));
    command
        || bulk
        || mutation
        || [".DROPALLUSERS(", ".DROPALLROLES(", ".DROPINDEXES()"]
            .iter()
            .any(|k| s.contains(k))
}

/// `printf` escapes in a format: `\xHH` and octal `\NNN` / `\0NNN`.
pub(crate) fn printf_unescape(s: &str) -> String {
    let ch: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut k = 0;
    while k < ch.len() {
        if ch[k] == '\\' && k + 1 < ch.len() {
            let (radix, start, max) = match ch[k + 1] {
                't' | 'n' => {
                    out.push(if ch[k + 1] == 't' { '\t' } else { '\n' });
                    k += 2;
                    continue;
                }
                'x' => (16, k + 2, 2),
                '0' => (8, k + 2, 3),
                d if d.is_digit(8) => (8, k + 1, 3),
                _ => (0, 0, 0),
            };
            if radix != 0 {
                let digits: String = ch[start..]
                    .iter()
                    .take(max)
                    .take_while(|c| c.is_digit(radix))
                    .collect();
                if let Some(c) = u32::from_str_radix(&digits, radix)
                    .ok()
                    .and_then(char::from_u32)
                    .filter(|_| !digits.is_empty())
                {
                    out.push(c);
                    k = start + digits.len();
                    continue;
                }
            }
        }
        out.push(ch[k]);
        k += 1;
    }
    out
}

/// Programs that pass the text they are given through to their output
/// (possibly reshaped): what their literals say is what they print.
const PASS_THROUGH: &[&str] = &[
    "cat", "tr", "echo", "printf", "tee", "head", "tail", "sort", "uniq", "rev", "fold",
];

/// The SQL spelled by the quoted literals of a substitution (`$(cat <<<
/// 'DROP TABLE t')`, `$(tr a-z A-Z <<< 'drop table t')`) whose programs
/// only pass text through; `None` otherwise.
pub(crate) fn literal_sql(text: &str) -> Option<String> {
    let at = text.find("$(").or_else(|| text.find("<("))?;
    let body = &text[at + 2..];
    // Another expansion inside (`$(cat <<< "$Q")`): the text is not static.
    if body.contains(['$', '`']) {
        return None;
    }
    let passes = body
        .split(['|', ';'])
        .filter_map(|stage| stage.split_whitespace().next())
        .all(|p| PASS_THROUGH.contains(&crate::words::basename(p)));
    if !passes {
        return None;
    }
    let lits = super::code_scan::literals(body);
    (!lits.is_empty()).then(|| lits.join(" "))
}

/// Database clients whose query output can be piped into another client.
const CLIENTS: &[&str] = &[
    "psql",
    "mysql",
    "mariadb",
    "sqlite3",
    "duckdb",
    "clickhouse-client",
    "sqlcmd",
];

/// The destroying SQL a client's query prints when it builds statements
/// out of string literals (`select 'drop table ' || tablename …`,
/// `SELECT CONCAT('DROP TABLE ', table_name, ';') …`); `args` are the
/// client's words after its name.
pub(crate) fn generated_sql(name: &str, args: &[&str]) -> Option<String> {
    if !CLIENTS.contains(&name) {
        return None;
    }
    args.iter()
        .filter(|a| a.to_ascii_uppercase().contains("SELECT") && a.contains('\''))
        .find_map(|q| {
            let printed = super::code_scan::literals(q)
                .into_iter()
                .filter(|l| !l.trim().is_empty())
                .collect::<Vec<_>>()
                .join(" x ");
            let (lvl, what) = sql_severity(&printed);
            (lvl >= 2).then(|| format!("{what} (statements printed by `{name}`)"))
        })
}

/// Neo4j's `cypher-shell`: the query given as an argument or on stdin.
/// `DETACH DELETE` or `DELETE` without `WHERE` destroys, `CREATE`, `MERGE`,
/// `SET`, `REMOVE` and filtered deletes write, `MATCH … RETURN` reads.
pub(crate) fn cypher(e: &mut Walker, c: &Cmd) -> bool {
    let mut texts: Vec<String> = c.positional().iter().map(|w| w.text.clone()).collect();
    match &c.stdin {
        Stdin::Literal(t) => texts.push(t.clone()),
        Stdin::Terminal => {}
        _ if texts.is_empty() => texts.push("DELETE everything a pipe may say".into()),
        _ => {}
    }
    for t in texts {
        let u = format!(" {} ", t.to_ascii_uppercase().replace(['\n', ';'], " "));
        let (lvl, what) = match sql_severity(&t) {
            (0, _) if u.contains(" DELETE ") && !u.contains(" WHERE ") => (2, t.clone()),
            (0, _)
                if [" SET ", " REMOVE ", " DELETE ", " MERGE ", " CREATE "]
                    .iter()
                    .any(|k| u.contains(k)) =>
            {
                (1, t.clone())
            }
            x => x,
        };
        let engine = "cypher-shell".to_string();
        match lvl {
            2 => e.add(Effect::DbDestroy { engine, what }),
            1 => e.add(Effect::DbWrite { engine, what }),
            _ => {}
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::expect;

    #[test]
    fn store_commands_that_drop_or_empty_everything() {
        expect(&[
            (
                "mongosh shop --eval 'db.runCommand({drop: \"orders\"})'",
                "catastrophic",
            ),
            (
                "mongosh --eval 'db.adminCommand({ dropDatabase: 1 })'",
                "catastrophic",
            ),
            (
                "mongosh shop --eval 'db.orders.bulkWrite([{deleteMany: {filter: {}}}])'",
                "catastrophic",
            ),
            (
                "clickhouse-client -q 'ALTER TABLE events DELETE WHERE 1'",
                "catastrophic",
            ),
            (
                "clickhouse-client -q 'ALTER TABLE t ON CLUSTER c UPDATE x = 0 WHERE true'",
                "catastrophic",
            ),
            (
                "clickhouse-client -q 'ALTER TABLE events DELETE WHERE id = 7'",
                "ambiguous",
            ),
            (
                "mongosh shop --eval 'db.runCommand({count: \"orders\"})'",
                "safe",
            ),
        ]);
    }

    #[test]
    fn executable_comments_and_explain_analyze() {
        assert_eq!(
            open_executable_comments("/*!50000 DROP */ TABLE t").as_deref(),
            Some("  DROP   TABLE t")
        );
        assert_eq!(explained("EXPLAIN ANALYZE DELETE FROM T"), "DELETE FROM T");
        assert_eq!(
            explained("EXPLAIN (ANALYZE, BUFFERS) DELETE FROM T"),
            "DELETE FROM T"
        );
        assert_eq!(explained("EXPLAIN DELETE FROM T"), "EXPLAIN DELETE FROM T");
        expect(&[
            ("mysql -e '/*!DROP*/ TABLE app.users'", "catastrophic"),
            ("mysql -e '/*!40101 SET NAMES utf8 */'", "safe"),
            (
                "psql -c 'EXPLAIN ANALYZE DELETE FROM users'",
                "catastrophic",
            ),
            ("psql -c 'EXPLAIN DELETE FROM users'", "safe"),
            ("psql -c \"COMMENT ON TABLE users IS 'x'\"", "ambiguous"),
            ("psql -c 'CALL purge_everything()'", "ambiguous"),
        ]);
    }

    #[test]
    fn sql_spelled_by_printf_escapes_and_pass_through_text() {
        assert_eq!(printf_unescape(r"\x44\x52\x4f\x50 x"), "DROP x");
        assert_eq!(printf_unescape(r"\104ROP \0124"), "DROP T");
        expect(&[
            (
                r#"mysql -e "$(printf '\x44\x52\x4f\x50 TABLE users')""#,
                "catastrophic",
            ),
            ("psql -c \"$(cat <<< 'DROP TABLE users')\"", "catastrophic"),
            (
                "psql -c \"$(tr a-z A-Z <<< 'drop table users')\"",
                "catastrophic",
            ),
            ("psql -c \"$(cat <<< 'SELECT 1')\"", "safe"),
            ("psql -c \"$(cat query.sql)\"", "ambiguous"),
            ("psql -c \"$(cat <<< \"$Q\")\"", "ambiguous"),
        ]);
    }

    #[test]
    fn statements_one_client_prints_for_another() {
        expect(&[
            (
                "psql -Atc \"select 'drop table ' || tablename || ';' from pg_tables\" | psql",
                "catastrophic",
            ),
            (
                "mysql -N -e \"SELECT CONCAT('TRUNCATE ', table_name, ';') FROM information_schema.tables\" | mysql app",
                "catastrophic",
            ),
            (
                "psql -Atc \"select 'analyze ' || tablename || ';' from pg_tables\" | psql",
                "ambiguous",
            ),
            ("psql -Atc \"select 'drop table x'\" | grep drop", "safe"),
            ("cypher-shell 'MATCH (n) DETACH DELETE n'", "catastrophic"),
            ("echo 'MATCH (n) DELETE n;' | cypher-shell", "catastrophic"),
            (
                "cypher-shell 'MATCH (n:User {id: 1}) SET n.plan = \"pro\"'",
                "ambiguous",
            ),
            ("cypher-shell 'MATCH (n) RETURN count(n)'", "safe"),
            (
                "psql -c \"$(curl -s https://x.example/q.sql)\"",
                "catastrophic",
            ),
            ("curl -s https://x.example/q.sql | psql", "catastrophic"),
            ("psql -f <(curl -s https://x.example/q.sql)", "catastrophic"),
            ("mongosh --eval 'db.dropAllUsers()'", "catastrophic"),
        ]);
    }
}

#[cfg(test)]
mod rails_runner_tests {
    use crate::testutil::expect;

    #[test]
    fn code_run_by_rails_runner_is_judged_by_what_it_does_to_the_database() {
        expect(&[
            ("bin/rails runner 'User.delete_all'", "catastrophic"),
            (
                "bundle exec rails runner 'Order.destroy_all'",
                "catastrophic",
            ),
            (
                "bin/rails runner \"ActiveRecord::Base.connection.execute('TRUNCATE orders CASCADE')\"",
                "catastrophic",
            ),
            (
                "bin/rails runner 'User.where(admin: false).delete_all'",
                "ambiguous",
            ),
            (
                "bin/rails runner 'User.find(3).update(admin: true)'",
                "ambiguous",
            ),
            ("bin/rails runner 'puts User.count'", "ambiguous"),
        ]);
    }
}
