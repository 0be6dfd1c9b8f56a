//! Credentials that only the program and the argument's position reveal:
//! `htpasswd -b FILE USER PW`, `ssh-keygen -N PW`, `zip -P PW`, `7z -pPW`,
//! `vault login TOKEN`, `oathtool KEY`, `ldapsearch -w PW`, `smbclient -U
//! user%PW`, `sqlcmd -P PW`, `sqlplus user/PW@db`, `rclone config create
//! NAME TYPE pass PW`, and the commands that store a secret under any name
//! (`heroku config:set K=V`, `fly secrets set K=V`, `kubectl create secret
//! generic n --from-literal=k=V`, `dotnet user-secrets set K V`, …).
//!
//! Each simple command is matched on the first word naming a known
//! program (so `sudo -u x htpasswd …` and `env A=b vault login …` are
//! seen); its arguments are the words after it, here-strings excluded.

use super::scan::is_secret_name;
use super::words::Word;
use std::ops::Range;

/// (word index, unquoted byte range) to blank.
pub(super) type Hit = (usize, Range<usize>);

/// One argument: its word index and unquoted text.
type Arg<'a> = (usize, &'a str);

/// The simple commands of a line, as word index ranges.
pub(super) fn commands(words: &[Word]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, w) in words.iter().enumerate() {
        if w.starts_command && i > start {
            out.push(start..i);
            start = i;
        }
    }
    if start < words.len() {
        out.push(start..words.len());
    }
    out
}

/// The last path component of a program word.
pub(super) fn base(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

/// Hits for every simple command of `words`.
pub(super) fn programs(words: &[Word]) -> Vec<Hit> {
    let mut out = Vec::new();
    for cmd in commands(words) {
        let ws = &words[cmd.clone()];
        let Some(p) = ws
            .iter()
            .position(|w| !w.herestring && is_known(base(&w.text)))
        else {
            continue;
        };
        let args: Vec<Arg> = ws[p + 1..]
            .iter()
            .enumerate()
            .filter(|(_, w)| !w.herestring)
            .map(|(k, w)| (cmd.start + p + 1 + k, w.text.as_str()))
            .collect();
        rule(base(&ws[p].text), &args, &mut out);
    }
    out
}

const LDAP: &[&str] = &[
    "ldapsearch",
    "ldapadd",
    "ldapmodify",
    "ldapdelete",
    "ldapwhoami",
    "ldapmodrdn",
    "ldapcompare",
    "ldapexop",
    "ldappasswd",
    "ldapurl",
];
const SMB: &[&str] = &[
    "smbclient",
    "rpcclient",
    "smbcacls",
    "smbget",
    "smbtree",
    "smbmap",
    "net",
    "winexe",
    "wbinfo",
    "smbcquotas",
];
const MOUNT: &[&str] = &["mount", "mount.cifs", "mount.smb3", "mount.smbfs"];
const ARCHIVERS_P: &[&str] = &["7z", "7za", "7zr", "7zz", "rar", "unrar"];
const MONGO: &[&str] = &[
    "mongo",
    "mongosh",
    "mongodump",
    "mongorestore",
    "mongoexport",
    "mongoimport",
    "mongostat",
    "mongotop",
];
const MSSQL: &[&str] = &["sqlcmd", "bcp", "osql"];
const ORACLE: &[&str] = &["sqlplus", "rman", "sqlldr", "expdp", "impdp", "exp", "imp"];
const FREERDP: &[&str] = &[
    "xfreerdp",
    "wlfreerdp",
    "sdl-freerdp",
    "xfreerdp3",
    "sdl-freerdp3",
];
const SNMP: &[&str] = &[
    "snmpwalk",
    "snmpget",
    "snmpset",
    "snmpbulkwalk",
    "snmpgetnext",
    "snmptrap",
];
const OTHERS: &[&str] = &[
    "htpasswd",
    "az",
    "ssh-keygen",
    "zip",
    "unzip",
    "funzip",
    "vault",
    "bao",
    "oathtool",
    "mysqladmin",
    "isql",
    "lftp",
    "rdesktop",
    "nmcli",
    "wpa_passphrase",
    "useradd",
    "usermod",
    "security",
    "openssl",
    "mkpasswd",
    "redis-cli",
    "ipmitool",
    "git",
    "rclone",
    "heroku",
    "dokku",
    "fly",
    "flyctl",
    "doppler",
    "railway",
    "kubectl",
    "oc",
    "dotnet",
    "netlify",
    "aws",
];

fn is_known(p: &str) -> bool {
    [
        LDAP,
        SMB,
        MOUNT,
        ARCHIVERS_P,
        MONGO,
        MSSQL,
        ORACLE,
        FREERDP,
        SNMP,
        OTHERS,
    ]
    .iter()
    .any(|l| l.contains(&p))
}

fn push(out: &mut Vec<Hit>, a: &[Arg], k: usize, from: usize) {
    if let Some(&(i, t)) = a.get(k)
        && from < t.len()
        && t.is_char_boundary(from)
    {
        out.push((i, from..t.len()));
    }
}

/// The word after any of `flags` is a secret, and so is the value of
/// `FLAG=value`.
fn flag_next(out: &mut Vec<Hit>, a: &[Arg], flags: &[&str]) {
    for k in 0..a.len() {
        let t = a[k].1;
        if flags.contains(&t) {
            push(out, a, k + 1, 0);
        } else if let Some((f, _)) = t.split_once('=')
            && flags.contains(&f)
        {
            push(out, a, k, f.len() + 1);
        }
    }
}

/// `PREFIXsecret` (attached, not a long flag): the rest is a secret.
fn attached(out: &mut Vec<Hit>, a: &[Arg], prefix: &str) {
    for (k, &(_, t)) in a.iter().enumerate() {
        if t.len() > prefix.len() && t.starts_with(prefix) && !t.starts_with("--") {
            push(out, a, k, prefix.len());
        }
    }
}

/// The part of a value after the first `sep` (`user%PW`, `user,PW`).
fn after_sep(out: &mut Vec<Hit>, a: &[Arg], k: usize, from: usize, sep: char) {
    if let Some(&(_, t)) = a.get(k)
        && let Some(s) = t.get(from..).and_then(|r| r.find(sep))
    {
        push(out, a, k, from + s + 1);
    }
}

/// Indices of positional arguments: not flags, and not the value of a
/// flag in `takes_value`; everything after `--` is positional.
fn positionals(a: &[Arg], takes_value: &[&str]) -> Vec<usize> {
    let mut out = Vec::new();
    let mut k = 0;
    let mut options = true;
    while k < a.len() {
        let t = a[k].1;
        if options && t == "--" {
            options = false;
        } else if options && t.starts_with('-') && t != "-" {
            if takes_value.contains(&t) {
                k += 1;
            }
        } else {
            out.push(k);
        }
        k += 1;
    }
    out
}

/// Short option clusters the getopt way: each letter in `values` takes the
/// rest of its cluster or the next word as its value; the values of the
/// letters in `secret` are secrets.
fn getopt(out: &mut Vec<Hit>, a: &[Arg], values: &str, secret: &str) {
    let mut k = 0;
    while k < a.len() {
        let t = a[k].1;
        if t == "--" {
            return;
        }
        if t.len() > 1 && t.starts_with('-') && !t.starts_with("--") {
            for (j, c) in t.char_indices().skip(1) {
                if !values.contains(c) {
                    continue;
                }
                let rest = j + c.len_utf8();
                if rest < t.len() {
                    if secret.contains(c) {
                        push(out, a, k, rest);
                    }
                } else {
                    if secret.contains(c) {
                        push(out, a, k + 1, 0);
                    }
                    k += 1;
                }
                break;
            }
        }
        k += 1;
    }
}

fn has(a: &[Arg], word: &str) -> bool {
    a.iter().any(|&(_, t)| t == word)
}

fn index_of(a: &[Arg], word: &str) -> Option<usize> {
    a.iter().position(|&(_, t)| t == word)
}

/// Every `NAME=VALUE` argument (not a flag) from `from` on: the value.
fn kv_values(out: &mut Vec<Hit>, a: &[Arg], from: usize) {
    for k in from..a.len() {
        let t = a[k].1;
        if !t.starts_with('-')
            && let Some(eq) = t.find('=')
            && eq > 0
        {
            push(out, a, k, eq + 1);
        }
    }
}

/// `KEY VALUE` pairs after a config verb: the value of a secret key.
fn key_value_pairs(out: &mut Vec<Hit>, a: &[Arg], pos: &[usize], all: bool) {
    let mut j = 0;
    while j < pos.len() {
        let key = a[pos[j]].1;
        if key.contains('=') {
            if all && let Some(eq) = key.find('=') {
                push(out, a, pos[j], eq + 1);
            }
            j += 1;
            continue;
        }
        // A switch (`env_auth true`) holds no secret.
        if let Some(&v) = pos.get(j + 1)
            && (all || is_secret_name(key))
            && !matches!(a[v].1, "true" | "false")
        {
            push(out, a, v, 0);
        }
        j += 2;
    }
}

fn rule(prog: &str, a: &[Arg], out: &mut Vec<Hit>) {
    match prog {
        "htpasswd" => {
            let cluster = a
                .iter()
                .find(|(_, t)| t.starts_with('-') && !t.starts_with("--") && t.contains('b'));
            if let Some((_, flags)) = cluster {
                let pos = positionals(a, &["-C", "-r"]);
                let at = if flags.contains('n') { 1 } else { 2 };
                if let Some(&k) = pos.get(at) {
                    push(out, a, k, 0);
                }
            }
        }
        "az" => {
            if has(a, "login") {
                flag_next(out, a, &["-p"]);
            }
            if has(a, "secret") && has(a, "set") {
                flag_next(out, a, &["--value"]);
                attached(out, a, "--value=");
            }
        }
        "ssh-keygen" => getopt(out, a, "abCDEfFIJjKmMnNOPrRsStVwYzZ", "NP"),
        "zip" => getopt(out, a, "bnPtZsOxi", "P"),
        "unzip" | "funzip" => getopt(out, a, "Pdx", "P"),
        p if ARCHIVERS_P.contains(&p) => {
            for (k, &(_, t)) in a.iter().enumerate() {
                if t.len() > 2 && t.starts_with("-p") && t != "-p-" {
                    push(out, a, k, 2);
                }
            }
        }
        "vault" | "bao" => {
            if let Some(l) = index_of(a, "login") {
                let pos = positionals(&a[l + 1..], &[]);
                if let Some(&k) = pos.first()
                    && a[l + 1 + k].1 != "-"
                    && !a[l + 1 + k].1.contains('=')
                {
                    push(out, a, l + 1 + k, 0);
                }
            }
            let first = positionals(a, &[]).first().map(|&k| a[k].1);
            if matches!(first, Some("kv" | "write")) {
                kv_values(out, a, 0);
            }
        }
        "oathtool" => {
            let takes = [
                "-d",
                "-c",
                "-s",
                "-S",
                "-N",
                "-w",
                "--digits",
                "--counter",
                "--time-step-size",
                "--start-time",
                "--now",
                "--window",
            ];
            if let Some(&k) = positionals(a, &takes).first()
                && a[k].1 != "-"
            {
                push(out, a, k, 0);
            }
        }
        p if LDAP.contains(&p) => {
            let secret = if p == "ldappasswd" { "wsa" } else { "w" };
            getopt(out, a, "abDeEfHhoOpPRsStTUwXyYzl", secret);
        }
        p if SMB.contains(&p) => {
            for k in 0..a.len() {
                let t = a[k].1;
                if matches!(t, "-U" | "--user" | "--authenticate") || (p == "wbinfo" && t == "-a") {
                    after_sep(out, a, k + 1, 0, '%');
                } else if let Some(v) = t
                    .strip_prefix("--user=")
                    .or(t.strip_prefix("--authenticate="))
                {
                    after_sep(out, a, k, t.len() - v.len(), '%');
                } else if t.len() > 2 && t.starts_with("-U") {
                    after_sep(out, a, k, 2, '%');
                }
            }
        }
        p if MOUNT.contains(&p) => mount_options(out, a),
        "mysqladmin" => flag_next(out, a, &["password"]),
        p if MONGO.contains(&p) => {
            flag_next(out, a, &["-p"]);
            attached(out, a, "-p");
        }
        p if MSSQL.contains(&p) => {
            flag_next(out, a, &["-P"]);
            attached(out, a, "-P");
        }
        "isql" => {
            if let Some(&k) = positionals(a, &["-d", "-m", "-b"]).get(2) {
                push(out, a, k, 0);
            }
        }
        p if ORACLE.contains(&p) => {
            for (k, &(_, t)) in a.iter().enumerate() {
                let (from, v) = match t.find('=') {
                    Some(eq) if t[..eq].eq_ignore_ascii_case("userid") => (eq + 1, &t[eq + 1..]),
                    _ if !t.starts_with(['-', '/', '@', '.']) => (0, t),
                    _ => continue,
                };
                let Some(slash) = v.find('/') else { continue };
                let end = v[slash..].find(['@', ' ']).map_or(v.len(), |e| slash + e);
                if end > slash + 1 {
                    out.push((a[k].0, from + slash + 1..from + end));
                }
            }
        }
        "lftp" => {
            if let Some(k) = index_of(a, "-u") {
                after_sep(out, a, k + 1, 0, ',');
            }
        }
        p if FREERDP.contains(&p) => {
            attached(out, a, "/p:");
            attached(out, a, "/password:");
            attached(out, a, "-p:");
        }
        "rdesktop" | "useradd" | "usermod" => flag_next(out, a, &["-p"]),
        "ipmitool" => flag_next(out, a, &["-P"]),
        p if SNMP.contains(&p) => flag_next(out, a, &["-A", "-X", "-c"]),
        "nmcli" => {
            for k in 0..a.len() {
                if !a[k].1.starts_with('-') && is_secret_name(a[k].1) {
                    push(out, a, k + 1, 0);
                }
            }
        }
        "wpa_passphrase" => {
            if let Some(&k) = positionals(a, &[]).get(1) {
                push(out, a, k, 0);
            }
        }
        "security" => {
            if a.iter()
                .any(|(_, t)| t.starts_with("add-") && t.ends_with("-password"))
            {
                flag_next(out, a, &["-w"]);
            }
        }
        "openssl" => {
            flag_next(out, a, &["-k"]);
            if a.first().map(|x| x.1) == Some("passwd") {
                for k in positionals(&a[1..], &["-salt", "-in"]) {
                    push(out, a, k + 1, 0);
                }
            }
        }
        "mkpasswd" => {
            let takes = ["-m", "-S", "-R", "-P", "--method", "--salt", "--rounds"];
            if let Some(&k) = positionals(a, &takes).first() {
                push(out, a, k, 0);
            }
        }
        "redis-cli" => {
            if let Some(k) = a.iter().position(|(_, t)| t.eq_ignore_ascii_case("auth")) {
                let pos = positionals(&a[k + 1..], &[]);
                if let Some(&last) = pos.get(1).or(pos.first()) {
                    push(out, a, k + 1 + last, 0);
                }
            }
        }
        "git" => git_config(out, a),
        "rclone" => {
            let pos = positionals(a, &["--config", "--state", "--result"]);
            let word = |j: usize| pos.get(j).map(|&k| a[k].1);
            match (word(0), word(1)) {
                (Some("config"), Some("create")) => {
                    key_value_pairs(out, a, &pos[4.min(pos.len())..], false)
                }
                (Some("config"), Some("update")) => {
                    key_value_pairs(out, a, &pos[3.min(pos.len())..], false)
                }
                (Some("config"), Some("password")) => {
                    key_value_pairs(out, a, &pos[3.min(pos.len())..], true)
                }
                (Some("obscure"), Some(_)) => push(out, a, pos[1], 0),
                _ => {}
            }
        }
        "heroku" | "dokku" => {
            if let Some(k) = a
                .iter()
                .position(|(_, t)| t.starts_with("config:set") || *t == "config:add")
            {
                kv_values(out, a, k + 1);
            }
        }
        "fly" | "flyctl" | "doppler" => {
            if has(a, "secrets") && (has(a, "set") || has(a, "import")) {
                kv_values(out, a, 0);
                if prog == "doppler"
                    && let Some(s) = index_of(a, "set")
                {
                    let pos = positionals(&a[s + 1..], &["-p", "-c", "--project", "--config"]);
                    let shifted: Vec<usize> = pos.iter().map(|k| k + s + 1).collect();
                    key_value_pairs(out, a, &shifted, true);
                }
            }
        }
        "railway" => {
            for k in 0..a.len() {
                if a[k].1 == "--set" {
                    after_sep(out, a, k + 1, 0, '=');
                } else if let Some(v) = a[k].1.strip_prefix("--set=") {
                    after_sep(out, a, k, a[k].1.len() - v.len(), '=');
                }
            }
        }
        "kubectl" | "oc" => {
            if has(a, "secret") {
                for k in 0..a.len() {
                    let t = a[k].1;
                    if t == "--from-literal" {
                        after_sep(out, a, k + 1, 0, '=');
                    } else if t.starts_with("--from-literal=") {
                        after_sep(out, a, k, 15, '=');
                    }
                }
            }
        }
        "dotnet" | "netlify" => {
            let verb = if prog == "dotnet" { "set" } else { "env:set" };
            if let Some(s) = index_of(a, verb) {
                let pos = positionals(
                    &a[s + 1..],
                    &["-p", "--project", "--id", "-c", "--context", "--scope"],
                );
                if let Some(&v) = pos.get(1) {
                    push(out, a, s + 1 + v, 0);
                }
            }
        }
        "aws" => {
            if has(a, "put-parameter") {
                flag_next(out, a, &["--value"]);
                attached(out, a, "--value=");
            }
        }
        _ => {}
    }
}

/// `-o user=u%PW,password=PW,vers=3.0`: secret option values up to the
/// next comma.
fn mount_options(out: &mut Vec<Hit>, a: &[Arg]) {
    for k in 0..a.len() {
        let (k, from) = match a[k].1 {
            "-o" | "--options" => (k + 1, 0),
            t if t.starts_with("-o") && t.len() > 2 && !t.starts_with("--") => (k, 2),
            _ => continue,
        };
        let Some(&(i, t)) = a.get(k) else { continue };
        let mut at = from;
        for opt in t[from..].split(',') {
            if let Some(eq) = opt.find('=') {
                let (name, value) = (&opt[..eq], &opt[eq + 1..]);
                let start = at + eq + 1;
                if is_secret_name(name) && !name.eq_ignore_ascii_case("credentials") {
                    if !value.is_empty() {
                        out.push((i, start..start + value.len()));
                    }
                } else if (name == "user" || name == "username")
                    && let Some(p) = value.find('%')
                    && p + 1 < value.len()
                {
                    out.push((i, start + p + 1..start + value.len()));
                }
            }
            at += opt.len() + 1;
        }
    }
}

/// `git config [--global] KEY VALUE` (and `git config set KEY VALUE`):
/// the value of a key naming a credential.
fn git_config(out: &mut Vec<Hit>, a: &[Arg]) {
    let Some(c) = index_of(a, "config") else {
        return;
    };
    let takes = [
        "-f",
        "--file",
        "--blob",
        "--type",
        "--default",
        "--comment",
        "--value",
    ];
    let pos: Vec<usize> = positionals(&a[c + 1..], &takes)
        .into_iter()
        .map(|k| k + c + 1)
        .filter(|&k| !matches!(a[k].1, "set" | "get" | "unset" | "list" | "edit"))
        .collect();
    let (Some(&key), Some(&value)) = (pos.first(), pos.get(1)) else {
        return;
    };
    if is_secret_config_key(a[key].1) {
        push(out, a, value, 0);
    }
}

/// A configuration key (`github.token`, `//r/:_authToken`, `_auth`) whose
/// value is a credential; keys that only name a helper, a user or a file
/// are not.
pub(super) fn is_secret_config_key(key: &str) -> bool {
    let last = key
        .rsplit(['.', ':', '/'])
        .next()
        .unwrap_or(key)
        .to_ascii_lowercase();
    const NOT: &[&str] = &["helper", "username", "user", "usehttppath"];
    is_secret_name(key)
        && !NOT.contains(&last.as_str())
        && !last.ends_with("file")
        && !last.ends_with("path")
}
