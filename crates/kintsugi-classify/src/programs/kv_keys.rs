//! Key-value stores: deleting one named key is a change a person can redo
//! (`consul kv delete app/flag`, `etcdctl del app/flag`, `redis-cli DEL k`);
//! deleting a whole subtree or keyspace is not (`consul kv delete -recurse
//! app/`, an empty or root key, `etcdctl del --prefix app/`, `etcdctl del
//! "" --from-key`, `redis-cli FLUSHALL`). The cloud family asks here about
//! `consul kv delete`; `etcdctl` (no family owns it) gets its sweeping
//! deletes recorded by `extra`.

use super::Cmd;
use crate::effects::Effect;
use crate::engine::Walker;

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

#[cfg(test)]
mod tests {
    use crate::testutil::expect;

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
