//! What Kintsugi does not model is never read-only. A program nobody knows
//! is judged by its verbs: a known read verb (`list`, `get`, `status`, …)
//! and nothing that mutates makes it safe; a destructive verb makes it
//! ambiguous, or catastrophic when the target or the flags say the damage is
//! wholesale (`--all`, `--force`, a wildcard, a whole cluster, vault, bucket
//! or database, a production-looking name); anything else is
//! `unknown:program` (ambiguous: "it may change anything").

use super::Cmd;
use crate::effects::Effect;
use crate::engine::Walker;

/// Verbs that only read or print, in any CLI.
pub(crate) const READ_VERBS: &[&str] = &[
    "what-if",
    "list",
    "ls",
    "get",
    "read",
    "show",
    "describe",
    "status",
    "version",
    "help",
    "info",
    "view",
    "inspect",
    "logs",
    "log",
    "search",
    "whoami",
    "diff",
    "print",
    "display",
    "query",
    "explain",
    "validate",
    "lint",
    "doctor",
    "check",
    "plan",
    "preview",
    "top",
    "tail",
    "watch",
    "stat",
    "stats",
    "count",
    "find",
    "lookup",
    "verify",
    "audit",
    "outdated",
    "tree",
    "graph",
    "cat",
    "env",
    "config-get",
    "read-only",
    "readonly",
    "ping",
    "health",
    "healthcheck",
    "summary",
    "report",
    "history",
    "snapshots",
    "members",
    "analyze",
    "details",
    "sub",
    "subscribe",
    "current",
];

/// Verbs that destroy, in any CLI.
pub(crate) const DESTROY_VERBS: &[&str] = &[
    "delete",
    "destroy",
    "drop",
    "purge",
    "remove",
    "rm",
    "del",
    "wipe",
    "erase",
    "truncate",
    "reset",
    "flush",
    "forget",
    "prune",
    "revoke",
    "disable",
    "uninstall",
    "terminate",
    "kill",
    "nuke",
    "teardown",
    "shred",
    "clear",
    "rmi",
    "unregister",
    "deregister",
    "decommission",
    "obliterate",
    "expunge",
    "evict",
    "remove-all",
    "delete-all",
    "undefine",
    "rb",
    "rmr",
    "deleteall",
    "rmdir",
    "killall",
    "gc",
];

/// Verbs that change state (ambiguous in any CLI).
pub(crate) const CHANGE_VERBS: &[&str] = &[
    "install",
    "deploy",
    "publish",
    "release",
    "push",
    "stop",
    "apply",
    "upload",
    "login",
    "logout",
    "rollback",
    "format",
    "down",
    "migrate",
    "restore",
    "clean-all",
    "overwrite",
    "sync",
    "send",
    "create",
    "set",
    "update",
    "upgrade",
    "add",
    "put",
    "write",
    "edit",
    "patch",
    "start",
    "restart",
    "enable",
    "scale",
    "import",
    "init",
    "move",
    "mv",
    "rename",
    "copy",
    "cp",
    "revert",
    "unset",
    "grant",
    "attach",
    "detach",
    "mount",
    "unmount",
    "exec",
    "run",
    "commit",
    "merge",
    "rotate",
    "seed",
    "promote",
    "cancel",
    "suspend",
    "resume",
    "pause",
    "lock",
    "unlock",
    "share",
    "open",
    "close",
    "link",
    "unlink",
    "archive",
    "transfer",
    "invite",
    "approve",
    "trigger",
    "submit",
    "post",
];

/// Targets whose loss is wholesale and usually irreversible.
const WHOLESALE_NOUNS: &[&str] = &[
    "cluster",
    "clusters",
    "vault",
    "vaults",
    "bucket",
    "buckets",
    "repo",
    "repos",
    "repository",
    "repositories",
    "topic",
    "topics",
    "vhost",
    "vhosts",
    "secrets",
    "engine",
    "engines",
    "database",
    "databases",
    "db",
    "dbs",
    "keyspace",
    "keyspaces",
    "namespace",
    "namespaces",
    "project",
    "projects",
    "account",
    "accounts",
    "volume",
    "volumes",
    "table",
    "tables",
    "index",
    "indices",
    "indexes",
    "stream",
    "streams",
    "queue",
    "queues",
    "snapshot",
    "snapshots",
    "backup",
    "backups",
    "org",
    "organization",
    "organizations",
    "tenant",
    "tenants",
    "zone",
    "zones",
    "domain",
    "domains",
    "stack",
    "stacks",
    "environment",
    "environments",
    "collection",
    "collections",
    "registry",
    "registries",
    "keyring",
    "keys",
    "users",
    "everything",
    "storage",
    "data",
    "dataset",
    "datasets",
    "workspace",
    "workspaces",
    "app",
    "apps",
    "site",
    "sites",
    "auth",
    "mount",
    "mounts",
    "records",
    "realm",
    "realms",
];

/// Flags that turn one destructive call into a wholesale one.
const WHOLESALE_FLAGS: &[&str] = &[
    "--all",
    "-a",
    "--force",
    "-f",
    "--recursive",
    "-r",
    "-R",
    "--purge",
    "--yes",
    "-y",
    "--permanent",
    "--permanently",
    "--hard",
    "--everything",
    "--cascade",
    "--no-preserve-root",
    "--force-delete",
    "--skip-final-snapshot",
    "--delete-data",
    "--with-data",
    "--include-data",
    "-A",
    "--all-namespaces",
    "--prefix=",
    "--confirm",
    "--noconfirm",
    "--no-confirm",
    "-prefix",
    "-skipTrash",
];

/// The verb of one word: `db:drop` → `drop`, `delete-cluster` → `delete`.
fn verb_parts(w: &str) -> Vec<String> {
    let t = w.to_ascii_lowercase();
    let mut v = vec![t.clone()];
    for sep in [':', '-', '_', '.', '/'] {
        for p in t.split(sep) {
            if !p.is_empty() && !v.iter().any(|x| x == p) {
                v.push(p.to_string());
            }
        }
    }
    v
}

fn any_verb(words: &[String], table: &[&str]) -> Option<String> {
    words.iter().find_map(|w| {
        verb_parts(w)
            .into_iter()
            .find(|p| table.contains(&p.as_str()))
    })
}

/// Backup tools: deleting any archive, snapshot or repository of theirs is
/// losing the copy that was meant to survive.
const BACKUP_TOOLS: &[&str] = &[
    "borg",
    "restic",
    "kopia",
    "tarsnap",
    "duplicity",
    "duplicacy",
    "bup",
    "rdiff-backup",
    "rustic",
    "velero",
    "tmutil",
];

/// Options that make a call destructive whatever its verb
/// (`kafka-topics.sh --delete --topic t`, `tarsnap -d -f archive`).
const DESTROY_OPTIONS: &[&str] = &[
    "--delete",
    "--drop",
    "--purge",
    "--wipe",
    "--destroy",
    "--truncate",
    "--delete-all",
    "--remove-all",
    "--remove-older-than",
    "--delete-older-than",
];

/// An option that destroys everything its call touches, in any spelling:
/// `-purge` (Go-style single dash), `--purge`, `--remove-all-storage`,
/// `--delete-volumes`, `--wipe-data` — a destroying word together with a
/// word for everything or for stored data.
pub(crate) fn sweeping_option(t: &str) -> bool {
    let Some(name) = t.strip_prefix('-') else {
        return false;
    };
    let name = name.trim_start_matches('-');
    let name = name.split('=').next().unwrap_or("").to_ascii_lowercase();
    if name.len() < 4 {
        return false;
    }
    // `--delete-destination=false` turns the sweep off.
    if t.split_once('=').is_some_and(|(_, v)| {
        matches!(
            v.to_ascii_lowercase().as_str(),
            "false" | "0" | "no" | "off"
        )
    }) {
        return false;
    }
    if matches!(name.as_str(), "purge" | "nuke" | "wipe" | "obliterate") {
        return true;
    }
    let parts: Vec<&str> = name.split(['-', '_']).collect();
    let destroys = parts.iter().any(|p| {
        matches!(
            *p,
            "delete" | "remove" | "rm" | "destroy" | "wipe" | "purge" | "erase" | "drop"
        )
    });
    let everything = parts.iter().any(|p| {
        matches!(
            *p,
            "all"
                | "storage"
                | "data"
                | "disks"
                | "everything"
                | "contents"
                | "nvram"
                | "destination"
                | "extraneous"
        ) || WHOLESALE_NOUNS.contains(p)
    });
    parts.len() > 1 && destroys && everything
}

/// The destructive verb of a call: among the first words, an option that
/// destroys, or the program's own name (`kafka-delete-records.sh`).
fn destroy_verb(c: &Cmd, pos: &[String], options: bool) -> Option<String> {
    if let Some(v) = any_verb(pos, DESTROY_VERBS) {
        return Some(v);
    }
    if !options {
        return None;
    }
    if let Some(o) = c
        .args
        .iter()
        .find(|a| DESTROY_OPTIONS.contains(&a.text.as_str()) || sweeping_option(&a.text))
    {
        return Some(o.text.clone());
    }
    if expires_everything(c) {
        return Some("retention".into());
    }
    if c.name == "tarsnap" && c.args.iter().any(|a| a.text == "-d" || a.text == "--nuke") {
        return Some("-d".into());
    }
    if let Some(v) = dash_verb(c).filter(|v| destroys(v)) {
        return Some(format!("-{v}"));
    }
    let stem = crate::words::basename(&c.name)
        .trim_end_matches(".sh")
        .to_string();
    any_verb(std::slice::from_ref(&stem), DESTROY_VERBS)
        .filter(|_| crate::words::basename(&c.name).contains(['-', '_', '.']))
        // `ldapdelete`, `dropdb`: a destroying verb glued to the name.
        .or_else(|| {
            DESTROY_VERBS
                .iter()
                .filter(|v| v.len() >= 4)
                .find(|v| stem.ends_with(**v) || stem.starts_with(**v))
                .map(|v| v.to_string())
        })
}

/// A verb spelled as a single-dash option (`hdfs dfs -rm -r /data`,
/// `hadoop fs -ls /`): the first such word that is a read or destroy verb.
fn dash_verb(c: &Cmd) -> Option<String> {
    c.args.iter().find_map(|a| {
        let v = a.text.strip_prefix('-')?;
        (v.len() >= 2
            && v.chars().all(|ch| ch.is_ascii_lowercase())
            && (READ_VERBS.contains(&v) || destroys(v)))
        .then(|| v.to_string())
    })
}

fn destroys(v: &str) -> bool {
    DESTROY_VERBS.contains(&v) || matches!(v, "rmr" | "rmdir")
}

/// A retention setting so short that the data it keeps is deleted at once
/// (`--add-config retention.ms=1`, `retention.bytes=0`, `--retention=0`).
fn expires_everything(c: &Cmd) -> bool {
    c.args.iter().any(|a| {
        let t = a.text.to_ascii_lowercase();
        t.split(',').any(|kv| {
            let Some((k, v)) = kv.split_once('=') else {
                return false;
            };
            let Ok(n) = v.trim().parse::<u64>() else {
                return false;
            };
            k.contains("retention")
                && if k.ends_with(".ms") || k.ends_with("_ms") {
                    n < 60_000
                } else if k.contains("bytes") {
                    n < 1024
                } else {
                    n == 0
                }
        })
    })
}

/// A production-looking or root-level target.
fn wholesale_target(c: &Cmd, pos: &[String]) -> bool {
    let name = crate::words::basename(&c.name);
    if BACKUP_TOOLS.contains(&name) || expires_everything(c) {
        return true;
    }
    // The program's own name says what goes (`kafka-delete-records`).
    if verb_parts(name)
        .iter()
        .skip(1)
        .any(|p| WHOLESALE_NOUNS.contains(&p.as_str()))
    {
        return true;
    }
    // The verb alone names everything (`rabbitmqctl reset`, `acme flush`).
    if pos.len() == 1
        && verb_parts(&pos[0]).iter().any(|p| {
            matches!(
                p.as_str(),
                "reset"
                    | "flush"
                    | "flushall"
                    | "purge"
                    | "wipe"
                    | "nuke"
                    | "erase"
                    | "teardown"
                    | "destroy"
            )
        })
    {
        return true;
    }
    // The object named by an option (`--topic orders`, `--bucket b`).
    let option_noun = c.args.iter().any(|a| {
        a.text.starts_with("--")
            && WHOLESALE_NOUNS.contains(&a.text[2..].split('=').next().unwrap_or(""))
    });
    option_noun
        || pos.iter().any(|w| {
            let l = w.to_ascii_lowercase();
            w == "*"
                || w.ends_with('*')
                || w == "/"
                || w == "all"
                || w == "\"\""
                || w == "''"
                || verb_parts(&l)
                    .iter()
                    .any(|p| matches!(p.as_str(), "prod" | "production" | "live" | "primary"))
                || verb_parts(&l)
                    .iter()
                    .any(|p| WHOLESALE_NOUNS.contains(&p.as_str()))
        })
        || c.args.iter().any(|a| {
            let t = a.text.as_str();
            WHOLESALE_FLAGS
                .iter()
                .any(|f| t == *f || (f.ends_with('=') && t.starts_with(f)))
                // `-Oy`, `-rf`: a cluster of short flags with yes or force.
                || t.strip_prefix('-').is_some_and(|fl| {
                    (2..=4).contains(&fl.len())
                        && fl.chars().all(|ch| ch.is_ascii_alphabetic())
                        && fl.contains(['y', 'f'])
                })
                || t.starts_with("--prefix=") && t.len() <= "--prefix=/".len()
        })
        || c.args
            .iter()
            .any(|a| a.text.is_empty() || sweeping_option(&a.text))
}

/// Judge a program Kintsugi does not model, by its verbs.
pub(crate) fn judge(e: &mut Walker, c: &Cmd) {
    judge_as(e, c, "program");
}

/// Judge `c` by its verbs; what they do not show is unknown as `kind`
/// (`program`, or `subcommand` for a family's program whose rules found
/// nothing to say about this form).
pub(crate) fn judge_as(e: &mut Walker, c: &Cmd, kind: &str) {
    if c.dry_run() {
        return;
    }
    let pos: Vec<String> = c
        .positional()
        .iter()
        .take(4)
        .map(|w| w.text.clone())
        .collect();
    if let Some(v) = destroy_verb(c, &pos, true) {
        destroy_effect(e, c, &pos, &v);
        return;
    }
    if let Some(v) = any_verb(&pos, CHANGE_VERBS) {
        e.add(Effect::Change {
            program: c.name.clone(),
            what: format!("runs `{v}`"),
        });
        return;
    }
    if c.has(&["--list", "--describe"])
        || pos.first().is_some_and(|w| {
            verb_parts(w)
                .iter()
                .any(|p| READ_VERBS.contains(&p.as_str()))
        })
        || pos.iter().skip(1).take(2).any(|w| {
            verb_parts(w)
                .iter()
                .any(|p| READ_VERBS.contains(&p.as_str()))
        })
        || dash_verb(c).is_some()
    {
        return;
    }
    unknown(e, c, kind);
}

/// A program a family owns but whose rules found nothing to say about this
/// form (`rclone purge remote:`, `ibmcloud resource service-instance-delete
/// x`): a destructive verb among its first words is still a change, and a
/// wholesale one is catastrophic. Returns whether it recorded anything.
pub(crate) fn destroy_backstop(e: &mut Walker, c: &Cmd) -> bool {
    let simulated = c.has(&["--just-print", "--no-act", "--recon", "--assumeno"])
        || c.name.starts_with("apt") && c.has(&["-s"]);
    if c.dry_run() || simulated {
        return false;
    }
    let pos: Vec<String> = c
        .positional()
        .iter()
        .take(3)
        .map(|w| w.text.clone())
        .collect();
    let Some(v) = destroy_verb(c, &pos, false) else {
        return false;
    };
    let before = e.effects.len();
    destroy_effect(e, c, &pos, &v);
    e.effects.len() > before
}

/// Record the destructive verb `v` of `c`: `unknown:destroy` (catastrophic)
/// when the target or the flags make it wholesale, a change otherwise.
fn destroy_effect(e: &mut Walker, c: &Cmd, pos: &[String], v: &str) {
    if wholesale_target(c, pos) {
        e.add(Effect::Unknown {
            program: c.name.clone(),
            form: "destroy".into(),
            what: format!(
                "`{}` runs the destructive verb `{v}` on a wholesale target",
                c.label()
            ),
        });
    } else {
        e.add(Effect::Change {
            program: c.name.clone(),
            what: format!("runs the destructive verb `{v}`"),
        });
    }
}

/// Record that `c` is not something Kintsugi knows (`program`, `subcommand`
/// or `script`).
pub(crate) fn unknown(e: &mut Walker, c: &Cmd, kind: &str) {
    let what = match kind {
        "subcommand" => format!(
            "`{}` is not a form of `{}` Kintsugi knows; it may change anything",
            c.label(),
            c.name
        ),
        "script" => format!(
            "runs the script `{}`, which Kintsugi could not read; it may change anything",
            c.name
        ),
        _ => format!(
            "`{}` is not a program Kintsugi knows; it may change anything",
            c.name
        ),
    };
    e.add(Effect::Unknown {
        program: c.name.clone(),
        form: kind.into(),
        what,
    });
}

#[cfg(test)]
mod tests {
    use crate::testutil::expect;

    #[test]
    fn unknown_programs_are_never_safe() {
        expect(&[
            ("frobnicate --now", "ambiguous"),
            ("acme-cli sync-everything", "ambiguous"),
            ("./scripts/deploy.sh", "ambiguous"),
            ("zorp", "ambiguous"),
        ]);
    }

    #[test]
    fn read_forms_of_unknown_clis_are_safe() {
        expect(&[
            ("acmectl list", "safe"),
            ("acmectl get widgets", "safe"),
            ("acmectl widgets describe w1", "safe"),
            ("acmectl status", "safe"),
            ("acmectl --version", "safe"),
            ("acmectl help deploy", "safe"),
        ]);
    }

    #[test]
    fn destructive_verbs_of_unknown_clis() {
        expect(&[
            ("acmectl delete widget w1", "ambiguous"),
            ("acmectl delete cluster main", "catastrophic"),
            ("acmectl bucket rm --recursive", "catastrophic"),
            ("acmectl topics delete --all", "catastrophic"),
            ("acmectl db:drop", "catastrophic"),
            ("acmectl delete-app prod-api", "catastrophic"),
            ("acmectl purge '*'", "catastrophic"),
            ("acmectl delete widget w1 --dry-run", "safe"),
            ("zkcli rmr /", "catastrophic"),
            ("zkcli deleteall /locks/job1", "ambiguous"),
            ("mc rb --force local/backups", "catastrophic"),
            ("nomad job stop -purge api", "catastrophic"),
            ("virsh undefine web01 --remove-all-storage", "catastrophic"),
            (
                "widgetctl instance shutdown w1 --wipe-storage",
                "catastrophic",
            ),
            ("virsh undefine test-vm", "ambiguous"),
        ]);
    }

    #[test]
    fn destructive_options_names_and_backups() {
        expect(&[
            (
                "kafka-topics.sh --bootstrap-server b:9092 --delete --topic orders",
                "catastrophic",
            ),
            (
                "kafka-delete-records.sh --bootstrap-server b:9092 --offset-json-file d.json",
                "ambiguous",
            ),
            ("rabbitmqctl reset", "catastrophic"),
            ("acmectl flush", "catastrophic"),
            ("borg delete /mnt/backup::monday", "catastrophic"),
            (
                "restic -r /srv/backup forget --keep-last 1 --prune",
                "catastrophic",
            ),
            ("tarsnap -d -f nightly", "catastrophic"),
            ("nats stream rm ORDERS -f", "catastrophic"),
            ("rclone purge remote:backups", "catastrophic"),
            (
                "ibmcloud resource service-instance-delete prod-db -f",
                "catastrophic",
            ),
            ("restic snapshots", "safe"),
            ("kafka-topics.sh --list --bootstrap-server b:9092", "safe"),
        ]);
    }

    #[test]
    fn dash_verbs_glued_verbs_and_flag_clusters() {
        expect(&[
            ("hdfs dfs -rm -r -skipTrash /data", "catastrophic"),
            ("hadoop fs -rm -R /user", "catastrophic"),
            ("hdfs dfs -rm reports/2024-01.csv", "ambiguous"),
            ("hdfs dfs -ls /data", "safe"),
            ("ldapdelete -r dc=acme,dc=com", "catastrophic"),
            ("ldapdelete cn=old,dc=acme,dc=com", "ambiguous"),
            ("ddev delete -Oy", "catastrophic"),
            ("vault lease revoke -prefix aws/", "catastrophic"),
            ("vault kv metadata get secret/app", "safe"),
            ("istioctl analyze", "safe"),
            ("cf push api", "ambiguous"),
            ("cf apps", "safe"),
            ("cf delete-space prod -f", "catastrophic"),
        ]);
    }
}
