//! The database family's classifications, line by line (`db.rs`).

use crate::testutil::expect;

#[test]
fn classifies() {
    expect(&[
        ("psql -c \"DROP DATABASE prod\"", "catastrophic"),
        ("psql -c \"select 1\"", "safe"),
        ("mysql -e \"DELETE FROM users\"", "catastrophic"),
        ("mysql -e \"DELETE FROM users WHERE id=1\"", "ambiguous"),
        ("sqlite3 app.db \"DROP TABLE t\"", "catastrophic"),
        ("redis-cli FLUSHALL", "catastrophic"),
        (
            "redis-cli --scan --pattern 'cache:*' | xargs redis-cli unlink",
            "catastrophic",
        ),
        ("redis-cli del $(redis-cli keys 'user:*')", "catastrophic"),
        (
            "redis-cli -h prod KEYS 'tmp:*' | xargs -n 100 redis-cli -h prod DEL",
            "catastrophic",
        ),
        ("redis-cli -h prod -n 2 del session:42", "ambiguous"),
        ("redis-cli -h prod -n 2 get session:42", "safe"),
        (
            "clickhouse-client -q 'DROP DATABASE analytics'",
            "catastrophic",
        ),
        (
            "clickhouse-client --query='SELECT count() FROM events'",
            "safe",
        ),
        ("cockroach sql --execute 'TRUNCATE orders'", "catastrophic"),
        ("mongosh --eval \"db.dropDatabase()\"", "catastrophic"),
        ("rails db:drop", "catastrophic"),
        ("python manage.py flush", "catastrophic"),
        ("npx prisma migrate reset", "catastrophic"),
        ("dropdb prod", "catastrophic"),
        ("psql <<EOF\nDROP TABLE x;\nEOF", "catastrophic"),
    ]);
}

#[test]
fn sql_through_substitutions_and_option_values() {
    expect(&[
        (
            r#"psql -c "$(printf 'DROP %s users' TABLE)""#,
            "catastrophic",
        ),
        (r#"psql app -f <(echo 'delete from users')"#, "catastrophic"),
        (
            r#"mysql app < <(echo "TRUNCATE TABLE payments")"#,
            "catastrophic",
        ),
        (r#"psql -c "$(cat q.sql)""#, "ambiguous"),
        (
            r#"wrangler d1 execute prod-db --command "DROP TABLE users""#,
            "catastrophic",
        ),
        (r#"psql -c "$(printf 'SELECT %s FROM t' id)""#, "safe"),
    ]);
}
