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
use super::stores::{self, kv_values};
use super::words::Word;
use std::ops::Range;

/// (word index, unquoted byte range) to blank.
pub(super) type Hit = (usize, Range<usize>);

/// One argument: its word index and unquoted text.
pub(super) type Arg<'a> = (usize, &'a str);

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

pub(super) fn push(out: &mut Vec<Hit>, a: &[Arg], k: usize, from: usize) {
    if let Some(&(i, t)) = a.get(k)
        && from < t.len()
        && t.is_char_boundary(from)
    {
        out.push((i, from..t.len()));
    }
}

/// The word after any of `flags` is a secret, and so is the value of
/// `FLAG=value`.
pub(super) fn flag_next(out: &mut Vec<Hit>, a: &[Arg], flags: &[&str]) {
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
pub(super) fn attached(out: &mut Vec<Hit>, a: &[Arg], prefix: &str) {
    for (k, &(_, t)) in a.iter().enumerate() {
        if t.len() > prefix.len() && t.starts_with(prefix) && !t.starts_with("--") {
            push(out, a, k, prefix.len());
        }
    }
}

/// The part of a value after the first `sep` (`user%PW`, `user,PW`).
pub(super) fn after_sep(out: &mut Vec<Hit>, a: &[Arg], k: usize, from: usize, sep: char) {
    if let Some(&(_, t)) = a.get(k)
        && let Some(s) = t.get(from..).and_then(|r| r.find(sep))
    {
        push(out, a, k, from + s + 1);
    }
}

/// Indices of positional arguments: not flags, and not the value of a
/// flag in `takes_value`; everything after `--` is positional.
pub(super) fn positionals(a: &[Arg], takes_value: &[&str]) -> Vec<usize> {
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

pub(super) fn has(a: &[Arg], word: &str) -> bool {
    a.iter().any(|&(_, t)| t == word)
}

pub(super) fn index_of(a: &[Arg], word: &str) -> Option<usize> {
    a.iter().position(|&(_, t)| t == word)
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
        p if MOUNT.contains(&p) => stores::mount_options(out, a),
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
        p => stores::rule(p, a, out),
    }
}
