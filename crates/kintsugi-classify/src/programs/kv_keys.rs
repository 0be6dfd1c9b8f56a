//! Key-value stores: deleting one named key is a change a person can redo
//! (`consul kv delete app/flag`, `etcdctl del app/flag`, `redis-cli DEL k`);
//! deleting a whole subtree or keyspace is not (`consul kv delete -recurse
//! app/`, an empty or root key, `etcdctl del --prefix app/`, `etcdctl del
//! "" --from-key`, `redis-cli FLUSHALL`). The cloud family asks here about
//! `consul kv delete`; `etcdctl` (no family owns it) gets its sweeping
//! deletes recorded by `extra`.

use super::Cmd;
use crate::effects::Effect;
use crate::engine::{Stdin, Walker};

/// What a `redis-cli` line wipes, given its upper-cased command words: a
/// flush, `SHUTDOWN NOSAVE`, or a Lua script (an `EVAL` argument or an
/// `--eval` script read from stdin) that flushes or deletes every key. An
/// `--eval` script that cannot be read is recorded as a write.
pub(crate) fn redis_wipes(e: &mut Walker, c: &Cmd, up: &[String]) -> Option<String> {
    if up.iter().any(|w| w == "FLUSHALL" || w == "FLUSHDB") {
        return Some("flushes all keys".into());
    }
    if up.first().is_some_and(|w| w == "SHUTDOWN") && up.iter().any(|w| w == "NOSAVE") {
        return Some("shuts the server down without saving".into());
    }
    let mut scripts: Vec<String> = Vec::new();
    if up
        .first()
        .is_some_and(|w| matches!(w.as_str(), "EVAL" | "EVAL_RO" | "FUNCTION"))
    {
        scripts.extend(up.iter().skip(1).cloned());
    }
    if let Some(file) = c.opt(&["--eval"]) {
        match (&c.stdin, file.text.as_str()) {
            (Stdin::Literal(t), "/dev/stdin" | "-") => scripts.push(t.to_ascii_uppercase()),
            _ => e.add(Effect::DbWrite {
                engine: c.name.clone(),
                what: format!("runs the Lua script {}", file.text),
            }),
        }
    }
    scripts.iter().find_map(|s| lua_wipes(s))
}

/// Upper-cased Lua that calls a flush, or deletes what `KEYS *` lists.
fn lua_wipes(s: &str) -> Option<String> {
    let sq: String = s
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| if c == '"' { '\'' } else { c })
        .collect();
    let calls = |name: &str| {
        ["CALL('", "PCALL('"]
            .iter()
            .any(|k| sq.contains(&format!("{k}{name}'")))
    };
    if calls("FLUSHALL") || calls("FLUSHDB") {
        return Some("flushes all keys from a Lua script".into());
    }
    if (calls("DEL") || calls("UNLINK")) && sq.contains("'KEYS','*'") {
        return Some("deletes every key from a Lua script".into());
    }
    None
}

/// `consul kv delete …`: `Some(true)` when it removes a subtree or the
/// whole store, `Some(false)` for one key, `None` for any other form.
pub(crate) fn consul_delete(c: &Cmd, pos: &[String]) -> Option<bool> {
    if !(pos.first().is_some_and(|p| p == "kv") && pos.get(1).is_some_and(|p| p == "delete")) {
        return None;
    }
    let recurse = c.args.iter().any(|a| {
        let t = a.text.trim_start_matches('-');
        a.text.starts_with('-')
            && (t == "recurse" || t.strip_prefix("recurse=").is_some_and(|v| v != "false"))
    });
    let key = pos.get(2).map(String::as_str).unwrap_or("");
    Some(recurse || whole(key) || pos.len() > 3)
}

/// An empty, root or wildcard key names the whole store.
fn whole(key: &str) -> bool {
    let k = key.trim_matches(['"', '\'']);
    k.is_empty() || k == "/" || k.contains('*')
}

/// Record what an `etcdctl del` removes: a range of keys, or one key.
pub(crate) fn extra(e: &mut Walker, c: &Cmd) {
    if c.name != "etcdctl" {
        return;
    }
    let pos: Vec<&str> = c.positional().iter().map(|w| w.text.as_str()).collect();
    if pos.first() != Some(&"del") {
        return;
    }
    let ranged = c.has(&["--prefix", "--from-key"])
        || c.long("--prefix")
        || c.long("--from-key")
        || pos.len() > 2
        || pos.get(1).is_some_and(|k| whole(k));
    if c.has(&["--help", "-h"]) {
        return;
    }
    let what = format!("etcdctl {}", pos.join(" "));
    if ranged {
        e.add(Effect::CloudDestroy {
            tool: "etcdctl".into(),
            what,
        });
    } else {
        // One named key, whatever words its path holds (`app/flag`).
        e.add(Effect::CloudChange {
            tool: "etcdctl".into(),
            what,
        });
    }
}

/// Redis commands that only read (the second word matters for the
/// container commands: `CONFIG GET` reads, `CONFIG SET` writes). Any other
/// command is taken to change the data set.
pub(crate) fn redis_reads(cmd: &str, sub: Option<&String>) -> bool {
    const READS: &[&str] = &[
        "GET",
        "MGET",
        "GETRANGE",
        "STRLEN",
        "EXISTS",
        "TYPE",
        "TTL",
        "PTTL",
        "KEYS",
        "SCAN",
        "RANDOMKEY",
        "DBSIZE",
        "HGET",
        "HMGET",
        "HGETALL",
        "HKEYS",
        "HVALS",
        "HLEN",
        "HEXISTS",
        "HSTRLEN",
        "HSCAN",
        "HRANDFIELD",
        "LRANGE",
        "LLEN",
        "LINDEX",
        "LPOS",
        "SMEMBERS",
        "SCARD",
        "SISMEMBER",
        "SMISMEMBER",
        "SSCAN",
        "SRANDMEMBER",
        "SINTER",
        "SUNION",
        "SDIFF",
        "ZRANGE",
        "ZRANGEBYSCORE",
        "ZREVRANGE",
        "ZREVRANGEBYSCORE",
        "ZSCORE",
        "ZMSCORE",
        "ZCARD",
        "ZCOUNT",
        "ZRANK",
        "ZREVRANK",
        "ZSCAN",
        "XRANGE",
        "XREVRANGE",
        "XLEN",
        "XREAD",
        "XINFO",
        "XPENDING",
        "BITCOUNT",
        "BITPOS",
        "GETBIT",
        "PFCOUNT",
        "GEOPOS",
        "GEODIST",
        "GEOSEARCH",
        "GEOHASH",
        "INFO",
        "PING",
        "ECHO",
        "TIME",
        "LASTSAVE",
        "ROLE",
        "MONITOR",
        "SUBSCRIBE",
        "PSUBSCRIBE",
        "SSUBSCRIBE",
        "DUMP",
        "OBJECT",
        "WAIT",
        "READONLY",
        "HELLO",
        "QUIT",
    ];
    let sub = sub.map(String::as_str).unwrap_or("");
    READS.contains(&cmd)
        || match cmd {
            "CONFIG" => sub == "GET",
            "CLIENT" => matches!(sub, "LIST" | "INFO" | "GETNAME" | "ID"),
            "SLOWLOG" | "LATENCY" => matches!(sub, "GET" | "LEN" | "LATEST" | "HISTORY" | "DOCTOR"),
            "MEMORY" => matches!(sub, "USAGE" | "STATS" | "DOCTOR"),
            "CLUSTER" => matches!(sub, "INFO" | "NODES" | "SLOTS" | "SHARDS" | "MYID"),
            "COMMAND" | "PUBSUB" | "ACL" => {
                matches!(
                    sub,
                    "" | "COUNT"
                        | "DOCS"
                        | "INFO"
                        | "LIST"
                        | "CHANNELS"
                        | "NUMSUB"
                        | "WHOAMI"
                        | "USERS"
                        | "CAT"
                )
            }
            _ => false,
        }
}

/// `CONFIG SET dir` into a login's own files or `dbfilename
/// authorized_keys`: the next `SAVE` writes the data set where a shell or
/// ssh will read it (a known way to plant a key).
pub(crate) fn redis_persistence(up: &[String]) -> Option<String> {
    let (cmd, rest) = up.split_first()?;
    if cmd != "CONFIG" || rest.first().map(String::as_str) != Some("SET") {
        return None;
    }
    let key = rest.get(1)?.as_str();
    let value = rest.get(2)?.to_ascii_lowercase();
    let planted = match key {
        "DIR" => value.contains(".ssh") || value.contains("cron") || value.starts_with("/etc"),
        "DBFILENAME" => {
            value.contains("authorized_keys") || value.ends_with("rc") || value.ends_with(".sh")
        }
        _ => false,
    };
    planted.then(|| {
        format!(
            "redis CONFIG SET {} {value}: its next save writes there",
            key.to_ascii_lowercase()
        )
    })
}

#[cfg(test)]
mod tests {
    use crate::testutil::expect;

    #[test]
    fn redis_lua_scripts_that_flush_are_wipes() {
        expect(&[
            (
                "redis-cli EVAL \"return redis.call('FLUSHDB')\" 0",
                "catastrophic",
            ),
            (
                "redis-cli -h cache EVAL \"redis.pcall( 'flushall' )\" 0",
                "catastrophic",
            ),
            (
                "redis-cli --eval /dev/stdin <<< \"return redis.call('flushall')\"",
                "catastrophic",
            ),
            (
                "redis-cli EVAL \"return redis.call('del', unpack(redis.call('keys', '*')))\" 0",
                "catastrophic",
            ),
            ("redis-cli -a \"$P\" SHUTDOWN NOSAVE", "catastrophic"),
            (
                "redis-cli EVAL \"return redis.call('GET', KEYS[1])\" 1 k",
                "ambiguous",
            ),
            ("redis-cli --eval scripts/migrate.lua", "ambiguous"),
            ("redis-cli SHUTDOWN SAVE", "ambiguous"),
        ]);
    }

    #[test]
    fn one_key_is_a_change() {
        expect(&[
            ("consul kv delete app/feature-flag", "ambiguous"),
            (
                "consul kv delete -cas -modify-index=12 app/flag",
                "ambiguous",
            ),
            ("etcdctl del app/flag", "ambiguous"),
            ("etcdctl del /registry/pods/default/web-1", "ambiguous"),
            ("redis-cli DEL session:42", "ambiguous"),
        ]);
    }

    #[test]
    fn subtrees_and_whole_stores_stay_catastrophic() {
        expect(&[
            ("consul kv delete -recurse app/", "catastrophic"),
            ("consul kv delete --recurse app", "catastrophic"),
            ("consul kv delete -recurse", "catastrophic"),
            ("consul kv delete ''", "catastrophic"),
            ("consul kv delete /", "catastrophic"),
            ("etcdctl del --prefix app/", "catastrophic"),
            ("etcdctl del --prefix ''", "catastrophic"),
            ("etcdctl del '' --from-key", "catastrophic"),
            ("etcdctl del a z", "catastrophic"),
            ("redis-cli FLUSHALL", "catastrophic"),
            ("redis-cli -n 2 flushdb", "catastrophic"),
        ]);
    }

    #[test]
    fn reads_stay_safe() {
        expect(&[
            ("consul kv get app/flag", "safe"),
            ("consul kv get -recurse app/", "safe"),
        ]);
    }
}

#[cfg(test)]
mod family_tests_s13 {
    use crate::testutil::expect;

    #[test]
    fn redis_reads_are_safe_and_any_other_command_changes_data() {
        expect(&[
            ("redis-cli HGETALL user:1001", "safe"),
            ("redis-cli CONFIG GET maxmemory", "safe"),
            ("redis-cli --scan --pattern 'user:*'", "safe"),
            ("redis-cli HDEL user:1001 temp_token", "ambiguous"),
            ("redis-cli LPUSH jobs x", "ambiguous"),
            ("redis-cli CONFIG SET maxmemory 1gb", "ambiguous"),
            (
                "redis-cli CONFIG SET dir /home/dev/.ssh && redis-cli CONFIG SET dbfilename authorized_keys && redis-cli SAVE",
                "catastrophic",
            ),
            ("redis-cli FLUSHALL", "catastrophic"),
        ]);
    }

    #[test]
    fn build_tool_tasks_that_clean_publish_or_run_code_are_not_builds() {
        expect(&[
            ("mix test", "safe"),
            ("swift build -c release --product cli", "safe"),
            ("flutter clean", "ambiguous"),
            ("stack purge", "ambiguous"),
            ("mix deps.clean --all", "ambiguous"),
            ("mix hex.publish --yes", "ambiguous"),
            ("cabal upload x.tar.gz", "ambiguous"),
            ("mix run -e 'IO.puts 1'", "ambiguous"),
            ("mix do ecto.drop, ecto.create", "catastrophic"),
            ("mix do deps.get + ecto.migrate", "ambiguous"),
            (
                "mongosh app --eval 'db.users.createIndex({email: 1})'",
                "ambiguous",
            ),
            ("mongosh app --eval 'db.users.find()'", "safe"),
            ("cat ~/.config/fly/config.yml", "catastrophic"),
            (
                "cat ~/.mozilla/firefox/p.default/cookies.sqlite",
                "catastrophic",
            ),
        ]);
    }
}
