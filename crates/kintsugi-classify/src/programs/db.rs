//! Databases: SQL given to psql/mysql/sqlite3 (and here-docs fed to them),
//! redis-cli, mongo shells, dropdb, and ORM/migration resets (rails, rake,
//! manage.py, prisma, artisan, ecto, …).

use super::Cmd;
use crate::effects::Effect;
use crate::engine::{Stdin, Walker};

/// How bad a piece of SQL is: 2 destroys, 1 writes, 0 reads. Comments are
/// read both as nothing and as a space (`DR/**/OP` is `DROP` to some
/// parsers), and the worse reading counts.
pub(crate) fn sql_severity(sql: &str) -> (u8, String) {
    if let Some(opened) = super::sql_text::open_executable_comments(sql) {
        return [
            sql_severity(&opened),
            sql_severity(&sql.replace("/*!", "/*")),
        ]
        .into_iter()
        .max_by_key(|x| x.0)
        .unwrap_or_default();
    }
    if !sql.contains("/*") && !sql.contains("--") && !sql.contains('#') {
        return sql_severity_plain(sql);
    }
    let a = sql_severity_plain(&strip_sql_comments(sql, ""));
    let b = sql_severity_plain(&strip_sql_comments(sql, " "));
    [a, b].into_iter().max_by_key(|x| x.0).unwrap_or_default()
}

/// SQL with `/* … */` and `-- …` comments replaced by `with`.
fn strip_sql_comments(sql: &str, with: &str) -> String {
    let mut out = String::new();
    let mut rest = sql;
    loop {
        let block = rest.find("/*");
        let line = rest.find("--");
        match (block, line) {
            (Some(b), l) if l.is_none_or(|l| b < l) => {
                out.push_str(&rest[..b]);
                out.push_str(with);
                rest = rest[b + 2..]
                    .find("*/")
                    .map_or("", |k| &rest[b + 2 + k + 2..]);
            }
            (_, Some(l)) => {
                out.push_str(&rest[..l]);
                out.push_str(with);
                rest = rest[l..].find('\n').map_or("", |k| &rest[l + k..]);
            }
            _ => {
                out.push_str(rest);
                return out;
            }
        }
    }
}

fn sql_severity_plain(sql: &str) -> (u8, String) {
    let u = strip_strings(&sql.to_ascii_uppercase());
    let mut worst = (0u8, String::new());
    for stmt in u.split(';') {
        let s = stmt.split_whitespace().collect::<Vec<_>>().join(" ");
        let s = super::sql_text::explained(s.trim());
        let hit = |w: &mut (u8, String), lvl: u8, what: &str| {
            if lvl > w.0 {
                *w = (lvl, what.to_string());
            }
        };
        if s.starts_with("DROP ")
            || s.contains(" DROP TABLE")
            || s.contains(" DROP DATABASE")
            || s.contains(" DROP SCHEMA")
            || s.starts_with("TRUNCATE")
            || (s.starts_with("ALTER TABLE") && s.contains(" DROP "))
        {
            hit(&mut worst, 2, &short(s));
        } else if s.starts_with("DELETE") || s.starts_with("UPDATE") {
            hit(&mut worst, if bounded_where(s) { 1 } else { 2 }, &short(s));
        } else if s.contains("DROPDATABASE")
            || s.contains(".DROP(")
            || s.contains("FLUSHALL")
            || s.contains("FLUSHDB")
            || s.replace(' ', "").contains("DELETEMANY({})")
            || s.contains("REMOVE({})")
            || s.contains("DELETEMANY()")
            || s.replace(' ', "").contains("UPDATEMANY({},")
            || s.contains(".DROPCOLLECTION")
            || super::sql_text::drops_everything(s)
            || s.contains("DETACH DELETE") && !s.contains(" WHERE ")
        {
            hit(&mut worst, 2, &short(s));
        } else if [
            "INSERT",
            "ALTER",
            "CREATE",
            "GRANT",
            "REVOKE",
            "COPY",
            "REPLACE",
            "MERGE",
            "UPSERT",
            "VACUUM FULL",
            "REINDEX",
            "LOAD",
        ]
        .iter()
        .any(|k| s.starts_with(k))
            || s.contains(".DELETEMANY(")
            || s.contains(".UPDATEMANY(")
            || s.contains(".INSERT")
            || s.contains(".REMOVE(")
            || s.contains(".DELETEONE(")
            || s.contains(".UPDATEONE(")
            || s.contains(".REPLACEONE(")
            || s.contains(".FINDONEANDDELETE(")
            || s.contains(".BULKWRITE(")
            || s.contains("DETACH DELETE")
            || super::sql_text::writes(s)
        {
            hit(&mut worst, 1, &short(s));
        }
    }
    worst
}

/// A WHERE clause that actually restricts rows (not `1=1`, `true`).
pub(crate) fn bounded_where(s: &str) -> bool {
    let Some(k) = s.find(" WHERE ") else {
        return false;
    };
    let w = s[k + 7..].trim().trim_end_matches(';').replace(' ', "");
    !matches!(
        w.as_str(),
        "1=1" | "TRUE" | "1" | "''=''" | "1<>0" | "0=0" | "NOT0" | "1>0"
    ) && !w.starts_with("1=1OR")
        && !w.ends_with("OR1=1")
}

fn short(s: &str) -> String {
    s.chars().take(60).collect::<String>().to_ascii_lowercase()
}

fn strip_strings(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut q: Option<char> = None;
    for ch in s.chars() {
        match q {
            Some(c) if ch == c => q = None,
            Some(_) => {}
            None if ch == '\'' => {
                q = Some(ch);
                out.push_str("''");
            }
            None => out.push(ch),
        }
    }
    out
}

fn sql_effect(e: &mut Walker, engine: &str, sql: &str) {
    match sql_severity(sql) {
        (2, w) => e.add(Effect::DbDestroy {
            engine: engine.into(),
            what: w,
        }),
        (1, w) => e.add(Effect::DbWrite {
            engine: engine.into(),
            what: w,
        }),
        _ => {}
    }
}

/// The command inside a substitution (`$(…)`, `<(…)`) in `text`, if any.
fn substitution_body(text: &str) -> Option<&str> {
    let at = text.find("$(").or_else(|| text.find("<("))?;
    let body = &text[at + 2..];
    Some(body.rfind(')').map_or(body, |end| &body[..end]))
}

/// Split a simple command into words, honouring single and double quotes.
fn quote_split(s: &str) -> Vec<String> {
    let (mut out, mut cur, mut quote, mut started) = (Vec::new(), String::new(), None, false);
    for ch in s.chars() {
        match (quote, ch) {
            (None, '\'' | '"') => {
                quote = Some(ch);
                started = true;
            }
            (Some(q), _) if ch == q => quote = None,
            (None, c) if c.is_whitespace() => {
                if started {
                    out.push(std::mem::take(&mut cur));
                    started = false;
                }
            }
            _ => {
                cur.push(ch);
                started = true;
            }
        }
    }
    if started {
        out.push(cur);
    }
    out
}

/// The SQL a substitution prints when it is `echo …` or `printf FMT ARGS…`
/// (`psql -c "$(printf 'DROP %s users' TABLE)"`); `None` when it is computed
/// some other way.
pub(crate) fn printed_sql(text: &str) -> Option<String> {
    let body = substitution_body(text)?;
    if outside_quotes(body).contains(['|', ';', '&', '<', '>', '`']) {
        // `$(echo … | base64 -d)`: the decoded text when it is static.
        return super::sql_rewrite::decoded_text(body);
    }
    let words = quote_split(body.trim());
    match words.first().map(String::as_str) {
        Some("echo") => Some(
            words[1..]
                .iter()
                .filter(|w| !matches!(w.as_str(), "-e" | "-n" | "-E"))
                .cloned()
                .collect::<Vec<_>>()
                .join(" "),
        ),
        Some("printf") => {
            let fmt = words.get(1)?;
            let mut args = words[2..].iter();
            let mut out = String::new();
            let mut it = fmt.chars().peekable();
            while let Some(ch) = it.next() {
                if ch == '%' && it.peek().is_some_and(|n| matches!(n, 's' | 'b' | 'd')) {
                    it.next();
                    out.push_str(args.next().map(String::as_str).unwrap_or(""));
                } else if ch == '\\' && it.peek() == Some(&'n') {
                    it.next();
                    out.push('\n');
                } else {
                    out.push(ch);
                }
            }
            Some(super::sql_text::printf_unescape(&out))
        }
        _ => None,
    }
}

/// `s` without its single- and double-quoted parts.
fn outside_quotes(s: &str) -> String {
    let mut q = None;
    s.chars()
        .filter(|&ch| match q {
            Some(c) if ch == c => {
                q = None;
                false
            }
            Some(_) => false,
            None if ch == '\'' || ch == '"' => {
                q = Some(ch);
                false
            }
            None => true,
        })
        .collect()
}

/// SQL given as an argument: judged when it is text, through
/// `computed_sql` when a substitution prints it (also through a variable
/// assigned one), and a change nobody reviewed when it is only known at
/// run time (`psql -c "$Q"`).
fn arg_sql(e: &mut Walker, engine: &str, w: &crate::words::Word) {
    let text = w.text.replace(crate::words::COMPUTED, "");
    if computed_sql(e, engine, &text) {
        return;
    }
    if w.dynamic {
        e.add(Effect::DbWrite {
            engine: engine.into(),
            what: format!("runs SQL only known at run time ({})", short(&text)),
        });
    } else {
        sql_effect(e, engine, &text);
    }
}

/// SQL that arrives through a substitution: what it prints when that is
/// static, otherwise a change whose text nobody reviewed.
fn computed_sql(e: &mut Walker, engine: &str, text: &str) -> bool {
    if substitution_body(text).is_none() {
        return false;
    }
    match printed_sql(text) {
        Some(sql) => sql_effect(e, engine, &sql),
        None if super::sql_text::unreadable(text) => e.add(Effect::DbDestroy {
            engine: engine.into(),
            what: format!("runs SQL hidden by an encoding ({})", short(text)),
        }),
        None => match super::sql_text::literal_sql(text) {
            Some(sql) => sql_effect(e, engine, &sql),
            None => e.add(Effect::DbWrite {
                engine: engine.into(),
                what: format!("runs SQL computed at run time ({})", short(text)),
            }),
        },
    }
    true
}

fn stdin_sql(e: &mut Walker, c: &Cmd, engine: &str) {
    if let Stdin::File(p) | Stdin::Literal(p) = &c.stdin
        && computed_sql(e, engine, p)
        && matches!(c.stdin, Stdin::File(_))
    {
        return;
    }
    match &c.stdin {
        Stdin::Literal(t) => {
            let t = t.clone();
            sql_effect(e, engine, &t);
        }
        Stdin::File(p) => e.add(Effect::DbWrite {
            engine: engine.into(),
            what: format!("runs SQL from {p}"),
        }),
        Stdin::Decoded(d) | Stdin::Download(d) => e.add(Effect::DbDestroy {
            engine: engine.into(),
            what: format!("runs SQL from `{d}`, unread until it runs"),
        }),
        Stdin::Other(_) | Stdin::Listing(_) => e.add(Effect::DbWrite {
            engine: engine.into(),
            what: "runs SQL from a pipe".into(),
        }),
        Stdin::Terminal => {}
    }
}

pub(crate) fn handle(e: &mut Walker, c: &Cmd) -> bool {
    let n = c.name.as_str();
    if n == "cypher-shell" {
        return super::sql_text::cypher(e, c);
    }
    match n {
        "psql" | "mysql" | "mariadb" | "sqlite3" | "sqlite" | "duckdb" | "clickhouse-client"
        | "cockroach" | "sqlcmd" | "cqlsh" | "usql" | "pgcli" | "mycli" => {
            let flags: &[&str] = match n {
                "psql" | "pgcli" => &["-c", "--command"],
                "mysql" | "mariadb" | "mycli" => &["-e", "--execute"],
                "sqlcmd" => &["-Q", "-q"],
                "cqlsh" | "cockroach" => &["-e", "--execute"],
                "clickhouse-client" => &["-q", "--query"],
                _ => &["-c", "--query", "-cmd"],
            };
            let mut any = false;
            for (k, a) in c.args.iter().enumerate() {
                let v = if flags.contains(&a.text.as_str()) {
                    c.args.get(k + 1).cloned()
                } else {
                    flags
                        .iter()
                        .find_map(|f| a.text.strip_prefix(&format!("{f}=")))
                        .map(|t| crate::words::Word {
                            text: t.to_string(),
                            ..a.clone()
                        })
                };
                if let Some(sql) = v {
                    any = true;
                    arg_sql(e, n, &sql);
                }
            }
            if let Some(f) = c.opt(&["-f", "--file"]) {
                any = true;
                // A file written earlier in the line (`echo … > q.sql`), or
                // standard input named as the file.
                let written = e.files.get(&e.path(&f.text)).cloned();
                if let Some(Stdin::Literal(t)) = written {
                    sql_effect(e, n, &t);
                } else if matches!(f.text.as_str(), "-" | "/dev/stdin") {
                    stdin_sql(e, c, n);
                } else if !computed_sql(e, n, &f.text) {
                    e.add(Effect::DbWrite {
                        engine: n.into(),
                        what: format!("runs SQL from {}", f.text),
                    });
                }
            }
            if n.starts_with("sqlite") || n == "duckdb" {
                let pos = c.positional();
                for w in pos.iter().skip(1) {
                    any = true;
                    arg_sql(e, n, w);
                }
            }
            if !any {
                stdin_sql(e, c, n);
            }
            true
        }
        "redis-cli" | "valkey-cli" | "keydb-cli" => {
            // The command words: positionals, without the values of the
            // connection options (`-h prod`, `-n 0`, `-a secret`).
            let with_value = [
                "-h",
                "-p",
                "-s",
                "-a",
                "-u",
                "-n",
                "-r",
                "-i",
                "-d",
                "-D",
                "--user",
                "--pass",
                "--askpass",
                "--cacert",
                "--cert",
                "--key",
                "--sni",
                "--pattern",
                "--count",
                "--rdb",
                "--functions-rdb",
                "--memkeys-samples",
                "--eval",
            ];
            let mut words: Vec<&crate::words::Word> = Vec::new();
            let mut k = 0;
            while k < c.args.len() {
                let t = c.args[k].text.as_str();
                if with_value.contains(&t) {
                    k += 2;
                    continue;
                }
                if !(t.starts_with('-') && t.len() > 1) || !words.is_empty() {
                    words.push(&c.args[k]);
                }
                k += 1;
            }
            let up: Vec<String> = words.iter().map(|w| w.text.to_ascii_uppercase()).collect();
            // `… --scan --pattern 'session:*' | xargs redis-cli del`,
            // `redis-cli del $(redis-cli keys 'user:*')`: every key a
            // pattern matches, chosen when it runs.
            let mass_delete = matches!(up.first().map(String::as_str), Some("DEL" | "UNLINK"))
                && words.iter().skip(1).any(|w| {
                    w.dynamic
                        && (w.text.contains(super::walkers::XARGS_INPUT)
                            || w.text.to_ascii_lowercase().contains(" keys ")
                            || w.text.contains("--scan"))
                });
            if let Some(what) = super::kv_keys::redis_wipes(e, c, &up) {
                e.add(Effect::DbDestroy {
                    engine: n.into(),
                    what,
                });
            } else if mass_delete {
                e.add(Effect::DbDestroy {
                    engine: n.into(),
                    what: "deletes every key a pattern matches".into(),
                });
            } else if let Some(what) = super::kv_keys::redis_persistence(&up) {
                e.add(Effect::Persistence {
                    what,
                    path: "redis CONFIG SET dir".into(),
                });
            } else if up
                .first()
                .is_some_and(|w| !super::kv_keys::redis_reads(w, up.get(1)))
            {
                e.add(Effect::DbWrite {
                    engine: n.into(),
                    what: up.join(" ").to_ascii_lowercase(),
                });
            } else if up.is_empty() {
                stdin_sql(e, c, n);
            }
            true
        }
        "mongo" | "mongosh" => {
            if let Some(js) = c.opt(&["--eval"]).map(|w| w.text.clone()) {
                sql_effect(e, n, &js);
            } else {
                stdin_sql(e, c, n);
            }
            true
        }
        "dropdb" | "dropuser" | "mysqladmin" | "influx" => {
            if n == "mysqladmin" && !c.has(&["drop"]) {
                return true;
            }
            if n == "influx" && !(c.sub(0) == "bucket" && c.sub(1) == "delete") {
                return false;
            }
            if !c.dry_run() {
                e.add(Effect::DbDestroy {
                    engine: n.into(),
                    what: c.label(),
                });
            }
            true
        }
        "pg_restore" | "mysqlimport" | "mongorestore" => {
            let what = if c.has(&["--clean", "-c", "--drop"]) {
                2
            } else {
                u8::from(!(n == "pg_restore" && c.has(&["-l", "--list"])))
            };
            if what == 2 {
                e.add(Effect::DbDestroy {
                    engine: n.into(),
                    what: "restore dropping existing objects".into(),
                });
            } else if what == 1 {
                e.add(Effect::DbWrite {
                    engine: n.into(),
                    what: "restores a dump".into(),
                });
            }
            true
        }
        _ => orm(e, c),
    }
}

/// ORM and migration tools.
fn orm(e: &mut Walker, c: &Cmd) -> bool {
    let n = c.name.as_str();
    let pos: Vec<String> = c.positional().iter().map(|w| w.text.clone()).collect();
    let p = |k: usize| pos.get(k).map(String::as_str).unwrap_or("");
    let destroy = |e: &mut Walker, what: &str| {
        e.add(Effect::DbDestroy {
            engine: n.into(),
            what: what.into(),
        })
    };
    let write = |e: &mut Walker, what: &str| {
        e.add(Effect::DbWrite {
            engine: n.into(),
            what: what.into(),
        })
    };
    match n {
        "rails" | "rake" | "bin/rails" | "bin/rake" => {
            for t in &pos {
                if matches!(
                    t.as_str(),
                    "db:drop"
                        | "db:reset"
                        | "db:purge"
                        | "db:schema:load"
                        | "db:migrate:reset"
                        | "db:structure:load"
                        | "db:drop:all"
                        | "db:truncate_all"
                        | "db:seed:replant"
                ) {
                    destroy(e, t);
                } else if t.starts_with("db:")
                    && !matches!(
                        t.as_str(),
                        "db:version" | "db:migrate:status" | "db:abort_if_pending_migrations"
                    )
                {
                    write(e, t);
                }
            }
            if matches!(p(0), "runner" | "r") {
                super::sql_text::rails_runner(e, n, p(1));
            }
            !pos.is_empty() && pos.iter().any(|t| t.starts_with("db:"))
        }
        "manage.py" | "django-admin" => {
            match p(0) {
                "flush" | "reset_db" | "sqlflush" if p(0) != "sqlflush" => destroy(e, p(0)),
                "migrate" if pos.get(2).is_some_and(|x| x == "zero") => {
                    destroy(e, "migrate <app> zero")
                }
                "migrate" | "loaddata" | "createsuperuser" | "dbshell" => write(e, p(0)),
                _ => return false,
            }
            true
        }
        "prisma" => {
            if p(0) == "migrate" && p(1) == "reset"
                || p(0) == "db"
                    && p(1) == "push"
                    && (c.long("--force-reset") || c.long("--accept-data-loss"))
            {
                destroy(e, &format!("prisma {} {}", p(0), p(1)));
            } else if p(0) == "migrate" && matches!(p(1), "deploy" | "dev")
                || p(0) == "db" && matches!(p(1), "push" | "execute" | "seed")
            {
                write(e, &format!("prisma {} {}", p(0), p(1)));
            }
            true
        }
        "artisan" => {
            let t = p(0);
            if matches!(
                t,
                "migrate:fresh" | "migrate:reset" | "db:wipe" | "migrate:refresh"
            ) {
                destroy(e, t);
            } else if t.starts_with("migrate") && t != "migrate:status" || t.starts_with("db:") {
                write(e, t);
            }
            true
        }
        "mix" => {
            let tasks = super::forms::mix_tasks(&pos);
            if let Some(t) = tasks
                .iter()
                .find(|t| matches!(**t, "ecto.drop" | "ecto.reset"))
            {
                destroy(e, t);
            } else if let Some(t) = tasks
                .iter()
                .find(|t| t.starts_with("ecto.") && **t != "ecto.migrations")
            {
                write(e, t);
            } else {
                return false;
            }
            true
        }
        "flask" if p(0) != "db" => false, // Flask-Migrate's `flask db` is Alembic.
        "sequelize" | "sequelize-cli" | "knex" | "typeorm" | "drizzle-kit" | "alembic"
        | "flask" | "flyway" | "liquibase" | "diesel" | "sqlx" | "dbmate" | "goose" | "migrate"
        | "supabase" => {
            let all = pos.join(" ");
            if pos.iter().any(|x| {
                matches!(
                    x.as_str(),
                    "list"
                        | "info"
                        | "status"
                        | "show"
                        | "history"
                        | "current"
                        | "heads"
                        | "check"
                        | "validate"
                        | "version"
                        | "make:migration"
                        | "generate"
                        | "new"
                        | "create"
                )
            }) && !pos
                .iter()
                .any(|x| x.contains("drop") || x.contains("reset"))
            {
                return true;
            }
            if (all.contains("undo:all")
                || all.contains("rollback") && c.long("--all")
                || all.contains("migrate:reset")
                || all.contains("downgrade base"))
                && !c.dry_run()
            {
                destroy(e, &all);
                return true;
            }
            if [
                "db:drop",
                "schema:drop",
                "clean",
                "dropAll",
                "drop-all",
                "database reset",
                "db reset",
                "downgrade base",
                "migrate:rollback --all",
                "database drop",
                " drop",
                "reset",
            ]
            .iter()
            .any(|k| all.contains(k) || pos.iter().any(|x| x == k.trim()))
                && !c.dry_run()
            {
                destroy(e, &all);
                return true;
            }
            if pos.iter().any(|x| {
                x.contains("migrat")
                    || x == "up"
                    || x == "down"
                    || x == "upgrade"
                    || x == "downgrade"
                    || x == "push"
                    || x == "seed"
                    || x.contains("db:")
                    || matches!(
                        x.as_str(),
                        "update" | "rollback" | "revert" | "apply" | "repair"
                    )
            }) {
                write(e, &all);
                return true;
            }
            // A form these rules do not know is judged by its verbs.
            if n != "migrate" && n != "supabase" {
                super::unknown::judge_as(e, c, "subcommand");
                return true;
            }
            false
        }
        "dotnet" if p(0) == "ef" => {
            if p(1) == "database" && p(2) == "drop" {
                destroy(e, "dotnet ef database drop");
            } else if p(1) == "database" {
                write(e, "dotnet ef database update");
            }
            true
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::sql_severity;

    #[test]
    fn sql() {
        assert_eq!(sql_severity("DROP TABLE users").0, 2);
        assert_eq!(sql_severity("delete from users").0, 2);
        assert_eq!(sql_severity("DELETE FROM users WHERE id = 3").0, 1);
        assert_eq!(sql_severity("update t set a=1").0, 2);
        assert_eq!(sql_severity("select * from t where x = 'drop table'").0, 0);
        assert_eq!(sql_severity("TRUNCATE logs").0, 2);
        assert_eq!(sql_severity("db.dropDatabase()").0, 2);
    }
}
